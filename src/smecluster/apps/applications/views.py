"""The county's pages on an application: list and export, create, the tabbed form with evidence and the
live eligibility panel, submit and withdraw, and the printable PDF.

Each view: find the application in the user's jurisdiction (404 otherwise, so existence is not disclosed),
check permission (403 with the reason), parse the form, call the service, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.completeness import completeness
from smecluster.apps.applications.forms import (
    NARRATIVE_SECTIONS,
    EvidenceForm,
    ListFilterForm,
    NewApplicationForm,
    PledgeForm,
    TabForms,
    figure_years,
    tab_forms,
    target_years,
)
from smecluster.apps.applications.issued import application_document, application_pdf_bytes
from smecluster.apps.applications.models import COUNTY_SECTIONS, Application, EvidenceFile, Section
from smecluster.apps.applications.operator_panel import bind_from_post, operators_panel
from smecluster.apps.applications.permissions import DRAFTERS, can_create, can_edit, can_see_contacts
from smecluster.apps.applications.problems import problem_text
from smecluster.apps.applications.profiles import QUALITY_FIELDS, eligibility, profile_document
from smecluster.apps.applications.selectors import (
    application_for,
    application_list,
    calls_with_applications,
    evidence_for,
    pool_entries_for,
    recommender_jurisdiction,
    signed_pledge,
)
from smecluster.apps.applications.services import (
    Pledge,
    application_create,
    application_operator_add,
    application_operator_remove,
    application_save_tab,
    application_submit,
    application_withdraw,
    evidence_add,
    evidence_remove,
    today_in_china,
)
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.evidence import pipeline
from smecluster.apps.evidence.storage import EvidenceRejected
from smecluster.apps.issued_documents.views import issued_document_response
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.programmes.selectors import calls_for, open_calls_for
from smecluster.apps.rosters.comparison import application_roster_panel
from smecluster.apps.rosters.permissions import can_view_application_roster

# The CLI's formatting of a verdict's figures, so the page, the PDF and `smecluster check` agree.
from smecluster.policy.display import criterion_rows
from smecluster.policy.ruleset import CriterionKind, rule_set
from smecluster.policy.verdict import Outcome, with_unit
from smecluster.reference.divisions import division
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import Column, ListQuery, ListSpec
from smecluster.site.wording import listing

OUTCOME_LABELS = {
    Outcome.ELIGIBLE: gettext_lazy("符合认定条件"),
    Outcome.INELIGIBLE: gettext_lazy("不符合认定条件"),
    Outcome.INCOMPLETE: gettext_lazy("数据不完整"),
    Outcome.NEEDS_REVIEW: gettext_lazy("量化条件均满足，待专家评审定性条件"),
}
# Guizhou's rule set has no quantitative criteria: its verdict never claims them met (issue 13, finding 11).
NO_QUANTITATIVE_LABEL = gettext_lazy("本规则集没有量化条件，待专家评审定性条件")
LEGEND = gettext_lazy("✓ 满足　✗ 不满足　? 待专家评审　缺 数据缺失")

# Where each workflow action is taken: the county's here, the city's on the review pages.
ACTION_ROUTES = {
    "submit": ("applications:submit", "post"),
    "withdraw": ("applications:withdraw", "post"),
    "accept": ("reviews:accept", "post"),
    "return": ("reviews:return", "get"),
    "review": ("reviews:initial_review", "get"),
    "spot_check": ("reviews:spot_check", "get"),
    "owner_spot_check": ("reviews:spot_check", "get"),
    "recommend": ("reviews:recommend", "get"),
    "not_recommend": ("reviews:recommend", "get"),
    "screen": ("selection:screen", "get"),
    "screen_out": ("selection:screen", "get"),
}
# The owner's later steps are taken for a whole call at once, on the call's page.
CALL_ACTION_ROUTES = {
    "shortlist": "selection:ranking",
    "not_shortlist": "selection:ranking",
    "recognize": "registry:recognition",
    "reject": "registry:recognition",
}

# A qualitative criterion's aspect, as each rule set's text heads it, names the tab its evidence goes on.
ASPECT_WORDS = {
    Section.BASICS: ("核心竞争力",),
    Section.QUALITY: ("梯度培育",),
    Section.SUPPLY_CHAIN: ("产业链",),
    Section.INNOVATION: ("创新",),
    Section.DIGITAL: ("数字化",),
    Section.GREEN: ("绿色",),
    Section.OPENNESS: ("开放",),
    Section.GOVERNANCE: ("治理",),
}

FIGURE_ROWS = (
    ("output", gettext_lazy("集群总产值"), "亿元"),
    ("sme_output", gettext_lazy("中小企业产值"), "亿元"),
    ("leading_output", gettext_lazy("主导产业产值"), "亿元"),
    ("sme_rnd", gettext_lazy("中小企业研发经费"), "亿元"),
    ("invention_patents", gettext_lazy("有效发明专利"), "件"),
    ("employees", gettext_lazy("从业人员"), "人"),
    ("iip_penetration", gettext_lazy("工业互联网平台应用普及率"), "%"),
    ("co2_intensity", gettext_lazy("二氧化碳排放强度"), gettext_lazy("各年同一单位")),
    ("non_fossil_share", gettext_lazy("非化石能源消费比重"), "%"),
)
QUALITY_LABELS = {
    "champion": gettext_lazy("制造业单项冠军企业"),
    "little_giant": gettext_lazy("专精特新“小巨人”企业"),
    "specialized": gettext_lazy("专精特新中小企业"),
    "innovative": gettext_lazy("创新型中小企业"),
    "high_tech": gettext_lazy("高新技术企业"),
}
NOT_GIVEN = gettext_lazy("未填")


def _application(request: AuthenticatedRequest, pk: int) -> Application:
    return reach_or_404(application_for, request.user, pk, _("没有这份申报，或它不在您的辖区内"))


def _evidence(request: AuthenticatedRequest, pk: int) -> EvidenceFile:
    return reach_or_404(evidence_for, request.user, pk, _("没有这份材料，或它不在您的辖区内"))


def _county_section(section: str) -> Section:
    if section not in Section.values or section == Section.SPOT_CHECK:
        raise Http404(_("没有这个填报部分"))
    return Section(section)


def _number(value: Any) -> str:
    """48.4000 → 48.4, 100.0000 → 100, 1234 → 1234: a stored figure as a person writes it."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _shown(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return str(NOT_GIVEN)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return with_unit(_number(value), str(unit))


