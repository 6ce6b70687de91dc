"""Recognition (认定): the owner's decision on each shortlisted application after the public notice.

Recognizing an application takes the workflow's ``recognize`` transition and creates its
:class:`RecognizedCluster` with a number, the date and the validity; rejecting takes ``reject`` with the
reason, and the county is told why. When the last shortlisted application of a call is decided, the shortlist
is decided, the public notice closed, and the counties whose applications were not shortlisted are told
too, with the reason recorded when that was decided.

**Recognition numbers** (认定编号): ``<简称>中小特色集群〔<年度>〕<NNN>``, e.g. ``粤中小特色集群〔2025〕001``.

* ``简称`` is the one-character abbreviation of the owner's province (粤 for 广东, 陕 for 陕西, 黔 for
  贵州 …, :data:`PROVINCE_ABBREVIATIONS`), or ``国`` for the national programme;
* ``年度`` is the year of the call (``RecognizedCluster.year``);
* ``NNN`` counts from 001 within that prefix, in the order of recognition; a batch is numbered in the
  order of the frozen shortlist's ranking, then by 申报编号, so the same decisions always give the same
  numbers. A number is never reused: revoked clusters keep theirs. Past 999 the count simply grows a digit.

**Validity as decided**: the decision states the validity (start and end dates); the province or the
ministry sets it when recognizing, and re-review extends from the decided end. Without a stated validity the
default comes from the rule set's ``recognition_validity``: ``years`` (N) counted as its ``counting.basis``
says — from the day of recognition (``decision_day``: 2025-03-10 → 2028-03-09; a recognition on 29
February runs to 28 February N years on), or as whole calendar years from the year after the batch
(``calendar_years_after_batch``: the national 2022 batch "认定有效期为2023年至2025年").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Level, User
from smecluster.apps.applications.models import Application
from smecluster.apps.applications.services import county_people, today_in_china
from smecluster.apps.applications.workflow import APPLICATION, Status
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.notices.selectors import notice_of_call, upheld_objections
from smecluster.apps.notices.services import notice_close
from smecluster.apps.notifications.services import notify
from smecluster.apps.programmes.letterhead import letterhead
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.registry.models import RecognizedCluster
from smecluster.apps.registry.permissions import can_recognize, can_recognize_application
from smecluster.apps.registry.selectors import (
    in_shortlist_order,
    recognition_candidates,
    transition_reasons,
)
from smecluster.apps.selection.models import Shortlist
from smecluster.apps.selection.workflow import SHORTLIST
from smecluster.apps.workflow.engine import take
from smecluster.policy.ruleset import rule_set
from smecluster.site.wording import listing

# GB/T 2260 province prefix → the one-character abbreviation (简称) used in official document numbers.
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新", "71": "台",
    "81": "港", "82": "澳",
}  # fmt: skip
NATIONAL_ABBREVIATION = "国"


def number_prefix(call: YearlyCall) -> str:
    return programme_number_prefix(call.programme, call.year)


def programme_number_prefix(programme: Programme, year: int) -> str:
    """The prefix of the numbers of ``programme``'s batch of ``year`` (a call's, or an imported list's)."""
    owner = programme.owner
    if owner is None:
        abbreviation = NATIONAL_ABBREVIATION
    elif owner.level == Level.PROVINCE:
        abbreviation = PROVINCE_ABBREVIATIONS[owner.code[:2]]
    else:  # an owner below the province (a city's own programme) is named in full: numbers never collide
        abbreviation = owner.name
    return f"{abbreviation}中小特色集群〔{year}〕"


def next_number(prefix: str) -> str:
    """The next free number under ``prefix``; callers hold the call's row lock."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    used = [
        int(match.group(1))
        for number in RecognizedCluster.objects.filter(number__startswith=prefix).values_list(
            "number", flat=True
        )
        if (match := pattern.match(number))
    ]
    return f"{prefix}{max(used, default=0) + 1:03d}"


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February falls on 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def validity_years(programme: Programme) -> int:
    return rule_set(programme.rule_set_id).recognition_validity.years


def validity(recognized_on: date, years: int) -> tuple[date, date]:
    """``(valid_from, valid_until)``: N whole years from the day of recognition, that day included."""
    return recognized_on, add_years(recognized_on, years) - timedelta(days=1)


def default_validity(call: YearlyCall, recognized_on: date) -> tuple[date, date]:
    """The validity a decision states when the officer does not set one, as the rule set counts it."""
    return batch_default_validity(call.programme, call.year, recognized_on)


def batch_default_validity(programme: Programme, year: int, recognized_on: date) -> tuple[date, date]:
    """:func:`default_validity` for ``programme``'s batch of ``year``, whether a call or an imported list."""
    rules = rule_set(programme.rule_set_id).recognition_validity
    if rules.counting.basis == "calendar_years_after_batch":
        return date(year + 1, 1, 1), date(year + rules.years, 12, 31)
    return validity(recognized_on, rules.years)


