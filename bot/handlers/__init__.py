"""The bot's routers, one per feature, each built fresh by its factory (a Router joins one Dispatcher)."""
