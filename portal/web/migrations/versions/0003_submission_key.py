"""Submission key on booking requests: a repeated submit of one check-answers page stores one row.

Revision ID: 0003_submission_key
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_submission_key"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking_requests") as batch:
        batch.add_column(sa.Column("submission_key", sa.String(32), nullable=True))
        batch.create_unique_constraint("uq_booking_requests_submission_key", ["submission_key"])


def downgrade() -> None:
    with op.batch_alter_table("booking_requests") as batch:
        batch.drop_constraint("uq_booking_requests_submission_key", type_="unique")
        batch.drop_column("submission_key")
