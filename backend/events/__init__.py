"""联谊交友 — matchmaking events for single members: seats, quotas, waitlist, check-in, matches."""