# --- what a page shows of an application ----------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    text: str


def _basics(application: Application, *, contacts: bool) -> list[Item]:
    county = application.county
    others = [
        f"{code} {name}" if (name := _division_name(code)) else code for code in application.other_counties
    ]
    places = application.places or []
    items = [
        Item(_("申报编号"), application.number),
        Item(_("年度申报"), str(application.call)),
        Item(_("申报县"), f"{county.full_name()}（{county.code}）"),
        Item(_("跨县的其他县级区划"), listing(others) or _("无")),
        Item(_("所在镇（街道）"), listing(f"{place['code']} {place['name']}" for place in places) or _("无")),
        Item(_("所在开发区"), str(zone) if (zone := application.development_zone) else _("无")),
        Item(_("集群名称"), application.name),
        Item(_("主导产业"), application.leading_industry),
        Item(_("主导产业代码（GB/T 4754）"), _shown(application.leading_industry_code)),
        Item(_("占地面积"), _shown(application.area_km2, "km²")),
        Item(_("属于高耗能行业"), _shown(application.energy_intensive)),
        Item(_("属于高用水行业"), _shown(application.water_intensive)),
        Item(_("能效优于行业基准值"), _shown(application.energy_efficiency_better_than_benchmark)),
        Item(_("水效优于行业基准值"), _shown(application.water_efficiency_better_than_benchmark)),
        Item(_("运营管理机构"), _shown(application.operating_agency)),
    ]
    if contacts:
        items += [
            Item(_("联系人"), _shown(application.contact_person)),
            Item(_("联系电话"), _shown(application.contact_phone)),
        ]
    if application.pool_entry is not None:
        items.insert(4, Item(_("培育库中的集群"), application.pool_entry.name))
    return items


def _division_name(code: str) -> str:
    found = division(code)
    return found.name if found else ""


def _figures(application: Application) -> dict[str, Any]:
    rows_by_year = {row.year: row for row in application.years.all()}
    years = sorted(set(figure_years(application.call)) | set(rows_by_year))
    return {
        "years": years,
        "rows": [
            {
                "label": label,
                "unit": unit,
                "cells": [
                    _number(value)
                    if (value := getattr(rows_by_year.get(year), field, None)) is not None
                    else "—"
                    for year in years
                ],
            }
            for field, label, unit in FIGURE_ROWS
        ],
    }


