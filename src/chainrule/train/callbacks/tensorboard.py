"""TensorBoard: scalar event files, written with tensorboardX or torch's SummaryWriter."""

from __future__ import annotations

from pathlib import Path

from chainrule.train.callbacks.base import Callback, Logs


def _summary_writer(log_dir: str):
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ImportError("TensorBoard callback needs `tensorboardX` (pip install "
                              "tensorboardX) or `tensorboard` with torch installed") from None
    return SummaryWriter(log_dir)


class TensorBoard(Callback):
    """Write every numeric log as a TensorBoard scalar (steps and epochs).

    Args:
        log_dir: folder for the event files.
        log_every_steps: interval of step scalars. Defaults to ``10``.
    """

    def __init__(self, log_dir: str | Path, log_every_steps: int = 10):
        self.writer = _summary_writer(str(log_dir))
        self.log_every_steps = log_every_steps

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.trainer.global_step
        if step % self.log_every_steps == 0:
            for key, value in (logs or {}).items():
                self.writer.add_scalar(f"step/{key}", value, step)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        for key, value in (logs or {}).items():
            if isinstance(value, (int, float)):
                self.writer.add_scalar(f"epoch/{key}", value, epoch)
        self.writer.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.writer.close()
