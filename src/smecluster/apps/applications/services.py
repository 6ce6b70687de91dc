"""Every write to an application: one function per action, one transaction, one audit event each.

Views and commands call these and nothing else. Each checks permission first (the same check the page
uses to show a button), writes, records the audit event in the same transaction, and defers e-mail
until commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import DevelopmentZone, Role, User
from smecluster.apps.accounts.recipients import people_in
from smecluster.apps.applications import operator_binding
from smecluster.apps.applications.completeness import empty_required_sections
from smecluster.apps.applications.models import (
    Application,
    ApplicationVersion,
    ApplicationYear,
    DeclaredPlanTarget,
    EvidenceFile,
    Incident,
    Section,
)
from smecluster.apps.applications.permissions import (
    acting_role,
    can_create,
    can_edit,
)
from smecluster.apps.applications.problems import problem_text
from smecluster.apps.applications.profiles import YEAR_FIELDS, application_profile
from smecluster.apps.applications.selectors import recommender_jurisdiction
from smecluster.apps.applications.snapshots import application_snapshot
from smecluster.apps.applications.workflow import APPLICATION, Actor
from smecluster.apps.audit import actions
from smecluster.apps.audit.actions import AuditAction
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence import pipeline
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.models import PoolEntry, YearlyCall
from smecluster.apps.workflow.engine import take
from smecluster.errors import UnusableInput
from smecluster.profile import ClusterProfile
from smecluster.reference.divisions import acts_at_county_level


def today_in_china() -> date:
    return timezone.localdate()  # TIME_ZONE is Asia/Shanghai


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if value is None or isinstance(value, bool | int | str | list) else str(value)
        for key, value in values.items()
    }


def _check_pool_entry(actor: User, call: YearlyCall, pool_entry: PoolEntry | None) -> None:
    """A programme that recruits from the cultivation pool takes only the county's own pool entries."""
    county = actor.jurisdiction
    if pool_entry is None:
        if call.programme.pool_required:
            raise ValidationError({"pool_entry": _("该认定项目须从培育库中申报：请选择本县在培育库中的集群")})
        return
    if pool_entry.county_id != county.code or pool_entry.city_id != county.parent_id:
        raise ValidationError({"pool_entry": _("所选集群不在本县所属市的培育库中")})


@transaction.atomic
def application_create(
    *,
    actor: User,
    call: YearlyCall,
    name: str,
    leading_industry: str,
    pool_entry: PoolEntry | None = None,
) -> Application:
    can_create(actor, call, today_in_china()).enforce()
    _check_pool_entry(actor, call, pool_entry)
    county = actor.jurisdiction
    # Numbers are handed out one at a time per call: two counties creating at once wait for each other.
    # The sequence runs per county and year across programmes (a county may apply to the provincial and
    # the national programme in the same year), so the number stays unique.
    YearlyCall.objects.select_for_update().filter(pk=call.pk).first()
    sequence = Application.objects.filter(number__startswith=f"{call.year}-{county.code}-").count() + 1
    application = Application.objects.create(
        call=call,
        county=county,
        number=f"{call.year}-{county.code}-{sequence:02d}",
        pool_entry=pool_entry,
        name=name,
        leading_industry=leading_industry,
        created_by=actor,
    )
    after: dict[str, Any] = {"name": name, "leading_industry": leading_industry}
    if pool_entry is not None:
        after["pool_entry"] = f"{pool_entry.pk} {pool_entry.name}"
    if actor.role == Role.OPERATOR:
        # The operator that drafts an application operates it; without the binding it could not reach it.
        application.operators.add(actor)
        after["operators"] = [actor.username]
    audit_record(actor=actor, action=actions.APPLICATION_CREATE, target=application, after=after)
    return application


@transaction.atomic
def application_operator_add(*, actor: User, application: Application, operator: User) -> None:
    """Bind an operator account of the application's county to it (the county officer's decision)."""
    operator_binding.bind(
        actor=actor, target=application, operator=operator, action=actions.APPLICATION_OPERATOR_ADD
    )


