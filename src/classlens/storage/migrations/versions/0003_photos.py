"""Photos, their faces, and encrypted face templates of enrolled pupils.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from classlens.storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("library_path", sa.String(300), nullable=False),
        sa.Column("original_name", sa.String(300), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("captured_at", sa.DateTime),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id")),
        sa.Column("recognition", sa.Boolean, nullable=False),
    )
    op.create_table(
        "faces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("photo_id", sa.Integer, sa.ForeignKey("photos.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("left", sa.Integer, nullable=False),
        sa.Column("top", sa.Integer, nullable=False),
        sa.Column("right", sa.Integer, nullable=False),
        sa.Column("bottom", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id", ondelete="SET NULL"),
                  index=True),
        sa.Column("identified_by", sa.String(12)),
        sa.Column("match_note", sa.String(40)),
        sa.Column("distance", sa.Float),
        sa.Column("blur_forced", sa.Boolean, nullable=False),
        sa.Column("not_a_face", sa.Boolean, nullable=False),
        sa.Column("reviewed_by", sa.String(100)),
        sa.Column("review_reason", sa.Text),
    )
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("encrypted", sa.LargeBinary, nullable=False),
        sa.Column("reference_path", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    for table in ("templates", "faces", "photos"):
        op.drop_table(table)
