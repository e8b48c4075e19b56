"""Pure rules of the fulfillment context."""
