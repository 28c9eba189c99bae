"""The base every contract shares: frozen, no unknown fields, a schema version.

Version 2 added ``duplicate_of`` and ``duplicate_similarity`` to the clean article (and so to
the result). Producers may still send raw articles as version 1: their fields did not change.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION: Literal[2] = 2


class Contract(BaseModel):
    """A message that crosses a process boundary. Immutable and strict about its fields.

    Each contract declares ``schema_version``: ``SCHEMA_VERSION`` for what newsflow writes.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
