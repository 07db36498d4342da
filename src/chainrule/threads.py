"""How many threads the BLAS behind NumPy may use: torch's ``set_num_threads`` for chainrule.

chainrule's own kernels run on one thread; the matrix products run in the BLAS
NumPy links (OpenBLAS or MKL), which by default starts one thread per core. On
a machine whose cores share caches badly (a VM whose two vCPUs sit on distant
cores, or two hyperthreads of one core), the spare BLAS thread can cost more
than it gives: on the 2-vCPU machine the benchmarks ran on, an MNIST MLP at
batch 16 took 5.8 s per epoch on one BLAS thread and 4.5 to 14 s on two,
depending on where the host put the vCPUs. ``set_num_threads(1)`` is then
the safe choice.
"""

from __future__ import annotations


def set_num_threads(n: int) -> None:
    """Let NumPy's BLAS use at most ``n`` threads from now on (like ``torch.set_num_threads``).

    Raises:
        ValueError: if ``n`` is not a positive integer.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive integer, got {n!r}")
    from threadpoolctl import ThreadpoolController

    # A fresh controller each call also finds BLAS libraries loaded since the last one.
    ThreadpoolController().select(user_api="blas").limit(limits=n)


def get_num_threads() -> int:
    """The most threads any BLAS loaded by NumPy may use now (1 if none is found)."""
    from threadpoolctl import ThreadpoolController

    pools = ThreadpoolController().select(user_api="blas").info()
    return max((pool["num_threads"] for pool in pools), default=1)
