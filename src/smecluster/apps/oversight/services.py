"""Every write of dynamic management: major-change filings and their review, changes found without a
filing, the incident register, and revocation (proposals and the owner's decision).

Each service checks permission first (the same check the page uses to show a button), writes in one
transaction, records its audit event in that transaction, and notifies (e-mail after commit). A refused
step raises ``PermissionDenied`` with the reason and writes nothing; unusable input raises
``ValidationError`` naming the field.

**Revocation proposals** come from the facts: a late or missing filing (case 4) and an incident at or
above the rule set's threshold (case 5) propose at once, when recorded; the daily tick
(``oversight.duties``) proposes cases 1 and 3 from the annual reports and re-reviews, and sweeps cases 4
and 5 again. :func:`propose_revocation` is idempotent per cluster, case and triggering fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.accounts.models import Jurisdiction, Level, User
from smecluster.apps.accounts.recipients import people_in
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.evidence import pipeline
from smecluster.apps.notifications.services import notify
from smecluster.apps.oversight.facts import current_facts, describe_value
from smecluster.apps.oversight.models import (
    ChangeKind,
    ClusterIncident,
    MajorChange,
    OversightEvidence,
    Revocation,
    RevocationProposal,
)
from smecluster.apps.oversight.permissions import (
    MANUAL_CASES,
    NON_COOPERATION,
    can_file_change,
    can_propose_by_hand,
    can_record_findings,
    owner_office,
    reviewer_office,
)
from smecluster.apps.oversight.workflow import MAJOR_CHANGE, REVOCATION_PROPOSAL
from smecluster.apps.programmes.models import Programme
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.reach import cluster_county_people
from smecluster.apps.registry.workflow import RECOGNIZED_CLUSTER
from smecluster.apps.workflow.engine import Message, create, take
from smecluster.policy.ruleset import IncidentClass, IncidentExclusion, RevocationCase, rule_set
from smecluster.profile import GRADED_KINDS, INCIDENT_LEVELS, IncidentKind
from smecluster.site.wording import listing
from smecluster.workdays import is_on_time

CASE_LABELS = {
    1: gettext_lazy("有效期满未申请复核或复核未通过"),
    2: gettext_lazy("虚假申报或违法违规"),
    3: gettext_lazy("未及时报送年度信息或不配合监测"),
    4: gettext_lazy("重大变动未及时报备"),
    5: gettext_lazy("发生事故、安全事件或严重失信等"),
}
"""The five cases in a few words, for tables; the clause itself comes from the rule set."""
NON_COOPERATION_LABEL = gettext_lazy("不接受、不配合监测监督")
FALSE_DECLARATION = 2
"""发现虚假申报: the case that rests on the signed 承诺书 (GD 15(一), SX 14)."""


# --- the rule set ------------------------------------------------------------------------------------


def legal_basis(programme: Programme, case: int) -> RevocationCase | None:
    """The article and verbatim clause of ``case`` in the programme's rule set, if the rule set has it."""
    return next(
        (each for each in rule_set(programme.rule_set_id).revocation_cases if each.case == case), None
    )


def threshold_class(programme: Programme, kind: str, level: str | None) -> IncidentClass | None:
    """The class of the rule set's incident exclusion an incident counts under, or None below threshold."""
    for criterion in rule_set(programme.rule_set_id).criteria:
        if isinstance(criterion.measure, IncidentExclusion):
            counted = criterion.measure.counted_by(IncidentKind(kind), level or None)  # type: ignore[arg-type]
            if counted is not None:
                return counted
    return None


# --- people ------------------------------------------------------------------------------------------


def owner_people(cluster: RecognizedCluster) -> list[User]:
    role, office = owner_office(cluster.programme)
    return people_in(office, role)


def reviewer_people(cluster: RecognizedCluster) -> list[User]:
    role, office = reviewer_office(cluster)
    return people_in(office, role)


def county_people(cluster: RecognizedCluster) -> list[User]:
    return cluster_county_people(cluster)


