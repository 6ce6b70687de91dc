"""A cluster-profile problem in the words of the application form: which tab field, and what is wrong.

The rule engine names fields by their path in the profile (``years[1].output``) and speaks English, the
language of the public format. A county officer needs the form's label (``2023年 集群总产值（亿元）``);
the path stays beside it so a reviewer and a support desk can still find it.
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.applications.models import Application, ApplicationYear, Incident
from smecluster.errors import Problem

_WORDS = {
    "is required": gettext_lazy("尚未填写"),
    "must not be empty": gettext_lazy("尚未填写"),
    "must be a number": gettext_lazy("须为数字"),
    "must be a whole number": gettext_lazy("须为整数"),
    "must be a date written YYYY-MM-DD": gettext_lazy("须为日期"),
    "must be true or false": gettext_lazy("须选择是或否"),
}
_PATTERNS = (
    (re.compile(r"^must be ≥ (.+)$"), gettext_lazy("须不小于 %(0)s")),
    (re.compile(r"^must be ≤ (.+)$"), gettext_lazy("须不大于 %(0)s")),
    (
        re.compile(r"^(\d{4}) is not a complete year on the application date (\S+)$"),
        gettext_lazy("%(0)s 年在申报日期 %(1)s 尚未结束，只能填写已结束的年度"),
    ),
    (
        re.compile(r"^(.+) 亿元 is more than the cluster's total output of (.+) 亿元$"),
        gettext_lazy("%(0)s 亿元超过了集群总产值 %(1)s 亿元"),
    ),
    (re.compile(r"^.*years must be consecutive$"), gettext_lazy("年度须连续")),
    (re.compile(r"^is required for a (\w+): .*$"), gettext_lazy("事故或安全事件须填写等级")),
)
_PATH = re.compile(r"^(?P<head>[a-z0-9_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<tail>[a-z0-9_]+))?$")


def _verbose(model: type[models.Model], name: str) -> str | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation has no label of its own; the paths a problem names are the model's own fields.
    return None if isinstance(field, ForeignObjectRel) else str(field.verbose_name)


def problem_label(application: Application, path: str) -> str:
    """The label a person sees on the form for a profile field path."""
    match = _PATH.match(path)
    if match is None:
        return path
    head, index, tail = match["head"], match["index"], match["tail"]
    position = int(index) if index is not None else None
    if head == "years":
        if position is None:
            return _("近三年数据")
        years = list(application.years.values_list("year", flat=True))
        year = years[position] if position < len(years) else position + 1
        label = _verbose(ApplicationYear, tail) if tail else _("数据")
        return _("%(year)s年 %(label)s") % {"year": year, "label": label or tail}
    if head == "incidents":
        if position is None:
            return _("事故或失信事件")
        label = _verbose(Incident, tail) if tail else ""
        return _("第 %(n)s 条事故或失信事件 %(label)s") % {"n": position + 1, "label": label or tail or ""}
    if head == "counties":
        return _("申报县") if not position else _("跨县的其他县级区划")
    if head == "quality_firms":
        if tail and tail.startswith("holding_any"):
            return _verbose(Application, "quality_holders") or _("优质企业")
        return (_verbose(Application, tail) if tail else None) or _("优质企业")
    if head == "province":
        return _("所在省份")
    if head == "application_date":
        return _("申报日期")
    return _verbose(Application, head) or path


def problem_message(message: str) -> str:
    if message in _WORDS:
        return str(_WORDS[message])
    for pattern, template in _PATTERNS:
        if found := pattern.match(message):
            return str(template) % {str(i): group for i, group in enumerate(found.groups())}
    return message


def problem_text(application: Application, problem: Problem) -> str:
    """``2023年 集群总产值（亿元）（years[1].output）：须不小于 0``."""
    if not problem.field:
        return problem_message(problem.message)
    return _("%(label)s（%(path)s）：%(message)s") % {
        "label": problem_label(application, problem.field),
        "path": problem.field,
        "message": problem_message(problem.message),
    }
