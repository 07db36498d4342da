"""A run's ``[transfer]`` section applied: start from another run's trained network.

The new model (built from its own config) takes every parameter and buffer of the
source run's model whose name and shape match, except its last weighted layer
when ``reset_head`` (a fresh head sized for the new data), and is then frozen up
to ``freeze_upto``. The source run's preprocessing is not reused: the new run
fits its own on its own training data.
"""

from __future__ import annotations

from chainrule.config.transfer import TransferConfig
from chainrule.nn.module import Module
from chainrule.transfer import transfer_weights


def apply_transfer(cfg: TransferConfig, model: Module) -> list[str]:
    """Copy the source run's weights into ``model`` and freeze; returns the names copied.

    Raises:
        FileNotFoundError: ``cfg.from_`` is not a finished run.
        ValueError: the networks do not match, or ``freeze_upto`` names no layer
            (``model`` is unchanged by a mismatch).
    """
    from chainrule.runs.train import load_run  # runs.train imports the set-up that calls us

    source = load_run(cfg.from_).model
    if cfg.freeze_upto is not None:
        model._children_upto(cfg.freeze_upto)  # a bad name fails before any weight moves
    copied = transfer_weights(source, model, reset_head=cfg.reset_head)
    if cfg.freeze_upto is not None:
        model.freeze(upto=cfg.freeze_upto)
    return copied
