"""Tables of the billing context."""