def readout(application: Application, *, contacts: bool = True) -> dict[str, Any]:
    """Everything the county entered, as text with units: the detail page and the PDF show this (without
    the contact person and telephone when ``contacts`` is false: ``permissions.can_see_contacts``)."""
    narratives = [(section.label, getattr(application, section.value)) for section in NARRATIVE_SECTIONS]
    return {
        "basics": _basics(application, contacts=contacts),
        "figures": _figures(application),
        "quality": [
            Item(str(QUALITY_LABELS[field]), _shown(getattr(application, field), "家"))
            for field in QUALITY_FIELDS
        ],
        "narratives": narratives,
        "incidents": list(application.incidents.all()),
        "targets": [
            {
                "indicator": target.indicator,
                "unit": target.unit,
                "baseline": with_unit(_number(target.baseline), target.unit),
                "target_value": with_unit(_number(target.target_value), target.unit),
                "target_year": target.target_year,
            }
            for target in application.targets.all()
        ],
        "plan_summary": application.plan_summary,
        "evidence": (evidence := _evidence_by_section(application)),
        "evidence_count": sum(len(files) for _section, _label, files in evidence),
    }


def _evidence_by_section(application: Application) -> list[tuple[str, str, list[EvidenceFile]]]:
    files: dict[str, list[EvidenceFile]] = {}
    for evidence in application.evidence.all():
        files.setdefault(evidence.section, []).append(evidence)
    return [(section.value, str(section.label), files.get(section.value, [])) for section in Section]


BASIS_DECLARED, BASIS_ROSTER = "declared", "roster"


def _roster_basis(application: Application, today: date) -> tuple[dict[str, Any] | None, str]:
    """The profile document with the roster's figures substituted, or None and why it cannot be built."""
    from smecluster.apps.rosters.comparison import with_roster_figures
    from smecluster.apps.rosters.selectors import current_version, roster_of_application

    version = current_version(roster_of_application(application))
    if version is None:
        return None, _("尚未导入企业名册，无法按名册计算")
    document = with_roster_figures(profile_document(application, today), version)
    if document is None:
        return None, _("申报数据中没有名册年度（%(year)s 年）的数据，无法按名册计算") % {
            "year": version.roster.year
        }
    return document, _(
        "按名册计算：%(year)s 年的总产值、中小企业产值、主导产业产值、中小企业研发经费、有效发明专利、"
        "从业人员和优质企业数取自企业名册第 %(number)s 版，其余为申报数据"
    ) % {"year": version.roster.year, "number": version.number}


def eligibility_context(
    application: Application, today: date, basis: str = BASIS_DECLARED, *, roster_readable: bool = False
) -> dict[str, Any]:
    """The live pre-check: the verdict table and outcome, or the problems that make the data unusable.

    ``basis`` ``roster`` evaluates the rule set on the figures computed from the enterprise roster for
    its year instead of the declared ones (offered to whoever may read the roster)."""
    base = {"application": application, "as_of": today, "roster_switch": roster_readable}
    document = None
    if roster_readable and basis == BASIS_ROSTER:
        base["basis"] = BASIS_ROSTER
        document, note = _roster_basis(application, today)
        base["basis_note"] = note
        if document is None:
            return {**base, "unavailable": True}
    else:
        base["basis"] = BASIS_DECLARED
        base["basis_note"] = _("按填报数据计算")
    verdict, problems = eligibility(application, today, document=document)
    if verdict is None:
        assert problems is not None
        return {
            **base,
            "problems": [problem_text(application, problem) for problem in problems.problems],
        }
    return {
        **base,
        "verdict": verdict,
        "outcome": verdict.outcome.value,
        "outcome_label": OUTCOME_LABELS[verdict.outcome]
        if verdict.has_quantitative_criteria or verdict.outcome is not Outcome.NEEDS_REVIEW
        else NO_QUANTITATIVE_LABEL,
        "legend": LEGEND,
        "rows": criterion_rows(verdict),
    }