def _locked(cluster: RecognizedCluster) -> RecognizedCluster:
    return (
        RecognizedCluster.objects.select_for_update(of=("self",))
        .select_related("programme", "county__parent", "application")
        .get(pk=cluster.pk)
    )


def _attach(
    actor: User,
    uploads: Iterable[UploadedFile[Any]],
    owner: MajorChange | ClusterIncident | RevocationProposal,
) -> list[OversightEvidence]:
    """Store ``uploads`` as the evidence of ``owner`` (rejected: a ValidationError on ``evidence``)."""
    key = {MajorChange: "change", ClusterIncident: "incident", RevocationProposal: "proposal"}[type(owner)]
    return pipeline.attach(
        OversightEvidence,
        list(uploads),
        actor=actor,
        audit=actions.OVERSIGHT_EVIDENCE_ADD,
        audit_target=owner,
        owner={key: owner},
        field="evidence",
    )


# --- revocation ---------------------------------------------------------------------------------------


def propose_revocation(
    cluster: RecognizedCluster,
    case: int,
    *,
    grounds: str,
    source: str,
    as_of: date,
    proposed_by: User | None = None,
) -> RevocationProposal | None:
    """Propose revoking ``cluster`` in ``case`` because of the fact ``source``; the article and clause are
    copied from the programme's rule set (left empty when it has none: the owner then cannot accept).

    Returns None, writing nothing, when the same cluster, case and source was proposed before, or when the
    cluster is already revoked."""
    if case not in CASE_LABELS:
        raise ValueError(f"revocation case {case} is not one of 1–5")
    with transaction.atomic():
        cluster = _locked(cluster)
        if cluster.status == RecognizedCluster.Status.REVOKED:
            return None
        if RevocationProposal.objects.filter(cluster=cluster, case=case, source=source).exists():
            return None
        basis = legal_basis(cluster.programme, case)
        try:
            with transaction.atomic():
                article = basis.article.cite() if basis else ""
                proposal = create(
                    REVOCATION_PROPOSAL,
                    "propose" if proposed_by is None else "propose_by_hand",
                    actor=proposed_by,
                    fields={
                        "cluster": cluster,
                        "case": case,
                        "article": article,
                        "clause": basis.clause if basis else "",
                        "grounds": grounds,
                        "source": source,
                        "proposed_by": proposed_by,
                        "proposed_on": as_of,
                    },
                    after={
                        "cluster": cluster.number,
                        "case": case,
                        "article": article,
                        "source": source,
                        "proposed_on": as_of.isoformat(),
                    },
                    reason=grounds,
                )
        except IntegrityError:  # proposed by a concurrent run between the check and the insert
            return None
        basis_text = proposal.article or _("规则集未载明条款")
        notify(
            recipients=[*owner_people(cluster), *county_people(cluster)],
            text=_("集群 %(number)s %(name)s：提出撤销建议（情形%(case)s，%(basis)s）：%(grounds)s")
            % {
                "number": cluster.number,
                "name": cluster.name,
                "case": case,
                "basis": basis_text,
                "grounds": grounds[:150],
            },
            link=proposal.get_absolute_url(),
        )
        return proposal


def revocation_record(
    *,
    actor: User,
    cluster: RecognizedCluster,
    case: int,
    grounds: str,
    uploads: Iterable[UploadedFile[Any]] = (),
) -> RevocationProposal:
    """The owner records a proposal from findings: case 2 (false declaration, violations), case 3's limb
    "不接受、不配合监测监督" (with evidence and a reason: the refusal must be shown, issue 13 finding 9) or
    case 5."""
    with transaction.atomic():
        cluster = _locked(cluster)
        can_propose_by_hand(actor, cluster).enforce()
        if case not in MANUAL_CASES:
            raise ValidationError(
                {
                    "case": _(
                        "登记撤销建议仅限情形二（虚假申报、违法违规）、情形三中的不接受、不配合监测监督和"
                        "情形五（事故、失信等）；其他情形由系统发现"
                    )
                }
            )
        grounds = grounds.strip()
        if not grounds:
            raise ValidationError({"grounds": _("请写明查实的事实与理由")})
        uploads = list(uploads)
        if case == NON_COOPERATION:
            if not uploads:
                raise ValidationError({"evidence": _("记录不接受、不配合监测监督须附佐证材料")})
            grounds = _("不接受、不配合监测监督：%(grounds)s") % {"grounds": grounds}
        findings = RevocationProposal.objects.filter(cluster=cluster, source__startswith="finding:").count()
        proposal = propose_revocation(
            cluster,
            case,
            grounds=grounds,
            source=f"finding:{findings + 1}",
            as_of=today_in_china(),
            proposed_by=actor,
        )
        assert proposal is not None  # the cluster is locked and not revoked, and the source is new
        _attach(actor, uploads, proposal)
        return proposal


