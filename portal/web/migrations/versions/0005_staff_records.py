"""The staff console as the office's record: how a request came in, a memo, undo of status changes.

booking_requests.channel: portal (the seeker's own request), phone, counter or session (taken
by staff); booking_requests.memo: staff's free text (personal data, purged with the request);
consents.method: portal, oral or paper; request_events.from_status and undone_at: what an
action changed, so staff can undo it the same day exactly once.

Revision ID: 0005_staff_records
Revises: 0003_submission_key
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_staff_records"
down_revision = "0003_submission_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking_requests") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False, server_default="portal"))
        batch.add_column(sa.Column("memo", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("method", sa.String(20), nullable=False, server_default="portal"))
    with op.batch_alter_table("request_events") as batch:
        batch.add_column(sa.Column("from_status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("undone_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.drop_column("undone_at")
        batch.drop_column("from_status")
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("method")
    with op.batch_alter_table("booking_requests") as batch:
        batch.drop_column("memo")
        batch.drop_column("channel")
