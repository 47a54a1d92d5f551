"""The seeker's private link: booking_requests.link_sha256 holds the SHA-256 of the random token
in the link the confirmation page gives (the token itself is never stored). NULL for requests
staff took, for requests made before this revision, and once the retention purge has run.

Revision ID: 0006_seeker_link
Revises: 0005_staff_records
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_seeker_link"
down_revision = "0005_staff_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column and a unique index, not a batch rebuild: on SQLite a batch copies the
    # whole table, which took over half an hour at 3 M requests; this is instant on both engines.
    op.add_column("booking_requests", sa.Column("link_sha256", sa.String(64), nullable=True))
    op.create_index("ix_booking_requests_link_sha256", "booking_requests", ["link_sha256"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_booking_requests_link_sha256", table_name="booking_requests")
    with op.batch_alter_table("booking_requests") as batch:
        batch.drop_column("link_sha256")
