"""The run configuration: a TOML file validated by pydantic, section by section.

Every section forbids unknown keys, so a typo is an error that names the key.
Layers (``type``), preprocessing and augmentation steps, optimizers and
schedules (``name``) are tagged unions: each variant lists exactly the options
it accepts. The sections live in their own modules (:mod:`~chainrule.config.steps`,
:mod:`~chainrule.config.layers`, :mod:`~chainrule.config.optim`); this module
holds the small ones and :class:`RunConfig`, the whole file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, PositiveInt

from chainrule.config.datasets import DATASETS
from chainrule.config.distributed import DistributedConfig
from chainrule.config.layers import LayerConfig
from chainrule.config.optim import OPTIMIZER_MODELS, OptimizerConfig, ScheduleConfig
from chainrule.config.search import EnsembleConfig, SearchConfig
from chainrule.config.section import Fraction, NonNegFloat, Probability, Section
from chainrule.config.steps import AugmentStep, PreprocessStep
from chainrule.config.tabular import TableFields
from chainrule.config.transfer import TransferConfig


# ------------------------------------------------------------------- data
class DataConfig(TableFields):
    """Which dataset, and how much of the training part to hold out for validation; a table
    of your own takes the keys of :class:`~chainrule.config.tabular.TableFields`."""

    dataset: Literal[tuple(DATASETS)] = "digits"  # type: ignore[valid-type]
    val_fraction: Fraction = 0.2
    test_fraction: Fraction = 0.2  # for datasets without a fixed test split
    samples: PositiveInt = 1000  # for synthetic datasets
    noise: NonNegFloat = 0.1  # for synthetic datasets
    limit: PositiveInt | None = None  # use only the first N training samples
    flatten: bool = True  # false keeps images whole, (C, H, W) (gray ones get C = 1)


# ------------------------------------------------------------------ model
INITS = Literal["default", "small_normal", "xavier_normal", "xavier_uniform", "xavier_fan_in",
                "kaiming_normal", "kaiming_uniform", "orthogonal", "lsuv"]


class ModelConfig(Section):
    """A stack of layers; input sizes follow from the data, and the last dense layer's
    ``out_features`` is the data's output size."""

    layers: list[LayerConfig] = Field(min_length=1)
    init: INITS = "default"


class LossConfig(Section):
    name: Literal["cross_entropy", "mse", "l1", "bce_with_logits"] = "cross_entropy"
    label_smoothing: Probability = 0.0


class RegularizationConfig(Section):
    l2: NonNegFloat = 0.0
    l1: NonNegFloat = 0.0
    activation_l1: NonNegFloat = 0.0
    max_norm: PositiveFloat | None = None
    weight_noise: NonNegFloat = 0.0
    label_noise: Fraction = 0.0


# ------------------------------------------------------------------ train
class EarlyStoppingConfig(Section):
    monitor: str = "val_loss"
    patience: Annotated[int, Field(ge=0)] = 5
    min_delta: NonNegFloat = 0.0
    restore_best: bool = True


class TrainConfig(Section):
    epochs: PositiveInt = 10
    batch_size: Annotated[int, Field(ge=0)] = 32  # 0: full batch gradient descent
    seed: Annotated[int, Field(ge=0)] = 0
    metrics: list[str] = ["accuracy"]
    checkpoint_every_steps: PositiveInt | None = None
    keep_checkpoints: PositiveInt = 3
    early_stopping: EarlyStoppingConfig | None = None
    divergence_guard: bool = True
    report: bool = False  # write RUN_DIR/report.html when training ends (chainrule report)
    monitor_every: PositiveInt | None = None  # per-layer statistics every N steps (monitor.json)


class RunConfig(Section):
    """The whole file. An optional section is one line here: ``search: SearchConfig | None
    = None`` (see :mod:`chainrule.config`)."""

    name: str = Field("run", pattern=r"^[A-Za-z0-9_.-]+$")
    data: DataConfig = DataConfig()
    preprocess: list[PreprocessStep] = []
    augment: list[AugmentStep] = []
    model: ModelConfig
    loss: LossConfig = LossConfig()
    regularization: RegularizationConfig = RegularizationConfig()
    optimizer: OptimizerConfig = Field(
        default_factory=lambda: OPTIMIZER_MODELS["adam"](name="adam"))
    schedule: ScheduleConfig | None = None
    train: TrainConfig = TrainConfig()
    transfer: TransferConfig | None = None
    search: SearchConfig | None = None
    ensemble: EnsembleConfig | None = None
    distributed: DistributedConfig | None = None
