"""Model catalog v2: MoE shape and verification per model.

Revision ID: 0005_catalog_v2
Revises: 0004_owners
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_catalog_v2'
down_revision: str | None = '0004_owners'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOE_INTEGER_COLUMNS = ('moe_experts', 'moe_active_experts', 'moe_shared_experts', 'moe_expert_d_ff')


def upgrade() -> None:
    with op.batch_alter_table('catalog_models', schema=None) as batch_op:
        for name in MOE_INTEGER_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('d_ff_per_expert', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('moe_dense_layers', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('catalog_models', schema=None) as batch_op:
        batch_op.drop_column('moe_dense_layers')
        batch_op.drop_column('d_ff_per_expert')
        for name in reversed(MOE_INTEGER_COLUMNS):
            batch_op.drop_column(name)
