"""Checks that a written PNG is a real, non-blank picture of a sensible size."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk."""
    assert data[:8] == SIGNATURE, "not a PNG"
    return struct.unpack(">II", data[16:24])


def assert_sane_png(path: str | Path, min_bytes: int = 4_000, max_bytes: int = 600_000,
                    max_side: int = 4_000) -> tuple[int, int]:
    """The file is a PNG between the byte bounds, at most ``max_side`` pixels a side, and not
    one flat colour; returns its size."""
    from matplotlib.image import imread

    data = Path(path).read_bytes()
    width, height = png_size(data)
    assert min_bytes <= len(data) <= max_bytes, f"{path}: {len(data)} bytes"
    assert 100 <= width <= max_side and 100 <= height <= max_side, (width, height)
    pixels = imread(io.BytesIO(data), format="png")
    assert np.ptp(pixels[..., :3]) > 0.2, "the picture is blank"
    return width, height
