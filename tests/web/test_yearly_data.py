"""The platform administrator loads a year's holiday arrangement and a revised rule set from the web
(issue 16, "Yearly data in the web"): previewed first (the arrangement worded as the State Council's notice
words it; the rule set validated by its schema and shown as a diff against the current one), then written
whole to the data directory, recorded, audited, and in force at once without a restart."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from smecluster import workdays
from smecluster.apps.accounts.models import User
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.yearly_data.models import YearlyDataLoad
from smecluster.policy.ruleset import rule_set, rule_set_text

pytestmark = pytest.mark.django_db

INDEX = "/platform/yearly-data/"

# A made-up arrangement for 2031 (no notice exists yet): 春节 over seven days with two make-up Saturdays.
YEAR_2031 = """date,type,holiday_name
2031-01-01,holiday_off,元旦
2031-01-22,holiday_off,春节
2031-01-23,holiday_off,春节
2031-01-24,holiday_off,春节
2031-01-25,holiday_off,春节
2031-01-26,holiday_off,春节
2031-01-27,holiday_off,春节
2031-01-28,holiday_off,春节
2031-01-18,makeup_workday,春节
2031-02-08,makeup_workday,春节
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own data directory: what it loads must not reach the rest of the suite."""
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def platform_admin(web_users: dict[str, User]) -> User:
    admin = web_users["province_admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return admin


def _upload(client: Client, kind: str, name: str, content: bytes) -> HttpResponse:
    return client.post(
        f"/platform/yearly-data/{kind}/preview/", {f"{kind}-file": SimpleUploadedFile(name, content)}
    )


def _confirm(client: Client, kind: str, page: str) -> HttpResponse:
    digest = page.split('name="sha256" value="')[1].split('"')[0]
    return client.post(f"/platform/yearly-data/{kind}/load/", {"sha256": digest})


def test_only_the_platform_administrator_loads_yearly_data(
    client: Client, web_users: dict[str, User]
) -> None:
    client.force_login(web_users["province_admin"])  # a province's admin, not the platform's
    response = client.get(INDEX)
    assert response.status_code == 403
    assert "节假日安排和规则集由平台管理员载入" in response.content.decode()
    assert _upload(client, "holidays", "2031.csv", YEAR_2031.encode()).status_code == 403


def test_a_year_is_previewed_as_the_notice_words_it_then_loaded_in_force_at_once(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    with pytest.raises(workdays.MissingHolidayData):
        workdays.is_workday(date(2031, 1, 22))

    response = _upload(client, "holidays", "2031年节假日安排.csv", YEAR_2031.encode("gb18030"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "元旦：1月1日放假，共1天。" in page
    assert "春节：1月22日至28日放假调休，共7天。1月18日（星期六）、2月8日（星期六）上班。" in page
    assert "该年度尚无安排" in page
    assert not (data_dir / "holidays" / "2031.csv").exists()  # a preview stores nothing

    response = _confirm(client, "holidays", page)
    assert response.status_code == 302
    assert (data_dir / "holidays" / "2031.csv").read_bytes() == YEAR_2031.encode("gb18030")  # as uploaded
    assert workdays.is_workday(date(2031, 1, 22)) is False  # no restart
    assert workdays.is_workday(date(2031, 1, 18)) is True  # a make-up Saturday
    loaded = YearlyDataLoad.objects.get()
    assert (loaded.kind, loaded.key, loaded.loaded_by) == ("holidays", "2031", platform_admin)
    assert loaded.summary == {"days_off": 8, "makeup_workdays": 2, "replaced": None}
    event = AuditEvent.objects.get(action="yearly_data.holidays_load")
    assert event.after["year"] == 2031
    assert event.after["sha256"] == loaded.sha256


def test_replacing_a_year_shows_what_changes(client: Client, platform_admin: User, data_dir: Path) -> None:
    client.force_login(platform_admin)
    _confirm(client, "holidays", _upload(client, "holidays", "2031.csv", YEAR_2031.encode()).content.decode())
    revised = YEAR_2031.replace("2031-02-08,makeup_workday,春节\n", "")
    page = _upload(client, "holidays", "2031-revised.csv", revised.encode()).content.decode()
    assert "将替换现行安排" in page
    changes = page.split('id="holiday-changes"')[1].split("</table>")[0]
    assert "2031年2月8日" in changes
    assert "2031年1月22日" not in changes  # unchanged days are not listed


def test_a_malformed_file_is_refused_with_every_problem_and_nothing_stored(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    broken = "date,type\n2031-02-30,holiday_off\n2031-03-01,day_off\n"
    response = _upload(client, "holidays", "2031.csv", broken.encode())
    assert response.status_code == 400
    page = response.content.decode()
    assert "未载入任何内容" in page
    assert "row 2" in page
    assert "row 3" in page
    assert not (data_dir / "holidays").exists()
    assert not YearlyDataLoad.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    response = _upload(client, "holidays", "big.csv", b"date,type\n" + b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


def test_the_load_takes_only_the_bytes_previewed(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    _upload(client, "holidays", "2031.csv", YEAR_2031.encode())
    response = client.post("/platform/yearly-data/holidays/load/", {"sha256": "0" * 64}, follow=True)
    assert "与预览的不一致" in response.content.decode()
    assert not (data_dir / "holidays" / "2031.csv").exists()
    assert not YearlyDataLoad.objects.exists()


def test_a_revised_rule_set_is_diffed_then_in_force_at_once_and_the_old_one_kept(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    where, current = rule_set_text("shaanxi-2023") or ("", "")
    assert where == "package"
    old_clause = "本办法自印发之日起实施，有效期2年。"
    assert old_clause in current
    revised = current.replace("valid_until: 2025-04-27", "valid_until: 2027-04-27").replace(
        old_clause, "本办法自印发之日起实施，有效期4年。"
    )
    response = _upload(client, "rule_set", "shaanxi-2023.yaml", revised.encode())
    page = response.content.decode()
    assert response.status_code == 200
    assert "陕西省促进中小企业特色产业集群发展实施办法（暂行）" in page
    diff = page.split('id="rule-set-diff"')[1].split("</pre>")[0]
    assert '<span class="removed">-  valid_until: 2025-04-27</span>' in diff
    assert '<span class="added">+  valid_until: 2027-04-27</span>' in diff
    assert rule_set("shaanxi-2023").validity.valid_until == date(2025, 4, 27)  # previewed, not loaded

    _confirm(client, "rule_set", page)
    assert rule_set("shaanxi-2023").validity.valid_until == date(2027, 4, 27)  # in force, no restart
    assert (data_dir / "rulesets" / "shaanxi-2023.yaml").read_text(encoding="utf-8") == revised
    event = AuditEvent.objects.get(action="yearly_data.rule_set_load")
    assert event.after["rule_set"] == "shaanxi-2023"
    assert event.after["replaced"] == "package"

    again = revised.replace("有效期4年。", "有效期5年。")
    _confirm(
        client, "rule_set", _upload(client, "rule_set", "shaanxi-2023.yaml", again.encode()).content.decode()
    )
    history = list((data_dir / "rulesets" / "history").iterdir())
    assert len(history) == 1
    assert history[0].read_text(encoding="utf-8") == revised  # the replaced installed copy is kept


def test_a_rule_set_that_breaks_the_schema_is_refused_naming_the_field(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    _where, current = rule_set_text("shaanxi-2023") or ("", "")
    broken = current.replace("working_days:", "working_dayz:", 1)
    response = _upload(client, "rule_set", "shaanxi-2023.yaml", broken.encode())
    assert response.status_code == 400
    assert "working_dayz" in response.content.decode()
    assert not (data_dir / "rulesets").exists()
    assert rule_set("shaanxi-2023").id == "shaanxi-2023"


def test_the_index_lists_years_rule_sets_and_loads(
    client: Client, platform_admin: User, data_dir: Path
) -> None:
    client.force_login(platform_admin)
    page = client.get(INDEX).content.decode()
    assert "2026" in page
    assert "national-2022" in page
    assert "随平台发布" in page
    assert "尚无载入记录" in page


def test_a_second_worker_sees_the_loaded_year(platform_admin: User, data_dir: Path) -> None:
    """The calendar is re-read when its files change, so every process sees a year loaded by another."""
    holidays = data_dir / "holidays"
    holidays.mkdir()
    (holidays / "2031.csv").write_bytes(io.BytesIO(YEAR_2031.encode()).getvalue())
    assert workdays.holiday_calendar().arrangement(2031).year == 2031
