"""Every write of the public notice (公示): publishing it, a member of the public filing a real-name
objection, and the owner investigating and resolving objections. One transaction and one audit event per
change; the e-mails go after commit.

The notice period is counted in working days by the holiday calendar (``workdays.period_end``: the first
day counts when it is a working day); its length comes from the programme's rule set, or from the call
when the rule set leaves it to the yearly call. Objections are taken from the first day until 23:59:59
Beijing time on the last (``permissions.can_object``), and checked again inside the transaction, so one
sent at the last second is judged by the clock of the server that writes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from captcha.models import CaptchaStore
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.recipients import people_in
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.services import county_people, today_in_china
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence import pipeline
from smecluster.apps.issued_documents.services import issued_documents_request
from smecluster.apps.notices.issued import public_notice_document
from smecluster.apps.notices.models import (
    OBJECTION_FINISHED,
    Notice,
    Objection,
    ObjectionFile,
    ObjectionLookupMiss,
)
from smecluster.apps.notices.permissions import (
    can_manage_notice,
    can_object,
    can_publish,
    owner_office,
    owner_role,
)
from smecluster.apps.notices.selectors import notice_application, notice_entries, objection_by_reference
from smecluster.apps.notices.workflow import NOTICE, OBJECTION
from smecluster.apps.notifications.mail import absolute_url, mail_deliver_after_commit, mail_queue
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Shortlist
from smecluster.apps.selection.workflow import SHORTLIST
from smecluster.apps.workflow.engine import take
from smecluster.policy.ruleset import rule_set
from smecluster.workdays import LOAD_COMMAND, MissingHolidayData, holiday_calendar, period_end

MAX_OBJECTION_FILES = 10
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the telephone


def owner_officers(call: YearlyCall) -> list[User]:
    """The people who take the owner's steps of this call: its province's admins, or the ministry's."""
    return people_in(owner_office(call), owner_role(call))


# --- the notice period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLength:
    working_days: int
    source: str  # where the number comes from, for the page


def notice_length(call: YearlyCall) -> NoticeLength:
    """The notice's length in working days: the rule set's, else the call's; neither is an error."""
    rules = rule_set(call.programme.rule_set_id)
    if rules.public_notice.working_days is not None:
        cited = rules.public_notice.article.cite() if rules.public_notice.article else ""
        return NoticeLength(
            rules.public_notice.working_days,
            _("规则集“%(title)s”%(article)s") % {"title": rules.title, "article": cited},
        )
    if call.notice_working_days:
        return NoticeLength(call.notice_working_days, _("%(call)s的设置") % {"call": call})
    raise ValidationError(
        _(
            "规则集“%(title)s”未规定公示期天数（%(note)s），%(call)s也未填写“公示期（工作日）”："
            "请先在年度申报设置中填写公示期，再发布公示"
        )
        % {"title": rules.title, "note": rules.public_notice.note or "", "call": call}
    )


def missing_holidays_message(error: MissingHolidayData) -> str:
    return _(
        "缺少 %(year)s 年的节假日安排，无法按工作日计算公示截止日期：请系统管理员按国务院办公厅公布的"
        " %(year)s 年节假日安排，用命令 %(command)s 载入后再发布"
    ) % {"year": error.year, "command": LOAD_COMMAND}


def notice_end(starts_on: date, working_days: int) -> date:
    """The last day of the notice; a year without holiday data is a ValidationError on ``starts_on``."""
    try:
        return period_end(starts_on, working_days)
    except MissingHolidayData as error:
        raise ValidationError({"starts_on": missing_holidays_message(error)}) from None


def next_working_day(after: date) -> date:
    """The first working day after ``after``; the day after when the calendar lacks its year (the form
    then names the missing year when the officer publishes)."""
    calendar = holiday_calendar()
    day = after + timedelta(days=1)
    try:
        while not calendar.is_workday(day):
            day += timedelta(days=1)
    except MissingHolidayData:
        return after + timedelta(days=1)
    return day