def _actions(user: User, application: Application) -> list[dict[str, Any]]:
    """The workflow actions this user may take now, each once (推荐 and 不予推荐 share one page)."""
    actions: dict[str, dict[str, Any]] = {}
    for transition in APPLICATION.available(user, application):
        action = transition.action
        if action in CALL_ACTION_ROUTES:
            url, method = reverse(CALL_ACTION_ROUTES[action], args=[application.call_id]), "get"
        else:
            url_name, method = ACTION_ROUTES[action]
            url = reverse(url_name, args=[application.pk])
        if url in actions:
            actions[url]["label"] = f"{actions[url]['label']} / {transition.label}"
            continue
        actions[url] = {"action": action, "label": str(transition.label), "url": url, "method": method}
    return list(actions.values())


def guidance(application: Application, section: Section) -> list[dict[str, Any]]:
    """The qualitative criteria this tab answers, with the evidence each calls for (from the rule set)."""
    words = ASPECT_WORDS.get(section, ())
    if not words:
        return []
    return [
        {"clause": criterion.clause, "article": criterion.article.cite(), "evidence": criterion.evidence}
        for criterion in rule_set(application.call.programme.rule_set_id).criteria
        if criterion.kind == CriterionKind.QUALITATIVE and any(word in criterion.aspect for word in words)
    ]


# --- list, export, create --------------------------------------------------------------------------


APPLICATION_LIST = ListSpec(
    columns=(
        Column(gettext_lazy("申报编号"), "number", ("number",)),
        Column(gettext_lazy("集群名称"), "name", ("name",)),
        Column(gettext_lazy("申报县"), "county", ("county__code",)),
        Column(gettext_lazy("年度申报"), "call", ("call__year", "call__programme__name")),
        Column(gettext_lazy("状态"), "status", ("status",)),
        Column(gettext_lazy("更新时间"), "updated", ("updated_at",)),
    ),
    text_fields=("name", "number", "leading_industry"),
    place="county",
)


def _filtered(request: AuthenticatedRequest) -> tuple[ListFilterForm, ListQuery, Any]:
    """The list's filters, search and sort from the query string: the page and both downloads read them
    the same way, so a download holds exactly the rows the page lists (all pages of them)."""
    form = ListFilterForm(request.GET or None, calls=calls_with_applications(request.user))
    status = call_id = None
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or None
        call = form.cleaned_data["call"]
        call_id = call.pk if call else None
    listing = ListQuery.from_params(APPLICATION_LIST, request.GET)
    return form, listing, listing.apply(application_list(request.user, status=status, call_id=call_id))


@login_required
@require_GET
def application_list_view(request: AuthenticatedRequest) -> HttpResponse:
    if wanted_download(request):
        return application_export(request)
    form, listing, applications = _filtered(request)
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/list.html",
        {
            "filter": form,
            "listing": listing,
            "page": page,
            "query": query.urlencode(),
            "open_calls": open_calls_for(request.user) if request.user.role in DRAFTERS else [],
        },
    )


@login_required
@require_GET
def application_export(request: AuthenticatedRequest) -> HttpResponse:
    _form, _listing, applications = _filtered(request)
    header = [
        _("申报编号"), _("集群名称"), _("申报县"), _("所属市"), _("年度申报"), _("状态"), _("主导产业"),
        _("占地面积（km²）"), _("提交时间（北京时间）"), _("更新时间（北京时间）"),
    ]  # fmt: skip
    rows = (
        [
            application.number,
            application.name,
            f"{application.county.name}（{application.county.code}）",
            application.county.parent.name if application.county.parent else "",
            str(application.call),
            application.get_status_display(),
            application.leading_industry,
            Decimal(_number(application.area_km2)) if application.area_km2 is not None else None,
            application.submitted_at,
            application.updated_at,
        ]
        for application in applications
    )
    return tabular_response(request, "applications", header, rows)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: AuthenticatedRequest) -> HttpResponse:
    try:
        call = calls_for(request.user).get(pk=int(request.GET.get("call", "")))
    except (ValueError, YearlyCall.DoesNotExist):
        raise Http404(_("没有这个年度申报")) from None
    can_create(request.user, call, today_in_china()).enforce()
    entries = pool_entries_for(request.user)
    form = NewApplicationForm(request.POST or None, call=call, entries=entries)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create(
                actor=request.user,
                call=call,
                name=form.cleaned_data["name"],
                leading_industry=form.cleaned_data["leading_industry"],
                pool_entry=form.cleaned_data.get("pool_entry"),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已创建申报 %(number)s，请逐项填写") % {"number": application.number})
            return redirect("applications:detail", pk=application.pk)
    return render(request, "applications/new.html", {"form": form, "call": call})


# --- one application ------------------------------------------------------------------------------


def _pledge_form(application: Application) -> PledgeForm:
    """A resubmission offers the last signer again; the department signs anew each time it submits."""
    last = signed_pledge(application)
    if last is None:
        return PledgeForm()
    return PledgeForm(
        initial={
            "pledge_signer_name": last.pledge_signer_name,
            "pledge_signer_position": last.pledge_signer_position,
        }
    )


@login_required
@require_GET
def application_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    today = today_in_china()
    editing = can_edit(request.user, application)
    roster = application_roster_panel(request.user, application)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "actions": _actions(request.user, application),
            "can_edit": editing.allowed,
            "edit_reason": editing.reason,
            "sections": [(section.value, section.label) for section in COUNTY_SECTIONS],
            "readout": readout(application, contacts=bool(can_see_contacts(request.user))),
            "versions": application.versions.count(),
            "pledge_form": _pledge_form(application),
            "completeness": completeness(application),
            "recommender_name": _division_name(recommender_jurisdiction(application)),
            "pledge_text": application.call.programme.pledge_text,
            "is_returned": application.status == Status.RETURNED,
            "eligibility": eligibility_context(
                application,
                today,
                request.GET.get("basis", BASIS_DECLARED),
                roster_readable=roster is not None,
            ),
            "roster": roster,
            **operators_panel(
                request.user,
                application.county_id,
                application.operators.all(),
                reverse("applications:operators", args=[application.pk]),
            ),
        },
    )


