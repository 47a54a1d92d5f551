"""The outbox of e-mails (portal.web.outbox): each row written in the transaction of the event
that causes it, sent later by `python -m portal.web.outbox` with retries.

Revision ID: 0008_outbox
Revises: 0007_office_status_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_outbox"
down_revision = "0007_office_status_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_slug", sa.String(64), nullable=False),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("booking_requests.id", ondelete="CASCADE"), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("ics", sa.Text, nullable=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("claimed_at", sa.DateTime, nullable=True),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.Column("error", sa.String(300), nullable=False),
    )
    op.create_index("ix_outbox_office_status", "outbox", ["office_slug", "status"])
    op.create_index("ix_outbox_request_id", "outbox", ["request_id"])
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox")
