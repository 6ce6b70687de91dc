"""Every write of candidate discovery: datasets (upload, register, prepare), runs, and candidates into a
city's pool.

Permission first, one transaction, one audit event each. A file that cannot be used is refused with the
column or field at fault, and nothing is left behind. A dataset is prepared once (``smecluster discover
prepare``, in the job worker: :mod:`.preparation`): an upload is written to a partial file and checked for
what can be checked at once (its kind, its columns), then prepared by a job, and only kept, with its
Dataset row, once the preparation is complete; a file placed in the datasets directory is registered the
same way. A run on a prepared dataset answers from its summary cube in the request; on a dataset registered
before preparation existed (unprepared) it reads the raw file in the job worker.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction, Level, Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.discovery.models import Candidate, Dataset, DiscoveryRun
from smecluster.apps.discovery.permissions import can_manage_datasets, can_run_discovery
from smecluster.apps.discovery.preparation import (
    PARTIAL_PREFIX,
    PREPARED,
    PreparedData,
    file_digest,
    opened_cube,
    prepare_into_place,
    prepared_directory,
    remove_prepared,
)
from smecluster.apps.jobs.models import Job
from smecluster.apps.programmes.models import PoolEntry
from smecluster.apps.programmes.permissions import can_add_county_to_pool
from smecluster.apps.programmes.services import pool_entry_add_for_county
from smecluster.errors import Problem, UnusableInput
from smecluster.policy.ruleset import rule_sets
from smecluster.site.upload_limits import dataset_limits
from smecluster.site.wording import translated

PARQUET_MAGIC = b"PAR1"
MAX_TOP = 500
_CHUNK = 1024 * 1024
UPLOADS = "uploads"
# An upload waiting for its preparation job: unguessable, so that only the job started with it names it.
_STAGED = re.compile(rf"{UPLOADS}/{re.escape(PARTIAL_PREFIX)}[0-9a-f]{{32}}\.(parquet|csv)")


def datasets_dir() -> Path:
    return Path(settings.DISCOVERY_DATASETS_DIR)


def dataset_path(dataset: Dataset) -> Path:
    return datasets_dir() / dataset.path


def _kind(head: bytes, tail: bytes) -> str | None:
    """``.parquet`` or ``.csv`` by the file's content (never by its name), or None."""
    if head.startswith(PARQUET_MAGIC) and tail.endswith(PARQUET_MAGIC):
        return ".parquet"
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return None
        text = head[: error.start].decode("utf-8-sig")
    first_line = text.splitlines()[0] if text.strip() else ""
    return ".csv" if "," in first_line else None


def _file_kind(path: Path) -> str | None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
        handle.seek(max(0, size - 4))
        tail = handle.read(4)
    return _kind(head, tail)


# An absolute path left in an engine's message after the file's own path was replaced (a temporary file,
# a directory of the server): never shown to the person.
_SERVER_PATH = re.compile(r"(?<![\w.:])/(?:[^\s/'\"]+/)+[^\s'\"]*")


def _without_server_paths(text: str, path: Path, shown: str) -> str:
    """The engine's message for a person: its first paragraph (the rest is the SQL it ran and its reader
    options), with the file's location on the server replaced by the name the person knows it by."""
    text = text.strip().split("\n\n", 1)[0]
    for location in (str(path), str(path.resolve())):
        text = text.replace(location, shown)
    for directory in (datasets_dir(), settings.DISCOVERY_DATASETS_DIR):
        text = text.replace(str(directory), "")
    return _SERVER_PATH.sub("…", text)


def _problem_text(error: UnusableInput, path: Path, shown: str) -> str:
    return "；".join(
        _("列 %(column)s：%(message)s")
        % {
            "column": problem.field,
            "message": _without_server_paths(translated(problem.message), path, shown),
        }
        if problem.field
        else _without_server_paths(translated(problem.message), path, shown)
        for problem in error.problems
    )


def _owner_province(actor: User) -> str | None:
    return None if actor.role == Role.MINISTRY_ADMIN else actor.jurisdiction.province_code


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写数据集名称")})
    limit = Dataset._meta.get_field("name").max_length
    if limit is not None and len(name) > limit:
        raise ValidationError({"name": _("数据集名称不能超过 128 个字")})
    return name


