"""Telegram: linked chats, one-time link codes, the webhook's seen updates."""