def revocation_decide(
    *, actor: User, proposal: RevocationProposal, accept: bool, reason: str
) -> RevocationProposal:
    """Accept (the cluster is revoked) or dismiss a proposal, with the reason; both are published on the
    cluster's record, and an accepted one on its public page and the list."""
    with transaction.atomic():
        cluster = _locked(proposal.cluster)
        proposal = RevocationProposal.objects.get(pk=proposal.pk)
        proposal.cluster = cluster
        reason = reason.strip()
        if not reason:
            REVOCATION_PROPOSAL.can(actor, "accept" if accept else "dismiss", proposal).enforce()
            raise ValidationError({"reason": _("请写明决定理由")})
        today = today_in_china()
        proposal.decided_by = actor
        proposal.decided_on = today
        proposal.decision_reason = reason
        if accept:
            text = _("集群 %(number)s %(name)s 已被撤销认定（情形%(case)s，%(article)s）：%(reason)s")
        else:
            text = _("集群 %(number)s %(name)s 的撤销建议（情形%(case)s，%(article)s）不予撤销：%(reason)s")
        message = Message(
            recipients=[*owner_people(cluster), *county_people(cluster)],
            text=text
            % {
                "number": cluster.number,
                "name": cluster.name,
                "case": proposal.case,
                "article": proposal.article,
                "reason": reason[:150],
            },
            link=proposal.get_absolute_url(),
        )
        take(
            REVOCATION_PROPOSAL,
            proposal,
            "accept" if accept else "dismiss",
            actor=actor,
            reason=reason,
            after={"cluster": cluster.number, "case": proposal.case, "article": proposal.article},
            update_fields=["decided_by", "decided_on", "decision_reason"],
            messages=[] if accept else [message],
        )
        if accept:
            _revoke(actor=actor, cluster=cluster, proposal=proposal, today=today, reason=reason)
            notify(recipients=message.recipients, text=message.text, link=message.link)
        return proposal


def _revoke(
    *, actor: User, cluster: RecognizedCluster, proposal: RevocationProposal, today: date, reason: str
) -> Revocation:
    revocation = Revocation.objects.create(
        cluster=cluster,
        proposal=proposal,
        revoked_on=today,
        case=proposal.case,
        article=proposal.article,
        clause=proposal.clause,
        reason=reason,
        decided_by=actor,
    )
    take(
        RECOGNIZED_CLUSTER,
        cluster,
        "revoke",
        actor=actor,
        reason=reason,
        after={"revoked_on": today.isoformat(), "case": proposal.case, "article": proposal.article},
    )
    # The other open proposals have nothing left to decide: closed with a note, each on record.
    note = _("集群已于 %(day)s 依%(article)s撤销认定，本建议不再单独决定") % {
        "day": today.isoformat(),
        "article": proposal.article,
    }
    for other in RevocationProposal.objects.filter(cluster=cluster, status=RevocationProposal.Status.OPEN):
        other.decided_by = actor
        other.decided_on = today
        other.decision_reason = note
        take(
            REVOCATION_PROPOSAL,
            other,
            "dismiss",
            actor=actor,
            reason=note,
            update_fields=["decided_by", "decided_on", "decision_reason"],
        )
    return revocation


# --- major changes ------------------------------------------------------------------------------------


