"""``[distributed]``: how the ranks of ``chainrule train CONFIG --nproc N`` stay in step."""

from __future__ import annotations

from typing import Literal

from pydantic import PositiveInt, model_validator

from chainrule.config.section import Section


class DistributedConfig(Section):
    """Data-parallel training over MPI ranks (used only when the run has more than one).

    ``mode = "sync"`` averages the gradients every step (the run then takes the steps a
    single process would take with the same ``train.batch_size``); ``"local_sgd"`` lets
    each rank take ``k`` steps alone, then averages the parameters (and the optimizer's
    moments with ``average_optimizer_state``). ``train.batch_size`` is the global batch,
    split evenly over the ranks.
    """

    mode: Literal["sync", "local_sgd"] = "sync"
    k: PositiveInt = 1
    average_optimizer_state: bool = False

    @model_validator(mode="after")
    def _k_needs_local_sgd(self) -> DistributedConfig:
        if self.mode == "sync" and self.k != 1:
            raise ValueError(f"k = {self.k} applies only to mode = 'local_sgd' (sync averages "
                             "the gradients every step)")
        return self
