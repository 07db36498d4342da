"""DataLoader: mini-batches from in-memory arrays, one vectorised gather per batch.

Shuffling draws one permutation per epoch from the loader's own generator; a batch is then
``x[order[i * b:(i + 1) * b]]`` (``np.take``), or a contiguous slice (a view, no copy) without
shuffling. The loader's position can be saved and restored mid-epoch for bit-identical resume.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.autograd.tensor import Tensor
from chainrule.data.datasets import ArrayDataset

Transform = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]
_STATE_CONFIG = ("num_samples", "batch_size", "shuffle", "drop_last")


def _as_dataset(dataset: Any) -> Any:
    """``dataset`` itself (checked), or an ``(x, y)`` pair as an :class:`ArrayDataset`."""
    if isinstance(dataset, tuple) and len(dataset) == 2:
        dataset = ArrayDataset(*dataset)
    x, y = getattr(dataset, "x", None), getattr(dataset, "y", None)
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(f"DataLoader needs a dataset with ndarray attributes .x and .y (such as "
                        f"ArrayDataset) or an (x, y) tuple, got {type(dataset).__name__}")
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"DataLoader: x and y need the same number of samples, got shapes "
                         f"{x.shape} and {y.shape}")
    if len(x) == 0:
        raise ValueError("DataLoader: the dataset is empty (0 samples)")
    return dataset


class DataLoader:
    """Iterate over a dataset in mini-batches of ``(Tensor x, Tensor y)``.

    Each epoch (one ``for`` loop over the loader) visits every sample once (or all but the
    last ``N mod batch_size`` with ``drop_last``). With ``shuffle`` the order is a fresh
    permutation per epoch, drawn from the loader's own generator seeded by ``seed``.

    Args:
        dataset: a dataset with ``.x`` and ``.y`` arrays (samples first), or an ``(x, y)`` tuple.
        batch_size: samples per batch, a positive int. Defaults to 1.
        shuffle: reshuffle every epoch. Defaults to ``False`` (batches are then views).
        drop_last: drop the last, smaller batch. Defaults to ``False``.
        seed: int seed of the loader's generator; ``None`` draws one from the global generator
            at construction (so :func:`chainrule.manual_seed` makes the loader reproducible);
            a ``Generator`` supplies one draw. Defaults to ``None``.
        transform: ``transform(x, y, rng) -> (x, y)`` on each batch's ndarrays, e.g. an
            augmentation from :mod:`chainrule.data.augment`; applied only in training mode
            (see :meth:`train` / :meth:`eval`, read when an epoch starts). Batch ``i`` of an
            epoch gets its own generator derived from the epoch's seed and ``i``, so results
            do not depend on prefetching or on resuming. Defaults to ``None``.
        prefetch: prepare batches in a background thread, this many ahead (``True`` = 2);
            pays off when the transform is costly. Order and values are unchanged; an exception
            in the thread is raised in the loop. Defaults to ``False``.

    Batches without shuffling and without transform are views of the dataset's arrays: do not
    modify them in place. One iteration at a time: starting a new ``for`` loop ends the
    previous epoch.

    Example:
        >>> loader = DataLoader((np.zeros((10, 3)), np.arange(10)), batch_size=4, seed=0)
        >>> len(loader), [tuple(xb.shape) for xb, yb in loader]
        (3, [(4, 3), (4, 3), (2, 3)])
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | np.random.Generator | None = None,
                 transform: Transform | None = None, prefetch: bool | int = False):
        self.dataset = _as_dataset(dataset)
        self._x, self._y = self.dataset.x, self.dataset.y
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        n = len(self._x)
        if drop_last and batch_size > n:
            raise ValueError(f"drop_last=True with batch_size={batch_size} larger than the "
                             f"{n} samples would yield no batch")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable as transform(x, y, rng), got "
                            f"{type(transform).__name__}")
        if isinstance(prefetch, bool):
            prefetch = 2 if prefetch else 0
        elif not isinstance(prefetch, (int, np.integer)) or prefetch < 0:
            raise ValueError(f"prefetch must be a bool or a number of batches >= 0, got "
                             f"{prefetch!r}")
        self.batch_size, self.shuffle, self.drop_last = int(batch_size), bool(shuffle), drop_last
        self.transform, self.prefetch = transform, int(prefetch)
        self.seed = _seed(seed)
        self.training = True
        self._rng = np.random.default_rng(self.seed)
        self._epoch = 0  # the epoch in progress, or the next one
        self._position = 0  # batches handed out in the epoch in progress
        self._epoch_start: dict | None = None  # generator state when that epoch began
        self._resume = False
        self._token = 0  # identifies the live iteration; older iterators stop updating state

    _ranks = 1  # processes sharing each batch (see chainrule.distributed.ShardedLoader)

    def __len__(self) -> int:
        n, b = len(self._x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    @property
    def epoch(self) -> int:
        """Index (from 0) of the epoch in progress, or of the next one to start."""
        return self._epoch

    def train(self, mode: bool = True) -> DataLoader:
        """Apply the transform (training mode, the default) or not; returns the loader."""
        self.training = bool(mode)
        return self

    def eval(self) -> DataLoader:
        """Stop applying the transform (evaluation); returns the loader."""
        return self.train(False)

    # ---------------------------------------------------------------- iteration
    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        if not (self._resume and self._position < len(self)):
            self._end_epoch()
            self._epoch_start = self._rng.bit_generator.state
            self._position = 0
        self._resume = False
        self._token += 1
        # The epoch's draws, always in this order, right after the state saved above.
        epoch_seed = int(self._rng.integers(2**63))
        order = self._rng.permutation(len(self._x)) if self.shuffle else None
        transform = self.transform if self.training else None
        return self._batches(self._token, self._position, order, epoch_seed, transform)

    def _end_epoch(self) -> None:
        if self._epoch_start is not None:
            self._epoch += 1
            self._epoch_start = None
        self._position = 0

    def _batches(self, token: int, start: int, order: np.ndarray | None, epoch_seed: int,
                 transform: Transform | None) -> Iterator[tuple[Tensor, Tensor]]:
        def make(i: int) -> tuple[np.ndarray, np.ndarray]:
            return self._batch(i, order, epoch_seed, transform)

        indices = range(start, len(self))
        source = _prefetched(make, indices, self.prefetch) if self.prefetch else map(make, indices)
        try:
            for i, (xb, yb) in zip(indices, source, strict=True):
                if token == self._token:
                    self._position = i + 1
                yield Tensor._wrap(xb), Tensor._wrap(yb)
        finally:
            if self.prefetch:
                source.close()
        if token == self._token:
            self._end_epoch()

    def _positions(self, i: int) -> tuple[int, int]:
        """Batch ``i``'s positions ``[lo, hi)`` in the epoch's order."""
        return i * self.batch_size, min((i + 1) * self.batch_size, len(self._x))

    def _batch_seed(self, epoch_seed: int, i: int) -> list[int]:
        """The seed of batch ``i``'s transform generator."""
        return [epoch_seed, i]

    def _batch(self, i: int, order: np.ndarray | None, epoch_seed: int,
               transform: Transform | None) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._positions(i)
        if order is None:
            xb, yb = self._x[lo:hi], self._y[lo:hi]
        else:
            idx = order[lo:hi]
            xb, yb = np.take(self._x, idx, axis=0), np.take(self._y, idx, axis=0)
        if transform is None:
            return xb, yb
        out = transform(xb, yb, np.random.default_rng(self._batch_seed(epoch_seed, i)))
        if not (isinstance(out, tuple) and len(out) == 2
                and all(isinstance(a, np.ndarray) for a in out) and len(out[0]) == len(out[1])):
            raise TypeError(f"transform {transform!r} must return a tuple (x, y) of ndarrays with "
                            f"the same number of samples, got {type(out).__name__}")
        return out

    # ---------------------------------------------------------------- checkpoints
    def state_dict(self) -> dict:
        """JSON-able position: epoch, batches done in it, and the generator state at its start.

        A loader restored with :meth:`load_state_dict` yields exactly the batches this one
        would yield from now on: the rest of the current epoch, then the next epochs.
        """
        config = {"seed": self.seed, "num_samples": len(self._x), "batch_size": self.batch_size,
                  "shuffle": self.shuffle, "drop_last": self.drop_last}
        if self._epoch_start is not None and self._position < len(self):
            return {"epoch": self._epoch, "position": self._position,
                    "generator": copy.deepcopy(self._epoch_start), **config}
        # between epochs: the next epoch starts from the generator's current state
        epoch = self._epoch + (self._epoch_start is not None)
        return {"epoch": epoch, "position": 0, "generator": self._rng.bit_generator.state,
                **config}

    def load_state_dict(self, state: dict) -> None:
        """Restore a position saved by :meth:`state_dict` (same dataset size and batching).

        Raises:
            ValueError: missing keys, or a state saved with another dataset size, batch size,
                shuffle or drop_last (the batches would differ); the loader is unchanged.
        """
        saved_ranks = state.get("world_size", 1)
        if saved_ranks != self._ranks:
            raise ValueError(f"this checkpoint was written by a {saved_ranks}-rank job and "
                             f"cannot resume on {self._ranks} rank(s): the shards and the "
                             f"global batch would change; resume with --nproc {saved_ranks}")
        missing = {"epoch", "position", "generator", *_STATE_CONFIG} - set(state)
        if missing:
            raise ValueError(f"DataLoader state is missing {sorted(missing)}")
        current = self.state_dict()
        for key in _STATE_CONFIG:  # (a job's state also holds its world_size, checked above)
            if state[key] != current[key]:
                raise ValueError(f"DataLoader state was saved with {key}={state[key]!r}, this "
                                 f"loader has {key}={current[key]!r}: batches would differ")
        position = int(state["position"])
        if not 0 <= position < len(self):  # state_dict() moves a finished epoch to the next
            raise ValueError(f"DataLoader state position {position} is outside "
                             f"0..{len(self) - 1}")
        rng = np.random.default_rng()
        try:
            rng.bit_generator.state = copy.deepcopy(state["generator"])
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"DataLoader state holds an invalid generator state: {exc}") from exc
        self._rng, self.seed = rng, state["seed"]
        self._epoch, self._position = int(state["epoch"]), position
        self._epoch_start = copy.deepcopy(state["generator"]) if position else None
        self._resume = position > 0
        self._token += 1  # iterators started before the restore no longer move the position

    def __repr__(self) -> str:
        name = getattr(self.dataset, "name", None) or type(self.dataset).__name__
        return (f"DataLoader({name}, n={len(self._x)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})")


def _seed(seed: int | np.random.Generator | None) -> int:
    if seed is None:
        return int(cr_random.default_generator().integers(2**63))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise ValueError(f"seed must be a non-negative int, a numpy Generator or None, got {seed!r}")


def _prefetched(make: Callable[[int], Any], indices: Iterable[int], depth: int) -> Iterator[Any]:
    """``map(make, indices)`` computed by a background thread at most ``depth`` items ahead.

    The single worker keeps the order; its exception is re-raised here; closing the iterator
    stops the worker.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for i in indices:
                if not put(("item", make(i))):
                    return
        except BaseException as exc:  # handed to the consumer, not swallowed
            put(("error", exc))
            return
        put(("done", None))

    worker = threading.Thread(target=work, name="chainrule-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value
    finally:
        stop.set()
        worker.join()
