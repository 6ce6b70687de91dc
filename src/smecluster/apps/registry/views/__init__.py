"""The registry's pages, one module per subject: ``recognition`` (the owner's decision, the notice PDF, the
certificate), ``clusters`` (a recognized cluster's record), ``plan_targets``, ``annual_reports``,
``re_reviews``, ``public`` (the published list and profiles anonymous visitors see) and ``history`` (the
audit trail shown on a report's and a re-review's page). ``registry/urls.py`` imports each module; this
package re-exports nothing.
"""
