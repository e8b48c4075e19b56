"""Public pages of the back office (no login): the customer's order tracking page."""
