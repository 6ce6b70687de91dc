"""Migration monitoring 0002 (issue 14): the analyst's texts saved per scope and year before reports were
scoped by programme go to the programme the scope's report covers now, and are kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from smecluster.apps.accounts.models import User
from smecluster.apps.monitoring.models import ReportDraft
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import RecognizedCluster

# Schema changes need the migrations outside the test's transaction. No serialized rollback: the suite's
# other transactional tests flush as this one does (the content types come back with the flush's
# post_migrate), and restoring a serialized copy on top of those collides with them.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("monitoring", "0001_initial")]
AFTER = [("monitoring", "0002_report_draft_per_programme")]


def test_existing_drafts_go_to_the_programme_their_scope_now_covers(
    mon_people: dict[str, User],
    mon_clusters: dict[str, RecognizedCluster],
    mon_national_cluster: RecognizedCluster,
) -> None:
    provincial = mon_clusters["shunde"].programme
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("monitoring", "ReportDraft")
    author = mon_people["province_admin"].pk
    old.objects.create(scope_id="440000", year=2024, texts={"measures": "省级文稿"}, updated_by_id=author)
    old.objects.create(scope_id="440600", year=2024, texts={"measures": "市级文稿"}, updated_by_id=author)
    old.objects.create(scope_id="100000", year=2024, texts={"measures": "全国文稿"}, updated_by_id=author)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    kept = {draft.scope_id: (draft.programme_id, draft.texts) for draft in ReportDraft.objects.all()}
    national = Programme.objects.get(owner__isnull=True)
    assert kept == {
        "440000": (provincial.pk, {"measures": "省级文稿"}),
        "440600": (provincial.pk, {"measures": "市级文稿"}),
        "100000": (national.pk, {"measures": "全国文稿"}),
    }
