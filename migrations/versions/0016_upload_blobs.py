"""upload_blobs: uploaded files kept in the database, so every API host serves every file

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03 06:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload_blobs",
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql"), nullable=False),
        sa.Column("created_at", sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql"), nullable=False),
        sa.PrimaryKeyConstraint("storage_key", "part", name=op.f("pk_upload_blobs")),
    )


def downgrade():
    op.drop_table("upload_blobs")
