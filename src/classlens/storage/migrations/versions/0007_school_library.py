"""The school remembers where its shared photo library is.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.add_column(sa.Column("library_path", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.drop_column("library_path")
