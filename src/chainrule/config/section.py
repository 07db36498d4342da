"""The base of every config table (unknown keys are errors, not silently dropped) and
:func:`tagged_union`, which turns a table of variants into strict models and their union.
"""

from __future__ import annotations

import functools
import operator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

NonNegFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, lt=1)]
Probability = Annotated[float, Field(ge=0, le=1)]

Options = dict[str, tuple[Any, Any]]
"""A variant's options: ``{option: (annotation, default)}``, default ``...`` when required."""


class Section(BaseModel):
    """A config table: every key must be a declared field (``extra="forbid"``)."""

    model_config = ConfigDict(extra="forbid")


def variant_model(tag_key: str, tag: str, options: Options, *, suffix: str, doc: str = "",
                  module: str = __name__) -> type[Section]:
    """The strict model of one variant: ``tag_key`` must equal ``tag``, the options are its
    only other keys. Its class name is ``tag`` in CamelCase plus ``suffix``."""
    title = "".join(part.capitalize() for part in tag.split("_")) + suffix
    model = create_model(title, __base__=Section, __module__=module,
                         **{tag_key: (Literal[tag], ...)}, **options)
    model.__doc__ = doc or f"The ``{tag}`` variant."
    return model


def tagged_union(tag_key: str, variants: dict[str, tuple[str, Options]], *, suffix: str,
                 module: str) -> tuple[dict[str, type[Section]], Any]:
    """``(models, Union)`` for a table ``{tag: (docstring, options)}``: one strict model per
    variant (:func:`variant_model`) and their union discriminated on ``tag_key``, so a key
    another variant accepts (``{name = "flip", degrees = 30}``) is an error naming it."""
    models = {tag: variant_model(tag_key, tag, options, suffix=suffix, doc=doc, module=module)
              for tag, (doc, options) in variants.items()}
    union = Annotated[functools.reduce(operator.or_, models.values()),
                      Field(discriminator=tag_key)]
    return models, union
