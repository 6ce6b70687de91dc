"""A cluster-profile problem in the words of the application form: which tab field, and what is wrong.

The rule engine names fields by their path in the profile (``years[1].output``) and words its messages in
Chinese catalogue templates (``smecluster.i18n``). A county officer needs the form's label (``2023年
集群总产值（亿元）``) and the message in the interface's language; the path stays beside it so a reviewer
and a support desk can still find it.
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext as _

from smecluster.apps.applications.models import Application, ApplicationYear, Incident
from smecluster.errors import Problem
from smecluster.site.wording import translated

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
    """The profile's message (Chinese, :class:`smecluster.i18n.Text`) in the reader's language."""
    return translated(message)


def problem_text(application: Application, problem: Problem) -> str:
    """``2023年 集群总产值（亿元）（years[1].output）：须不小于 0``."""
    if not problem.field:
        return problem_message(problem.message)
    return _("%(label)s（%(path)s）：%(message)s") % {
        "label": problem_label(application, problem.field),
        "path": problem.field,
        "message": problem_message(problem.message),
    }
