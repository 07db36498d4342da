"""The Trainer's side of data-parallel training: two callbacks.

:class:`SyncReplicas` plugs :class:`~chainrule.distributed.DataParallel` into
``Trainer.fit``: it broadcasts rank 0's state when training starts, averages the
gradients between backward and the optimizer step (``on_after_backward``), counts
steps for local SGD, makes the epoch metrics sums over all ranks (``reduce_sums``),
and keeps each rank's own random generator in the checkpoint.
:class:`ReplicaBackup` is :class:`~chainrule.train.callbacks.BackupAndRestore` for
a job: every rank builds the checkpoint's state at the same step (its parts are
gathered collectively), only rank 0 writes it, and every rank restores from it.
"""

from __future__ import annotations

from typing import Any

from chainrule import random as cr_random
from chainrule.distributed.parallel import DataParallel
from chainrule.distributed.shard import ShardedLoader
from chainrule.train.callbacks import BackupAndRestore, Callback
from chainrule.train.callbacks.base import Logs


class SyncReplicas(Callback):
    """Keep the ranks' replicas in step during ``fit``.

    Args:
        parallel: the :class:`DataParallel` over the trainer's model and optimizer.
        loader: the training :class:`ShardedLoader`, whose ``share`` weights each rank's
            gradient (``None``: equal shares).
    """

    def __init__(self, parallel: DataParallel, loader: ShardedLoader | None = None):
        self.parallel, self.loader = parallel, loader

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.trainer.reduce_sums = self.parallel.reduce_sums
        self.parallel.broadcast()

    def on_after_backward(self, batch: int, logs: Logs | None = None) -> None:
        share = self.loader.share(batch) if self.loader is not None else None
        self.parallel.sync_gradients(share)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.parallel.step_done()

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.parallel.finish()
        # after fit, rank 0 alone evaluates the test split: its sums are its own
        self.trainer.reduce_sums = None

    def state_dict(self) -> dict[str, Any]:
        """The job's shape and every rank's generator state (a collective: all ranks call it)."""
        states = self.parallel.world.gather_object(cr_random.get_state())
        states = self.parallel.world.broadcast_object(states)
        return {**self.parallel.state_dict(), "rank_rng": {str(r): s for r, s in
                                                           enumerate(states)}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore this rank's generator; a checkpoint of another world size is an error."""
        self.parallel.load_state_dict(state)
        cr_random.set_state(state["rank_rng"][str(self.parallel.world.rank)])


class ReplicaBackup(BackupAndRestore):
    """:class:`BackupAndRestore` on every rank of a job; only rank 0 writes files.

    Every rank builds the state at each save (so collective parts, such as the ranks'
    generators, are gathered in step) and restores from rank 0's files; Ctrl-C is left
    to ``mpiexec``, which stops every rank (resume from the last checkpoint).
    """

    def __init__(self, directory: Any, world: Any, **kwargs: Any):
        super().__init__(directory, save_on_interrupt=False, **kwargs)
        self.world = world

    def save(self) -> Any:
        state = self.trainer.state_dict()
        if self.world.is_root:
            return self.store.save(state, self.trainer.global_step, self.keep_last)
        return None
