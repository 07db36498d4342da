"""Reverse-mode automatic differentiation over NumPy arrays.

Layer: the bottom. Imports NumPy and the utilities (``random``, ``jit``) only; ``ops/``
import only ``Function``, NumPy and their kernels. Everything else builds on it.
"""

from chainrule.autograd.tensor import Tensor, tensor  # noqa: I001 -- first: ops need Tensor
from chainrule.autograd.function import Function, enable_grad, is_grad_enabled, no_grad

from chainrule.autograd.forward import jvp  # noqa: I001 -- needs Tensor and Function first
from chainrule.autograd.gradcheck import GradcheckError, gradcheck, grad

__all__ = ["Function", "GradcheckError", "Tensor", "enable_grad", "grad", "gradcheck",
           "is_grad_enabled", "jvp", "no_grad", "tensor"]
