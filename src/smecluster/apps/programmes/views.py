"""The province's configuration pages (programmes and yearly calls) and the cities' cultivation pool.

Each view: check who may use the page (403 with the reason), find the record within the user's reach
(404 otherwise), parse the form, call the service, show the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smecluster.apps.accounts.models import Role, User
from smecluster.apps.accounts.selectors import cities_of, counties_in
from smecluster.apps.programmes.forms import CallForm, DevelopmentZoneForm, PoolEntryForm, ProgrammeForm
from smecluster.apps.programmes.letterhead import letterhead
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.programmes.permissions import (
    OWNING_LEVEL,
    can_configure,
    can_edit_programme,
    can_edit_zone,
    can_manage_pool,
    can_register_zones,
    can_view_pool,
)
from smecluster.apps.programmes.selectors import (
    call_for,
    pool_entries_for,
    pool_entry_for,
    programme_for,
    programmes_visible_to,
    zones_of_province,
)
from smecluster.apps.programmes.services import (
    CALL_FIELDS,
    PROGRAMME_FIELDS,
    call_create,
    call_update,
    pool_entry_add,
    pool_entry_remove,
    programme_create,
    programme_update,
    zone_register,
    zone_update,
)
from smecluster.policy.ruleset import rule_sets
from smecluster.site.csv_export import tabular_response, wanted_download
from smecluster.site.http import AuthenticatedRequest, errors_onto_form, reach_or_404
from smecluster.site.list_query import Column, ListQuery, ListSpec

# --- programmes and calls -------------------------------------------------------------------------

PROGRAMME_HEADER = [
    gettext_lazy("认定项目"),
    gettext_lazy("认定层级"),
    gettext_lazy("规则集"),
    gettext_lazy("审核链"),
    gettext_lazy("每单位推荐名额（个）"),
    gettext_lazy("须从培育库申报"),
    gettext_lazy("年度"),
    gettext_lazy("申报开始"),
    gettext_lazy("县级申报截止"),
    gettext_lazy("市级推荐截止"),
    gettext_lazy("省级评审截止"),
    gettext_lazy("本年度每市推荐名额（个）"),
]


@dataclass(frozen=True)
class ProgrammeRow:
    """A programme as the list shows it: whether this user may edit it, and its rule set's title."""

    programme: Programme
    editable: bool
    rule_set_title: str


@login_required
@require_GET
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    can_configure(request.user).enforce()
    programmes = list(programmes_visible_to(request.user))
    known = rule_sets()
    rows_shown = [
        ProgrammeRow(
            programme=programme,
            editable=bool(can_edit_programme(request.user, programme)),
            rule_set_title=rules.title
            if (rules := known.get(programme.rule_set_id))
            else programme.rule_set_id,
        )
        for programme in programmes
    ]
    if wanted_download(request):
        rows: list[list[object]] = []
        for programme in programmes:
            head: list[object] = [
                programme.name,
                programme.get_owner_level_display(),
                programme.rule_set_id,
                programme.review_chain_display(),
                programme.quota_per_unit,
                _("是") if programme.pool_required else _("否"),
            ]
            calls = list(programme.calls.all())
            rows.extend(
                [
                    *head,
                    call.year,
                    call.opens_on,
                    call.closes_on,
                    call.city_deadline,
                    call.province_deadline,
                    call.effective_quota(),
                ]
                for call in calls
            )
            if not calls:
                rows.append(head + [""] * 6)
        return tabular_response(request, "programmes", PROGRAMME_HEADER, rows)
    return render(
        request,
        "programmes/list.html",
        {"rows": rows_shown, "today": timezone.localdate()},
    )


def _programme_form_owner(request: AuthenticatedRequest) -> dict[str, str]:
    """What the programme form needs to know of its owner: the province whose rule sets it may adopt (a
    city's programme too runs under its province's or the national rule set) and the owner's level."""
    return {
        "province_prefix": request.user.jurisdiction_id[:2],
        "owner_level": OWNING_LEVEL[Role(request.user.role)],
    }


