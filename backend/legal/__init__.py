"""法律援助 — legal-aid booking: the four-level network of centres, lawyers' weekly schedules and the
slots they generate, bookings, reminders and consultation outcomes."""
