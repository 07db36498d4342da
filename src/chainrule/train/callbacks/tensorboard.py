"""TensorBoard: scalar and histogram event files, written with tensorboardX.

Install with ``pip install chainrule[tensorboard]`` (tensorboardX); torch's
``SummaryWriter`` is used instead when only torch and tensorboard are there.
"""

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
            raise ImportError("the TensorBoard callback needs tensorboardX: pip install "
                              "'chainrule[tensorboard]' (or pip install tensorboardX)") from None
    return SummaryWriter(log_dir)


class TensorBoard(Callback):
    """Write every numeric log as a TensorBoard scalar (steps and epochs) and, every
    ``histogram_freq`` epochs, a histogram of each parameter and its gradient.

    Tags: ``step/<key>`` (x = global step), ``epoch/<key>`` (x = epoch),
    ``weights/<name>`` and ``gradients/<name>`` (x = epoch).

    Args:
        log_dir: folder for the event files.
        log_every_steps: interval of step scalars. Defaults to ``10``.
        histogram_freq: epochs between parameter histograms; ``0`` writes none.
            Defaults to ``1``.
    """

    def __init__(self, log_dir: str | Path, log_every_steps: int = 10, histogram_freq: int = 1):
        for name, value in (("log_every_steps", log_every_steps),
                            ("histogram_freq", histogram_freq)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"TensorBoard: {name} must be an int >= 0, got {value!r}")
        self.log_dir = str(log_dir)
        self.log_every_steps, self.histogram_freq = log_every_steps, histogram_freq
        self.writer = _summary_writer(self.log_dir)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.writer is None:  # a second fit with the same callback
            self.writer = _summary_writer(self.log_dir)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        step = self.trainer.global_step
        if self.log_every_steps and step % self.log_every_steps == 0:
            for key, value in (logs or {}).items():
                self.writer.add_scalar(f"step/{key}", value, step)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        for key, value in (logs or {}).items():
            if isinstance(value, (int, float)):
                self.writer.add_scalar(f"epoch/{key}", value, epoch)
        if self.histogram_freq and (epoch + 1) % self.histogram_freq == 0:
            for name, p in self.trainer.model.named_parameters():
                self.writer.add_histogram(f"weights/{name}", p.data, epoch)
                if p.grad is not None:
                    self.writer.add_histogram(f"gradients/{name}", p.grad, epoch)
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
