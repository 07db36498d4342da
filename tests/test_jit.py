"""Kernels compiled on first call: the proxy compiles once and gives way to numba's
dispatcher in its module."""

import numpy as np

from chainrule.jit import LazyKernel, lazy_njit


def test_first_call_compiles_and_replaces_the_proxy_in_its_namespace():
    namespace: dict = {}
    njit = lazy_njit(namespace, cache=False)

    def double(a, out):
        for i in range(a.size):
            out[i] = 2 * a[i]

    namespace["double"] = proxy = njit(double)
    assert isinstance(proxy, LazyKernel) and proxy.py_func is double
    assert proxy.__name__ == "double"
    out = np.zeros(3)
    proxy(np.arange(3.0), out)
    assert out.tolist() == [0.0, 2.0, 4.0]
    compiled = namespace["double"]
    assert compiled is not proxy and compiled is proxy.compiled()
    assert type(compiled).__module__.startswith("numba")
    assert compiled.py_func is double
