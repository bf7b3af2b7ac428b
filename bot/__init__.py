"""The Telegram bot for salespeople (aiogram 3): linking, leads, attendance, new leads.

It shares the domain CRUD with the web, never its HTTP handlers. `python -m bot` runs long
polling; in webhook mode the app serves POST /telegram/webhook (bot/webhook.py).
"""
