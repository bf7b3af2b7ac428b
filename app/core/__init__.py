"""What every layer may use and that knows no HTTP: errors, paging, the clock, money arithmetic."""
