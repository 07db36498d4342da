"""Verdicts from the per-layer statistics: activations, gradient flow, updates, spectra.

Thresholds (documented with each check) follow the decks: activations that
shrink to zero or saturate layer by layer (000/003), dead ReLUs (000), an
update/weight ratio of about 1e-3 (001), eigenvalues of W far from 1 that
shrink or blow up a signal over depth (000).
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.diagnose.checks import CheckResult, combine, grade, grade_log
from chainrule.diagnose.statistics import (
    RELU_KINDS,
    Spectrum,
    Statistics,
    collect,
    spectra,
    update_ratio,
)
from chainrule.diagnose.subject import Subject, preserved_rng, train_step

DEAD_OK, DEAD_TOLERABLE = 0.1, 0.5  # fraction of units dead on the whole batch, worst layer
SATURATED_OK, SATURATED_TOLERABLE = 0.1, 0.4  # fraction of saturated outputs, worst layer
SCALE_OK, SCALE_TOLERABLE = (0.1, 10.0), (1e-2, 100.0)  # hidden std / input std
FLOW_OK, FLOW_TOLERABLE = (1e-2, 1e2), (1e-4, 1e4)  # rms grad of first / last weight
RATIO_OK, RATIO_TOLERABLE = (1e-4, 3e-2), (1e-5, 1e-1)  # update / weight per step
GAIN_OK, GAIN_TOLERABLE = (0.1, 10.0), (1e-3, 1e3)  # signal gain over depth
NONLINEAR = ("relu", "leaky_relu", "prelu", "elu", "sigmoid", "tanh", "softplus", "step",
             "maxout")


def layer_statistics(subject: Subject, samples: int = 256) -> Statistics:
    """:func:`~chainrule.diagnose.statistics.collect` on a copy, over ``samples`` training
    samples, in training mode (penalties included in the backward pass)."""
    c = subject.copy()
    x, y = subject.sample(samples, seed_offset=5)
    with preserved_rng():
        for reg in c.regularizers:
            reg.attach(c.model)
        try:
            return collect(c.model.train(), x, y, subject.loss_fn, c.regularizers)
        finally:
            for reg in c.regularizers:
                reg.detach()


def _hidden(stats: Statistics) -> list:
    """Outputs of the nonlinearities (or, in a purely linear model, of all but the last)."""
    found = [a for a in stats.activations if a.kind in NONLINEAR]
    return found or stats.activations[:-1]


def check_dead_units(stats: Statistics) -> CheckResult | None:
    """Fraction of ReLU units that output 0 for every sample of the batch (worst layer).

    Pass below 10%, warn below 50%, fail above. None when the model has no ReLU.
    """
    layers = [a for a in stats.activations if a.kind in RELU_KINDS]
    if not layers:
        return None
    worst = max(layers, key=lambda a: a.dead_fraction)
    verdict = grade(worst.dead_fraction, (0.0, DEAD_OK), (0.0, DEAD_TOLERABLE))
    advice = {"pass": "ReLU units are alive",
              "warn": "many ReLU units never fire: lower the learning rate or use leaky ReLU",
              "fail": "most ReLU units are dead (output 0 for every input): all-zero or badly "
                      "scaled init, negative biases, or a too-high learning rate"}[verdict]
    return CheckResult("dead ReLU units", verdict,
                       {"dead fraction": worst.dead_fraction, "layer": worst.name},
                       f"below {DEAD_OK:.0%} of units per layer", advice,
                       {a.name: a.dead_fraction for a in layers})


def check_saturation(stats: Statistics) -> CheckResult | None:
    """Fraction of tanh/sigmoid outputs in the flat tails (worst layer).

    Pass below 10%, warn below 40%, fail above. None without tanh/sigmoid layers.
    """
    layers = [a for a in stats.activations if a.saturated_fraction is not None]
    if not layers:
        return None
    worst = max(layers, key=lambda a: a.saturated_fraction)
    verdict = grade(worst.saturated_fraction, (0.0, SATURATED_OK), (0.0, SATURATED_TOLERABLE))
    advice = {"pass": "sigmoid/tanh units work in their active region",
              "warn": "many sigmoid/tanh units saturate: scale the init down (xavier) or "
                      "standardise the inputs",
              "fail": "the sigmoid/tanh units are saturated, so their gradient vanishes: the "
                      "init is too large; use xavier init and standardised inputs"}[verdict]
    return CheckResult("saturated units", verdict,
                       {"saturated fraction": worst.saturated_fraction, "layer": worst.name},
                       f"below {SATURATED_OK:.0%} of outputs (|tanh| > 0.99, sigmoid outside "
                       "[0.01, 0.99])", advice, {a.name: a.saturated_fraction for a in layers})


def check_activation_scale(stats: Statistics, input_std: float) -> CheckResult | None:
    """Std of each hidden layer's output relative to the input's std.

    Pass when every ratio is within [0.1, 10], warn within [0.01, 100], fail
    otherwise (the decks' small init: activations shrink to 0 layer by layer).
    """
    layers = _hidden(stats)
    if not layers or not input_std > 0:
        return None
    ratios = [a.std / input_std for a in layers]
    low, high = min(ratios), max(ratios)
    verdict = combine(grade(low, SCALE_OK, SCALE_TOLERABLE), grade(high, SCALE_OK, SCALE_TOLERABLE))
    if verdict == "pass":
        advice = "activations keep their scale through the layers"
    elif low < SCALE_OK[0]:
        advice = ("activations shrink towards 0 with depth: the init is too small (use "
                  "xavier/kaiming for the activation, or batch norm)")
    else:
        advice = "activations grow with depth: the init is too large (use xavier/kaiming)"
    return CheckResult("activation scale", verdict,
                       {"min std/input": low, "max std/input": high},
                       "std of hidden outputs within 0.1 to 10 times the input's", advice,
                       {"names": [a.name for a in layers], "std": [a.std for a in layers]})


def check_gradient_flow(stats: Statistics) -> CheckResult | None:
    """Gradient size over depth, two ways: the RMS gradient of the first weight matrix over
    the last's, and the std of the backward signal dL/dh at the first layer's output over
    its std at the model's output.

    A weight with exactly zero gradient fails (a cut graph, all-zero init or
    dead units). Otherwise each ratio passes within [1e-2, 1e2], warns within
    [1e-4, 1e4] and fails outside (vanishing below, exploding above); the worse
    one decides. (With a too-small init both the activations and the backward
    signal shrink, so the weight gradients of the first and last layers can
    still be alike: the signal ratio catches that.)
    """
    weights = [p for p in stats.parameters if len(p.shape) >= 2]
    if not weights:
        return None
    rms = [0.0 if p.grad_norm is None else p.grad_norm / math.sqrt(np.prod(p.shape))
           for p in weights]
    signal = [a for a in stats.activations if a.grad_std is not None]
    detail = {"names": [p.name for p in weights], "grad_rms": rms,
              "signal_names": [a.name for a in signal],
              "signal_std": [a.grad_std for a in signal]}
    zero = [p.name for p, g in zip(weights, rms, strict=True) if g == 0]
    want = "first/last layer gradient ratios within 1e-2 to 1e2"
    if zero:
        return CheckResult("gradient flow", "fail", {"zero gradient": ", ".join(zero)}, want,
                           "no gradient reaches these weights: the graph is cut (.detach() or "
                           "NumPy in forward), the init is all-zero, or every unit is dead",
                           detail)
    measured = {"weights first/last": rms[0] / rms[-1]}
    if len(signal) >= 2 and signal[-1].grad_std > 0:
        measured["signal first/last"] = signal[0].grad_std / signal[-1].grad_std
    verdict = combine(*(grade_log(r, FLOW_OK, FLOW_TOLERABLE) for r in measured.values()))
    extreme = max(measured.values(), key=lambda r: abs(math.log10(r)) if r > 0 else math.inf)
    if verdict == "pass":
        advice = "gradients reach every layer at a similar scale"
    elif extreme < 1:
        advice = ("vanishing gradients: the first layers get far smaller gradients than the "
                  "last; use ReLU, xavier/kaiming init or batch norm")
    else:
        advice = ("exploding gradients towards the input: scale the init down, clip the "
                  "gradient norm, or use batch norm")
    return CheckResult("gradient flow", verdict, measured, want, advice, detail)


def check_update_ratios(subject: Subject, steps: int = 5, batch_size: int = 32) -> CheckResult:
    """Update/weight ratio ||dW|| / ||W|| of every weight matrix, median over ``steps`` steps
    of a copy trained as configured.

    cs231n: want about 1e-3. Pass when every ratio is within [1e-4, 3e-2],
    warn within [1e-5, 1e-1], fail outside (or NaN).
    """
    c = subject.copy()
    model = c.model.train()
    opt = subject.optimizer_for(model)
    batches = subject.batches(batch_size, seed_offset=6)
    names = [n for n, p in model.named_parameters() if p.ndim >= 2 and p.requires_grad]
    params = dict(model.named_parameters())
    history: dict[str, list[float]] = {n: [] for n in names}
    with preserved_rng(), np.errstate(all="ignore"):
        for reg in c.regularizers:
            reg.attach(model)
        try:
            for _ in range(steps):
                before = {n: params[n].data.copy() for n in names}
                train_step(subject, model, opt, c.regularizers, *next(batches))
                for n in names:
                    history[n].append(update_ratio(before[n], params[n].data))
        finally:
            for reg in c.regularizers:
                reg.detach()
    ratios = {n: float(np.median(v)) for n, v in history.items()}
    return _ratio_verdict(ratios, history)


def _ratio_verdict(ratios: dict[str, float], history: dict[str, list[float]]) -> CheckResult:
    want = "about 1e-3 (1e-4 to 3e-2) per step"
    if not ratios:
        return CheckResult("update/weight ratio", "warn", {}, want, "no weight matrices", {})
    ratios = {k: math.inf if math.isnan(v) else v for k, v in ratios.items()}  # NaN: blown up
    low, high = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
    verdict = combine(grade_log(ratios[low], RATIO_OK, RATIO_TOLERABLE),
                      grade_log(ratios[high], RATIO_OK, RATIO_TOLERABLE))
    measured = {"min": ratios[low], "max": ratios[high]}
    if verdict == "pass":
        advice = "updates are a healthy fraction of the weights"
    elif not math.isfinite(ratios[high]) or ratios[high] > RATIO_OK[1]:
        advice = (f"updates are {ratios[high]:.1e} of the weights ({high}) per step: the "
                  "learning rate is too high, expect instability or NaN; lower it")
    elif ratios[low] == 0:
        advice = (f"{low} does not move at all: no gradient reaches it (a cut graph, all-zero "
                  "init or dead units)")
    else:
        advice = (f"updates are only {ratios[low]:.1e} of the weights ({low}) per step: the "
                  "learning rate is too low (or the gradient vanishes); raise it")
    return CheckResult("update/weight ratio", verdict, measured, want, advice,
                       {"ratios": ratios, "history": history})


def signal_gains(found: list[Spectrum], order: list[tuple[str, str]] | None) -> list[float]:
    """Each weight's typical gain ||W||_F / sqrt(fan_out), divided by sqrt(2) when a ReLU
    follows it (a ReLU keeps half the second moment) and set to 1 when batch norm does."""
    kinds = [k for _, k in order or []]
    modules = [m for m, _ in order or []]
    gains = []
    for s in found:
        module = s.name.rpartition(".")[0] or s.name
        after = kinds[modules.index(module) + 1] if module in modules and \
            modules.index(module) + 1 < len(kinds) else None
        gains.append(1.0 if after == "batchnorm" else
                     s.gain / math.sqrt(2) if after in RELU_KINDS else s.gain)
    return gains


def check_spectra(found: list[Spectrum], order: list[tuple[str, str]] | None = None
                  ) -> CheckResult | None:
    """Singular values of every weight matrix and the signal gain over depth.

    Each matrix's typical gain is corrected for the ReLU after it (see
    :func:`signal_gains`); their product is how much the network scales a
    signal. Pass within [0.1, 10], warn within [1e-3, 1e3], fail outside
    (vanishing / exploding). An all-zero matrix, or one whose rows are all equal
    (rank one from a constant init), fails: symmetry is never broken.
    """
    if not found:
        return None
    detail = {"names": [s.name for s in found], "singular_values": [s.singular_values
                                                                     for s in found],
              "top_eigenvalues": [s.eigenvalues[:5] for s in found],
              "gains": [s.gain for s in found]}
    want = "signal gain over depth 0.1 to 10; no zero or rank-one weights"
    flat = [s.name for s in found if s.top == 0 or (
        min(s.shape) > 1 and s.singular_values[1] <= 1e-6 * s.top)]
    if flat:
        return CheckResult("weight spectra", "fail", {"degenerate": ", ".join(flat)}, want,
                           "all-zero or constant weights: every unit computes the same thing "
                           "and symmetry is never broken; use a random init (kaiming/xavier)",
                           detail)
    gains = signal_gains(found, order)
    total = float(np.prod(gains))
    detail["corrected_gains"] = gains
    verdict = grade_log(total, GAIN_OK, GAIN_TOLERABLE)
    measured = {"signal gain": total, "largest s": max(s.top for s in found)}
    if verdict == "pass":
        advice = "the layers roughly preserve the signal's scale"
    elif total < 1:
        advice = ("the weights shrink the signal over depth (singular values < 1): vanishing "
                  "activations and gradients; scale the init up (xavier/kaiming)")
    else:
        advice = ("the weights stretch the signal over depth (singular values > 1): exploding "
                  "activations or saturation; scale the init down (xavier/kaiming)")
    return CheckResult("weight spectra", verdict, measured, want, advice, detail)


def layer_checks(subject: Subject, stats: Statistics | None = None,
                 found: list[Spectrum] | None = None, batch_size: int = 32) -> list[CheckResult]:
    """All per-layer checks on the subject at its current weights (``stats`` and ``found``
    spectra are measured when not given; ``batch_size`` is for the update ratios)."""
    stats = stats or layer_statistics(subject)
    found = spectra(subject.model) if found is None else found
    results = [check_dead_units(stats), check_saturation(stats),
               check_activation_scale(stats, float(np.std(subject.x))),
               check_gradient_flow(stats), check_spectra(found, stats.order)]
    if subject.optimizer is not None:
        results.append(check_update_ratios(subject, batch_size=batch_size))
    return [r for r in results if r is not None]
