"""Inventory: residential complexes, buildings, apartments and drawn floor grids."""
