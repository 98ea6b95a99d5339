"""participation_rollups, member_rollups: per-org, per-month counts an assessment reads instead of the facts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 09:00:00.000000

The tables start empty; fill them from the existing facts and members with ``flask rollups rebuild``.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "participation_rollups",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("facts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "month", "org_id", name=op.f("pk_participation_rollups")),
    )
    op.create_table(
        "member_rollups",
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "org_id", name=op.f("pk_member_rollups")),
    )


def downgrade():
    op.drop_table("member_rollups")
    op.drop_table("participation_rollups")
