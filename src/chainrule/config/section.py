"""The base of every config section: unknown keys are errors, not silently dropped."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NonNegFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, lt=1)]
Probability = Annotated[float, Field(ge=0, le=1)]


class Section(BaseModel):
    """A config table: every key must be a declared field (``extra="forbid"``)."""

    model_config = ConfigDict(extra="forbid")
