"""The city's part: acceptance, initial review, on-site spot checks, recommendation within the quota."""
