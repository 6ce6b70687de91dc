"""Pages of the public notice (公示).

The owner's pages (login): the notices to publish and published, publishing one, a notice's objections with
batch steps and the CSV export, one objection with its files. A call outside the user's reach is a 404; a
step the user may not take is a 403 with the reason.

The public's pages (no login): the notices, one notice with its shortlist, hash and the real-name objection
form, and the acknowledgment of an objection. They show nothing private (objectors' contact details and
evidence stay on the owner's pages) and make a handful of small queries each.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit.actions import action_label
from smecluster.apps.audit.services import audit_trail
from smecluster.apps.evidence import pipeline
from smecluster.apps.issued_documents.views import issued_document_response
from smecluster.apps.notices.finding_links import finding_file_by_token, finding_file_token
from smecluster.apps.notices.forms import (
    BatchForm,
    InadmissibleForm,
    ObjectionForm,
    ObjectionLookupForm,
    ObjectionRecordForm,
    PublishForm,
)
from smecluster.apps.notices.issued import public_notice_document
from smecluster.apps.notices.models import OBJECTION_FINISHED, Notice, Objection, ObjectionFile
from smecluster.apps.notices.permissions import (
    PHASE_LABELS,
    Phase,
    can_manage_notice,
    can_object,
    can_open_objection_files,
    can_publish,
    closes_at,
    notice_phase,
)
from smecluster.apps.notices.selectors import (
    call_in_reach,
    calls_awaiting_notice,
    finding_files,
    notice_entries,
    notice_for,
    notice_objections,
    objection_by_reference,
    objection_file_for,
    objection_for,
    owner_notices,
    public_notice,
    public_notices,
    shortlist_entries,
    shortlist_intact,
    shortlist_method,
    unresolved_objections,
)
from smecluster.apps.notices.services import (
    TooManyLookups,
    TooManyObjections,
    default_title,
    missing_holidays_message,
    next_working_day,
    notice_length,
    notice_publish,
    objection_file,
    objection_lookup_by_receipt,
    objection_record,
    objection_reject_inadmissible,
    objections_batch,
)
from smecluster.apps.programmes.letterhead import Letterhead, letterhead
from smecluster.apps.programmes.models import YearlyCall
from smecluster.site.client_address import client_address
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import (
    AuthenticatedRequest,
    HtmxRequest,
    errors_onto_form,
    public_or_404,
    reach_or_404,
)
from smecluster.site.list_query import Column, ListQuery, ListSpec
from smecluster.site.wording import listing
from smecluster.workdays import MissingHolidayData, period_end

OWNER_ROLES = (Role.PROVINCE_ADMIN, Role.MINISTRY_ADMIN)
# The objection form's text fields, on top of its files: what a request body may add to the files' cap.
OBJECTION_FORM_TEXT_BYTES = 1024 * 1024


def _posted(request: HttpRequest) -> Any:
    """The posted data, bound even when empty (an empty POST is a form with every field missing)."""
    return request.POST if request.method == "POST" else None


def _openable_file(user: User, pk: int) -> ObjectionFile:
    """A file of an objection in the user's reach that the user may open (403 with the reason if not)."""
    file = objection_file_for(user, pk)
    can_open_objection_files(user, file.objection).enforce()
    return file


# --- the owner's pages ------------------------------------------------------------------------------

OWNER_NOTICES = ListSpec(
    columns=(
        Column(gettext_lazy("公示"), "title", ("title",)),
        Column(
            gettext_lazy("年度申报"), "call", ("shortlist__call__year", "shortlist__call__programme__name")
        ),
        Column(gettext_lazy("公示期"), "period", ("starts_on", "ends_on")),
        # The phase follows from the period: upcoming, running and ended notices order by their last day.
        Column(gettext_lazy("状态"), "phase", ("ends_on",)),
        Column(gettext_lazy("异议"), "objections", ("objection_count",)),
        Column(gettext_lazy("未办结"), "unresolved", ("unresolved_count",)),
        Column(""),
    ),
    text_fields=("title", "shortlist__call__programme__name", "shortlist__call__year"),
    placeholder=gettext_lazy("公示标题、认定项目或年度"),
)


