"""The torch-style optimizer: parameter groups on flat buffers, driven by a transform chain.

Each parameter group's tensors are moved into one
:class:`~chainrule.autograd.flat.FlatBuffer` when the optimizer is built, so
``zero_grad`` is one fill (see ``FlatBuffer.zero_grad``) and
``step`` is one pass over each buffer: the
group's transform chain (the reference) or, for the named optimizers, a fused
numba kernel that computes the same numbers. A subclass says which chain its
hyperparameters mean (``_transform``) and how to check them (``_validate``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any, NamedTuple

import numpy as np

from chainrule.autograd.flat import FlatBuffer
from chainrule.autograd.function import enable_grad
from chainrule.autograd.tensor import Tensor
from chainrule.optim import state as state_io
from chainrule.optim.base import GradientTransformation, State, chain
from chainrule.optim.transforms import scale, scale_by_learning_rate

ParamsLike = Iterable[Tensor] | Iterable[dict[str, Any]]


def check_number(name: str, value: Any, low: float = 0.0, high: float = math.inf,
                 high_open: bool = False) -> None:
    """Raise ``ValueError("Invalid <name>: <value> ...")`` unless ``value`` is a finite real
    with ``low <= value <= high`` (``< high`` when ``high_open``)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value) \
        and low <= value and (value < high if high_open else value <= high)
    if not ok:
        bound = ")" if high_open else "]"
        raise ValueError(f"Invalid {name}: {value!r} (expected a finite number in [{low:g}, "
                         f"{high:g}{bound})")


