"""Parents' contacts, follower decisions and weekly checks, account checklist,
removal requests, post kinds and staff display names.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from classlens.storage.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("relationship", sa.String(60), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("imported_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "follower_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False,
                  index=True),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200)),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("verdict", sa.String(10)),
        sa.Column("reason", sa.Text),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "follower_checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("sample", sa.Text, nullable=False),
        sa.Column("drawn_by", sa.String(100), nullable=False),
        sa.Column("drawn_at", UTCDateTime, nullable=False),
        sa.Column("done_by", sa.String(100)),
        sa.Column("done_at", UTCDateTime),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("channel_id", "week_start"),
    )
    op.create_table(
        "account_confirmations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("item", sa.String(40), nullable=False),
        sa.Column("term", sa.String(20), nullable=False),
        sa.Column("confirmed_by", sa.String(100), nullable=False),
        sa.Column("confirmed_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("channel_id", "item", "term"),
    )
    op.create_table(
        "removal_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id")),
        sa.Column("pupil_id", sa.Integer, sa.ForeignKey("pupils.id")),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("posts", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("closed_by", sa.String(100)),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("note", sa.Text),
    )
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False,
                                   server_default="general"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("kind")
    for table in ("removal_requests", "account_confirmations", "follower_checks",
                  "follower_decisions", "contacts"):
        op.drop_table(table)
