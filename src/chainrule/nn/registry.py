"""One registry of layer kinds: what ``{type = "linear", out_features = 128}`` in a config means.

The config schema, the model builder, diagnose's per-layer statistics, the
init schemes and the regularisers all read this table, so adding a layer kind
(``conv2d``, ``maxpool2d``, ...) is one :func:`register` call. A
:class:`LayerKind` gives:

- ``name``: the config's ``type`` (also the kind diagnose's statistics report);
- ``module``: the :class:`~chainrule.nn.Module` class (or classes) it builds; modules
  are looked up by class (:func:`kind_of`) to learn their kind and roles;
- ``options``: what a config may set, ``{option: Option(annotation, default, ge=, gt=,
  le=, lt=)}`` (no default: required). The config schema derives a strict pydantic
  model from them (pydantic is never imported by ``nn``);
- ``build(options, in_shape) -> Module``: the module, from the validated options (every
  option present, defaults filled in) and the sample shape flowing in (batch axis
  excluded: ``(features,)``, ``(C, L)`` or ``(C, H, W)``). Default:
  ``module(**options)``;
- ``output_shape(options, in_shape) -> tuple``: the sample shape flowing out. Default:
  unchanged (elementwise layers);
- ``flat_input``: the layer takes flat samples ``(features,)``; the builder puts a
  ``Flatten`` before it when the incoming shape is not flat. Default ``False``;
- ``head_option``: the option the data sets on the network's last layer of such a kind
  (``"out_features"`` of ``linear``: the number of classes, so one config fits any
  dataset); ``None`` (the default) for kinds that never end a network;
- ``roles``: what the rest of the library does with its modules:
  ``"weights"`` (a learned ``weight`` that the init schemes re-initialise, biases to
  zero), ``"activation"`` (a hidden nonlinearity: the activation-L1 penalty applies),
  ``"norm"`` (a normalisation layer: no weight decay on its parameters),
  ``"passthrough"`` (its output is its input's, more or less: diagnose does not record
  it). Default: none.

Registering a kind, e.g. a convolution over ``(C, H, W)`` samples::

    from chainrule.nn.conv import Conv2d
    from chainrule.nn.registry import LayerKind, Option, register

    def conv_size(n: int, k: int, stride: int, padding: int) -> int:
        return (n + 2 * padding - k) // stride + 1

    register(LayerKind(
        "conv2d", Conv2d,
        options={"out_channels": Option(int, gt=0), "kernel_size": Option(int, 3, gt=0),
                 "stride": Option(int, 1, gt=0), "padding": Option(int, 0, ge=0),
                 "bias": Option(bool, True)},
        build=lambda o, s: Conv2d(s[0], o["out_channels"], o["kernel_size"],
                                  stride=o["stride"], padding=o["padding"], bias=o["bias"]),
        output_shape=lambda o, s: (o["out_channels"],) + tuple(
            conv_size(n, o["kernel_size"], o["stride"], o["padding"]) for n in s[1:]),
        roles={"weights"}))

Register at import time of the module that defines the layer, and have
:mod:`chainrule.nn` import that module: the config schema builds its union of
layer models when :mod:`chainrule.config` is first imported. The built-in kinds
are registered in :mod:`chainrule.nn.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chainrule.nn.module import Module

ROLES = frozenset({"weights", "activation", "norm", "passthrough"})
Shape = tuple[int, ...]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""The default of an option that a config must give."""


@dataclass(frozen=True)
class Option:
    """One option of a layer kind: its type annotation, default and bounds.

    Args:
        annotation: the Python type (``int``, ``float``, ``bool``, ``int | tuple[int, int]``,
            ``Literal["a", "b"]`` ...), checked by the config schema.
        default: the value when a config leaves it out; :data:`REQUIRED` (the default)
            makes it required.
        ge, gt, le, lt: numeric bounds (``>=``, ``>``, ``<=``, ``<``); ``None`` is unbounded.
    """

    annotation: Any
    default: Any = REQUIRED
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    @property
    def required(self) -> bool:
        """Whether a config must give this option."""
        return self.default is REQUIRED

    @property
    def bounds(self) -> dict[str, float]:
        """The bounds that are set, e.g. ``{"gt": 0}``."""
        return {k: v for k in ("ge", "gt", "le", "lt") if (v := getattr(self, k)) is not None}


