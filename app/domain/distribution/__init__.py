"""Automatic lead distribution: weighted round robin among salespeople on shift."""
