import pytest

from chainrule.distributed.launch import failure_message, mpiexec_command, rank_environment

pytest.importorskip("mpi4py")


def test_command_runs_ranks_under_mpi4py_and_oversubscribes_past_the_cores():
    command = mpiexec_command(2, ["-m", "chainrule", "train", "x.toml"], cores=2)
    assert command[1:3] == ["-n", "2"] and "--oversubscribe" not in command
    assert command[-6:] == ["-m", "mpi4py", "-m", "chainrule", "train", "x.toml"]
    assert "--oversubscribe" in mpiexec_command(4, ["job.py"], cores=2)


def test_bad_rank_counts_and_missing_hostfiles_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="positive integer, got 0"):
        mpiexec_command(0, ["job.py"])
    with pytest.raises(FileNotFoundError, match="hostfile '.*nowhere' does not exist"):
        mpiexec_command(2, ["job.py"], hostfile=tmp_path / "nowhere")


def test_each_rank_gets_its_share_of_the_cores():
    env = rank_environment(2, cores=8)
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "4"
    assert rank_environment(4, cores=2)["MKL_NUM_THREADS"] == "1"


def test_failure_messages_name_the_rank():
    wrapped = ("prterun noticed that process rank 3 with PID 99 on node n1 exited on\n"
               "signal 9 (Killed).")
    assert failure_message(wrapped, 137).startswith("rank 3 (PID 99 on n1) died from signal 9")
    survivor = ("[vm:00000] *** An error occurred in Socket closed\n"
                "[vm:00000] *** reported by process [2452488193,0]\n")
    assert failure_message(survivor, 14, 2).startswith("rank 1 died without a word")
    peer_lost = ("PeerLost: rank 0 lost contact\nMPI_ABORT was invoked on rank 0 in "
                 "communicator MPI_COMM_WORLD\n")
    assert failure_message(peer_lost, 1, 3, done={2}, lost={0}).startswith("rank 1 died")
    raised = "ValueError: bad\nMPI_ABORT was invoked on rank 2 in communicator\n"
    assert failure_message(raised, 1, 3, done={2}) == \
        "rank 2 failed: ValueError: bad; mpiexec stopped the other ranks"
    assert failure_message("nothing useful", 5) == \
        "the data-parallel job failed with exit code 5"