def default_title(call: YearlyCall) -> str:
    return _("%(programme)s%(year)s年度拟认定名单公示") % {
        "programme": call.programme.name,
        "year": call.year,
    }


@transaction.atomic
def notice_publish(*, actor: User, call: YearlyCall, title: str, starts_on: date, contact: str) -> Notice:
    """Publish the call's frozen shortlist for public notice; the end date is computed, never typed."""
    call = YearlyCall.objects.select_for_update(of=("self",)).select_related("programme").get(pk=call.pk)
    can_publish(actor, call).enforce()
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = _("请填写标题")
    if not contact.strip():
        problems["contact"] = _("请填写受理异议的联系方式（部门、电话、地址）")
    today = today_in_china()
    if starts_on < today:
        problems["starts_on"] = _("公示开始日期不能早于今天（北京时间 %(today)s）") % {
            "today": today.isoformat()
        }
    if problems:
        raise ValidationError(problems)
    length = notice_length(call)
    ends_on = notice_end(starts_on, length.working_days)
    shortlist = Shortlist.objects.get(call=call)
    notice = Notice.objects.create(
        shortlist=shortlist,
        title=title.strip(),
        starts_on=starts_on,
        working_days=length.working_days,
        ends_on=ends_on,
        contact=contact.strip(),
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action=actions.NOTICE_PUBLISH,
        target=notice,
        after={
            "call": call.pk,
            "title": notice.title,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "working_days": length.working_days,
            "working_days_from": length.source,
            "shortlist_hash": shortlist.content_hash,
        },
    )
    for entry in notice_entries(notice):
        notify(
            recipients=county_people(entry.application),
            text=_("申报 %(number)s 已列入拟认定名单，公示期 %(start)s 至 %(end)s")
            % {"number": entry.application.number, "start": starts_on, "end": ends_on},
            link=notice.get_absolute_url(),
        )
    take(SHORTLIST, shortlist, "publish", actor=actor, after={"notice": notice.pk})
    issued_documents_request([public_notice_document(notice)])
    return notice


@transaction.atomic
def notice_close(*, actor: User, notice: Notice, reason: str = "") -> Notice:
    """The notice ends its life once the call's recognition is decided (the recognition service takes it)."""
    return take(NOTICE, notice, "close", actor=actor, reason=reason)


# --- objections from the public ---------------------------------------------------------------------


def _reference(notice: Notice, sequence: int) -> str:
    """``YY-<notice>-<seq>-<check>``, e.g. ``23-4-001-K7QM``: the notice's year, the notice, the objection's
    number on it, and four random characters so that nobody can look up others' objections by guessing."""
    check = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"{notice.starts_on:%y}-{notice.pk}-{sequence:03d}-{check}"


class TooManyObjections(Exception):
    """This client address has filed as many objections in the last hour as one person may."""


def _within_hourly_limit(client_address: str) -> bool:
    """Counted on the accepted objections in the database, so every worker shares the limit."""
    since = timezone.now() - timedelta(hours=1)
    filed = Objection.objects.filter(client_address=client_address, filed_at__gte=since).count()
    return filed < settings.OBJECTIONS_PER_ADDRESS_PER_HOUR


