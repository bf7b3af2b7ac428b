"""Contracts (договоры) made from bookings, with their payment schedules."""
