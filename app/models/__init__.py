"""All tables, split by domain; importing this package registers every table on ``Base.metadata``."""

from app.models.base import Base
from app.models.reference import (
    ArchitectureFact,
    CatalogModel,
    DatasetInfo,
    Paper,
    PaperFact,
    PaperTable,
    Result,
    Variant,
)

__all__ = [
    "ArchitectureFact",
    "Base",
    "CatalogModel",
    "DatasetInfo",
    "Paper",
    "PaperFact",
    "PaperTable",
    "Result",
    "Variant",
]