def _check_uploads(uploads: list[UploadedFile[Any]] | tuple[UploadedFile[Any], ...]) -> None:
    if len(uploads) > MAX_OBJECTION_FILES:
        raise ValidationError({"files": _("最多上传 %(count)s 个文件") % {"count": MAX_OBJECTION_FILES}})
    total = sum(upload.size or 0 for upload in uploads)
    if total > settings.OBJECTION_MAX_TOTAL_BYTES:
        raise ValidationError(
            {
                "files": _("证明材料合计不得超过 %(mb)s MB")
                % {"mb": settings.OBJECTION_MAX_TOTAL_BYTES // (1024 * 1024)}
            }
        )


def _clean_text(values: dict[str, str], required: dict[str, str]) -> dict[str, str]:
    problems = {field: message for field, message in required.items() if not values[field].strip()}
    if problems:
        raise ValidationError(problems)
    return {field: value.strip() for field, value in values.items()}


@transaction.atomic
def objection_file(
    *,
    notice: Notice,
    application_id: int,
    real_name: str,
    phone: str,
    email: str,
    organization: str,
    content: str,
    uploads: list[UploadedFile[Any]] | tuple[UploadedFile[Any], ...] = (),
    client_address: str = "",
) -> Objection:
    """A real-name objection from anyone, while the notice runs. The objector has no account: the audit
    event has no actor and names the objector (the contact details stay in the objection only).

    Raises :class:`TooManyObjections` when ``client_address`` has filed its hourly share; only accepted
    objections count, so a refused or invalid post uses none of it."""
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("shortlist__call__programme")
        .get(pk=notice.pk)
    )
    can_object(notice).enforce()
    values = _clean_text(
        {
            "real_name": real_name,
            "phone": phone,
            "email": email,
            "organization": organization,
            "content": content,
        },
        {
            "real_name": _("请填写真实姓名"),
            "phone": _("请填写联系电话"),
            "organization": _("请填写工作单位"),
            "content": _("请填写异议内容"),
        },
    )
    application = notice_application(notice, application_id)
    if application is None:
        raise ValidationError({"application": _("请选择本次公示名单中的集群")})
    _check_uploads(uploads)
    if client_address and not _within_hourly_limit(client_address):
        raise TooManyObjections(client_address)
    sequence = notice.objections.count() + 1
    objection = Objection.objects.create(
        notice=notice,
        reference=_reference(notice, sequence),
        application=application,
        client_address=client_address,
        **values,
    )
    # Each file has its own event (no actor: the objector has no account); the objection's names them all.
    files = pipeline.attach(
        ObjectionFile,
        list(uploads),
        actor=None,
        audit=actions.OBJECTION_EVIDENCE_ADD,
        audit_target=objection,
        owner={"objection": objection},
    )
    audit_record(
        actor=None,
        action=actions.OBJECTION_FILE,
        target=objection,
        after={
            "reference": objection.reference,
            "notice": notice.pk,
            "application": application.number,
            "real_name": objection.real_name,
            "organization": objection.organization,
            "files": [{"name": file.original_name, "sha256": file.sha256} for file in files],
        },
    )
    notify(
        recipients=owner_officers(notice.shortlist.call),
        text=_("公示收到异议 %(reference)s，异议对象：%(name)s")
        % {"reference": objection.reference, "name": application.name[:100]},
        link=objection.get_absolute_url(),
    )
    return objection


# --- the owner's handling ---------------------------------------------------------------------------


def _state(objection: Objection) -> dict[str, Any]:
    return {
        "investigation": objection.investigation,
        "resolution": objection.resolution,
        "upheld": objection.upheld,
    }


def _remove_from_the_list(actor: User, objection: Objection) -> None:
    """Only 经公示无异议的 are recognized (Guizhou Q6 "经公示无异议的，确定为…"; SX 16 "经公示无异议后，发布…
    名单"): the finding that an objection is upheld takes its application off the call's list, so it cannot
    be recognized in this call. Already off (a second upheld objection to it): nothing more to take."""
    application = Application.objects.select_for_update(of=("self",)).get(pk=objection.application_id)
    if application.status != Status.SHORTLISTED:
        return
    reason = _("异议 %(reference)s 经核查成立：%(finding)s") % {
        "reference": objection.reference,
        "finding": objection.resolution,
    }
    take(
        APPLICATION,
        application,
        "remove_on_objection",
        actor=actor,
        reason=reason,
        after={"objection": objection.reference},
    )
    # The notice now marks the cluster as taken off: its PDF is a new version.
    issued_documents_request([public_notice_document(objection.notice)])
    notify(
        recipients=county_people(application),
        # The receipt number stays the objector's (it opens the outcome): the county is not given it.
        text=_("申报 %(number)s 收到的异议经核查成立，已移出拟认定名单，本年度不予认定：%(finding)s")
        % {"number": application.number, "finding": objection.resolution[:150]},
        link=reverse("applications:detail", args=[application.pk]),
    )


