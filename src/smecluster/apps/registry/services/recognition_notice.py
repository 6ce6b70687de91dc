"""The recognition notice's 文号 and 成文日期, entered by the owner when the notice is issued.

A 文号 is the issuer's own: 机关代字 + 〔年份〕 + 序号 + 号 (GB/T 9704-2012 §7.2.4: "年份、发文顺序号用
阿拉伯数字标注；年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位"), e.g.
粤工信融资函〔2025〕12号. The platform checks its form, not its registry: non-empty, a 代字 before 〔YYYY〕, a
number after it ending in 号, and the year the same as the 成文日期's. The notice may be re-entered (a typing
error corrected); each entry is audited with the old and new values.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.applications.services import today_in_china
from smecluster.apps.audit import actions
from smecluster.apps.audit.services import audit_record
from smecluster.apps.issued_documents.services import issued_documents_request
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.registry.issued import recognition_notice_document
from smecluster.apps.registry.models import RecognitionNotice, RecognizedCluster
from smecluster.apps.registry.permissions import can_print_recognition_notice

DOCUMENT_NUMBER = re.compile(r"^(?P<code>\S+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


def document_number_problem(number: str, dated: date | None) -> str | None:
    """Why ``number`` is not a well-formed 文号 dated ``dated`` (None when it is)."""
    if not number:
        return _("请填写文号")
    match = DOCUMENT_NUMBER.match(number)
    if match is None:
        return _("文号须为“机关代字〔年份〕序号号”，年份用六角括号〔〕括入，如 粤工信融资函〔2025〕12号")
    if dated is not None and int(match.group("year")) != dated.year:
        return _("文号中的年份（〔%(year)s〕）与成文日期的年份（%(dated)s年）不一致") % {
            "year": match.group("year"),
            "dated": dated.year,
        }
    return None


@transaction.atomic
def recognition_notice_issue(
    *, actor: User, call: YearlyCall, number: str, dated: date | None
) -> RecognitionNotice:
    """Record the 文号 and 成文日期 of ``call``'s recognition notice; each problem at its field."""
    call = YearlyCall.objects.select_for_update().get(pk=call.pk)
    can_print_recognition_notice(actor, call).enforce()
    number = number.strip()
    problems: dict[str, str] = {}
    if problem := document_number_problem(number, dated):
        problems["number"] = problem
    if dated is None:
        problems["dated"] = _("请填写成文日期")
    else:
        last_recognized = max(
            RecognizedCluster.objects.filter(application__call=call).values_list("recognized_on", flat=True)
        )
        if dated < last_recognized:
            problems["dated"] = _("成文日期不能早于名单中最后一个集群的认定之日（%(day)s）") % {
                "day": f"{last_recognized.year}年{last_recognized.month}月{last_recognized.day}日"
            }
        elif dated > today_in_china():
            problems["dated"] = _("成文日期不能晚于今日")
    if problems:
        raise ValidationError(problems)
    assert dated is not None  # problems raised above otherwise
    existing = RecognitionNotice.objects.filter(call=call).first()
    before = {"number": existing.number, "dated": existing.dated.isoformat()} if existing else None
    notice, _created = RecognitionNotice.objects.update_or_create(
        call=call, defaults={"number": number, "dated": dated, "entered_by": actor}
    )
    audit_record(
        actor=actor,
        action=actions.RECOGNITION_NOTICE_ISSUE,
        target=notice,
        before=before,
        after={"number": number, "dated": dated.isoformat()},
    )
    # The notice as issued, rendered by the worker: a corrected 文号 is a new version.
    if (document := recognition_notice_document(call)) is not None:
        issued_documents_request([document])
    return notice
