"""Every write to programmes, yearly calls and the cultivation pool: permission first, one transaction,
one audit event each. The owner's policy is data, changed here and nowhere else.

A programme's owner is the office that creates it: a province admin's provincial programme, or a city
officer's 市级集群 programme (GD 6 "引导和支持地方培育一批市级集群", SX 6 "鼓励和支持各地培育一批市级集群").
Neither measure gives a city its own criteria, so a city's programme runs under one of the installed rule
sets its province may adopt (its province's own or the national one), chosen on the form; thresholds of the
city's own are out of scope. Its chain runs from the county to the city, which recognizes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction, Level, Role, User
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.programmes.models import POOL_NAME_MAX_LENGTH, PoolEntry, Programme, YearlyCall
from smecluster.apps.programmes.permissions import (
    OWNING_LEVEL,
    can_add_county_to_pool,
    can_configure,
    can_edit_programme,
    can_edit_zone,
    can_manage_pool,
    can_register_zones,
)
from smecluster.policy.ruleset import rule_sets
from smecluster.reference.divisions import can_declare
from smecluster.site.wording import listing

PROGRAMME_FIELDS = (
    "name", "owner_level", "rule_set_id", "review_chain", "quota_per_unit", "pool_required",
    "onsite_check_every_application",
    "change_filing_days",
    "re_review_window_days", "annual_report_due_month", "annual_report_due_day",
    "roster_tolerance_pct", "assessment_criteria",
    "document_issuer", "document_addressees", "document_level", "document_contact_person",
    "document_contact_phone", "objection_mailing_address",
)  # fmt: skip
CALL_FIELDS = (
    "year", "opens_on", "closes_on", "city_deadline", "province_deadline", "quota",
    "legal_basis", "legal_basis_number",
)  # fmt: skip
LEVEL_ORDER = ("county", "city", "province", "national")


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if value is None or isinstance(value, bool | int | str | list) else str(value)
        for key, value in values.items()
    }


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    return fields


def _validate(instance: Programme | YearlyCall, problems: dict[str, Any]) -> None:
    """The model's own checks and the service's together, so a person sees every problem at once.

    The one unique constraint (a call per programme and year) is checked by the service, with its message
    at the year field; the database constraint still guards against a race.
    """
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            problems.setdefault(field, messages)
    if problems:
        raise ValidationError(problems)


def _programme_problems(actor: User, programme: Programme) -> dict[str, Any]:
    """The owner's rules on a programme, beyond the model's: each problem at its field. The programme is
    of the actor's own level (a province's 省级, a city's 市级) and its chain ends there."""
    problems: dict[str, Any] = {}
    own_level = OWNING_LEVEL[Role(actor.role)]
    if programme.owner_level == "national":
        problems["owner_level"] = _(
            "国家级认定项目由工业和信息化部设置；您只能设置本部门这一级（%(level)s）的认定项目"
        ) % {"level": own_level.label}
    elif programme.owner_level != own_level:
        problems["owner_level"] = _("您只能设置本部门这一级（%(level)s）的认定项目") % {
            "level": own_level.label
        }
    rules = rule_sets().get(programme.rule_set_id)
    province = actor.jurisdiction_id[:2]
    if rules is not None and rules.applies_to_province not in (None, province):
        problems["rule_set_id"] = _("该规则集适用于其他省份；请选择本省或国家的规则集")
    chain = programme.review_chain if isinstance(programme.review_chain, list) else []
    if not set(chain) <= set(LEVEL_ORDER):
        pass  # the model's check names the unknown level
    elif chain and list(chain) != sorted(chain, key=lambda level: LEVEL_ORDER.index(level)):
        problems["review_chain"] = _("审核链须自下而上排列")
    elif chain and (chain[0] != "county" or chain[-1] != programme.owner_level):
        problems["review_chain"] = _("审核链须从县级申报开始、到认定机关这一级（%(level)s）结束") % {
            "level": Level(programme.owner_level).label if programme.owner_level in Level.values else "—"
        }
    return problems


@transaction.atomic
def programme_create(*, actor: User, fields: dict[str, Any]) -> Programme:
    """A programme of the actor's office: a province's provincial one, or a city's 市级集群 one."""
    can_configure(actor).enforce()
    programme = Programme(owner_id=actor.jurisdiction_id, **_only(fields, PROGRAMME_FIELDS))
    _validate(programme, _programme_problems(actor, programme))
    programme.save()
    audit_record(actor=actor, action=actions.PROGRAMME_CREATE, target=programme, after=_plain(fields))
    return programme


