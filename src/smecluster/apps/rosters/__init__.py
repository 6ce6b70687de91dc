"""Enterprise rosters of applications and recognized clusters, versioned, with their computed figures."""