def _tell_objector(objection: Objection) -> None:
    """The objector left an e-mail address: tell them the outcome once it is resolved, with the link to
    the outcome page (where the receipt number and telephone open the finding)."""
    if not objection.email:
        return
    verdict = _("异议成立") if objection.upheld else _("异议不成立")
    subject = _("您提交的异议 %(reference)s 已办结") % {"reference": objection.reference}
    body = _("%(subject)s：%(verdict)s。\n\n处理结果：%(resolution)s") % {
        "subject": subject,
        "verdict": verdict,
        "resolution": objection.resolution,
    }
    body += "\n\n" + _("凭受理编号和联系电话查询处理结果：%(url)s") % {
        "url": absolute_url(reverse("notices:objection_lookup"))
    }
    mail_deliver_after_commit([mail_queue(address=objection.email, subject=subject, body=body)])


def _record(
    *,
    actor: User,
    objection: Objection,
    investigation: str,
    resolution: str,
    upheld: bool | None,
    resolve: bool,
    uploads: list[UploadedFile[Any]] | tuple[UploadedFile[Any], ...] = (),
) -> Objection:
    action = "resolve" if resolve else "investigate"
    OBJECTION.can(actor, action, objection).enforce()
    _check_uploads(uploads)
    if resolve:
        problems = {}
        if not resolution.strip():
            problems["resolution"] = _("办结须填写处理结果")
        if upheld is None:
            problems["upheld"] = _("办结须认定异议是否成立")
        if problems:
            raise ValidationError(problems)
    before = _state(objection)
    objection.investigation = investigation.strip()
    objection.resolution = resolution.strip()
    objection.upheld = upheld
    fields = ["investigation", "resolution", "upheld"]
    if resolve:
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        fields += ["resolved_by", "resolved_at"]
    take(
        OBJECTION,
        objection,
        action,
        actor=actor,
        reason=objection.resolution if resolve else "",
        before=before,
        after=_state(objection),
        update_fields=fields,
    )
    # The finding's evidence, kept with the objection (each file its own event, naming the finding's step).
    pipeline.attach(
        ObjectionFile,
        list(uploads),
        actor=actor,
        audit=actions.OBJECTION_FINDING_EVIDENCE_ADD,
        audit_target=objection,
        owner={"objection": objection, "kind": ObjectionFile.Kind.FINDING},
    )
    if resolve:
        if upheld:
            _remove_from_the_list(actor, objection)
        _tell_objector(objection)
    return objection


def _locked(objection_pk: int) -> Objection:
    return (
        Objection.objects.select_for_update(of=("self",))
        .select_related("notice__shortlist__call__programme", "application")
        .get(pk=objection_pk)
    )


@transaction.atomic
def objection_record(
    *,
    actor: User,
    objection: Objection,
    investigation: str,
    resolution: str = "",
    upheld: bool | None = None,
    resolve: bool = False,
    uploads: list[UploadedFile[Any]] | tuple[UploadedFile[Any], ...] = (),
) -> Objection:
    """Record the investigation (the objection is then 核查中), or resolve it: the finding (处理结果) and
    whether the objection is upheld (成立) or not (不成立) are required, and a resolved objection is final.
    ``uploads`` are the finding's evidence, kept with the objection. Upheld takes the application off the
    call's list (it cannot be recognized in this call); not upheld lets it proceed."""
    return _record(
        actor=actor,
        objection=_locked(objection.pk),
        investigation=investigation,
        resolution=resolution,
        upheld=upheld,
        resolve=resolve,
        uploads=uploads,
    )


@transaction.atomic
def objection_reject_inadmissible(*, actor: User, objection: Objection, reason: str) -> Objection:
    """不予受理: the objection cannot be taken up (anonymous, no facts, out of scope). The reason is
    required and recorded as the resolution; the objection then no longer blocks recognition."""
    objection = _locked(objection.pk)
    OBJECTION.can(actor, "reject_inadmissible", objection).enforce()
    if not reason.strip():
        raise ValidationError({"reason": _("不予受理须说明理由")})
    before = _state(objection)
    objection.resolution = reason.strip()
    objection.upheld = None
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    take(
        OBJECTION,
        objection,
        "reject_inadmissible",
        actor=actor,
        reason=objection.resolution,
        before=before,
        after=_state(objection),
        update_fields=["resolution", "upheld", "resolved_by", "resolved_at"],
    )
    return objection


