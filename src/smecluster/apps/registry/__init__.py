"""Recognized clusters: their recognition numbers and validity, and the published list."""
