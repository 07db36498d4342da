"""Per-layer statistics: activations, gradients, update/weight ratios and weight spectra.

These functions only measure; :mod:`chainrule.diagnose.layer_checks` turns the
numbers into verdicts and :class:`~chainrule.diagnose.monitor.Monitor` records
them during training. They work on the model they are given, so the checks
pass them copies.

- Activations (forward hooks on every leaf module except the pass-through kinds
  of :mod:`chainrule.nn.registry`: dropout, flatten, identity): mean, std, a
  30-bin histogram, the fraction of *dead* units (ReLU family: zero for every
  sample of the batch), and the fraction of
  *saturated* outputs (tanh: |h| > 0.99; sigmoid: h < 0.01 or h > 0.99,
  where the derivative is below 0.02 and 0.01).
- Gradients: the norm of each parameter's gradient and the std of the
  gradient flowing into each activation (tensor hooks that only read).
- Update/weight ratio of a parameter: ||w_after - w_before|| / ||w_before||
  for one optimizer step (cs231n: about 1e-3 is healthy).
- Spectrum of a weight matrix W (out x in): its singular values s_i, so the
  eigenvalues of W^T W are s_i^2. The largest bounds how much the layer can
  stretch a signal; the typical gain ||W||_F / sqrt(fan_out) (the RMS row norm,
  sqrt(sum s_i^2 / fan_out)) is how much it scales the per-unit std of inputs
  with independent, equal-variance components: Var(y_j) averaged over the
  units is ||W||_F^2 / fan_out * Var(x).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from chainrule import nn
from chainrule.autograd.tensor import Tensor
from chainrule.train.step import total_loss

BINS = 30
TANH_SATURATED = 0.99
SIGMOID_SATURATED = 0.01  # h < 0.01 or h > 0.99
RELU_KINDS = ("relu", "leaky_relu", "prelu")


def kind_of(module: nn.Module) -> str:
    """The module's registered layer kind (``"linear"``, ``"relu"``, ``"tanh"`` ...; see
    :mod:`chainrule.nn.registry`), the class name in lower case otherwise."""
    kind = nn.registry.kind_of(module)
    return kind.name if kind is not None else type(module).__name__.lower()


@dataclass
class ActivationStats:
    """One layer's output on a batch (and the gradient flowing into it)."""

    name: str
    kind: str
    mean: float
    std: float
    dead_fraction: float | None
    saturated_fraction: float | None
    hist_counts: list[int]
    hist_edges: list[float]
    grad_std: float | None = None


@dataclass
class ParameterStats:
    """One parameter tensor: its norm, its gradient's norm, and an update/weight ratio."""

    name: str
    shape: tuple[int, ...]
    norm: float
    grad_norm: float | None
    update_ratio: float | None = None


@dataclass
class Statistics:
    """The per-layer picture of one forward/backward pass."""

    activations: list[ActivationStats] = field(default_factory=list)
    parameters: list[ParameterStats] = field(default_factory=list)
    order: list[tuple[str, str]] = field(default_factory=list)  # (module name, kind) as run
    loss: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        """Nested dicts and lists (JSON-ready after :func:`~chainrule.diagnose.checks.jsonable`)."""
        return asdict(self)


def activation_stats(name: str, kind: str, h: np.ndarray) -> ActivationStats:
    """Mean, std, histogram, dead and saturated fractions of a layer output ``h`` (batch first)."""
    h = np.asarray(h, dtype=np.float64)
    finite = h[np.isfinite(h)]
    if finite.size:
        counts, edges = np.histogram(finite, bins=BINS)
    else:
        counts, edges = np.zeros(BINS, np.int64), np.linspace(0, 1, BINS + 1)
    dead = saturated = None
    if kind in RELU_KINDS and h.ndim >= 2:
        dead = float(np.mean(np.all(h.reshape(len(h), -1) <= 0, axis=0)))
    elif kind == "tanh":
        saturated = float(np.mean(np.abs(h) > TANH_SATURATED))
    elif kind == "sigmoid":
        saturated = float(np.mean((h < SIGMOID_SATURATED) | (h > 1 - SIGMOID_SATURATED)))
    return ActivationStats(name, kind, float(np.mean(h)), float(np.std(h)), dead, saturated,
                           counts.tolist(), edges.tolist())


