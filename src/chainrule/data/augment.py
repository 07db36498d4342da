"""Data augmentation on batches (decks 001 and 003, "dealing with limited data").

Every augmentation is a callable ``aug(x, y, rng) -> (x, y)`` on the ndarrays of one batch, so it
plugs into ``DataLoader(transform=...)``, which applies it in training only and passes a
generator seeded per batch (same seed, same bits). Image augmentations take (N, H, W) or
(N, C, H, W) batches and act on the last two axes; each draws its random parameters for the
whole batch at once and applies them with array operations (no per-sample Python loop).
Outputs are new arrays in the input's dtype (float32 stays float32); inputs are not modified.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[np.ndarray, np.ndarray]


def _images(x: np.ndarray, name: str) -> np.ndarray:
    """``x`` as (N, C, H, W) (a view), after checking it is an image batch."""
    if not isinstance(x, np.ndarray) or x.ndim not in (3, 4):
        raise ValueError(f"{name} expects an image batch (N, H, W) or (N, C, H, W), got "
                         f"shape {np.shape(x)}")
    return x[:, None] if x.ndim == 3 else x


def _pair(value: int | float | Sequence, name: str) -> tuple:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be a number or a pair, got {value!r}")
    return pair


class Augmentation(ABC):
    """Base class: ``aug(x, y, rng) -> (x, y)``; the repr lists the public attributes."""

    @abstractmethod
    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        """Return the augmented batch ``(x, y)``, drawing only from ``rng``."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class RandomFlip(Augmentation):
    """Mirror each image left-right (and/or top-bottom) with probability ``p``.

    Args:
        horizontal: flip the width axis. Defaults to ``True``.
        vertical: flip the height axis (not for digits or natural scenes). Defaults to ``False``.
        p: probability of each flip, drawn per image and per direction. Defaults to 0.5.
    """

    def __init__(self, horizontal: bool = True, vertical: bool = False, p: float = 0.5):
        if not (horizontal or vertical):
            raise ValueError("RandomFlip needs horizontal=True or vertical=True")
        if not 0 <= p <= 1:
            raise ValueError(f"RandomFlip: p must be in [0, 1], got {p!r}")
        self.horizontal, self.vertical, self.p = horizontal, vertical, p

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        out = _images(x, "RandomFlip")
        for flip, axis in ((self.horizontal, 3), (self.vertical, 2)):
            if flip:
                chosen = (rng.random(len(out)) < self.p)[:, None, None, None]
                out = np.where(chosen, np.flip(out, axis=axis), out)
        return out.reshape(x.shape), y


def _crop(x4: np.ndarray, top: np.ndarray, left: np.ndarray, h: int, w: int) -> np.ndarray:
    """Per-image windows ``x4[n, :, top[n]:top[n] + h, left[n]:left[n] + w]`` in one gather."""
    windows = sliding_window_view(x4, (h, w), axis=(2, 3))  # (N, C, H-h+1, W-w+1, h, w)
    # indices on axes 0, 2 and 3 around a slice: NumPy puts the batch axis first -> (N, C, h, w)
    return windows[np.arange(len(x4)), :, top, left]


def _random_crop(x: np.ndarray, size: tuple[int, int], padding: tuple[int, int], fill: float,
                 rng: np.random.Generator, name: str) -> np.ndarray:
    x4 = _images(x, name)
    (h, w), (ph, pw) = size, padding
    if ph or pw:
        x4 = np.pad(x4, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    room_h, room_w = x4.shape[2] - h, x4.shape[3] - w
    if room_h < 0 or room_w < 0:
        raise ValueError(f"{name}: crop size {(h, w)} is larger than the padded images "
                         f"{x4.shape[2:]}")
    top = rng.integers(0, room_h + 1, len(x4))
    left = rng.integers(0, room_w + 1, len(x4))
    out = _crop(x4, top, left, h, w)
    return out[:, 0] if x.ndim == 3 else out


class RandomCrop(Augmentation):
    """Pad each image by ``padding`` pixels of ``fill``, then cut a random ``size`` window.

    Args:
        size: output (height, width), or one int for a square.
        padding: pixels added on each side, an int or (vertical, horizontal). Defaults to 0.
        fill: value of the padding. Defaults to 0.0.

    Example: ``RandomCrop(28, padding=4)`` moves MNIST digits by up to 4 pixels.
    """

    def __init__(self, size: int | tuple[int, int], padding: int | tuple[int, int] = 0,
                 fill: float = 0.0):
        self.size = tuple(int(s) for s in _pair(size, "size"))
        self.padding = tuple(int(p) for p in _pair(padding, "padding"))
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: size must be >= 1 and padding >= 0, got "
                             f"size={size!r}, padding={padding!r}")
        self.fill = fill

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        return _random_crop(x, self.size, self.padding, self.fill, rng, "RandomCrop"), y


