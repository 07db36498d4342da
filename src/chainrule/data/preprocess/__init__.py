"""Input preprocessing fitted on the training split: centring, scaling, PCA, whitening.

Fit on the training data only, then transform every split with the same statistics; save the
fitted state with the model (``state_dict()`` / :func:`from_state_dict`).

    >>> import numpy as np
    >>> from chainrule.data.preprocess import Pipeline, Standardize, PCA, from_state_dict
    >>> x_train = np.random.default_rng(0).normal(size=(100, 8))
    >>> prep = Pipeline([Standardize(), PCA(0.9)]).fit(x_train)
    >>> restored = from_state_dict(prep.state_dict())
    >>> bool(np.allclose(restored.transform(x_train), prep.transform(x_train)))
    True
"""

from chainrule.data.preprocess.base import Preprocessor, from_state_dict
from chainrule.data.preprocess.pca import PCA, PCAWhiten, ZCAWhiten, principal_axes
from chainrule.data.preprocess.pipeline import Pipeline
from chainrule.data.preprocess.scale import Centre, MeanCentre, MinMaxScale, Standardize

__all__ = ["PCA", "Centre", "MeanCentre", "MinMaxScale", "PCAWhiten", "Pipeline",
           "Preprocessor", "Standardize", "ZCAWhiten", "from_state_dict", "principal_axes"]
