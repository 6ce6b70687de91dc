"""账号管理 (issue 17, "Account administration in the platform"): an administrator creates, edits, deactivates
and re-activates accounts within its jurisdiction and below, grants only the roles ADR 0027's table gives
it, imports accounts in bulk (all or nothing, every problem by sheet, cell and column), and invites their
owners by mail with a one-time link; every change is audited. The grant table is
``smecluster.apps.accounts.account_reach.GRANTS``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from factories import PASSWORD
from smecluster.apps.accounts import account_import, administration
from smecluster.apps.accounts.account_reach import GRANTS, manageable_accounts
from smecluster.apps.accounts.administration import AccountDetails
from smecluster.apps.accounts.models import ROLE_LEVEL, Jurisdiction, Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notifications.models import MailDelivery
from smecluster.errors import UnusableInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_worker_at_commit")]

NEW_PASSWORD = "凤凰山下种荔枝-7391"
capture = TestCase.captureOnCommitCallbacks


def _details(role: Role, code: str, email: str = "new.officer@example.test") -> AccountDetails:
    return AccountDetails(
        full_name="李婉清", email=email, role=role, jurisdiction=Jurisdiction.objects.get(code=code)
    )


def _link(delivery: MailDelivery) -> str:
    """The site path of the invitation link in a queued mail (the mail carries it absolute)."""
    found = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", delivery.body)
    assert found, delivery.body
    return found.group(1)


def _form(role: Role | str, code: str, **extra: str) -> dict[str, Any]:
    return {
        "username": "new-officer",
        "full_name": "李婉清",
        "email": "new.officer@example.test",
        "role": str(role),
        "jurisdiction": code,
        "organization": "测试单位",
        "phone": "",
        "invite": "on",
        **extra,
    }


def _signs_in(username: str, password: str) -> bool:
    """Through the login page, as a person does (django-axes wants the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and not response["Location"].startswith(reverse("login"))


def _accept(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    page = client.get(link)  # the token moves into the session; the page's address no longer holds it
    assert page.status_code == 302, page.status_code
    return client.post(page["Location"], {"new_password1": password, "new_password2": password})


# --- who may grant what (ADR 0027) ----------------------------------------------------------------------


def test_nobody_grants_a_role_above_their_own_level() -> None:
    """ADR 0027: the grant table never reaches above the granter's level (ROLE_LEVEL; experts aside)."""
    order = {"national": 0, "province": 1, "city": 2, "county": 3}
    for granter, roles in GRANTS.items():
        own = ROLE_LEVEL[Role(granter)]
        for role in roles:
            level = ROLE_LEVEL[role]
            if level is not None:
                assert own is not None, granter
                assert order[level] >= order[own], (granter, role)
    assert GRANTS[Role.OPERATOR] == GRANTS[Role.EXPERT] == ()


def test_a_city_officer_cannot_create_a_province_account_nor_one_outside_its_city_even_by_crafted_posts(
    web_users: dict[str, User],
) -> None:
    """Issue 17: "nobody can grant a role above their own or outside their reach" — the form does not offer
    it, and a crafted post of a province role, a province code or another city's county is refused; the
    service refuses the same when called directly. Nothing is created, nothing audited, nothing mailed."""
    city = web_users["city_officer"]  # 佛山市
    client = Client()
    client.force_login(city)
    page = client.get(reverse("accounts:admin_new")).content.decode()
    assert 'value="province_admin"' not in page
    assert 'value="440100"' not in page  # 广州市 is not its to pick
    assert 'value="440606"' in page  # 顺德区 is
    events = AuditEvent.objects.count()
    for crafted in (
        _form(Role.PROVINCE_ADMIN, "440000"),  # a province account
        _form(Role.CITY_OFFICER, "440600"),  # its own peer
        _form(Role.COUNTY_OFFICER, "440106"),  # 广州市天河区: outside its city
        _form(Role.COUNTY_OFFICER, "440000"),  # the province's code for a county role
        _form(Role.EXPERT, "440606"),  # experts are the province's
    ):
        response = client.post(reverse("accounts:admin_new"), crafted)
        assert response.status_code == 400, crafted
    assert not User.objects.filter(username="new-officer").exists()
    assert AuditEvent.objects.count() == events
    assert not MailDelivery.objects.exists()
    for role, code in ((Role.PROVINCE_ADMIN, "440000"), (Role.COUNTY_OFFICER, "440106")):
        with pytest.raises(ValidationError):
            administration.account_create(actor=city, username="crafted", details=_details(role, code))
    assert not User.objects.filter(username="crafted").exists()


def test_a_city_officer_creates_a_county_officer_of_its_city(web_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(web_users["city_officer"])
    with capture(execute=True):
        response = client.post(reverse("accounts:admin_new"), _form(Role.COUNTY_OFFICER, "440606"))
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username="new-officer")
    assert (account.role, account.jurisdiction_id, account.is_active) == (Role.COUNTY_OFFICER, "440606", True)
    assert not account.has_usable_password()  # nobody signs in before the owner sets a password
    created = AuditEvent.objects.get(action=actions.USER_CREATE.code, target_id=str(account.pk))
    assert created.actor == web_users["city_officer"]
    assert created.after["role"] == "county_officer"
    assert AuditEvent.objects.filter(action=actions.USER_INVITE.code, target_id=str(account.pk)).exists()
    assert [message.to for message in mail.outbox] == [["new.officer@example.test"]]


def test_the_lists_hold_only_the_accounts_within_reach(web_users: dict[str, User]) -> None:
    """A city officer administers county officers and operators of its city; a county officer its county's
    operators; a province everything of its province but the platform administrators; nobody itself."""
    city = manageable_accounts(web_users["city_officer"])
    assert set(city.values_list("username", flat=True)) == {
        "county-officer",
        "other-county-officer",
        "operator",
        "other-operator",
    }
    county = manageable_accounts(web_users["county_officer"])
    assert set(county.values_list("username", flat=True)) == {"operator"}
    province = set(manageable_accounts(web_users["province_admin"]).values_list("username", flat=True))
    assert "province-admin" not in province
    assert {"city-officer", "other-city-officer", "expert"} <= province
    assert not manageable_accounts(web_users["operator"]).exists()
    client = Client()
    client.force_login(web_users["city_officer"])
    page = client.get(reverse("accounts:admin_list"), {"q": "440605", "sort": "username"}).content.decode()
    assert "other-county-officer" in page
    assert "other-operator" in page
    assert ">county-officer<" not in page
    other = web_users["other_city_officer"]
    assert client.get(reverse("accounts:admin_detail", args=[other.pk])).status_code == 404
    # The province narrows its list to one city with the scope picker; a scope beyond its reach is refused.
    client.force_login(web_users["province_admin"])
    page = client.get(reverse("accounts:admin_list"), {"scope": "440100"}).content.decode()
    assert ">other-city-officer<" in page
    assert ">city-officer<" not in page
    assert ">county-officer<" not in page
    page = client.get(reverse("accounts:admin_list"), {"scope": "440600"}).content.decode()
    assert ">county-officer<" in page
    assert ">other-city-officer<" not in page
    assert 'value="320000"' not in client.get(reverse("accounts:admin_list")).content.decode()
    # The download holds the rows the page lists, every page of them.
    download = client.get(reverse("accounts:admin_list"), {"scope": "440600", "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("用户名,姓名,角色,区划代码")
    assert {line.split(",")[0] for line in lines[1:]} == {
        "city-officer",
        "county-officer",
        "other-county-officer",
        "operator",
        "other-operator",
    }


def test_editing_cannot_move_an_account_out_of_reach(web_users: dict[str, User]) -> None:
    city = web_users["city_officer"]
    county = web_users["county_officer"]
    client = Client()
    client.force_login(city)
    url = reverse("accounts:admin_edit", args=[county.pk])
    crafted = _form(Role.COUNTY_OFFICER, "440106", email=county.email)
    assert client.post(url, crafted).status_code == 400
    county.refresh_from_db()
    assert county.jurisdiction_id == "440606"
    moved = _form(Role.COUNTY_OFFICER, "440605", email=county.email)
    assert client.post(url, moved).status_code == 302
    county.refresh_from_db()
    assert county.jurisdiction_id == "440605"
    event = AuditEvent.objects.get(action=actions.USER_UPDATE.code, target_id=str(county.pk))
    assert event.before["jurisdiction"] == "440606"
    assert event.after["jurisdiction"] == "440605"


def test_a_changed_email_is_told_to_the_old_address(web_users: dict[str, User]) -> None:
    """The reset mail follows the new address, so an address changed behind its owner's back is told to
    the old one."""
    county = web_users["county_officer"]
    old = county.email
    with capture(execute=True):
        administration.account_update(
            actor=web_users["city_officer"],
            account=county,
            details=_details(Role.COUNTY_OFFICER, "440606", email="new.address@example.test"),
        )
    assert [message.to for message in mail.outbox] == [[old]]
    assert "new.address@example.test" in mail.outbox[0].body
    with capture(execute=True):  # nothing changed: nothing audited, nothing mailed
        administration.account_update(
            actor=web_users["city_officer"],
            account=county,
            details=_details(Role.COUNTY_OFFICER, "440606", email="new.address@example.test"),
        )
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=actions.USER_UPDATE.code, target_id=str(county.pk)).count() == 1


def test_an_email_or_username_in_use_is_refused(web_users: dict[str, User]) -> None:
    province = web_users["province_admin"]
    with pytest.raises(ValidationError) as refused:
        administration.account_create(
            actor=province,
            username="County-Officer",  # the username of another account, case aside
            details=_details(Role.CITY_OFFICER, "440300", email=web_users["expert"].email.upper()),
        )
    assert set(refused.value.message_dict) == {"username", "email"}


# --- the invitation -------------------------------------------------------------------------------------


def test_the_invitation_link_sets_a_password_once_and_the_owner_signs_in(
    web_users: dict[str, User], settings: Any
) -> None:
    settings.SITE_URL = "https://cluster.example.gov.cn"
    with capture(execute=True):
        account = administration.account_create(
            actor=web_users["province_admin"],
            username="fs-officer",
            details=_details(Role.CITY_OFFICER, "440600"),
        )
    delivery = MailDelivery.objects.get(recipient=account)
    assert delivery.status == MailDelivery.Status.SENT
    assert "https://cluster.example.gov.cn/accounts/invitation/" in delivery.body
    assert "fs-officer" in delivery.body
    assert "佛山市" in delivery.body
    link = _link(delivery)
    client = Client()
    set_password = client.get(link)["Location"]  # the token moves into the session
    assert "/set-password/" in set_password
    weak = client.post(set_password, {"new_password1": "fsofficer2026", "new_password2": "fsofficer2026"})
    assert weak.status_code == 200
    assert "errorlist" in weak.content.decode()
    done = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("login")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=actions.USER_INVITATION_ACCEPT.code, actor=account).exists()
    assert _signs_in("fs-officer", NEW_PASSWORD)
    again = Client().get(link, follow=True).content.decode()
    assert 'id="invitation-invalid"' in again  # used once: dead


def test_a_new_invitation_kills_the_previous_link(web_users: dict[str, User]) -> None:
    province = web_users["province_admin"]
    with capture(execute=True):
        account = administration.account_create(
            actor=province, username="fs-officer", details=_details(Role.CITY_OFFICER, "440600")
        )
    first = _link(MailDelivery.objects.get(recipient=account))
    client = Client()
    client.force_login(province)
    with capture(execute=True):
        assert client.post(reverse("accounts:admin_invite", args=[account.pk])).status_code == 302
    second = _link(MailDelivery.objects.filter(recipient=account).order_by("-pk").first())  # type: ignore[arg-type]
    assert first != second
    assert 'id="invitation-invalid"' in Client().get(first, follow=True).content.decode()
    assert _accept(Client(), second).status_code == 302


def test_an_invitation_expires_after_the_configured_days(
    web_users: dict[str, User], clock: Any, settings: Any
) -> None:
    settings.INVITATION_TIMEOUT = 7 * 24 * 3600
    clock.beijing(date(2026, 3, 2))
    with capture(execute=True):
        account = administration.account_create(
            actor=web_users["province_admin"], username="late", details=_details(Role.CITY_OFFICER, "440600")
        )
    link = _link(MailDelivery.objects.get(recipient=account))
    admin = Client()
    admin.force_login(web_users["province_admin"])
    detail = reverse("accounts:admin_detail", args=[account.pk])
    # The account's page says when the invitation went and until when it works (Beijing time).
    assert "邀请 2026-03-02 10:00 发出，2026-03-09 10:00 前有效" in admin.get(detail).content.decode()
    clock.shift(timedelta(days=6, hours=23))
    assert Client().get(link).status_code == 302  # still valid: moved into the session
    clock.shift(timedelta(hours=2))
    assert 'id="invitation-invalid"' in Client().get(link, follow=True).content.decode()
    admin.force_login(web_users["province_admin"])  # a week later: the idle session has ended
    assert "发出的邀请已过期，请重新发送" in admin.get(detail).content.decode()


def test_a_deactivated_accounts_invitation_is_dead(web_users: dict[str, User]) -> None:
    province = web_users["province_admin"]
    with capture(execute=True):
        account = administration.account_create(
            actor=province, username="gone", details=_details(Role.CITY_OFFICER, "440600")
        )
    link = _link(MailDelivery.objects.get(recipient=account))
    administration.account_deactivate(actor=province, account=account, reason="调离")
    assert 'id="invitation-invalid"' in Client().get(link, follow=True).content.decode()
    with pytest.raises(ValidationError):
        administration.invitation_send(actor=province, account=account)


def test_a_role_that_signs_in_through_single_sign_on_gets_no_invitation(
    web_users: dict[str, User], settings: Any
) -> None:
    """SMECLUSTER_LOCAL_LOGIN_ROLES without city_officer: a city officer signs in through 统一身份认证 only,
    so no set-password link is sent, none can be sent again, and an earlier one no longer works."""
    province = web_users["province_admin"]
    with capture(execute=True):
        before = administration.account_create(
            actor=province, username="fs-before", details=_details(Role.CITY_OFFICER, "440600", "b@x.test")
        )
    link = _link(MailDelivery.objects.get(recipient=before))
    settings.LOCAL_LOGIN_ROLES = frozenset({"province_admin", "county_officer", "platform_admin"})
    with capture(execute=True):
        account = administration.account_create(
            actor=province, username="fs-sso", details=_details(Role.CITY_OFFICER, "440600")
        )
    assert not MailDelivery.objects.filter(recipient=account).exists()
    with pytest.raises(ValidationError):
        administration.invitation_send(actor=province, account=account)
    assert 'id="invitation-invalid"' in Client().get(link, follow=True).content.decode()
    client = Client()
    client.force_login(province)
    page = client.get(reverse("accounts:admin_detail", args=[account.pk])).content.decode()
    assert "通过统一身份认证登录" in page
    assert reverse("accounts:admin_invite", args=[account.pk]) not in page


# --- deactivation ---------------------------------------------------------------------------------------


def test_deactivating_ends_the_accounts_sessions_and_reactivating_lets_it_back(
    web_users: dict[str, User],
) -> None:
    county = web_users["county_officer"]
    theirs = Client()
    theirs.post(reverse("login"), {"username": county.username, "password": PASSWORD})
    assert theirs.get(reverse("home")).status_code == 200
    admin = Client()
    admin.force_login(web_users["city_officer"])
    # 顺德区's only county officer: the page warns that the office's tasks would reach nobody.
    assert (
        'id="sole-holder"' in admin.get(reverse("accounts:admin_detail", args=[county.pk])).content.decode()
    )
    url = reverse("accounts:admin_deactivate", args=[county.pk])
    assert admin.post(url, {"deactivate-reason": ""}).status_code == 400  # a reason is required
    assert admin.post(url, {"deactivate-reason": "调离"}).status_code == 302
    county.refresh_from_db()
    assert not county.is_active
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(county.pk)]
    response = theirs.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not _signs_in(county.username, PASSWORD)
    event = AuditEvent.objects.get(action=actions.USER_DEACTIVATE.code, target_id=str(county.pk))
    assert (event.reason, event.after["sessions_ended"]) == ("调离", 1)
    history = admin.get(reverse("accounts:admin_detail", args=[county.pk])).content.decode()
    assert f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}" in history
    assert "停用账号" in history
    assert admin.post(reverse("accounts:admin_reactivate", args=[county.pk])).status_code == 302
    assert _signs_in(county.username, PASSWORD)
    assert AuditEvent.objects.filter(action=actions.USER_REACTIVATE.code, target_id=str(county.pk)).exists()


