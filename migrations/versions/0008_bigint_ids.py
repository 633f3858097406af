"""64-bit ids on PostgreSQL: every integer id, the keys that point at one, and job event numbers.

The API accepts ids up to 2^63 - 1; a 32-bit column made larger ones a database error. SQLite's
INTEGER PRIMARY KEY is already 64-bit (and must stay INTEGER to autoincrement), so this is a no-op there.
The sequences behind the serial ids are widened too, or they would stop at 2^31 - 1.

Revision ID: 0008_bigint_ids
Revises: 0007_paper_evidence
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_bigint_ids"
down_revision: str | None = "0007_paper_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> its integer id columns (primary keys first, then the keys that refer to them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "dataset_info": ("id",),
    "paper_facts": ("id",),
    "paper_tables": ("id",),
    "results": ("id", "table_id"),
    "architecture_facts": ("id",),
    "threads": ("id",),
    "posts": ("id", "thread_id", "parent_id"),
    "post_quotes": ("post_id", "quoted_post_id"),
    "job_events": ("id", "seq"),
}
#: Tables whose ``id`` is fed by a sequence (SERIAL).
SERIAL_IDS = (
    "dataset_info",
    "paper_facts",
    "paper_tables",
    "results",
    "architecture_facts",
    "threads",
    "posts",
    "job_events",
)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _alter(new: sa.types.TypeEngine, old: sa.types.TypeEngine, sequence_type: str) -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=new, existing_type=old)
    for table in SERIAL_IDS:
        sequence = op.get_bind().scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        if sequence:
            op.execute(f"ALTER SEQUENCE {sequence} AS {sequence_type}")


def upgrade() -> None:
    if _on_postgresql():
        _alter(sa.BigInteger(), sa.Integer(), "bigint")


def downgrade() -> None:
    # Fails (as it should) when a stored id no longer fits 32 bits.
    if _on_postgresql():
        _alter(sa.Integer(), sa.BigInteger(), "integer")
