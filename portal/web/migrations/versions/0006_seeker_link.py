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
    with op.batch_alter_table("booking_requests") as batch:
        batch.add_column(sa.Column("link_sha256", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_booking_requests_link_sha256", ["link_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("booking_requests") as batch:
        batch.drop_constraint("uq_booking_requests_link_sha256", type_="unique")
        batch.drop_column("link_sha256")