@transaction.atomic
def application_operator_remove(*, actor: User, application: Application, operator: User) -> None:
    operator_binding.unbind(
        actor=actor, target=application, operator=operator, action=actions.APPLICATION_OPERATOR_REMOVE
    )


@transaction.atomic
def application_update(*, actor: User, application: Application, fields: dict[str, Any]) -> Application:
    """Save one tab's simple fields. ``fields`` comes from a validated form of that tab."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    can_edit(actor, application).enforce()
    before = _plain({field: getattr(application, field) for field in fields})
    for field, value in fields.items():
        setattr(application, field, value)
    application.full_clean(exclude=["call", "county", "created_by"])
    application.save()
    audit_record(
        actor=actor,
        action=actions.APPLICATION_UPDATE,
        target=application,
        before=before,
        after=_plain(fields),
    )
    return application


# The rows a formset of the form replaces, and what replacing them is recorded as.
ROW_MODELS: dict[str, type[ApplicationYear | Incident | DeclaredPlanTarget]] = {
    "years": ApplicationYear,
    "incidents": Incident,
    "targets": DeclaredPlanTarget,
}
ROWS_AUDIT: dict[str, AuditAction] = {
    "years": actions.APPLICATION_SET_YEARS,
    "incidents": actions.APPLICATION_SET_INCIDENTS,
    "targets": actions.APPLICATION_SET_TARGETS,
}


@transaction.atomic
def application_set_rows(
    *, actor: User, application: Application, kind: str, rows: list[dict[str, Any]]
) -> Application:
    """Replace the yearly figures, incidents or plan targets with the rows of a validated formset."""
    model = ROW_MODELS[kind]
    application = Application.objects.select_for_update().get(pk=application.pk)
    can_edit(actor, application).enforce()
    manager = getattr(application, kind)
    before = [_plain(row) for row in manager.values(*list(rows[0]) if rows else ["pk"])]
    manager.all().delete()
    for row in rows:
        model._default_manager.create(application=application, **row)
    application.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=ROWS_AUDIT[kind],
        target=application,
        before={kind: before},
        after={kind: [_plain(row) for row in rows]},
    )
    return application


@transaction.atomic
def application_save_tab(
    *,
    actor: User,
    application: Application,
    fields: dict[str, Any] | None = None,
    rows: dict[str, list[dict[str, Any]]] | None = None,
) -> Application:
    """Save one tab of the form: its simple fields and its rows (figures, incidents, targets) together,
    so a tab is saved whole or not at all."""
    if fields:
        application = application_update(actor=actor, application=application, fields=fields)
    for kind, kind_rows in (rows or {}).items():
        application = application_set_rows(actor=actor, application=application, kind=kind, rows=kind_rows)
    return application


def _check_evidence_change(actor: User, application: Application, section: str) -> None:
    """The spot check's files are the recommender's (or the owner's, for its own 实地抽查 of a recommended
    application); every other section's, the county's while editable."""
    if section == Section.SPOT_CHECK:
        if not APPLICATION.can(actor, "owner_spot_check", application):
            APPLICATION.can(actor, "spot_check", application).enforce()
    else:
        can_edit(actor, application).enforce()


@transaction.atomic
def evidence_attach(
    *,
    actor: User,
    application: Application,
    section: str,
    uploads: Sequence[UploadedFile[Any]],
    field: str = "files",
) -> list[EvidenceFile]:
    """Store ``uploads`` as evidence of one section, all or nothing (:class:`EvidenceRejected` on
    ``field``, naming the file)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_evidence_change(actor, application, section)
    return pipeline.attach(
        EvidenceFile,
        uploads,
        actor=actor,
        audit=actions.EVIDENCE_ADD,
        audit_target=application,
        owner={"application": application, "section": section},
        field=field,
        audit_extra={"section": section},
    )


def evidence_add(
    *, actor: User, application: Application, section: str, upload: UploadedFile[Any]
) -> EvidenceFile:
    """One upload, the form's ``file`` field (:class:`EvidenceRejected` keyed ``file``)."""
    (evidence,) = evidence_attach(
        actor=actor, application=application, section=section, uploads=[upload], field="file"
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence: EvidenceFile) -> None:
    application = Application.objects.select_for_update().get(pk=evidence.application_id)
    _check_evidence_change(actor, application, evidence.section)
    pipeline.detach(
        evidence,
        actor=actor,
        audit=actions.EVIDENCE_REMOVE,
        audit_target=application,
        audit_extra={"section": evidence.section},
    )


