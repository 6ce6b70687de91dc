"""The audit history shown on an annual report's and a re-review's page, with a label for each event."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smecluster.apps.audit.services import audit_trail
from smecluster.site.csv_export import local_time

EVENT_LABELS = {
    "annual_report.open": gettext_lazy("开启填报"),
    "annual_report.save_figures": gettext_lazy("保存年度数据"),
    "annual_report.import_workbook": gettext_lazy("上传工作簿更新年度数据"),
    "annual_report.save_narrative": gettext_lazy("保存工作情况"),
    "annual_report.save_target_notes": gettext_lazy("保存规划目标进展说明"),
    "annual_report.evidence_add": gettext_lazy("上传佐证材料"),
    "annual_report.evidence_remove": gettext_lazy("删除佐证材料"),
    "annual_report.remind": gettext_lazy("发送截止提醒"),
    "annual_report.flag_overdue": gettext_lazy("标记逾期"),
    "annual_report.submit": gettext_lazy("提交"),
    "annual_report.withdraw": gettext_lazy("撤回"),
    "annual_report.return": gettext_lazy("退回修改"),
    "annual_report.forward": gettext_lazy("审核并报送"),
    "annual_report.receive": gettext_lazy("接收"),
    "re_review.open": gettext_lazy("开启复核"),
    "re_review.save": gettext_lazy("保存复核申请说明"),
    "re_review.evidence_add": gettext_lazy("上传佐证材料"),
    "re_review.evidence_remove": gettext_lazy("删除佐证材料"),
    "re_review.remind": gettext_lazy("发送到期提醒"),
    "re_review.submit": gettext_lazy("提交复核申请"),
    "re_review.return": gettext_lazy("退回修改"),
    "re_review.recommend": gettext_lazy("推荐"),
    "re_review.decide": gettext_lazy("作出复核决定"),
}


def audit_history(target: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(event.at),
            "who": str(event.actor) if event.actor else _("系统（每日任务）"),
            "what": EVENT_LABELS.get(event.action, event.action),
            "reason": event.reason,
        }
        for event in audit_trail(target).order_by("at", "pk")
    ]
