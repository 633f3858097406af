"""Papers as data: verification status on every stored number.

Revision ID: 0007_paper_evidence
Revises: 0006_misreadings
"""

from collections.abc import Sequence

revision: str = '0007_paper_evidence'
down_revision: str | None = '0006_misreadings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
