"""The run configuration: a TOML file validated by pydantic, section by section.

Every section forbids unknown keys, so a typo is an error that names the key.
Optimizers, schedules, layers, preprocessing and augmentation steps are tagged
unions on ``name`` (or ``type`` for layers): each variant lists exactly the
options it accepts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt

NonNegFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, lt=1)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------- data
class DataConfig(Section):
    """Which dataset, and how much of the training part to hold out for validation."""

    dataset: Literal["digits", "mnist", "breast_cancer", "diabetes", "iris", "xor", "moons",
                     "circles", "spirals", "sine"] = "digits"
    val_fraction: Fraction = 0.2
    test_fraction: Fraction = 0.2  # for datasets without a fixed test split
    samples: PositiveInt = 1000  # for synthetic datasets
    noise: NonNegFloat = 0.1  # for synthetic datasets
    limit: PositiveInt | None = None  # use only the first N training samples
    flatten: bool = True


class PreprocessStep(Section):
    name: Literal["centre", "standardize", "minmax", "pca", "pca_whiten", "zca_whiten"]
    n_components: PositiveInt | Fraction | None = None
    eps: PositiveFloat = 1e-5


class AugmentStep(Section):
    name: Literal["flip", "crop", "translate", "rotate", "noise", "mixup", "label_noise"]
    p: Annotated[float, Field(ge=0, le=1)] = 0.5
    horizontal: bool = True
    vertical: bool = False
    size: PositiveInt | None = None
    padding: Annotated[int, Field(ge=0)] = 0
    max_shift: Annotated[int, Field(ge=0)] = 2
    degrees: NonNegFloat = 10.0
    std: NonNegFloat = 0.05
    alpha: PositiveFloat = 0.2
    fraction: Fraction = 0.1


# ------------------------------------------------------------------ model
class LinearLayer(Section):
    type: Literal["linear"]
    out_features: PositiveInt
    bias: bool = True


class DropoutLayer(Section):
    type: Literal["dropout"]
    p: Annotated[float, Field(ge=0, lt=1)] = 0.5
    inverted: bool = True


class BatchNormLayer(Section):
    type: Literal["batchnorm"]
    eps: PositiveFloat = 1e-5
    momentum: Annotated[float, Field(ge=0, le=1)] = 0.1
    affine: bool = True


class MaxoutLayer(Section):
    type: Literal["maxout"]
    out_features: PositiveInt
    pieces: Annotated[int, Field(ge=2)] = 2


class ActivationLayer(Section):
    type: Literal["relu", "sigmoid", "tanh", "elu", "softplus", "step", "identity", "flatten"]


class LeakyReLULayer(Section):
    type: Literal["leaky_relu"]
    negative_slope: NonNegFloat = 0.01


class PReLULayer(Section):
    type: Literal["prelu"]
    num_parameters: PositiveInt = 1
    init: float = 0.25


Layer = Annotated[LinearLayer | DropoutLayer | BatchNormLayer | MaxoutLayer | ActivationLayer
                  | LeakyReLULayer | PReLULayer, Field(discriminator="type")]

INITS = Literal["default", "small_normal", "xavier_normal", "xavier_uniform", "xavier_fan_in",
                "kaiming_normal", "kaiming_uniform", "orthogonal", "lsuv"]


class ModelConfig(Section):
    """A stack of layers; input and output sizes of linear layers come from the data."""

    layers: list[Layer] = Field(min_length=1)
    init: INITS = "default"


class LossConfig(Section):
    name: Literal["cross_entropy", "mse", "l1", "bce_with_logits"] = "cross_entropy"
    label_smoothing: Annotated[float, Field(ge=0, le=1)] = 0.0


class RegularizationConfig(Section):
    l2: NonNegFloat = 0.0
    l1: NonNegFloat = 0.0
    activation_l1: NonNegFloat = 0.0
    max_norm: PositiveFloat | None = None
    weight_noise: NonNegFloat = 0.0
    label_noise: Fraction = 0.0


# -------------------------------------------------------------- optimizer
class _Opt(Section):
    lr: PositiveFloat
    weight_decay: NonNegFloat = 0.0
    clip_grad_norm: PositiveFloat | None = None
    decay_bias: bool = False  # apply weight decay to biases and batch-norm parameters too


class SGDConfig(_Opt):
    name: Literal["sgd"]
    lr: PositiveFloat = 0.01
    momentum: Fraction = 0.0
    dampening: Fraction = 0.0
    nesterov: bool = False


class AdamConfig(_Opt):
    name: Literal["adam", "adamw"]
    lr: PositiveFloat = 1e-3
    betas: tuple[Fraction, Fraction] = (0.9, 0.999)
    eps: PositiveFloat = 1e-8
    amsgrad: bool = False


class RMSpropConfig(_Opt):
    name: Literal["rmsprop"]
    lr: PositiveFloat = 1e-2
    alpha: Fraction = 0.99
    eps: PositiveFloat = 1e-8
    momentum: Fraction = 0.0
    centered: bool = False


class AdagradConfig(_Opt):
    name: Literal["adagrad"]
    lr: PositiveFloat = 1e-2
    lr_decay: NonNegFloat = 0.0
    eps: PositiveFloat = 1e-10


OptimizerConfig = Annotated[SGDConfig | AdamConfig | RMSpropConfig | AdagradConfig,
                            Field(discriminator="name")]


# --------------------------------------------------------------- schedule
class _Sched(Section):
    warmup_steps: Annotated[int, Field(ge=0)] = 0


class ConstantSchedule(_Sched):
    name: Literal["constant"]


class StepSchedule(_Sched):
    name: Literal["step"]
    step_size: PositiveInt
    gamma: PositiveFloat = 0.1


class ExponentialSchedule(_Sched):
    name: Literal["exponential"]
    gamma: PositiveFloat


class InverseTimeSchedule(_Sched):
    name: Literal["inverse_time"]
    decay_rate: PositiveFloat
    decay_steps: PositiveInt = 1


class CosineSchedule(_Sched):
    name: Literal["cosine"]
    eta_min: NonNegFloat = 0.0


class CosineRestartsSchedule(_Sched):
    name: Literal["cosine_restarts"]
    T_0: PositiveInt
    T_mult: PositiveInt = 1
    eta_min: NonNegFloat = 0.0


class CyclicSchedule(_Sched):
    name: Literal["cyclic"]
    base_lr: PositiveFloat
    max_lr: PositiveFloat
    step_size_up: PositiveInt = 2000
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular"
    gamma: PositiveFloat = 1.0


class OneCycleSchedule(_Sched):
    name: Literal["one_cycle"]
    max_lr: PositiveFloat
    pct_start: Annotated[float, Field(gt=0, lt=1)] = 0.3
    div_factor: PositiveFloat = 25.0
    final_div_factor: PositiveFloat = 1e4


class PlateauSchedule(Section):
    name: Literal["plateau"]
    monitor: str = "val_loss"
    factor: Annotated[float, Field(gt=0, lt=1)] = 0.1
    patience: Annotated[int, Field(ge=0)] = 10
    min_lr: NonNegFloat = 0.0


ScheduleConfig = Annotated[
    ConstantSchedule | StepSchedule | ExponentialSchedule | InverseTimeSchedule | CosineSchedule
    | CosineRestartsSchedule | CyclicSchedule | OneCycleSchedule | PlateauSchedule,
    Field(discriminator="name")]


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


class RunConfig(Section):
    """The whole file."""

    name: str = Field("run", pattern=r"^[A-Za-z0-9_.-]+$")
    data: DataConfig = DataConfig()
    preprocess: list[PreprocessStep] = []
    augment: list[AugmentStep] = []
    model: ModelConfig
    loss: LossConfig = LossConfig()
    regularization: RegularizationConfig = RegularizationConfig()
    optimizer: OptimizerConfig = Field(default_factory=lambda: AdamConfig(name="adam"))
    schedule: ScheduleConfig | None = None
    train: TrainConfig = TrainConfig()
