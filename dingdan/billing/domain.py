"""Pure rules of the billing context."""
