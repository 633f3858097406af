"""What the response models share: closed objects (an undeclared key fails the schema) and the list envelope."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Closed(BaseModel):
    """A response object whose keys are exactly its fields (``additionalProperties: false``)."""

    model_config = ConfigDict(extra="forbid")


class PageFields(Closed):
    """The pagination envelope around ``items``: the total before paging and the URL of the next page."""

    total: int = Field(description="Items matching, before limit and offset.")
    limit: int
    offset: int
    next: str | None = Field(description="The next page's path and query, or null on the last page.")