def same_shape(options: dict[str, Any], in_shape: Shape) -> Shape:
    """The output shape of an elementwise layer: its input shape."""
    return tuple(in_shape)


@dataclass(frozen=True)
class LayerKind:
    """One kind of layer a config can name; see the module docstring for each field."""

    name: str
    module: type[Module] | tuple[type[Module], ...]
    options: dict[str, Option] = field(default_factory=dict)
    build: Callable[[dict[str, Any], Shape], Module] | None = None
    output_shape: Callable[[dict[str, Any], Shape], Shape] = same_shape
    flat_input: bool = False
    head_option: str | None = None
    roles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum() or self.name != \
                self.name.lower():
            raise ValueError(f"LayerKind: name must be lower-case letters, digits and "
                             f"underscores, got {self.name!r}")
        if "type" in self.options:
            raise ValueError(f"LayerKind {self.name!r}: 'type' is the tag, not an option")
        if self.head_option is not None and self.head_option not in self.options:
            raise ValueError(f"LayerKind {self.name!r}: head_option {self.head_option!r} is not "
                             f"one of its options {sorted(self.options)}")
        roles = frozenset(self.roles)
        if not roles <= ROLES:
            raise ValueError(f"LayerKind {self.name!r}: unknown roles {sorted(roles - ROLES)}; "
                             f"known: {sorted(ROLES)}")
        object.__setattr__(self, "roles", roles)

    @property
    def classes(self) -> tuple[type[Module], ...]:
        """The module classes this kind builds."""
        return self.module if isinstance(self.module, tuple) else (self.module,)

    def make(self, options: dict[str, Any], in_shape: Iterable[int]) -> Module:
        """The module for ``options`` (defaults filled in) and samples of shape ``in_shape``."""
        if self.build is not None:
            return self.build(options, tuple(in_shape))
        return self.classes[0](**options)

    def out_shape(self, options: dict[str, Any], in_shape: Iterable[int]) -> Shape:
        """The sample shape this layer gives for samples of shape ``in_shape``."""
        return tuple(int(n) for n in self.output_shape(options, tuple(in_shape)))


_KINDS: dict[str, LayerKind] = {}
_BY_CLASS: dict[type[Module], LayerKind] = {}


def register(kind: LayerKind) -> LayerKind:
    """Add ``kind`` to the registry (returns it); a name can be registered once.

    A module class built by two kinds is looked up as the first one registered.
    """
    if kind.name in _KINDS:
        raise ValueError(f"register: a layer kind named {kind.name!r} exists already "
                         f"({_KINDS[kind.name].classes[0].__name__})")
    _KINDS[kind.name] = kind
    for cls in kind.classes:
        _BY_CLASS.setdefault(cls, kind)
    return kind


def kinds() -> dict[str, LayerKind]:
    """Every registered kind by name, in registration order."""
    return dict(_KINDS)


def get(name: str) -> LayerKind:
    """The kind registered as ``name``; a KeyError lists the known names otherwise."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"no layer kind named {name!r}; known: {', '.join(_KINDS)}") from None


def kind_of(module: Module) -> LayerKind | None:
    """The kind whose class ``module`` is (the nearest registered base class), or None."""
    for cls in type(module).__mro__:
        if cls in _BY_CLASS:
            return _BY_CLASS[cls]
    return None


def has_role(module: Module, role: str) -> bool:
    """Whether ``module``'s kind has ``role`` (``"weights"``, ``"activation"``, ...)."""
    if role not in ROLES:
        raise ValueError(f"has_role: unknown role {role!r}; known: {sorted(ROLES)}")
    kind = kind_of(module)
    return kind is not None and role in kind.roles


def modules_with_role(model: Module, role: str) -> list[Module]:
    """The modules of ``model`` (itself included) whose kind has ``role``, in order."""
    return [m for m in model.modules() if has_role(m, role)]