@login_required
@require_POST
def application_operators(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The county officer binds or unbinds an operator account (the panel of the application's page)."""
    application = _application(request, pk)
    return bind_from_post(
        request,
        application.county_id,
        add=lambda operator: application_operator_add(
            actor=request.user, application=application, operator=operator
        ),
        remove=lambda operator: application_operator_remove(
            actor=request.user, application=application, operator=operator
        ),
        page=application.get_absolute_url(),
    )


def _tab_context(
    request: AuthenticatedRequest,
    application: Application,
    section: Section,
    tab: TabForms,
    *,
    saved: bool = False,
    upload: EvidenceForm | None = None,
) -> dict[str, Any]:
    return {
        "application": application,
        "section": section.value,
        "section_label": section.label,
        "sections": [(each.value, each.label) for each in COUNTY_SECTIONS],
        "tab": tab,
        "saved": saved,
        "guidance": guidance(application, section),
        "target_years": target_years(application.call) if section == Section.PLAN else [],
        "evidence": list(application.evidence.filter(section=section)),
        "upload": upload or EvidenceForm(),
        "can_edit": True,
    }


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: AuthenticatedRequest, pk: int, section: str) -> HttpResponse:
    application = _application(request, pk)
    tab_section = _county_section(section)
    can_edit(request.user, application).enforce()
    today = today_in_china()
    if request.method == "POST":
        tab = tab_forms(tab_section, application, today=today, data=request.POST)
        if tab.is_valid():
            try:
                application = application_save_tab(
                    actor=request.user, application=application, fields=tab.fields(), rows=tab.rows()
                )
            except ValidationError as error:
                tab.add_error(error)
            else:
                return _saved(request, application, tab_section, today)
        context = _tab_context(request, application, tab_section, tab)
        if request.htmx:
            return render(request, "applications/_tab.html", context)
        return render(request, "applications/edit.html", _with_panel(context, application, today))
    tab = tab_forms(tab_section, application, today=today)
    context = _tab_context(request, application, tab_section, tab)
    return render(request, "applications/edit.html", _with_panel(context, application, today))


def _saved(
    request: AuthenticatedRequest, application: Application, section: Section, today: date
) -> HttpResponse:
    text = _("已保存“%(section)s”") % {"section": section.label}
    if not request.htmx:
        messages.success(request, text)
        return redirect("applications:edit", pk=application.pk, section=section.value)
    tab = tab_forms(section, application, today=today)
    response = render(
        request, "applications/_tab.html", _tab_context(request, application, section, tab, saved=True)
    )
    response["HX-Trigger"] = "eligibility-changed"
    return response


def _with_panel(context: dict[str, Any], application: Application, today: date) -> dict[str, Any]:
    # The edit pages are the county's (drafters of the application's county), who may read its roster.
    context["eligibility"] = eligibility_context(application, today, roster_readable=True)
    return context


@login_required
@require_GET
def application_eligibility(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return render(
        request,
        "applications/_eligibility.html",
        {
            "eligibility": eligibility_context(
                application,
                today_in_china(),
                request.GET.get("basis", BASIS_DECLARED),
                roster_readable=bool(can_view_application_roster(request.user, application)),
            )
        },
    )


@login_required
@require_POST
def application_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = PledgeForm(request.POST)
    form.is_valid()  # every field is optional here: the service names what the pledge lacks
    pledge = Pledge(
        signer_name=form.cleaned_data.get("pledge_signer_name", ""),
        signer_position=form.cleaned_data.get("pledge_signer_position", ""),
    )
    try:
        version = application_submit(actor=request.user, application=application, pledge=pledge)
    except ValidationError as error:
        if hasattr(error, "error_dict") and set(error.error_dict) & set(PledgeForm.base_fields):
            messages.error(request, _("未能提交：须由申报单位签署申报承诺书"))
        else:
            messages.error(
                request, _("未能提交：申报材料不完整或数据不能构成有效的集群档案，请先补齐或修正以下各项")
            )
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已提交申报 %(number)s（第 %(version)s 版），待受理")
            % {"number": application.number, "version": version.number},
        )
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_POST
def application_withdraw_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    application_withdraw(actor=request.user, application=application)
    messages.success(request, _("已撤回申报 %(number)s，可修改后重新提交") % {"number": application.number})
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_GET
def application_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A draft prints as it stands; a submitted application is its version as submitted, stored."""
    application = _application(request, pk)
    contacts = bool(can_see_contacts(request.user))
    if (document := application_document(application, contacts=contacts)) is not None:
        return issued_document_response(request, document)
    content = application_pdf_bytes(application, contacts=contacts, printed_on=today_in_china())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{application.number}.pdf"'
    return response


# --- evidence -------------------------------------------------------------------------------------


def _next_url(request: AuthenticatedRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return fallback


def _evidence_fallback(application: Application, section: str) -> str:
    if section == Section.SPOT_CHECK:
        return reverse("applications:detail", args=[application.pk])
    return reverse("applications:edit", args=[application.pk, section])


def _evidence_block(
    request: AuthenticatedRequest,
    application: Application,
    section: str,
    upload: EvidenceForm | None = None,
    *,
    note: str = "",
) -> HttpResponse:
    return render(
        request,
        "applications/_evidence.html",
        {
            "application": application,
            "section": section,
            "evidence": list(application.evidence.filter(section=section)),
            "upload": upload or EvidenceForm(),
            "can_edit": True,
            "note": note,
        },
    )


@login_required
@require_POST
def evidence_upload(request: AuthenticatedRequest, pk: int, section: str) -> HttpResponse:
    application = _application(request, pk)
    if section not in Section.values:
        raise Http404(_("没有这个填报部分"))
    if section == Section.SPOT_CHECK:
        APPLICATION.can(request.user, "spot_check", application).enforce()
    else:
        can_edit(request.user, application).enforce()
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = evidence_add(
                actor=request.user, application=application, section=section, upload=form.cleaned_data["file"]
            )
        except EvidenceRejected as rejected:
            errors_onto_form(form, rejected)
        else:
            note = _("已上传“%(name)s”") % {"name": evidence.original_name}
            if request.htmx:
                return _evidence_block(request, application, section, note=note)
            messages.success(request, note)
            return redirect(_next_url(request, _evidence_fallback(application, section)))
    if request.htmx:
        return _evidence_block(request, application, section, form)
    if section == Section.SPOT_CHECK:
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return redirect(_next_url(request, _evidence_fallback(application, section)))
    # Without htmx: the whole tab again, with the file field's message and the tab's stored values.
    tab_section = Section(section)
    today = today_in_china()
    tab = tab_forms(tab_section, application, today=today)
    context = _tab_context(request, application, tab_section, tab, upload=form)
    return render(request, "applications/edit.html", _with_panel(context, application, today))


@login_required
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return pipeline.serve(evidence_for, request.user, pk)


@login_required
@require_POST
def evidence_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    application, section, name = evidence.application, evidence.section, evidence.original_name
    evidence_remove(actor=request.user, evidence=evidence)
    note = _("已删除“%(name)s”") % {"name": name}
    if request.htmx:
        return _evidence_block(request, application, section, note=note)
    messages.success(request, note)
    return redirect(_next_url(request, _evidence_fallback(application, section)))
