"""Bookings: one apartment held for one lead until it expires, is cancelled or becomes a contract."""
