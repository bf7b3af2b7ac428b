"""Sales reports for the ROP: monthly plans per salesperson, plan against fact, the funnel and team KPIs."""
