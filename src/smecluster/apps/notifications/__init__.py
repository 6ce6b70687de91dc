"""Notifications in the page and by e-mail, sent only after the change that caused them commits."""
