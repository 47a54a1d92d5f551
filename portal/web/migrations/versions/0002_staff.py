"""Staff console: accounts, office access, server-side sessions, appointments, events, audit log.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "staff_offices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("office_slug", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.UniqueConstraint("user_id", "office_slug"),
    )
    op.create_index("ix_staff_offices_user_id", "staff_offices", ["user_id"])
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "appointments",
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("booking_requests.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("office_slug", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place_no", sa.Integer(), nullable=True),
        sa.Column("details_channel", sa.String(20), nullable=True),
        sa.Column("details_sent_at", sa.DateTime(), nullable=True),
        sa.Column("previous_request_id", sa.Integer(),
                  sa.ForeignKey("booking_requests.id", ondelete="SET NULL"), nullable=True),
        sa.UniqueConstraint("office_slug", "starts_at", "place_no", name="uq_appointment_place"),
    )
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("booking_requests.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("same_day", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_request_events_request_id", "request_events", ["request_id"])
    op.create_table(
        "request_purges",
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("booking_requests.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("office_slug", sa.String(64), nullable=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_staff_id", "audit_log", ["staff_id"])


def downgrade() -> None:
    for table in ("audit_log", "request_purges", "request_events", "appointments", "staff_sessions",
                  "staff_offices", "staff_users"):
        op.drop_table(table)
