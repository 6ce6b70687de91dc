"""The registry's writes, one module per subject; each function owns its transaction and its audit event.

* ``recognition``: the owner's decision on each shortlisted application (认定), numbers and validity;
* ``plan_targets``: a recognized cluster's development plan targets, editable until the first report;
* ``annual_reports``: the yearly report's workflow (fill in, submit, return, forward, receive);
* ``assessments``: the owner's yearly assessment (考核) of a cluster, proposed from the programme's criteria;
* ``re_reviews``: the re-review before the validity ends (file, recommend, decide);
* ``duties``: what the daily ``smecluster tick`` does for dynamic management.

Import the module you need (``from smecluster.apps.registry.services import annual_reports``); this package
re-exports nothing.
"""
