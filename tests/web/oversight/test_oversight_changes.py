"""Major-change filings: filed by the county, reviewed by the city, decided by the province; the record
keeps its history. A late filing and a change found without a filing propose revocation case 4."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.oversight import services
from smecluster.apps.oversight.facts import current_facts
from smecluster.apps.oversight.models import MajorChange, RevocationProposal
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.workdays import CHINA_TZ

pytestmark = pytest.mark.django_db


def _file(users: dict[str, User], cluster: RecognizedCluster, **overrides: object) -> MajorChange:
    arguments = {
        "actor": users["county_officer"],
        "cluster": cluster,
        "kind": "operating_agency",
        "new_value": {"operating_agency": "佛山市顺德区家电产业集群发展促进中心"},
        "effective_on": timezone.localdate() - timedelta(days=3),
        "reason": "管委会改制为事业单位",
    }
    arguments.update(overrides)
    return services.change_file(**arguments)  # type: ignore[arg-type]


def test_a_filed_change_reviewed_and_approved_changes_the_record_and_keeps_its_history(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, web_pdf_upload: object
) -> None:
    before = current_facts(ov_cluster)
    change = _file(web_users, ov_cluster, uploads=[web_pdf_upload("改制批复.pdf")])  # type: ignore[operator]
    assert change.status == MajorChange.Status.FILED
    assert change.old_value == {"operating_agency": before.operating_agency}
    assert change.late is False
    assert change.evidence.get().original_name == "改制批复.pdf"
    change = services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="属实")
    assert change.status == MajorChange.Status.FORWARDED
    assert current_facts(ov_cluster).operating_agency == before.operating_agency  # not yet
    change = services.change_decide(
        actor=web_users["province_admin"], change=change, approve=True, reason="同意变更"
    )
    assert change.status == MajorChange.Status.APPROVED
    assert current_facts(ov_cluster).operating_agency == "佛山市顺德区家电产业集群发展促进中心"
    assert change.applied_at is not None
    assert change.decided_by == web_users["province_admin"]
    actions = list(AuditEvent.objects.filter(target_id=str(change.pk), target_type="oversight.majorchange"))
    assert [event.action for event in actions] == [
        "major_change.file",
        "oversight.evidence_add",
        "major_change.forward",
        "major_change.approve",
    ]
    assert not RevocationProposal.objects.exists()


def test_an_approved_leading_industry_change_reaches_the_published_list(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    change = _file(web_users, ov_cluster, kind="leading_industry", new_value={"leading_industry": "智能装备"})
    services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="")
    services.change_decide(actor=web_users["province_admin"], change=change, approve=True, reason="同意")
    ov_cluster.refresh_from_db()
    assert ov_cluster.leading_industry == "智能装备"
    assert change.old_value == {"leading_industry": "智能家电"}


def test_a_spatial_scope_change_is_checked_field_by_field(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    with pytest.raises(ValidationError) as error:
        _file(
            web_users,
            ov_cluster,
            kind="spatial_scope",
            new_value={"counties": "440606, 999999", "area_km2": "30"},
        )
    assert "999999" in str(error.value.message_dict["counties"])
    with pytest.raises(ValidationError) as error:
        _file(web_users, ov_cluster, kind="spatial_scope", new_value={"counties": "440606", "area_km2": "-1"})
    assert "area_km2" in error.value.message_dict
    change = _file(
        web_users,
        ov_cluster,
        kind="spatial_scope",
        new_value={"counties": "440606，440605", "area_km2": "42.50"},
    )
    assert change.new_value == {"counties": ["440606", "440605"], "area_km2": "42.5"}
    services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="")
    services.change_decide(actor=web_users["province_admin"], change=change, approve=True, reason="同意")
    facts = current_facts(ov_cluster)
    assert facts.counties == ["440606", "440605"]
    assert facts.area_km2 == Decimal("42.5")


def test_a_returned_filing_is_corrected_and_a_rejected_one_leaves_the_record(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    before = current_facts(ov_cluster).operating_agency
    change = _file(web_users, ov_cluster)
    with pytest.raises(ValidationError):
        services.change_review(actor=web_users["city_officer"], change=change, forward=False, note=" ")
    change = services.change_review(
        actor=web_users["city_officer"], change=change, forward=False, note="缺批复"
    )
    assert change.status == MajorChange.Status.RETURNED
    change = services.change_resubmit(
        actor=web_users["county_officer"],
        change=change,
        new_value={"operating_agency": "佛山市顺德区家电产业集群服务中心"},
        effective_on=change.effective_on,
        reason="补充批复",
    )
    assert change.status == MajorChange.Status.FILED
    services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="")
    services.change_decide(actor=web_users["province_admin"], change=change, approve=False, reason="材料不实")
    change.refresh_from_db()
    assert change.status == MajorChange.Status.REJECTED
    assert current_facts(ov_cluster).operating_agency == before


def test_nothing_to_file_when_the_value_is_unchanged(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    with pytest.raises(ValidationError) as error:
        _file(web_users, ov_cluster, kind="leading_industry", new_value={"leading_industry": "智能家电"})
    assert "kind" in error.value.message_dict
    assert not MajorChange.objects.exists()


def test_the_filing_period_ends_at_midnight_beijing_time_and_a_late_filing_proposes_case_4(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    effective = timezone.localdate() - timedelta(days=60)
    due = effective + timedelta(days=30)  # the programme's default period
    last_second = datetime(due.year, due.month, due.day, 23, 59, 59, tzinfo=CHINA_TZ)
    with mock.patch("django.utils.timezone.now", return_value=last_second):
        on_time = _file(web_users, ov_cluster, effective_on=effective)
    assert on_time.filing_due_on == due
    assert on_time.late is False
    assert not RevocationProposal.objects.exists()
    next_day = last_second + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=next_day):
        late = _file(
            web_users,
            ov_cluster,
            kind="leading_industry",
            new_value={"leading_industry": "智能装备"},
            effective_on=effective,
        )
    assert late.late is True
    proposal = RevocationProposal.objects.get()
    assert (proposal.case, proposal.source) == (4, f"major_change:{late.pk}")
    assert proposal.article == "第十八条第（四）项"
    assert proposal.clause == "集群发生主导产业、空间范围、运营管理机构变更等重大变动未及时更新报备的"
    assert "逾期" in proposal.grounds
    assert proposal.proposed_by is None


def test_the_filing_period_is_the_programmes_setting(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    ov_cluster.programme.change_filing_days = 90
    ov_cluster.programme.save()
    change = _file(web_users, ov_cluster, effective_on=timezone.localdate() - timedelta(days=60))
    assert change.late is False
    assert change.filing_due_on == change.effective_on + timedelta(days=90)


def test_a_change_found_without_a_filing_is_recorded_and_proposes_case_4(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, web_pdf_upload: object
) -> None:
    today = timezone.localdate()
    change = services.change_record_unfiled(
        actor=web_users["city_officer"],
        cluster=ov_cluster,
        kind="operating_agency",
        new_value={"operating_agency": "某某产业园运营公司"},
        effective_on=today - timedelta(days=100),
        found_on=today - timedelta(days=1),
        source="实地核查",
        uploads=[web_pdf_upload("核查记录.pdf")],  # type: ignore[operator]
    )
    assert change.status == MajorChange.Status.FOUND_UNFILED
    assert current_facts(ov_cluster).operating_agency == "某某产业园运营公司"
    proposal = RevocationProposal.objects.get()
    assert (proposal.case, proposal.source, proposal.article) == (
        4,
        f"major_change:{change.pk}",
        "第十八条第（四）项",
    )
    assert "未报备" in proposal.grounds
    assert "实地核查" in proposal.grounds


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("city_officer", "file"),
        ("operator", "file"),
        ("other_county_officer", "file"),
        ("county_officer", "review"),
        ("other_city_officer", "review"),
        ("province_admin", "review"),
        ("city_officer", "decide"),
        ("county_officer", "found"),
        ("other_city_officer", "found"),
        ("expert", "found"),
    ],
)
def test_a_refused_step_writes_nothing(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, who: str, step: str
) -> None:
    change = _file(web_users, ov_cluster) if step in ("review", "decide") else None
    if step == "decide":
        change = services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="")
    events = AuditEvent.objects.count()
    changes = list(MajorChange.objects.values_list("pk", "status"))
    actor = web_users[who]

    def attempt() -> object:
        if step == "file":
            return _file(web_users, ov_cluster, actor=actor)
        if step == "review":
            return services.change_review(actor=actor, change=change, forward=True, note="")
        if step == "decide":
            return services.change_decide(actor=actor, change=change, approve=True, reason="同意")
        return services.change_record_unfiled(
            actor=actor, cluster=ov_cluster, kind="leading_industry",
            new_value={"leading_industry": "家具"}, effective_on=timezone.localdate(),
            found_on=timezone.localdate(), source="举报",
        )  # fmt: skip

    with pytest.raises(PermissionDenied):
        attempt()
    assert AuditEvent.objects.count() == events
    assert list(MajorChange.objects.values_list("pk", "status")) == changes
    assert not RevocationProposal.objects.exists()
