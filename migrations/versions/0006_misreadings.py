"""Common misreadings as stored, cited data.

Revision ID: 0006_misreadings
Revises: 0005_catalog_v2
"""

from collections.abc import Sequence

revision: str = '0006_misreadings'
down_revision: str | None = '0005_catalog_v2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
