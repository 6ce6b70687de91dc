"""The timeline of a cluster: recognition, plan targets, annual reports, re-review, changes, incidents and
revocation in date order with links, for the people who see the cluster; the public page shows only the
public record (the current facts and a revocation), never the register's details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from smecluster.apps.accounts.models import User
from smecluster.apps.oversight import services
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.oversight.selectors import timeline
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services import annual_reports, re_reviews

pytestmark = pytest.mark.django_db


def test_the_timeline_puts_every_fact_in_date_order_with_links(
    web_users: dict[str, User], ov_cluster: RecognizedCluster, web_pdf_upload: object
) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        report, _created = annual_reports.report_open(cluster=ov_cluster, year=today.year, today=today)
        re_review, _created = re_reviews.re_review_open(cluster=ov_cluster, today=today)
    services.incident_record(
        actor=web_users["city_officer"], cluster=ov_cluster, kind="violation", level="",
        occurred_on=today, source="市场监管局行政处罚决定书",
        description="虚假宣传，罚款",
        uploads=[web_pdf_upload("处罚决定书.pdf")],  # type: ignore[operator]
    )  # fmt: skip
    entries = timeline(ov_cluster)
    days = [entry.day for entry in entries]
    assert days == sorted(days)
    categories = [entry.category for entry in entries]
    assert categories[0] == "认定"
    assert {"年度报告", "复核", "事件", "撤销"} <= set(categories)
    links = {entry.link for entry in entries}
    assert report.get_absolute_url() in links
    assert re_review.get_absolute_url() in links
    proposal = RevocationProposal.objects.get()
    assert f"/revocations/{proposal.pk}/" in links
    incident = next(entry for entry in entries if entry.category == "事件")
    assert [file.original_name for file in incident.files] == ["处罚决定书.pdf"]
    # within a day, the proposal follows the incident that caused it
    assert categories.index("撤销") > categories.index("事件")

    client = Client()
    client.force_login(web_users["operator"])
    page = client.get(f"/clusters/{ov_cluster.pk}/timeline/").content.decode()
    assert "虚假宣传，罚款" in page
    assert "处罚决定书.pdf" in page
    # The public page shows none of it.
    public = Client().get(f"/public/clusters/{ov_cluster.pk}/").content.decode()
    assert "虚假宣传" not in public
    assert "市场监管局" not in public


def test_the_record_history_shows_who_changed_what_and_when(
    web_users: dict[str, User], ov_cluster: RecognizedCluster
) -> None:
    change = services.change_file(
        actor=web_users["county_officer"], cluster=ov_cluster, kind="operating_agency",
        new_value={"operating_agency": "顺德区集群促进中心"},
        effective_on=timezone.localdate() - timedelta(days=1), reason="机构改革",
    )  # fmt: skip
    services.change_review(actor=web_users["city_officer"], change=change, forward=True, note="")
    services.change_decide(actor=web_users["province_admin"], change=change, approve=True, reason="同意")
    client = Client()
    client.force_login(web_users["city_officer"])
    page = client.get(f"/clusters/{ov_cluster.pk}/timeline/").content.decode()
    assert "变更记录" in page
    assert "顺德区集群促进中心" in page
    assert "province-admin 批准" in page
