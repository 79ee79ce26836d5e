"""How a part of the model declares its parameters (Starsim's ``define_pars``).

Every submodel file declares a small :class:`Params` model beside its ``step``: each
field a parameter with its default, allowed range, unit, one-line meaning and, where
the value or the form comes from somewhere, its source. The scenario schema
(``scenario.py``) is assembled from these declarations, and the parameter tables in
``docs/`` are generated from them, so a parameter is written down exactly once.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Params(BaseModel):
    """A strict parameter table: unknown keys and wrong types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


def par(
    default: Any,
    *,
    doc: str,
    unit: str,
    ge: float | None = None,
    le: float | None = None,
    source: str = "assumption",
) -> Any:
    """One parameter: default, allowed range ``[ge, le]``, unit, meaning and source.

    ``source`` says where the value (or the form of the mechanism) comes from: a
    citation, the paper, or ``"assumption"`` for a modelling choice.
    """
    return Field(
        default, ge=ge, le=le, description=doc, json_schema_extra={"unit": unit, "source": source}
    )