def recommenders(application: Application) -> list[User]:
    """The officers who accept and recommend this application: its city's, or its province's."""
    return people_in(recommender_jurisdiction(application), acting_role(application, Actor.RECOMMENDER))


def county_people(application: Application) -> list[User]:
    """The county's officers and the operators of this application (not every operator of the county)."""
    operators = application.operators.filter(is_active=True).order_by("pk")
    return [*people_in(application.county_id, Role.COUNTY_OFFICER), *operators]


@dataclass(frozen=True)
class Pledge:
    """Who signs the declaring department's 承诺书 for a submission, and in which position; the text is
    the programme's and the time the submission's (GD 15(一), SX 14: "申报单位应如实填写申报材料，并对资料的
    真实性和完整性负全部责任")."""

    signer_name: str
    signer_position: str


def pledge_problems(pledge: Pledge | None) -> dict[str, str]:
    """What the pledge lacks, by field: a submission without the signed 承诺书 is refused."""
    problems: dict[str, str] = {}
    if pledge is None or not pledge.signer_name.strip():
        problems["pledge_signer_name"] = _("提交须签署申报承诺书：请填写承诺人姓名")
    if pledge is None or not pledge.signer_position.strip():
        problems["pledge_signer_position"] = _("提交须签署申报承诺书：请填写承诺人职务")
    return problems


@transaction.atomic
def application_submit(*, actor: User, application: Application, pledge: Pledge | None) -> ApplicationVersion:
    """Submit (or resubmit): the declaring department signs the programme's 承诺书 and the data must make a
    valid profile; a frozen version is kept with the pledge as signed."""
    # Here, not at the top: the application's document module prints with this module's helpers.
    from smecluster.apps.applications.issued import application_documents
    from smecluster.apps.issued_documents.services import issued_documents_request

    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__programme")
        .get(pk=application.pk)
    )
    APPLICATION.can(actor, "submit", application).enforce()
    missing = pledge_problems(pledge)
    if pledge is None or missing:
        raise ValidationError(missing)
    if acts_at_county_level(application.county_id) and not application.places:
        raise ValidationError(
            {
                "places": _(
                    "%(city)s为不设区的地级市，以县级身份申报：请填写集群所在的镇（街道）及其统计用区划代码"
                )
                % {"city": application.county.name}
            }
        )
    # Empty tabs and an unusable profile are named together: one refusal lists all there is to mend.
    refusals: list[ValidationError] = []
    empty = empty_required_sections(application)
    if empty:
        refusals.append(
            ValidationError(
                _("以下填报部分尚未填写：%(sections)s")
                % {"sections": "、".join(str(section.label) for section in empty)},
                code="empty_sections",
            )
        )
    try:
        application_profile(application, today_in_china())
    except UnusableInput as problems:
        refusals += [ValidationError(problem_text(application, problem)) for problem in problems.problems]
    if refusals:
        raise ValidationError(refusals)
    now = timezone.now()
    pledge_text = application.call.programme.pledge_text
    take(
        APPLICATION,
        application,
        "submit",
        actor=actor,
        after={
            "pledge_signer": pledge.signer_name.strip(),
            "pledge_signer_position": pledge.signer_position.strip(),
        },
    )
    application.submitted_at = now
    application.return_reason = ""
    application.save(update_fields=["submitted_at", "return_reason"])
    version = ApplicationVersion.objects.create(
        application=application,
        number=application.versions.count() + 1,
        snapshot=application_snapshot(application),
        submitted_by=actor,
        pledge_text=pledge_text,
        pledge_signer_name=pledge.signer_name.strip(),
        pledge_signer_position=pledge.signer_position.strip(),
        pledged_at=now,
    )
    # The version as submitted, printed by the worker now rather than by whoever downloads it first.
    issued_documents_request(application_documents(application))
    notify(
        recipients=recommenders(application),
        text=_("%(county)s提交了申报 %(number)s（第 %(version)s 版）")
        % {"county": application.county.name, "number": application.number, "version": version.number},
        link=application.get_absolute_url(),
    )
    return version


