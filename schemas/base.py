"""The base every contract shares: frozen, no unknown fields, a schema version."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION: Literal[1] = 1


class Contract(BaseModel):
    """A message that crosses a process boundary. Immutable and strict about its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
