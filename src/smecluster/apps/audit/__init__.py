"""Append-only audit events: who did what to which record, before and after, why, when, in which request."""