def _programme(request: AuthenticatedRequest, pk: int) -> Programme:
    return reach_or_404(programme_for, request.user, pk, _("没有这个认定项目"))


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: AuthenticatedRequest) -> HttpResponse:
    can_configure(request.user).enforce()
    form = ProgrammeForm(request.POST or None, **_programme_form_owner(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(
                actor=request.user, fields={field: form.cleaned_data[field] for field in PROGRAMME_FIELDS}
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已创建认定项目“%(name)s”") % {"name": programme.name})
            return redirect("programmes:list")
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    can_configure(request.user).enforce()
    programme = _programme(request, pk)
    can_edit_programme(request.user, programme).enforce()
    form = ProgrammeForm(request.POST or None, instance=programme, **_programme_form_owner(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_update(
                actor=request.user,
                programme=programme,
                fields={field: form.cleaned_data[field] for field in PROGRAMME_FIELDS},
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存认定项目“%(name)s”") % {"name": programme.name})
            return redirect("programmes:list")
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "programme": programme, "letterhead": letterhead(programme)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    can_configure(request.user).enforce()
    programme = _programme(request, pk)
    can_edit_programme(request.user, programme).enforce()
    today = timezone.localdate()
    form = CallForm(
        request.POST or None, instance=YearlyCall(programme=programme), initial={"year": today.year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = call_create(
                actor=request.user,
                programme=programme,
                fields={field: form.cleaned_data[field] for field in CALL_FIELDS},
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已创建%(call)s") % {"call": call})
            return redirect("programmes:list")
    return render(request, "programmes/call_form.html", {"form": form, "programme": programme, "call": None})


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    can_configure(request.user).enforce()
    call = reach_or_404(call_for, request.user, pk, _("没有这个年度申报"))
    can_edit_programme(request.user, call.programme).enforce()
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            call = call_update(
                actor=request.user,
                call=call,
                fields={field: form.cleaned_data[field] for field in CALL_FIELDS},
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存%(call)s") % {"call": call})
            return redirect("programmes:list")
    return render(
        request, "programmes/call_form.html", {"form": form, "programme": call.programme, "call": call}
    )


# --- the cultivation pool -------------------------------------------------------------------------

POOL_HEADER = [
    gettext_lazy("所属市"),
    gettext_lazy("所在县（市、区）"),
    gettext_lazy("区划代码"),
    gettext_lazy("集群名称"),
    gettext_lazy("主导产业"),
    gettext_lazy("备注"),
    gettext_lazy("入库日期"),
]


def _pool_city(request: AuthenticatedRequest) -> str:
    """The city a province admin filters by (a code of their province), or '' for all."""
    code = request.GET.get("city", "")
    if request.user.role == Role.PROVINCE_ADMIN and cities_of(request.user).filter(code=code).exists():
        return code
    return ""


def _pool_spec(user: User) -> ListSpec:
    """The pool's columns as the user sees them: the province's list names each entry's city, the city's
    list has its removal buttons."""
    by_city = user.role == Role.PROVINCE_ADMIN
    columns = (
        *([Column(gettext_lazy("所属市"), "city", ("city__code",))] if by_city else []),
        Column(gettext_lazy("所在县（市、区）"), "county", ("county__code",)),
        Column(gettext_lazy("集群名称"), "name", ("name",)),
        Column(gettext_lazy("主导产业"), "industry", ("leading_industry",)),
        Column(gettext_lazy("备注"), "note", ("note",)),
        Column(gettext_lazy("入库日期"), "added_on", ("added_on",)),
        *([Column("")] if user.role == Role.CITY_OFFICER else []),
    )
    return ListSpec(columns=columns, text_fields=("name", "leading_industry", "note"), place="county")


def _pool_entries(request: AuthenticatedRequest) -> tuple[ListQuery, Any]:
    """The pool under the page's city filter, search and sort: the page and its downloads alike."""
    listing = ListQuery.from_params(_pool_spec(request.user), request.GET)
    return listing, listing.apply(pool_entries_for(request.user, _pool_city(request)))


def _pool_page(request: AuthenticatedRequest, form: PoolEntryForm | None, status: int = 200) -> HttpResponse:
    city = _pool_city(request)
    listing, entries = _pool_entries(request)
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "entries": entries,
        "listing": listing,
        "query": query.urlencode(),
        "form": form,
        "cities": cities_of(request.user) if request.user.role == Role.PROVINCE_ADMIN else None,
        "city": city,
        "can_manage": request.user.role == Role.CITY_OFFICER,
    }
    return render(request, "programmes/pool.html", context, status=status)


def _pool_form(request: AuthenticatedRequest, data: object = None) -> PoolEntryForm | None:
    if request.user.role != Role.CITY_OFFICER:
        return None
    return PoolEntryForm(data, counties=counties_in(request.user.jurisdiction))


@login_required
@require_GET
def pool(request: AuthenticatedRequest) -> HttpResponse:
    can_view_pool(request.user).enforce()
    return _pool_page(request, _pool_form(request))


@login_required
@require_GET
def pool_export(request: AuthenticatedRequest) -> HttpResponse:
    can_view_pool(request.user).enforce()
    _listing, entries = _pool_entries(request)
    return tabular_response(
        request,
        "pool",
        POOL_HEADER,
        (
            [
                entry.city.name,
                entry.county.name,
                entry.county_id,
                entry.name,
                entry.leading_industry,
                entry.note,
                entry.added_on,
            ]
            for entry in entries
        ),
    )


@login_required
@require_POST
def pool_add(request: AuthenticatedRequest) -> HttpResponse:
    can_view_pool(request.user).enforce()
    can_manage_pool(request.user, request.user.jurisdiction).enforce()
    form = _pool_form(request, request.POST)
    assert form is not None  # a city officer, checked above
    if form.is_valid():
        try:
            entry = pool_entry_add(
                actor=request.user,
                county=form.cleaned_data["county"],
                name=form.cleaned_data["name"],
                leading_industry=form.cleaned_data["leading_industry"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已将“%(name)s”加入培育库") % {"name": entry.name})
            return redirect("programmes:pool")
    return _pool_page(request, form)


@login_required
@require_POST
def pool_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    can_view_pool(request.user).enforce()
    entry = reach_or_404(pool_entry_for, request.user, pk, _("培育库中没有这一项，或它不在您的辖区内"))
    can_manage_pool(request.user, entry.city_id).enforce()
    try:
        pool_entry_remove(actor=request.user, entry=entry, reason=request.POST.get("reason", "").strip())
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已将“%(name)s”移出培育库") % {"name": entry.name})
    return redirect("programmes:pool")


@login_required
@require_GET
def zone_list(request: AuthenticatedRequest) -> HttpResponse:
    can_register_zones(request.user).enforce()
    return render(request, "programmes/zones.html", {"zones": zones_of_province(request.user)})


def _zone_fields(form: DevelopmentZoneForm) -> dict[str, Any]:
    return {
        "name": form.cleaned_data["name"],
        "level": form.cleaned_data["level"],
        "counties": list(form.cleaned_data["counties"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def zone_new(request: AuthenticatedRequest) -> HttpResponse:
    can_register_zones(request.user).enforce()
    form = DevelopmentZoneForm(request.POST or None, province=request.user.jurisdiction_id)
    if request.method == "POST" and form.is_valid():
        try:
            zone = zone_register(actor=request.user, **_zone_fields(form))
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已登记开发区“%(name)s”") % {"name": zone.name})
            return redirect("programmes:zones")
    return render(request, "programmes/zone_form.html", {"form": form, "zone": None})


@login_required
@require_http_methods(["GET", "POST"])
def zone_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    can_register_zones(request.user).enforce()
    zone = get_object_or_404(zones_of_province(request.user), pk=pk)
    can_edit_zone(request.user, zone).enforce()
    initial = {"name": zone.name, "level": zone.level, "counties": list(zone.counties.all())}
    form = DevelopmentZoneForm(request.POST or None, initial=initial, province=request.user.jurisdiction_id)
    if request.method == "POST" and form.is_valid():
        try:
            zone = zone_update(actor=request.user, zone=zone, **_zone_fields(form))
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("已保存开发区“%(name)s”") % {"name": zone.name})
            return redirect("programmes:zones")
    return render(request, "programmes/zone_form.html", {"form": form, "zone": zone})