@dataclass(frozen=True)
class BatchResult:
    changed: list[str]
    skipped: list[str]  # references already resolved


@transaction.atomic
def objections_batch(
    *,
    actor: User,
    notice: Notice,
    objection_ids: list[int],
    resolve: bool,
    investigation: str = "",
    resolution: str = "",
    upheld: bool | None = None,
) -> BatchResult:
    """Take the same step on several objections of one notice: mark them 核查中, or resolve them all with
    one resolution (each keeps its own investigation when one was recorded). Resolved ones are skipped."""
    can_manage_notice(actor, notice).enforce()
    if not objection_ids:
        raise ValidationError(_("请先勾选异议"))
    changed, skipped = [], []
    pks = (
        notice.objections.filter(pk__in=objection_ids).order_by("filed_at", "pk").values_list("pk", flat=True)
    )
    for pk in pks:
        objection = _locked(pk)
        if objection.status in OBJECTION_FINISHED:
            skipped.append(objection.reference)
            continue
        _record(
            actor=actor,
            objection=objection,
            investigation=objection.investigation or investigation,
            # Marking 核查中 keeps a drafted resolution; resolving sets the batch's.
            resolution=resolution if resolve else objection.resolution,
            upheld=upheld if resolve else objection.upheld,
            resolve=resolve,
        )
        changed.append(objection.reference)
    return BatchResult(changed, skipped)


# --- the objector's look-up of the outcome ---------------------------------------------------------


class TooManyLookups(Exception):
    """This client address has missed as many look-ups in the last hour as one person may."""


def _same_phone(given: str, kept: str) -> bool:
    """Spaces, hyphens and a +86 prefix aside, the same digits."""

    def digits(phone: str) -> str:
        bare = "".join(character for character in phone if character.isdigit())
        return bare[2:] if bare.startswith("86") and len(bare) > 11 else bare

    return bool(digits(given)) and secrets.compare_digest(digits(given), digits(kept))


@transaction.atomic
def objection_lookup_by_receipt(*, reference: str, phone: str, client_address: str) -> Objection | None:
    """The objection behind a receipt number (受理编号), when the telephone given is the one the objector
    left: the second factor keeps a leaked or guessed number from showing the outcome. A wrong number and a
    wrong telephone answer alike (``None``, nothing tells which was wrong) and each is counted against the
    client address; past ``OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR`` misses in an hour every look-up
    from it is refused with :class:`TooManyLookups`, right answers included, so the limit cannot be probed.
    A read: not audited."""
    since = timezone.now() - timedelta(hours=1)
    misses = ObjectionLookupMiss.objects.filter(client_address=client_address, at__gte=since).count()
    if misses >= settings.OBJECTION_LOOKUP_MISSES_PER_ADDRESS_PER_HOUR:
        raise TooManyLookups(client_address)
    try:
        objection = objection_by_reference(reference.strip().upper())
    except Objection.DoesNotExist:
        objection = None
    if objection is None or not _same_phone(phone, objection.phone):
        ObjectionLookupMiss.objects.create(client_address=client_address)
        return None
    return objection


def objection_lookup_misses_purge() -> int:
    """Deletes the look-up misses older than the hour the limit counts; returns how many."""
    removed, _by_model = ObjectionLookupMiss.objects.filter(
        at__lt=timezone.now() - timedelta(hours=1)
    ).delete()
    return int(removed)


def objection_challenges_purge() -> int:
    """Deletes the objection form's challenges past their time (answered ones are deleted when answered);
    returns how many. Not audited: a challenge is no record of the platform, only a one-use key."""
    removed, _by_model = CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()
    return int(removed)
