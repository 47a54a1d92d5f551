"""An index on (office, status) of booking requests: the staff home counts open requests of each
office without walking every office's requests of that status.

Revision ID: 0007_office_status_index
Revises: 0005_staff_records
"""
from alembic import op

revision = "0007_office_status_index"
down_revision = "0005_staff_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_booking_requests_office_status", "booking_requests", ["office_slug", "status"],
                    if_not_exists=True)  # a run killed after the index, before the stamp, can re-run


def downgrade() -> None:
    op.drop_index("ix_booking_requests_office_status", table_name="booking_requests", if_exists=True)
