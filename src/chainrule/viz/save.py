"""Writing figures: PNG bytes in memory, then one atomic write (``chainrule.io.write_atomic``)."""

from __future__ import annotations

import io as _io
import sys
from pathlib import Path
from typing import Any

from chainrule.viz.style import DPI


def figure_png(fig: Any, dpi: int = DPI) -> bytes:
    """The figure rendered as PNG bytes (Agg), at ``dpi`` dots per inch (default 100)."""
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_figure(fig: Any, path: str | Path, dpi: int = DPI) -> Path:
    """Write ``fig`` to ``path`` as a PNG atomically (temp file, fsync, rename) and return the path.

    The folder must exist. A figure made through pyplot is closed afterwards so
    pyplot's registry does not keep it alive; figures from
    :func:`chainrule.viz.style.new_figure` need no closing.
    """
    from chainrule.io import write_atomic

    path = Path(path)
    try:
        write_atomic(path, figure_png(fig, dpi))
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:  # a no-op for figures pyplot does not manage
            pyplot.close(fig)
    return path
