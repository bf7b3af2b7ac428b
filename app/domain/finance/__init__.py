"""Finance: payments against contract schedules, exchange rates, debts and cash flow."""
