"""Domains: data and rules, no HTTP. Roles, public pages, the bot and tasks import these."""
