"""Public pages for buyers: the landing, complex pages with the live grid, the request form."""
