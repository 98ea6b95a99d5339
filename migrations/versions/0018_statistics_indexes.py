"""covering indexes for 统计 at city scale and the assessment's pass over the rollups

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:30:00.000000

A city's statistics read each union's cases, wages recovered and members through these indexes
without touching the rows; an assessment reads the rollups in (kind, org) order.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

INDEXES = (
    ("aid_requests", "ix_aid_requests_org_submitted", ["org_id", "submitted_at", "status", "due_at"]),
    ("wage_claims", "ix_wage_claims_org_submitted", ["org_id", "submitted_at", "status", "due_at"]),
    (
        "wage_claims",
        "ix_wage_claims_org_recovered",
        ["org_id", "status", "resolved_at", "amount_recovered", "workers_paid"],
    ),
    ("members", "ix_members_org_status_type", ["org_id", "status", "worker_type", "joined_at"]),
    ("participation_rollups", "ix_participation_rollups_kind_org", ["kind", "org_id", "month", "facts"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(name)
