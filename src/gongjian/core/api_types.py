"""Types for the API's inputs that the databases can hold: a number past a 64-bit integer is
refused by validation (422, naming the field) on both databases, instead of an OverflowError
on SQLite and an empty answer on PostgreSQL."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""A row's primary key."""

Count = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
"""Any other integer that is stored or compared in the database (versions, limits)."""
