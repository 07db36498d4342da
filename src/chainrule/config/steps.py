"""``preprocess`` and ``augment``: lists of steps, each a tagged union on ``name``.

Every step lists exactly the options it accepts, so ``{name = "flip", degrees = 30}``
is an error naming ``degrees`` (rotate's option) instead of being ignored. The
option names are the keyword arguments of the class each step builds
(:mod:`chainrule.data.preprocess`, :mod:`chainrule.data.augment`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, PositiveInt

from chainrule.config.section import Fraction, NonNegFloat, Probability, Section

# ------------------------------------------------------------- preprocess


class CentreStep(Section):
    """Subtract the training mean of each feature."""

    name: Literal["centre"]


class StandardizeStep(Section):
    """Subtract the training mean, divide by the training std, per feature."""

    name: Literal["standardize"]


class MinMaxStep(Section):
    """Scale each feature to [0, 1] by its training minimum and maximum."""

    name: Literal["minmax"]


class PCAStep(Section):
    """Project on the top principal components (an int: how many; a fraction: the share
    of variance to keep; none: all)."""

    name: Literal["pca"]
    n_components: PositiveInt | Fraction | None = None


class PCAWhitenStep(PCAStep):
    """PCA, then divide each component by sqrt(its variance + eps)."""

    name: Literal["pca_whiten"]  # type: ignore[assignment]
    eps: PositiveFloat = 1e-5


class ZCAWhitenStep(Section):
    """Whitening rotated back to the input space."""

    name: Literal["zca_whiten"]
    eps: PositiveFloat = 1e-5


PreprocessStep = Annotated[CentreStep | StandardizeStep | MinMaxStep | PCAStep | PCAWhitenStep
                           | ZCAWhitenStep, Field(discriminator="name")]

# ---------------------------------------------------------------- augment
ShiftInt = Annotated[int, Field(ge=0)]


class FlipStep(Section):
    """Mirror images left-right (``horizontal``) and/or up-down (``vertical``) with
    probability ``p``."""

    name: Literal["flip"]
    horizontal: bool = True
    vertical: bool = False
    p: Probability = 0.5


class CropStep(Section):
    """Pad by ``padding`` pixels, then cut a random ``size`` x ``size`` window."""

    name: Literal["crop"]
    size: PositiveInt
    padding: ShiftInt = 0


class TranslateStep(Section):
    """Shift images by up to ``max_shift`` pixels each way."""

    name: Literal["translate"]
    max_shift: ShiftInt = 2


class RotateStep(Section):
    """Rotate images by a random angle in [-degrees, degrees]."""

    name: Literal["rotate"]
    degrees: NonNegFloat = 10.0


class NoiseStep(Section):
    """Add Gaussian noise of standard deviation ``std``."""

    name: Literal["noise"]
    std: NonNegFloat = 0.05


class MixupStep(Section):
    """Blend pairs of samples and their one-hot targets, lambda ~ Beta(alpha, alpha)."""

    name: Literal["mixup"]
    alpha: PositiveFloat = 0.2


class LabelNoiseStep(Section):
    """Replace a ``fraction`` of each batch's labels by random classes."""

    name: Literal["label_noise"]
    fraction: Fraction = 0.1


AugmentStep = Annotated[FlipStep | CropStep | TranslateStep | RotateStep | NoiseStep | MixupStep
                        | LabelNoiseStep, Field(discriminator="name")]
