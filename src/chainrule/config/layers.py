"""The ``[model]`` section's layers, derived from the layer registry (:mod:`chainrule.nn.registry`).

Each registered kind becomes a strict pydantic model: ``type`` is its tag, its
options are its fields (with their defaults and bounds), and nothing else is
allowed. ``LayerConfig`` is the union of them all, discriminated on ``type``.
A kind registered in ``nn`` is therefore a valid config layer with no edit here.
"""

from __future__ import annotations

import functools
import operator
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from chainrule.config.section import Section
from chainrule.nn import registry


def layer_model(kind: registry.LayerKind) -> type[Section]:
    """The strict pydantic model of one layer kind's config table."""
    fields: dict[str, Any] = {"type": (Literal[kind.name], ...)}
    for name, option in kind.options.items():
        annotation = Annotated[option.annotation, Field(**option.bounds)] if option.bounds \
            else option.annotation
        fields[name] = (annotation, ... if option.required else option.default)
    title = "".join(part.capitalize() for part in kind.name.split("_")) + "Layer"
    return create_model(title, __base__=Section, __module__=__name__, **fields)


def options_of(layer: Section) -> dict[str, Any]:
    """A validated layer's options (defaults filled in), without its ``type`` tag."""
    return {name: getattr(layer, name) for name in type(layer).model_fields if name != "type"}


LAYER_MODELS: dict[str, type[Section]] = {name: layer_model(kind)
                                          for name, kind in registry.kinds().items()}
LayerConfig = Annotated[functools.reduce(operator.or_, LAYER_MODELS.values()),
                        Field(discriminator="type")]
"""One layer table: any registered kind, chosen by its ``type``."""
