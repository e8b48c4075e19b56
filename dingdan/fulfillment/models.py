"""Tables of the fulfillment context."""
