"""``smecluster profile export|import``: a round trip through JSON and XLSX loses nothing; bad input exits 2
naming the field and writes nothing; only an editable draft takes an import, and it is audited."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.models import Application, ApplicationYear
from smecluster.apps.applications.profiles import profile_document
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.applications.workflow import Status
from smecluster.apps.audit.models import AuditEvent
from smecluster.cli import main
from smecluster.documents.sheets import workbook_bytes

pytestmark = pytest.mark.django_db


def _run(*arguments: str) -> object:
    return CliRunner().invoke(main, list(arguments), catch_exceptions=False)


def _document(application: Application) -> dict[str, object]:
    application.refresh_from_db()
    document = profile_document(application, today_in_china())
    document.pop("name")
    return document


@pytest.mark.parametrize("form", ["json", "xlsx"])
def test_export_then_import_into_another_draft_loses_nothing(
    form: str, tmp_path: Path, web_users: dict[str, User], web_application_in: Callable[..., Application]
) -> None:
    source = web_application_in(Status.DRAFT)
    ApplicationYear.objects.filter(application=source).update(iip_penetration=Decimal("18.25"))
    source.other_counties = ["440605"]
    source.save()
    target = web_application_in(Status.DRAFT)
    target.years.all().delete()
    path = tmp_path / f"profile.{form}"
    exported = _run("profile", "export", "--application", source.number, "--output", str(path))
    assert exported.exit_code == 0, exported.output
    if form == "json":
        assert json.loads(path.read_text(encoding="utf-8"))["years"][0]["iip_penetration"] == 18.25
    else:
        assert "年度数据" in load_workbook(path).sheetnames

    imported = _run("profile", "import", str(path), "--application", str(target.pk), "--as", "county-officer")
    assert imported.exit_code == 0, imported.output
    assert _document(target) == _document(source)
    target.refresh_from_db()
    assert target.name == source.name
    events = AuditEvent.objects.filter(action="application.import_profile", target_id=str(target.pk))
    assert events.count() == 1
    assert events.get().after["source"] == path.name


def test_export_to_standard_output_is_the_interchange_format(web_application: Application) -> None:
    result = _run("profile", "export", "--application", str(web_application.pk))
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["schema"] == 1
    assert document["counties"] == ["440606"]
    assert document["years"][-1]["output"] == 53.0


def test_a_bad_profile_exits_2_naming_the_field_and_writes_nothing(
    tmp_path: Path, web_users: dict[str, User], web_application: Application
) -> None:
    path = tmp_path / "bad.json"
    _run("profile", "export", "--application", str(web_application.pk), "--output", str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["years"][1]["output"] = -3
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = _document(web_application)
    result = CliRunner().invoke(
        main,
        ["profile", "import", str(path), "--application", str(web_application.pk), "--as", "county-officer"],
    )
    assert result.exit_code == 2
    assert "years[1].output: 须不小于 0" in result.output
    assert "Traceback" not in result.output
    assert _document(web_application) == before
    assert not AuditEvent.objects.filter(action="application.import_profile").exists()


def test_a_bad_workbook_cell_exits_2_naming_sheet_and_cell(
    tmp_path: Path, web_users: dict[str, User], web_application: Application
) -> None:
    path = tmp_path / "form.xlsx"
    _run("profile", "export", "--application", str(web_application.pk), "--output", str(path))
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    workbook["年度数据"]["B2"] = "很多"
    path.write_bytes(workbook_bytes(workbook))
    result = CliRunner().invoke(
        main,
        ["profile", "import", str(path), "--application", str(web_application.pk), "--as", "county-officer"],
    )
    assert result.exit_code == 2
    assert "年度数据!B2 集群总产值: “很多”不是数字" in result.output


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("county-officer", Status.SUBMITTED, "refused"),
        ("other-county-officer", Status.DRAFT, "refused"),
        ("city-officer", Status.DRAFT, "refused"),
        ("nobody", Status.DRAFT, "no active account nobody"),
    ],
)
def test_only_an_editable_draft_of_ones_own_county_takes_an_import(
    who: str, status: str, message: str, tmp_path: Path, web_users: dict[str, User],
    web_application_in: Callable[..., Application],
) -> None:  # fmt: skip
    application = web_application_in(status)
    path = tmp_path / "profile.json"
    _run("profile", "export", "--application", str(application.pk), "--output", str(path))
    result = CliRunner().invoke(
        main, ["profile", "import", str(path), "--application", application.number, "--as", who]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not AuditEvent.objects.filter(action="application.import_profile").exists()


def test_an_unknown_application_exits_2(web_users: dict[str, User]) -> None:
    result = CliRunner().invoke(main, ["profile", "export", "--application", "2099-000000-99"])
    assert result.exit_code == 2
    assert "no application 2099-000000-99" in result.output
