"""Hyperparameter search on Optuna: samplers, pruners, storages and importances.

``chainrule.search.run(config, trials=..., workers=..., storage=...)`` runs the search a
config's ``[search]`` section describes (``chainrule search CONFIG`` does the same) into
``runs/<name>-search/``:

- ``study.db``: the Optuna study (SQLite) unless ``storage`` names another database.
- ``trial-<n>/``: one run folder per trial (``config.toml``, ``metrics.jsonl``/``.csv``,
  ``model.safetensors``, ``results.json``; ``fold-<k>/`` run folders under CV).
- ``best.toml``: a normal config reproducing the best trial (``chainrule train best.toml``).
- ``search_params.png``, ``search_history.png``, ``search_scatter.png``: the plots.
- ``search.json``::

    {
      "study": str, "storage": str (password hidden), "direction": "minimize"|"maximize",
      "metric": str, "strategy": str, "pruner": str, "cv_folds": int, "n_trials": int,
      "log_params": [key sampled on a log scale, ...],
      "best": {"number": int, "value": float, "params": {key: value}, "run_dir": str} | null,
      "best_config": "best.toml" (absent without a completed trial),
      "trials": [{"number": int, "state": "complete"|"pruned"|"fail"|"running",
                  "params": {key: value}, "value": float|null, "seconds": float|null,
                  "run_dir": "trial-<n>" (relative to the search folder)|null,
                  "intermediate": {"<step>": value}  (reported per epoch),
                  "folds": [value per fold], "spread": std over folds   (under CV),
                  "diverged": rule, "error": message, "retry_of": number (when present)}],
      "importances": {key: importance (sums to 1)}, "importance_method": "fanova"|"mdi",
      "plots": [file names relative to the search folder]
    }

The job itself (reading the config, starting workers, summarising) lives in
:mod:`chainrule.runs.search`; ``run``, ``parse`` and ``SearchResult`` are loaded from
there on first use. Nothing here imports Optuna until a search runs.

Layer: beside ``diagnose`` and ``explain``: imports ``train`` and ``config`` (its space
is made of config keys); the job itself is :mod:`chainrule.runs.search`.
"""

from typing import Any

__all__ = ["SearchResult", "parse", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chainrule.runs import search

        return getattr(search, name)
    raise AttributeError(f"module 'chainrule.search' has no attribute {name!r}")