class Optimizer:
    """Base class: groups, flat buffers, ``step``, ``zero_grad``, ``state_dict``.

    Args:
        params: an iterable of tensors, or of dicts (parameter groups) each with
            ``"params"`` and any of the optimizer's options, which override
            ``defaults`` for that group (for example no weight decay on biases).
            An optional ``"name"`` labels a group. A tensor may appear once.
        defaults: the options and their values for groups that do not set them.
        fused: run the named optimizer's numba kernel (``None``: whenever the
            group is float32; ``True``: require float32; ``False``: always the
            transform chain).

    Building the optimizer moves each group's tensors into its flat buffer
    (``p.data`` and ``p.grad`` become views), so convert a model's dtype
    before. A frozen parameter (``requires_grad`` False, e.g. after
    ``model.freeze(upto=...)``) is skipped entirely: no moment updates, no
    weight decay, in the fused kernels too; unfreezing it resumes its updates
    from the state it was frozen with. Every other parameter of a group takes
    part in every step (a missing gradient counts as zero, so weight decay and
    momentum still move it).
    """

    _has_kernel = False  # subclasses with a fused kernel set this and define _fused_update

    def __init__(self, params: ParamsLike, defaults: dict[str, Any], *,
                 fused: bool | None = None):
        if fused not in (None, True, False):
            raise ValueError(f"Invalid fused value: {fused!r} (expected None, True or False)")
        self.defaults = dict(defaults)
        self.fused = fused
        self.param_groups: list[dict[str, Any]] = []
        self._flats: list[FlatBuffer] = []
        self._states: list[State] = []
        self._scratch: list[np.ndarray | None] = []
        self._built: list[tuple[dict[str, Any], GradientTransformation | None]] = []
        groups = self._as_groups(params)
        checked = [self._checked_group(g, i, len(self.param_groups)) for i, g in enumerate(groups)]
        self._no_repeats([g["params"] for g in checked])
        for group in checked:  # every group is valid before any tensor is moved
            self._add(group)

    # ------------------------------------------------------------ subclass interface
    def _validate(self, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` naming the first bad option of ``group``."""
        check_number("learning rate", group["lr"])

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        """The transform chain (learning rate included) that ``group``'s options stand for."""
        raise NotImplementedError

    def _fused_update(self, group: dict[str, Any], flat: FlatBuffer, state: State) -> State:
        """One fused kernel step over ``flat``; returns the new state (the chain's layout)."""
        raise NotImplementedError

    # ------------------------------------------------------------ groups
    def _as_groups(self, params: ParamsLike) -> list[dict[str, Any]]:
        if isinstance(params, (Tensor, dict)) or not isinstance(params, Iterable):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or "
                            f"of dicts (parameter groups), got {type(params).__name__}")
        items = list(params)
        if not items:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if all(isinstance(x, dict) for x in items):
            return items
        if any(isinstance(x, dict) for x in items):
            raise TypeError(f"{type(self).__name__}: params mixes tensors and dicts; pass either "
                            "tensors or parameter-group dicts")
        return [{"params": items}]

    def _checked_group(self, group: Any, index: int, offset: int) -> dict[str, Any]:
        name, where = type(self).__name__, f"param group {offset + index}"
        if not isinstance(group, dict):
            raise TypeError(f"{name}: {where} must be a dict, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError(f"{name}: {where} has no 'params' entry")
        unknown = sorted(set(group) - set(self.defaults) - {"params", "name"})
        if unknown:
            raise ValueError(f"{name}: {where} has unknown option(s) {unknown}; the options are "
                             f"{sorted(self.defaults)} (and 'name')")
        params = group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: {where} gives params as a set; use a list so the order "
                            "is the same every run")
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: {where} has an empty parameter list")
        for j, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {j} of {where} is a {type(p).__name__}, "
                                "expected a Tensor")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: parameter {j} of {where} has dtype {p.data.dtype}; "
                                "only floating tensors can be optimized")
            if not p.is_leaf:
                raise ValueError(f"{name}: parameter {j} of {where} is not a leaf tensor "
                                 "(it was computed from others); optimize the leaves")
        dtypes = sorted({str(p.data.dtype) for p in params})
        if len(dtypes) > 1:
            raise TypeError(f"{name}: {where} mixes dtypes {dtypes}; a group shares one flat "
                            "buffer, so put each dtype in its own group")
        merged = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self._validate(merged)
        if self.fused and params[0].data.dtype != np.float32:
            raise ValueError(f"{name}: fused=True needs float32 parameters, {where} is "
                             f"{params[0].data.dtype}; pass fused=None or False")
        merged["params"] = params
        return merged

    def _no_repeats(self, new_lists: list[list[Tensor]]) -> None:
        seen = {id(p): i for i, g in enumerate(self.param_groups) for p in g["params"]}
        for i, params in enumerate(new_lists, start=len(self.param_groups)):
            for j, p in enumerate(params):
                if id(p) in seen:
                    other = seen[id(p)]
                    raise ValueError(f"{type(self).__name__}: parameter {j} of param group {i} "
                                     + ("appears twice in that group" if other == i else
                                        f"is already in param group {other}")
                                     + "; each tensor may be optimized once")
                seen[id(p)] = i

    def _init_state(self, group: dict[str, Any], flat: FlatBuffer) -> State:
        """The fresh state of a group: its chain's ``init``."""
        return self._transform(group).init(flat.data)

    def _state_from_dict(self, group: dict[str, Any], flat: FlatBuffer, saved: Any,
                         where: str) -> State:
        """Rebuild a saved state, checked against a fresh one for ``group``'s options."""
        return state_io.from_dict(self._init_state(group, flat), saved, where)

    def _add(self, group: dict[str, Any]) -> None:
        flat = FlatBuffer(group["params"])
        self.param_groups.append(group)
        self._flats.append(flat)
        self._states.append(self._init_state(group, flat))
        self._scratch.append(None)
        self._built.append((self._options(group), None))

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group (a dict with ``"params"`` and options), as torch's ``add_param_group``."""
        group = self._checked_group(param_group, 0, len(self.param_groups))
        self._no_repeats([group["params"]])
        self._add(group)

    @staticmethod
    def _options(group: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in group.items() if k != "params"}

    def _current_transform(self, i: int) -> GradientTransformation:
        """Group ``i``'s chain, rebuilt (and re-validated) if its options were changed."""
        group = self.param_groups[i]
        options, tx = self._built[i]
        changed = options != self._options(group)
        if changed:
            self._validate(group)
        if changed or tx is None:
            tx = self._transform(group)
            numel = self._flats[i].data.size
            template = tx.init(np.zeros(1, self._flats[i].data.dtype))
            if state_io.layout(template, 1) != state_io.layout(self._states[i], numel):
                raise ValueError(f"{type(self).__name__}: param group {i}'s options now need a "
                                 "different optimizer state (e.g. momentum switched on or "
                                 "amsgrad changed); build a new optimizer instead")
            self._built[i] = (self._options(group), tx)
        return tx

    # ------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter once from its ``.grad``.

        Args:
            closure: optional callable that zeroes the gradients, recomputes
                the loss, calls ``backward`` and returns the loss.

        Returns:
            The closure's loss, or ``None``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for flat in self._flats:
            _check_views(flat)
        # every group's options are checked before any parameter moves
        transforms = [self._current_transform(i) for i in range(len(self.param_groups))]
        for i, tx in enumerate(transforms):
            self._step_group(i, tx)
        return loss

    def _step_group(self, i: int, tx: GradientTransformation) -> None:
        """Update group ``i``'s trainable parameters; frozen ones (requires_grad False) and
        their state are skipped entirely: the update runs on each run of consecutive
        trainable parameters, on views of the buffers and the state."""
        flat, state = self._flats[i], self._states[i]
        spans = trainable_spans(flat)
        if spans == [(0, flat.data.size)]:
            self._states[i] = self._update(i, tx, flat, state)
            return
        result = state
        for lo, hi in spans:  # every span starts from the same counts (one step)
            part = _Span(flat.data[lo:hi], flat.grad[lo:hi], lo, hi)
            result = self._update(i, tx, part, _sliced(state, flat.data.size, lo, hi))
        if spans:
            self._states[i] = _merged(state, result)

    def _update(self, i: int, tx: GradientTransformation, flat: FlatBuffer | _Span,
                state: State) -> State:
        """One step over ``flat`` (a whole buffer or a span of it); returns the new state."""
        group = self.param_groups[i]
        if self._has_kernel and self.fused is not False and flat.data.dtype == np.float32:
            return self._fused_update(group, flat, state)
        if self._scratch[i] is None:
            self._scratch[i] = np.empty_like(self._flats[i].data)
        updates = self._scratch[i][flat.lo:flat.hi] if isinstance(flat, _Span) else \
            self._scratch[i]
        np.copyto(updates, flat.grad)
        updates, state = tx.update(updates, state, flat.data)
        np.add(flat.data, updates, out=flat.data)
        return state

    def zero_grad(self) -> None:
        """Zero every gradient (one fill of each flat buffer; see ``FlatBuffer.zero_grad``)."""
        for flat in self._flats:
            flat.zero_grad()

    # ------------------------------------------------------------ learning rate
    @property
    def lr(self) -> float:
        """The learning rate of the first group; setting it sets every group's."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        check_number("learning rate", value)
        for group in self.param_groups:
            group["lr"] = value

    @property
    def flat_buffers(self) -> list[FlatBuffer]:
        """The flat buffer behind each group (``.data``, ``.grad``), in group order."""
        return list(self._flats)

    def state_arrays(self) -> list[np.ndarray]:
        """The per-parameter arrays of every group's state (momenta, moments), in place.

        Each has one value per parameter of its group's flat buffer; data-parallel
        training averages or broadcasts them. Step counters and other scalars are left out.
        """
        arrays: list[np.ndarray] = []
        for flat, state in zip(self._flats, self._states, strict=True):
            arrays += [a for a in state_io.arrays(state) if a.size == flat.data.size]
        return arrays

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's options and state: nested dicts of ndarrays and JSON scalars.

        ``{"optimizer": name, "param_groups": [{options..., "params": [indices]}],
        "state": {"0": {"numel": n, "transform": {...}}}}``, the arrays copied.
        """
        groups, start = [], 0
        for group in self.param_groups:
            saved = {k: state_io.option_to_json(k, v) for k, v in self._options(group).items()}
            saved["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(saved)
        states = {str(i): {"numel": int(flat.data.size), "transform": state_io.to_dict(s)}
                  for i, (flat, s) in enumerate(zip(self._flats, self._states, strict=True))}
        return {"optimizer": type(self).__name__, "param_groups": groups, "state": states}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state from :meth:`state_dict` output.

        Everything is checked (optimizer type, group count, parameter counts,
        option names and values, array shapes and dtypes) before anything is
        changed; a mismatch raises ``ValueError`` naming the entry.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or \
                set(state_dict) != {"optimizer", "param_groups", "state"}:
            raise ValueError(f"{name}.load_state_dict: expected a dict with keys 'optimizer', "
                             "'param_groups' and 'state' (from state_dict())")
        if state_dict["optimizer"] != name:
            raise ValueError(f"{name}.load_state_dict: the state is from a "
                             f"{state_dict['optimizer']!r} optimizer")
        saved_groups, saved_states = state_dict["param_groups"], state_dict["state"]
        n = len(self.param_groups)
        if not isinstance(saved_groups, list) or len(saved_groups) != n or \
                not isinstance(saved_states, dict) or \
                set(saved_states) != {str(i) for i in range(n)}:
            raise ValueError(f"{name}.load_state_dict: this optimizer has {n} param group(s); "
                             "the saved state does not")
        new = [self._loaded_group(i, saved_groups[i], saved_states[str(i)]) for i in range(n)]
        for i, (group, st) in enumerate(new):
            self.param_groups[i] = group
            self._states[i] = st
            self._built[i] = (self._options(group), None)

    def _loaded_group(self, i: int, saved: Any, saved_state: Any) -> tuple[dict, State]:
        where = f"{type(self).__name__}.load_state_dict: param group {i}"
        group, flat = self.param_groups[i], self._flats[i]
        if not isinstance(saved, dict) or "params" not in saved:
            raise ValueError(f"{where} is not a dict with 'params'")
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(f"{where} has {len(saved['params'])} parameters, this optimizer "
                             f"has {len(group['params'])}")
        keys, expected = set(saved) - {"params"}, set(self._options(group))
        if keys != expected:
            raise ValueError(f"{where}: options do not match (missing "
                             f"{sorted(expected - keys)}, unexpected {sorted(keys - expected)})")
        options = {k: state_io.option_from_json(self.defaults.get(k), v)
                   for k, v in saved.items() if k != "params"}
        loaded = {**options, "params": group["params"]}
        self._validate(loaded)
        if not isinstance(saved_state, dict) or saved_state.get("numel") != flat.data.size:
            got = saved_state.get("numel") if isinstance(saved_state, dict) else saved_state
            raise ValueError(f"{where} holds {flat.data.size} values, the saved state {got}")
        st = self._state_from_dict(loaded, flat, saved_state.get("transform"),
                                   f"state[{str(i)!r}]['transform']")
        return loaded, st

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(self._options(group).items())]
        return "\n".join(lines + [")"])


class TransformOptimizer(Optimizer):
    """Any transform chain behind the torch calling convention.

    ``step`` applies ``transform`` to each group's gradients and then
    ``-lr`` (the group's ``lr``, settable and schedulable like any optimizer's).

    Args:
        params: tensors or parameter groups (groups may set ``lr``).
        transform: e.g. ``optim.chain(optim.clip_by_global_norm(1.0), optim.scale_by_adam())``.
        lr: the learning rate. Defaults to ``1.0``.
        maximize: ascend instead of descend. Defaults to ``False``.

    Example:
        >>> import chainrule as cr
        >>> from chainrule import optim
        >>> w = cr.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.TransformOptimizer([w], optim.clip_by_value(0.5), lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w.data.tolist()
        [0.949999988079071, -1.9500000476837158]
    """

    def __init__(self, params: ParamsLike, transform: GradientTransformation, lr: float = 1.0,
                 *, maximize: bool = False):
        if not isinstance(transform, GradientTransformation):
            raise TypeError(f"TransformOptimizer: transform must be a GradientTransformation, "
                            f"got {type(transform).__name__}")
        self.transform = transform
        super().__init__(params, {"lr": lr, "maximize": maximize}, fused=False)

    def _transform(self, group: dict[str, Any]) -> GradientTransformation:
        head = [scale(-1.0)] if group["maximize"] else []
        return chain(*head, self.transform, scale_by_learning_rate(group["lr"]))


# ------------------------------------------------------------------ helpers


class _Span(NamedTuple):
    """Views of one run of trainable parameters: what a step needs of a FlatBuffer."""

    data: np.ndarray
    grad: np.ndarray
    lo: int
    hi: int


def trainable_spans(flat: FlatBuffer) -> list[tuple[int, int]]:
    """The [lo, hi) ranges of ``flat`` held by consecutive parameters that require grad."""
    spans: list[tuple[int, int]] = []
    for t, lo, hi in zip(flat.tensors, flat.offsets[:-1], flat.offsets[1:], strict=True):
        if not t.requires_grad or lo == hi:
            continue
        if spans and spans[-1][1] == lo:
            spans[-1] = (spans[-1][0], int(hi))
        else:
            spans.append((int(lo), int(hi)))
    return spans


def _sliced(state: Any, numel: int, lo: int, hi: int) -> Any:
    """``state`` with each per-parameter array (length ``numel``) replaced by its [lo:hi] view."""
    if isinstance(state, tuple):
        parts = [_sliced(s, numel, lo, hi) for s in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    if isinstance(state, np.ndarray) and state.shape == (numel,):
        return state[lo:hi]
    return state


def _merged(full: Any, stepped: Any) -> Any:
    """The arrays of ``full`` (updated in place through the views) with the counts and other
    scalars of ``stepped``."""
    if isinstance(full, tuple):
        parts = [_merged(f, s) for f, s in zip(full, stepped, strict=True)]
        return type(full)(*parts) if hasattr(full, "_fields") else tuple(parts)
    return full if isinstance(full, np.ndarray) else stepped


def _check_views(flat: FlatBuffer) -> None:
    """Cheap per-step check that no parameter's ``.data``/``.grad`` was rebound."""
    grad = flat.grad
    for t in flat.tensors:
        if t.data.base is not flat.data or t.grad is None or t.grad.base is not grad:
            flat.check()  # the precise (slower) test; raises with a helpful message
            return
