"""The load test of issue 16: officers and visitors on the twenty busiest pages and actions.

Run by ``benchmarks/load/run.sh`` (which seeds, serves and reads the figures); by hand:

    locust -f benchmarks/load/locustfile.py --host http://127.0.0.1:8000 --headless -u 50 -r 5 -t 3m \
        --csv /tmp/load  # with LOAD_MANIFEST=/path/to/manifest.json (benchmarks/province_seed.py --manifest)

Who is simulated, and what each does between pauses of 1–4 s (a person reading, not a script hammering):

- visitors (the public): the home page, the published list (with and without a search), a cluster's public
  page, the public notices and one notice;
- county officers: their applications, one application, a tab of a draft, **saving that tab** (htmx, as
  the page does, then the eligibility panel it triggers), their annual reports and one report,
  notifications;
- city officers: applications searched and sorted, one application, the oversight list, the rosters and
  one roster version, annual reports;
- the province: the monitoring dashboard, the annual reports sorted, a recognized cluster, the
  applications sorted, assessments, notifications **marked read** (a save);
- every officer **signs in** at start (the login form and its POST: a save, and the slowest under load
  before) and now and then signs out and in again.

Names in the statistics group URLs by kind ("/applications/[id]/"), so the table reads as twenty rows.
"""

from __future__ import annotations

import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, between, task

MANIFEST: dict[str, Any] = json.loads(Path(os.environ["LOAD_MANIFEST"]).read_text(encoding="utf-8"))
# Seconds each simulated person pauses between two steps, as "LEAST,MOST" (LOAD_WAIT; benchmarks/README.md).
PAUSE = between(*(float(part) for part in os.environ.get("LOAD_WAIT", "1,4").split(",")))
PASSWORD = MANIFEST["password"]


