"""工会考核 — assessments: rubrics, set-based runs, results."""