@transaction.atomic
def programme_update(*, actor: User, programme: Programme, fields: dict[str, Any]) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    can_edit_programme(actor, programme).enforce()
    before = _plain({field: getattr(programme, field) for field in _only(fields, PROGRAMME_FIELDS)})
    for field, value in fields.items():
        setattr(programme, field, value)
    _validate(programme, _programme_problems(actor, programme))
    programme.save()
    after = _plain(fields)
    audit_record(
        actor=actor,
        action=actions.PROGRAMME_UPDATE,
        target=programme,
        before={key: value for key, value in before.items() if value != after[key]},
        after={key: value for key, value in after.items() if value != before[key]},
    )
    return programme


def _call_problems(call: YearlyCall) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if (
        call.year is not None
        and YearlyCall.objects.filter(programme=call.programme_id, year=call.year)
        .exclude(pk=call.pk)
        .exists()
    ):
        problems["year"] = _("该认定项目已有 %(year)s 年度的申报") % {"year": call.year}
    # A call decides under its measure: one that is a draft or not in force on the call's dates grounds
    # nothing by itself, so the legal basis for applying it must be on record (issue 13, finding 12).
    call.legal_basis = call.legal_basis.strip()
    call.legal_basis_number = call.legal_basis_number.strip()
    if call.opens_on and call.last_day and not call.legal_basis and (gaps := call.measure_gaps()):
        problems["legal_basis"] = _(
            "%(gaps)s：请在“继续适用的依据”中填写本年度据以适用该办法的依据（如延期适用的通知，可附文号）"
        ) % {"gaps": "；".join(gaps)}
    return problems


@transaction.atomic
def call_create(*, actor: User, programme: Programme, fields: dict[str, Any]) -> YearlyCall:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    can_edit_programme(actor, programme).enforce()
    call = YearlyCall(programme=programme, **_only(fields, CALL_FIELDS))
    _validate(call, _call_problems(call))
    call.save()
    audit_record(actor=actor, action=actions.CALL_CREATE, target=call, after=_plain(fields))
    return call


@transaction.atomic
def call_update(*, actor: User, call: YearlyCall, fields: dict[str, Any]) -> YearlyCall:
    call = YearlyCall.objects.select_for_update().select_related("programme").get(pk=call.pk)
    can_edit_programme(actor, call.programme).enforce()
    before = _plain({field: getattr(call, field) for field in _only(fields, CALL_FIELDS)})
    if "year" in fields and fields["year"] != call.year and call.applications.exists():
        raise ValidationError({"year": _("已有申报的年度申报不能更改年度（申报编号含年度）")})
    for field, value in fields.items():
        setattr(call, field, value)
    _validate(call, _call_problems(call))
    call.save()
    after = _plain(fields)
    audit_record(
        actor=actor,
        action=actions.CALL_UPDATE,
        target=call,
        before={key: value for key, value in before.items() if value != after[key]},
        after={key: value for key, value in after.items() if value != before[key]},
    )
    return call


@transaction.atomic
def pool_entry_add(
    *, actor: User, county: Jurisdiction, name: str, leading_industry: str, note: str = ""
) -> PoolEntry:
    """Add a candidate cluster of one of the city's counties to the city's cultivation pool."""
    city = actor.jurisdiction
    can_manage_pool(actor, city).enforce()
    problems: dict[str, str] = {}
    if county.level != Level.COUNTY or county.parent_id != city.code:
        problems["county"] = _("请选择本市的县（市、区）")
    if not name.strip():
        problems["name"] = _("请填写集群名称")
    elif PoolEntry.objects.filter(county=county, name=name.strip()).exists():
        problems["name"] = _("%(county)s的“%(name)s”已在培育库中") % {"county": county.name, "name": name}
    if not leading_industry.strip():
        problems["leading_industry"] = _("请填写主导产业")
    if problems:
        raise ValidationError(problems)
    entry = PoolEntry.objects.create(
        city=city, county=county, name=name.strip(), leading_industry=leading_industry.strip(), note=note
    )
    audit_record(
        actor=actor,
        action=actions.POOL_ADD,
        target=entry,
        after={"county": county.code, "name": entry.name, "leading_industry": entry.leading_industry},
    )
    return entry