def _objection_counts(notice: Any) -> tuple[int, int]:
    """The objections and the unresolved ones: the annotations of ``selectors.owner_notices``."""
    return notice.objection_count, notice.unresolved_count


@login_required
@require_GET
def owner_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.role not in OWNER_ROLES:
        raise PermissionDenied(_("公示由认定机关（省级管理员或工业和信息化部）发布和管理"))
    listing = ListQuery.from_params(OWNER_NOTICES, request.GET)
    notices = [
        (notice, PHASE_LABELS[notice_phase(notice)]) for notice in listing.apply(owner_notices(request.user))
    ]
    if wanted_download(request):
        header = [
            _("公示"), _("年度申报"), _("公示开始"), _("公示截止"), _("状态"), _("异议（件）"),
            _("未办结（件）"),
        ]  # fmt: skip
        rows = (
            [notice.title, str(notice.shortlist.call), notice.starts_on, notice.ends_on, str(phase), *counts]
            for notice, phase in notices
            for counts in [_objection_counts(notice)]
        )
        return tabular_response(request, "notices", header, rows)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "notices/owner_list.html",
        {
            "notices": notices,
            "listing": listing,
            "query": query.urlencode(),
            "awaiting": calls_awaiting_notice(request.user),
        },
    )


def _period(call: YearlyCall, starts_on: date | None) -> dict[str, Any]:
    """What the page shows of the period for a start date: its end, or why it cannot be computed."""
    try:
        length = notice_length(call)
    except ValidationError as error:
        return {"error": " ".join(error.messages)}
    period: dict[str, Any] = {"working_days": length.working_days, "source": length.source}
    if starts_on is None:
        return period
    try:
        period.update(starts_on=starts_on, ends_on=period_end(starts_on, length.working_days))
    except MissingHolidayData as error:
        period["error"] = missing_holidays_message(error)
    return period


