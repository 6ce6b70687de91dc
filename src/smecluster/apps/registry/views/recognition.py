"""The owner's recognition pages (login): the recognition of a call's shortlisted applications, one by one or
in batch, and the recognition notice PDF; the certificate of a cluster for whoever may see its application.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.applications.services import today_in_china
from smecluster.apps.issued_documents.views import issued_document_response
from smecluster.apps.notices.permissions import PHASE_LABELS, closes_at, notice_phase
from smecluster.apps.notices.selectors import call_in_reach, notice_of_call, unresolved_objections
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.forms import RecognitionForm, RecognitionNoticeForm
from smecluster.apps.registry.issued import (
    certificate_document,
    recognition_notice_document,
    recognition_notice_pdf_bytes,
)
from smecluster.apps.registry.permissions import (
    can_open_recognition,
    can_print_certificate,
    can_print_recognition_notice,
    recognition_blockers,
)
from smecluster.apps.registry.selectors import (
    cluster_for,
    decided_applications,
    issued_notice,
    recognition_candidates,
)
from smecluster.apps.registry.services.recognition import (
    RECOGNIZE,
    default_validity,
    number_prefix,
    recognition_decide,
    recognize_unobjected,
)
from smecluster.apps.registry.services.recognition_notice import recognition_notice_issue
from smecluster.policy.ruleset import rule_set
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.wording import listing


def _posted(request: AuthenticatedRequest) -> Any:
    """The posted data, bound even when empty (an empty POST is a form with every field missing)."""
    return request.POST if request.method == "POST" else None


def _call(request: AuthenticatedRequest, pk: int) -> YearlyCall:
    return reach_or_404(call_in_reach, request.user, pk, _("没有这个年度申报，或它不在您的辖区内"))


# --- recognition -----------------------------------------------------------------------------------


def _pk(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationError(_("请求无效：申报编号有误")) from None


def _decided_message(request: AuthenticatedRequest, decided: Any) -> None:
    if decided.recognized:
        messages.success(
            request,
            _("已认定 %(count)s 个集群：%(numbers)s")
            % {
                "count": len(decided.recognized),
                "numbers": listing(f"{cluster.number} {cluster.name}" for cluster in decided.recognized),
            },
        )
    if decided.rejected:
        messages.success(
            request,
            _("已决定不予认定 %(count)s 件申报，申报县将收到理由：%(numbers)s")
            % {
                "count": len(decided.rejected),
                "numbers": listing(application.number for application in decided.rejected),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def recognition(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    call = _call(request, call_pk)
    can_open_recognition(request.user, call).enforce()
    notice = notice_of_call(call)
    candidates = recognition_candidates(call, notice)
    issuing = request.method == "POST" and "issue_notice" in request.POST
    issued = issued_notice(call)
    number_form = RecognitionNoticeForm(
        request.POST if issuing else None,
        initial={"number": issued.number, "dated": issued.dated} if issued else None,
    )
    if issuing and number_form.is_valid():
        try:
            issued = recognition_notice_issue(
                actor=request.user,
                call=call,
                number=number_form.cleaned_data["number"],
                dated=number_form.cleaned_data["dated"],
            )
        except ValidationError as error:
            errors_onto_form(number_form, error)
        else:
            messages.success(request, _("已登记认定名单通知的文号：%(number)s") % {"number": issued.number})
            return redirect("registry:recognition", call_pk=call.pk)
    form = RecognitionForm(
        None if issuing else _posted(request),
        application_ids=[candidate.application.pk for candidate in candidates],
    )
    if request.method == "POST" and ("all_unobjected" in request.POST or "recognize_one" in request.POST):
        # The buttons beside the table: one application, or every one without an upheld objection.
        try:
            if "all_unobjected" in request.POST:
                decided = recognize_unobjected(actor=request.user, call=call)
            else:
                decided = recognition_decide(
                    actor=request.user,
                    call=call,
                    application_ids=[_pk(request.POST["recognize_one"])],
                    decision=RECOGNIZE,
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            _decided_message(request, decided)
        return redirect("registry:recognition", call_pk=call.pk)
    if request.method == "POST" and form.is_valid():
        try:
            decided = recognition_decide(
                actor=request.user,
                call=call,
                application_ids=form.cleaned_data["applications"],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                valid_from=form.cleaned_data["valid_from"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            _decided_message(request, decided)
            return redirect("registry:recognition", call_pk=call.pk)
    phase = notice_phase(notice) if notice else None
    return render(
        request,
        "registry/recognition.html",
        {
            "call": call,
            "notice": notice,
            "phase_label": PHASE_LABELS[phase] if phase else "",
            "closes_at": closes_at(notice) if notice else None,
            "blockers": recognition_blockers(call),
            "unresolved": list(unresolved_objections(notice)) if notice else [],
            "candidates": candidates,
            "unobjected": sum(1 for candidate in candidates if candidate.unobjected),
            "form": form,
            "number_form": number_form,
            "issued": issued,
            "decided": decided_applications(call),
            "prefix": number_prefix(call),
            "default_validity": default_validity(call, today_in_china()),
            "counting": rule_set(call.programme.rule_set_id).recognition_validity.counting,
        },
    )


@login_required
@require_GET
def notice_pdf(request: AuthenticatedRequest, call_pk: int) -> HttpResponse:
    """A draft (no 文号 yet) prints as it stands; the issued notice is the stored one."""
    call = _call(request, call_pk)
    can_print_recognition_notice(request.user, call).enforce()
    if (document := recognition_notice_document(call)) is not None:
        return issued_document_response(request, document)
    response = HttpResponse(recognition_notice_pdf_bytes(call), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="recognition-{call.year}-{call.pk}.pdf"'
    return response


@login_required
@require_GET
def certificate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = reach_or_404(cluster_for, request.user, pk, _("没有这个集群，或它不在您的辖区内"))
    can_print_certificate(request.user, cluster).enforce()
    return issued_document_response(request, certificate_document(cluster))
