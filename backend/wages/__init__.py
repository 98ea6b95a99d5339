"""欠薪求助 — migrant workers' unpaid-wage claims: the form, priority, clusters and early warning,
the staff flow from acceptance through mediation and referral to the outcome."""
