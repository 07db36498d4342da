"""The ``[model]`` section's layers, derived from the layer registry (:mod:`chainrule.nn.registry`).

Each registered kind becomes a strict pydantic model: ``type`` is its tag, its
options are its fields (with their defaults and bounds), and nothing else is
allowed. ``LayerConfig`` is the union of them all, discriminated on ``type``.
A kind registered in ``nn`` is therefore a valid config layer with no edit here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from chainrule.config.section import Options, Section, tagged_union, variant_model
from chainrule.nn import registry


def layer_options(kind: registry.LayerKind) -> Options:
    """One layer kind's config options ``{name: (annotation with its bounds, default)}``."""
    return {name: (Annotated[option.annotation, Field(**option.bounds)] if option.bounds
                   else option.annotation, ... if option.required else option.default)
            for name, option in kind.options.items()}


def layer_model(kind: registry.LayerKind) -> type[Section]:
    """The strict pydantic model of one layer kind's config table."""
    return variant_model("type", kind.name, layer_options(kind), suffix="Layer",
                         doc=_doc(kind.name), module=__name__)


def _doc(name: str) -> str:
    return f"A ``{name}`` layer's table."


def options_of(layer: Section) -> dict[str, Any]:
    """A validated layer's options (defaults filled in), without its ``type`` tag."""
    return {name: getattr(layer, name) for name in type(layer).model_fields if name != "type"}


LAYER_MODELS, LayerConfig = tagged_union(
    "type", {name: (_doc(name), layer_options(kind))
             for name, kind in registry.kinds().items()}, suffix="Layer", module=__name__)
"""One layer table: any registered kind, chosen by its ``type``."""