def _prepared_fields(prepared: PreparedData) -> dict[str, Any]:
    """What a dataset row records of its preparation."""
    return {
        "prepared_path": prepared.relative,
        "prepared_at": timezone.now(),
        "rows_accepted": prepared.rows_accepted,
        "rows_rejected": prepared.rows_rejected,
        "rejected_by_reason": prepared.rejected,
        "preparation_seconds": prepared.seconds,
        "prepared_files": prepared.files,
    }


def _prepared_summary(prepared: PreparedData) -> dict[str, Any]:
    """What the audit event says of a preparation."""
    return {
        "prepared": prepared.relative,
        "rows_accepted": prepared.rows_accepted,
        "rows_rejected": prepared.rows_rejected,
        "rejected": prepared.rejected,
    }


def _create(
    actor: User,
    *,
    name: str,
    relative: str,
    origin: str,
    prepared: PreparedData,
    size: int,
    sha256: str,
) -> Dataset:
    years = prepared.years
    with transaction.atomic():
        dataset = Dataset.objects.create(
            name=name,
            path=relative,
            origin=origin,
            province_id=_owner_province(actor),
            first_year=years[0],
            last_year=years[-1],
            row_count=prepared.rows_read,
            size_bytes=size,
            sha256=sha256,
            uploaded_by=actor,
            **_prepared_fields(prepared),
        )
        audit_record(
            actor=actor,
            action=actions.DATASET_UPLOADED
            if origin == Dataset.Origin.UPLOADED
            else actions.DATASET_REGISTERED,
            target=dataset,
            after={
                "name": name,
                "path": relative,
                "years": [years[0], years[-1]],
                "rows": prepared.rows_read,
                "sha256": sha256,
                **_prepared_summary(prepared),
            },
        )
    return dataset


def _no_report(percent: int, stage: str) -> None:
    """Progress nobody watches (the command line, the tests that call the service)."""


def _sha256(path: Path, report: Callable[[int, str], None], start: int, end: int) -> str:
    """The file's SHA-256, telling ``report`` how much is read (``start``-``end`` percent, every 5 %)."""
    size = max(path.stat().st_size, 1)
    told = 0

    def progress(read: int) -> None:
        nonlocal told
        if read - told >= size // 20 or read == size:
            told = read
            report(
                start + (end - start) * read // size,
                _("计算文件的 SHA-256：已读 %(read)s / %(size)s MB")
                % {"read": f"{read / _CHUNK:,.0f}", "size": f"{size / _CHUNK:,.0f}"},
            )

    return file_digest(path, progress)


def _prepare(
    path: Path, sha256: str, *, field: str, shown: str, report: Callable[[int, str], None]
) -> PreparedData:
    """The file prepared and in place (:mod:`.preparation`), or a ValidationError at ``field`` naming what
    is wrong, with nothing left behind. A file with no row accepted is refused: a dataset of nothing."""
    try:
        prepared = prepare_into_place(
            path, sha256, lambda percent, stage: report(10 + percent * 85 // 90, stage)
        )
    except UnusableInput as error:
        raise ValidationError(
            {
                field: _("文件不能用于候选集群发现：%(problems)s")
                % {"problems": _problem_text(error, path, shown)}
            }
        ) from error
    if not prepared.rows_accepted:
        remove_prepared(prepared)
        raise ValidationError(
            {
                field: _("文件中没有可用的企业数据：全部 %(rows)s 行均被拒收")
                % {"rows": f"{prepared.rows_read:,}"}
            }
        )
    report(
        97,
        _("已准备：接收 %(accepted)s 行，拒收 %(rejected)s 行")
        % {"accepted": f"{prepared.rows_accepted:,}", "rejected": f"{prepared.rows_rejected:,}"},
    )
    return prepared


def _refuse_at_once(path: Path, kind: str, shown: str) -> None:
    """What an upload is refused for on the page, before any row is parsed: the bounds of
    ``dataset_limits`` (a Parquet footer's declared sizes, a CSV's lines; the same check the preparation
    makes again) and the required columns its header (a CSV's first line, a Parquet file's schema) lacks."""
    from smecluster.analytics.discovery.dataset_limits import check_dataset

    def refused(error: UnusableInput) -> ValidationError:
        return ValidationError(
            {
                "file": _("文件不能用于候选集群发现：%(problems)s")
                % {"problems": _problem_text(error, path, shown)}
            }
        )

    try:
        check_dataset(path, dataset_limits(), source=shown)
    except UnusableInput as error:
        raise refused(error) from error
    if missing := _missing_columns(path, kind, shown):
        raise refused(UnusableInput(shown, [Problem(column, _("缺少该列")) for column in missing]))


def _missing_columns(path: Path, kind: str, shown: str) -> list[str]:
    from smecluster.analytics.discovery.file_columns import REQUIRED_COLUMNS

    if kind == ".parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow 26 ships no type information

        try:
            names = set(pq.read_schema(path).names)
        except Exception as error:  # pyarrow's own message says what is wrong with the footer
            raise ValidationError(
                {
                    "file": _("文件无法读取：%(error)s")
                    % {"error": _without_server_paths(str(error), path, shown)}
                }
            ) from error
    else:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader([handle.readline(64 * 1024)]), [])
        names = {name.strip() for name in header}
    # The credit code may be absent: the preparation keeps such rows (a firm is a row).
    return [name for name in REQUIRED_COLUMNS if name != "credit_code" and name not in names]


