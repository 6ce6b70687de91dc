"""Django apps, one per area; each owns its models, services (writes), selectors (reads) and views."""
