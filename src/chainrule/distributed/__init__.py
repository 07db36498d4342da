"""Data-parallel training across processes and machines over MPI (mpi4py, extra ``distributed``).

``chainrule train CONFIG --nproc N`` starts N ranks with ``mpiexec``; each trains a replica
on its shard of every global batch (:class:`ShardedLoader`), and :class:`DataParallel`
keeps the replicas in step by averaging gradients every step (``sync``) or parameters
every ``k`` steps (``local_sgd``). Outside ``mpiexec`` everything here is a world of one.

    comm.py      World: rank, size, in-place Allreduce / Bcast
    shard.py     ShardedLoader: one global order, each rank its share of each batch
    parallel.py  DataParallel: broadcast at start, gradient or parameter averaging
    launch.py    mpiexec command, per-rank BLAS threads, a dead rank named in one line

Layer: beside ``diagnose`` and ``search``: imports ``train``, ``data`` and ``random``;
``runs`` and the CLI start it.
"""

from chainrule.distributed.comm import World, launched_by_mpi, rank, world, world_size
from chainrule.distributed.launch import JobResult, RankFailure, launch, mpiexec_command
from chainrule.distributed.parallel import MODES, DataParallel
from chainrule.distributed.shard import ShardedLoader

__all__ = ["MODES", "DataParallel", "JobResult", "RankFailure", "ShardedLoader", "World",
           "launch", "launched_by_mpi", "mpiexec_command", "rank", "world", "world_size"]
