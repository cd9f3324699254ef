"""Posts and their photos, the publication log and takedowns.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from classlens.storage.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id"), nullable=False),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("acknowledged", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("submitted_at", UTCDateTime),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("rejection_reason", sa.Text),
        sa.Column("approval_snapshot", sa.Text),
        sa.Column("exported_at", UTCDateTime),
        sa.Column("exported_by", sa.String(100)),
        sa.Column("url", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("withdrawn_at", UTCDateTime),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "post_photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("photo_id", sa.Integer, sa.ForeignKey("photos.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("alt_text", sa.Text, nullable=False),
    )
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), nullable=False, index=True),
        sa.Column("photo_id", sa.Integer, sa.ForeignKey("photos.id"), nullable=False),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id"), nullable=False,
                  index=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("exported_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "takedowns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id"), nullable=False, index=True),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id"), nullable=False,
                  index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("closed_by", sa.String(100)),
    )


def downgrade() -> None:
    for table in ("takedowns", "publications", "post_photos", "posts"):
        op.drop_table(table)