def _start_of(form: PublishForm) -> date | None:
    if form.is_bound:
        field = form.fields["starts_on"]
        try:
            day: date | None = field.clean(form.data.get("starts_on"))
            return day
        except ValidationError:
            return None
    return form.initial.get("starts_on")


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = reach_or_404(call_in_reach, request.user, call_pk, _("没有这个年度申报，或它不在您的辖区内"))
    can_publish(request.user, call).enforce()
    if request.htmx and "preview" in request.GET:
        form = PublishForm(request.GET)
        return render(request, "notices/_period.html", {"period": _period(call, _start_of(form))})
    today = today_in_china()
    form = PublishForm(
        _posted(request), initial={"title": default_title(call), "starts_on": next_working_day(today)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = notice_publish(
                actor=request.user,
                call=call,
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                contact=form.cleaned_data["contact"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request,
                _("已发布公示“%(title)s”：%(start)s 至 %(end)s（%(days)s 个工作日）")
                % {
                    "title": notice.title,
                    "start": notice.starts_on,
                    "end": notice.ends_on,
                    "days": notice.working_days,
                },
            )
            return redirect("notices:manage", pk=notice.pk)
    shortlist = call.shortlist
    return render(
        request,
        "notices/publish.html",
        {
            "call": call,
            "shortlist": shortlist,
            "entries": shortlist_entries(shortlist),
            "method": shortlist_method(shortlist),
            "intact": shortlist_intact(shortlist),
            "form": form,
            "period": _period(call, _start_of(form)),
            "today": today,
        },
    )


OBJECTION_HEADER = [
    gettext_lazy("受理编号"),
    gettext_lazy("提交时间（北京时间）"),
    gettext_lazy("异议对象申报编号"),
    gettext_lazy("异议对象"),
    gettext_lazy("姓名"),
    gettext_lazy("联系电话"),
    gettext_lazy("电子邮箱"),
    gettext_lazy("工作单位"),
    gettext_lazy("异议内容"),
    gettext_lazy("证明材料（个）"),
    gettext_lazy("状态"),
    gettext_lazy("核查情况"),
    gettext_lazy("异议是否成立"),
    gettext_lazy("处理结果"),
    gettext_lazy("办结时间（北京时间）"),
]


def _upheld_text(upheld: bool | None) -> str:
    if upheld is None:
        return ""
    return _("成立") if upheld else _("不成立")


def _objections_download(request: HttpRequest, notice: Notice, objections: Any) -> HttpResponse:
    rows = (
        [
            objection.reference,
            objection.filed_at,
            objection.application.number,
            objection.application.name,
            objection.real_name,
            objection.phone,
            objection.email,
            objection.organization,
            objection.content,
            objection.file_count,
            objection.get_status_display(),
            objection.investigation,
            _upheld_text(objection.upheld),
            objection.resolution,
            objection.resolved_at,
        ]
        for objection in objections
    )
    return tabular_response(request, f"notice-{notice.pk}-objections", OBJECTION_HEADER, rows)


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = reach_or_404(notice_for, request.user, pk, _("没有这个公示，或它不在您的辖区内"))
    can_manage_notice(request.user, notice).enforce()
    status = request.GET.get("status", "")
    if status not in Objection.Status.values:
        status = ""
    objections = notice_objections(notice, status)
    if request.method == "GET" and wanted_download(request):
        return _objections_download(request, notice, objections)
    batch = BatchForm(_posted(request), objection_ids=list(notice.objections.values_list("pk", flat=True)))
    if request.method == "POST" and batch.is_valid():
        try:
            result = objections_batch(
                actor=request.user,
                notice=notice,
                objection_ids=batch.cleaned_data["objections"],
                resolve=batch.cleaned_data["action"] == "resolve",
                resolution=batch.cleaned_data["resolution"],
                upheld=batch.upheld_value,
            )
        except ValidationError as error:
            errors_onto_form(batch, error)
        else:
            if result.changed:
                messages.success(
                    request,
                    _("已处理 %(count)s 条异议：%(references)s")
                    % {"count": len(result.changed), "references": listing(result.changed)},
                )
            if result.skipped:
                messages.error(
                    request,
                    _("以下异议已办结，未作改动：%(references)s") % {"references": listing(result.skipped)},
                )
            return redirect("notices:manage", pk=notice.pk)
    phase = notice_phase(notice)
    return render(
        request,
        "notices/manage.html",
        {
            "notice": notice,
            "call": notice.shortlist.call,
            "entries": notice_entries(notice),
            "method": shortlist_method(notice.shortlist),
            "intact": shortlist_intact(notice.shortlist),
            "objections": objections,
            "unresolved": unresolved_objections(notice).count(),
            "status": status,
            "statuses": Objection.Status.choices,
            "batch": batch,
            "phase": phase,
            "phase_label": PHASE_LABELS[phase],
            "closes_at": closes_at(notice),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = reach_or_404(objection_for, request.user, pk, _("没有这条异议，或它不在您的辖区内"))
    can_manage_notice(request.user, item.notice).enforce()
    initial = {
        "investigation": item.investigation,
        "resolution": item.resolution,
        "upheld": "" if item.upheld is None else ("yes" if item.upheld else "no"),
    }
    inadmissible = "reject_inadmissible" in request.POST
    form = ObjectionRecordForm(
        None if inadmissible else _posted(request), None if inadmissible else request.FILES, initial=initial
    )
    inadmissible_form = InadmissibleForm(_posted(request) if inadmissible else None)
    if inadmissible and inadmissible_form.is_valid():
        try:
            item = objection_reject_inadmissible(
                actor=request.user, objection=item, reason=inadmissible_form.cleaned_data["reason"]
            )
        except ValidationError as error:
            errors_onto_form(inadmissible_form, error)
        else:
            messages.success(request, _("异议 %(reference)s 不予受理") % {"reference": item.reference})
            return redirect("notices:objection", pk=item.pk)
    elif request.method == "POST" and not inadmissible and form.is_valid():
        resolve = "resolve" in request.POST
        try:
            item = objection_record(
                actor=request.user,
                objection=item,
                investigation=form.cleaned_data["investigation"],
                resolution=form.cleaned_data["resolution"],
                upheld=form.upheld_value,
                resolve=resolve,
                uploads=form.cleaned_data["files"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            text = _("异议 %(reference)s 已办结") if resolve else _("已保存异议 %(reference)s 的核查情况")
            if resolve and item.upheld:
                text = _("异议 %(reference)s 已办结：异议成立，该集群已移出拟认定名单")
            messages.success(request, text % {"reference": item.reference})
            return redirect("notices:objection", pk=item.pk)
    return render(
        request,
        "notices/objection.html",
        {
            "objection": item,
            "notice": item.notice,
            "files": [file for file in item.files.all() if file.kind == ObjectionFile.Kind.OBJECTOR],
            "finding_files": [file for file in item.files.all() if file.kind == ObjectionFile.Kind.FINDING],
            "form": form,
            "inadmissible_form": inadmissible_form,
            "resolved": item.status == Objection.Status.RESOLVED,
            "inadmissible": item.status == Objection.Status.INADMISSIBLE,
            "finished": item.status in OBJECTION_FINISHED,
            "history": [(event, action_label(event.action)) for event in audit_trail(item)],
        },
    )


@login_required
@require_GET
def objection_file_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(_openable_file, request.user, pk)


# --- the public's pages -----------------------------------------------------------------------------


@require_GET
def public_list(request: HtmxRequest) -> HttpResponse:
    page = Paginator(public_notices(), 20).get_page(request.GET.get("page"))
    rows = [(notice, PHASE_LABELS[notice_phase(notice)]) for notice in page]
    return render(request, "notices/public_list.html", {"page": page, "rows": rows})


def _client_address(request: HttpRequest) -> str:
    """The address objections are counted by (``site.client_address``), cut to the column's length."""
    return (client_address(request) or "unknown")[:64]


def _body_too_large(request: HttpRequest) -> bool:
    """Checked on the declared length before anything is read: Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves
    file parts out, so this is the only cap on an objection's whole body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.OBJECTION_MAX_TOTAL_BYTES + OBJECTION_FORM_TEXT_BYTES


def public_notice_title(notice: Notice, letterhead: Letterhead) -> str:
    """The formal title: 关于{year}年度{level}中小企业特色产业集群拟认定名单的公示."""
    return _("关于%(year)s年度%(level)s中小企业特色产业集群拟认定名单的公示") % {
        "year": notice.shortlist.call.year,
        "level": letterhead.title_level,
    }


def _formal_context(request: HttpRequest, notice: Notice) -> dict[str, Any]:
    """What the formal text of the notice needs, on the page and in the PDF alike."""
    call = notice.shortlist.call
    heading = letterhead(call.programme)
    return {
        "call": call,
        "letterhead": heading,
        "formal_title": public_notice_title(notice, heading),
        "form_url": request.build_absolute_uri(reverse("notices:public_detail", args=[notice.pk])),
    }


def _public_page(
    request: HtmxRequest,
    notice: Notice,
    entries: list[Any],
    form: ObjectionForm | None,
    *,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    phase = notice_phase(notice)
    return render(
        request,
        "notices/public_detail.html",
        {
            "notice": notice,
            "entries": entries,
            **_formal_context(request, notice),
            "intact": shortlist_intact(notice.shortlist, getattr(notice, "shortlist_version", "")),
            "form": form if phase == Phase.OPEN else None,
            "phase": phase,
            "phase_label": PHASE_LABELS[phase],
            "closes_at": closes_at(notice),
            "refusal": refusal or ("" if phase == Phase.OPEN else can_object(notice).reason),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def public_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    notice = public_or_404(public_notice, pk, _("没有这个公示"))
    entries = notice_entries(notice)
    if request.method == "GET":
        return _public_page(request, notice, entries, ObjectionForm(entries=entries))
    if not (window := can_object(notice)):
        # After the end (or before the start) nothing posted is read, however well-formed.
        return _public_page(request, notice, entries, None, refusal=window.reason, status=403)
    if _body_too_large(request):
        return _public_page(
            request,
            notice,
            entries,
            ObjectionForm(entries=entries),
            refusal=_("提交内容过大：证明材料合计不得超过 %(mb)s MB")
            % {"mb": settings.OBJECTION_MAX_TOTAL_BYTES // (1024 * 1024)},
            status=413,
        )
    form = ObjectionForm(request.POST, request.FILES, entries=entries)
    if form.is_valid():
        data = form.cleaned_data
        try:
            filed = objection_file(
                notice=notice,
                application_id=data["application"],
                real_name=data["real_name"],
                phone=data["phone"],
                email=data["email"],
                organization=data["organization"],
                content=data["content"],
                uploads=data["files"],
                client_address=_client_address(request),
            )
        except PermissionDenied as refused:
            return _public_page(request, notice, entries, None, refusal=str(refused), status=403)
        except TooManyObjections:
            return _public_page(
                request,
                notice,
                entries,
                form,
                refusal=_("提交过于频繁，请一小时后再试，或按公示所列联系方式提出异议"),
                status=429,
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return redirect("notices:objection_ack", reference=filed.reference)
    return _public_page(request, notice, entries, form)


@require_GET
def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The formal notice as a PDF: public, reached as its page is; the file made when it was published."""
    notice = public_or_404(public_notice, pk, _("没有这个公示"))
    return issued_document_response(request, public_notice_document(notice))


@require_GET
def objection_ack(request: HtmxRequest, reference: str) -> HttpResponse:
    filed = public_or_404(objection_by_reference, reference, _("没有这个受理编号"))
    return render(
        request,
        "notices/objection_ack.html",
        {
            "objection": filed,
            "notice": filed.notice,
            # Nothing personal beyond the first character of the name (the family name): 张**.
            "objector": f"{filed.real_name[:1]}**",
        },
    )


LOOKUP_MISSED = gettext_lazy("受理编号或联系电话不正确，请核对后再试")


@require_http_methods(["GET", "POST"])
def objection_lookup(request: HtmxRequest) -> HttpResponse:
    """The objector's look-up of the outcome: receipt number and telephone. A wrong number and a wrong
    telephone get the same answer; misses are limited per client address
    (``services.objection_lookup_by_receipt``)."""
    form = ObjectionLookupForm(_posted(request))
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            found = objection_lookup_by_receipt(
                reference=form.cleaned_data["reference"],
                phone=form.cleaned_data["phone"],
                client_address=_client_address(request),
            )
        except TooManyLookups:
            context["refusal"] = _("查询失败次数过多，请一小时后再试，或按公示所列联系方式向受理机关查询")
            status = 429
        else:
            if found is None:
                context["refusal"] = LOOKUP_MISSED
            else:
                return render(
                    request,
                    "notices/objection_outcome.html",
                    {
                        "objection": found,
                        "notice": found.notice,
                        "finding_files": [(file, finding_file_token(file)) for file in finding_files(found)],
                        "link_minutes": settings.OBJECTION_FINDING_LINK_MINUTES,
                        "objector": f"{found.real_name[:1]}**",
                    },
                )
        # A fresh form (and challenge) after every answer: a challenge is used once.
        context["form"] = ObjectionLookupForm()
    return render(request, "notices/objection_lookup.html", context, status=status)


@require_GET
def finding_file_download(request: HttpRequest, token: str) -> FileResponse:
    """One evidence file of the finding, through the signed link the outcome page gave the objector
    (``finding_links``); any other token is the same 404, saying nothing of what exists."""
    try:
        file = finding_file_by_token(token)
    except ObjectionFile.DoesNotExist:
        raise Http404(_("链接无效或已过期，请重新查询异议办理结果")) from None
    return pipeline.file_response(file)
