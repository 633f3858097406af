"""Model catalog v2: MoE shape and verification per model.

Revision ID: 0005_catalog_v2
Revises: 0004_owners
"""

from collections.abc import Sequence

revision: str = '0005_catalog_v2'
down_revision: str | None = '0004_owners'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
