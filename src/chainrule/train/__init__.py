"""Training: one step (step.py), one predict path (predict.py), the Keras-style Trainer,
its callbacks, history and metrics.

Layer: imports ``data``, ``optim``, ``functional``, ``autograd`` and the service ``io``;
never ``diagnose``, ``config``, ``runs`` or the CLI (they use it).
"""

from chainrule.train import callbacks, metrics
from chainrule.train.history import History
from chainrule.train.predict import predict, predict_proba
from chainrule.train.step import total_loss, train_step
from chainrule.train.trainer import Trainer

__all__ = ["History", "Trainer", "callbacks", "metrics", "predict", "predict_proba",
           "total_loss", "train_step"]
