"""``smecluster tick`` over clusters in every situation: the first run proposes what is due, the second
run as of the same day reports nothing new, through ``run_tick`` and through the command with ``--json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.oversight import services
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.oversight.tick import run_tick
from smecluster.apps.registry.models import AnnualReport, RecognizedCluster, ReReview
from smecluster.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def ov_every_situation(
    web_users: dict[str, User],
    ov_cluster: RecognizedCluster,
    ov_more_clusters: Callable[[], RecognizedCluster],
) -> dict[str, RecognizedCluster]:
    """On time; a report flagged overdue; a change found without a filing (recorded as a fact without its
    proposal, as if the proposal had been lost); an incident above threshold (the same); expired without
    re-review; re-review failed."""
    today = timezone.localdate()
    clusters = {
        "on_time": ov_cluster,
        **{key: ov_more_clusters() for key in ("late", "unfiled", "incident", "expired", "failed")},
    }
    AnnualReport.objects.create(
        cluster=clusters["late"], year=today.year - 1, due_on=today - timedelta(days=3),
        opened_on=today - timedelta(days=60), overdue_flagged_on=today - timedelta(days=2),
    )  # fmt: skip
    services.change_record_unfiled(
        actor=web_users["city_officer"], cluster=clusters["unfiled"], kind="operating_agency",
        new_value={"operating_agency": "某某园区运营公司"}, effective_on=today - timedelta(days=90),
        found_on=today, source="实地核查",
    )  # fmt: skip
    services.incident_record(
        actor=web_users["province_admin"], cluster=clusters["incident"], kind="environment_accident",
        level="较大", occurred_on=today, source="生态环境局通报",
        description="废水超标排放",
    )  # fmt: skip
    # The two proposals made on recording are withdrawn from the table so the sweep has to find them.
    RevocationProposal.objects.all().delete()
    RecognizedCluster.objects.filter(pk=clusters["expired"].pk).update(
        status=RecognizedCluster.Status.EXPIRED, valid_until=today - timedelta(days=1)
    )
    ReReview.objects.create(
        cluster=clusters["failed"], period_valid_until=clusters["failed"].valid_until,
        opened_on=today - timedelta(days=90), status=ReReview.Status.DECIDED, outcome=ReReview.Outcome.FAILED,
        decided_on=today, decided_by=web_users["province_admin"], reason="未达到认定标准",
    )  # fmt: skip
    return clusters


def _proposed(actions: list) -> dict[str, int]:  # type: ignore[type-arg]
    return {action.cluster: action for action in actions if action.subject == "revocation"}  # type: ignore[misc]


def test_run_tick_twice_proposes_once(ov_every_situation: dict[str, RecognizedCluster]) -> None:
    today = timezone.localdate()
    first = run_tick(today)
    proposed = _proposed(first)
    numbers = {key: cluster.number for key, cluster in ov_every_situation.items()}
    assert set(proposed) == {numbers[key] for key in ("late", "unfiled", "incident", "expired", "failed")}
    assert all(proposed[number].action == "proposed" for number in proposed)
    cases = dict(RevocationProposal.objects.values_list("cluster__number", "case"))
    assert cases == {
        numbers["late"]: 3,
        numbers["unfiled"]: 4,
        numbers["incident"]: 5,
        numbers["expired"]: 1,
        numbers["failed"]: 1,
    }
    assert run_tick(today) == []
    assert RevocationProposal.objects.count() == 5


def test_the_command_prints_json_and_a_second_run_prints_an_empty_list(
    ov_every_situation: dict[str, RecognizedCluster],
) -> None:
    as_of = timezone.localdate().isoformat()
    runner = CliRunner()
    first = runner.invoke(main, ["tick", "--as-of", as_of, "--json"])
    assert first.exit_code == 0, first.output
    body = json.loads(first.output)
    assert body["as_of"] == as_of
    revocations = [action for action in body["actions"] if action["subject"] == "revocation"]
    assert len(revocations) == 5
    assert set(revocations[0]) == {"action", "subject", "cluster", "detail"}
    assert any("第十八条第（三）项" in action["detail"] for action in revocations)
    second = runner.invoke(main, ["tick", "--as-of", as_of, "--json"])
    assert second.exit_code == 0, second.output
    second_body = json.loads(second.output)
    # The second run did nothing, so it recorded nothing: the audit log's head is the first run's; every
    # mail of the first run was accepted then, so none is waiting to be tried again.
    assert second_body == {
        "as_of": as_of,
        "actions": [],
        "mail": {"sent": 0, "failed": 0},
        "audit_head": body["audit_head"],
    }
    assert body["audit_head"]["count"] == AuditEvent.objects.count()
    table = runner.invoke(main, ["tick", "--as-of", as_of])
    assert table.exit_code == 0
    assert "没有新的事项" in table.output


def test_the_table_names_each_action_in_chinese(ov_every_situation: dict[str, RecognizedCluster]) -> None:
    result = CliRunner().invoke(main, ["tick", "--as-of", timezone.localdate().isoformat()])
    assert result.exit_code == 0, result.output
    assert "提出撤销建议" in result.output
    assert ov_every_situation["expired"].number in result.output
    assert "本次运行完成" in result.output
