"""Telegram notifications: per-user switches and the journal that makes every send happen once."""
