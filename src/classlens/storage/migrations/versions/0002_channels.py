"""Channels: where posts go, each mapped to a consent category and a platform.

A school created before channels existed gets one channel per consent
category, named after it, like a fresh school.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of the categories and their default platforms at this revision:
# migrations must not change meaning when the application code moves on.
DEFAULT_CHANNELS = (
    ("website", "website", "website"),
    ("social_public", "social_public", "x"),
    ("social_private", "social_private", "x"),
    ("newsletter", "newsletter", "newsletter"),
    ("press", "press", "other"),
    ("display", "display", "other"),
    ("video", "video", "other"),
)


def upgrade() -> None:
    channels = op.create_table(
        "channels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
    )
    has_school = op.get_bind().execute(sa.text("SELECT count(*) FROM school")).scalar()
    if has_school:
        op.bulk_insert(
            channels,
            [dict(name=n, category=c, platform=p) for n, c, p in DEFAULT_CHANNELS],
        )


def downgrade() -> None:
    op.drop_table("channels")
