"""All tables, split by domain; importing this package registers every table on ``Base.metadata``."""

from app.orm.base import Base
from app.orm.jobs import Job, JobEvent, JobSubmitter
from app.orm.misreadings import Misreading
from app.orm.reference import (
    ArchitectureFact,
    CatalogModel,
    DatasetInfo,
    Paper,
    PaperFact,
    PaperTable,
    Result,
    Variant,
)
from app.orm.threads import Post, PostQuote, Thread

__all__ = [
    "ArchitectureFact",
    "Base",
    "CatalogModel",
    "DatasetInfo",
    "Job",
    "JobEvent",
    "JobSubmitter",
    "Misreading",
    "Paper",
    "PaperFact",
    "PaperTable",
    "Post",
    "PostQuote",
    "Result",
    "Thread",
    "Variant",
]
