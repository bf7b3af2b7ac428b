"""The web layer shared by every router: templates, errors, pagination, i18n, export."""
