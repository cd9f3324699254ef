"""Posts remember who changed them last, for "changed by X at T" messages.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("updated_by", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("updated_by")
