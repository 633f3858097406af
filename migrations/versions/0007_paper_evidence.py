"""Papers as data: verification status on every stored number.

Revision ID: 0007_paper_evidence
Revises: 0006_misreadings
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007_paper_evidence'
down_revision: str | None = '0006_misreadings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('paper_tables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_metrics', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('chart_caption', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reference_spread_source', sa.Text(), nullable=True))

    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('verification', sa.String(length=16), server_default='two-source', nullable=False)
        )
        batch_op.add_column(sa.Column('verification_rule', sa.Text(), nullable=True))
        batch_op.alter_column('value', existing_type=sa.Float(), nullable=True)
        batch_op.alter_column('training_steps', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.alter_column('training_steps', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('value', existing_type=sa.Float(), nullable=False)
        batch_op.drop_column('verification_rule')
        batch_op.drop_column('verification')

    with op.batch_alter_table('paper_tables', schema=None) as batch_op:
        batch_op.drop_column('reference_spread_source')
        batch_op.drop_column('chart_caption')
        batch_op.drop_column('chart_metrics')

    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_column('position')
