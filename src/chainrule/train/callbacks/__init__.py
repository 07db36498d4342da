"""Keras-style callbacks for :class:`chainrule.train.Trainer` (hooks: see ``base``)."""

from chainrule.train.callbacks.backup import BackupAndRestore
from chainrule.train.callbacks.base import Callback, CallbackList
from chainrule.train.callbacks.checkpoint import Checkpoint
from chainrule.train.callbacks.divergence import DivergenceGuard
from chainrule.train.callbacks.early_stopping import EarlyStopping
from chainrule.train.callbacks.logger import MetricsLogger
from chainrule.train.callbacks.lr_scheduler import LearningRateScheduler
from chainrule.train.callbacks.progress import ProgressBar
from chainrule.train.callbacks.tensorboard import TensorBoard

__all__ = ["BackupAndRestore", "Callback", "CallbackList", "Checkpoint", "DivergenceGuard",
           "EarlyStopping", "LearningRateScheduler", "MetricsLogger", "ProgressBar",
           "TensorBoard"]
