"""Accounts, roles and permissions, sessions, CSRF and login."""
