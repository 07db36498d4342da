from rich.console import Console

from chainrule.runs.search.results import table

KEYS = ("optimizer.lr", "regularization.l2", "model.layers.0.out_features", "model.layers.2.p")


def _summary() -> dict:
    values = [(0.00229, 0.000726, 128, 0.272), (0.00189, 1.38e-06, 137, 0.00417)]
    trials = [{"number": i, "state": state, "params": dict(zip(KEYS, v, strict=True)),
               "value": value, "seconds": 0.4}
              for i, (v, state, value) in enumerate(zip(values, ("complete", "pruned"),
                                                        (0.9815, None), strict=True))]
    return {"study": "digits_search", "metric": "val_accuracy", "direction": "maximize",
            "trials": trials, "best": {"number": 0}}


def test_a_narrow_terminal_folds_the_headers_but_never_a_value():
    console = Console(width=80, record=True)
    console.print(table(_summary()))
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[-1].startswith("└") and lines[-1].endswith("┘")  # not cropped
    for value in ("0.00229", "0.000726", "128", "0.272", "1.38e-06", "0.00417", "complete",
                  "pruned", "0.9815"):
        assert value in text, value
    assert "…" not in text


def test_a_wide_terminal_shows_each_header_on_one_line():
    console = Console(width=160, record=True)
    console.print(table(_summary()))
    text = console.export_text()
    assert all(key in text for key in KEYS)


def test_a_long_search_shows_its_best_completed_trials_best_first():
    summary = _summary()
    summary["trials"] = [dict(summary["trials"][0], number=i, value=v, state=s)
                         for i, (v, s) in enumerate([(0.5, "complete"), (0.9, "complete"),
                                                     (None, "pruned"), (0.7, "complete"),
                                                     (0.95, "fail")])]
    console = Console(width=160, record=True)
    console.print(table(summary, limit=2))
    text = console.export_text()
    assert "the best 2 of 5 trials" in text
    assert text.index("0.9000") < text.index("0.7000") and "0.5000" not in text
    summary["direction"] = "minimize"
    console = Console(width=160, record=True)
    console.print(table(summary, limit=2))
    text = console.export_text()
    assert text.index("0.5000") < text.index("0.7000") and "0.9000" not in text
    assert table(summary, limit=5).row_count == 5  # not more than the limit: all, in order
