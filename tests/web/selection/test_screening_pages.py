"""Screening (审核) by the owner: each recommended application's verdict under the programme's rule set,
stored with the decision; a flagged application (a computed criterion fails) cannot pass, whatever the
reason (GD 15(二): "在符合认定条件的基础上"), and is stopped with a reason;
the batch passes only the unflagged; the page is the owner's (403 inside the province, 404 outside)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import Notification
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection import services
from smecluster.apps.selection.models import Screening

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended(
    sel_call: YearlyCall, web_application_in: Callable[..., Application]
) -> Callable[..., Application]:
    def make(*, failing: bool = False, county: str = "440606") -> Application:
        application = web_application_in(Status.RECOMMENDED, county=county)
        if failing:
            # The latest year's output falls below 40 亿元 (gd-output: 近三年产值均在40亿元以上).
            year = application.years.order_by("-year").first()
            year.output = Decimal("39.0")
            year.sme_output = Decimal("30.0")
            year.leading_output = Decimal("30.0")
            year.save()
        return application

    return make


def _admin(client: Client, web_users: dict[str, User]) -> Client:
    client.force_login(web_users["province_admin"])
    return client


def test_the_screening_page_lists_recommended_applications_with_their_verdict(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    good, bad = recommended(), recommended(failing=True)
    page = _admin(client, web_users).get(reverse("selection:screening", args=[sel_call.pk]))
    assert page.status_code == 200
    rows = {row.application.pk: row for row in page.context["rows"]}
    assert not rows[good.pk].check.flagged
    assert rows[bad.pk].check.flagged
    assert rows[bad.pk].check.outcome == "ineligible"
    assert any("40亿元" in text for text in rows[bad.pk].check.failing)
    text = page.content.decode()
    assert "通过审核（未标记的 1 件）" in text
    assert "不能通过审核" in text


def test_screening_stores_the_verdict_with_the_decision(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    application = recommended()
    response = _admin(client, web_users).post(
        reverse("selection:screen", args=[application.pk]), {"decision": "screen", "reason": ""}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SCREENED
    screening = Screening.objects.get(application=application)
    assert screening.goes_on
    assert not screening.flagged
    assert screening.outcome in ("eligible", "needs_review")
    assert screening.verdict["rule_set"] == "guangdong-2022"
    assert {row["id"] for row in screening.verdict["criteria"]} >= {"gd-output", "gd-sme-share"}
    assert screening.decided_by == web_users["province_admin"]
    assert AuditEvent.objects.filter(action="application.screen", target_id=str(application.pk)).exists()
    assert AuditEvent.objects.filter(action="selection.screening", target_id=str(application.pk)).exists()
    assert Notification.objects.filter(
        recipient=web_users["county_officer"], text__contains="已通过审核"
    ).exists()
    # The stored verdict is what the page shows from then on.
    page = client.get(reverse("selection:screen", args=[application.pk]))
    assert "审核时保存" in page.content.decode()
    assert (
        client.post(reverse("selection:screen", args=[application.pk]), {"decision": "screen"}).status_code
        == 403
    )


def test_a_flagged_application_cannot_go_on_whatever_the_reason(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    """GD 15(二): the city recommends "在符合认定条件的基础上", so the province cannot pass at screening an
    application a computed criterion fails: the page, the service and the workflow say which article and
    why; stopping it (with a reason) is what remains."""
    application = recommended(failing=True)
    admin = _admin(client, web_users)
    url = reverse("selection:screen", args=[application.pk])
    page = admin.get(url).content.decode()
    assert "第十五条第（二）项“" in page
    assert "在符合认定条件的基础上" in page
    assert "近三年产值均在40亿元以上" in page
    for reason in ("  ", "2025年受台风影响产值短暂回落，经核实属特殊情况"):
        refused = admin.post(url, {"decision": "screen", "reason": reason})
        assert refused.status_code == 200
        assert "不符合认定条件或缺少数据的申报不能推荐或通过审核" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED
    with pytest.raises(ValidationError) as caught:
        services.application_screen(
            actor=web_users["province_admin"], application=application, goes_on=True, reason="特殊情况"
        )
    assert "第十五条第（二）项" in str(caught.value.message_dict["decision"])
    assert not Screening.objects.exists()

    admin.post(url, {"decision": "screen_out", "reason": "2025年产值低于40亿元，不符合认定条件"})
    application.refresh_from_db()
    assert application.status == Status.SCREENED_OUT
    screening = Screening.objects.get(application=application)
    assert screening.flagged
    assert not screening.goes_on
    assert screening.outcome == "ineligible"


def test_stopping_an_application_needs_a_reason_and_tells_the_county(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    application = recommended()
    admin = _admin(client, web_users)
    url = reverse("selection:screen", args=[application.pk])
    assert "请填写审核不通过的理由" in admin.post(url, {"decision": "screen_out"}).content.decode()
    admin.post(url, {"decision": "screen_out", "reason": "佐证材料与统计数据不符"})
    application.refresh_from_db()
    assert application.status == Status.SCREENED_OUT
    assert not Screening.objects.get(application=application).goes_on
    assert Notification.objects.filter(
        recipient=web_users["county_officer"], text__contains="佐证材料与统计数据不符"
    ).exists()


def test_the_batch_passes_only_the_unflagged(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    good, other, bad = recommended(), recommended(county="440605"), recommended(failing=True)
    response = _admin(client, web_users).post(reverse("selection:screen_batch", args=[sel_call.pk]))
    assert response.status_code == 302
    statuses = {each.pk: Application.objects.get(pk=each.pk).status for each in (good, other, bad)}
    assert statuses == {good.pk: Status.SCREENED, other.pk: Status.SCREENED, bad.pk: Status.RECOMMENDED}
    assert Screening.objects.count() == 2


def test_the_screening_list_exports_as_csv(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    good, bad = recommended(), recommended(failing=True)
    services.application_screen(actor=web_users["province_admin"], application=good, goes_on=True)
    response = _admin(client, web_users).get(
        reverse("selection:screening", args=[sel_call.pk]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "申报编号"
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[good.number][7] == "通过"
    assert by_number[bad.number][5] == "是"
    assert by_number[bad.number][7] == "待审核"


def test_only_the_owner_screens(
    client: Client,
    web_users: dict[str, User],
    web_new_user: Callable[..., User],
    sel_call: YearlyCall,
    recommended: Callable[..., Application],
) -> None:
    application = recommended()
    for key in ("city_officer", "county_officer"):
        client.force_login(web_users[key])
        assert client.get(reverse("selection:screening", args=[sel_call.pk])).status_code == 403
        refused = client.post(reverse("selection:screen", args=[application.pk]), {"decision": "screen"})
        assert refused.status_code == 403
    client.force_login(web_new_user("zj-admin", Role.PROVINCE_ADMIN, "330000"))  # 浙江省
    assert client.get(reverse("selection:screening", args=[sel_call.pk])).status_code == 404
    assert client.get(reverse("selection:screen", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.RECOMMENDED


# --- search and sort (issue 15, finding 6) ------------------------------------------------------------


def _screening_numbers(
    client: Client, call: YearlyCall, query: dict[str, str], fmt: str = "csv"
) -> list[str]:
    response = client.get(reverse("selection:screening", args=[call.pk]), {**query, "format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    return [row[0] for row in list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]]


def test_the_screening_list_searches_and_sorts_and_downloads_what_it_lists(
    client: Client, web_users: dict[str, User], sel_call: YearlyCall, recommended: Callable[..., Application]
) -> None:
    """顺德区: one passing, one failing; 南海区: one passing, screened through. q narrows by number, name or
    place; each column sorts both ways; an unknown key is ignored; the downloads hold the listed rows."""
    good, bad, nanhai = recommended(), recommended(failing=True), recommended(county="440605")
    services.application_screen(actor=web_users["province_admin"], application=nanhai, goes_on=True)
    admin = _admin(client, web_users)
    every = sorted([good.number, bad.number, nanhai.number])
    assert _screening_numbers(admin, sel_call, {}) == every  # the list's own order: by number
    for q, expected in (("南海区", [nanhai.number]), ("440605", [nanhai.number]), (bad.number, [bad.number])):
        assert _screening_numbers(admin, sel_call, {"q": q}) == expected, q
        assert _screening_numbers(admin, sel_call, {"q": q}, "xlsx") == expected, q
    assert _screening_numbers(admin, sel_call, {"q": "广东省佛山市顺德区"}) == sorted(
        [good.number, bad.number]
    )
    for key in ("number", "place", "outcome", "failing", "decision"):
        for direction in ("asc", "desc"):
            assert sorted(_screening_numbers(admin, sel_call, {"sort": key, "dir": direction})) == every
    assert _screening_numbers(admin, sel_call, {"sort": "number", "dir": "desc"}) == every[::-1]
    assert _screening_numbers(admin, sel_call, {"sort": "failing", "dir": "desc"})[0] == bad.number
    assert _screening_numbers(admin, sel_call, {"sort": "decision", "dir": "desc"})[0] == nanhai.number
    assert _screening_numbers(admin, sel_call, {"sort": "place"})[0] == nanhai.number
    for unknown in ("application__created_by__password", "-number", "x" * 300):
        assert _screening_numbers(admin, sel_call, {"sort": unknown}) == every
    page = admin.get(reverse("selection:screening", args=[sel_call.pk]), {"q": "南海区", "sort": "place"})
    html = page.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "q=%E5%8D%97%E6%B5%B7%E5%8C%BA&amp;sort=place&amp;format=csv" in html
    assert [row.application.pk for row in page.context["rows"]] == [nanhai.pk]
