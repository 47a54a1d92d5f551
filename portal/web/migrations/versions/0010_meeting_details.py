"""Meeting details (URL, meeting ID, passcode) of a confirmed appointment: personal data,
blanked by the retention purge with the request.

Revision ID: 0010_meeting_details
Revises: 0008_outbox
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_meeting_details"
down_revision = "0008_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("meeting_url", sa.String(500), nullable=True))
        batch.add_column(sa.Column("meeting_id", sa.String(50), nullable=True))
        batch.add_column(sa.Column("meeting_passcode", sa.String(50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("meeting_passcode")
        batch.drop_column("meeting_id")
        batch.drop_column("meeting_url")
