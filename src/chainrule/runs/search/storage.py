"""The study's storage: an Optuna RDB storage with a retry of stale trials, tuned for SQLite.

Heartbeats are written by :class:`~chainrule.runs.search.stale.Heartbeat` and judged by
:class:`~chainrule.runs.search.stale.Reaper`, not by Optuna's per-trial heartbeat thread
(which writes at once, while the trial's first writes are made) and per-trial stale check.

SQLite waits up to a minute for a lock (several workers write to one file) and runs in WAL
mode with ``synchronous=NORMAL`` from the first connection on (the schema's creation
included): a commit appends to the log without an fsync (a trial makes a dozen commits,
and creating the schema two dozen: the default journal made each cost four fsyncs), and
readers do not wait for the writer. A power cut may lose the last commits but never
corrupts the study; a trial whose end was lost is retired as stale and run again.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna


def open_storage(url: str, *, create: bool = True) -> optuna.storages.RDBStorage:
    """An RDB storage on ``url`` whose stale-trial callback enqueues a retry of a trial
    retired as stale (:class:`~optuna.storages.RetryHeartbeatStaleTrialCallback`).

    With ``create`` (the default) the schema is created when missing and its version
    checked; a worker started after that passes ``create=False`` and skips both.
    """
    import optuna
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    file = sqlite and parsed.database not in (None, "", ":memory:") and not parsed.query
    if file:  # configured from the first connection on
        engine = {"creator": functools.partial(_connect, parsed.database)}
    else:
        engine = {"connect_args": {"timeout": 60}} if sqlite else {}
    with warnings.catch_warnings():  # the retry callback is marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.RDBStorage(
            url, engine_kwargs=engine, skip_compatibility_check=not create,
            skip_table_creation=not create,
            heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                max_retry=3))
    if sqlite:
        _immediate_transactions(storage.engine, configure=not file)
    return storage


def _connect(path: str) -> Any:
    """An SQLite connection in WAL mode with ``synchronous=NORMAL``, a minute's lock wait,
    and no implicit transactions (:func:`_immediate_transactions` begins them)."""
    import sqlite3

    connection = sqlite3.connect(path, timeout=60, isolation_level=None,
                                 check_same_thread=False)  # pooled across threads
    _configure(connection)
    return connection


def _configure(connection: Any) -> None:
    connection.execute("PRAGMA journal_mode=WAL")  # kept in the file
    connection.execute("PRAGMA synchronous=NORMAL")  # per connection


def _immediate_transactions(engine: Any, configure: bool) -> None:
    """Make every SQLite transaction take the write lock when it begins (and, with
    ``configure``, set up each new connection as :func:`_connect` does).

    Optuna pops an enqueued trial by reading it as WAITING and then marking it RUNNING
    under ``SELECT ... FOR UPDATE``, which SQLite ignores: two workers could both read
    WAITING and both run the trial. ``BEGIN IMMEDIATE`` serialises the read with the
    write (SQLAlchemy's recipe for pysqlite); PostgreSQL honours ``FOR UPDATE`` itself.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    if configure:
        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None
            _configure(dbapi_connection)

        engine.dispose()  # connections made while creating the storage predate the hook
