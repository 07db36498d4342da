"""Step 3 of babysitting: find a learning rate that makes the loss go down (LR range test).

Smith (2017): train a copy for a short run while the learning rate grows
exponentially from ``start`` to ``end``,

    lr_i = start * (end / start) ** (i / (steps - 1)),

smooth the minibatch losses with a bias-corrected exponential moving average
(beta = 0.9, a memory of about 10 steps or 1/10 of the default run; fastai's
0.98 lags the raw losses by half the run), and stop once the smoothed loss
exceeds 4x its minimum or turns NaN/inf (divergence). The suggested learning
rate is where the smoothed loss falls fastest against log(lr) before its
minimum (the slope is taken over a span of 1/10 of the steps, so a single noisy
minibatch does not decide it). The decks' symptoms: a loss that is not going
down means the learning rate is too low; NaN or an explosion means it is too
high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from chainrule.diagnose.checks import CheckResult
from chainrule.diagnose.subject import Subject, preserved_rng, train_step

SKIP_START = 5  # the first smoothed points are dominated by the first minibatches
LOW_PASS, LOW_WARN = 100.0, 1000.0  # configured lr below suggested / this -> warn / fail


@dataclass
class LRRangeResult:
    """The curve of an LR range test and what it suggests.

    Attributes:
        lrs, losses, smoothed: per step: the learning rate, the minibatch loss,
            its smoothed value.
        suggested: learning rate of steepest descent (None when the loss never fell).
        lr_min: learning rate at the lowest smoothed loss.
        diverged_at: learning rate where the loss exploded (None if it never did).
    """

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    suggested: float | None = None
    lr_min: float | None = None
    diverged_at: float | None = None


def lr_range_test(subject: Subject, start: float = 1e-7, end: float = 10.0, steps: int = 100,
                  batch_size: int = 32, beta: float = 0.9, diverge: float = 4.0
                  ) -> LRRangeResult:
    """Run the LR range test on a copy (fresh optimizer of the subject's kind, regularisers as
    configured).

    Args:
        subject: what to test (needs its optimizer).
        start, end: the learning-rate range. Defaults to ``1e-7`` and ``10``.
        steps: minibatch steps. Defaults to ``100``.
        batch_size: samples per step. Defaults to ``32``.
        beta: smoothing of the loss. Defaults to ``0.9``.
        diverge: stop when the smoothed loss exceeds this multiple of its minimum.
            Defaults to ``4``.
    """
    if not 0 < start < end or steps < SKIP_START + 3:
        raise ValueError(f"lr_range_test: need 0 < start < end and steps >= {SKIP_START + 3}, "
                         f"got start={start}, end={end}, steps={steps}")
    c = subject.copy()
    model = c.model.train()
    opt = subject.optimizer_for(model)
    result, avg, best = LRRangeResult(), 0.0, math.inf
    batches = subject.batches(batch_size, seed_offset=4)
    with preserved_rng(), np.errstate(all="ignore"):
        for reg in c.regularizers:
            reg.attach(model)
        try:
            for i in range(steps):
                lr = start * (end / start) ** (i / (steps - 1))
                opt.lr = lr
                loss = train_step(subject, model, opt, c.regularizers, *next(batches))
                avg = beta * avg + (1 - beta) * loss
                smooth = avg / (1 - beta ** (i + 1))
                result.lrs.append(lr)
                result.losses.append(loss)
                result.smoothed.append(smooth)
                if not math.isfinite(smooth) or smooth > diverge * best > 0:
                    result.diverged_at = lr
                    break
                best = min(best, smooth)
        finally:
            for reg in c.regularizers:
                reg.detach()
    _suggest(result)
    return result


def _suggest(result: LRRangeResult) -> None:
    """Fill ``lr_min`` and ``suggested`` (steepest descent of the smoothed loss in log lr)."""
    smooth = np.array(result.smoothed)
    finite = np.isfinite(smooth)
    if finite.sum() < SKIP_START + 3:
        return
    stop = int(np.nanargmin(np.where(finite, smooth, np.nan)))
    result.lr_min = result.lrs[stop]
    if stop < SKIP_START + 2 or smooth[stop] > 0.95 * smooth[SKIP_START]:
        return  # the loss never really fell
    k = max(1, len(smooth) // 20)
    log_lr = np.log(result.lrs)
    centres = np.arange(SKIP_START + k, stop - k + 1)
    if not len(centres):
        centres = np.arange(SKIP_START + 1, stop)
        k = 1
    slope = (smooth[centres + k] - smooth[centres - k]) / (log_lr[centres + k] -
                                                           log_lr[centres - k])
    result.suggested = result.lrs[int(centres[np.argmin(slope)])]


def check_learning_rate(subject: Subject, steps: int = 100, batch_size: int = 32,
                        start: float = 1e-7, end: float = 10.0) -> CheckResult:
    """Run :func:`lr_range_test` and judge the subject's learning rate against its curve.

    The range is widened to reach 10x the configured rate. Verdicts: pass when
    suggested / 100 <= lr <= lr_min; warn when lr is between lr_min and the
    divergence point, or down to suggested / 1000; fail beyond either, or when
    the loss does not go down at any rate.
    """
    lr = float(subject.optimizer.lr) if subject.optimizer is not None else math.nan
    curve = lr_range_test(subject, start=start, end=max(end, 10 * lr), steps=steps,
                          batch_size=batch_size)
    detail = {"lrs": curve.lrs, "losses": curve.losses, "smoothed": curve.smoothed,
              "suggested": curve.suggested, "lr_min": curve.lr_min,
              "diverged_at": curve.diverged_at, "lr": lr}
    measured = {"lr": lr, "suggested": curve.suggested if curve.suggested else "none",
                "diverges at": curve.diverged_at if curve.diverged_at else "-"}
    name = "learning rate (range test)"
    if curve.losses and curve.losses[0] < 0:
        return CheckResult(name, "fail", measured, "loss >= 0 that falls with training",
                           "the loss is negative: its sign is wrong", detail)
    if curve.suggested is None:
        return CheckResult(name, "fail", measured, "a loss that falls for some learning rate",
                           f"loss not going down at any learning rate from {curve.lrs[0]:.0e} "
                           f"to {curve.lrs[-1]:.0e}: check the loss sign, the gradient flow "
                           "and the initialisation (all-zero or saturating)", detail)
    s, low = curve.suggested, curve.lr_min
    want = f"{s / LOW_PASS:.1e} to {low:.1e} (steepest descent at {s:.1e})"
    if curve.diverged_at is not None and lr >= curve.diverged_at:
        return CheckResult(name, "fail", measured, want, f"NaN/explosion: the learning rate is "
                           f"too high; the loss blows up beyond {curve.diverged_at:.1e}; "
                           f"try about {s:.0e}", detail)
    if lr > low:
        return CheckResult(name, "warn", measured, want, "the learning rate is past the loss "
                           f"minimum of the range test, close to divergence; try about {s:.0e}",
                           detail)
    if lr < s / LOW_WARN:
        return CheckResult(name, "fail", measured, want, "loss not going down: the learning "
                           f"rate is far too low; try about {s:.0e}", detail)
    if lr < s / LOW_PASS:
        return CheckResult(name, "warn", measured, want, "the learning rate is low: the loss "
                           f"will fall slowly; try about {s:.0e}", detail)
    return CheckResult(name, "pass", measured, want, "the learning rate is in the range "
                       "where the loss falls", detail)
