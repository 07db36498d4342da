"""numba kernels compiled on first use, so that ``import chainrule`` does not import numba.

Importing numba costs about as much as the rest of ``import chainrule`` together
(0.3-0.4 s of a 0.55 s start on the shared 2-core machine, ``python -X importtime``).
A kernel module decorates its kernels with a :func:`lazy_njit` decorator made for its
own namespace::

    njit = lazy_njit(globals(), cache=True, error_model="numpy")

    @njit
    def relu_forward(a, out): ...

The module attribute is a small proxy until the first call, which imports numba,
compiles (or loads the cached machine code of) the kernel, puts the compiled
dispatcher in the module's namespace in place of the proxy and calls it: callers
that write ``kernels.relu_forward(...)`` reach numba directly from then on. Kernels
must not call each other (numba would see the proxy, not a compiled function).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


class LazyKernel:
    """A kernel that compiles with ``numba.njit(**options)`` on its first call."""

    def __init__(self, fn: Callable[..., Any], namespace: dict[str, Any],
                 options: dict[str, Any]):
        functools.update_wrapper(self, fn)
        self.py_func, self._namespace, self._options = fn, namespace, options
        self._compiled: Any = None

    def compiled(self) -> Any:
        """The numba dispatcher (compiled now if need be); it replaces the proxy in the
        kernel's module."""
        if self._compiled is None:
            from numba import njit

            self._compiled = njit(**self._options)(self.py_func)
            if self._namespace.get(self.py_func.__name__) is self:
                self._namespace[self.py_func.__name__] = self._compiled
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        return self.compiled()(*args)


def lazy_njit(namespace: dict[str, Any], **options: Any) -> Callable[[Callable[..., Any]],
                                                                     LazyKernel]:
    """A decorator for the kernels of the module whose ``globals()`` is ``namespace``:
    each is compiled with ``numba.njit(**options)`` on its first call."""
    def decorate(fn: Callable[..., Any]) -> LazyKernel:
        return LazyKernel(fn, namespace, options)
    return decorate
