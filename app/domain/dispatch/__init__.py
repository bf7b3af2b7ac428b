"""Service dispatch: technicians, work orders on apartments and their buyers, the schedule."""
