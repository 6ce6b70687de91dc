"""``smecluster collect``: the ministry's platform pulls a province's annual figures of its national
clusters from the province's API (``GET /api/v1/collection/{year}`` with a token a province account
made) and records what it received (``apps.api.collection``)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import click

from smecluster.cli.web_commands import _setup_django
from smecluster.errors import UnusableInput

TIMEOUT_SECONDS = 60


def fetch_package(url: str, token: str) -> bytes:
    """The package's bytes, or :class:`UnusableInput` naming the URL and why not (Django set up)."""
    from smecluster.apps.api.collection import MAX_PACKAGE_BYTES

    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            raw: bytes = answer.read(MAX_PACKAGE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise UnusableInput.single(url, "", f"省级平台答复 HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise UnusableInput.single(url, "", f"无法连接：{getattr(error, 'reason', error)}") from None
    if len(raw) > MAX_PACKAGE_BYTES:
        raise UnusableInput.single(url, "", "数据包过大")
    return raw


@click.command("collect")
@click.argument("base_url")
@click.option("--year", type=click.IntRange(1900, 2999), required=True, help="the year of the annual figures")
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="a file holding the province's token (kept out of the command line and the shell's history)",
)
def collect(base_url: str, year: int, token_file: Path) -> None:
    """Pull a province's annual figures of its national clusters (BASE_URL: the province platform's
    address, e.g. https://gd.example.gov.cn) and record what was received."""
    _setup_django()
    from smecluster.apps.api.collection import collection_receive
    from smecluster.profile import decode_json

    url = f"{base_url.rstrip('/')}/api/v1/collection/{year}"
    raw = fetch_package(url, token_file.read_text(encoding="utf-8").strip())
    receipt = collection_receive(actor=None, package=decode_json(raw, source=url), raw=raw, source=url)
    click.echo(f"{receipt.province_id} {receipt.year}: {receipt.clusters} clusters, sha256 {receipt.sha256}")
