import numpy as np
import pytest

from chainrule.data import DataLoader
from chainrule.distributed import ShardedLoader, World


class FakeWorld(World):
    """A rank of a world without MPI: collectives are never called by the loader's tests."""

    def __init__(self, rank: int, size: int):
        super().__init__()
        self.rank, self.size = rank, size


def epoch_indices(n: int, batch: int, size: int, seed: int = 3):
    """For each rank, the sample indices (x holds its index) of each batch of one epoch."""
    x = np.arange(n, dtype=np.float32)[:, None]
    data = (x, np.zeros(n, np.int64))
    per_rank = []
    for r in range(size):
        loader = ShardedLoader(data, batch_size=batch, shuffle=True, seed=seed,
                               world=FakeWorld(r, size))
        per_rank.append([xb.data[:, 0].astype(int).tolist() for xb, _ in loader])
    return per_rank


@pytest.mark.parametrize("n,batch,size", [(64, 8, 2), (70, 8, 2), (67, 4, 3), (9, 2, 4),
                                          (10, 3, 1), (33, 5, 4)])
def test_every_sample_exactly_once_per_epoch(n, batch, size):
    per_rank = epoch_indices(n, batch, size)
    assert len({len(batches) for batches in per_rank}) == 1  # same step count on every rank
    seen = [i for batches in per_rank for b in batches for i in b]
    assert sorted(seen) == list(range(n))
    assert all(len(b) > 0 for batches in per_rank for b in batches)


def test_global_batches_are_the_single_process_batches():
    n, batch, size = 96, 8, 2
    x = np.arange(n, dtype=np.float32)[:, None]
    single = DataLoader((x, np.zeros(n, np.int64)), batch_size=batch * size, shuffle=True,
                        seed=3)
    whole = [sorted(xb.data[:, 0].astype(int).tolist()) for xb, _ in single]
    per_rank = epoch_indices(n, batch, size)
    joined = [sorted(per_rank[0][i] + per_rank[1][i]) for i in range(len(whole))]
    assert joined == whole


def test_shares_weight_the_last_uneven_batch():
    x = np.zeros((10, 1), np.float32)
    loaders = [ShardedLoader((x, np.zeros(10)), batch_size=4, world=FakeWorld(r, 2))
               for r in range(2)]
    # 10 samples, global batch 8: a step of 8, then a last step of 2 (one per rank)
    assert len(loaders[0]) == 2
    assert [ld.share(0) for ld in loaders] == [0.5, 0.5]
    assert [ld.share(1) for ld in loaders] == [0.5, 0.5]
    # 9 samples: the 1 left over cannot reach both ranks, so it joins the first step
    folded = [ShardedLoader((x[:9], np.zeros(9)), batch_size=4, world=FakeWorld(r, 2))
              for r in range(2)]
    assert len(folded[0]) == 1
    assert [ld.share(0) for ld in folded] == pytest.approx([5 / 9, 4 / 9])


def test_too_few_samples_and_other_world_size_are_clear_errors():
    x = np.zeros((1, 1), np.float32)
    with pytest.raises(ValueError, match="1 samples cannot give each of 2 ranks"):
        ShardedLoader((x, np.zeros(1)), world=FakeWorld(0, 2))
    data = (np.zeros((8, 1), np.float32), np.zeros(8))
    state = ShardedLoader(data, batch_size=2, seed=1, world=FakeWorld(0, 2)).state_dict()
    other = ShardedLoader(data, batch_size=2, seed=1, world=FakeWorld(0, 4))
    with pytest.raises(ValueError, match="2-rank job and cannot resume on 4 rank"):
        other.load_state_dict(state)
