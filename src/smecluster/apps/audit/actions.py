"""Every action the audit log records, once: its code (what the row stores), its zh-Hans label (what every
page shows) and its category (how the log is filtered).

``audit_record`` takes an :class:`AuditAction`, never a string, so an unregistered action cannot be
written; ``tests/web/test_audit_vocabulary.py`` also checks every action the suite's journeys record. The
codes are those stored since the first release: changing one would orphan the history written under it.
A workflow transition's action is declared here and named by its transition (``workflow.engine``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    APPLICATION = "application", _("申报")
    REVIEW = "review", _("受理与初审")
    SELECTION = "selection", _("审核与专家评审")
    NOTICE = "notice", _("公示与异议")
    RECOGNITION = "recognition", _("认定与有效期")
    ANNUAL_REPORT = "annual_report", _("年度报告")
    RE_REVIEW = "re_review", _("复核")
    OVERSIGHT = "oversight", _("重大变化、事故与撤销")
    PROGRAMME = "programme", _("认定项目与培育库")
    DATA = "data", _("名录、监测与发现")
    ADMINISTRATION = "administration", _("账号与后台管理")


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: str | Promise
    category: Category

    def __str__(self) -> str:
        return self.code


ACTIONS: dict[str, AuditAction] = {}
"""Every registered action by its code."""


def _action(code: str, label: str | Promise, category: Category) -> AuditAction:
    if code in ACTIONS:
        raise ValueError(f"audit action {code} registered twice")
    ACTIONS[code] = action = AuditAction(code, label, category)
    return action


C = Category

# --- the application and its workflow (workflow: applications.workflow.APPLICATION) ------------------
APPLICATION_CREATE = _action("application.create", _("创建申报"), C.APPLICATION)
APPLICATION_UPDATE = _action("application.update", _("修改申报内容"), C.APPLICATION)
APPLICATION_SET_YEARS = _action("application.set_years", _("修改年度数据"), C.APPLICATION)
APPLICATION_SET_INCIDENTS = _action("application.set_incidents", _("修改事故或失信事件"), C.APPLICATION)
APPLICATION_SET_TARGETS = _action("application.set_targets", _("修改规划目标"), C.APPLICATION)
APPLICATION_IMPORT_PROFILE = _action("application.import_profile", _("导入申报数据"), C.APPLICATION)
APPLICATION_OPERATOR_ADD = _action("application.operator_add", _("指定集群运营管理机构账号"), C.APPLICATION)
APPLICATION_OPERATOR_REMOVE = _action(
    "application.operator_remove", _("取消集群运营管理机构账号"), C.APPLICATION
)
EVIDENCE_ADD = _action("evidence.add", _("上传佐证材料"), C.APPLICATION)
EVIDENCE_REMOVE = _action("evidence.remove", _("删除佐证材料"), C.APPLICATION)
APPLICATION_SUBMIT = _action("application.submit", _("提交"), C.APPLICATION)
APPLICATION_WITHDRAW = _action("application.withdraw", _("撤回"), C.APPLICATION)
APPLICATION_ACCEPT = _action("application.accept", _("受理"), C.REVIEW)
APPLICATION_RETURN = _action("application.return", _("退回修改"), C.REVIEW)
APPLICATION_REVIEW = _action("application.review", _("初审"), C.REVIEW)
APPLICATION_SPOT_CHECK = _action("application.spot_check", _("实地抽查"), C.REVIEW)
# Guizhou: the 市（州） "实地核查" every application (Programme.onsite_check_every_application): the same
# transition as the 实地抽查, recorded under the name the measure gives it.
APPLICATION_ONSITE_CHECK = _action("application.onsite_check", _("实地核查"), C.REVIEW)
APPLICATION_OWNER_SPOT_CHECK = _action("application.owner_spot_check", _("认定单位实地抽查"), C.SELECTION)
APPLICATION_RECOMMEND = _action("application.recommend", _("推荐"), C.REVIEW)
APPLICATION_NOT_RECOMMEND = _action("application.not_recommend", _("不予推荐"), C.REVIEW)
APPLICATION_SCREEN = _action("application.screen", _("审核通过"), C.SELECTION)
APPLICATION_SCREEN_OUT = _action("application.screen_out", _("审核不通过"), C.SELECTION)
APPLICATION_SHORTLIST = _action("application.shortlist", _("列入拟认定名单"), C.SELECTION)
APPLICATION_NOT_SHORTLIST = _action("application.not_shortlist", _("未列入拟认定名单"), C.SELECTION)
APPLICATION_RECOGNIZE = _action("application.recognize", _("认定"), C.RECOGNITION)
APPLICATION_REJECT = _action("application.reject", _("不予认定"), C.RECOGNITION)
APPLICATION_REMOVE_ON_OBJECTION = _action(
    "application.remove_on_objection", _("异议成立，移出拟认定名单"), C.RECOGNITION
)

# --- the owner's selection ---------------------------------------------------------------------------
CALL_SELECTION_SETTINGS = _action("call.selection_settings", _("设置评审安排"), C.SELECTION)
SELECTION_SCREENING = _action("selection.screening", _("记录审核意见"), C.SELECTION)
INDICATOR_SYSTEM_CREATE = _action("indicator_system.create", _("创建评价指标体系"), C.SELECTION)
INDICATOR_SYSTEM_NEW_VERSION = _action("indicator_system.new_version", _("修订评价指标体系"), C.SELECTION)
EXPERT_PROFILE = _action("expert.profile", _("修改专家信息"), C.SELECTION)
EXPERT_RELATION = _action("expert.relation", _("登记专家关联关系"), C.SELECTION)
ASSIGNMENT_CREATE = _action("assignment.create", _("分配评审专家"), C.SELECTION)
ASSIGNMENT_REMOVE = _action("assignment.remove", _("撤销专家分配"), C.SELECTION)
ASSIGNMENT_CONFLICT = _action("assignment.conflict", _("声明利益冲突"), C.SELECTION)
ASSIGNMENT_NO_CONFLICT = _action("assignment.no_conflict", _("声明无利益冲突"), C.SELECTION)
ASSIGNMENT_DRAFT = _action("assignment.draft", _("暂存评分"), C.SELECTION)
ASSIGNMENT_SUBMIT = _action("assignment.submit", _("提交评分"), C.SELECTION)
ASSIGNMENT_REMIND = _action("assignment.remind", _("提醒专家评分"), C.SELECTION)
SHORTLIST_CONFIRM = _action("shortlist.confirm", _("确认拟认定名单"), C.SELECTION)
SHORTLIST_PUBLISH = _action("shortlist.publish", _("拟认定名单公示"), C.SELECTION)
SHORTLIST_DECIDE = _action("shortlist.decide", _("拟认定名单作出认定决定"), C.SELECTION)

# --- the public notice and objections ------------------------------------------------------------------
NOTICE_PUBLISH = _action("notice.publish", _("发布公示"), C.NOTICE)
NOTICE_CLOSE = _action("notice.close", _("公示结束（已作出认定决定）"), C.NOTICE)
OBJECTION_FILE = _action("objection.file", _("提交异议"), C.NOTICE)
OBJECTION_EVIDENCE_ADD = _action("objection.evidence_add", _("异议人上传材料"), C.NOTICE)
OBJECTION_FINDING_EVIDENCE_ADD = _action("objection.finding_evidence_add", _("上传核查认定的证据"), C.NOTICE)
OBJECTION_INVESTIGATE = _action("objection.investigate", _("记录核查情况"), C.NOTICE)
OBJECTION_RESOLVE = _action("objection.resolve", _("办结"), C.NOTICE)
OBJECTION_REJECT_INADMISSIBLE = _action("objection.reject_inadmissible", _("不予受理"), C.NOTICE)

# --- recognized clusters -------------------------------------------------------------------------------
RECOGNITION_NOTICE_ISSUE = _action(
    "recognition_notice.issue", _("登记认定名单通知的文号和成文日期"), C.RECOGNITION
)
CLUSTER_RECOGNIZE = _action("cluster.recognize", _("认定为特色产业集群"), C.RECOGNITION)
# A past list brought into the register: one event for the import, one per cluster it created.
REGISTER_IMPORT = _action("register.import", _("导入历史认定名单"), C.RECOGNITION)
CLUSTER_IMPORT = _action("cluster.import", _("按历史认定名单登记集群"), C.RECOGNITION)
CLUSTER_EXTEND = _action("cluster.extend", _("复核通过，延长有效期"), C.RECOGNITION)
CLUSTER_EXPIRE = _action("cluster.expire", _("有效期届满"), C.RECOGNITION)
CLUSTER_REVOKE = _action("cluster.revoke", _("撤销认定"), C.RECOGNITION)
CLUSTER_CHANGE = _action("cluster.change", _("按重大变化更新集群信息"), C.RECOGNITION)
CLUSTER_OPERATOR_ADD = _action("cluster.operator_add", _("指定集群运营管理机构账号"), C.RECOGNITION)
CLUSTER_OPERATOR_REMOVE = _action("cluster.operator_remove", _("取消集群运营管理机构账号"), C.RECOGNITION)
PLAN_TARGET_CREATE = _action("plan_target.create", _("新增发展规划目标"), C.RECOGNITION)
PLAN_TARGET_UPDATE = _action("plan_target.update", _("修改发展规划目标"), C.RECOGNITION)
PLAN_TARGET_DELETE = _action("plan_target.delete", _("删除发展规划目标"), C.RECOGNITION)
ASSESSMENT_RECORD = _action("assessment.record", _("作出年度考核"), C.RECOGNITION)
ASSESSMENT_UPDATE = _action("assessment.update", _("修改年度考核"), C.RECOGNITION)

# --- annual reports (workflow: registry.workflow.ANNUAL_REPORT) ----------------------------------------
ANNUAL_REPORT_OPEN = _action("annual_report.open", _("开启填报"), C.ANNUAL_REPORT)
ANNUAL_REPORT_SAVE_FIGURES = _action("annual_report.save_figures", _("保存年度数据"), C.ANNUAL_REPORT)
ANNUAL_REPORT_IMPORT_WORKBOOK = _action(
    "annual_report.import_workbook", _("上传工作簿更新年度数据"), C.ANNUAL_REPORT
)
ANNUAL_REPORT_SAVE_NARRATIVE = _action("annual_report.save_narrative", _("保存工作情况"), C.ANNUAL_REPORT)
ANNUAL_REPORT_SAVE_TARGET_NOTES = _action(
    "annual_report.save_target_notes", _("保存规划目标进展说明"), C.ANNUAL_REPORT
)
ANNUAL_REPORT_EVIDENCE_ADD = _action("annual_report.evidence_add", _("上传佐证材料"), C.ANNUAL_REPORT)
ANNUAL_REPORT_EVIDENCE_REMOVE = _action("annual_report.evidence_remove", _("删除佐证材料"), C.ANNUAL_REPORT)
ANNUAL_REPORT_REMIND = _action("annual_report.remind", _("发送截止提醒"), C.ANNUAL_REPORT)
ANNUAL_REPORT_FLAG_OVERDUE = _action("annual_report.flag_overdue", _("标记逾期"), C.ANNUAL_REPORT)
ANNUAL_REPORT_SUBMIT = _action("annual_report.submit", _("提交"), C.ANNUAL_REPORT)
ANNUAL_REPORT_WITHDRAW = _action("annual_report.withdraw", _("撤回"), C.ANNUAL_REPORT)
ANNUAL_REPORT_RETURN = _action("annual_report.return", _("退回修改"), C.ANNUAL_REPORT)
ANNUAL_REPORT_FORWARD = _action("annual_report.forward", _("审核并报送"), C.ANNUAL_REPORT)
ANNUAL_REPORT_RECEIVE = _action("annual_report.receive", _("接收"), C.ANNUAL_REPORT)

# --- re-review (workflow: registry.workflow.RE_REVIEW) ---------------------------------------------------
RE_REVIEW_OPEN = _action("re_review.open", _("开启复核"), C.RE_REVIEW)
RE_REVIEW_SAVE = _action("re_review.save", _("保存复核申请说明"), C.RE_REVIEW)
RE_REVIEW_EVIDENCE_ADD = _action("re_review.evidence_add", _("上传佐证材料"), C.RE_REVIEW)
RE_REVIEW_EVIDENCE_REMOVE = _action("re_review.evidence_remove", _("删除佐证材料"), C.RE_REVIEW)
RE_REVIEW_REMIND = _action("re_review.remind", _("发送到期提醒"), C.RE_REVIEW)
RE_REVIEW_SUBMIT = _action("re_review.submit", _("提交复核申请"), C.RE_REVIEW)
RE_REVIEW_RETURN = _action("re_review.return", _("退回修改"), C.RE_REVIEW)
RE_REVIEW_RECOMMEND = _action("re_review.recommend", _("推荐"), C.RE_REVIEW)
RE_REVIEW_DECIDE = _action("re_review.decide", _("作出复核决定"), C.RE_REVIEW)

# --- major changes, incidents, revocation ----------------------------------------------------------------
MAJOR_CHANGE_FILE = _action("major_change.file", _("报送重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_RESUBMIT = _action("major_change.resubmit", _("重新报送重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_FORWARD = _action("major_change.forward", _("审核并报送重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_RETURN = _action("major_change.return", _("退回重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_APPROVE = _action("major_change.approve", _("同意重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_REJECT = _action("major_change.reject", _("不同意重大变化"), C.OVERSIGHT)
MAJOR_CHANGE_FOUND = _action("major_change.found", _("登记未报送的重大变化"), C.OVERSIGHT)
OVERSIGHT_EVIDENCE_ADD = _action("oversight.evidence_add", _("上传动态管理佐证材料"), C.OVERSIGHT)
INCIDENT_RECORD = _action("incident.record", _("登记事故或失信事件"), C.OVERSIGHT)
REVOCATION_PROPOSE = _action("revocation.propose", _("提出撤销建议"), C.OVERSIGHT)
REVOCATION_ACCEPT = _action("revocation.accept", _("采纳撤销建议"), C.OVERSIGHT)
REVOCATION_DISMISS = _action("revocation.dismiss", _("不予撤销"), C.OVERSIGHT)

# --- programmes, calls, the cultivation pool --------------------------------------------------------------
PROGRAMME_CREATE = _action("programme.create", _("创建认定项目"), C.PROGRAMME)
PROGRAMME_UPDATE = _action("programme.update", _("修改认定项目"), C.PROGRAMME)
CALL_CREATE = _action("call.create", _("发布年度申报"), C.PROGRAMME)
CALL_UPDATE = _action("call.update", _("修改年度申报"), C.PROGRAMME)
POOL_ADD = _action("pool.add", _("纳入培育库"), C.PROGRAMME)
POOL_REMOVE = _action("pool.remove", _("移出培育库"), C.PROGRAMME)
ZONE_REGISTER = _action("development_zone.register", _("登记开发区"), C.PROGRAMME)
ZONE_UPDATE = _action("development_zone.update", _("修改开发区"), C.PROGRAMME)

# --- rosters, monitoring, discovery ------------------------------------------------------------------------
ROSTER_IMPORT = _action("roster.import", _("导入企业名录"), C.DATA)
MONITORING_REPORT_DRAFT_SAVE = _action("monitoring.report_draft.save", _("保存评估报告文稿"), C.DATA)
DATASET_UPLOADED = _action("dataset.uploaded", _("上传企业数据集"), C.DATA)
DATASET_REGISTERED = _action("dataset.registered", _("登记服务器上的企业数据集"), C.DATA)
DATASET_PREPARED = _action("dataset.prepared", _("准备企业数据集"), C.DATA)
DISCOVERY_RUN = _action("discovery.run", _("运行候选集群发现"), C.DATA)
DISCOVERY_POOL = _action("discovery.pool", _("候选集群纳入培育库"), C.DATA)

# --- accounts and the admin site ----------------------------------------------------------------------------
USER_CREATE = _action("user.create", _("创建账号"), C.ADMINISTRATION)
USER_UPDATE = _action("user.update", _("修改账号"), C.ADMINISTRATION)
USER_DEACTIVATE = _action("user.deactivate", _("停用账号"), C.ADMINISTRATION)
USER_REACTIVATE = _action("user.reactivate", _("重新启用账号"), C.ADMINISTRATION)
USER_INVITE = _action("user.invite", _("发送账号邀请邮件"), C.ADMINISTRATION)
USER_INVITATION_ACCEPT = _action("user.invitation_accept", _("凭邀请链接设置密码"), C.ADMINISTRATION)
USER_IMPORT = _action("user.import", _("批量导入账号"), C.ADMINISTRATION)
ADMIN_ADD = _action("admin.add", _("后台新增记录"), C.ADMINISTRATION)
ADMIN_CHANGE = _action("admin.change", _("后台修改记录"), C.ADMINISTRATION)
ADMIN_DELETE = _action("admin.delete", _("后台删除记录"), C.ADMINISTRATION)
ACCOUNT_LOGIN = _action("account.login", _("登录"), C.ADMINISTRATION)
ACCOUNT_LOGIN_FAILED = _action("account.login_failed", _("登录失败"), C.ADMINISTRATION)
ACCOUNT_LOGOUT = _action("account.logout", _("退出登录"), C.ADMINISTRATION)
ACCOUNT_PASSWORD_RESET = _action("account.password_reset", _("凭邮件链接重置密码"), C.ADMINISTRATION)
TWO_FACTOR_ENROL = _action("account.two_factor_enrol", _("启用两步验证"), C.ADMINISTRATION)
TWO_FACTOR_REMOVE = _action("account.two_factor_remove", _("停用两步验证"), C.ADMINISTRATION)
TWO_FACTOR_RECOVERY_CODE = _action("account.two_factor_recovery_code", _("使用恢复码登录"), C.ADMINISTRATION)
TWO_FACTOR_RESET = _action("account.two_factor_reset", _("重置两步验证"), C.ADMINISTRATION)
SINGLE_SIGN_ON_ACCOUNT_CREATE = _action(
    "account.single_sign_on_create", _("统一身份认证首次登录开设账号"), C.ADMINISTRATION
)
SINGLE_SIGN_ON_LINK = _action("account.single_sign_on_link", _("关联统一身份认证"), C.ADMINISTRATION)
SINGLE_SIGN_ON_REFUSED = _action(
    "account.single_sign_on_refused", _("统一身份认证登录被拒绝"), C.ADMINISTRATION
)

# Access tokens of the API (apps.api): created and revoked by their owner on 账号安全.
API_TOKEN_CREATE = _action("api.token_create", _("创建接口令牌"), C.ADMINISTRATION)
API_TOKEN_REVOKE = _action("api.token_revoke", _("撤销接口令牌"), C.ADMINISTRATION)
# What the ministry's platform received from a province's collection package (apps.api.collection).
MINISTRY_COLLECTION_RECEIVE = _action("api.collection_receive", _("接收省级年度数据包"), C.DATA)

# The platform's yearly data, loaded from the web by the platform administrator (apps.yearly_data).
YEARLY_DATA_HOLIDAYS_LOAD = _action("yearly_data.holidays_load", _("载入年度节假日安排"), C.ADMINISTRATION)
YEARLY_DATA_RULE_SET_LOAD = _action("yearly_data.rule_set_load", _("载入规则集"), C.ADMINISTRATION)


def action_label(code: str) -> str:
    """The words a page shows for a stored code; a code no longer registered shows as itself."""
    action = ACTIONS.get(code)
    return str(action.label) if action else code


def action_named(code: str) -> AuditAction:
    """The registered action of ``code``; :class:`KeyError` names it when there is none."""
    try:
        return ACTIONS[code]
    except KeyError:
        raise KeyError(f"audit action {code!r} is not registered in smecluster.apps.audit.actions") from None
