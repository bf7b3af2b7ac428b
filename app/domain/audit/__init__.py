"""Append-only audit log of every change to money, inventory, bookings, leads and users."""
