"""The measure's own validity (issue 13, finding 12).

Shaanxi's measure, 第二十一条: "本办法自印发之日起实施，有效期2年" (印发 2023-04-28, so it ended on
2025-04-27); Guangdong's text is held only as its 征求意见稿. A call whose dates fall outside the
measure's validity, or under a draft, decides nothing by the measure alone: the legal basis for applying
it (an extension notice, with its number) must be recorded, is shown on the call, and the documents cite
the measure as it stands. Without it the call form refuses, naming the field.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from factories import recognized_cluster
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.programmes import services
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.site import demo

pytestmark = pytest.mark.django_db

SHAANXI_MEASURE = "《陕西省促进中小企业特色产业集群发展实施办法（暂行）》（陕工信发〔2023〕89号）"
EXTENSION = "陕西省工业和信息化厅关于延续《陕西省促进中小企业特色产业集群发展实施办法（暂行）》的通知"


def _dates(year: int) -> dict[str, Any]:
    return {
        "year": year,
        "opens_on": date(year, 3, 1),
        "closes_on": date(year, 4, 30),
        "city_deadline": date(year, 5, 31),
        "province_deadline": date(year, 7, 31),
    }


@pytest.fixture
def shaanxi(web_new_user: Callable[..., User]) -> tuple[User, Programme]:
    admin = web_new_user("sx-admin", Role.PROVINCE_ADMIN, "610000")
    programme = services.programme_create(
        actor=admin,
        fields={
            "name": "陕西省中小企业特色产业集群认定",
            "owner_level": "province",
            "rule_set_id": "shaanxi-2023",
            "review_chain": ["county", "city", "province"],
        },
    )
    return admin, programme


def test_a_call_after_the_measure_expired_needs_its_legal_basis(shaanxi: tuple[User, Programme]) -> None:
    """SX 21 "有效期2年": a 2026 call under the measure that ended on 2025-04-27 is refused without the legal
    basis, with a message at the field that cites the article; with it the call is made and keeps it."""
    admin, programme = shaanxi
    with pytest.raises(ValidationError) as caught:
        services.call_create(actor=admin, programme=programme, fields=_dates(2026))
    message = caught.value.message_dict["legal_basis"][0]
    assert "有效期已于 2025-04-27 届满" in message
    assert "第二十一条“本办法自印发之日起实施，有效期2年。”" in message
    assert "继续适用的依据" in message
    assert not YearlyCall.objects.filter(programme=programme).exists()

    call = services.call_create(
        actor=admin,
        programme=programme,
        fields={**_dates(2026), "legal_basis": EXTENSION, "legal_basis_number": "陕工信发〔2025〕1号"},
    )
    assert call.legal_basis == EXTENSION
    citation = call.measure_citation
    assert citation.startswith(SHAANXI_MEASURE)
    assert "有效期已于 2025-04-27 届满" in citation
    assert f"依据{EXTENSION}（陕工信发〔2025〕1号）继续适用" in citation


def test_a_call_within_the_measure_validity_needs_no_legal_basis(shaanxi: tuple[User, Programme]) -> None:
    """SX 21: a 2024 call runs inside 2023-04-28 … 2025-04-27, so the measure itself is its basis."""
    admin, programme = shaanxi
    call = services.call_create(actor=admin, programme=programme, fields=_dates(2024))
    assert call.legal_basis == ""
    assert call.measure_citation == SHAANXI_MEASURE


def test_the_call_form_names_the_field_and_the_call_list_shows_the_basis(
    client: Client, shaanxi: tuple[User, Programme]
) -> None:
    """The form refuses at 继续适用的依据; once given, the call list shows it beside the call."""
    admin, programme = shaanxi
    client.force_login(admin)
    url = reverse("programmes:call_new", args=[programme.pk])
    form = {key: str(value) for key, value in _dates(2026).items()}
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "有效期已于 2025-04-27 届满" in refused.context["form"].errors["legal_basis"][0]
    created = client.post(url, {**form, "legal_basis": EXTENSION})
    assert created.status_code == 302
    assert EXTENSION in client.get(reverse("programmes:list")).content.decode()


def test_a_call_under_a_draft_measure_needs_its_legal_basis(web_users: dict[str, User]) -> None:
    """Guangdong's text is its 征求意见稿 (附件 … （征求意见稿）): not an issued measure, so a call under it
    records what it applies it under."""
    programme = Programme.objects.create(
        name="广东省认定（征求意见稿测试）",
        owner_id="440000",
        owner_level="province",
        rule_set_id="guangdong-2022",
        review_chain=["county", "city", "province"],
    )
    admin = web_users["province_admin"]
    with pytest.raises(ValidationError) as caught:
        services.call_create(actor=admin, programme=programme, fields=_dates(2030))
    assert "为征求意见稿" in caught.value.message_dict["legal_basis"][0]
    call = services.call_create(
        actor=admin, programme=programme, fields={**_dates(2030), "legal_basis": "2030年度认定工作通知"}
    )
    assert "征求意见稿" in call.measure_citation
    assert "依据2030年度认定工作通知继续适用" in call.measure_citation


def test_the_recognition_notice_cites_the_measure_as_it_stands(shaanxi: tuple[User, Programme]) -> None:
    """The recognition notice's 根据… names the measure with its lapsed validity and the recorded basis."""
    admin, programme = shaanxi
    call = services.call_create(
        actor=admin, programme=programme, fields={**_dates(2026), "legal_basis": EXTENSION}
    )
    html = render_to_string(
        "registry/notice_pdf.html",
        {
            "call": call,
            "clusters": [],
            "years": 3,
            "issuer": "陕西省工业和信息化厅",
            "dated": date(2026, 9, 1),
        },
    )
    assert f"根据{call.measure_citation}，经申报" in html.replace("&quot;", '"').replace("&ldquo;", "“")


def test_the_demo_shows_a_shaanxi_call_refused_without_a_legal_basis(web_divisions: None) -> None:
    """Demo: the Shaanxi admin's call for this year is refused under the measure that ended 2025-04-27."""
    users = demo.ensure_accounts()
    refusal = demo.shaanxi_call_refused(users["shaanxi-admin"], date(2026, 12, 7))
    assert "有效期已于 2025-04-27 届满" in refusal
    assert not YearlyCall.objects.filter(programme__rule_set_id="shaanxi-2023").exists()


def test_the_published_list_cites_the_measure_as_it_stands(
    client: Client, web_users: dict[str, User]
) -> None:
    """The public list names, for each call its clusters were recognized in, the measure as the recognition
    notice cites it: Guangdong's held text is its 征求意见稿, so the draft and the call's legal basis are
    said there too."""
    cluster = recognized_cluster()
    call = cluster.application.call
    assert "征求意见稿" in call.measure_citation
    page = html.unescape(client.get(reverse("registry:public_list")).content.decode())
    assert f"{call}：根据{call.measure_citation}认定" in page
