"""Explanations side by side: chainrule's MLP estimators against scikit-learn's, same work.

Two tasks, each run by both contenders through the same harness (chainrule.explain), so the
only difference is the network underneath:

  importance  breast cancer (shipped CSV, 80/20 split): fit StandardScaler + MLPClassifier
              (100 ReLU units, Adam 1e-3, batch 200, EPOCHS epochs, alpha 1e-4), then
              permutation_importance on the held-out 20% (30 features, 10 repeats)
  bootstrap   diabetes (shipped CSV, standardised X and y): bootstrap with B=20 refits of the
              same-size MLPRegressor pipeline, 2 worker processes with 1 BLAS thread each,
              predicting the whole table

Both contenders train exactly EPOCHS epochs (tol=0 and a patience longer than the run, so
neither stops early). The driver interleaves the contenders (A B, B A, ...) and reports the
median of --repeats runs of each phase and the ratio chainrule / scikit-learn (below 1:
chainrule is faster). Run through `make bench`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings

import numpy as np

EPOCHS = 200
SIZE = (100,)


def estimators(kind: str, contender: str):
    """The same network for both libraries: size, activation, optimizer, batch, epochs."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if contender == "chainrule":
        from chainrule import sklearn as lib

        params = dict(epochs=EPOCHS, learning_rate=1e-3)
    else:
        from sklearn import neural_network as lib

        params = dict(max_iter=EPOCHS, learning_rate_init=1e-3, solver="adam")
    common = dict(hidden_layer_sizes=SIZE, activation="relu", batch_size=200, alpha=1e-4,
                  tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=0, **params)
    net = (lib.MLPClassifier if kind == "classifier" else lib.MLPRegressor)(**common)
    return make_pipeline(StandardScaler(), net)


def load():
    from sklearn.model_selection import train_test_split

    from chainrule.data import TabularDataset

    cancer = TabularDataset.shipped("breast_cancer")
    split = train_test_split(cancer.x, cancer.y, test_size=0.2, random_state=0,
                             stratify=cancer.y)
    diabetes = TabularDataset.shipped("diabetes")
    y = diabetes.y[:, 0]
    return cancer.feature_names, split, diabetes.x, (y - y.mean()) / y.std()


def run_importance(contender: str, names, split) -> dict[str, float]:
    from chainrule.explain import permutation_importance

    x_train, x_test, y_train, y_test = split
    started = time.perf_counter()
    model = estimators("classifier", contender).fit(x_train, y_train)
    fitted = time.perf_counter()
    imp = permutation_importance(model, x_test, y_test, n_repeats=10, feature_names=names)
    done = time.perf_counter()
    return {"fit": fitted - started, "importance": done - fitted,
            "accuracy": float(model.score(x_test, y_test)), "top": imp.ranking()[0]}


def run_bootstrap(contender: str, x, y) -> dict[str, float]:
    from chainrule.explain import bootstrap

    started = time.perf_counter()
    result = bootstrap(estimators("regressor", contender), x, X=x, y=y, B=20, workers=2,
                       blas_threads=1, seed=0)
    return {"bootstrap": time.perf_counter() - started,
            "mean_width": float(np.mean(result.upper - result.lower))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="write the medians to this file")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
    names, split, x, y = load()
    runs: dict[str, list[dict[str, float]]] = {"chainrule": [], "sklearn": []}
    order = ["chainrule", "sklearn"]
    for r in range(args.repeats):
        for contender in order if r % 2 == 0 else order[::-1]:
            row = run_importance(contender, names, split)
            row.update(run_bootstrap(contender, x, y))
            runs[contender].append(row)
            print(f"repeat {r} {contender:9s} " + " ".join(
                f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    medians = {c: {k: statistics.median(row[k] for row in rows) for k in
                   ("fit", "importance", "bootstrap", "accuracy", "mean_width")}
               for c, rows in runs.items()}
    print(f"\nmedians of {args.repeats} (seconds; ratio = chainrule / scikit-learn, < 1 faster)")
    print(f"{'phase':24s} {'chainrule':>10s} {'sklearn':>10s} {'ratio':>7s}")
    for key, what in (("fit", "breast-cancer fit"),
                      ("importance", "permutation importance"),
                      ("bootstrap", "bootstrap B=20 diabetes")):
        a, b = medians["chainrule"][key], medians["sklearn"][key]
        print(f"{what:24s} {a:10.3f} {b:10.3f} {a / b:7.2f}")
    for key in ("accuracy", "mean_width"):
        print(f"{key:24s} {medians['chainrule'][key]:10.3f} {medians['sklearn'][key]:10.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": EPOCHS, "hidden": SIZE, "medians": medians}, f, indent=2)


if __name__ == "__main__":
    main()
