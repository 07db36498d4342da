"""The first layer's weights as pictures: for image inputs, each unit's incoming weights
laid out like the image it looks at (the decks' MNIST filters).

``weights`` is the first layer's weight array, one row per unit: shape
(units, features) for a linear layer (the features are reshaped to
``image_shape``), or (units, C, H, W) for a convolution (channels averaged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.viz.style import DIVERGING_CMAP, new_figure, styled

MAX_UNITS = 64


def unit_images(weights: Any, image_shape: Sequence[int] | None = None) -> np.ndarray:
    """Each unit's weights as a 2-D image, shape (units, H, W).

    ``image_shape`` is (H, W) or (C, H, W) (channels are averaged); for 4-D weights it
    is read from them. Raises ValueError when the sizes do not match.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 4:
        return w.mean(1)
    if w.ndim != 2 or image_shape is None:
        raise ValueError(f"unit_images: need (units, C, H, W) weights, or (units, features) "
                         f"with an image_shape; got shape {w.shape}, image_shape {image_shape}")
    shape = tuple(int(s) for s in image_shape)
    if int(np.prod(shape)) != w.shape[1]:
        raise ValueError(f"unit_images: {w.shape[1]} input features do not make an image of "
                         f"shape {shape}")
    images = w.reshape((w.shape[0],) + shape)
    return images.mean(1) if len(shape) == 3 else images


@styled
def plot_weight_grid(weights: Any, image_shape: Sequence[int] | None = None,
                     max_units: int = MAX_UNITS) -> Any:
    """The first ``max_units`` units' weights as a grid of images (red positive, blue
    negative, each unit scaled to its own largest magnitude). Default ``max_units`` 64."""
    images = unit_images(weights, image_shape)[:max_units]
    n = len(images)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    side = max(0.9, 4.2 / cols)  # a small grid still leaves room for the title
    fig, axes = new_figure(rows, cols, size=(side, side))
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image in zip(axes.ravel(), images, strict=False):
        scale = np.abs(image).max() or 1.0
        ax.imshow(image, cmap=DIVERGING_CMAP, vmin=-scale, vmax=scale, interpolation="nearest")
    fig.suptitle(f"first-layer weights ({n} of {len(unit_images(weights, image_shape))} units)"
                 "\nstrokes and blobs = features; noise = undertrained", x=0.02, ha="left",
                 fontsize=10)
    return fig
