"""Common misreadings as stored, cited data.

Revision ID: 0006_misreadings
Revises: 0005_catalog_v2
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006_misreadings'
down_revision: str | None = '0005_catalog_v2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'misreadings',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('wrong', sa.Text(), nullable=False),
        sa.Column('right', sa.Text(), nullable=False),
        sa.Column('shows_up', sa.Text(), nullable=False),
        sa.Column('concerns', sa.JSON(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_misreadings')),
    )


def downgrade() -> None:
    op.drop_table('misreadings')
