"""Reference data the programme's rules refer to (administrative divisions), shipped with the package."""
