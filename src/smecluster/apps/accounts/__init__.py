"""People and places: users with a role bound to a jurisdiction (province > city > county)."""
