"""DataParallel on real mpiexec ranks against one process doing the same work."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule.data import DataLoader

SETUP = """
import numpy as np
import chainrule as cr
from chainrule import functional as F, nn, optim
from chainrule.distributed import DataParallel, ShardedLoader, world

w = world()
cr.manual_seed(0)
rng = np.random.default_rng(1)
x = rng.standard_normal((640, 12)).astype(np.float32)
y = rng.integers(0, 3, 640)
model = {model}
if w.rank == 1:  # a different start on rank 1, which the broadcast must overwrite
    for p in model.parameters():
        p.data[...] = 0.5
opt = {optimizer}
dp = DataParallel(model, opt, mode={mode!r}, k={k})
dp.broadcast()
loader = ShardedLoader((x, y), batch_size=64, shuffle=True, seed=5)
steps = 0
while steps < 50:
    for i, (xb, yb) in enumerate(loader):
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        dp.sync_gradients(loader.share(i))
        opt.step()
        synced = dp.step_done()
        steps += 1
        if steps == 50:
            break
np.savez(f"rank{{w.rank}}.npz", *[p.data for p in model.parameters()],
         *list(model.buffers()), synced=synced,
         sums=dp.reduce_sums(np.array([w.rank + 1.0, 1.0])))
"""
MLP = "nn.Sequential(nn.Linear(12, 16), nn.Tanh(), nn.Linear(16, 3))"


def single_process(optimizer: str, batch: int = 128) -> list[np.ndarray]:
    cr.manual_seed(0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((640, 12)).astype(np.float32)
    y = rng.integers(0, 3, 640)
    model = eval(MLP)
    opt = eval(optimizer)
    loader = DataLoader((x, y), batch_size=batch, shuffle=True, seed=5)
    steps = 0
    while steps < 50:
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            steps += 1
            if steps == 50:
                break
    return [p.data for p in model.parameters()]


def ranks_result(tmp_path, n=2):
    out = []
    for r in range(n):
        with np.load(tmp_path / f"rank{r}.npz") as z:
            out.append({k: z[k] for k in z.files})
    return out


def arrays(result):
    return [result[f"arr_{i}"] for i in range(sum(k.startswith("arr_") for k in result))]


def test_sync_two_ranks_of_64_equal_one_process_of_128_and_sums_add_up(run_ranks, tmp_path):
    adam = "optim.Adam(model.parameters(), lr=1e-2)"
    job = run_ranks(SETUP.format(model=MLP, optimizer=adam, mode="sync", k=1))
    assert job.returncode == 0, job.message
    r0, r1 = ranks_result(tmp_path)
    for a, b in zip(arrays(r0), arrays(r1), strict=True):
        np.testing.assert_array_equal(a, b)  # every rank took the very same step
    reference = single_process(adam)
    for ours, theirs in zip(arrays(r0), reference, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
    assert np.abs(arrays(r0)[0] - 0.5).max() > 0.01  # rank 1's own start was replaced
    for r in (r0, r1):  # streaming metric sums add up over the ranks
        np.testing.assert_array_equal(r["sums"], [3.0, 2.0])


def test_local_sgd_with_k_1_equals_sync(run_ranks, tmp_path):
    sgd = "optim.SGD(model.parameters(), lr=0.1, momentum=0.9)"
    assert run_ranks(SETUP.format(model=MLP, optimizer=sgd, mode="local_sgd", k=1)) \
        .returncode == 0
    local = arrays(ranks_result(tmp_path)[0])
    for ours, theirs in zip(local, single_process(sgd), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)


def test_local_sgd_replicas_meet_at_each_sync_and_batchnorm_stats_are_averaged(run_ranks,
                                                                                tmp_path):
    model = ("nn.Sequential(nn.Linear(12, 16), nn.BatchNorm1d(16), nn.ReLU(), "
             "nn.Linear(16, 3))")
    adam = "optim.Adam(model.parameters(), lr=1e-2)"
    # 50 steps with k = 5: the last step is a sync, so the replicas must agree exactly
    job = run_ranks(SETUP.format(model=model, optimizer=adam, mode="local_sgd", k=5))
    assert job.returncode == 0, job.message
    r0, r1 = ranks_result(tmp_path)
    assert bool(r0["synced"]) and bool(r1["synced"])
    for a, b in zip(arrays(r0), arrays(r1), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


KILL = """
import os, signal
import numpy as np
from chainrule.distributed import world

w = world()
buffer = np.ones(1000, np.float32)
for step in range(1000):
    if w.rank == 1 and step == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    w.allreduce_sum_(buffer)
    buffer[:] = 1
"""


def test_a_killed_rank_ends_the_job_with_a_message_naming_it(run_ranks):
    job = run_ranks(KILL, timeout=60)
    assert job.returncode != 0
    # mpiexec names the killed rank, or rank 0 aborts first and rank 1 is the one left silent
    assert job.message is not None and job.message.startswith("rank 1 ") and \
        "died" in job.message


def test_a_world_of_one_is_the_identity():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    from chainrule.distributed import DataParallel

    dp = DataParallel(model, opt)
    before = [p.data.copy() for p in model.parameters()]
    dp.broadcast()
    model(cr.tensor(np.ones((4, 3), np.float32))).sum().backward()
    grads = [p.grad.copy() for p in model.parameters()]
    dp.sync_gradients(1.0)
    assert dp.step_done()
    for p, b, g in zip(model.parameters(), before, grads, strict=True):
        np.testing.assert_array_equal(p.data, b)
        np.testing.assert_array_equal(p.grad, g)
    with pytest.raises(ValueError, match="mode must be one of"):
        DataParallel(model, opt, mode="async")
    with pytest.raises(ValueError, match="k=4 only applies"):
        DataParallel(model, opt, k=4)


RAISE = """
import numpy as np
from chainrule.distributed import world

w = world()
if w.rank == 1:
    raise ValueError("no data for rank 1")
w.allreduce_sum_(np.ones(3))
"""


def test_an_exception_in_a_rank_ends_the_job_with_its_message(run_ranks):
    job = run_ranks(RAISE, timeout=60)
    assert job.returncode != 0
    assert job.message == ("rank 1 failed: ValueError: no data for rank 1; mpiexec stopped the "
                           "other ranks")
