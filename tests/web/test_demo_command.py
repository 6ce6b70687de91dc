"""`smecluster demo` and `smecluster manage`: the demo database, its accounts and records, built through
the services; bad input exits 2 with a message, never a traceback."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest
from django.utils import timezone

from smecluster.apps.accounts.models import DevelopmentZone, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.notices.models import Notice, Objection
from smecluster.apps.oversight.models import RevocationProposal
from smecluster.apps.oversight.permissions import can_accept_revocation
from smecluster.apps.programmes.letterhead import letterhead
from smecluster.apps.programmes.models import PoolEntry, Programme, YearlyCall
from smecluster.apps.registry.models import RecognitionNotice, RecognizedCluster
from smecluster.apps.registry.services.recognition_notice import DOCUMENT_NUMBER
from smecluster.apps.reviews.selectors import city_quota
from smecluster.apps.selection.models import Assignment, ExpertProfile, Shortlist
from smecluster.site import demo

# This year's Guangdong applications (and 东莞's town cluster), last year's (taken to recognition), three
# to the national programme (this year 顺德区's through 广东省 and 南山区's through 深圳; last year's,
# recognized by the ministry), the older call's (recognized about three years ago: dynamic management), and
# 佛山市's own 市级集群.
DEMO_APPLICATION_COUNT = (
    len(demo.DEMO_APPLICATIONS) + 1 + len(demo.PREVIOUS_APPLICATIONS) + 3 + len(demo.OLDER_APPLICATIONS) + 1
)


def _smecluster(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SMECLUSTER_SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SMECLUSTER_DEBUG"}
    }
    environment.update(SMECLUSTER_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [str(Path(sys.executable).with_name("smecluster")), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def test_demo_prepares_a_database_of_its_own_and_keeps_it(tmp_path: Path) -> None:
    # A DATABASE_URL in the environment is not the demo's: the demo never touches it.
    first = _smecluster(
        "demo", "--no-serve", data_dir=tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none"
    )
    assert first.returncode == 0, first.stderr
    for account in demo.ACCOUNTS:
        assert account.username in first.stdout
    assert f"password: {demo.DEMO_PASSWORD}" in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
    assert (tmp_path / "demo.sqlite3").is_file()
    key = tmp_path / "demo-secret-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text()

    again = _smecluster("demo", "--no-serve", "--port", "8123", data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert key.read_text() == secret
    summary = [line for line in first.stdout.splitlines() if line.startswith("records:")]
    assert summary
    assert summary == [line for line in again.stdout.splitlines() if line.startswith("records:")]
    assert "http://127.0.0.1:8123/" in again.stdout
    # The administrators sign in with a second factor: their TOTP secrets are printed, the same each run.
    totp_secrets = re.findall(r"^  ((?:province|ministry)-admin) +([A-Z2-7]{32})$", first.stdout, re.M)
    assert sorted(name for name, _ in totp_secrets) == ["ministry-admin", "province-admin"]
    assert totp_secrets == re.findall(
        r"^  ((?:province|ministry)-admin) +([A-Z2-7]{32})$", again.stdout, re.M
    )
    assert "oathtool --totp -b SECRET" in first.stdout

    shown = _smecluster(
        "manage", "--demo", "shell", "-c",
        "from smecluster.apps.applications.models import Application; print(Application.objects.count())",
        data_dir=tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == str(DEMO_APPLICATION_COUNT)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--port", "0"], "--port"),
        (["demo", "--port", "eighty"], "--port"),
        (["demo", "--colour"], "--colour"),
        (["manage", "--demo", "no_such_command"], "unknown management command"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(args: list[str], message: str, tmp_path: Path) -> None:
    result = _smecluster(*args, data_dir=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_refused_before_anything_is_done(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _smecluster("demo", "--port", str(port), data_dir=tmp_path)
    assert result.returncode == 2
    assert f"port {port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "demo.sqlite3").exists()


def test_manage_without_a_key_says_what_to_set(tmp_path: Path) -> None:
    result = _smecluster("manage", "check", data_dir=tmp_path)
    assert result.returncode == 2
    assert "SMECLUSTER_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


# --- the demo's records, built on the test database (PostgreSQL) through the services -----------------


@pytest.mark.django_db
def test_build_demo_makes_every_record_through_the_services(web_divisions: None, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    summary = demo.build_demo()
    assert {user.username for user in User.objects.all()} >= {a.username for a in demo.ACCOUNTS}
    for account in demo.ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert (user.role, user.jurisdiction_id) == (account.role, account.jurisdiction)
    assert summary.applications == DEMO_APPLICATION_COUNT

    guangdong = Programme.objects.get(name=demo.GUANGDONG_PROGRAMME)
    assert (guangdong.rule_set_id, guangdong.quota_per_unit, guangdong.pool_required) == (
        "guangdong-2022",
        3,
        False,
    )
    assert guangdong.review_chain == ["county", "city", "province"]
    call = guangdong.calls.get(year=timezone.localdate().year)
    assert call.is_open(timezone.localdate())
    assert Programme.objects.get(name=demo.NATIONAL_PROGRAMME).rule_set_id == "national-2022"
    # this year's, last year's, the older one; the national programme's this year and last year; 佛山市's
    assert YearlyCall.objects.count() == 6
    assert PoolEntry.objects.filter(city="440600").count() >= 5
    # A 东莞 town cluster (issue 13, finding 7), drafted by 东莞's department acting at county level and
    # naming its street; with no city above 东莞, the province receives it.
    dongguan = Application.objects.get(call=call, name=demo.DONGGUAN_APPLICATION)
    assert (dongguan.county_id, dongguan.created_by.username) == ("441900", "dongguan-officer")
    assert (dongguan.status, dongguan.places) == (Status.SUBMITTED, demo.DONGGUAN_PLACES)
    assert city_quota(dongguan).city.code == "441900"
    # A development zone registered by the province with the 佛山 districts it spans ("development zones
    # (e.g. 贵阳高新区, 2022) are not divisions"), named by one 顺德 application.
    zone = DevelopmentZone.objects.get(name=demo.FOSHAN_ZONE)
    assert sorted(zone.counties.values_list("code", flat=True)) == sorted(demo.FOSHAN_ZONE_COUNTIES)
    assert Application.objects.get(call=call, name=demo.FOSHAN_ZONE_APPLICATION).development_zone == zone

    # This year's recommended application has gone on to expert review (screened, experts assigned).
    states = {
        spec.name: Status.SCREENED if spec.status == Status.RECOMMENDED else spec.status
        for spec in demo.DEMO_APPLICATIONS
    }
    states[demo.DONGGUAN_APPLICATION] = Status.SUBMITTED
    for application in call.applications.all():
        assert application.status == states[application.name], application.name
        trail = set(audit_trail(application).values_list("action", flat=True))
        assert "application.create" in trail
        if application.status != Status.DRAFT:
            assert "application.submit" in trail
            assert application.versions.exists()
    assert set(Application.objects.values_list("status", flat=True)) >= {
        Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.REVIEWED, Status.RECOMMENDED,
        Status.SCREENED,
    }  # fmt: skip
    for action in ("programme.create", "call.create", "pool.add", "user.create"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    # Issue 14: every recognition notice of the demo was issued with its 文号 (no draft left), through the
    # service, and the documents print the programme's contact.
    recognized_calls = set(RecognizedCluster.objects.values_list("application__call", flat=True))
    issued = {notice.call_id: notice for notice in RecognitionNotice.objects.all()}
    assert recognized_calls
    assert set(issued) == recognized_calls
    for notice in issued.values():
        assert DOCUMENT_NUMBER.match(notice.number), notice.number
        assert notice.number.split("〔")[1][:4] == str(notice.dated.year)
    assert AuditEvent.objects.filter(action="recognition_notice.issue").count() == len(issued)
    assert letterhead(guangdong).contact == "联系人：中小企业处（演示），电话：020-83133080"

    # Again: nothing is duplicated, nothing is rewritten.
    events = AuditEvent.objects.count()
    demo.build_demo()
    assert AuditEvent.objects.count() == events
    assert Application.objects.count() == DEMO_APPLICATION_COUNT


@pytest.mark.django_db
def test_the_demo_has_every_stage_of_selection(web_divisions: None, settings: Any, client: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.build_demo()
    today = timezone.localdate()
    assert ExpertProfile.objects.filter(user__username__in=demo.EXPERT_FIELDS).count() == 3

    # Last year's call: shortlist frozen, notice with a resolved objection, clusters recognized.
    previous = YearlyCall.objects.get(programme__name=demo.GUANGDONG_PROGRAMME, year=today.year - 1)
    shortlist = Shortlist.objects.get(call=previous)
    notice = Notice.objects.get(shortlist=shortlist)
    assert notice.ends_on < today
    assert list(Objection.objects.filter(notice=notice).values_list("status", "upheld")) == [
        (Objection.Status.RESOLVED, False),
        (Objection.Status.RESOLVED, True),
    ]
    clusters = list(RecognizedCluster.objects.filter(application__call=previous))
    assert len(clusters) == 2  # the third was shortlisted, and an upheld objection took it off the list
    removed = Application.objects.get(call=previous, name=demo.PREVIOUS_APPLICATIONS[2].name)
    assert removed.status == Status.REJECTED
    assert {cluster.recognized_on.year for cluster in clusters} == {today.year - 1}

    # The public pages show them, without a login.
    listing = client.get("/public/clusters/")
    assert listing.status_code == 200
    for cluster in clusters:
        assert cluster.number in listing.content.decode()
        assert cluster.name in listing.content.decode()
    notices = client.get("/public/notices/")
    assert notice.title in notices.content.decode()
    assert shortlist.content_hash in client.get(f"/public/notices/{notice.pk}/").content.decode()

    # This year's call is in expert review: one sheet submitted, two to come.
    current = Assignment.objects.filter(application__call__year=today.year)
    assert current.count() == 3
    assert current.filter(submitted_at__isnull=False).count() == 1

    # The province admin sees the frozen shortlist with its hash.
    # django-axes checks every authenticate against a request; the test client's login sends none of its own.
    assert client.login(request=HttpRequest(), username="province-admin", password=demo.DEMO_PASSWORD)
    page = client.get(f"/calls/{previous.pk}/shortlist/")
    assert page.status_code == 200
    assert shortlist.content_hash in page.content.decode()
    client.logout()

    # The ministry: a recommendation from 广东省 waits for it, and one from 深圳 (a 计划单列市, recommending
    # itself under its own quota of 2, not 广东省's).
    ministry = User.objects.get(username="ministry-admin")
    assert (ministry.role, ministry.jurisdiction_id) == ("ministry_admin", "100000")
    national = Application.objects.filter(
        call__programme__name=demo.NATIONAL_PROGRAMME, call__year=timezone.localdate().year
    )
    waiting = national.exclude(name=demo.SHENZHEN_APPLICATION).get()
    assert waiting.status == Status.RECOMMENDED
    shenzhen = national.get(name=demo.SHENZHEN_APPLICATION)
    assert shenzhen.status == Status.RECOMMENDED
    assert shenzhen.recommendation.decided_by.username == "shenzhen-officer"
    quota = city_quota(shenzhen)
    assert (quota.city.code, quota.quota, quota.used) == (demo.SHENZHEN, 2, 1)
    assert city_quota(waiting).recommended == [waiting]
    # A national cluster revocable: last year's, recognized by the ministry, with a 较大 accident proposing
    # case 5 on the national rule set's reported ground; only the ministry decides.
    national_cluster = RecognizedCluster.objects.get(name=demo.NATIONAL_CLUSTER)
    assert national_cluster.programme.rule_set_id == "national-2022"
    proposal = RevocationProposal.objects.get(cluster=national_cluster)
    assert (proposal.case, proposal.status, proposal.has_basis) == (5, RevocationProposal.Status.OPEN, True)
    assert "较大及以上安全、质量和环境污染等事故" in proposal.clause
    assert can_accept_revocation(ministry, proposal)
    assert not can_accept_revocation(User.objects.get(username="province-admin"), proposal)
    assert client.login(request=HttpRequest(), username="ministry-admin", password=demo.DEMO_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    assert waiting.name in home.content.decode()


@pytest.mark.django_db
def test_build_demo_restores_the_accounts(web_divisions: None) -> None:
    demo.build_demo()
    user = User.objects.get(username="county-officer")
    user.set_password("forgotten")
    user.is_active = False
    user.save()
    demo.ensure_accounts()
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(demo.DEMO_PASSWORD)
    assert audit_trail(user).filter(action="user.update").exists()


@pytest.mark.django_db
def test_the_demo_has_clusters_in_every_situation_of_dynamic_management(
    web_divisions: None, settings: Any, client: Any
) -> None:
    """On time (and at re-review), a late annual report, a change found without a filing, an incident
    awaiting decision, a revoked cluster: each page shows it, and today's tick has something to do."""
    from smecluster.apps.oversight.models import MajorChange, Revocation, RevocationProposal
    from smecluster.apps.oversight.tick import run_tick
    from smecluster.apps.registry.models import AnnualReport, ReReview

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.build_demo()
    today = timezone.localdate()
    clusters = {cluster.name: cluster for cluster in RecognizedCluster.objects.all()}
    on_time, unfiled = clusters[demo.ON_TIME], clusters[demo.UNFILED]
    late, revoked = clusters[demo.LATE_REPORT], clusters[demo.REVOKED]
    incident = clusters[demo.WITH_INCIDENT]

    # On time: every report forwarded before its due day; the approved change of its leading industry.
    reports = AnnualReport.objects.filter(cluster=on_time)
    assert reports.exists()
    assert not reports.filter(late=True).exists()
    assert on_time.leading_industry == "小家电及厨房电器"
    assert MajorChange.objects.get(cluster=on_time).status == MajorChange.Status.APPROVED
    # At re-review: its validity ends within the window, and the re-review is open.
    assert today < on_time.valid_until <= today + timedelta(days=on_time.programme.re_review_window_days)
    assert ReReview.objects.filter(cluster=on_time, period_valid_until=on_time.valid_until).exists()
    # Late: its latest report was forwarded after the due day; no proposal yet (today's tick makes it).
    assert AnnualReport.objects.filter(cluster=late, late=True).count() == 1
    assert not RevocationProposal.objects.filter(cluster=late).exists()
    # Unfiled change and incident: open proposals with their articles.
    assert RevocationProposal.objects.get(cluster=unfiled).article == "第十八条第（四）项"
    assert RevocationProposal.objects.get(cluster=incident).article == "第十八条第（五）项"
    # Revoked, with its article, on the public pages.
    assert revoked.status == RecognizedCluster.Status.REVOKED
    assert Revocation.objects.get(cluster=revoked).article == "第十八条第（五）项"
    assert "第十八条第（五）项" in client.get(f"/public/clusters/{revoked.pk}/").content.decode()

    # The pages: the province admin's list of proposals and each cluster's timeline.
    assert client.login(request=HttpRequest(), username="province-admin", password=demo.DEMO_PASSWORD)
    assert unfiled.name in client.get("/revocations/").content.decode()
    for cluster in (on_time, unfiled, late, revoked, incident):
        page = client.get(f"/clusters/{cluster.pk}/timeline/")
        assert page.status_code == 200, cluster.name
    assert "小家电及厨房电器" in client.get(f"/clusters/{on_time.pk}/timeline/").content.decode()

    # Today's tick proposes case 3 for the late report, and a second run finds nothing new.
    actions = run_tick(today)
    assert any(action.action == "proposed" and action.cluster == late.number for action in actions)
    assert RevocationProposal.objects.get(cluster=late).case == 3
    assert run_tick(today) == []

    # And the demo is built once: a second build adds nothing.
    events = AuditEvent.objects.count()
    demo.build_demo()
    assert AuditEvent.objects.count() == events
