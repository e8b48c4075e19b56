"""Pure rules of the notifications context."""
