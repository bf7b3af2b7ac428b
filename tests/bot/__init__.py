"""Bot tests: updates through the webhook against a local stand-in of the Bot API."""
