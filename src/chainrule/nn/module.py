"""Module: the container every layer and model is built from.

A :class:`Module` registers the :class:`Parameter` objects, buffers (plain
ndarrays such as BatchNorm's running statistics) and submodules assigned to it
as attributes, in assignment order, exactly as ``torch.nn.Module`` does, so
``named_parameters()`` yields dotted names (``"0.weight"``) and
``state_dict()`` round-trips between models of the same architecture.

Parameters are updated in place (``p.data[...] = ...``) and never rebound, so
they may live as views into one flat buffer (``chainrule.autograd.flat``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from chainrule.nn.parameter import Parameter
from chainrule.nn.state import IncompatibleKeys, check_state_dict


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``remove()`` (or leaving a ``with``) unhooks."""

    _ids = itertools.count()

    def __init__(self, hooks: dict[int, Callable]):
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Module:
    """Base class of layers and models (``torch.nn.Module``'s API on NumPy).

    Subclasses call ``super().__init__()`` first, assign parameters, buffers
    (``register_buffer``) and submodules as attributes, and write ``forward``.
    Calling the module runs the forward pre-hooks, ``forward`` and the forward
    hooks. A new module is in training mode.

    Example:
        >>> from chainrule import nn
        >>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> model.num_parameters()
        23
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_pre_hooks", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass that is called defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    # ------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(f"cannot assign {type(value).__name__} '{name}' before "
                                 f"{type(self).__name__}.__init__ called super().__init__()")
        if isinstance(value, Parameter):
            self._forget(name, keep=params)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module "
                                f"'{name}' (nn.Module or None expected)")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' "
                                "(numpy.ndarray or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Drop ``name`` from every registry but ``keep`` (where re-assigning keeps its place)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._modules, self._buffers):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._buffers or name in self._modules:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def _check_name(self, name: str, kind: str) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{kind} name must be a non-empty string without '.', got {name!r}")
        known = name in self._parameters or name in self._buffers or name in self._modules
        if hasattr(self, name) and not known:
            raise KeyError(f"attribute '{name}' already exists on {type(self).__name__}")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or a ``None`` placeholder) under ``name``."""
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter '{name}' "
                            "(nn.Parameter or None expected)")
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, value: np.ndarray | None,
                        persistent: bool = True) -> None:
        """Register an ndarray that is state but not a parameter (e.g. running statistics).

        Args:
            name: attribute name.
            value: the array (updated in place by the module), or ``None``.
            persistent: include it in ``state_dict()``. Defaults to ``True``.
        """
        self._check_name(name, "buffer")
        if value is not None and not isinstance(value, np.ndarray):
            raise TypeError(f"buffer '{name}' must be a numpy.ndarray or None, got "
                            f"{type(value).__name__}")
        self._forget(name, keep=self._buffers)
        self._buffers[name] = value
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child under ``name``."""
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module")
        self._forget(name, keep=self._modules)
        self._modules[name] = module

    # -------------------------------------------------------------- traversal
    def named_modules(self, prefix: str = "",
                      memo: set[int] | None = None) -> Iterator[tuple[str, Module]]:
        """This module and every descendant once, depth first, with dotted names."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, each once."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) of the direct submodules, in registration order."""
        for name, child in self._modules.items():
            if child is not None:
                yield name, child

    def children(self) -> Iterator[Module]:
        """The direct submodules, in registration order."""
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, recurse: bool,
                       dedupe: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = self.named_modules() if recurse else iter([("", self)])
        for prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (dedupe and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{prefix}.{name}" if prefix else name), value

    def named_parameters(self, recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs in registration order; a shared parameter once."""
        return self._named_members("_parameters", recurse, dedupe=True)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of the subtree (of this module alone with ``recurse=False``), once."""
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) of the buffers, persistent or not, each once."""
        return self._named_members("_buffers", recurse, dedupe=True)

    def buffers(self, recurse: bool = True) -> Iterator[np.ndarray]:
        """The buffers of the subtree, each once."""
        for _, b in self.named_buffers(recurse):
            yield b

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of scalar parameters (shared ones counted once)."""
        return sum(p.numel() for p in self.parameters()
                   if p.requires_grad or not trainable_only)

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule, then on this module (e.g. a custom init)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ----------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on the subtree."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient recording of every parameter in the subtree."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def freeze(self, upto: str | int | None = None) -> Module:
        """Stop training parameters (transfer learning): ``requires_grad_(False)``.

        Args:
            upto: freeze only the children up to and including this one: a child's
                name (``"3"`` or ``"features"``), a dotted path into nested children
                (``"features.2"``: everything before ``features``, and ``features``'
                children up to ``2``), or a child's position (negative counts from the
                end, ``-2``: all but the last child). ``None`` freezes everything.

        Optimizers skip frozen parameters entirely (no moment updates, no weight decay).
        """
        if upto is None:
            return self.requires_grad_(False)
        for child in self._children_upto(upto):
            child.requires_grad_(False)
        return self

    def _children_upto(self, upto: str | int) -> list[Module]:
        """The modules ``freeze(upto=...)`` freezes, worked out before any is changed."""
        children = list(self.named_children())
        names = [name for name, _ in children]
        head, _, rest = upto.partition(".") if isinstance(upto, str) else (upto, "", "")
        n = len(names)
        if isinstance(head, int) and not isinstance(head, bool) and -n <= head < n:
            index = head % n
        elif isinstance(head, str) and head in names:
            index = names.index(head)
        else:
            raise ValueError(f"freeze: {type(self).__name__} has no child {head!r} to freeze up "
                             f"to; its children are {names}")
        chosen = [child for _, child in children[:index]]
        target = children[index][1]
        return chosen + (target._children_upto(rest) if rest else [target])

    def unfreeze(self) -> Module:
        """Train this subtree again: ``requires_grad_(True)``."""
        return self.requires_grad_(True)

    def zero_grad(self) -> None:
        """Fill every existing gradient with 0 in place (flat-buffer views stay views)."""
        for p in self.parameters():
            if p.grad is not None:
                p.grad.fill(0)

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Module:
        """Convert floating parameters and buffers to a floating ``dtype`` (float16, float32,
        float64; also torch's dtypes and their names); ``to("cpu")`` is a no-op, as torch.

        ``to(dtype)``, ``to("cpu")``, ``to("cpu", dtype)`` and the keyword forms.
        This makes new arrays, so call it before building an optimizer or a
        flat buffer over the parameters.
        """
        for arg in args:
            if isinstance(arg, str) and not arg.startswith("float") and device is None:
                device = arg
            elif dtype is None:
                dtype = arg
            else:
                raise TypeError(f"Module.to: unexpected arguments {args!r}")
        if device is not None and str(device) != "cpu":
            raise ValueError(f"Module.to: chainrule runs on the CPU only, got device {device!r}; "
                             "a dtype must be one of float16, float32, float64")
        if dtype is None:
            return self
        try:  # a NumPy dtype, its name, or torch's (torch.float64 -> "float64")
            dtype = np.dtype(dtype) if not str(dtype).startswith("torch.") else \
                np.dtype(str(dtype).removeprefix("torch."))
        except TypeError:
            dtype = None
        if dtype is None or dtype.kind != "f":
            raise TypeError(f"Module.to: expected 'cpu' or a floating dtype (float16, float32, "
                            f"float64), got {args or dtype!r}")
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.dtype != dtype:
                    p.data = p.data.astype(dtype)
                    p.grad = None if p.grad is None else p.grad.astype(dtype)
            for name, b in m._buffers.items():
                if b is not None and b.dtype.kind == "f":
                    m._buffers[name] = b.astype(dtype, copy=False)
        return self

    def double(self) -> Module:
        """``to(float64)``."""
        return self.to(np.float64)

    def float(self) -> Module:
        """``to(float32)``."""
        return self.to(np.float32)

    # ------------------------------------------------------------------ hooks
    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after each forward; a non-None result
        replaces the output. Returns a handle whose ``remove()`` unhooks."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before each forward; a non-None result replaces the
        inputs (a tuple, or a single value). Returns a handle whose ``remove()`` unhooks."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ state
    def _state_arrays(self, prefix: str = "",
                      out: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every persistent array by dotted name (parameters' data and buffers, not copied).

        As in torch, a module shared under two names appears under both.
        """
        out = {} if out is None else out
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p.data
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b
        for name, child in self._modules.items():
            if child is not None:
                child._state_arrays(f"{prefix}{name}.", out)
        return out

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and persistent buffer, keyed by dotted name."""
        return {name: arr.copy() for name, arr in self._state_arrays().items()}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy ``state_dict`` into the parameters and buffers, in place.

        Everything is validated first: with ``strict`` every key must match;
        shapes must be equal and dtypes castable within their kind (float64
        into float32 is fine, float into an integer buffer is not). If anything
        is wrong, :class:`StateDictError` lists every offending key and nothing
        has been changed.

        Args:
            state_dict: name -> ndarray or Tensor, as made by :meth:`state_dict`.
            strict: require exactly the model's keys. Defaults to ``True``.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        targets = self._state_arrays()
        values, result = check_state_dict(targets, state_dict, strict, type(self).__name__)
        for name, arr in values.items():
            targets[name][...] = arr
        return result

    def save(self, path: Any, metadata: dict | None = None) -> None:
        """Write ``state_dict()`` to a safetensors file with :func:`chainrule.io.save`."""
        from chainrule import io

        io.save(self.state_dict(), path, metadata=metadata)

    def load(self, path: Any, strict: bool = True) -> IncompatibleKeys:
        """Load a file written by :meth:`save`; a mismatch raises before anything changes."""
        from chainrule import io

        return self.load_state_dict(io.load(path), strict=strict)

    # ------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The arguments shown inside this module's repr; layers override it."""
        return ""

    def _repr(self) -> str:
        extra = self.extra_repr()
        if not self._modules:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        lines += ["  " + line for line in extra.split("\n")] if extra else []
        for name, child in self._modules.items():
            body = child._repr() if child is not None else "None"
            count = child.num_parameters() if child is not None else 0
            first, *rest = body.split("\n")
            comment = f"  # {count:,} parameters" if count else ""
            lines.append(f"  ({name}): {first}{comment}")
            lines += ["  " + line for line in rest]
        lines.append(")")
        return "\n".join(lines)

    def __repr__(self) -> str:
        text = self._repr()
        if self._modules:
            total, trainable = self.num_parameters(), self.num_parameters(trainable_only=True)
            text += f"  # {total:,} parameters ({trainable:,} trainable)"
        return text
