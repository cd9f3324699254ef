"""What recognition found and what a reviewer decided, kept apart; single-photo
exports in the publication log and its takedowns.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from classlens.storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("faces") as batch:
        batch.add_column(sa.Column("named_pupil_id", sa.Integer,
                                   sa.ForeignKey("pupils.id", name="fk_faces_named_pupil",
                                                 ondelete="SET NULL")))
        batch.add_column(sa.Column("correction_confirmed_by", sa.String(100)))
    # A reviewer's naming used to overwrite the recognition; move it to its own column.
    op.execute("UPDATE faces SET named_pupil_id = pupil_id, pupil_id = NULL, "
               "identified_by = NULL WHERE identified_by = 'reviewer'")
    with op.batch_alter_table("publications") as batch:
        batch.alter_column("post_id", existing_type=sa.Integer, nullable=True)
        batch.alter_column("pupil_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("exported_by", sa.String(100)))
        batch.add_column(sa.Column("withdrawn_at", UTCDateTime))
    with op.batch_alter_table("takedowns") as batch:
        batch.alter_column("post_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("publication_id", sa.Integer,
                                   sa.ForeignKey("publications.id",
                                                 name="fk_takedowns_publication")))


def downgrade() -> None:
    with op.batch_alter_table("takedowns") as batch:
        batch.drop_column("publication_id")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("exported_by")
    with op.batch_alter_table("faces") as batch:
        batch.drop_column("correction_confirmed_by")
        batch.drop_column("named_pupil_id")
