"""Pages of dynamic management (login): the clusters in reach, each cluster's timeline and record, major
changes (file, review, decide, record one found without a filing), incidents, and revocation (proposals,
the owner's decision, a proposal recorded by hand). Thin: parse, authorize, call a service, render.

The four lists (clusters, the incident register, major changes, revocation proposals) answer
``?format=csv`` and ``?format=xlsx`` with the rows their filters select, dates as dates and counts as
numbers whose unit the header names.

Outside the user's reach every page is a 404; inside it, a step the user may not take is a 403 with the
reason (``oversight.permissions``) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smecluster.apps.accounts.models import User
from smecluster.apps.accounts.permissions import Decision
from smecluster.apps.applications.selectors import signed_pledge
from smecluster.apps.evidence import pipeline
from smecluster.apps.oversight import lists, selectors, services
from smecluster.apps.oversight.facts import applied_changes, current_facts, describe_value, recognized_facts
from smecluster.apps.oversight.forms import (
    ChangeDecisionForm,
    ChangeFileForm,
    ChangeFilterForm,
    ChangeFoundForm,
    ChangeResubmitForm,
    ClusterFilterForm,
    IncidentFilterForm,
    IncidentForm,
    ProposalForm,
    ReviewForm,
    RevocationDecisionForm,
)
from smecluster.apps.oversight.models import (
    ChangeKind,
    MajorChange,
    RevocationProposal,
)
from smecluster.apps.oversight.permissions import (
    can_accept_revocation,
    can_decide_change,
    can_decide_revocation,
    can_file_change,
    can_propose_by_hand,
    can_record_findings,
    can_resubmit_change,
    can_review_change,
    can_see_oversight_lists,
)
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.selectors import importable_programmes
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import ListQuery

LIST_PAGE_SIZE = 50


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _cluster(request: AuthenticatedRequest, pk: int) -> RecognizedCluster:
    return reach_or_404(selectors.cluster_in_reach, request.user, pk, _("没有这个集群，或它不在您的辖区内"))


def _change(request: AuthenticatedRequest, pk: int) -> MajorChange:
    return reach_or_404(
        selectors.change_in_reach, request.user, pk, _("没有这项重大变动，或它不在您的辖区内")
    )


def _proposal(request: AuthenticatedRequest, pk: int) -> RevocationProposal:
    return reach_or_404(
        selectors.proposal_in_reach, request.user, pk, _("没有这项撤销建议，或它不在您的辖区内")
    )


def _evidence_list(request: HttpRequest) -> list[Any]:
    return request.FILES.getlist("evidence")


# --- clusters and their timeline ----------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _query(request: HttpRequest) -> str:
    """The list's filters as a query string, without the page and the format (for the page links and the
    download links, which keep the filters)."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _list_page(request: HttpRequest, template: str, rows: Any, context: dict[str, Any]) -> HttpResponse:
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {**context, "page": page, "query": _query(request)})


@login_required
@require_GET
def cluster_list(request: AuthenticatedRequest) -> HttpResponse:
    can_see_oversight_lists(request.user).enforce()
    form = ClusterFilterForm(request.GET or None)
    listing = ListQuery.from_params(lists.CLUSTERS, request.GET)
    clusters = list(listing.apply(selectors.clusters_in_reach(request.user, **form.filters())))
    counts = selectors.open_counts(clusters)
    if wanted_download(request):
        header = [
            _("认定编号"), _("集群名称"), _("所在地"), _("认定日期"), _("有效期止"), _("状态"),
            _("待决定的撤销建议（件）"), _("办理中的变动报备（件）"), _("登记事件（件）"),
        ]  # fmt: skip
        rows = (
            [
                cluster.number,
                cluster.name,
                cluster.county.full_name(),
                cluster.recognized_on,
                cluster.valid_until,
                cluster.get_status_display(),
                counts[cluster.pk]["proposals"],
                counts[cluster.pk]["changes"],
                counts[cluster.pk]["incidents"],
            ]
            for cluster in clusters
        )
        return tabular_response(request, "oversight-clusters", header, rows)
    return render(
        request,
        "oversight/cluster_list.html",
        {
            "filter": form,
            "listing": listing,
            "rows": [(cluster, counts[cluster.pk]) for cluster in clusters],
            "query": _query(request),
            # The owner's office adds clusters recognized before the platform from their published lists.
            "may_import_register": bool(importable_programmes(request.user)),
        },
    )


