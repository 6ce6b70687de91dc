"""Programmes (a rule set and a chain of review levels), their yearly calls, and cultivation pools."""
