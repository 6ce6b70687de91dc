"""Links are reversed from the URL configuration (``reverse``, ``get_absolute_url``), never written out.

A path written as a string (``f"/applications/{pk}/"``) breaks silently when a route moves; the scan
looks for string literals that start with an app's URL prefix in the Python source (migrations and the
root URL configuration, which declares the prefixes, aside).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "smecluster"
# The root URL configuration declares the prefixes; the API's routers (django-ninja) are the API's own URL
# configuration, declared as paths under /api/v1/ (``@router.get("/applications/{number}/profile")``).
EXEMPT = {SRC / "site" / "urls.py", SRC / "apps" / "api" / "public.py", SRC / "apps" / "api" / "private.py"}
PREFIXES = (
    "applications", "registry", "oversight", "notices", "selection", "reviews", "programmes", "rosters",
    "monitoring", "discovery", "public",
)  # fmt: skip
WRITTEN_OUT_PATH = re.compile(r"""(?<![\w"'])[rRbBuUfF]{0,2}(["'])/(?:""" + "|".join(PREFIXES) + r")/")


def _written_out_paths(source: str, name: str) -> list[str]:
    return [
        f"{name}:{source.count(chr(10), 0, match.start()) + 1}: {match.group(0)}…"
        for match in WRITTEN_OUT_PATH.finditer(source)
    ]


def test_no_path_is_written_out_in_src() -> None:
    found = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if path not in EXEMPT and "migrations" not in path.parts
        for hit in _written_out_paths(path.read_text(encoding="utf-8"), str(path.relative_to(SRC.parent)))
    ]
    assert found == [], "use reverse(...) or obj.get_absolute_url():\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "hits"),
    [
        ('link = f"/applications/{application.pk}/"', 1),
        ("redirect('/registry/clusters/')", 1),
        ('url = "/programmes/pool/"', 1),
        ('reverse("applications:detail", args=[pk])', 0),
        ('text = "see /applications/ for more"', 0),
        ('path = "/static/app.css"', 0),
    ],
)
def test_the_scan_finds_a_written_out_path(source: str, hits: int) -> None:
    assert len(_written_out_paths(source, "sample.py")) == hits
