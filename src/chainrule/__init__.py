"""chainrule: neural-network training on NumPy with its own reverse-mode autograd.

    >>> import chainrule as cr
    >>> x = cr.tensor([1.0, -2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad.tolist()
    [2.0, -4.0]
"""

from chainrule import data, diagnose, functional, io, nn, optim
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
from chainrule.io import load, save
from chainrule.random import manual_seed
from chainrule.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

__all__ = ["Function", "Tensor", "data", "diagnose", "enable_grad", "functional",
           "get_num_threads", "grad", "gradcheck", "is_grad_enabled", "io", "jvp", "load",
           "manual_seed", "nn", "no_grad", "optim", "save", "set_num_threads", "tensor",
           *_api_all]
