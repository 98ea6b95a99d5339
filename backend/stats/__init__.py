"""统计 — statistics of a subtree and their export."""