def clean_change_value(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The new facts of a change kind, checked and normalized; errors name the form's fields."""
    if kind == ChangeKind.LEADING_INDUSTRY:
        industry = str(data.get("leading_industry") or "").strip()
        if not industry:
            raise ValidationError({"leading_industry": _("请填写变动后的主导产业")})
        if len(industry) > 64:
            raise ValidationError({"leading_industry": _("主导产业不超过 64 个字")})
        return {"leading_industry": industry}
    if kind == ChangeKind.SPATIAL_SCOPE:
        raw = data.get("counties") or []
        codes = (
            raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
            if isinstance(raw, str)
            else raw
        )
        codes = [str(code).strip() for code in codes if str(code).strip()]
        if not codes:
            raise ValidationError({"counties": _("请填写变动后的县级区划代码（6 位），多个以逗号分隔")})
        known = set(
            Jurisdiction.objects.filter(code__in=codes, level=Level.COUNTY).values_list("code", flat=True)
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                {"counties": _("不是县级区划代码：%(codes)s") % {"codes": listing(unknown)}}
            )
        if len(set(codes)) != len(codes):
            raise ValidationError({"counties": _("县级区划代码有重复")})
        area_text = str(data.get("area_km2") or "").strip()
        area = None
        if area_text:
            try:
                area = Decimal(area_text)
            except InvalidOperation:
                raise ValidationError({"area_km2": _("面积须为数字（平方公里）")}) from None
            if not area.is_finite() or area <= 0:
                raise ValidationError({"area_km2": _("面积须为大于 0 的数字（平方公里）")})
        if area is None:
            raise ValidationError({"area_km2": _("请填写变动后的占地面积（平方公里）")})
        return {"counties": codes, "area_km2": format(area.normalize(), "f")}
    if kind == ChangeKind.OPERATING_AGENCY:
        agency = str(data.get("operating_agency") or "").strip()
        if not agency:
            raise ValidationError({"operating_agency": _("请填写变动后的运营管理机构名称")})
        if len(agency) > 128:
            raise ValidationError({"operating_agency": _("运营管理机构名称不超过 128 个字")})
        return {"operating_agency": agency}
    raise ValidationError({"kind": _("请选择变动事项")})


def _change_basics(
    cluster: RecognizedCluster, kind: str, new_value: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("请选择变动事项")})
    new = clean_change_value(kind, new_value)
    old = current_facts(cluster).value_of(kind)
    if new == old:
        raise ValidationError({"kind": _("变动后与集群档案现有内容相同，无需报备")})
    return old, new


def filing_due_on(cluster: RecognizedCluster, effective_on: date) -> date:
    """The last day to file a change effective on ``effective_on``: the programme's period, in days."""
    return effective_on + timedelta(days=cluster.programme.change_filing_days)


def _change_audit(change: MajorChange) -> dict[str, Any]:
    return {
        "cluster": change.cluster.number,
        "kind": change.kind,
        "old": change.old_value,
        "new": change.new_value,
        "effective_on": change.effective_on.isoformat(),
    }


def _describe_change(change: MajorChange) -> str:
    return _("%(kind)s由“%(old)s”变为“%(new)s”（%(day)s 起）") % {
        "kind": change.get_kind_display(),
        "old": describe_value(change.kind, change.old_value),
        "new": describe_value(change.kind, change.new_value),
        "day": change.effective_on.isoformat(),
    }


def late_filing_grounds(change: MajorChange) -> str:
    return _("%(change)s，应于 %(due)s 前报备，实际于 %(filed)s 报备，逾期") % {
        "change": _describe_change(change),
        "due": change.filing_due_on.isoformat(),
        "filed": timezone.localtime(change.filed_at).date().isoformat(),
    }


def unfiled_grounds(change: MajorChange) -> str:
    return _("%(change)s，未报备；%(day)s 经“%(source)s”发现") % {
        "change": _describe_change(change),
        "day": change.found_on.isoformat() if change.found_on else "",
        "source": change.source,
    }


def _check_effective(effective_on: date | None) -> date:
    if effective_on is None:
        raise ValidationError({"effective_on": _("请填写变动生效日期")})
    return effective_on


