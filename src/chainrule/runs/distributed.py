"""Data-parallel runs: ``chainrule train CONFIG --nproc N`` and what each rank does.

The launching process only starts ``mpiexec`` (:func:`launch_train`); each rank then
runs the ordinary ``chainrule train`` and :func:`parallel_fit` turns its training into
one replica of the job: the training set is sharded (``train.batch_size`` is the global
batch, split evenly), :class:`~chainrule.distributed.SyncReplicas` keeps the replicas
in step, every rank checkpoints in step but only rank 0 writes the run folder, and a
resume restores every rank from rank 0's checkpoint (written with the world size, so a
resume on another number of ranks is a clear error).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import random as cr_random
from chainrule.distributed import DataParallel, RankFailure, ShardedLoader, World, launch
from chainrule.distributed.callback import ReplicaBackup, SyncReplicas
from chainrule.train.callbacks import MetricsLogger


def launch_train(train_args: Sequence[str], nproc: int, hostfile: str | None = None,
                 timeout: float | None = None) -> None:
    """Run ``chainrule train <train_args>`` on ``nproc`` ranks; raise if one fails.

    Raises:
        RankFailure: naming the rank that died or failed.
    """
    job = launch(nproc, ["-m", "chainrule", "train", *train_args], hostfile=hostfile,
                 timeout=timeout)
    if job.returncode != 0:
        raise RankFailure(job.message)


def per_rank_batch(batch_size: int, n_train: int, world: World) -> int:
    """``train.batch_size`` (the global batch; 0 = the whole set) split over the ranks."""
    total = batch_size or n_train
    if total % world.size:
        raise ValueError(f"train.batch_size = {total} does not split evenly over "
                         f"{world.size} ranks; use a multiple of {world.size}")
    return total // world.size


def parallel_fit(s: Any, world: World, run_dir: Path, resume: bool,
                 verbose: bool | None) -> Any:
    """Train ``s`` (a :class:`~chainrule.runs.setup.Setup`) as this rank's replica."""
    config = s.config
    dist = config.distributed
    parallel = DataParallel(s.model, s.trainer.optimizer, mode=dist.mode if dist else "sync",
                            k=dist.k if dist else 1,
                            average_optimizer_state=bool(dist and dist.average_optimizer_state),
                            world=world)
    loader = ShardedLoader(s.splits.train, per_rank_batch(config.train.batch_size,
                                                          len(s.splits.train), world),
                           shuffle=True, seed=config.train.seed, transform=s.augment,
                           world=world)
    backup = ReplicaBackup(run_dir / "checkpoints", world,
                           every_n_steps=config.train.checkpoint_every_steps,
                           keep_last=config.train.keep_checkpoints)
    s.trainer.callbacks += [SyncReplicas(parallel, loader), backup]
    if world.is_root:
        s.trainer.callbacks.append(MetricsLogger(run_dir))
    if world.rank:  # each rank its own dropout masks; rank 0 keeps the run's stream
        seed = np.random.SeedSequence([config.train.seed, world.rank]).generate_state(1)[0]
        cr_random.manual_seed(int(seed))
    return s.trainer.fit(loader, val=s.splits.val, epochs=config.train.epochs,
                         resume=resume, verbose=verbose if world.is_root else False)
