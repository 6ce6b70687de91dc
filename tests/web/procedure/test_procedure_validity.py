"""Validity as decided (issue 13, finding 8): the recognition decision states the validity; the rule set
gives only the default, counted as the programme's notices count it; re-review extends from the decided end.

The publication tests' world (a call with a frozen shortlist and its notice) is borrowed from
``tests/web/publication/pub_support.py``.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from clock import Clock
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.services.re_reviews import extended_until
from smecluster.apps.registry.services.recognition import (
    default_validity,
    recognition_decide,
    shared_validity,
)
from smecluster.policy.ruleset import rule_set
from web.publication.pub_support import PubWorld, pub_build_world, pub_client, pub_publish

pytestmark = pytest.mark.django_db

NOTICE_STARTS = date(2024, 2, 19)  # Guangdong: 7 working days, to 2024-02-27
AFTER_NOTICE = date(2024, 3, 1)


@pytest.fixture
def noticed(web_users: dict[str, User], web_call: YearlyCall, clock: Clock) -> PubWorld:
    world = pub_build_world(call=web_call, owner=web_users["province_admin"], county="440606")
    pub_publish(world, clock, NOTICE_STARTS)
    clock.beijing(AFTER_NOTICE)
    return world


def test_the_national_default_is_whole_calendar_years_from_the_year_after_the_batch(
    web_call: YearlyCall,
) -> None:
    """The 2022 national list: "认定有效期为2023年至2025年" — three whole calendar years from the year after
    the batch, whatever the day of the decision (the rule set's ``counting``, cited)."""
    counting = rule_set("national-2022").recognition_validity.counting
    assert counting.basis == "calendar_years_after_batch"
    assert counting.clause == "认定有效期为2023年至2025年"
    web_call.year = 2022
    web_call.programme.rule_set_id = "national-2022"
    for decided_on in (date(2022, 12, 30), date(2023, 1, 12)):
        assert default_validity(web_call, decided_on) == (date(2023, 1, 1), date(2025, 12, 31))


def test_a_provincial_default_runs_three_years_from_the_day_of_recognition(web_call: YearlyCall) -> None:
    """GD 16 "集群有效期为三年", with no other start named: from the decision day, N years less a day."""
    assert rule_set("guangdong-2022").recognition_validity.counting.basis == "decision_day"
    assert default_validity(web_call, date(2024, 3, 1)) == (date(2024, 3, 1), date(2027, 2, 28))


def test_the_decision_states_the_validity_and_the_cluster_keeps_it(noticed: PubWorld) -> None:
    """Shaanxi's 2024 batch, as reported: "有效期为2024年至2027年" — the notice, not a formula, is the source:
    the province sets the validity when it recognizes, and the cluster, the audit row, the published list,
    the cluster page and the notice PDF carry it."""
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[application.pk for application in noticed.shortlisted],
        decision="recognize",
        valid_from=date(2024, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    cluster = RecognizedCluster.objects.order_by("number").first()
    assert cluster is not None
    assert (cluster.valid_from, cluster.valid_until) == (date(2024, 1, 1), date(2027, 12, 31))
    assert cluster.validity_words == "2024年至2027年"
    event = AuditEvent.objects.filter(action="cluster.recognize").latest("pk")
    assert event.after["validity_stated"] is True
    assert event.after["valid_until"] == "2027-12-31"
    owner = pub_client(noticed.owner)
    record = owner.get(reverse("registry:cluster", args=[cluster.pk])).content.decode()
    assert "2024-01-01 — <strong>2027-12-31</strong>" in record
    published = pub_client().get(reverse("registry:public_list")).content.decode()
    assert "2027-12-31" in published
    notice_pdf = owner.get(reverse("registry:notice_pdf", args=[noticed.call.pk]))
    assert notice_pdf.status_code == 200
    assert notice_pdf["Content-Type"] == "application/pdf"


def test_the_notice_states_the_decided_validity(noticed: PubWorld) -> None:
    """The notice's sentence is the decision's ("认定有效期为2024年至2027年"), not "自认定之日起计算"."""
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[application.pk for application in noticed.shortlisted],
        decision="recognize",
        valid_from=date(2024, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    clusters = list(RecognizedCluster.objects.order_by("number"))
    assert shared_validity(clusters) == "2024年至2027年"
    html = render_to_string(
        "registry/notice_pdf.html",
        {
            "call": noticed.call,
            "clusters": clusters,
            "document": rule_set("guangdong-2022").document,
            "shared_validity": shared_validity(clusters),
            "dated": AFTER_NOTICE,
        },
    )
    assert "认定有效期为2024年至2027年。" in html
    assert "自认定之日起计算" not in html


def test_the_public_page_and_the_published_list_state_the_decided_validity(noticed: PubWorld) -> None:
    """Issue 13, finding 8: the cluster's public page and the published list (page and downloads) say the
    validity as the decision states it — Shaanxi's 2024 batch "2024年至2027年", whole calendar years — not
    three years computed from the recognition day; a validity of other days is given by its two days."""
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[0].pk],
        decision="recognize",
        valid_from=date(2024, 1, 1),
        valid_until=date(2027, 12, 31),
    )
    cluster = RecognizedCluster.objects.get()
    assert cluster.recognized_on == AFTER_NOTICE  # in March: three years from then would end 2027-02
    detail = Client().get(reverse("registry:public_detail", args=[cluster.pk])).content.decode()
    assert '<td id="validity">2024年至2027年' in detail
    listing = Client().get(reverse("registry:public_list")).content.decode()
    assert '<td class="validity">2024年至2027年</td>' in listing
    downloaded = json.loads(Client().get(reverse("registry:public_list"), {"format": "json"}).content)
    assert downloaded["results"][0]["validity"] == "2024年至2027年"
    assert "认定有效期" in [column["label"] for column in downloaded["columns"]]

    RecognizedCluster.objects.filter(pk=cluster.pk).update(
        valid_from=date(2024, 3, 1), valid_until=date(2027, 2, 28)
    )
    detail = Client().get(reverse("registry:public_detail", args=[cluster.pk])).content.decode()
    assert '<td id="validity">2024年3月1日至2027年2月28日' in detail


def test_without_a_stated_validity_the_default_applies(noticed: PubWorld) -> None:
    recognition_decide(
        actor=noticed.owner,
        call=noticed.call,
        application_ids=[noticed.shortlisted[0].pk],
        decision="recognize",
    )
    cluster = RecognizedCluster.objects.get()
    assert (cluster.valid_from, cluster.valid_until) == (AFTER_NOTICE, date(2027, 2, 28))
    assert (
        AuditEvent.objects.filter(action="cluster.recognize").latest("pk").after["validity_stated"] is False
    )


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "field"),
    [
        (date(2024, 1, 1), None, "valid_until"),
        (None, date(2027, 12, 31), "valid_from"),
        (date(2024, 1, 1), date(2023, 12, 31), "valid_until"),
        (date(2020, 1, 1), date(2023, 12, 31), "valid_until"),  # ended before the decision
    ],
)
def test_a_stated_validity_must_be_whole_and_ordered(
    noticed: PubWorld, valid_from: date | None, valid_until: date | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        recognition_decide(
            actor=noticed.owner,
            call=noticed.call,
            application_ids=[noticed.shortlisted[0].pk],
            decision="recognize",
            valid_from=valid_from,
            valid_until=valid_until,
        )
    assert field in refused.value.message_dict
    assert not RecognizedCluster.objects.exists()


def test_the_page_offers_the_validity_and_the_form_sets_it(noticed: PubWorld) -> None:
    """The recognition page shows the default with its clause and takes the decided dates."""
    owner = pub_client(noticed.owner)
    url = reverse("registry:recognition", args=[noticed.call.pk])
    page = owner.get(url).content.decode()
    assert "今日认定的有效期为 2024-03-01 至 2027-02-28" in page
    assert "集群有效期为三年" in page
    response = owner.post(
        url,
        {
            "applications": [noticed.shortlisted[0].pk],
            "decision": "recognize",
            "valid_from": "2024-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert response.status_code == 302
    cluster = RecognizedCluster.objects.get()
    assert (cluster.valid_from, cluster.valid_until) == (date(2024, 1, 1), date(2026, 12, 31))


def test_re_review_extends_from_the_decided_end() -> None:
    """GD 16 / SX 17 "复核通过的有效期延长三年": from the end the decision stated, not from a computed one
    (2023年至2025年 → to 31 December 2028)."""
    assert extended_until(date(2025, 12, 31), 3) == date(2028, 12, 31)
    assert extended_until(date(2027, 2, 28), 3) == date(2030, 2, 28)
