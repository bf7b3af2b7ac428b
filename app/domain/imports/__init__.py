"""Imports by admins: CSV and XLSX files of apartments and leads, previewed, then applied."""
