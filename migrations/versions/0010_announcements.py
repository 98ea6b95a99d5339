"""announcements: 工会公告 published by a union node to its subtree

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 07:22:56.617070

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # The member feed reads the few ancestor nodes' notices, newest first: (org_id, published_at).
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql"), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql"), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_announcements_org_id_orgs")),
        sa.ForeignKeyConstraint(
            ["published_by"], ["staff.id"], name=op.f("fk_announcements_published_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index("ix_announcements_org_published", ["org_id", "published_at"], unique=False)


def downgrade():
    # Dropping the table drops its indexes (MariaDB refuses to drop the one its org_id key uses).
    op.drop_table("announcements")
