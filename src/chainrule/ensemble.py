"""Model ensembles: average several trained models, seeds or snapshots of one run.

"Train multiple independent models; at test time average their results (take the
average of the predicted probability distributions, then choose the argmax)" - the decks'
recipe, worth a couple of points of accuracy. :class:`Ensemble` does that over any
trained models (each with its own preprocessing). Members come from

- the best trials of a search (``chainrule ensemble SEARCH_DIR --top 5``),
- one config trained with several seeds (``[ensemble] seeds = 5``),
- snapshots of one run (Huang et al., "Snapshot ensembles: train 1, get M for free"):
  a cosine-with-restarts schedule (SGDR) and :class:`Snapshots`, which keeps the
  weights at the end of each cycle, where the learning rate is at its lowest.

:class:`AveragedWeights` swaps Polyak or EMA averaged weights (``optim.Polyak``,
``optim.EMA``) into a model at the end of training.

Layer: beside ``search``: imports ``train`` and ``optim``; never ``config`` or ``runs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.train.callbacks import Callback
from chainrule.train.predict import predict, predict_proba

METHODS = ("mean", "vote")


def _inputs(data: Any) -> tuple[np.ndarray, np.ndarray | None]:
    if hasattr(data, "x") and hasattr(data, "y"):
        return np.asarray(data.x), np.asarray(data.y)
    if isinstance(data, tuple) and len(data) == 2:
        return np.asarray(data[0]), np.asarray(data[1])
    return np.asarray(data), None


class Ensemble:
    """Average the predictions of several trained models.

    For classification, ``method="mean"`` averages the members' predicted probabilities
    and takes the argmax: ``p(x) = (1/M) sum_m softmax(f_m(x))``; ``method="vote"``
    takes each member's argmax and returns the most frequent class (ties go to the class
    with the higher mean probability), and its ``predict_proba`` is the vote shares.
    For regression (``regression=True``) both average the outputs (``vote`` takes the
    median).

    Args:
        models: trained models (``nn.Module``), at least one.
        method: ``"mean"`` or ``"vote"``. Defaults to ``"mean"``.
        preprocess: the fitted preprocessing applied to raw inputs: one for all members,
            or a list with one (or None) per member. Defaults to ``None``.
        regression: the members predict real values. Defaults to ``False``.
        batch_size: samples per forward pass. Defaults to ``256``.
    """

    def __init__(self, models: Sequence[Any], method: str = "mean", preprocess: Any = None,
                 regression: bool = False, batch_size: int = 256):
        models = list(models)
        if not models:
            raise ValueError("Ensemble: needs at least one model, got none")
        if method not in METHODS:
            raise ValueError(f"Ensemble: method must be one of {METHODS}, got {method!r}")
        if isinstance(preprocess, (list, tuple)):
            if len(preprocess) != len(models):
                raise ValueError(f"Ensemble: {len(preprocess)} preprocessing pipelines for "
                                 f"{len(models)} models")
            pipelines = list(preprocess)
        else:
            pipelines = [preprocess] * len(models)
        self.models, self.preprocess = models, pipelines
        self.method, self.regression, self.batch_size = method, regression, batch_size

    def __len__(self) -> int:
        return len(self.models)

    def member_outputs(self, data: Any) -> list[np.ndarray]:
        """Each member's predictions on ``data`` (array, or dataset with ``.x``) through
        :mod:`chainrule.train.predict` with its own preprocessing: class probabilities
        (``predict_proba``), or raw outputs for regression (``predict``)."""
        x, _ = _inputs(data)
        one = predict if self.regression else predict_proba
        return [one(m, x, preprocess=p, batch_size=self.batch_size)
                for m, p in zip(self.models, self.preprocess, strict=True)]

    def _combine(self, outputs: list[np.ndarray]) -> np.ndarray:
        if self.regression:
            stacked = np.stack(outputs)
            return stacked.mean(axis=0) if self.method == "mean" else np.median(stacked, axis=0)
        probas = np.stack(outputs)
        if self.method == "mean":
            return probas.mean(axis=0)
        k = probas.shape[2]
        votes = np.stack([np.bincount(row, minlength=k) for row in probas.argmax(axis=2).T])
        return votes / len(outputs) + 1e-9 * probas.mean(axis=0)  # mean breaks ties

    def predict_proba(self, data: Any) -> np.ndarray:
        """Class probabilities (N, classes): the members' mean, or the vote shares."""
        if self.regression:
            raise ValueError("Ensemble.predict_proba: a regression ensemble has no classes; "
                             "use predict")
        return self._combine(self.member_outputs(data))

    def predict(self, data: Any) -> np.ndarray:
        """Class labels (argmax of :meth:`predict_proba`), or averaged regression outputs."""
        combined = self._combine(self.member_outputs(data))
        return combined if self.regression else combined.argmax(axis=1)

    def evaluate(self, data: Any, y: Any = None) -> dict[str, float]:
        """``accuracy`` and ``loss`` (the mean negative log of the true class's averaged
        probability) for classification; ``mse`` for regression."""
        return self._scores(self._combine(self.member_outputs(data)), self._targets(data, y))

    def member_scores(self, data: Any, y: Any = None) -> list[float]:
        """Each member's accuracy (or mse for regression) on ``data``."""
        target = self._targets(data, y)
        metric = "mse" if self.regression else "accuracy"
        return [self._scores(self._combine([o]), target)[metric]
                for o in self.member_outputs(data)]

    def compare(self, data: Any, y: Any = None, *, chosen: int | None = None
                ) -> dict[str, Any]:
        """The ensemble against its members on one split (accuracy, or mse).

        ``best_member`` is the best member's score on this very split (an optimistic
        yardstick: it is picked by looking at the split); ``chosen`` is the index of the
        member one would deploy alone, picked without looking at it (the search's best
        trial, the member best on the validation split), and ``chosen_member`` its score.

        Returns ``{"metric", "ensemble", "members": [...], "best_member", "mean_member",
        "gain_over_best", "gain_over_mean"}`` plus ``"chosen", "chosen_member",
        "gain_over_chosen"`` when ``chosen`` is given; gains are positive when the
        ensemble is better (for mse, lower is better).
        """
        outputs = self.member_outputs(data)
        target = self._targets(data, y)
        metric = "mse" if self.regression else "accuracy"
        members = [self._scores(self._combine([o]), target)[metric] for o in outputs]
        whole = self._scores(self._combine(outputs), target)[metric]
        sign = -1.0 if self.regression else 1.0
        best = min(members) if self.regression else max(members)
        mean = float(np.mean(members))
        report = {"metric": metric, "ensemble": whole, "members": members,
                  "best_member": best, "mean_member": mean,
                  "gain_over_best": sign * (whole - best), "gain_over_mean": sign * (whole - mean)}
        if chosen is not None:
            if not 0 <= chosen < len(members):
                raise ValueError(f"Ensemble.compare: chosen = {chosen} is not a member index "
                                 f"(0..{len(members) - 1})")
            report |= {"chosen": chosen, "chosen_member": members[chosen],
                       "gain_over_chosen": sign * (whole - members[chosen])}
        return report

    @staticmethod
    def _targets(data: Any, y: Any) -> np.ndarray:
        target = _inputs(data)[1] if y is None else np.asarray(y)
        if target is None:
            raise ValueError("Ensemble.evaluate: give labels (y=...) or a dataset with .y")
        return target

    def _scores(self, combined: np.ndarray, y: np.ndarray) -> dict[str, float]:
        if self.regression:
            err = combined.reshape(len(y), -1) - y.reshape(len(y), -1)
            return {"mse": float(np.mean(err ** 2))}
        picked = combined[np.arange(len(y)), y.astype(np.int64)]
        return {"accuracy": float(np.mean(combined.argmax(axis=1) == y)),
                "loss": float(-np.mean(np.log(np.clip(picked, 1e-12, None))))}


