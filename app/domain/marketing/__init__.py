"""Marketing: expense categories, expenses with receipts, campaigns and their figures."""