def test_nobody_administers_their_own_account_or_a_platform_administrator(
    web_users: dict[str, User], web_new_user: Callable[..., User]
) -> None:
    province = web_users["province_admin"]
    staff = web_new_user("platform", Role.PROVINCE_ADMIN, "440000", is_staff=True)
    for target in (province, staff):
        with pytest.raises(PermissionDenied):
            administration.account_deactivate(actor=province, account=target, reason="试")
    client = Client()
    client.force_login(province)
    assert client.get(reverse("accounts:admin_detail", args=[staff.pk])).status_code == 404


def test_the_administrator_above_resets_a_second_factor(web_users: dict[str, User]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    county = web_users["county_officer"]
    TOTPDevice.objects.create(user=county, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(web_users["city_officer"])
    url = reverse("accounts:admin_reset_two_factor", args=[county.pk])
    assert client.post(url, {"reset-reason": "手机丢失"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=county).exists()
    event = AuditEvent.objects.get(action=actions.TWO_FACTOR_RESET.code, target_id=str(county.pk))
    assert (event.actor, event.reason) == (web_users["city_officer"], "手机丢失")
    other = Client()
    other.force_login(web_users["other_city_officer"])
    assert other.post(url, {"reset-reason": "试"}).status_code == 404


# --- bulk import ----------------------------------------------------------------------------------------


def _filled_template(actor: User, rows: list[list[Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(account_import.import_template(actor)))
    sheet = workbook[account_import.SHEET]
    for offset, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(offset, column, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_good_workbook_creates_and_invites_every_account(web_users: dict[str, User]) -> None:
    province = web_users["province_admin"]
    data = _filled_template(
        province,
        [
            ["sz-officer", "张振宇", "sz@example.test", "市级主管部门", "440300", "深圳市工信局", ""],
            ["nanhai-op", "何嘉欣", "nh@example.test", "集群运营管理机构", "440605", "", "0757-1234"],
        ],
    )
    client = Client()
    client.force_login(province)
    with capture(execute=True):
        response = client.post(reverse("accounts:admin_import"), {"file": _upload(data)}, follow=False)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.filter(username__in=["sz-officer", "nanhai-op"])
    assert {(u.role, u.jurisdiction_id) for u in created} == {
        ("city_officer", "440300"),
        ("operator", "440605"),
    }
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "nh@example.test",
        "sz@example.test",
    ]
    assert AuditEvent.objects.filter(action=actions.USER_IMPORT.code).count() == 1


def test_a_workbook_with_a_wrong_row_creates_nothing_and_names_each_cell(web_users: dict[str, User]) -> None:
    """All or nothing; the report names the sheet, the cell (so the row) and the column's label."""
    city = web_users["city_officer"]
    data = _filled_template(
        city,
        [
            ["ok-one", "张一", "one@example.test", "县级主管部门", "440606", "", ""],
            ["ok-one", "张二", "bad-address", "县级主管部门", "440106", "", ""],
            ["county-officer", "张三", web_users["expert"].email, "集群运营管理机构", "999999", "", ""],
        ],
    )
    with pytest.raises(UnusableInput) as refused:
        account_import.accounts_import(actor=city, data=data, file_name="accounts.xlsx")
    report = [str(problem) for problem in refused.value.problems]
    joined = "\n".join(report)
    assert "账号!A3 用户名" in joined
    assert "A2" in joined
    assert "账号!C3 电子邮箱" in joined
    assert "不是有效的电子邮箱" in joined
    assert "账号!E3 区划代码" in joined
    assert "不在您的管辖范围内" in joined
    assert "账号!A4 用户名" in joined
    assert "已被使用" in joined
    assert "账号!C4 电子邮箱" in joined
    assert "账号!E4 区划代码" in joined
    assert "999999" in joined
    assert not User.objects.filter(username="ok-one").exists()
    client = Client()
    client.force_login(city)
    page = client.post(reverse("accounts:admin_import"), {"file": _upload(data)})
    assert page.status_code == 400
    assert "账号!E3 区划代码" in page.content.decode()
    assert not MailDelivery.objects.exists()


def test_an_oversized_or_foreign_upload_is_refused_before_parsing(web_users: dict[str, User]) -> None:
    city = web_users["city_officer"]
    with pytest.raises(UnusableInput):
        account_import.accounts_import(
            actor=city, data=b"x" * (account_import.MAX_FILE_BYTES + 1), file_name="big.xlsx"
        )
    with pytest.raises(UnusableInput) as refused:
        account_import.accounts_import(actor=city, data=b"not a workbook", file_name="a.xlsx")
    assert "Excel" in str(refused.value)


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "accounts.xlsx",
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
