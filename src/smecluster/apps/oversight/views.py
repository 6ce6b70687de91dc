"""Pages of dynamic management."""
