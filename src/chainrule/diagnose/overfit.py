"""Step 2 of babysitting: overfit a small sample.

A network that works can memorise ~20 samples: with regularisation and
dropout off, full-batch training on them must reach 100% training accuracy
(classification) or a near-zero loss (regression) within a few hundred steps.
If it cannot, there is a bug, the learning rate or initialisation is wrong, or
the model is too small. The decks' symptoms: loss not going down -> LR too low
or bad initialisation; loss exploding to NaN/inf -> LR too high.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.tensor import Tensor
from chainrule.diagnose.checks import CheckResult, grade
from chainrule.diagnose.subject import Subject, preserved_rng, without_dropout
from chainrule.optim import clip_grad_norm_

REGRESSION_OK, REGRESSION_TOLERABLE = 1e-2, 1e-1  # final / initial loss


def accuracy(output: Tensor, target: Tensor, task: str) -> float:
    """Fraction of correct predictions (argmax for C classes, logit > 0 for binary)."""
    out, y = output.data, target.data
    if task == "binary":
        return float(np.mean((out.reshape(y.shape) > 0) == (y > 0.5)))
    return float(np.mean(out.argmax(axis=1) == y))


def check_overfit(subject: Subject, samples: int = 20, max_steps: int = 500) -> CheckResult:
    """Train a copy on ``samples`` training samples until it memorises them.

    Full-batch steps with a fresh optimizer of the subject's kind and learning
    rate, weight decay, regularisers and dropout off, gradient clipping as
    configured. Stops early at 100% accuracy (classification) or when the loss
    falls below 1e-2 of its start (regression).

    Thresholds: classification passes at 100% accuracy, warns at >= 90%;
    regression passes at final/initial loss <= 1e-2, warns at <= 1e-1.

    Args:
        subject: what to check (needs its optimizer).
        samples: how many samples to memorise. Defaults to ``20``.
        max_steps: the step budget. Defaults to ``500``.
    """
    c = subject.copy(regularizers=False)
    model = without_dropout(c.model).train()
    opt = subject.optimizer_for(model, weight_decay=0.0)
    x, y = subject.sample(samples, seed_offset=3)
    task = subject.task
    losses: list[float] = []
    accuracies: list[float] = []
    with preserved_rng(), np.errstate(all="ignore"):
        for _ in range(max_steps + 1):
            output = model(x)
            loss = subject.loss_fn(output, y)
            losses.append(float(loss.data))
            if task != "regression":
                accuracies.append(accuracy(output, y, task))
            if _done(losses, accuracies, task) or len(losses) > max_steps:
                break
            opt.zero_grad()
            loss.backward()
            if subject.clip_grad_norm is not None:
                clip_grad_norm_(model.parameters(), subject.clip_grad_norm)
            opt.step()
    return _verdict(losses, accuracies, task, len(x))


def _done(losses: list[float], accuracies: list[float], task: str) -> bool:
    if not math.isfinite(losses[-1]):
        return True
    if task == "regression":
        return losses[-1] <= REGRESSION_OK * losses[0]
    return accuracies[-1] >= 1.0


def _verdict(losses: list[float], accuracies: list[float], task: str, n: int) -> CheckResult:
    steps = len(losses) - 1
    first, last = losses[0], losses[-1]
    detail = {"loss": losses, "accuracy": accuracies}
    if task == "regression":
        ratio = last / first if first > 0 else math.nan
        measured = {"final/initial loss": ratio, "steps": steps}
        verdict = grade(ratio, (0.0, REGRESSION_OK), (0.0, REGRESSION_TOLERABLE))
        want = f"loss below {REGRESSION_OK:g} of its start on {n} samples"
    else:
        measured = {"train accuracy": accuracies[-1], "loss": last, "steps": steps}
        verdict = grade(accuracies[-1], (1.0, 1.0), (0.9, 1.0))
        want = f"100% training accuracy on {n} samples"
    name = "overfit a small sample"
    if not math.isfinite(last):
        return CheckResult(name, "fail", measured, want, "the loss exploded to NaN/inf: the "
                           "learning rate is too high (or the initialisation is bad)", detail)
    if last < 0:
        return CheckResult(name, "fail", measured, want, "the loss went negative while "
                           "training: its sign is wrong (training maximises the error)", detail)
    if verdict == "pass":
        advice = f"memorised in {steps} steps: the model can learn"
    elif last > 0.9 * first:
        advice = ("loss not going down: learning rate too low, bad initialisation (all-zero "
                  "or saturating), or a bug that cuts the gradient")
    else:
        advice = ("the loss falls but the sample is not memorised: too little capacity, "
                  "an all-zero init, or a learning rate to raise")
    return CheckResult(name, verdict, measured, want, advice, detail)
