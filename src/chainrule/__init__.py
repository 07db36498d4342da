"""chainrule: neural-network training on NumPy with its own reverse-mode autograd.

    >>> import chainrule as cr
    >>> x = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad.tolist()
    [2.0, -4.0]

The layers, each importing only those below it::

    cli -> runs -> config, (diagnose, ...) -> train -> data -> optim -> nn -> autograd
                                      io, viz: services any layer may use

``import chainrule`` loads the engine (``Tensor``, the creation functions,
``no_grad`` ...) and nothing heavy; the packages (``chainrule.nn``, ``.optim``,
``.data``, ``.train``, ...) and ``save``/``load`` are imported on first use
(PEP 562), and numba, scipy, scikit-learn, matplotlib, pydantic and rich only by
the functions that need them.
"""

import importlib
import pkgutil

from chainrule.autograd import (
    Function,
    Tensor,
    enable_grad,
    grad,
    gradcheck,
    is_grad_enabled,
    jvp,
    no_grad,
    tensor,
)
from chainrule.autograd.api import *  # noqa: F403
from chainrule.autograd.api import __all__ as _api_all
from chainrule.random import manual_seed
from chainrule.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

# Every module and package of chainrule (a directory listing, no import): a new one is lazy too.
_SUBMODULES = frozenset(m.name for m in pkgutil.iter_modules(__path__)  # noqa: F405
                        if not m.name.startswith("_"))
_LAZY_NAMES = {"load": "chainrule.io", "save": "chainrule.io"}

_PUBLIC_MODULES = ("data", "diagnose", "functional", "io", "nn", "optim")

__all__ = ["Function", "Tensor", "enable_grad", "get_num_threads", "grad", "gradcheck",
           "is_grad_enabled", "jvp", "manual_seed", "no_grad", "set_num_threads", "tensor",
           *_PUBLIC_MODULES, *_LAZY_NAMES, *_api_all]


def __getattr__(name: str):
    """Import a subpackage (``chainrule.nn`` ...) or a lazy name (``save``) on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY_NAMES))
