"""Who queued each job (a pseudonym), so the per-client quota of unfinished jobs is counted in the database.

The quota was kept in each API process's memory: two processes (or a restart) each allowed a client its
full quota. Jobs queued before this revision have no submitter row and count against nobody.

Revision ID: 0010_job_submitters
Revises: 0009_thread_search
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_job_submitters"
down_revision: str | None = "0009_thread_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_submitters",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_submitters_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_submitters")),
    )
    op.create_index(op.f("ix_job_submitters_client_hash"), "job_submitters", ["client_hash"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_job_submitters_client_hash"), table_name="job_submitters")
    op.drop_table("job_submitters")