@login_required
@require_GET
def timeline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    user = request.user
    return render(
        request,
        "oversight/timeline.html",
        {
            "cluster": cluster,
            "entries": selectors.timeline(cluster),
            "facts": _facts_rows(cluster),
            "history": [
                (
                    change,
                    describe_value(change.kind, change.old_value),
                    describe_value(change.kind, change.new_value),
                )
                for change in applied_changes(cluster)
            ],
            "may_file": can_file_change(user, cluster),
            "may_record": can_record_findings(user, cluster),
            "may_propose": can_propose_by_hand(user, cluster),
            "revocation": getattr(cluster, "revocation", None),
        },
    )


def _facts_rows(cluster: RecognizedCluster) -> list[tuple[str | Promise, str, str]]:
    """(what, as recognized, now) for each kind of major change."""
    first, now = recognized_facts(cluster), current_facts(cluster)
    return [
        (label, describe_value(kind, first.value_of(kind)), describe_value(kind, now.value_of(kind)))
        for kind, label in ChangeKind.choices
    ]


# --- major changes ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    can_file_change(request.user, cluster).enforce()
    form = ChangeFileForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_file(
                actor=request.user,
                cluster=cluster,
                kind=form.cleaned_data["kind"],
                new_value=form.new_value(),
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                uploads=_evidence_list(request),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            if change.late:
                messages.warning(
                    request,
                    _("已报备。变动生效后超过报备时限（截止 %(due)s）才报备，系统已提出撤销建议（情形四）")
                    % {"due": change.filing_due_on},
                )
            else:
                messages.success(request, _("已报备，待审核"))
            return redirect("oversight:change_detail", pk=change.pk)
    return render(
        request,
        "oversight/change_form.html",
        {"cluster": cluster, "form": form, "facts": _facts_rows(cluster), "found": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_found(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    can_record_findings(request.user, cluster).enforce()
    form = ChangeFoundForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_record_unfiled(
                actor=request.user,
                cluster=cluster,
                kind=form.cleaned_data["kind"],
                new_value=form.new_value(),
                effective_on=form.cleaned_data["effective_on"],
                found_on=form.cleaned_data["found_on"],
                source=form.cleaned_data["source"],
                reason=form.cleaned_data["reason"],
                uploads=_evidence_list(request),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.warning(request, _("已登记未报备的重大变动，并已提出撤销建议（情形四）"))
            return redirect("oversight:change_detail", pk=change.pk)
    return render(
        request,
        "oversight/change_form.html",
        {"cluster": cluster, "form": form, "facts": _facts_rows(cluster), "found": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    user = request.user
    review_form = ReviewForm(request.POST if "review" in request.POST else None)
    decision_form = ChangeDecisionForm(request.POST if "decide" in request.POST else None)
    resubmit_form = ChangeResubmitForm(
        request.POST if "resubmit" in request.POST else None,
        kind=change.kind,
        initial={"effective_on": change.effective_on, "reason": change.reason, **_initial(change)},
    )
    if request.method == "POST":
        # Each form posts its own button: the step, its permission, its form and its service call.
        steps: dict[
            str,
            tuple[
                Callable[[User, MajorChange], Decision], forms.Form, Callable[[dict[str, Any]], MajorChange]
            ],
        ] = {
            "review": (
                can_review_change,
                review_form,
                lambda data: services.change_review(
                    actor=user, change=change, forward=data["decision"] == "forward", note=data["note"]
                ),
            ),
            "decide": (
                can_decide_change,
                decision_form,
                lambda data: services.change_decide(
                    actor=user, change=change, approve=data["decision"] == "approve", reason=data["reason"]
                ),
            ),
            "resubmit": (
                can_resubmit_change,
                resubmit_form,
                lambda data: services.change_resubmit(
                    actor=user,
                    change=change,
                    new_value=resubmit_form.new_value(),
                    effective_on=data["effective_on"],
                    reason=data["reason"],
                ),
            ),
        }
        step = next((name for name in steps if name in request.POST), None)
        if step is None:
            raise Http404(_("请求无效"))
        permission, form, act = steps[step]
        permission(user, change).enforce()
        if form.is_valid():
            try:
                done = act(form.cleaned_data)
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("已保存：%(status)s") % {"status": done.get_status_display()})
                return redirect("oversight:change_detail", pk=change.pk)
    return render(
        request,
        "oversight/change_detail.html",
        {
            "change": change,
            "cluster": change.cluster,
            "old": describe_value(change.kind, change.old_value),
            "new": describe_value(change.kind, change.new_value),
            "files": selectors.evidence_of(change=change),
            "review_form": review_form if can_review_change(user, change) else None,
            "decision_form": decision_form if can_decide_change(user, change) else None,
            "resubmit_form": resubmit_form if can_resubmit_change(user, change) else None,
            "proposals": RevocationProposal.objects.filter(
                cluster=change.cluster, source=f"major_change:{change.pk}"
            ),
        },
    )


def _initial(change: MajorChange) -> dict[str, Any]:
    value = dict(change.new_value)
    if "counties" in value:
        value["counties"] = ", ".join(value["counties"])
    return value


# --- incidents ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    can_record_findings(request.user, cluster).enforce()
    form = IncidentForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                actor=request.user,
                cluster=cluster,
                kind=form.cleaned_data["kind"],
                level=form.cleaned_data["level"],
                occurred_on=form.cleaned_data["occurred_on"],
                source=form.cleaned_data["source"],
                description=form.cleaned_data["description"],
                uploads=_evidence_list(request),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            if incident.meets_threshold and not services.incident_proposes(incident):
                messages.warning(
                    request,
                    _(
                        "已登记。该事件发生在认定之前，不自动提出撤销建议；申报时如有隐瞒，可由认定机关登记情形二"
                    ),
                )
            elif incident.meets_threshold:
                messages.warning(
                    request,
                    _("已登记。该事件属于“%(words)s”，已提出撤销建议（情形五）")
                    % {"words": incident.counted_words},
                )
            else:
                messages.success(request, _("已登记。该事件未达到规则集的撤销情形"))
            return redirect("oversight:timeline", pk=cluster.pk)
    return render(request, "oversight/incident_form.html", {"cluster": cluster, "form": form})


# --- revocation ---------------------------------------------------------------------------------------


@login_required
@require_GET
def revocation_list(request: AuthenticatedRequest) -> HttpResponse:
    can_see_oversight_lists(request.user).enforce()
    status = request.GET.get("status", RevocationProposal.Status.OPEN)
    if status not in RevocationProposal.Status.values and status != "all":
        status = RevocationProposal.Status.OPEN
    listing = ListQuery.from_params(lists.PROPOSALS, request.GET)
    proposals = listing.apply(selectors.proposals_in_reach(request.user, "" if status == "all" else status))
    if wanted_download(request):
        header = [
            _("提出日期"), _("认定编号"), _("集群名称"), _("所在县"), _("撤销情形"), _("条款"),
            _("事实与理由"), _("触发事实"), _("状态"), _("决定日期"), _("决定理由"),
        ]  # fmt: skip
        rows = (
            [
                proposal.proposed_on,
                proposal.cluster.number,
                proposal.cluster.name,
                proposal.cluster.county.full_name(),
                proposal.case,
                proposal.article,
                proposal.grounds,
                proposal.source,
                proposal.get_status_display(),
                proposal.decided_on,
                proposal.decision_reason,
            ]
            for proposal in proposals
        )
        return tabular_response(request, "revocation-proposals", header, rows)
    return render(
        request,
        "oversight/revocation_list.html",
        {
            "proposals": proposals,
            "listing": listing,
            "status": status,
            "statuses": [
                (value, label, listing.url_with(status=value))
                for value, label in [*RevocationProposal.Status.choices, ("all", _("全部"))]
            ],
            "query": _query(request) or f"status={status}",
        },
    )


# --- the registers: incidents and major changes across the reach -------------------------------------


@login_required
@require_GET
def incident_list(request: AuthenticatedRequest) -> HttpResponse:
    can_see_oversight_lists(request.user).enforce()
    form = IncidentFilterForm(request.GET or None, years=selectors.incident_years(request.user))
    listing = ListQuery.from_params(lists.INCIDENTS, request.GET)
    incidents = listing.apply(selectors.incidents_in_reach(request.user, **form.filters()))
    if wanted_download(request):
        header = [
            _("发生日期"), _("认定编号"), _("集群名称"), _("所在县"), _("集群状态"), _("事件类别"), _("等级"),
            _("信息来源"), _("事件经过"), _("达到撤销情形"), _("对应条款表述"), _("提出撤销建议"),
            _("佐证材料（份）"), _("登记人"), _("登记时间（北京时间）"),
        ]  # fmt: skip
        rows = (
            [
                incident.occurred_on,
                incident.cluster.number,
                incident.cluster.name,
                incident.cluster.county.full_name(),
                incident.cluster.get_status_display(),
                incident.get_kind_display(),
                incident.level,
                incident.source,
                incident.description,
                _yes_no(incident.meets_threshold),
                incident.counted_words,
                _yes_no(incident.proposes),
                incident.evidence_count,
                incident.recorded_by.get_full_name() or incident.recorded_by.username,
                incident.recorded_at,
            ]
            for incident in incidents
        )
        return tabular_response(request, "incidents", header, rows)
    return _list_page(
        request, "oversight/incident_list.html", incidents, {"filter": form, "listing": listing}
    )


def _filing(change: MajorChange) -> str:
    if change.status == MajorChange.Status.FOUND_UNFILED:
        return _("未报备（核查发现）")
    return _("逾期报备") if change.late else _("按时报备")


@login_required
@require_GET
def change_list(request: AuthenticatedRequest) -> HttpResponse:
    can_see_oversight_lists(request.user).enforce()
    form = ChangeFilterForm(request.GET or None)
    listing = ListQuery.from_params(lists.CHANGES, request.GET)
    changes = listing.apply(selectors.changes_in_reach(request.user, **form.filters()))
    if wanted_download(request):
        header = [
            _("变动生效日期"), _("认定编号"), _("集群名称"), _("所在县"), _("变动事项"), _("变动前"),
            _("变动后"), _("报备情况"), _("报备截止日"), _("报备时间（北京时间）"), _("发现日期"),
            _("发现途径"), _("状态"), _("审批时间（北京时间）"), _("记入集群档案时间（北京时间）"),
        ]  # fmt: skip
        rows = (
            [
                change.effective_on,
                change.cluster.number,
                change.cluster.name,
                change.cluster.county.full_name(),
                change.get_kind_display(),
                describe_value(change.kind, change.old_value),
                describe_value(change.kind, change.new_value),
                _filing(change),
                change.filing_due_on,
                change.filed_at,
                change.found_on,
                change.source,
                change.get_status_display(),
                change.decided_at,
                change.applied_at,
            ]
            for change in changes
        )
        return tabular_response(request, "major-changes", header, rows)
    return _list_page(request, "oversight/change_list.html", changes, {"filter": form, "listing": listing})


@login_required
@require_http_methods(["GET", "POST"])
def revocation_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cluster = _cluster(request, pk)
    can_propose_by_hand(request.user, cluster).enforce()
    form = ProposalForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.revocation_record(
                actor=request.user,
                cluster=cluster,
                case=form.cleaned_data["case"],
                grounds=form.cleaned_data["grounds"],
                uploads=_evidence_list(request),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已登记撤销建议"))
            return redirect("oversight:revocation_detail", pk=proposal.pk)
    return render(
        request,
        "oversight/revocation_form.html",
        {
            "cluster": cluster,
            "form": form,
            "bases": {case: services.legal_basis(cluster.programme, case) for case in (2, 5)},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def revocation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = RevocationDecisionForm(_posted(request))
    if request.method == "POST":
        can_decide_revocation(request.user, proposal).enforce()
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            if accept:
                can_accept_revocation(request.user, proposal).enforce()
            try:
                proposal = services.revocation_decide(
                    actor=request.user, proposal=proposal, accept=accept, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("已决定：%(status)s") % {"status": proposal.get_status_display()})
                return redirect("oversight:revocation_detail", pk=proposal.pk)
    return render(
        request,
        "oversight/revocation_detail.html",
        {
            "proposal": proposal,
            "cluster": proposal.cluster,
            "case_label": services.CASE_LABELS[proposal.case],
            "files": selectors.evidence_of(proposal=proposal),
            # 虚假申报 rests on the 承诺书 the declaring department signed when it submitted.
            "rests_on_pledge": proposal.case == services.FALSE_DECLARATION,
            "pledge": signed_pledge(proposal.cluster.application) if proposal.cluster.application else None,
            "form": form if can_decide_revocation(request.user, proposal) else None,
            "accept_refused": can_accept_revocation(request.user, proposal),
        },
    )


@login_required
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(selectors.evidence_in_reach, request.user, pk)
