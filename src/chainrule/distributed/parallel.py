"""Keeping the ranks' replicas of a model in step: gradient averaging and local SGD.

``sync`` mode is torch's DistributedDataParallel on chainrule's flat buffers: after
``backward`` each rank scales its flat gradient buffers by its share of the global batch
and one in-place ``Allreduce`` per buffer sums them, so every rank takes the same
optimizer step, the step one process would take on the whole global batch.

``local_sgd`` mode is the decks' "sync the model periodically": each rank takes ``k``
steps on its own data, then the parameters (and, optionally, the optimizer's moments)
are averaged; the replicas drift apart in between, noise that SGD tolerates, in
exchange for ``k`` times fewer collectives. With ``k = 1`` and plain SGD it is ``sync``.

In both modes the floating buffers of the model (BatchNorm's running statistics) are
averaged at each sync, and rank 0's parameters, buffers and optimizer state are
broadcast once at the start so all ranks begin from the same point.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from chainrule.distributed.comm import World, world

MODES = ("sync", "local_sgd")


class DataParallel:
    """Replicas of ``model`` on every rank, kept in step through ``optimizer``'s flat buffers.

    Args:
        model: the rank's replica (an ``nn.Module``).
        optimizer: a ``chainrule.optim`` optimizer over the model's trainable parameters.
        mode: ``"sync"`` (average gradients every step) or ``"local_sgd"`` (average
            parameters every ``k`` steps). Defaults to ``"sync"``.
        k: local steps between averages in ``local_sgd`` mode. Defaults to ``1``.
        average_optimizer_state: in ``local_sgd`` mode, also average the optimizer's
            per-parameter state (momentum, Adam's moments). Defaults to ``False``.
        world: the job's ranks. Defaults to :func:`chainrule.distributed.world`.

    Example (a hand loop, as with torch's DDP)::

        dp = DataParallel(model, opt)
        dp.broadcast()
        for i, (xb, yb) in enumerate(loader):     # a ShardedLoader
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            dp.sync_gradients(loader.share(i))
            opt.step()
            dp.step_done()
    """

    def __init__(self, model: Any, optimizer: Any, mode: str = "sync", k: int = 1,
                 average_optimizer_state: bool = False, world: World | None = None):
        if mode not in MODES:
            raise ValueError(f"DataParallel: mode must be one of {MODES}, got {mode!r}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"DataParallel: k must be a positive integer, got {k!r}")
        if mode == "sync" and k != 1:
            raise ValueError(f"DataParallel: k={k} only applies to mode='local_sgd'")
        self.model, self.optimizer = model, optimizer
        self.mode, self.k, self.average_optimizer_state = mode, k, average_optimizer_state
        self.world = world if world is not None else _default_world()
        self.local_steps = 0

    # ------------------------------------------------------------------ start
    def broadcast(self) -> None:
        """Give every rank rank 0's parameters, buffers and optimizer state."""
        for flat in self.optimizer.flat_buffers:
            self.world.broadcast_(flat.data)
        for array in _floating_buffers(self.model):
            self.world.broadcast_(array)
        for array in self.optimizer.state_arrays():
            self.world.broadcast_(array)

    # ------------------------------------------------------------------ every step
    def sync_gradients(self, share: float | None = None) -> None:
        """Turn each rank's gradient into the global batch's (``sync`` mode; else nothing).

        Args:
            share: this rank's fraction of the global batch (``ShardedLoader.share``);
                ``None`` means an equal share, ``1 / world_size``.
        """
        if self.mode != "sync" or self.world.size == 1:
            return
        weight = 1.0 / self.world.size if share is None else float(share)
        for flat in self.optimizer.flat_buffers:
            grad = flat.grad
            grad *= grad.dtype.type(weight)
            self.world.allreduce_sum_(grad)

    def step_done(self) -> bool:
        """Count an optimizer step; average what the mode says when it is time.

        Returns:
            Whether the replicas were synchronised after this step.
        """
        self.local_steps += 1
        if self.world.size == 1:
            return True
        if self.mode == "local_sgd" and self.local_steps % self.k:
            return False
        self._sync()
        return True

    def finish(self) -> None:
        """End on one model: in ``local_sgd`` mode, average what the last sync left apart."""
        if self.mode == "local_sgd" and self.world.size > 1 and self.local_steps % self.k:
            self._sync()

    def _sync(self) -> None:
        if self.mode == "local_sgd":
            for flat in self.optimizer.flat_buffers:
                self.world.allreduce_mean_(flat.data)
            if self.average_optimizer_state:
                for array in self.optimizer.state_arrays():
                    self.world.allreduce_mean_(array)
        self.average_buffers()

    def average_buffers(self) -> None:
        """Average the model's floating buffers (BatchNorm's running statistics) over ranks."""
        arrays = list(_floating_buffers(self.model))
        if not arrays or self.world.size == 1:
            return
        packed = np.concatenate([a.ravel().astype(np.float64) for a in arrays])
        self.world.allreduce_mean_(packed)
        start = 0
        for a in arrays:
            a[...] = packed[start:start + a.size].reshape(a.shape)
            start += a.size

    def reduce_sums(self, sums: np.ndarray) -> np.ndarray:
        """Streaming metric sums added up over all ranks (a new float64 array)."""
        total = np.array(sums, dtype=np.float64, copy=True)
        return self.world.allreduce_sum_(total)

    def state_dict(self) -> dict[str, Any]:
        """The world size and local step count, for a checkpoint."""
        return {"world_size": self.world.size, "mode": self.mode, "k": self.k,
                "local_steps": self.local_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`; a checkpoint of another world size is an error."""
        if state.get("world_size") != self.world.size:
            raise ValueError(f"this checkpoint was written by a {state.get('world_size')}-rank "
                             f"job and cannot resume on {self.world.size} ranks; resume with "
                             f"--nproc {state.get('world_size')}")
        self.local_steps = int(state.get("local_steps", 0))


def _floating_buffers(model: Any) -> Iterator[np.ndarray]:
    for array in model.buffers():
        if isinstance(array, np.ndarray) and array.dtype.kind == "f" and array.size:
            yield array


def _default_world() -> World:
    return world()
