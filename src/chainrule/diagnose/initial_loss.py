"""Step 1 of babysitting: the loss at initialisation, without and with regularisation.

An untrained C-class softmax classifier should be unsure: its first loss is
about -log(1/C) = log C (2.303 for 10 classes). A one-output binary model
should start near log 2, and a regression model near the loss of predicting
zero (mean y^2 for MSE). Adding the regularisation penalties must raise it.
Far above means overconfident random outputs (weights too large, saturated
logits); far below means the labels leak into the inputs; a negative loss
means its sign is wrong.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.diagnose.checks import CheckResult, grade
from chainrule.diagnose.subject import Subject, preserved_rng
from chainrule.train.step import total_loss

# measured / expected: pass inside OK, warn inside TOLERABLE, fail outside
OK = (0.5, 1.6)
TOLERABLE = (0.2, 3.0)


def expected_initial_loss(subject: Subject, target: Tensor) -> tuple[float, str]:
    """The loss of an uninformative model and how it is named (``"log C"``)."""
    if subject.task == "classification":
        return math.log(subject.num_classes), f"log C = log {subject.num_classes}"
    if subject.task == "binary":
        return math.log(2.0), "log 2"
    with no_grad():
        zero = Tensor._wrap(np.zeros((len(target.data), subject.output_width()), np.float32))
        return float(subject.loss_fn(zero, target).data), "loss of predicting 0"


def check_initial_loss(subject: Subject, samples: int = 512) -> CheckResult:
    """Compare the first loss with its expected value, and check that regularisation raises it.

    The loss is the mean over up to ``samples`` training samples, in training
    mode (the first step's view of the model), on a copy.

    Thresholds: pass when loss / expected is in [0.5, 1.6], warn in [0.2, 3],
    fail otherwise, or when the loss is negative or not finite.

    Args:
        subject: what to check.
        samples: how many training samples to average over. Defaults to ``512``.
    """
    x, y = subject.sample(samples)
    c = subject.copy()
    expected, label = expected_initial_loss(subject, y)
    with preserved_rng(), no_grad(), np.errstate(all="ignore"):
        for reg in c.regularizers:
            reg.attach(c.model)
        try:
            _, logs = total_loss(c.model, subject.loss_fn, c.model(x), y, c.regularizers)
        finally:
            for reg in c.regularizers:
                reg.detach()
    loss = logs["loss"]
    penalty = float(sum(v for k, v in logs.items() if k.startswith("penalty/")))
    measured = {"loss": loss, label.split(" = ")[0]: expected}
    if c.regularizers:
        measured["with regularisation"] = loss + penalty
    detail = {"loss": loss, "expected": expected, "penalty": penalty}
    span = f"{OK[0] * expected:.3g} to {OK[1] * expected:.3g}"
    want = f"about {label} = {expected:.3g} ({span}); higher with regularisation"
    name = "initial loss"
    if not math.isfinite(loss):
        return CheckResult(name, "fail", measured, want, "the first loss is NaN/inf: inputs or "
                           "weights are huge; standardise the inputs and use a scaled init "
                           "(kaiming/xavier)", detail)
    if loss < 0:
        return CheckResult(name, "fail", measured, want, "the loss is negative: its sign is "
                           "wrong, so training would maximise the error; minimise +loss", detail)
    ratio = loss / expected if expected > 0 else math.inf
    verdict = grade(ratio, OK, TOLERABLE)
    if c.regularizers and not penalty > 0:
        return CheckResult(name, "warn" if verdict == "pass" else verdict, measured, want,
                           "regularisation adds nothing to the loss: check its strength and "
                           "which parameters it covers", detail)
    if verdict == "pass":
        advice = "the network starts unsure, as it should"
    elif ratio > 1:
        advice = ("the initial loss is too high: the random outputs are overconfident; "
                  "scale the init down (especially the last layer) or standardise the inputs")
    else:
        advice = ("the initial loss is suspiciously low for an untrained model: check that "
                  "the labels do not leak into the inputs and the loss is the intended one")
    return CheckResult(name, verdict, measured, want, advice, detail)
