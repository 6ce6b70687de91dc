"""Registry-scale discovery of candidate clusters: which county × industry pairs of an enterprise-year
file look like a characteristic industrial cluster (location quotients and strong-cluster flags, SME
shares, the indicator panel, growth) and how they fare against a rule set's quantitative screens.

The queries are Ibis expressions (:mod:`.queries`) that run on DuckDB here and on PostgreSQL for a
national deployment (docs/decisions/0011-candidate-discovery.md). No Django here.
"""