@transaction.atomic
def pool_entry_add_for_county(
    *, actor: User, county: Jurisdiction, name: str, leading_industry: str, note: str = ""
) -> PoolEntry:
    """Add a candidate cluster (e.g. one found by candidate discovery) to its county's city's pool: the city
    officer for their city's counties, the province admin for any county of the province."""
    can_add_county_to_pool(actor, county).enforce()
    problems: dict[str, str] = {}
    # A county's pool is its city's: without a parent city there is no pool to add to.
    city_code = county.parent_id if county.level == Level.COUNTY else None
    if city_code is None:
        problems["county"] = _("请选择县（市、区）")
    if not name.strip():
        problems["name"] = _("请填写集群名称")
    elif len(name.strip()) > POOL_NAME_MAX_LENGTH:
        problems["name"] = _("集群名称不能超过 128 个字")
    elif PoolEntry.objects.filter(county=county, name=name.strip()).exists():
        problems["name"] = _("%(county)s的“%(name)s”已在培育库中") % {
            "county": county.name,
            "name": name.strip(),
        }
    if not leading_industry.strip():
        problems["leading_industry"] = _("请填写主导产业")
    if problems or city_code is None:
        raise ValidationError(problems)
    entry = PoolEntry.objects.create(
        city_id=city_code,
        county=county,
        name=name.strip(),
        leading_industry=leading_industry.strip(),
        note=note,
    )
    audit_record(
        actor=actor,
        action=actions.POOL_ADD,
        target=entry,
        after={"county": county.code, "name": entry.name, "leading_industry": entry.leading_industry},
    )
    return entry


@transaction.atomic
def pool_entry_remove(*, actor: User, entry: PoolEntry, reason: str = "") -> None:
    entry = PoolEntry.objects.select_for_update().get(pk=entry.pk)
    can_manage_pool(actor, entry.city_id).enforce()
    if entry.applications.exists():
        raise ValidationError(_("已有申报来自培育库中的这个集群，不能移出"))
    audit_record(
        actor=actor,
        action=actions.POOL_REMOVE,
        target=entry,
        before={"county": entry.county_id, "name": entry.name, "leading_industry": entry.leading_industry},
        reason=reason,
    )
    entry.delete()


def _zone_problems(actor: User, counties: list[Jurisdiction]) -> dict[str, Any]:
    """A zone spans at least one division a cluster can be declared under (a county, or a 不设区的地级市
    acting at county level), all of them in the actor's province."""
    if not counties:
        return {"counties": _("请选择开发区所跨的县级区划")}
    province = actor.jurisdiction_id[:2]
    outside = [
        county.name for county in counties if county.code[:2] != province or not can_declare(county.code)
    ]
    if outside:
        return {"counties": _("不是本省的县级区划：%(names)s") % {"names": listing(outside)}}
    return {}


def _zone_state(zone: DevelopmentZone) -> dict[str, Any]:
    return {
        "name": zone.name,
        "level": zone.level,
        "counties": sorted(zone.counties.values_list("code", flat=True)),
    }


@transaction.atomic
def zone_register(*, actor: User, name: str, level: str, counties: list[Jurisdiction]) -> DevelopmentZone:
    """Register a development zone of the province with the divisions it spans, so that an application of
    one of them can name it (zones are not divisions of GB/T 2260 and have no code)."""
    can_register_zones(actor).enforce()
    zone = DevelopmentZone(name=name.strip(), level=level)
    _validate_zone(zone, _zone_problems(actor, counties))
    zone.save()
    zone.counties.set(counties)
    audit_record(actor=actor, action=actions.ZONE_REGISTER, target=zone, after=_zone_state(zone))
    return zone


@transaction.atomic
def zone_update(
    *, actor: User, zone: DevelopmentZone, name: str, level: str, counties: list[Jurisdiction]
) -> DevelopmentZone:
    zone = DevelopmentZone.objects.select_for_update().get(pk=zone.pk)
    can_edit_zone(actor, zone).enforce()
    before = _zone_state(zone)
    zone.name, zone.level = name.strip(), level
    _validate_zone(zone, _zone_problems(actor, counties))
    zone.save()
    zone.counties.set(counties)
    after = _zone_state(zone)
    audit_record(
        actor=actor,
        action=actions.ZONE_UPDATE,
        target=zone,
        before={key: value for key, value in before.items() if value != after[key]},
        after={key: value for key, value in after.items() if value != before[key]},
    )
    return zone


def _validate_zone(zone: DevelopmentZone, problems: dict[str, Any]) -> None:
    """The model's checks (a unique name among them) with the service's, every problem at once."""
    try:
        zone.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            problems.setdefault(field, messages)
    if problems:
        raise ValidationError(problems)