@transaction.atomic
def application_withdraw(*, actor: User, application: Application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    return take(APPLICATION, application, "withdraw", actor=actor)


PROFILE_FIELDS = (
    "name", "leading_industry", "leading_industry_code", "area_km2", "energy_intensive", "water_intensive",
    "energy_efficiency_better_than_benchmark", "water_efficiency_better_than_benchmark",
)  # fmt: skip


def _field_problems(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    return {
        f"{prefix}{field}": [str(message) for message in messages]
        for field, messages in error.message_dict.items()
    }


def _registered_zone(profile: ClusterProfile) -> DevelopmentZone | None:
    """The registered development zone the profile names (by name), or None when it names none."""
    if profile.development_zone is None:
        return None
    zone = DevelopmentZone.objects.filter(name=profile.development_zone.name).first()
    if zone is None:
        raise ValidationError(
            {"development_zone": _("开发区“%(name)s”尚未登记") % {"name": profile.development_zone.name}}
        )
    return zone


@transaction.atomic
def application_import_profile(
    *, actor: User, application: Application, profile: ClusterProfile, source: str
) -> Application:
    """Replace the profile part of a draft (basics, yearly figures, quality firms, incidents) with a
    validated cluster profile from a file (XLSX workbook or JSON): all of it or, on any problem, nothing;
    one audit event naming the file. The profile's application date is not kept: the application is
    checked as of the day it is submitted."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    can_edit(actor, application).enforce()
    if profile.counties[0] != application.county_id:
        raise ValidationError(
            {
                "counties[0]": _("申报县为 %(county)s，文件中的申报县为 %(given)s")
                % {"county": application.county_id, "given": profile.counties[0]}
            }
        )
    values: dict[str, Any] = {field: getattr(profile, field) for field in PROFILE_FIELDS}
    values["leading_industry_code"] = values["leading_industry_code"] or ""
    values["other_counties"] = list(profile.counties[1:])
    values["places"] = [place.model_dump() for place in profile.places or ()]
    values["development_zone"] = _registered_zone(profile)
    quality = profile.quality_firms
    values.update(quality.counts())
    values["quality_holders"] = [
        {"titles": entry.titles, "firms": entry.firms} for entry in quality.holding_any or []
    ]
    before = {
        **_plain({field: getattr(application, field) for field in values}),
        "years": [_plain(row) for row in application.years.values("year", *YEAR_FIELDS)],
        "incidents": len(application.incidents.all()),
    }
    for field, value in values.items():
        setattr(application, field, value)
    try:
        application.full_clean(exclude=["call", "county", "created_by"])
    except ValidationError as error:
        raise ValidationError(_field_problems(error, "")) from None
    years = []
    for index, year in enumerate(profile.years):
        year_row = ApplicationYear(application=application, **year.model_dump())
        try:
            year_row.full_clean(exclude=["application"], validate_unique=False)
        except ValidationError as error:
            raise ValidationError(_field_problems(error, f"years[{index}].")) from None
        years.append(year_row)
    incidents = []
    for index, incident in enumerate(profile.incidents):
        incident_row = Incident(
            application=application, date=incident.date, kind=incident.kind.value, level=incident.level or "",
            note=incident.note or "",
        )  # fmt: skip
        try:
            incident_row.full_clean(exclude=["application"])
        except ValidationError as error:
            raise ValidationError(_field_problems(error, f"incidents[{index}].")) from None
        incidents.append(incident_row)
    application.save()
    application.years.all().delete()
    ApplicationYear.objects.bulk_create(years)
    application.incidents.all().delete()
    Incident.objects.bulk_create(incidents)
    audit_record(
        actor=actor,
        action=actions.APPLICATION_IMPORT_PROFILE,
        target=application,
        before=before,
        after={
            **_plain(values),
            "years": [_plain(year.model_dump()) for year in profile.years],
            "incidents": len(incidents),
            "source": source,
        },
    )
    return application