def recorded_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The leaf modules whose outputs are recorded: all but the kinds with the
    ``"passthrough"`` role (dropout, flatten, identity)."""
    return [(name or type(m).__name__, m) for name, m in model.named_modules()
            if not m._modules and not nn.registry.has_role(m, "passthrough")]


class Recorder:
    """Forward hooks on every recorded module that keep a copy of its output (and, with
    ``grads``, of the gradient flowing into it); the hooks only read.

    Use as a context manager, or call :meth:`attach` and :meth:`detach`.

    Attributes:
        outputs: module name -> output array of the last forward pass.
        grads: module name -> gradient of the loss with respect to that output.
        order: (module name, kind) in the order the modules ran.
    """

    def __init__(self, model: nn.Module, grads: bool = True):
        self.model, self.with_grads = model, grads
        self.outputs: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.order: list[tuple[str, str]] = []
        self._handles: list[Any] = []

    def _hook(self, name: str, kind: str):
        def hook(module: nn.Module, inputs: tuple, out: Any) -> None:
            if not isinstance(out, Tensor):
                return
            self.outputs[name] = out.data.copy()
            self.order.append((name, kind))
            if self.with_grads and out.requires_grad:
                out.register_hook(lambda g: self.grads.__setitem__(name, np.array(g)))
        return hook

    def attach(self) -> Recorder:
        """Install the hooks (once: attaching again replaces them); returns ``self``."""
        self.detach()
        self._handles = [m.register_forward_hook(self._hook(name, kind_of(m)))
                         for name, m in recorded_modules(self.model)]
        return self

    def detach(self) -> None:
        """Remove the hooks; the recorded arrays stay."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def activations(self) -> list[ActivationStats]:
        """Statistics of every recorded output, in the order the modules ran."""
        found = []
        for name, kind in dict.fromkeys(self.order):
            a = activation_stats(name, kind, self.outputs[name])
            if name in self.grads:
                a.grad_std = float(np.std(self.grads[name]))
            found.append(a)
        return found

    def __enter__(self) -> Recorder:
        return self.attach()

    def __exit__(self, *exc: object) -> None:
        self.detach()


def collect(model: nn.Module, x: Tensor, y: Tensor, loss_fn: Any,
            regularizers: Any = ()) -> Statistics:
    """One forward and backward pass of ``model`` (modified: it gets gradients) on ``(x, y)``;
    returns the activation and gradient statistics of every layer."""
    with Recorder(model) as recorder, np.errstate(all="ignore"):
        for p in model.parameters():
            if p.grad is not None:
                p.grad[...] = 0
        loss, _ = total_loss(model, loss_fn, model(x), y, regularizers)
        if loss.requires_grad:
            loss.backward()
    stats = Statistics(recorder.activations(), order=list(dict.fromkeys(recorder.order)),
                       loss=float(loss.data))
    stats.parameters = parameter_stats(model)
    return stats


def parameter_stats(model: nn.Module) -> list[ParameterStats]:
    """Norms of every parameter and of its gradient (None when it has none)."""
    return [ParameterStats(name, tuple(p.shape), float(np.linalg.norm(p.data)),
                           None if p.grad is None else float(np.linalg.norm(p.grad)))
            for name, p in model.named_parameters()]


def update_ratio(before: np.ndarray, after: np.ndarray) -> float:
    """||after - before|| / ||before|| (inf when the weights were 0 and moved, 0 if neither)."""
    step = float(np.linalg.norm(after - before))
    scale = float(np.linalg.norm(before))
    if scale == 0:
        return 0.0 if step == 0 else float("inf")
    return step / scale


@dataclass
class Spectrum:
    """Singular values of one weight matrix (largest first) and its typical gain."""

    name: str
    shape: tuple[int, int]
    singular_values: list[float]
    gain: float  # ||W||_F / sqrt(fan_out)

    @property
    def top(self) -> float:
        """The largest singular value (the spectral norm)."""
        return self.singular_values[0] if self.singular_values else 0.0

    @property
    def eigenvalues(self) -> list[float]:
        """Eigenvalues of W^T W (the squared singular values), largest first."""
        return [s * s for s in self.singular_values]


def spectra(model: nn.Module, top: int | None = None) -> list[Spectrum]:
    """The spectrum of every 2-D weight, in registration (depth) order; ``top`` keeps only
    the largest singular values."""
    found = []
    for name, p in model.named_parameters():
        if p.ndim != 2:
            continue
        w = np.asarray(p.data, dtype=np.float64)
        if np.all(np.isfinite(w)):
            s = np.linalg.svd(w, compute_uv=False)
        else:
            s = np.full(min(w.shape), np.nan)
        gain = float(np.linalg.norm(w) / np.sqrt(w.shape[0]))
        found.append(Spectrum(name, tuple(w.shape), s[:top].tolist(), gain))
    return found
