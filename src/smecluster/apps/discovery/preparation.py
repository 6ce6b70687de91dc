"""Where a dataset's prepared data lives, and putting it there whole or not at all.

A dataset's file is prepared once (``analytics.discovery.prepare``: the checked rows in the fast layout, the
summary cube, the rejected sample and ``preparation.json``) into ``prepared/<SHA-256 of the file>/`` under
the datasets directory. The preparation writes into ``prepared/.partial-<random>/`` and the directory is
renamed into place only once every file is written and listed (size and SHA-256, which the dataset row
keeps for ``smecluster files verify``): a preparation that fails, or a worker that dies, leaves no directory
under the name a dataset could point at, and the partial one is removed (or, after a crash, named an orphan
by ``files verify`` and skipped by backups).

The same file (the same SHA-256) prepared again — registered by two provinces, or at two paths — reuses the
directory: identical bytes give identical prepared data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.site.upload_limits import dataset_limits
from smecluster.site.wording import translated

if TYPE_CHECKING:
    import ibis

    from smecluster.analytics.discovery.cube import Cube

PREPARED = "prepared"
PARTIAL_PREFIX = ".partial-"
# The preparation's report, written last (cube.REPORT_FILE; named here so that the pages import no Ibis).
REPORT_FILE = "preparation.json"
REJECTED_SAMPLE = "rejected_sample.csv"
_CHUNK = 1024 * 1024

Report = Callable[[int, str], None]


def prepared_root() -> Path:
    return Path(settings.DISCOVERY_DATASETS_DIR) / PREPARED


def prepared_directory(relative: str) -> Path:
    """A dataset's ``prepared_path`` (relative to the datasets directory) as a directory on this server."""
    return Path(settings.DISCOVERY_DATASETS_DIR) / relative


@dataclass(frozen=True)
class PreparedData:
    """A prepared directory in place: where (relative to the datasets directory), what the preparation
    reported, every file's size and SHA-256, and whether this preparation made it (not an earlier one of
    the same file)."""

    relative: str
    report: dict[str, Any]
    files: dict[str, dict[str, Any]]
    made: bool

    @property
    def years(self) -> list[int]:
        return [int(year) for year in self.report["years"]]

    @property
    def rows_read(self) -> int:
        return int(self.report["rows_read"])

    @property
    def rows_accepted(self) -> int:
        return int(self.report["rows_accepted"])

    @property
    def rows_rejected(self) -> int:
        return int(self.report["rows_rejected"])

    @property
    def rejected(self) -> dict[str, int]:
        return {key: int(count) for key, count in self.report["rejected"].items()}

    @property
    def seconds(self) -> float:
        return float(self.report["seconds"])


def file_digest(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """The file's SHA-256, telling ``progress`` the bytes read so far after each chunk (if given)."""
    digest = hashlib.sha256()
    read = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            read += len(chunk)
            if progress is not None:
                progress(read)
    return digest.hexdigest()


def listed_files(directory: Path) -> dict[str, dict[str, Any]]:
    """Every file under ``directory`` by its path relative to it (``/``-separated): size and SHA-256."""
    return {
        path.relative_to(directory).as_posix(): {"size": path.stat().st_size, "sha256": file_digest(path)}
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def prepare_into_place(raw: Path, sha256: str, report: Report) -> PreparedData:
    """Prepare ``raw`` (whose SHA-256 is ``sha256``) into ``prepared/<sha256>/``, or reuse that directory
    when the same file was prepared before. ``report`` hears the preparation's own steps, scaled to 0-90.
    Raises the preparation's :class:`~smecluster.errors.UnusableInput`, with nothing left behind."""
    from smecluster.analytics.discovery import cube, prepare

    root = prepared_root()
    final = root / sha256
    relative = final.relative_to(Path(settings.DISCOVERY_DATASETS_DIR)).as_posix()
    if cube.is_prepared(final):
        report(90, _("同一文件已准备过，沿用已准备好的数据"))
        return PreparedData(relative, _report_of(final), listed_files(final), made=False)
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f"{PARTIAL_PREFIX}{uuid.uuid4().hex}"
    try:
        prepare.prepare(
            raw,
            partial,
            max_year=timezone.localdate().year,
            limits=dataset_limits(),
            report=lambda percent, stage: report(percent * 90 // 100, translated(stage)),
        )
        files = listed_files(partial)
        try:
            partial.rename(final)
        except OSError:
            # Another job prepared the same file meanwhile and renamed its directory first: use that one.
            if not cube.is_prepared(final):
                raise
            shutil.rmtree(partial)
            return PreparedData(relative, _report_of(final), listed_files(final), made=False)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return PreparedData(relative, _report_of(final), files, made=True)


def remove_prepared(prepared: PreparedData) -> None:
    """Undo :func:`prepare_into_place` when the dataset could not be recorded: the directory goes if this
    preparation made it (one reused belongs to the dataset that made it)."""
    if prepared.made:
        shutil.rmtree(prepared_directory(prepared.relative), ignore_errors=True)


def _report_of(directory: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((directory / REPORT_FILE).read_text(encoding="utf-8"))
    return report


def partial_directories() -> list[Path]:
    """Directories of preparations under way (or left by a worker that died): never backed up, never
    pointed at by a dataset."""
    root = prepared_root()
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.name.startswith(PARTIAL_PREFIX))


def is_partial(path: Path) -> bool:
    """Whether ``path`` lies in a preparation's partial directory."""
    return any(part.startswith(PARTIAL_PREFIX) for part in path.parts) and PREPARED in path.parts


_OPEN_CUBES = 8
_this_thread = threading.local()


def opened_cube(relative: str) -> Cube:
    """The cube of the prepared directory ``relative`` (a dataset's ``prepared_path``), opened once per
    thread on the thread's own DuckDB connection and kept (the last few): a run answered in the request
    then pays neither a new connection nor reading the cube's files' footers again, about a quarter of
    the 100 ms it may take. A directory prepared again (its report rewritten) is opened again."""
    from smecluster.analytics.discovery import cube

    directory = prepared_directory(relative)
    try:
        key = (str(directory), (directory / REPORT_FILE).stat().st_mtime_ns)
    except FileNotFoundError:
        key = (str(directory), 0)  # open_cube says what is missing
    connection = thread_connection()
    cubes: OrderedDict[tuple[str, int], Cube] = _this_thread.cubes
    if key in cubes:
        cubes.move_to_end(key)
        return cubes[key]
    opened = cube.open_cube(connection, directory)
    cubes[key] = opened
    while len(cubes) > _OPEN_CUBES:
        cubes.popitem(last=False)
    return opened


def thread_connection() -> ibis.BaseBackend:
    """This thread's DuckDB connection, made at its first use and kept (DuckDB connections are not shared
    between threads: each thread its own), with the cubes it opened (:func:`opened_cube`)."""
    from smecluster.analytics.discovery import source

    if not hasattr(_this_thread, "connection"):
        _this_thread.connection = source.connect_duckdb()
        _this_thread.cubes = OrderedDict()
    connection: ibis.BaseBackend = _this_thread.connection
    return connection