def change_file(
    *,
    actor: User,
    cluster: RecognizedCluster,
    kind: str,
    new_value: dict[str, Any],
    effective_on: date,
    reason: str,
    uploads: Iterable[UploadedFile[Any]] = (),
) -> MajorChange:
    """The county files a major change (old value from the record, new value, effective date, reason,
    evidence). Filed after the programme's period: late, and revocation case 4 is proposed."""
    with transaction.atomic():
        cluster = _locked(cluster)
        can_file_change(actor, cluster).enforce()
        old, new = _change_basics(cluster, kind, new_value)
        effective_on = _check_effective(effective_on)
        if not reason.strip():
            raise ValidationError({"reason": _("请说明变动原因")})
        now = timezone.now()
        due = filing_due_on(cluster, effective_on)
        fields = {
            "cluster": cluster,
            "kind": kind,
            "old_value": old,
            "new_value": new,
            "effective_on": effective_on,
            "reason": reason.strip(),
            "filing_due_on": due,
            "filed_by": actor,
            "filed_at": now,
            "late": not is_on_time(now, due),
        }
        summary = _change_audit(MajorChange(**fields))
        change = create(MAJOR_CHANGE, "file", actor=actor, fields=fields, after=summary)
        _attach(actor, uploads, change)
        notify(
            recipients=reviewer_people(cluster),
            text=_("集群 %(number)s 报备重大变动，待审核：%(change)s")
            % {"number": cluster.number, "change": _describe_change(change)},
            link=change.get_absolute_url(),
        )
        if change.late:
            propose_revocation(
                cluster, 4, grounds=late_filing_grounds(change), source=f"major_change:{change.pk}",
                as_of=today_in_china(),
            )  # fmt: skip
        return change


def change_resubmit(
    *, actor: User, change: MajorChange, new_value: dict[str, Any], effective_on: date, reason: str
) -> MajorChange:
    """The county corrects a returned filing and files it again; the first filing's time still counts."""
    with transaction.atomic():
        cluster = _locked(change.cluster)
        change = MajorChange.objects.select_for_update().get(pk=change.pk)
        change.cluster = cluster
        MAJOR_CHANGE.can(actor, "resubmit", change).enforce()
        old, new = _change_basics(cluster, change.kind, new_value)
        effective_on = _check_effective(effective_on)
        if not reason.strip():
            raise ValidationError({"reason": _("请说明变动原因")})
        before = _change_audit(change)
        change.old_value, change.new_value = old, new
        change.effective_on = effective_on
        change.filing_due_on = filing_due_on(cluster, effective_on)
        assert change.filed_at is not None  # a returned change was filed
        change.late = not is_on_time(change.filed_at, change.filing_due_on)
        change.reason = reason.strip()
        take(
            MAJOR_CHANGE,
            change,
            "resubmit",
            actor=actor,
            before=before,
            after=_change_audit(change),
            update_fields=["old_value", "new_value", "effective_on", "filing_due_on", "late", "reason"],
            messages=[
                Message(
                    recipients=reviewer_people(cluster),
                    text=_("集群 %(number)s 重新报备重大变动，待审核：%(change)s")
                    % {"number": cluster.number, "change": _describe_change(change)},
                    link=change.get_absolute_url(),
                )
            ],
        )
        if change.late:
            propose_revocation(
                cluster, 4, grounds=late_filing_grounds(change), source=f"major_change:{change.pk}",
                as_of=today_in_china(),
            )  # fmt: skip
        return change