@dataclass(frozen=True)
class DecidedValidity:
    """The validity a recognition decision states; ``stated`` when the officer set it, not the default."""

    valid_from: date
    valid_until: date
    stated: bool


def decided_validity(
    call: YearlyCall, recognized_on: date, valid_from: date | None, valid_until: date | None
) -> DecidedValidity:
    """The decision's validity: both dates as stated, or the rule set's default when neither is given."""
    if valid_from is None and valid_until is None:
        start, end = default_validity(call, recognized_on)
        return DecidedValidity(start, end, stated=False)
    if valid_from is None or valid_until is None:
        field_name = "valid_from" if valid_from is None else "valid_until"
        raise ValidationError({field_name: _("有效期须同时写明起止日期，或都不填而按默认")})
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": _("有效期止须晚于有效期起")})
    if valid_until < recognized_on:
        raise ValidationError({"valid_until": _("有效期止不能早于认定之日")})
    return DecidedValidity(valid_from, valid_until, stated=True)


def shared_validity(clusters: list[RecognizedCluster]) -> str:
    """The validity the whole list shares, in the notice's words ("2023年至2025年"), or "" when it differs."""
    periods = {cluster.validity_words for cluster in clusters}
    return periods.pop() if len(periods) == 1 else ""


def issuer(programme: Programme) -> str:
    """Who signs the notice and the certificates: the programme's 发文机关 as its owner set it, or its
    default (``programmes.letterhead``: the rule set's issuer when the rule set is the owner's own,
    工业和信息化部, the owner's department)."""
    return letterhead(programme).issuer


# --- decisions -------------------------------------------------------------------------------------


RECOGNIZE, REJECT = "recognize", "reject"


@dataclass
class Decisions:
    recognized: list[RecognizedCluster] = field(default_factory=list)
    rejected: list[Application] = field(default_factory=list)


def _recognize(
    *, actor: User, application: Application, call: YearlyCall, today: date, decided: DecidedValidity
) -> RecognizedCluster:
    # Here, not at the top: the registry's document module uses this module's shared_validity.
    from smecluster.apps.issued_documents.services import issued_documents_request
    from smecluster.apps.registry.issued import certificate_document

    take(APPLICATION, application, RECOGNIZE, actor=actor)
    valid_from, valid_until = decided.valid_from, decided.valid_until
    cluster = RecognizedCluster.objects.create(
        application=application,
        programme=call.programme,
        number=next_number(number_prefix(call)),
        name=application.name,
        county=application.county,
        leading_industry=application.leading_industry,
        leading_industry_code=application.leading_industry_code,
        year=call.year,
        recognized_on=today,
        valid_from=valid_from,
        valid_until=valid_until,
        decided_by=actor,
    )
    # Whoever operated the application operates the cluster it became.
    operators = list(application.operators.order_by("pk"))
    cluster.operators.set(operators)
    audit_record(
        actor=actor,
        action=actions.CLUSTER_RECOGNIZE,
        target=cluster,
        after={
            "application": application.number,
            "operators": [operator.username for operator in operators],
            "number": cluster.number,
            "recognized_on": today.isoformat(),
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "validity_stated": decided.stated,
            "validity_basis": rule_set(call.programme.rule_set_id).recognition_validity.counting.basis,
        },
    )
    issued_documents_request([certificate_document(cluster)])
    notify(
        recipients=county_people(application),
        text=_("申报 %(number)s 已获认定，认定编号 %(code)s，有效期至 %(until)s")
        % {"number": application.number, "code": cluster.number, "until": valid_until},
        link=reverse("applications:detail", args=[application.pk]),
    )
    return cluster


def _reject(*, actor: User, application: Application, reason: str) -> Application:
    take(APPLICATION, application, REJECT, actor=actor, reason=reason)
    notify(
        recipients=county_people(application),
        text=_("申报 %(number)s 未予认定：%(reason)s")
        % {"number": application.number, "reason": reason[:180]},
        link=reverse("applications:detail", args=[application.pk]),
    )
    return application


