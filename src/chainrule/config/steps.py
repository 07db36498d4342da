"""``preprocess`` and ``augment``: lists of steps, each a tagged union on ``name``.

Every step lists exactly the options it accepts, so ``{name = "flip", degrees = 30}``
is an error naming ``degrees`` (rotate's option) instead of being ignored. The
option names are the keyword arguments of the class each step builds
(:mod:`chainrule.data.preprocess`, :mod:`chainrule.data.augment`); one table per list,
``{name: (what it does, {option: (type, default)})}``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PositiveFloat, PositiveInt

from chainrule.config.section import Fraction, NonNegFloat, Probability, tagged_union

_PCA = {"n_components": (PositiveInt | Fraction | None, None)}
_EPS = {"eps": (PositiveFloat, 1e-5)}
_SHIFT = Annotated[int, Field(ge=0)]

PREPROCESS_STEPS = {
    "centre": ("Subtract the training mean of each feature.", {}),
    "standardize": ("Subtract the training mean, divide by the training std, per feature.",
                    {}),
    "minmax": ("Scale each feature to [0, 1] by its training minimum and maximum.", {}),
    "pca": ("Project on the top principal components (an int: how many; a fraction: the "
            "share of variance to keep; none: all).", _PCA),
    "pca_whiten": ("PCA, then divide each component by sqrt(its variance + eps).",
                   {**_PCA, **_EPS}),
    "zca_whiten": ("Whitening rotated back to the input space.", _EPS),
}

AUGMENT_STEPS = {
    "flip": ("Mirror images left-right (``horizontal``) and/or up-down (``vertical``) with "
             "probability ``p``.", {"horizontal": (bool, True), "vertical": (bool, False),
                                    "p": (Probability, 0.5)}),
    "crop": ("Pad by ``padding`` pixels, then cut a random ``size`` x ``size`` window.",
             {"size": (PositiveInt, ...), "padding": (_SHIFT, 0)}),
    "translate": ("Shift images by up to ``max_shift`` pixels each way.",
                  {"max_shift": (_SHIFT, 2)}),
    "rotate": ("Rotate images by a random angle in [-degrees, degrees].",
               {"degrees": (NonNegFloat, 10.0)}),
    "noise": ("Add Gaussian noise of standard deviation ``std``.", {"std": (NonNegFloat, 0.05)}),
    "mixup": ("Blend pairs of samples and their one-hot targets, lambda ~ Beta(alpha, alpha).",
              {"alpha": (PositiveFloat, 0.2)}),
    "label_noise": ("Replace a ``fraction`` of each batch's labels by random classes.",
                    {"fraction": (Fraction, 0.1)}),
}

PREPROCESS_MODELS, PreprocessStep = tagged_union("name", PREPROCESS_STEPS, suffix="Step",
                                                 module=__name__)
AUGMENT_MODELS, AugmentStep = tagged_union("name", AUGMENT_STEPS, suffix="Step",
                                           module=__name__)