def change_review(*, actor: User, change: MajorChange, forward: bool, note: str) -> MajorChange:
    """The city (the province, national programme) forwards the filing to the owner, or returns it."""
    with transaction.atomic():
        change = MajorChange.objects.select_related("cluster__programme", "cluster__county").get(pk=change.pk)
        action = "forward" if forward else "return"
        note = note.strip()
        if not forward and not note:
            MAJOR_CHANGE.can(actor, action, change).enforce()
            raise ValidationError({"note": _("退回须写明理由，报备县将收到这段话")})
        change.reviewed_by = actor
        change.reviewed_at = timezone.now()
        change.review_note = note
        cluster = change.cluster
        if forward:
            message = Message(
                recipients=owner_people(cluster),
                text=_("集群 %(number)s 的重大变动报备已审核，待审批：%(change)s")
                % {"number": cluster.number, "change": _describe_change(change)},
                link=change.get_absolute_url(),
            )
        else:
            message = Message(
                recipients=county_people(cluster),
                text=_("集群 %(number)s 的重大变动报备被退回：%(note)s")
                % {"number": cluster.number, "note": note[:150]},
                link=change.get_absolute_url(),
            )
        return take(
            MAJOR_CHANGE,
            change,
            action,
            actor=actor,
            reason=note,
            update_fields=["reviewed_by", "reviewed_at", "review_note"],
            messages=[message],
        )


def _apply(actor: User, change: MajorChange, cluster: RecognizedCluster) -> None:
    """The change reaches the cluster's record; the leading industry also on the published list."""
    change.applied_at = timezone.now()
    if change.kind == ChangeKind.LEADING_INDUSTRY:
        before = cluster.leading_industry
        cluster.leading_industry = change.new_value["leading_industry"]
        cluster.save(update_fields=["leading_industry"])
        audit_record(
            actor=actor,
            action=actions.CLUSTER_CHANGE,
            target=cluster,
            before={"leading_industry": before},
            after={"leading_industry": cluster.leading_industry, "major_change": change.pk},
        )


def change_decide(*, actor: User, change: MajorChange, approve: bool, reason: str) -> MajorChange:
    """The owner approves (the cluster's record changes, keeping its history) or rejects, with a reason."""
    with transaction.atomic():
        cluster = _locked(change.cluster)
        change = MajorChange.objects.select_for_update().get(pk=change.pk)
        change.cluster = cluster
        action = "approve" if approve else "reject"
        MAJOR_CHANGE.can(actor, action, change).enforce()
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": _("请写明审批意见")})
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_reason = reason
        verdict = _("已批准") if approve else _("未予批准")
        take(
            MAJOR_CHANGE,
            change,
            action,
            actor=actor,
            reason=reason,
            after=_change_audit(change),
            update_fields=["decided_by", "decided_at", "decision_reason"],
            messages=[
                Message(
                    recipients=[*county_people(cluster), *reviewer_people(cluster)],
                    text=_("集群 %(number)s 的重大变动报备%(verdict)s：%(reason)s")
                    % {"number": cluster.number, "verdict": verdict, "reason": reason[:150]},
                    link=change.get_absolute_url(),
                )
            ],
        )
        if approve:
            # The record takes the change once it is approved (the approval is audited first).
            _apply(actor, change, cluster)
            change.save(update_fields=["applied_at"])
        return change


def change_record_unfiled(
    *,
    actor: User,
    cluster: RecognizedCluster,
    kind: str,
    new_value: dict[str, Any],
    effective_on: date,
    found_on: date,
    source: str,
    reason: str = "",
    uploads: Iterable[UploadedFile[Any]] = (),
) -> MajorChange:
    """A city or province officer records a change found by other means without a filing: the record
    takes it (it is a fact), and revocation case 4 is proposed."""
    with transaction.atomic():
        cluster = _locked(cluster)
        can_record_findings(actor, cluster).enforce()
        old, new = _change_basics(cluster, kind, new_value)
        today = today_in_china()
        effective_on = _check_effective(effective_on)
        if found_on is None:
            raise ValidationError({"found_on": _("请填写发现日期")})
        if found_on > today:
            raise ValidationError({"found_on": _("发现日期不能晚于今天")})
        if effective_on > found_on:
            raise ValidationError({"effective_on": _("变动生效日期不能晚于发现日期")})
        if not source.strip():
            raise ValidationError({"source": _("请写明发现途径，如实地核查、群众举报、部门通报")})
        fields = {
            "cluster": cluster,
            "kind": kind,
            "old_value": old,
            "new_value": new,
            "effective_on": effective_on,
            "reason": reason.strip(),
            "filing_due_on": filing_due_on(cluster, effective_on),
            "found_on": found_on,
            "found_by": actor,
            "source": source.strip(),
        }
        summary = _change_audit(MajorChange(**fields))
        change = create(MAJOR_CHANGE, "found", actor=actor, fields=fields, after=summary)
        _apply(actor, change, cluster)
        change.save(update_fields=["applied_at"])
        _attach(actor, uploads, change)
        propose_revocation(
            cluster, 4, grounds=unfiled_grounds(change), source=f"major_change:{change.pk}", as_of=today
        )
        return change


