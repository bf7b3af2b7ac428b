"""Public pages for buyers: the landing (complexes join with the inventory capability)."""
