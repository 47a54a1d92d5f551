"""Booking requests, preferred slots, consents and the terms texts they are pinned to.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terms_versions",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("office_slug", sa.String(64), nullable=False),
        sa.Column("revision_label", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_terms_versions_office_slug", "terms_versions", ["office_slug"])
    op.create_table(
        "booking_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("office_slug", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kana", sa.String(100), nullable=False),
        sa.Column("seeker_number", sa.String(20), nullable=False),
        sa.Column("seeker_number_typed", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("phone_typed", sa.String(40), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("companions", sa.String(100), nullable=False),
        sa.Column("companion_note", sa.Text(), nullable=False),
        sa.Column("eligibility", sa.String(400), nullable=False),
    )
    op.create_index("ix_booking_requests_office_slug", "booking_requests", ["office_slug"])
    op.create_index("ix_booking_requests_status", "booking_requests", ["status"])
    op.create_table(
        "preferred_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(),
                  sa.ForeignKey("booking_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("request_id", "rank"),
    )
    op.create_index("ix_preferred_slots_request_id", "preferred_slots", ["request_id"])
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(),
                  sa.ForeignKey("booking_requests.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("terms_sha256", sa.String(64), sa.ForeignKey("terms_versions.sha256"), nullable=False),
        sa.Column("revision_label", sa.String(100), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_consents_terms_sha256", "consents", ["terms_sha256"])


def downgrade() -> None:
    op.drop_table("consents")
    op.drop_table("preferred_slots")
    op.drop_table("booking_requests")
    op.drop_table("terms_versions")
