"""Staff: the team as the dashboards see it (attendance joins later)."""