class _Forms(HTMLParser):
    """The fields of every form of a page, as a browser would post them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._selected: str | None = None
        self._first_option: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._fields = []
            self.forms.append((named.get("action", "") or named.get("hx-post", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and named.get("name"):
            kind = named.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in named:
                return
            self._fields.append((named["name"], named.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and named.get("name"):
            self._textarea, self._text = named["name"], ""
        elif tag == "select" and named.get("name"):
            self._select, self._selected, self._first_option = named["name"], None, None
        elif tag == "option" and self._select is not None:
            value = named.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in named:
                self._selected = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._selected if self._selected is not None else self._first_option
            if chosen is not None:
                self._fields.append((self._select, chosen))
            self._select = None
        elif tag == "form":
            self._fields = None


def form_fields(html: str, action_contains: str) -> list[tuple[str, str]]:
    parser = _Forms()
    parser.feed(html)
    for action, fields in parser.forms:
        if action_contains in action:
            return fields
    raise LookupError(f"no form posting to {action_contains}")


def csrf_token(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class Officer(HttpUser):
    abstract = True
    wait_time = PAUSE
    people: ClassVar[list[dict[str, Any]]] = []

    def on_start(self) -> None:
        self.me = random.choice(self.people)
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.me["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page.text),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (POST)",
            # The sign-in itself; the page it leads to is a request of its own below, as in a browser.
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get("Location", ""):
                response.failure("not signed in")
                return
        self.client.get(response.headers["Location"], name="/")

    @task(1)
    def sign_in_again(self) -> None:
        page = self.client.get("/", name="/")
        self.client.post(
            "/accounts/logout/",
            data={"csrfmiddlewaretoken": csrf_token(page.text)},
            headers={"Referer": f"{self.host}/"},
            name="/accounts/logout/ (POST)",
        )
        self.sign_in()

    def open(self, path: str, name: str, **kwargs: Any) -> Any:
        return self.client.get(path, name=name, **kwargs)

    def one(self, key: str) -> Any:
        return random.choice(self.me[key])


class Visitor(HttpUser):
    weight = 20
    wait_time = PAUSE

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(4)
    def published_list(self) -> None:
        self.client.get("/public/clusters/", name="/public/clusters/")

    @task(2)
    def published_list_searched(self) -> None:
        word = random.choice(MANIFEST["public"]["searches"])
        self.client.get(f"/public/clusters/?q={word}", name="/public/clusters/?q=…")

    @task(3)
    def public_cluster(self) -> None:
        pk = random.choice(MANIFEST["public"]["clusters"])
        self.client.get(f"/public/clusters/{pk}/", name="/public/clusters/[id]/")

    @task(1)
    def public_notices(self) -> None:
        self.client.get("/public/notices/", name="/public/notices/")

    @task(1)
    def public_notice(self) -> None:
        pk = random.choice(MANIFEST["public"]["notices"])
        self.client.get(f"/public/notices/{pk}/", name="/public/notices/[id]/")


class CountyOfficer(Officer):
    weight = 15
    people = MANIFEST["counties"]

    @task(4)
    def applications(self) -> None:
        self.open("/applications/", "/applications/")

    @task(3)
    def application(self) -> None:
        self.open(f"/applications/{self.one('applications')}/", "/applications/[id]/")

    @task(3)
    def draft_tab(self) -> None:
        section = random.choice(("basics", "figures", "quality", "plan"))
        self.open(f"/applications/{self.one('drafts')}/edit/{section}/", "/applications/[id]/edit/[tab]/")

    @task(3)
    def save_tab(self) -> None:
        pk, section = self.one("drafts"), random.choice(("basics", "figures", "supply_chain"))
        path = f"/applications/{pk}/edit/{section}/"
        page = self.open(path, "/applications/[id]/edit/[tab]/")
        fields = form_fields(page.text, path)
        with self.client.post(
            path,
            data=fields,
            headers={"HX-Request": "true", "Referer": f"{self.host}{path}"},
            name="/applications/[id]/edit/[tab]/ (POST, save)",
            catch_response=True,
        ) as response:
            if "已保存" not in response.text:
                response.failure("the tab was not saved")
        self.open(
            f"/applications/{pk}/eligibility/",
            "/applications/[id]/eligibility/",
            headers={"HX-Request": "true"},
        )

    @task(2)
    def annual_reports(self) -> None:
        self.open("/annual-reports/", "/annual-reports/")

    @task(2)
    def annual_report(self) -> None:
        if self.me["reports"]:
            self.open(f"/annual-reports/{self.one('reports')}/", "/annual-reports/[id]/")

    @task(1)
    def notifications(self) -> None:
        self.open("/notifications/", "/notifications/")


class CityOfficer(Officer):
    weight = 8
    people = MANIFEST["cities"]

    @task(3)
    def applications_searched(self) -> None:
        word = random.choice(("产业集群", "家电", "五金", "2025", "纺织"))
        self.open(f"/applications/?q={word}&sort=-number", "/applications/?q=…&sort=…")

    @task(3)
    def application(self) -> None:
        self.open(f"/applications/{self.one('applications')}/", "/applications/[id]/")

    @task(2)
    def oversight(self) -> None:
        self.open("/oversight/clusters/", "/oversight/clusters/")

    @task(2)
    def rosters(self) -> None:
        self.open("/rosters/", "/rosters/")

    @task(1)
    def roster_version(self) -> None:
        if self.me["roster_versions"]:
            self.open(f"/rosters/versions/{self.one('roster_versions')}/", "/rosters/versions/[id]/")

    @task(2)
    def annual_reports(self) -> None:
        self.open("/annual-reports/", "/annual-reports/")


class Province(Officer):
    weight = 5
    people = MANIFEST["province"]

    @task(3)
    def dashboard(self) -> None:
        self.open("/monitoring/", "/monitoring/")

    @task(2)
    def annual_reports(self) -> None:
        self.open("/annual-reports/?sort=-year", "/annual-reports/?sort=…")

    @task(2)
    def cluster(self) -> None:
        self.open(f"/clusters/{self.one('clusters')}/", "/clusters/[id]/")

    @task(2)
    def applications_sorted(self) -> None:
        self.open("/applications/?sort=county", "/applications/?sort=…")

    @task(1)
    def assessments(self) -> None:
        self.open("/assessments/", "/assessments/")

    @task(1)
    def mark_read(self) -> None:
        page = self.open("/notifications/", "/notifications/")
        self.client.post(
            "/notifications/read/",
            data={"csrfmiddlewaretoken": csrf_token(page.text)},
            headers={"Referer": f"{self.host}/notifications/"},
            name="/notifications/read/ (POST, save)",
        )
