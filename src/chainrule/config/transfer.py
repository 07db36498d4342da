"""The ``[transfer]`` section: start a run from another run's trained network (deck 001).

    [transfer]
    from = "runs/mnist_cnn"   # the trained run (its model.safetensors and config.toml)
    freeze_upto = "5"         # freeze layers 0..5 (a name, position or dotted path)
    reset_head = true         # fresh last layer sized for the new data

The new run's model is built from its own ``[model]`` as usual; every parameter and
buffer whose name and shape match the source's is copied in (the last weighted
layer excepted with ``reset_head``), then ``model.freeze(upto=freeze_upto)``; see
:func:`chainrule.transfer.transfer_weights`.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from chainrule.config.section import Section


class TransferConfig(Section):
    """Fine-tune a trained run on new data: where from, what to freeze, a fresh head or not."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from", min_length=1)
    freeze_upto: str | int | None = None
    reset_head: bool = True
