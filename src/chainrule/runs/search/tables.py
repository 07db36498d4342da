"""Light reads of Optuna's RDB tables, for the checks a worker makes around every trial.

Reading a study's trials through Optuna builds each trial whole (its parameters, values,
attributes and intermediate values: six queries and an object per trial). The worker loop
(is the study done?), the surplus check (how many live trials come before this one?) and
the reaper (which running trial has a dead owner?) need only each trial's number, state
and owner, which :func:`trial_rows` reads in one query. Writes still go through Optuna.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import optuna

OWNER_ATTR = "owner"


class TrialRow(NamedTuple):
    """One trial as the worker loop sees it: number, state name and owner (or None)."""

    number: int
    state: str
    owner: str | None


def _tables() -> tuple[Any, Any, Any]:
    from sqlalchemy import DateTime, Integer, String, column, table

    trials = table("trials", column("trial_id", Integer), column("study_id", Integer),
                   column("number", Integer), column("state", String))
    attrs = table("trial_user_attributes", column("trial_id", Integer),
                  column("key", String), column("value_json", String))
    beats = table("trial_heartbeats", column("trial_id", Integer),
                  column("heartbeat", DateTime))
    return trials, attrs, beats


def best_trial(storage: optuna.storages.RDBStorage, study_id: int, maximize: bool
               ) -> tuple[int, float] | None:
    """``(number, value)`` of the best completed trial with a finite value, None before
    there is one (for the progress display: one query, not the study's every trial)."""
    from sqlalchemy import Float, Integer, column, select, table

    trials, _, _ = _tables()
    values = table("trial_values", column("trial_id", Integer), column("objective", Integer),
                   column("value", Float))
    order = values.c.value.desc() if maximize else values.c.value.asc()
    query = (select(trials.c.number, values.c.value)
             .join_from(trials, values, values.c.trial_id == trials.c.trial_id)
             .where(trials.c.study_id == study_id, trials.c.state == "COMPLETE",
                    values.c.objective == 0, values.c.value.is_not(None))
             .order_by(order, trials.c.number).limit(1))
    with storage.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else (int(row[0]), float(row[1]))


def trial_rows(storage: optuna.storages.RDBStorage, study_id: int) -> list[TrialRow]:
    """Every trial of the study as ``(number, state, owner)``, by number."""
    from sqlalchemy import and_, select

    trials, attrs, _ = _tables()
    query = (select(trials.c.number, trials.c.state, attrs.c.value_json)
             .outerjoin_from(trials, attrs, and_(attrs.c.trial_id == trials.c.trial_id,
                                                 attrs.c.key == OWNER_ATTR))
             .where(trials.c.study_id == study_id).order_by(trials.c.number))
    with storage.engine.connect() as connection:
        rows = connection.execute(query).all()
    # the state column is an enum of TrialState names (a native enum on PostgreSQL)
    return [TrialRow(n, getattr(s, "name", s), None if o is None else json.loads(o))
            for n, s, o in rows]


def signs_of_life(storage: optuna.storages.RDBStorage, study_id: int, numbers: list[int]
                  ) -> tuple[Any, dict[int, Any]]:
    """The database's clock (naive) and the last heartbeat of each of the trials
    ``numbers`` that has one."""
    from sqlalchemy import func, select

    trials, _, beats = _tables()
    query = (select(trials.c.number, beats.c.heartbeat)
             .join_from(trials, beats, trials.c.trial_id == beats.c.trial_id)
             .where(trials.c.study_id == study_id, trials.c.number.in_(numbers)))
    with storage.engine.connect() as connection:
        now = connection.execute(select(func.now())).scalar_one()
        rows = connection.execute(query).all()
    # PostgreSQL's now() carries a time zone that the stored heartbeats do not (as Optuna)
    return now.replace(tzinfo=None), {n: beat for n, beat in rows}
