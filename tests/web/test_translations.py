"""The English catalogue: every message of the zh-Hans interface has an English translation that
``msgfmt --check`` accepts, and a person who chose English (the language switch's
cookie) gets the pages in English while everyone else gets Chinese."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from smecluster.apps.accounts.models import Role, User

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")

ZH_TASKS, EN_TASKS = "我的待办", "My tasks"


def _po_entries(text: str) -> list[dict[str, str]]:
    """The catalogue's entries (header included, obsolete ``#~`` ones left out), each as its keywords
    (msgctxt, msgid, msgid_plural, msgstr, msgstr[0], ...) with the strings joined and unescaped."""
    entries: list[dict[str, str]] = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        flags: list[str] = []
        keyword = ""
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                fields[keyword] += ast.literal_eval(line)
            else:
                keyword, _, quoted = line.partition(" ")
                fields[keyword] = ast.literal_eval(quoted)
        if "msgid" in fields:
            fields["#flags"] = ",".join(flags)
            entries.append(fields)
    return entries


def test_the_english_catalogue_is_complete_and_well_formed() -> None:
    entries = _po_entries(EN_PO.read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["#flags"]
    assert "Language: en\n" in header["msgstr"]
    assert len(messages) > 100, "the catalogue looks truncated; run makemessages -l en again"

    untranslated = [
        entry["msgid"]
        for entry in messages
        if not all(entry[key].strip() for key in entry if key.startswith("msgstr"))
    ]
    fuzzy = [entry["msgid"] for entry in messages if "fuzzy" in entry["#flags"]]
    assert untranslated == []
    assert fuzzy == []
    # No Chinese left in an English msgstr, bar the few marks the English text names on purpose:
    # the "缺" (missing) mark that the eligibility tables show untranslated and the unit 亿元.
    leftover = [
        entry["msgid"]
        for entry in messages
        for key in entry
        if key.startswith("msgstr")
        and re.search(r"[\u4e00-\u9fff]", entry[key].replace("缺", "").replace("亿元", ""))
    ]
    assert leftover == []


def test_msgfmt_accepts_the_english_catalogue(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install the Debian package gettext"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(EN_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr
    assert "untranslated" not in result.stderr


@pytest.fixture
def officer_client(client: Client, web_new_user: Callable[..., User]) -> Client:
    assert EN_MO.exists(), f"{EN_MO} is missing: run `django-admin compilemessages` (make test does)"
    client.force_login(web_new_user("i18n-county", Role.COUNTY_OFFICER, "440606"))
    return client


@pytest.mark.django_db
def test_the_interface_is_chinese_by_default(officer_client: Client) -> None:
    page = officer_client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert ZH_TASKS in page
    assert EN_TASKS not in page


@pytest.mark.django_db
def test_a_browser_set_to_english_still_gets_chinese_until_the_person_switches(
    officer_client: Client,
) -> None:
    """Chinese first: the browser's Accept-Language does not turn the pages English unasked."""
    page = officer_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page
    assert ZH_TASKS in page


@pytest.mark.django_db
def test_a_person_who_chose_english_gets_english(officer_client: Client) -> None:
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = officer_client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert EN_TASKS in page
    assert ZH_TASKS not in page


@pytest.mark.django_db
def test_the_language_switch_turns_the_interface_to_english_and_back(officer_client: Client) -> None:
    response = officer_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert officer_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = officer_client.get("/").content.decode()
    assert EN_TASKS in page
    assert ZH_TASKS not in page

    officer_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = officer_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ZH_TASKS in page, "the cookie the switch sets outranks the browser's Accept-Language"
    assert EN_TASKS not in page
