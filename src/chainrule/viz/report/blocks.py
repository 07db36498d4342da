"""The pieces a report section is made of: figures (embedded PNG), tables, key-value cards,
preformatted text and notes. Each is a plain dict the template renders; every string in
them is escaped by the template (Jinja2 autoescape), never here."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chainrule.viz.save import figure_png

EMBEDDABLE = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """``data:<mime>;base64,...``: an image inside the HTML file, no network needed."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def figure(fig: Any, alt: str, caption: str = "") -> dict[str, Any]:
    """A matplotlib figure as an embedded PNG block."""
    return {"type": "figure", "src": data_uri(figure_png(fig)), "alt": alt, "caption": caption}


def image_file(folder: Path, relative: str, caption: str = "") -> dict[str, Any] | None:
    """An image file of ``folder`` (PNG, SVG, JPEG) embedded as a block; ``None`` when the
    path leaves the folder, is missing, or is not an image (SVG inside ``<img>`` cannot run
    scripts)."""
    root = folder.resolve()
    path = (root / str(relative)).resolve()
    mime = EMBEDDABLE.get(path.suffix.lower())
    if mime is None or not path.is_relative_to(root) or not path.is_file():
        return None
    return {"type": "figure", "src": data_uri(path.read_bytes(), mime), "alt": str(relative),
            "caption": caption or str(relative)}


def fmt(value: Any) -> str:
    """A number with 4 significant digits (integers whole); ``-`` for missing or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value[:8]) + (", ..." if len(value) > 8 else "") \
            + "]"
    return str(value)


def link(text: Any, href: str) -> dict[str, str]:
    """A table cell that links to ``href`` (a relative path, made safe by :func:`safe_href`)."""
    return {"text": fmt(text), "href": safe_href(href)}


def safe_href(path: str) -> str:
    """A relative link that can only be a path: percent-encoded, so ``javascript:`` or a
    quote in a folder name stays inert."""
    from urllib.parse import quote

    return "./" + quote(str(path).lstrip("/"), safe="/")


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
          row_classes: Sequence[str] | None = None, caption: str = "") -> dict[str, Any]:
    """A table block; cells are formatted with :func:`fmt` unless made by :func:`link`."""
    body = [[c if isinstance(c, dict) and "href" in c else {"text": fmt(c), "href": None}
             for c in row] for row in rows]
    return {"type": "table", "columns": list(columns), "rows": body,
            "row_classes": list(row_classes or [""] * len(body)), "caption": caption}


def cards(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Key-value cards: the summary numbers."""
    return {"type": "cards", "items": [{"label": k, "value": fmt(v)} for k, v in items]}


def pre(text: str, caption: str = "") -> dict[str, Any]:
    """Preformatted text (the config)."""
    return {"type": "pre", "text": text, "caption": caption}


def note(text: str, kind: str = "info") -> dict[str, Any]:
    """A line of text (``kind`` "info" or "warn")."""
    return {"type": "note", "text": text, "kind": kind}


def section(key: str, title: str, blocks: Sequence[dict[str, Any] | None],
            intro: str = "") -> dict[str, Any] | None:
    """A section with its non-empty blocks; ``None`` (left out) when it has none."""
    kept = [b for b in blocks if b is not None]
    return {"id": key, "title": title, "intro": intro, "blocks": kept} if kept else None
