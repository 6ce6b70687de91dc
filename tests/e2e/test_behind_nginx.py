"""The production stack on loopback, as deploy/ describes it: nginx terminating TLS with the repository's
own site file (deploy/nginx/smecluster.conf, only its ports, host name and certificate paths changed) in
front of `smecluster serve` (gunicorn with the production settings, not the test ones). A county officer
logs in through it in Debian's chromium, uploads evidence and downloads the application PDF; plain HTTP is
sent to HTTPS; the session cookie is Secure; the request id nginx assigns reaches the application's JSON
log. Before the proxy settings existed, every login here was refused ("Origin checking failed").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from playwright.sync_api import Browser, expect, sync_playwright

from factories import PASSWORD, ApplicationFactory, UserFactory
from smecluster.apps.accounts.divisions import ensure_divisions

pytestmark = pytest.mark.django_db(transaction=True)

NGINX = "/usr/sbin/nginx"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SITE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "smecluster.conf"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _replace(text: str, old: str, new: str) -> str:
    """One change to the site file; fails when the file no longer has the line, so the test cannot drift
    away from what deploy/ ships."""
    assert old in text, f"deploy/nginx/smecluster.conf no longer has {old!r}"
    return text.replace(old, new)


@dataclass
class Stack:
    https: str
    http: str
    app_log: Path


def _wait_until_up(url: str, deadline_seconds: float = 60) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with urllib.request.urlopen(url, context=context, timeout=5):
                return
        except urllib.error.HTTPError as error:
            if error.headers.get_content_type() == "application/json":
                return  # the application answered: a 503 of /healthz is an answer too
            if time.monotonic() > deadline:  # nginx's 502 while gunicorn starts
                raise
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    assert Path(NGINX).exists(), f"{NGINX} is missing: install Debian's nginx (make test does)"
    app_port, https_port, http_port = _free_port(), _free_port(), _free_port()
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip

    site = SITE_FILE.read_text(encoding="utf-8")
    site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = _replace(site, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
    site = _replace(site, "    listen [::]:80;\n", "")
    site = _replace(site, "    listen 443 ssl http2;", f"    listen 127.0.0.1:{https_port} ssl http2;")
    site = _replace(site, "    listen [::]:443 ssl http2;\n", "")
    site = _replace(site, "server_name cluster.example.gov.cn;", "server_name localhost;")
    site = _replace(site, "/etc/ssl/smecluster/fullchain.pem", str(certificate))
    site = _replace(site, "/etc/ssl/smecluster/privkey.pem", str(key))
    # The redirect of plain HTTP keeps the port the browser used for TLS here (443 in production).
    site = _replace(
        site, "return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"
    )
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"""
        {"user root;" if os.geteuid() == 0 else ""}
        worker_processes 1;
        daemon off;
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/nginx-error.log warn;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            access_log {tmp_path}/nginx-access.log;
            client_body_temp_path {temp}/body;
            proxy_temp_path {temp}/proxy;
            fastcgi_temp_path {temp}/fastcgi;
            uwsgi_temp_path {temp}/uwsgi;
            scgi_temp_path {temp}/scgi;
            include {tmp_path}/site.conf;
        }}
        """,
        encoding="utf-8",
    )
    subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], check=True, capture_output=True)

    origin = f"https://localhost:{https_port}"
    database = connection.settings_dict
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("SMECLUSTER_", "DJANGO_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "smecluster.site.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "SMECLUSTER_SECRET_KEY": "behind-nginx-test-key-not-secret-0123456789abcdefghijklmnop",
        "SMECLUSTER_DATA_DIR": str(settings.DATA_DIR),  # the holiday years the suite uses
        "SMECLUSTER_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "SMECLUSTER_DATASETS_DIR": str(tmp_path / "datasets"),
        "SMECLUSTER_ALLOWED_HOSTS": "localhost",
        "SMECLUSTER_CSRF_TRUSTED_ORIGINS": origin,
        "SMECLUSTER_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SMECLUSTER_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
        "SMECLUSTER_SECURE_COOKIES": "true",
        "SMECLUSTER_SSL_REDIRECT": "true",
        "SMECLUSTER_HSTS_SECONDS": "3600",
        "SMECLUSTER_TWO_FACTOR_ROLES": "none",
        "SMECLUSTER_LOG_FORMAT": "json",
        "SMECLUSTER_LOG_LEVEL": "INFO",
    }
    app_log = tmp_path / "app.log"
    with app_log.open("wb") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "smecluster", "serve",
             "--bind", f"127.0.0.1:{app_port}", "--workers", "2"],
            env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    proxy = subprocess.Popen(
        [NGINX, "-c", str(tmp_path / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(f"{origin}/healthz")
        yield Stack(https=origin, http=f"http://localhost:{http_port}", app_log=app_log)
    finally:
        for process in (proxy, app):
            process.terminate()
        for process in (proxy, app):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp_path / "evidence", ignore_errors=True)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def test_log_in_upload_and_download_through_nginx_with_tls(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    ensure_divisions()
    people = {
        trait: UserFactory(**{trait: True}) for trait in ("county_officer", "city_officer", "province_admin")
    }
    # The suite hashes passwords with MD5 for speed; the production settings accept only their own hashers.
    officer = people["county_officer"]
    officer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    officer.save(update_fields=["password"])
    application = ApplicationFactory()
    evidence = tmp_path / "2025年度统计年报.pdf"
    evidence.write_bytes(PDF)

    context = browser.new_context(base_url=stack.https, ignore_https_errors=True, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "county-officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_be_visible()  # logged in: the CSRF origin check passed
    session = next(cookie for cookie in context.cookies() if cookie["name"] == "sessionid")
    assert session["secure"]
    assert session["httpOnly"]

    page.goto(f"/applications/{application.pk}/edit/figures/")
    block = page.locator("#evidence-figures")
    block.locator("input[type=file]").set_input_files(str(evidence))
    block.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-figures")).to_contain_text(evidence.name)
    assert application.evidence.filter(original_name=evidence.name).exists()

    response = context.request.get(f"/applications/{application.pk}/pdf/", timeout=120_000)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert "max-age=3600" in response.headers["strict-transport-security"]
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, passed through

    plain = context.request.get(f"{stack.http}/accounts/login/", max_redirects=0)
    assert plain.status == 301
    assert plain.headers["location"].startswith(f"{stack.https}/accounts/login/")

    health = context.request.get("/healthz")
    checks = health.json()["checks"]
    assert checks["database"]["ok"]
    assert checks["storage"]["ok"]
    context.close()

    records = [
        json.loads(line)
        for line in stack.app_log.read_text(encoding="utf-8").splitlines()
        if line.startswith("{")
    ]
    download = [
        record
        for record in records
        if record.get("request_id") == request_id and record["logger"] == "smecluster.access"
    ]
    assert len(download) == 1, "the application's JSON log has no access record with the download's id"
    assert download[0]["path"] == f"/applications/{application.pk}/pdf/"
    assert download[0]["status"] == 200
    assert download[0]["user_id"] == officer.pk