def _close_the_call(actor: User, call: YearlyCall) -> None:
    """Once every shortlisted application is decided: the shortlist is decided, the public notice closed,
    and the counties left off the shortlist are told why."""
    if Application.objects.filter(call=call, status=Status.SHORTLISTED).exists():
        return
    shortlist = Shortlist.objects.get(call=call)
    take(SHORTLIST, shortlist, "decide", actor=actor)
    notice = notice_of_call(call)
    if notice is None:  # can_recognize refuses before the call's notice has ended
        raise RuntimeError(f"{call} was recognized without a public notice")
    notice_close(actor=actor, notice=notice)
    others = list(
        Application.objects.filter(call=call, status=Status.NOT_SHORTLISTED)
        .select_related("county")
        .order_by("number")
    )
    reasons = transition_reasons(others, (actions.APPLICATION_NOT_SHORTLIST.code,))
    for application in others:
        reason = reasons.get(application.pk) or _("按专家评审排名，未进入本年度认定名额")
        notify(
            recipients=county_people(application),
            text=_("%(call)s认定结果已公布，申报 %(number)s 未列入拟认定名单：%(reason)s")
            % {"call": call, "number": application.number, "reason": reason[:150]},
            link=reverse("applications:detail", args=[application.pk]),
        )


@transaction.atomic
def recognition_decide(
    *,
    actor: User,
    call: YearlyCall,
    application_ids: list[int],
    decision: str,
    reason: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Decisions:
    """Recognize, or reject with ``reason``, the chosen shortlisted applications of ``call``; a recognition
    states the validity ``valid_from``–``valid_until``, or neither for the rule set's default.

    Refused (403 with the reason) before the notice has ended or while an objection is unresolved, and for
    an application against which an objection was upheld (the reason names the objection)."""
    # The call's row lock serializes the recognition numbers of the call.
    call = (
        YearlyCall.objects.select_for_update(of=("self",)).select_related("programme__owner").get(pk=call.pk)
    )
    can_recognize(actor, call).enforce()
    if decision not in (RECOGNIZE, REJECT):
        raise ValidationError({"decision": _("请选择认定或不予认定")})
    reason = reason.strip()
    if decision == REJECT and not reason:
        raise ValidationError({"reason": _("不予认定须填写理由，申报县将收到这段话")})
    if not application_ids:
        raise ValidationError({"applications": _("请先勾选申报")})
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("county", "call__programme")
        .filter(call=call, pk__in=application_ids)
    )
    if decision == RECOGNIZE:
        # Named before the state: an upheld objection has already taken its application off the list.
        upheld = upheld_objections(call)
        for application in applications:
            can_recognize_application(application, upheld.get(application.pk, [])).enforce()
    undecidable = [application for application in applications if application.status != Status.SHORTLISTED]
    if len(applications) != len(set(application_ids)) or undecidable:
        raise ValidationError(
            {
                "applications": _("只能对本年度拟认定名单中待认定的申报作出决定：%(numbers)s")
                % {"numbers": listing(application.number for application in undecidable) or "—"}
            }
        )
    decided = Decisions()
    today = today_in_china()
    stated = decided_validity(call, today, valid_from, valid_until) if decision == RECOGNIZE else None
    for application in in_shortlist_order(applications, call):
        if stated is not None:
            decided.recognized.append(
                _recognize(actor=actor, application=application, call=call, today=today, decided=stated)
            )
        else:
            decided.rejected.append(_reject(actor=actor, application=application, reason=reason))
    _close_the_call(actor, call)
    return decided


@transaction.atomic
def recognize_unobjected(*, actor: User, call: YearlyCall) -> Decisions:
    """认定全部无异议的: recognize every shortlisted application of ``call`` against which no objection
    was upheld (an upheld objection takes its application off the list when it is found, so none is left
    here but one upheld before that rule, which the owner then rejects)."""
    can_recognize(actor, call).enforce()
    candidates = [
        candidate.application.pk
        for candidate in recognition_candidates(call, notice_of_call(call))
        if candidate.unobjected
    ]
    if not candidates:
        raise ValidationError(_("没有可一并认定的申报：待认定的申报均有成立的异议，请逐一决定"))
    return recognition_decide(actor=actor, call=call, application_ids=candidates, decision=RECOGNIZE)
