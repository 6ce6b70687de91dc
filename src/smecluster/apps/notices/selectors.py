"""Reads of notices and objections: the owner's, scoped to the calls in the user's reach (a 404 outside
it), and the public's, which carry no private data (objectors' contact details and files never leave the
owner's pages)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from smecluster.analytics.scoring import verify_content
from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.workflow import Status
from smecluster.apps.notices.models import OBJECTION_FINISHED, UPHELD, Notice, Objection, ObjectionFile
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.programmes.permissions import OWNING_LEVEL
from smecluster.apps.programmes.selectors import calls_for
from smecluster.apps.selection.models import Shortlist

ON_THE_NOTICE = (Status.SHORTLISTED, Status.RECOGNIZED, Status.REJECTED)
"""The states of an application that went on the public notice: shortlisted, and decided after it."""


# --- the owner's side ------------------------------------------------------------------------------


def owned_calls(user: User) -> QuerySet[YearlyCall]:
    """The calls whose owner's steps this user takes: the programmes their office owns at its own level (a
    province's, a city's 市级集群 programme), or the national ones for the ministry."""
    if user.role == Role.MINISTRY_ADMIN:
        where = Q(programme__owner__isnull=True)
    elif (level := OWNING_LEVEL.get(Role(user.role))) is not None:
        where = Q(programme__owner=user.jurisdiction_id, programme__owner_level=level)
    else:
        return YearlyCall.objects.none()
    return YearlyCall.objects.filter(where).select_related("programme")


def call_in_reach(user: User, pk: int) -> YearlyCall:
    """A call of a programme that reaches the user (theirs or the national one), or
    :class:`YearlyCall.DoesNotExist` (a 404). Whether the user may act on it is a permission (a 403)."""
    return calls_for(user).select_related("programme__owner").get(pk=pk)


def _in_reach(user: User, prefix: str) -> Q:
    return Q(**{f"{prefix}__in": calls_for(user).values("pk")})


def notice_for(user: User, pk: int) -> Notice:
    """A notice of a call in the user's reach, or :class:`Notice.DoesNotExist`."""
    return (
        Notice.objects.filter(_in_reach(user, "shortlist__call"))
        .select_related("shortlist__call__programme", "published_by")
        .get(pk=pk)
    )


def objection_for(user: User, pk: int) -> Objection:
    """An objection to a notice in the user's reach, or :class:`Objection.DoesNotExist`."""
    return (
        Objection.objects.filter(_in_reach(user, "notice__shortlist__call"))
        .select_related("notice__shortlist__call__programme", "application__county", "resolved_by")
        .get(pk=pk)
    )


def objection_file_for(user: User, pk: int) -> ObjectionFile:
    """A file of an objection in the user's reach, or :class:`ObjectionFile.DoesNotExist`."""
    return (
        ObjectionFile.objects.filter(_in_reach(user, "objection__notice__shortlist__call"))
        .select_related("objection__notice__shortlist__call__programme")
        .get(pk=pk)
    )


def owner_notices(user: User) -> QuerySet[Notice]:
    """The notices of the calls this user owns, each with its count of objections and of unresolved ones."""
    return (
        Notice.objects.filter(shortlist__call__in=owned_calls(user))
        .select_related("shortlist__call__programme")
        .annotate(
            objection_count=Count("objections"),
            unresolved_count=Count("objections", filter=~Q(objections__status__in=OBJECTION_FINISHED)),
        )
        .order_by("-starts_on", "-pk")
    )


def calls_awaiting_notice(user: User) -> QuerySet[YearlyCall]:
    """Calls this user owns whose shortlist is frozen but not yet on a public notice."""
    return (
        owned_calls(user)
        .filter(shortlist__isnull=False, shortlist__notice__isnull=True)
        .select_related("shortlist")
        .order_by("-year", "pk")
    )


