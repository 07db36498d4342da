"""Training: the Keras-style Trainer, its callbacks, history and metrics."""

from chainrule.train import callbacks, metrics
from chainrule.train.history import History
from chainrule.train.trainer import Trainer

__all__ = ["History", "Trainer", "callbacks", "metrics"]
