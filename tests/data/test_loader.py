"""DataLoader: coverage of every sample, seeded order, resume from state_dict, prefetch, errors."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import ArrayDataset, DataLoader
from chainrule.data.augment import GaussianNoise


def dataset(n=103, features=(3,)):
    # x encodes the sample index, so batches can be traced back to samples
    x = np.arange(n, dtype=np.float32).reshape(n, *[1] * len(features)) * np.ones(features)
    return ArrayDataset(x, np.arange(n) % 7)


def epoch_indices(loader):
    return [xb.data.reshape(len(xb.data), -1)[:, 0].astype(int) for xb, _ in loader]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 10, 103, 500])
def test_every_sample_exactly_once_per_epoch(shuffle, batch_size):
    loader = DataLoader(dataset(), batch_size=batch_size, shuffle=shuffle, seed=3)
    for _ in range(2):
        batches = epoch_indices(loader)
        assert len(batches) == len(loader) == -(-103 // batch_size)
        assert sorted(np.concatenate(batches).tolist()) == list(range(103))
        assert all(len(b) == batch_size for b in batches[:-1])


def test_drop_last():
    loader = DataLoader(dataset(), batch_size=10, shuffle=True, drop_last=True, seed=0)
    batches = epoch_indices(loader)
    assert len(loader) == len(batches) == 10 and all(len(b) == 10 for b in batches)
    assert len(set(np.concatenate(batches).tolist())) == 100


def test_unshuffled_order_and_views():
    ds = dataset()
    loader = DataLoader(ds, batch_size=10)
    assert np.concatenate(epoch_indices(loader)).tolist() == list(range(103))
    xb, yb = next(iter(loader))
    assert isinstance(xb, cr.Tensor) and isinstance(yb, cr.Tensor)
    assert np.shares_memory(xb.data, ds.x) and yb.data.dtype == np.int64


def test_same_seed_same_order_new_order_each_epoch():
    a = DataLoader(dataset(), batch_size=8, shuffle=True, seed=42)
    b = DataLoader(dataset(), batch_size=8, shuffle=True, seed=42)
    ea1, ea2 = np.concatenate(epoch_indices(a)), np.concatenate(epoch_indices(a))
    eb1 = np.concatenate(epoch_indices(b))
    np.testing.assert_array_equal(ea1, eb1)
    assert not np.array_equal(ea1, ea2)
    c = DataLoader(dataset(), batch_size=8, shuffle=True, seed=43)
    assert not np.array_equal(ea1, np.concatenate(epoch_indices(c)))


def test_global_seed_makes_default_loader_reproducible():
    orders = []
    for _ in range(2):
        cr.manual_seed(7)
        orders.append(np.concatenate(epoch_indices(DataLoader(dataset(), 16, shuffle=True))))
    np.testing.assert_array_equal(*orders)


def take(iterator, k):
    return [(x.data.copy(), y.data.copy()) for _, (x, y) in zip(range(k), iterator, strict=False)]


def all_batches(loader, epochs):
    out = []
    for _ in range(epochs):
        out += [(x.data.copy(), y.data.copy()) for x, y in loader]
    return out


@pytest.mark.parametrize("prefetch", [False, True])
def test_state_dict_resume_is_bit_identical(prefetch):
    make = lambda: DataLoader(dataset(), batch_size=8, shuffle=True, seed=5,  # noqa: E731
                              transform=GaussianNoise(0.1), prefetch=prefetch)
    original = make()
    all_batches(original, 1)
    it = iter(original)
    take(it, 5)  # stop in the middle of the second epoch
    state = json.loads(json.dumps(original.state_dict()))  # JSON-able
    assert state["epoch"] == 1 and state["position"] == 5
    expected = [(x.data.copy(), y.data.copy()) for x, y in it] + all_batches(original, 2)
    resumed = make()
    resumed.load_state_dict(state)
    assert resumed.state_dict() == state
    got = all_batches(resumed, 3)
    assert len(got) == len(expected) == 13 - 5 + 26
    for (xe, ye), (xg, yg) in zip(expected, got, strict=True):
        np.testing.assert_array_equal(xe, xg)
        np.testing.assert_array_equal(ye, yg)


def test_state_between_epochs_and_after_last_batch():
    original = DataLoader(dataset(), batch_size=50, shuffle=True, seed=1)
    assert original.state_dict()["epoch"] == 0
    it = iter(original)
    take(it, 3)  # every batch consumed, iterator not exhausted yet
    state = original.state_dict()
    assert (state["epoch"], state["position"]) == (1, 0)
    resumed = DataLoader(dataset(), batch_size=50, shuffle=True, seed=99)
    resumed.load_state_dict(state)
    np.testing.assert_array_equal(np.concatenate(epoch_indices(original)),
                                  np.concatenate(epoch_indices(resumed)))
    assert original.epoch == resumed.epoch == 2


def test_load_state_dict_rejects_other_batching_and_changes_nothing():
    loader = DataLoader(dataset(), batch_size=8, shuffle=True, seed=0)
    before = loader.state_dict()
    other = DataLoader(dataset(), batch_size=16, shuffle=True, seed=0).state_dict()
    with pytest.raises(ValueError, match="batch_size=16.*batch_size=8"):
        loader.load_state_dict(other)
    with pytest.raises(ValueError, match="missing"):
        loader.load_state_dict({"epoch": 0})
    bad = dict(before, generator={"bit_generator": "PCG64"})
    with pytest.raises(ValueError, match="generator state"):
        loader.load_state_dict(bad)
    assert loader.state_dict() == before


def test_transform_only_in_training_and_seeded_per_batch():
    calls = []

    def transform(x, y, rng):
        calls.append(1)
        return x + rng.standard_normal(x.shape).astype(np.float32), y

    loader = DataLoader(dataset(), batch_size=10, seed=0, transform=transform)
    noisy = [x.data.copy() for x, _ in loader]
    assert calls and not np.array_equal(noisy[0], dataset().x[:10])
    calls.clear()
    clean = [x.data for x, _ in loader.eval()]
    assert not calls and np.array_equal(clean[0], dataset().x[:10])
    again = DataLoader(dataset(), batch_size=10, seed=0, transform=transform)
    np.testing.assert_array_equal(noisy[3], [x.data for x, _ in again][3])


def test_bad_transform_output():
    loader = DataLoader(dataset(), batch_size=10, transform=lambda x, y, rng: x)
    with pytest.raises(TypeError, match="must return a tuple"):
        next(iter(loader))


def test_prefetch_same_batches_and_errors_propagate():
    plain = DataLoader(dataset(), batch_size=7, shuffle=True, seed=2, transform=GaussianNoise(1))
    ahead = DataLoader(dataset(), batch_size=7, shuffle=True, seed=2, transform=GaussianNoise(1),
                       prefetch=3)
    for (xa, ya), (xb, yb) in zip(plain, ahead, strict=True):
        np.testing.assert_array_equal(xa.data, xb.data)
        np.testing.assert_array_equal(ya.data, yb.data)

    def failing(x, y, rng):
        if x[0, 0] > 50:
            raise RuntimeError("costly transform failed")
        return x, y

    broken = DataLoader(dataset(), batch_size=10, transform=failing, prefetch=True)
    with pytest.raises(RuntimeError, match="costly transform failed"):
        for _ in broken:
            pass


def test_abandoned_prefetch_stops_its_thread():
    def workers():
        return [t for t in threading.enumerate() if t.name == "chainrule-prefetch"]

    loader = DataLoader(dataset(1000), batch_size=1, prefetch=2, transform=GaussianNoise(0.1))
    for i, _ in enumerate(loader):
        assert len(workers()) == 1
        if i == 3:
            break
    assert workers() == []


def test_tuple_dataset_and_repr():
    loader = DataLoader((np.zeros((5, 2)), np.arange(5)), batch_size=2)
    assert len(loader) == 3 and "batch_size=2" in repr(loader)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "8"])
def test_batch_size_validation(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(dataset(), batch_size=batch_size)


def test_other_errors():
    with pytest.raises(ValueError, match="empty"):
        DataLoader(SimpleNamespace(x=np.zeros((0, 2)), y=np.zeros(0)), batch_size=2)
    with pytest.raises(ValueError, match="same number of samples"):
        DataLoader(SimpleNamespace(x=np.zeros((3, 2)), y=np.zeros(2)), batch_size=2)
    with pytest.raises(ValueError, match="no batch"):
        DataLoader(dataset(), batch_size=200, drop_last=True)
    with pytest.raises(TypeError, match=r"\.x and \.y"):
        DataLoader([1, 2, 3])
    with pytest.raises(ValueError, match="seed"):
        DataLoader(dataset(), seed=-1)
    with pytest.raises(ValueError, match="prefetch"):
        DataLoader(dataset(), prefetch=-2)
    with pytest.raises(TypeError, match="callable"):
        DataLoader(dataset(), transform="flip")
