"""The owner's selection: screening under the rule set, the indicator system, experts and their scores,
aggregation, the ranked shortlist within the quota, frozen by a content hash."""