def dataset_upload(*, actor: User, name: str, upload: UploadedFile[bytes]) -> Job:
    """Take an uploaded enterprise-year file for a dataset of the actor's province (the ministry's:
    national): refused at once for its size, its kind, its columns or a file already kept; otherwise
    staged and prepared by a job (``dataset_upload``), which keeps it as a dataset once prepared."""
    can_manage_datasets(actor).enforce()
    name = _check_name(name)
    limit = settings.DISCOVERY_DATASET_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": _("文件超过 %(mb)d MB 的上传上限；请把大文件放到服务器的数据集目录后登记")
                % {"mb": limit // (1024 * 1024)}
            }
        )
    uploads = datasets_dir() / UPLOADS
    uploads.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    partial = uploads / f"{PARTIAL_PREFIX}{token}"
    shown = Path(upload.name or "").name or _("上传的文件")
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as handle:
            for chunk in upload.chunks(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        kind = _file_kind(partial) if size else None
        if kind is None:
            raise ValidationError({"file": _("文件内容不是 Parquet 或 CSV（UTF-8、逗号分隔）")})
        sha256 = digest.hexdigest()
        _refuse_kept_already(actor, sha256)
        staged = partial.with_name(f"{PARTIAL_PREFIX}{token}{kind}")
        partial.rename(staged)
        partial = staged
        _refuse_at_once(partial, kind, shown)
        # Imported here: the job kinds import this module.
        from smecluster.apps.jobs.services import job_start

        return job_start(
            actor=actor,
            kind="dataset_upload",
            params={
                "name": name,
                "staged": partial.relative_to(datasets_dir()).as_posix(),
                "sha256": sha256,
                "size": size,
                "file_name": shown,
            },
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _refuse_kept_already(actor: User, sha256: str) -> None:
    same = Dataset.objects.filter(sha256=sha256, province_id=_owner_province(actor)).first()
    if same is not None:
        raise ValidationError({"file": _("这个文件已登记为数据集“%(name)s”") % {"name": same.name}})


def dataset_upload_check(*, actor: User, name: str, staged: str) -> tuple[str, Path]:
    """What keeping a staged upload is refused for at once: permission (403), the name, and a staged file
    that is not an upload waiting under its unguessable name. The name and the staged file."""
    can_manage_datasets(actor).enforce()
    name = _check_name(name)
    path = datasets_dir() / staged
    if not _STAGED.fullmatch(staged) or not path.is_file():
        raise ValidationError({"file": _("上传的文件已不在服务器上，请重新上传")})
    return name, path


def dataset_upload_prepare(
    *,
    actor: User,
    name: str,
    staged: str,
    sha256: str,
    size: int,
    file_name: str,
    report: Callable[[int, str], None] = _no_report,
) -> Dataset:
    """Prepare a staged upload and keep it, with its Dataset row; in the job worker (``dataset_upload``).
    The staged file goes whatever happens: kept under its SHA-256, or removed with the job's failure."""
    name, path = dataset_upload_check(actor=actor, name=name, staged=staged)
    kept: Path | None = None
    try:
        _refuse_kept_already(actor, sha256)
        prepared = _prepare(path, sha256, field="file", shown=file_name, report=report)
        try:
            kept = path.with_name(f"{sha256}{path.suffix}")
            path.rename(kept)
            return _create(
                actor,
                name=name,
                relative=kept.relative_to(datasets_dir()).as_posix(),
                origin=Dataset.Origin.UPLOADED,
                prepared=prepared,
                size=size,
                sha256=sha256,
            )
        except BaseException:
            remove_prepared(prepared)
            raise
    except BaseException:
        path.unlink(missing_ok=True)
        if (
            kept is not None
            and not Dataset.objects.filter(path=str(kept.relative_to(datasets_dir()))).exists()
        ):
            kept.unlink(missing_ok=True)
        raise


def registrable_files() -> list[str]:
    """Files placed in the datasets directory (not the uploads, not prepared data) not yet registered."""
    root = datasets_dir()
    if not root.is_dir():
        return []
    registered = set(Dataset.objects.values_list("path", flat=True))
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in (UPLOADS, PREPARED) or not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() in (".parquet", ".csv") and str(relative) not in registered:
            found.append(str(relative))
    return found


def dataset_register_check(*, actor: User, name: str, relative_path: str) -> tuple[str, str]:
    """What registering a placed file is refused for at once (no file read): permission (403), and a
    ValidationError at the field. The name and the path relative to the datasets directory."""
    can_manage_datasets(actor).enforce()
    name = _check_name(name)
    root = datasets_dir().resolve()
    path = (root / relative_path.strip()).resolve()
    if (
        not relative_path.strip()
        or not path.is_relative_to(root)
        or path.is_relative_to(root / UPLOADS)
        or path.is_relative_to(root / PREPARED)
    ):
        raise ValidationError({"path": _("请填写数据集目录中的文件路径")})
    if not path.is_file():
        raise ValidationError({"path": _("数据集目录中没有这个文件")})
    relative = str(path.relative_to(root))
    if Dataset.objects.filter(path=relative).exists():
        raise ValidationError({"path": _("这个文件已经登记")})
    return name, relative


def dataset_register(
    *, actor: User, name: str, relative_path: str, report: Callable[[int, str], None] = _no_report
) -> Dataset:
    """Register and prepare a file an operator placed in the datasets directory (too big for a browser
    upload). From a page it runs in the job worker (``apps/discovery/jobs.py``): hashing and preparing a
    file of gigabytes takes minutes. A failure leaves no Dataset and no prepared directory."""
    name, relative = dataset_register_check(actor=actor, name=name, relative_path=relative_path)
    path = datasets_dir().resolve() / relative
    sha256 = _sha256(path, report, 0, 10)
    prepared = _prepare(path, sha256, field="path", shown=relative, report=report)
    try:
        return _create(
            actor,
            name=name,
            relative=relative,
            origin=Dataset.Origin.REGISTERED,
            prepared=prepared,
            size=path.stat().st_size,
            sha256=sha256,
        )
    except BaseException:
        remove_prepared(prepared)
        raise


def dataset_prepare_check(*, actor: User, dataset: Dataset) -> None:
    """What preparing a dataset registered before preparation existed is refused for at once."""
    can_manage_datasets(actor).enforce()
    if dataset.is_prepared:
        raise ValidationError({"dataset": _("这个数据集已经准备好")})
    if not dataset_path(dataset).is_file():
        raise ValidationError({"dataset": _("数据集文件已不在服务器上，请重新上传或登记")})


def dataset_prepare(
    *, actor: User, dataset: Dataset, report: Callable[[int, str], None] = _no_report
) -> Dataset:
    """Prepare an unprepared dataset's file, in the job worker (``dataset_prepare``); until then its runs
    read the raw file. The file must still be the one registered (its SHA-256)."""
    dataset_prepare_check(actor=actor, dataset=dataset)
    path = dataset_path(dataset)
    if _sha256(path, report, 0, 10) != dataset.sha256:
        raise ValidationError({"dataset": _("数据集文件已变化（SHA-256 与登记时不同），请重新上传或登记")})
    prepared = _prepare(path, dataset.sha256, field="dataset", shown=dataset.name, report=report)
    try:
        with transaction.atomic():
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            if dataset.is_prepared:  # another job prepared it meanwhile
                raise ValidationError({"dataset": _("这个数据集已经准备好")})
            years = prepared.years
            before = {"years": [dataset.first_year, dataset.last_year], "rows": dataset.row_count}
            for field, value in _prepared_fields(prepared).items():
                setattr(dataset, field, value)
            dataset.first_year, dataset.last_year = years[0], years[-1]
            dataset.row_count = prepared.rows_read
            dataset.save()
            audit_record(
                actor=actor,
                action=actions.DATASET_PREPARED,
                target=dataset,
                before=before,
                after={
                    "years": [years[0], years[-1]],
                    "rows": prepared.rows_read,
                    **_prepared_summary(prepared),
                },
            )
    except BaseException:
        if not Dataset.objects.filter(prepared_path=prepared.relative).exists():
            remove_prepared(prepared)
        raise
    return dataset


def discovery_run_check(
    *, actor: User, dataset: Dataset, year: int, rule_set_id: str, province_code: str | None, top: int
) -> None:
    """What a run is refused for at once, when it is asked for: permission (403), and a ValidationError
    naming the field at fault."""
    can_run_discovery(actor, province_code).enforce()
    if dataset.province_id is not None and province_code and dataset.province_id[:2] != province_code[:2]:
        raise ValidationError({"dataset": _("这个数据集不属于所选省份")})
    problems: dict[str, str] = {}
    if year not in dataset.years:
        problems["year"] = _("数据集只有 %(first)d—%(last)d 年的数据") % {
            "first": dataset.first_year,
            "last": dataset.last_year,
        }
    if rule_set_id not in rule_sets():
        problems["rule_set_id"] = _("没有这个规则集")
    if not 1 <= top <= MAX_TOP:
        problems["top"] = _("请填写 1—%(max)d 之间的整数") % {"max": MAX_TOP}
    readable = prepared_directory(dataset.prepared_path) if dataset.is_prepared else dataset_path(dataset)
    if not readable.exists():
        problems["dataset"] = _("数据集文件已不在服务器上，请重新上传或登记")
    if problems:
        raise ValidationError(problems)


def discovery_run(
    *,
    actor: User,
    dataset: Dataset,
    year: int,
    rule_set_id: str,
    province_code: str | None,
    top: int,
    report: Callable[[int, str], None] = _no_report,
) -> DiscoveryRun:
    """Rank the dataset's county × industry pairs of ``year`` (within the province) and keep the result.
    On a prepared dataset it answers from the summary cube, in the request; on an unprepared one it reads
    the raw file, and a page runs it in the job worker (``apps/discovery/jobs.py``), telling ``report``
    its stages."""
    from smecluster.analytics.discovery import screens, source

    discovery_run_check(
        actor=actor, dataset=dataset, year=year, rule_set_id=rule_set_id, province_code=province_code, top=top
    )
    known = rule_sets()
    path = dataset_path(dataset)
    report(
        10,
        _("读取数据集“%(name)s”（%(rows)s 行）") % {"name": dataset.name, "rows": f"{dataset.row_count:,}"},
    )
    started = time.perf_counter()
    try:
        if dataset.is_prepared:
            path = prepared_directory(dataset.prepared_path)
            data = opened_cube(dataset.prepared_path)
        else:
            data = source.open_enterprise_years(source.connect_duckdb(), path, dataset_limits())
        discovery = screens.discover(
            data, year, known[rule_set_id], province=province_code[:2] if province_code else None, top=top
        )
    except UnusableInput as error:
        raise ValidationError({"dataset": _problem_text(error, path, dataset.name)}) from error
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    report(
        80,
        _("已排名 %(pairs)s 个县×行业，保存前 %(found)s 个候选集群")
        % {"pairs": f"{discovery.pairs:,}", "found": len(discovery.candidates)},
    )
    with transaction.atomic():
        run = DiscoveryRun.objects.create(
            dataset=dataset,
            year=year,
            rule_set_id=rule_set_id,
            province_id=province_code,
            top=top,
            pairs=discovery.pairs,
            elapsed_ms=elapsed_ms,
            run_by=actor,
        )
        Candidate.objects.bulk_create(_candidate_rows(run, discovery))
        audit_record(
            actor=actor,
            action=actions.DISCOVERY_RUN,
            target=run,
            after={
                "dataset": dataset.pk,
                "sha256": dataset.sha256,
                "year": year,
                "rule_set": rule_set_id,
                "province": province_code,
                "top": top,
                "candidates": len(discovery.candidates),
                "elapsed_ms": elapsed_ms,
            },
        )
    return run


def _candidate_rows(run: DiscoveryRun, discovery: Any) -> list[Candidate]:
    from smecluster.analytics.discovery import screens

    records = [screens.candidate_record(candidate) for candidate in discovery.candidates]
    # The city is the county's parent in the jurisdiction table, the one every page scopes by.
    parents = dict(
        Jurisdiction.objects.filter(
            code__in=[record["county_code"] for record in records], level=Level.COUNTY
        ).values_list("code", "parent_id")
    )
    rows = []
    for record in records:
        city = record["city"]
        city_code = parents.get(record["county_code"]) or ""
        rows.append(
            Candidate(
                run=run,
                rank=record["rank"],
                county_code=record["county_code"],
                county_name=record["county"],
                city_code=city_code,
                city_name=city,
                division=record["division"],
                industry=record["industry"],
                output_yi_yuan=record["output_yi_yuan"],
                lq=record["lq"],
                strong_cluster=record["strong_cluster"],
                screens_met=record["screens_met"],
                screens=record["screens"],
                reasons=record["reasons"],
                record=record,
            )
        )
    return rows


@transaction.atomic
def candidates_to_pool(
    *, actor: User, run: DiscoveryRun, picks: Sequence[tuple[Candidate, str]]
) -> list[PoolEntry]:
    """Add the picked candidates (each with the name chosen for it) to their cities' cultivation pools, and
    mark each on the run. All or nothing: a refused pick (another city's county: 403; a duplicate name: a
    message naming it) writes nothing."""
    if not picks:
        raise ValidationError(_("请至少选择一个候选集群"))
    counties = {
        county.code: county
        for county in Jurisdiction.objects.filter(
            code__in=[candidate.county_code for candidate, _name in picks], level=Level.COUNTY
        )
    }
    for candidate, _name in picks:
        if candidate.run_id != run.pk:
            raise ValidationError(_("所选候选集群不属于这次发现"))
        county = counties.get(candidate.county_code)
        if county is None:
            raise ValidationError(
                _("%(county)s（%(code)s）不是系统中的县级区划，不能加入培育库")
                % {"county": candidate.county_name, "code": candidate.county_code}
            )
        can_add_county_to_pool(actor, county).enforce()
    entries = []
    for candidate, name in picks:
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.pool_entry_id is not None:
            raise ValidationError(
                _("第 %(rank)d 名（%(county)s %(industry)s）已加入培育库")
                % {"rank": candidate.rank, "county": candidate.county_name, "industry": candidate.industry}
            )
        try:
            entry = pool_entry_add_for_county(
                actor=actor,
                county=counties[candidate.county_code],
                name=name,
                leading_industry=candidate.leading_industry_name,
                note=_(
                    "候选集群发现：%(year)d 年第 %(rank)d 名，区位熵 %(lq).2f，"
                    "满足 %(met)d/%(all)d 项量化条件"
                )
                % {
                    "year": run.year,
                    "rank": candidate.rank,
                    "lq": candidate.lq,
                    "met": candidate.screens_met,
                    "all": candidate.screens,
                },
            )
        except ValidationError as error:
            label = _("第 %(rank)d 名（%(county)s %(industry)s）") % {
                "rank": candidate.rank,
                "county": candidate.county_name,
                "industry": candidate.industry,
            }
            raise ValidationError([f"{label}：{message}" for message in error.messages]) from error
        candidate.pool_entry = entry
        candidate.save(update_fields=["pool_entry"])
        audit_record(
            actor=actor,
            action=actions.DISCOVERY_POOL,
            target=candidate,
            after={"run": run.pk, "rank": candidate.rank, "pool_entry": entry.pk, "name": entry.name},
        )
        entries.append(entry)
    return entries
