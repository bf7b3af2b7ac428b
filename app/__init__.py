"""The CRM application package."""