def notice_objections(notice: Notice, status: str = "") -> QuerySet[Objection]:
    objections = notice.objections.select_related("application__county", "resolved_by").annotate(
        file_count=Count("files")
    )
    if status:
        objections = objections.filter(status=status)
    return objections.order_by("filed_at", "pk")


def unresolved_objections(notice: Notice) -> QuerySet[Objection]:
    return (
        notice.objections.exclude(status__in=OBJECTION_FINISHED)
        .select_related("application")
        .order_by("filed_at", "pk")
    )


def notice_of_call(call: YearlyCall) -> Notice | None:
    return Notice.objects.filter(shortlist__call=call).select_related("shortlist").first()


# --- what the frozen shortlist says of each application --------------------------------------------


@dataclass(frozen=True)
class ShortlistLine:
    """One application's place in the frozen shortlist: its rank and its aggregate score."""

    rank: int | None
    score: str


_LIST_KEYS = ("entries", "ranking", "rows", "items", "applications", "shortlist", "list")
_ID_KEYS = ("application_id", "application_pk", "application", "pk", "id")
_NUMBER_KEYS = ("application_number", "number")
_RANK_KEYS = ("rank", "position")
_SCORE_KEYS = ("aggregate", "score", "total", "final_score", "mean")


def _rows_of(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        return [row for row in content if isinstance(row, dict)]
    if isinstance(content, dict):
        for key in _LIST_KEYS:
            if isinstance(content.get(key), list):
                return _rows_of(content[key])
    return []


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def _score_text(value: Any) -> str:
    if isinstance(value, dict):
        value = _first(value, _SCORE_KEYS)
    if value is None or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return ""
    return format(number.quantize(Decimal("0.01")), "f")


def shortlist_lines(shortlist: Shortlist) -> dict[str, ShortlistLine]:
    """Rank and aggregate score by application, read from the frozen content (``analytics.scoring``:
    ``{"entries": [{"rank", "number", "aggregate", "application_id", ...}], "method", ...}``); keyed by
    ``"pk:<id>"`` and by ``"number:<申报编号>"``. Content the reader does not understand yields no lines:
    the notice then lists the applications without ranks, never wrong ones. The experts' own scores in
    the content are never read here; the rank and the aggregate show on the owner's pages only (issue 14:
    the public notice, page and PDF, lists the clusters in this order without scores)."""
    lines: dict[str, ShortlistLine] = {}
    for row in _rows_of(shortlist.content):
        rank = _first(row, _RANK_KEYS)
        line = ShortlistLine(
            rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
            score=_score_text(_first(row, _SCORE_KEYS)),
        )
        ident = _first(row, _ID_KEYS)
        if isinstance(ident, dict):
            ident = _first(ident, ("id", "pk"))
        if isinstance(ident, str) and ident.isdigit():
            ident = int(ident)
        if isinstance(ident, int) and not isinstance(ident, bool):
            lines[f"pk:{ident}"] = line
        number = _first(row, _NUMBER_KEYS)
        if isinstance(number, str):
            lines[f"number:{number}"] = line
    return lines


def shortlist_method(shortlist: Shortlist) -> str:
    """How the experts' scores were combined, as the call's setting names it (from the frozen content)."""
    method = shortlist.content.get("method") if isinstance(shortlist.content, dict) else None
    field = YearlyCall._meta.get_field("aggregation")
    assert isinstance(field, models.CharField)
    labels = dict(field.flatchoices)
    return str(labels.get(method, method or ""))


# The verdicts already reached in this process, by (shortlist, stored hash, row version).
_VERIFIED: dict[tuple[int, str, str], bool] = {}


def shortlist_intact(shortlist: Shortlist, row_version: str = "") -> bool:
    """Does the frozen content still hash to the hash shown on the notice?

    Hashing a province's ranking takes some 40 ms, and the public notice is viewed often. Given the row
    version the content was read with (PostgreSQL's ``xmin``, read in the same query: ``public_notice``),
    the verdict is kept for that version, which any change to the row moves, by the platform or by hand in
    the database: the content is hashed again after any change, and only then."""
    if not row_version:
        return verify_content(shortlist.content, shortlist.content_hash)
    key = (shortlist.pk, shortlist.content_hash, row_version)
    if key not in _VERIFIED:
        _VERIFIED[key] = verify_content(shortlist.content, shortlist.content_hash)
    return _VERIFIED[key]


@dataclass(frozen=True)
class NoticeEntry:
    """A shortlisted cluster as the public notice shows it; ``removed`` when an objection to it was upheld
    (成立) and it left the list (the objector is never named)."""

    application: Application
    rank: int | None
    score: str
    removed: bool = False


def upheld_objections(call: YearlyCall) -> dict[int, list[Objection]]:
    """The call's objections found upheld (成立), by application: each takes its application off the list."""
    upheld: dict[int, list[Objection]] = {}
    for objection in Objection.objects.filter(UPHELD, notice__shortlist__call=call).order_by(
        "filed_at", "pk"
    ):
        upheld.setdefault(objection.application_id, []).append(objection)
    return upheld


def notice_entries(notice: Notice) -> list[NoticeEntry]:
    """The clusters of the notice's shortlist, in the shortlist's order (rank, then 申报编号)."""
    return shortlist_entries(notice.shortlist)


def shortlist_entries(shortlist: Shortlist) -> list[NoticeEntry]:
    """The shortlisted applications of the call with their rank and score from the frozen content.

    One query: the applications with their county, city and province (for the full county name), and
    whether an upheld objection took each off the list."""
    lines = shortlist_lines(shortlist)
    applications = (
        Application.objects.filter(call=shortlist.call_id, status__in=ON_THE_NOTICE)
        .select_related("county__parent__parent")
        .annotate(removed=Exists(Objection.objects.filter(UPHELD, application=OuterRef("pk"))))
    )
    entries = []
    for application in applications:
        line = lines.get(f"pk:{application.pk}") or lines.get(f"number:{application.number}")
        entries.append(
            NoticeEntry(
                application,
                line.rank if line else None,
                line.score if line else "",
                removed=application.removed,
            )
        )
    entries.sort(key=lambda entry: (entry.rank is None, entry.rank or 0, entry.application.number))
    return entries


def notice_application(notice: Notice, pk: int) -> Application | None:
    """An application on this notice (what an objection may be about), or ``None``."""
    return Application.objects.filter(call=notice.shortlist.call_id, status__in=ON_THE_NOTICE, pk=pk).first()


# --- the public side ------------------------------------------------------------------------------


def public_notices() -> QuerySet[Notice]:
    """Every published notice, newest first: current and past ones alike stay public. The shortlist's ranking
    (its scores, read by the owner's pages only) is left in the database: it is the bulk of the row."""
    return (
        Notice.objects.select_related("shortlist__call__programme__owner")
        .defer("shortlist__content")
        .order_by("-starts_on", "-pk")
    )


def public_notice(pk: int) -> Notice:
    """One published notice with its shortlist's ranking, and (on PostgreSQL) the version of the shortlist's
    row as read, ``shortlist_version``, for :func:`shortlist_intact`."""
    notices = Notice.objects.select_related("shortlist__call__programme__owner")
    if connection.vendor == "postgresql":
        # The joined table goes by its own name (it is joined once); xmin is the row's version.
        notices = notices.annotate(shortlist_version=RawSQL('"selection_shortlist"."xmin"::text', []))
    return notices.get(pk=pk)


def objection_by_reference(reference: str) -> Objection:
    return Objection.objects.select_related("notice", "application").get(reference=reference)


def finding_files(objection: Objection) -> list[ObjectionFile]:
    """The evidence of the owner's finding on an objection (names and digests: what the objector is shown)."""
    return list(objection.files.filter(kind=ObjectionFile.Kind.FINDING).order_by("uploaded_at", "pk"))
