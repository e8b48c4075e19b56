"""Pure decisions of this context (no ORM, clock or settings)."""