# --- incidents ----------------------------------------------------------------------------------------


def incident_grounds(incident: ClusterIncident) -> str:
    return _("%(day)s 发生%(level)s%(kind)s（%(source)s），属于“%(words)s”：%(description)s") % {
        "day": incident.occurred_on.isoformat(),
        "level": incident.level,
        "kind": incident.get_kind_display(),
        "source": incident.source,
        "words": incident.counted_words,
        "description": incident.description[:200],
    }


def incident_record(
    *,
    actor: User,
    cluster: RecognizedCluster,
    kind: str,
    level: str,
    occurred_on: date,
    source: str,
    description: str,
    uploads: Iterable[UploadedFile[Any]] = (),
) -> ClusterIncident:
    """A city or province officer records an incident; at or above the rule set's threshold it proposes
    revocation case 5."""
    with transaction.atomic():
        cluster = _locked(cluster)
        can_record_findings(actor, cluster).enforce()
        if kind not in {each.value for each in IncidentKind}:
            raise ValidationError({"kind": _("请选择事件类别")})
        level = (level or "").strip()
        if level and level not in INCIDENT_LEVELS:
            raise ValidationError({"level": _("等级须为一般、较大、重大或特别重大")})
        if not level and IncidentKind(kind) in GRADED_KINDS:
            raise ValidationError({"level": _("事故和安全事件须填写等级（一般、较大、重大、特别重大）")})
        today = today_in_china()
        if occurred_on is None:
            raise ValidationError({"occurred_on": _("请填写发生日期")})
        if occurred_on > today:
            raise ValidationError({"occurred_on": _("发生日期不能晚于今天")})
        if not source.strip():
            raise ValidationError({"source": _("请写明信息来源，如应急管理部门通报、行政处罚决定书")})
        if not description.strip():
            raise ValidationError({"description": _("请描述事件经过")})
        counted = threshold_class(cluster.programme, kind, level or None)
        incident = ClusterIncident.objects.create(
            cluster=cluster,
            kind=kind,
            level=level,
            occurred_on=occurred_on,
            source=source.strip(),
            description=description.strip(),
            meets_threshold=counted is not None,
            counted_words=counted.words if counted else "",
            recorded_by=actor,
        )
        _attach(actor, uploads, incident)
        audit_record(
            actor=actor,
            action=actions.INCIDENT_RECORD,
            target=incident,
            after={
                "cluster": cluster.number,
                "kind": kind,
                "level": level,
                "occurred_on": occurred_on.isoformat(),
                "meets_threshold": incident.meets_threshold,
            },
        )
        notify(
            recipients=[*owner_people(cluster), *county_people(cluster)],
            text=_("集群 %(number)s 登记事件：%(day)s %(level)s%(kind)s")
            % {
                "number": cluster.number,
                "day": occurred_on.isoformat(),
                "level": level,
                "kind": incident.get_kind_display(),
            },
            link=incident.get_absolute_url(),
        )
        if incident_proposes(incident):
            propose_revocation(
                cluster, 5, grounds=incident_grounds(incident), source=f"incident:{incident.pk}", as_of=today
            )
        return incident


def incident_proposes(incident: ClusterIncident) -> bool:
    """Case 5 is what happens while the cluster holds its recognition: an incident at threshold on or after
    the day of recognition. One from before it is kept in the register, proposes nothing by itself (the
    application declared the last three years' incidents: hiding one is case 2, which the owner records
    from its findings)."""
    return incident.meets_threshold and incident.occurred_on >= incident.cluster.recognized_on
