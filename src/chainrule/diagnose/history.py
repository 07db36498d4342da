"""Reading learning curves: divergence, a flat loss (underfitting) and a train/val gap.

The decks' loss-curve shapes: a loss that explodes or turns NaN (learning
rate too high; cs231n: "if the cost is ever > 3 * original cost, break out
early"); a loss that barely moves (learning rate too low, or too little
capacity); and a validation curve that parts from the training curve ("big
gap = overfitting => increase regularisation; no gap => increase model
capacity"). Per-step losses are noisy, so they are smoothed by a trailing
moving average first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.diagnose.checks import CheckResult, combine, grade
from chainrule.viz.curves import moving_average

FLAT_OK, FLAT_TOLERABLE = 0.1, 0.01  # relative fall of the smoothed training loss
EXPLODE = 3.0  # smoothed loss above 3x its start
RISE_OK, RISE_TOLERABLE = 0.1, 0.5  # val loss above its best, relative
GAP_OK, GAP_TOLERABLE = 0.1, 0.3  # train accuracy - val accuracy


def _columns(history: Any) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """(per-epoch, per-step) columns of a History or of a ``{"history", "steps"}`` dict."""
    if isinstance(history, dict):
        return dict(history.get("history", {})), dict(history.get("steps", {}))
    return dict(history.history), dict(history.steps)


def check_convergence(history: Any, window: int = 20) -> CheckResult:
    """Is the training loss going down? From the per-step losses (per-epoch when absent).

    The loss is smoothed by a moving average of ``window`` points. Fail on NaN/inf
    or when the smoothed loss ends above 3x its start (divergence), or when it fell
    by less than 1% (flat); warn below a 10% fall; pass otherwise.
    """
    epochs, steps = _columns(history)
    raw = steps.get("loss") or epochs.get("loss") or []
    name, want = "loss curve", "a training loss that falls by more than 10%"
    if len(raw) < 2:
        return CheckResult(name, "warn", {"points": len(raw)}, want,
                           "too few points to judge the curve; train longer", {})
    values = np.asarray(raw, dtype=np.float64)
    w = max(1, min(window, len(values) // 4))
    smooth = moving_average(values, w)
    detail = {"loss": values, "smoothed": smooth, "window": w}
    head = float(np.nanmean(values[:w]))
    tail = float(smooth[-1])
    if not np.all(np.isfinite(values)) or not math.isfinite(tail):
        return CheckResult(name, "fail", {"non-finite losses": int(np.sum(~np.isfinite(values)))},
                           want, "the loss turned NaN/inf: the learning rate is too high (or the "
                           "data holds NaN); lower it or clip the gradient norm", detail)
    if head > 0 and tail > EXPLODE * head:
        return CheckResult(name, "fail", {"end/start": tail / head}, want, "the loss is "
                           "exploding: the learning rate is too high; lower it", detail)
    fall = (head - tail) / abs(head) if head != 0 else 0.0
    verdict = grade(fall, (FLAT_OK, math.inf), (FLAT_TOLERABLE, math.inf))
    advice = {"pass": "the loss goes down",
              "warn": "the loss barely goes down: raise the learning rate or train longer",
              "fail": "the loss is flat: the learning rate is too low, the model too small, "
                      "or the gradient does not reach the weights"}[verdict]
    return CheckResult(name, verdict, {"fall": fall, "start": head, "end": tail}, want, advice,
                       detail)


def check_generalisation(history: Any, window: int = 3) -> CheckResult | None:
    """Train/validation gap from the per-epoch curves (None without ``val_loss``).

    Smoothed over ``window`` epochs. The validation loss rising above its best
    by more than 10% (while the training loss keeps falling) warns, by more
    than 50% fails; a train - val accuracy gap above 0.1 warns, above 0.3 fails.
    No gap with a training accuracy below 0.9 suggests more capacity.
    """
    epochs, _ = _columns(history)
    if "val_loss" not in epochs or "loss" not in epochs or len(epochs["val_loss"]) < 2:
        return None
    w = max(1, min(window, len(epochs["val_loss"]) // 3))
    val = moving_average(epochs["val_loss"], w)
    train = moving_average(epochs["loss"], w)
    best = int(np.nanargmin(epochs["val_loss"]))  # the raw curve: a trailing mean lags
    low = float(np.nanmin(val))
    rise = float((val[-1] - low) / abs(low)) if low != 0 else 0.0
    gap = None
    if "accuracy" in epochs and "val_accuracy" in epochs:
        gap = float(moving_average(epochs["accuracy"], w)[-1] -
                    moving_average(epochs["val_accuracy"], w)[-1])
    verdict = grade(rise, (-math.inf, RISE_OK), (-math.inf, RISE_TOLERABLE))
    if gap is not None:
        verdict = combine(verdict, grade(gap, (-math.inf, GAP_OK), (-math.inf, GAP_TOLERABLE)))
    measured: dict[str, Any] = {"val loss above best": rise, "best epoch": best + 1}
    if gap is not None:
        measured["accuracy gap"] = gap
    detail = {"loss": train, "val_loss": val, "best_epoch": best}
    want = "val loss near its best; train - val accuracy below 0.1"
    if verdict != "pass" and rise > RISE_OK:
        advice = (f"big gap = overfitting: increase regularisation (L2, dropout), get or "
                  f"augment more data, or stop early (best epoch {best + 1})")
    elif verdict != "pass":
        advice = ("big gap = overfitting: training accuracy runs ahead of validation; "
                  "increase regularisation (L2, dropout) or get more data")
    elif gap is not None and gap < 0.02 and moving_average(epochs["accuracy"], w)[-1] < 0.9:
        advice = "no gap and modest accuracy: the model may be too small; increase capacity"
    else:
        advice = "training and validation agree"
    return CheckResult("train/val gap", verdict, measured, want, advice, detail)


def check_history(history: Any) -> list[CheckResult]:
    """Both curve checks on a :class:`~chainrule.train.History` (or its ``state_dict``-like
    dict ``{"history": ..., "steps": ...}``)."""
    found = [check_convergence(history), check_generalisation(history)]
    return [r for r in found if r is not None]
