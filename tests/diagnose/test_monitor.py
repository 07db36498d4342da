import json
import os

import numpy as np
import pytest

from chainrule import nn, optim
from chainrule.diagnose import Monitor
from chainrule.train import Trainer
from chainrule.train.callbacks import Callback
from tests.diagnose import setups


class Spy(Callback):
    """Sees whether hooks are installed at each step and keeps the weights around it."""

    def __init__(self):
        self.hooked_steps, self.before, self.after = [], {}, {}

    def on_train_batch_begin(self, batch, logs=None):
        model, step = self.trainer.model, self.trainer.global_step
        if any(m._forward_hooks for m in model.modules()):
            self.hooked_steps.append(step)
        self.before[step + 1] = model[0].weight.data.copy()

    def on_train_batch_end(self, batch, logs=None):
        self.after[self.trainer.global_step] = self.trainer.model[0].weight.data.copy()


def fit(callbacks, epochs=2, seed=0, **kwargs):
    x, y = setups.digits()
    cr_model = setups.mlp(seed=seed)
    model = nn.Sequential(cr_model[0], cr_model[1], nn.Dropout(0.2), cr_model[2])
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=2e-3), "cross_entropy",
                      callbacks=callbacks)
    history = trainer.fit((x, y), epochs=epochs, batch_size=32, seed=seed, verbose=False,
                          **kwargs)
    return model, history


def test_records_every_n_steps_with_hooks_only_on_those_steps():
    monitor, spy = Monitor(every=10), Spy()
    model, history = fit([monitor, spy])
    steps = len(history.steps["loss"])  # 2 epochs of 19 steps
    assert steps == 38
    assert [r["step"] for r in monitor.records] == [1, 11, 21, 31]
    assert spy.hooked_steps == [0, 10, 20, 30]  # hooks live for the recorded steps only
    assert all(not m._forward_hooks for m in model.modules())
    first = monitor.records[0]
    assert first["loss"] == history.steps["loss"][0]
    assert list(first["activations"]) == ["0", "1", "3"]  # dropout is not a layer to watch
    assert first["activations"]["1"]["kind"] == "relu"
    assert 0 <= first["activations"]["1"]["dead_fraction"] <= 1
    assert sum(first["activations"]["0"]["hist_counts"]) == 32 * 32


def test_update_ratio_and_gradient_norm_are_those_of_the_step():
    monitor, spy = Monitor(every=7), Spy()
    model, _ = fit([monitor, spy], epochs=1)
    for record in monitor.records:
        step = record["step"]
        before, after = spy.before[step], spy.after[step]
        expect = np.linalg.norm(after - before) / np.linalg.norm(before)
        assert record["parameters"]["0.weight"]["update_ratio"] == pytest.approx(expect,
                                                                                 rel=1e-6)
    last = monitor.records[-1]["parameters"]["0.weight"]
    assert last["norm"] > 0 and last["grad_norm"] > 0


def test_weights_are_bit_identical_with_and_without_a_monitor():
    plain, h1 = fit([])
    watched, h2 = fit([Monitor(every=1, spectra=True)])
    for (name, a), b in zip(plain.state_dict().items(), watched.state_dict().values(),
                            strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert h1.steps["loss"] == h2.steps["loss"]


def test_state_dict_is_json_and_round_trips():
    monitor = Monitor(every=15, spectra=True)
    fit([monitor], epochs=1)
    state = json.loads(json.dumps(monitor.state_dict()))
    other = Monitor(every=15)
    other.load_state_dict(state)
    assert other.records == monitor.records
    assert len(monitor.records[0]["spectra"]["0.weight"]) == 5
    with pytest.raises(ValueError, match="every 15 steps"):
        Monitor(every=3).load_state_dict(state)


def test_a_resumed_run_has_the_records_of_an_uninterrupted_one(tmp_path):
    full = Monitor(every=5)
    fit([full], epochs=2, run_dir=tmp_path / "full")
    fit([Monitor(every=5)], epochs=1, run_dir=tmp_path / "cut")
    resumed = Monitor(every=5)
    fit([resumed], epochs=2, run_dir=tmp_path / "cut", resume=True, seed=1)
    assert [r["step"] for r in resumed.records] == [r["step"] for r in full.records]
    assert resumed.records == full.records


def test_series_plot_and_to_dict(tmp_path):
    monitor = Monitor(every=10, histograms=False)
    fit([monitor], epochs=1)
    ratios = monitor.series("parameters", "update_ratio")
    assert list(ratios) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert all(len(v) == 2 for v in ratios.values())
    assert np.isnan(monitor.series("activations", "saturated_fraction")["1"]).all()
    assert "hist_counts" not in monitor.records[0]["activations"]["0"]
    assert monitor.to_dict()["every"] == 10
    path = monitor.plot(tmp_path / "monitor.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("every", [0, -1, 2.5, True])
def test_bad_interval_raises(every):
    with pytest.raises(ValueError, match="every must be an integer"):
        Monitor(every=every)


def test_histograms_of_weights_and_gradients_per_parameter():
    monitor, spy = Monitor(every=20), Spy()
    model, _ = fit([monitor, spy], epochs=1)
    record = monitor.records[-1]
    entry = record["parameters"]["0.weight"]
    counts, edges = np.histogram(spy.after[record["step"]], bins=30)  # weights after the step
    assert entry["hist_counts"] == counts.tolist() and entry["hist_edges"] == edges.tolist()
    assert sum(entry["grad_hist_counts"]) == model[0].weight.data.size
    assert len(entry["grad_hist_edges"]) == 31


class Reader(Callback):
    """Reads monitor.json at each epoch's end, after the Monitor (listed first) wrote it."""

    def __init__(self, path):
        self.path, self.seen = path, []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(len(json.loads(self.path.read_text())["records"]))


def test_directory_gets_monitor_json_every_epoch(tmp_path):
    monitor = Monitor(every=10, directory=tmp_path, save_interval=0.0)
    reader = Reader(tmp_path / "monitor.json")
    fit([monitor, reader], epochs=2)
    saved = json.loads((tmp_path / "monitor.json").read_text())
    assert saved["every"] == 10 and len(saved["records"]) == len(monitor.records)
    assert reader.seen[0] < reader.seen[1] == len(monitor.records)  # grows while training
    assert [p.name for p in tmp_path.iterdir()] == ["monitor.json"]
    umask = os.umask(0)
    os.umask(umask)
    # chainrule.io's writer: the usual permissions, not mkstemp's 0600
    assert (tmp_path / "monitor.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert Monitor(every=10).save() is None  # no directory, nothing written


def test_writes_during_training_are_spaced_by_the_save_interval(tmp_path):
    reader = Reader(tmp_path / "monitor.json")
    monitor = Monitor(every=10, directory=tmp_path, save_interval=3600.0)
    fit([monitor, reader], epochs=3)
    assert reader.seen == [reader.seen[0]] * 3  # written after epoch 1 only
    final = json.loads((tmp_path / "monitor.json").read_text())["records"]
    assert len(final) == len(monitor.records) > reader.seen[0]  # and when training ended