class RandomTranslate(Augmentation):
    """Shift each image by whole pixels, dy and dx uniform in [-max_shift, max_shift].

    Pixels moved in from outside take ``fill``; the shape is kept. (A random crop of the
    original size from the image padded by ``max_shift``.)

    Args:
        max_shift: largest shift in pixels, an int or (vertical, horizontal).
        fill: value of the uncovered pixels. Defaults to 0.0.
    """

    def __init__(self, max_shift: int | tuple[int, int], fill: float = 0.0):
        self.max_shift = tuple(int(s) for s in _pair(max_shift, "max_shift"))
        if min(self.max_shift) < 0:
            raise ValueError(f"RandomTranslate: max_shift must be >= 0, got {max_shift!r}")
        self.fill = fill

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        size = np.shape(x)[-2:]
        return _random_crop(x, size, self.max_shift, self.fill, rng, "RandomTranslate"), y


def rotate(x: np.ndarray, degrees: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Rotate each image of (N, H, W) or (N, C, H, W) ``x`` by ``degrees[n]`` counter-clockwise
    about its centre, by bilinear interpolation; pixels from outside take ``fill``.

    Each output pixel (i, j) reads the input at the inverse rotation of its offset from the
    centre (cy, cx) = ((H - 1) / 2, (W - 1) / 2), in display coordinates (u right, v up):
    u_s = cos(t) u + sin(t) v, v_s = -sin(t) u + cos(t) v. 90 degrees equals ``np.rot90``.
    """
    x4 = _images(x, "rotate")
    if x4.dtype.kind != "f":  # interpolation needs real values
        x4 = x4.astype(np.float32)
    n, c, h, w = x4.shape
    theta = np.deg2rad(np.asarray(degrees, dtype=np.float64)).reshape(n, 1, 1)
    cos, sin = np.cos(theta).astype(np.float32), np.sin(theta).astype(np.float32)
    cy, cx = np.float32((h - 1) / 2), np.float32((w - 1) / 2)
    v = (cy - np.arange(h, dtype=np.float32))[:, None]
    u = (np.arange(w, dtype=np.float32) - cx)[None, :]
    rows = cy - (cos * v - sin * u)  # (N, H, W) source positions, exact for angle 0
    cols = cx + (cos * u + sin * v)
    out = _bilinear(x4, rows, cols, fill)
    return out[:, 0] if x.ndim == 3 else out


def _bilinear(x4: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill: float) -> np.ndarray:
    """Sample (N, C, H, W) images at float32 (N, H, W) positions (overwritten); outside the
    image is ``fill``.

    The images get a one-pixel border of ``fill`` and positions are clipped into the bordered
    image, so every position has four valid neighbours and no mask is needed: a position
    outside lands on the border and reads ``fill``, one within a pixel of the edge blends the
    edge with ``fill`` (scipy's mode "grid-constant"). Work happens in place on few, small
    (float32, int32) temporaries: at batch sizes of 128 the cost is mostly memory traffic.
    """
    n, c, h, w = x4.shape
    padded = np.pad(x4, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=fill)
    plane = (h + 2) * (w + 2)
    index = np.int32 if n * c * plane < 2**31 else np.intp
    r = np.clip(rows + 1, 0, h + 1, out=rows)
    q = np.clip(cols + 1, 0, w + 1, out=cols)
    top = np.minimum(r.astype(index), h)  # r >= 0: truncation is floor; top + 1 stays inside
    left = np.minimum(q.astype(index), w)
    r -= top  # now the fractional parts
    q -= left
    top *= w + 2
    top += left  # flat index of the top-left neighbour within an image
    at = np.arange(0, n * c * plane, plane, dtype=index).reshape(n, c, 1, 1) + top[:, None]
    flat = padded.reshape(-1)
    upper, upper_right = flat[at], flat[at + 1]
    at += w + 2
    lower, lower_right = flat[at], flat[at + 1]
    fr, fq = r[:, None].astype(x4.dtype, copy=False), q[:, None].astype(x4.dtype, copy=False)
    # a + (b - a) f, in place: exact when f = 0
    upper_right -= upper
    upper_right *= fq
    upper += upper_right
    lower_right -= lower
    lower_right *= fq
    lower += lower_right
    lower -= upper
    lower *= fr
    upper += lower
    return upper


class RandomRotation(Augmentation):
    """Rotate each image by an angle drawn uniformly from ``degrees`` (bilinear: :func:`rotate`).

    Args:
        degrees: d for angles in [-d, d], or a range (low, high), counter-clockwise positive.
        fill: value of the corners brought in from outside. Defaults to 0.0.
    """

    def __init__(self, degrees: float | tuple[float, float], fill: float = 0.0):
        low, high = (float(d) for d in _pair(degrees, "degrees"))
        if not isinstance(degrees, (tuple, list)):
            low = -abs(low)
            high = abs(high)
        if low > high:
            raise ValueError(f"RandomRotation: degrees range must have low <= high, got "
                             f"{degrees!r}")
        self.degrees, self.fill = (low, high), fill

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        angles = rng.uniform(*self.degrees, size=len(_images(x, "RandomRotation")))
        return rotate(x, angles, self.fill), y


class GaussianNoise(Augmentation):
    """Add independent noise: x' = x + std * N(0, 1) (any input shape).

    Args:
        std: standard deviation of the noise, >= 0.
    """

    def __init__(self, std: float):
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std!r}")
        self.std = std

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        if x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float32)
        noise = rng.standard_normal(x.shape, dtype=x.dtype)
        return x + x.dtype.type(self.std) * noise, y


def _one_hot(y: np.ndarray, num_classes: int | None, name: str) -> np.ndarray:
    """Integer labels (N,) as float32 one-hot rows (N, C); probability rows pass through."""
    if y.dtype.kind == "f":
        if y.ndim != 2:
            raise ValueError(f"{name}: soft targets must have shape (N, classes), got {y.shape}")
        return y
    if num_classes is None:
        raise ValueError(f"{name} needs num_classes to turn integer labels into soft targets")
    if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() >= num_classes)):
        raise ValueError(f"{name}: labels must be a vector of integers in [0, {num_classes}), "
                         f"got shape {y.shape} with range [{y.min()}, {y.max()}]")
    return np.eye(num_classes, dtype=np.float32)[y]


class Mixup(Augmentation):
    """mixup (Zhang et al., ICLR 2018): train on blends of pairs of samples and of their labels.

    With lambda ~ Beta(alpha, alpha), one per batch as in the paper, and a random pairing
    ``perm``: x' = lambda x + (1 - lambda) x[perm], y' = lambda y + (1 - lambda) y[perm], with
    y one-hot. The targets y' are float32 (N, C) probabilities (each row sums to 1), which
    ``F.cross_entropy`` accepts. Works for any input shape.

    Args:
        alpha: Beta concentration, > 0; small values keep most blends close to one sample.
            Defaults to 0.2.
        num_classes: number of classes, to one-hot integer labels. Defaults to ``None`` (only
            for targets that are already probabilities).
    """

    def __init__(self, alpha: float = 0.2, num_classes: int | None = None):
        if not alpha > 0:
            raise ValueError(f"Mixup: alpha must be > 0, got {alpha!r}")
        if num_classes is not None and num_classes < 2:
            raise ValueError(f"Mixup: num_classes must be >= 2, got {num_classes!r}")
        self.alpha, self.num_classes = alpha, num_classes

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        targets = _one_hot(y, self.num_classes, "Mixup")
        lam = rng.beta(self.alpha, self.alpha)
        perm = rng.permutation(len(x))
        mixed_x = x.dtype.type(lam) * x + x.dtype.type(1 - lam) * x[perm]
        mixed_y = np.float32(lam) * targets + np.float32(1 - lam) * targets[perm]
        return mixed_x, mixed_y.astype(np.float32, copy=False)


class LabelNoise(Augmentation):
    """Replace a random ``fraction`` of the labels by a different class, drawn uniformly.

    Each label is corrupted with probability ``fraction`` to one of the C - 1 other classes,
    anew in every batch (a regulariser, as DisturbLabel); for a fixed corrupted training set
    use :func:`chainrule.data.synthetic.random_labels`.

    Args:
        fraction: probability of corrupting each label, in [0, 1].
        num_classes: number of classes C >= 2.
    """

    def __init__(self, fraction: float, num_classes: int):
        if not 0 <= fraction <= 1:
            raise ValueError(f"LabelNoise: fraction must be in [0, 1], got {fraction!r}")
        if num_classes < 2:
            raise ValueError(f"LabelNoise: num_classes must be >= 2, got {num_classes!r}")
        self.fraction, self.num_classes = fraction, int(num_classes)

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        if y.dtype.kind not in "iu":
            raise ValueError(f"LabelNoise needs integer labels, got dtype {y.dtype}")
        corrupt = rng.random(len(y)) < self.fraction
        shift = rng.integers(1, self.num_classes, len(y))  # never 0: always another class
        return x, np.where(corrupt, (y + shift) % self.num_classes, y).astype(y.dtype)


class Compose(Augmentation):
    """Apply augmentations in order, all drawing from the same generator.

    Args:
        transforms: callables ``(x, y, rng) -> (x, y)``.

    Example:
        >>> aug = Compose([RandomTranslate(2), GaussianNoise(0.05)])
        >>> xb, yb = aug(np.zeros((4, 28, 28), np.float32), np.arange(4), np.random.default_rng(0))
        >>> xb.shape, xb.dtype
        ((4, 28, 28), dtype('float32'))
    """

    def __init__(self, transforms: Sequence[Callable[..., Pair]]):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: {t!r} is not callable as t(x, y, rng)")

    def __call__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
        for t in self.transforms:
            x, y = t(x, y, rng)
        return x, y
