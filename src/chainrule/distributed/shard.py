"""Deterministic sharding: every rank trains on its own slice of each global batch.

One global order per epoch, drawn exactly as a single-process :class:`DataLoader` with
the same seed draws it; global batch ``i`` is ``order[i*G:(i+1)*G]`` with
``G = batch_size * world_size``, and rank ``r`` takes its ``r``-th share of it. So every
sample is used exactly once per epoch across the ranks, and where ``G`` divides the
data, ``N`` ranks at batch ``b`` see the same samples per step as one process at batch
``N*b``: averaging their gradients (each weighted by its share) gives that process's
gradient. A last global batch too small to give every rank a sample is folded into the
one before it, so no rank ever gets an empty batch.
"""

from __future__ import annotations

from typing import Any

from chainrule.data.loader import DataLoader, Transform
from chainrule.distributed.comm import World, world


class ShardedLoader(DataLoader):
    """A :class:`DataLoader` that yields this rank's share of each global batch.

    Args:
        dataset: a dataset with ``.x`` and ``.y`` arrays, or an ``(x, y)`` pair.
        batch_size: samples per rank per step; a step trains on ``batch_size * world_size``
            samples in all. Defaults to 1.
        shuffle: a fresh global permutation every epoch (the same on every rank).
            Defaults to ``False``.
        seed: the generator seed; must be the same on every rank (``None`` takes rank 0's
            draw from the global generator). Defaults to ``None``.
        transform: augmentation ``f(x, y, rng)``; rank ``r`` draws batch ``i``'s randomness
            from the seed ``[epoch_seed, i, r]``, so ranks augment independently.
        world: the job's ranks. Defaults to :func:`chainrule.distributed.world`.

    Raises:
        ValueError: if the dataset has fewer samples than there are ranks.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 seed: int | None = None, transform: Transform | None = None,
                 world: World | None = None, prefetch: bool | int = False):
        self.world = world if world is not None else _default_world()
        if seed is None:
            from chainrule import random as cr_random

            seed = int(cr_random.default_generator().integers(2**63))
        seed = self.world.broadcast_object(seed)
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, seed=seed,
                         transform=transform, prefetch=prefetch)
        n, ranks = len(self._x), self.world.size
        if n < ranks:
            raise ValueError(f"ShardedLoader: {n} samples cannot give each of {ranks} ranks "
                             "at least one")
        self.global_batch = self.batch_size * ranks
        self._ranks = ranks  # a checkpoint of another world size is refused on load

    def __len__(self) -> int:
        n, g = len(self._x), self.global_batch
        batches = -(-n // g)
        return batches - 1 if batches > 1 and 0 < n % g < self.world.size else batches

    def global_range(self, i: int) -> tuple[int, int]:
        """Positions ``[lo, hi)`` of global batch ``i`` in the epoch's order."""
        lo = i * self.global_batch
        hi = len(self._x) if i == len(self) - 1 else min(lo + self.global_batch, len(self._x))
        return lo, hi

    def _positions(self, i: int) -> tuple[int, int]:
        """This rank's positions ``[lo, hi)`` within global batch ``i``'s range."""
        lo, hi = self.global_range(i)
        m, ranks, r = hi - lo, self.world.size, self.world.rank
        base, extra = divmod(m, ranks)
        start = lo + r * base + min(r, extra)
        return start, start + base + (r < extra)

    def _batch_seed(self, epoch_seed: int, i: int) -> list[int]:
        """Ranks draw their augmentations independently: the rank joins the seed."""
        return [epoch_seed, i, self.world.rank]

    def share(self, i: int) -> float:
        """This rank's fraction of global batch ``i``: the weight of its mean gradient."""
        lo, hi = self.global_range(i)
        mine = self._positions(i)
        return (mine[1] - mine[0]) / (hi - lo)

    def state_dict(self) -> dict:
        """The position (as :class:`DataLoader`'s) and the world size it was sharded for."""
        return {**super().state_dict(), "world_size": self.world.size}


def _default_world() -> World:
    return world()