class Snapshots(Callback):
    """Keep a copy of the weights every ``every_steps`` optimizer steps (the end of each
    cycle of a cosine-with-restarts schedule whose period is ``every_steps``).

    ``self.states`` holds the copies (``model.state_dict()``), oldest first.
    """

    def __init__(self, every_steps: int):
        if every_steps < 1:
            raise ValueError(f"Snapshots: every_steps must be >= 1, got {every_steps}")
        self.every_steps = every_steps
        self.states: list[dict[str, Any]] = []

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.trainer.global_step % self.every_steps == 0:
            self.states.append({k: np.array(v, copy=True)
                                for k, v in self.trainer.model.state_dict().items()})


class AveragedWeights(Callback):
    """Average the weights along training (Polyak running mean or EMA) and copy the
    average into the model when training ends.

    Args:
        kind: ``"polyak"`` (``optim.Polyak``) or ``"ema"`` (``optim.EMA``).
        decay: the EMA's decay. Defaults to ``0.999``.
    """

    def __init__(self, kind: str, decay: float = 0.999):
        if kind not in ("polyak", "ema"):
            raise ValueError(f"AveragedWeights: kind must be 'polyak' or 'ema', got {kind!r}")
        self.kind, self.decay = kind, decay
        self.averager: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        from chainrule import optim

        params = list(self.trainer.model.parameters())
        self.averager = (optim.Polyak(params) if self.kind == "polyak"
                         else optim.EMA(params, decay=self.decay))

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.averager.update()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.averager is not None and self.averager.n_averaged:
            self.averager.copy_to()
