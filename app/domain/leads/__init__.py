"""Leads: buyers' requests, one lead per phone, and (later) the sales pipeline."""
