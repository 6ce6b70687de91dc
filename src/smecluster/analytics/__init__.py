"""Analytics of the domain core: figures computed from records, without Django (scoring of expert reviews)."""
