"""Response models of the probes and the dataset version."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed


class Health(Closed):
    status: str
    version: str


class Readiness(Closed):
    status: str
    migration: list[str] = Field(description="The migration head the database is at.")


class DatasetVersion(Closed):
    version: str | None
    revision: int
    loaded_at: str | None
    content_sha256: str | None
