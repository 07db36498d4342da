import pytest


@pytest.fixture
def torch():
    """torch on one thread (its OpenMP threads fight NumPy's BLAS threads on 2 shared cores)."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)
