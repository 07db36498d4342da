"""Gradient check of the whole model: backprop against centred differences in float64.

On a float64 copy of the model (dropout off, so every evaluation is the same
function) and a few training samples, the analytical gradient of the loss
(penalties included) is compared with

    numerical = (L(w + eps) - L(w - eps)) / (2 eps)

for a sample of parameter entries from every tensor: half drawn at random,
half where the analytical gradient is largest. The relative error per entry is
|a - n| / max(|a|, |n|, floor), where the floor, 1e5 times the round-off of a
difference (2.2e-16 max(|L|, 1) / eps), keeps that round-off from counting as
an error on entries whose gradient is nearly 0.
An entry that fails is measured again with eps / 10 and keeps the smaller
error, so a ReLU kink crossed by the perturbation does not raise a false alarm.
Thresholds (cs231n): < 1e-4 pass, < 1e-2 warn, otherwise fail.
"""

from __future__ import annotations

import numpy as np

from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.diagnose.checks import CheckResult, grade
from chainrule.diagnose.subject import Subject, preserved_rng, without_dropout
from chainrule.train.step import total_loss

PASS, WARN = 1e-4, 1e-2
ATOL = 1e-8  # a numerical gradient above this is not round-off


def _entries(grad: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Flat indices: up to k // 2 of the largest |grad|, the rest at random (no repeats)."""
    size = grad.size
    if size <= k:
        return np.arange(size)
    top = np.argsort(-np.abs(grad.reshape(-1)), kind="stable")[: k // 2]
    rest = np.setdiff1d(np.arange(size), top)
    return np.concatenate([top, rng.choice(rest, k - len(top), replace=False)])


def check_gradients(subject: Subject, samples: int = 8, entries: int = 96,
                    eps: float = 1e-6) -> CheckResult:
    """Backprop against finite differences on a float64 copy of the full model.

    Args:
        subject: what to check.
        samples: training samples in the batch. Defaults to ``8``.
        entries: parameter entries to check in total (each tensor gets a share
            by size, at least 2). Defaults to ``96``.
        eps: the finite-difference step. Defaults to ``1e-6``.
    """
    c = subject.copy()
    model = without_dropout(c.model).double().train()
    x, y = subject.sample(samples, seed_offset=1)
    x = Tensor._wrap(x.data.astype(np.float64))
    if y.data.dtype.kind == "f":
        y = Tensor._wrap(y.data.astype(np.float64))
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not params:
        return CheckResult("gradient check", "warn", {"parameters": 0}, "trainable parameters",
                           "the model has no trainable parameters", {})

    def loss() -> Tensor:
        return total_loss(model, subject.loss_fn, model(x), y, c.regularizers)[0]

    rng = np.random.default_rng(subject.seed + 2)
    total_size = sum(p.data.size for _, p in params)
    rows: list[tuple[str, int, float, float, float]] = []  # name, index, a, n, error
    with preserved_rng(), np.errstate(all="ignore"):
        for reg in c.regularizers:
            reg.attach(model)
        try:
            value = loss()
            value.backward()
            noise = 2.2e-16 * max(abs(float(value.data)), 1.0)  # round-off of one loss value
            for name, p in params:
                a = np.zeros_like(p.data) if p.grad is None else np.array(p.grad)
                k = max(2, round(entries * p.data.size / total_size))
                for i in _entries(a, k, rng):
                    rows.append((name, int(i), float(a.flat[i]),
                                 *_compare(loss, p.data, int(i), float(a.flat[i]), eps, noise)))
        finally:
            for reg in c.regularizers:
                reg.detach()
    return _verdict(rows)


def _compare(loss, data: np.ndarray, i: int, a: float, eps: float,
             noise: float) -> tuple[float, float]:
    """(numerical gradient, relative error) of entry ``i``; a failing entry is measured again
    with eps / 10 and keeps the better of the two."""
    best = (np.nan, np.inf)
    for step in (eps, eps / 10):
        with no_grad():
            orig = data.flat[i]
            data.flat[i] = orig + step
            plus = float(loss().data)
            data.flat[i] = orig - step
            minus = float(loss().data)
            data.flat[i] = orig
        n = (plus - minus) / (2 * step)
        floor = 1e5 * noise / step
        err = abs(a - n) / max(abs(a), abs(n), floor) if np.isfinite(n) else np.inf
        if err < best[1]:
            best = (n, err)
        if err < PASS:
            break
    return best


def _verdict(rows: list[tuple[str, int, float, float, float]]) -> CheckResult:
    names = [r[0] for r in rows]
    a, n, err = (np.array([r[k] for r in rows]) for k in (2, 3, 4))
    groups: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        groups.setdefault(name, []).append(j)
    per_tensor = {name: float(err[idx].max()) for name, idx in groups.items()}
    worst = float(err.max())
    bad = [name for name, e in per_tensor.items() if e >= WARN]
    # the loss depends on the tensor, yet backprop gives it exactly nothing
    cut = [name for name, idx in groups.items()
           if np.all(a[idx] == 0) and np.any(np.abs(n[idx]) > ATOL)]
    measured = {"max relative error": worst, "entries": len(rows)}
    detail = {"per_tensor": per_tensor, "analytical": a, "numerical": n,
              "names": names}
    want = f"relative error < {PASS:g} (float64)"
    verdict = grade(worst, (0.0, PASS), (0.0, WARN))
    if cut:
        advice = (f"no gradient reaches {', '.join(cut)} although the loss depends on it: the "
                  "graph is cut (.detach(), .data or a NumPy round trip in forward)")
    elif verdict == "fail":
        advice = (f"backprop disagrees with finite differences in {', '.join(bad)}: a backward "
                  "rule (custom op or layer) is wrong")
    elif verdict == "warn":
        advice = ("small disagreements: fine near kinks (ReLU, max), otherwise check the "
                  "backward rules")
    else:
        advice = "backprop matches finite differences"
    return CheckResult("gradient check", "fail" if cut else verdict, measured, want, advice,
                       detail)
