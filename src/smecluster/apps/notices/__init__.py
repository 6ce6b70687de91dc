"""Public notice (公示) of the shortlist for N working days, and real-name objections (实名异议)."""
