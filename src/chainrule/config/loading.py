"""Read a TOML run config, apply ``--set key=value`` overrides, validate with clear messages."""

from __future__ import annotations

import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chainrule.config.schema import RunConfig


class ConfigError(ValueError):
    """An invalid config: the message names each bad key, its value and what is allowed."""


def parse_value(text: str) -> Any:
    """A TOML value (``0.01``, ``true``, ``[1, 2]``, ``"adam"``), or the bare text as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: dict[str, Any], assignment: str) -> None:
    """Set ``a.b.c=value`` in the nested dict ``raw`` (list items by index: ``layers.0.p``)."""
    if "=" not in assignment:
        raise ConfigError(f"--set expects key=value, got {assignment!r}")
    key, text = assignment.split("=", 1)
    parts = key.strip().split(".")
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _list_item(node, part, parts[: depth + 1])
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, (dict, list)):
                raise ConfigError(f"--set {key}: {'.'.join(parts[:depth + 1])} is a value, "
                                  "not a section")
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last, parts)
        node[index] = parse_value(text.strip())
    else:
        node[last] = parse_value(text.strip())


def _index(items: list, part: str, path: list[str]) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise ConfigError(f"--set {'.'.join(path)}: {part!r} is not an index of a list of "
                          f"{len(items)} items")
    return int(part)


def _list_item(items: list, part: str, path: list[str]) -> Any:
    return items[_index(items, part, path)]


def _strip(annotation: Any) -> Any:
    """``X`` from ``Annotated[X, ...]``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _variant(annotation: Any, raw: Any) -> type[BaseModel] | None:
    """The pydantic model that ``annotation`` (maybe a tagged union) uses for the table
    ``raw``; None when it is not a table (a list, a value)."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            model = _variant(arg, raw)
            if model is None:
                continue
            tag = next((f for f in ("name", "type") if f in model.model_fields), None)
            if tag is None or not isinstance(raw, dict):
                return model
            if raw.get(tag) in typing.get_args(model.model_fields[tag].annotation):
                return model
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _describe(loc: tuple, raw: dict[str, Any]) -> tuple[str, list[str] | None]:
    """Dotted key for a pydantic error location (union tags dropped) and the keys allowed
    in the table that holds it."""
    model: type[BaseModel] | None = RunConfig
    annotation: Any = RunConfig
    node: Any = raw
    path: list[str] = []
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            args = typing.get_args(_strip(annotation))
            annotation, node = (args[0] if args else Any), node[part]
            model = _variant(annotation, node)
            path.append(str(part))
            continue
        if isinstance(node, dict) and part not in node and part in (node.get("name"),
                                                                      node.get("type")):
            continue  # a union tag pydantic inserts into the location
        path.append(str(part))
        if not isinstance(node, dict) or part not in node or model is None \
                or part not in model.model_fields:
            break
        annotation, node = model.model_fields[part].annotation, node[part]
        model = _variant(annotation, node)
    return ".".join(path), sorted(model.model_fields) if model is not None else None


def validate(raw: dict[str, Any], source: str = "config") -> RunConfig:
    """Validate a raw dict, turning pydantic's report into one line per bad key."""
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key, allowed = _describe(err["loc"], raw)
            if err["type"] == "extra_forbidden":
                parent = key.rsplit(".", 1)[0] if "." in key else "the top level"
                options = f"; allowed keys in {parent}: {', '.join(allowed)}" if allowed else ""
                lines.append(f"  {key}: unknown key (got {err['input']!r}){options}")
            elif err["type"] == "union_tag_invalid":
                ctx = err["ctx"]
                field = ctx["discriminator"].strip("'")
                lines.append(f"  {key}.{field}: unknown value {ctx['tag']!r}; allowed: "
                             f"{ctx['expected_tags']}")
            elif err["type"] == "missing":
                lines.append(f"  {key}: required key is missing")
            else:
                lines.append(f"  {key}: {err['msg']} (got {err['input']!r})")
        raise ConfigError(f"invalid {source}:\n" + "\n".join(lines)) from None


SHIPPED = Path(__file__).parents[1] / "configs"
"""The configs that ship inside the package (the repository's ``configs/`` holds copies)."""


def shipped_configs() -> list[str]:
    """Names of the configs shipped with chainrule (``digits_mlp``, ...)."""
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def find_config(name_or_path: str | Path) -> Path:
    """The config file ``name_or_path`` names: an existing file, else a shipped config
    (``"digits_mlp"`` or ``"digits_mlp.toml"``), else a ConfigError listing the shipped ones."""
    path = Path(name_or_path)
    if path.exists() or path.parent != Path("."):
        return path
    shipped = SHIPPED / (path.name if path.suffix == ".toml" else f"{path.name}.toml")
    if shipped.exists():
        return shipped
    raise ConfigError(f"config file {path} does not exist, and it is not one of the configs "
                      f"shipped with chainrule: {', '.join(shipped_configs())}")


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Read ``path`` (TOML; or a shipped config's name, see :func:`find_config`), apply
    ``key=value`` overrides and validate."""
    path = find_config(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    for assignment in overrides:
        apply_override(raw, assignment)
    return validate(raw, source=f"config {path}")


def to_toml(config: RunConfig) -> str:
    """Write a validated config back as TOML (the run directory's resolved config)."""
    return _dump(config.model_dump(mode="json", exclude_none=True))


def _key(key: str) -> str:
    """A TOML key: bare when it can be, else quoted (``"optimizer.lr"`` in ``[search.space]``
    is one key, not a path)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _dump(data: dict[str, Any]) -> str:
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    out = "\n".join(scalars) + ("\n" if scalars else "")
    for key, value in data.items():
        if isinstance(value, dict):
            body = [f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()]
            out += f"\n[{key}]\n" + "\n".join(body) + "\n"
    return out
