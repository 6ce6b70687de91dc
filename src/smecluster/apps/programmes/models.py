"""A programme is run by an owner (a province, or the ministry) over a chain of review levels; each year it
opens a call with its deadlines and quota. Policy lives here as data, edited by province admins."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import Jurisdiction, Level
from smecluster.policy.ruleset import rule_set, rule_sets


def _known_rule_set(value: str) -> None:
    if value not in rule_sets():
        raise ValidationError(_("未知的规则集：%(id)s"), params={"id": value})


# GD 15(一) "申报单位应如实填写申报材料，并对资料的真实性和完整性负全部责任" (SX 14 in nearly the same
# words): the declaring department signs this on every submission; a programme may word its own.
DEFAULT_PLEDGE_TEXT = (
    "本单位承诺：已如实填写申报材料，并对资料的真实性和完整性负全部责任；如有虚假申报，"
    "愿承担由此产生的一切后果，包括被撤销认定。"
    "（依据：“申报单位应如实填写申报材料，并对资料的真实性和完整性负全部责任”）"
)


# GD 17 / SX 18 "省工业和信息化厅组织开展监督和考核，编制集群发展评估报告" and GD 16 / SX 17
# "考核集群三年发展规划目标完成情况": the measures fix neither grades nor thresholds, so they are the
# owner's programme data.
# A grade is proposed from the share of plan targets on track in the year's received annual report (a
# target is on track when its value has covered at least the elapsed part of the way from baseline to
# target); ``late_report_max_grade`` caps the proposal when the report was filed late (GD 18(三)).
DEFAULT_ASSESSMENT_CRITERIA: dict[str, object] = {
    "grades": [
        {"label": "优秀", "min_on_track_pct": 100},
        {"label": "良好", "min_on_track_pct": 75},
        {"label": "合格", "min_on_track_pct": 50},
        {"label": "不合格", "min_on_track_pct": 0},
    ],
    "late_report_max_grade": "合格",
}


def default_assessment_criteria() -> dict[str, object]:
    criteria: dict[str, object] = json.loads(json.dumps(DEFAULT_ASSESSMENT_CRITERIA))
    return criteria


class Programme(models.Model):
    name = models.CharField(_("名称"), max_length=128)
    owner = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("认定机关所在辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("省级项目为该省，市级项目为该市；国家级项目留空（工业和信息化部）"),
    )
    owner_level = models.CharField(
        _("认定层级"),
        max_length=8,
        # GD 6 / SX 6 "引导和支持地方培育一批市级集群": a city's own programme runs on the same engine.
        choices=[("national", _("国家级")), (Level.PROVINCE, _("省级")), (Level.CITY, _("市级"))],
    )
    rule_set_id = models.CharField(_("规则集"), max_length=32, validators=[_known_rule_set])
    review_chain = models.JSONField(
        _("审核链"),
        default=list,
        help_text=_('自下而上的审核层级，如 ["county", "city", "province"]'),
    )
    quota_per_unit = models.PositiveSmallIntegerField(_("每个推荐单位的推荐名额"), null=True, blank=True)
    pool_required = models.BooleanField(_("须从培育库中申报"), default=False)
    pledge_text = models.TextField(
        _("申报承诺书"),
        default=DEFAULT_PLEDGE_TEXT,
        help_text=_("申报单位提交时签署的承诺书正文；虚假申报的撤销建议引用此承诺"),
    )
    # Guizhou (政策解读第六问): the 市（州） carries out 实地核查 of every application, not a sample.
    onsite_check_every_application = models.BooleanField(
        _("推荐单位须对每件申报实地核查"),
        default=False,
        help_text=_("开启后，推荐单位须先记录对该申报的实地核查，方可推荐"),
    )
    assessment_criteria = models.JSONField(
        _("年度考核标准"),
        default=default_assessment_criteria,
        help_text=_(
            "监督和考核（广东办法第十七条、陕西办法第十八条）的等次及其规划目标按期进展比例下限，"
            "自高至低排列，最后一档下限为 0；年报逾期报送时建议等次不高于 late_report_max_grade"
        ),
    )
    # Dynamic management (issue 5): programme settings the rule sets leave to the owner.
    re_review_window_days = models.PositiveSmallIntegerField(
        _("复核窗口（有效期届满前天数）"),
        default=90,
        help_text=_("有效期届满前多少天开启复核申请"),
    )
    annual_report_due_month = models.PositiveSmallIntegerField(
        _("年报截止月（规则集未规定时）"), null=True, blank=True
    )
    annual_report_due_day = models.PositiveSmallIntegerField(
        _("年报截止日（规则集未规定时）"),
        null=True,
        blank=True,
        help_text=_("规则集未载明年度报告截止日期时（如贵州），按此月、日确定"),
    )
    # 重大变动“未及时”报备: none of the rule sets fixes a period, so the owner sets one (ADR 0007).
    change_filing_days = models.PositiveSmallIntegerField(
        _("重大变动报备时限（天）"),
        default=30,
        help_text=_("集群发生重大变动后，须在变动生效之日起该天数内报备；逾期报备视为未及时报备"),
    )
    # How far a declared figure may stray from the one computed from the enterprise roster before the
    # application page flags it (percentage points for shares, per cent of the computed value for amounts).
    roster_tolerance_pct = models.DecimalField(
        _("名册核对容差（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("申报数据与企业名册计算结果之差超过此值时标记：比例按百分点，金额和数量按百分比"),
    )

    # The particulars of the documents issued in the programme's name (issue 14): left empty, each takes
    # the default of ``programmes.letterhead`` (the rule set's issuer, the owner's department …).
    document_issuer = models.CharField(
        _("发文机关"),
        max_length=64,
        blank=True,
        help_text=_(
            "认定名单通知、公示和证书的发文机关，如“广东省工业和信息化厅”；留空时，本省办法的项目为办法的"
            "发布机关，其他为本省（市）工业和信息化主管部门"
        ),
    )
    document_addressees = models.CharField(
        _("主送机关"),
        max_length=200,
        blank=True,
        help_text=_("认定名单通知的主送机关；留空时，省级项目为“各地级以上市工业和信息化主管部门”"),
    )
    document_level = models.CharField(
        _("文件中的层级用语"),
        max_length=16,
        blank=True,
        help_text=_(
            "标题中集群名称前的层级，如“省级”；留空时按认定层级，国家级项目的标题不加层级（与工业和信息化部"
            "的通知一致），证书写“国家级”"
        ),
    )
    document_contact_person = models.CharField(_("文件联系人"), max_length=32, blank=True)
    document_contact_phone = models.CharField(_("文件联系电话"), max_length=32, blank=True)
    objection_mailing_address = models.CharField(
        _("异议书面材料寄送地址"),
        max_length=200,
        blank=True,
        help_text=_("公示写明的书面异议寄送地址（含邮政编码）"),
    )

    class Meta:
        verbose_name = _("认定项目")
        verbose_name_plural = _("认定项目")

    def __str__(self) -> str:
        return self.name

    def review_chain_display(self) -> str:
        """The review levels as people name them, bottom up: 县级 → 市级 → 省级 (not the stored keys)."""
        labels = dict(Level.choices)
        return " → ".join(str(labels.get(level, level)) for level in self.review_chain)

    def clean(self) -> None:
        chain = self.review_chain
        if (
            not isinstance(chain, list)
            or not chain
            or not all(level in {"county", "city", "province", "national"} for level in chain)
        ):
            raise ValidationError(
                {"review_chain": _("审核链须为 county、city、province、national 组成的列表")}
            )
        if problem := assessment_criteria_problem(self.assessment_criteria):
            raise ValidationError({"assessment_criteria": problem})
        month, day = self.annual_report_due_month, self.annual_report_due_day
        if (month is None) != (day is None):
            raise ValidationError({"annual_report_due_day": _("年报截止月、日须同时填写或同时留空")})
        if month is not None and day is not None:
            try:
                date(2023, month, day)  # a common year: 29 February would not exist every year
            except ValueError:
                raise ValidationError(
                    {
                        "annual_report_due_day": _("%(month)s月%(day)s日不是每年都有的日期")
                        % {"month": month, "day": day}
                    }
                ) from None


def assessment_criteria_problem(criteria: object) -> str | None:
    """Why ``criteria`` cannot grade an assessment (None when it can): grades from best to worst with
    falling lower bounds, the worst open at 0, and a late-report cap that names one of them."""
    grades = criteria.get("grades") if isinstance(criteria, dict) else None
    if not isinstance(grades, list) or not grades:
        return str(_("考核标准须列出至少一个等次"))
    bounds = []
    for grade in grades:
        if not (
            isinstance(grade, dict)
            and isinstance(grade.get("label"), str)
            and grade["label"]
            and isinstance(grade.get("min_on_track_pct"), int | float)
        ):
            return str(_("每个等次须有名称（label）和按期进展比例下限（min_on_track_pct）"))
        bounds.append(grade["min_on_track_pct"])
    if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds) or bounds[-1] != 0:
        return str(_("等次须自高至低排列，下限逐档降低，最后一档下限为 0"))
    cap = criteria.get("late_report_max_grade") if isinstance(criteria, dict) else None
    if cap is not None and cap not in {grade["label"] for grade in grades}:
        return str(_("late_report_max_grade 须为所列等次之一"))
    return None


class YearlyCall(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("认定项目"), on_delete=models.PROTECT, related_name="calls"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    opens_on = models.DateField(_("申报开始"))
    closes_on = models.DateField(_("县级申报截止"))
    city_deadline = models.DateField(_("市级推荐截止"))
    province_deadline = models.DateField(_("省级评审截止"), null=True, blank=True)
    quota = models.PositiveSmallIntegerField(_("本年度每市推荐名额"), null=True, blank=True)
    # The owner's selection (issue 4): how experts' scores combine and how many are recognized.
    experts_per_application = models.PositiveSmallIntegerField(_("每件申报的评审专家人数"), default=3)
    scoring_deadline = models.DateField(_("专家评分截止"), null=True, blank=True)
    aggregation = models.CharField(
        _("专家评分汇总方法"),
        max_length=16,
        choices=[
            ("mean", _("算术平均")),
            ("trimmed_mean", _("去掉一个最高分和一个最低分后平均（专家不少于5人时）")),
        ],
        default="mean",
    )
    recognition_quota = models.PositiveSmallIntegerField(_("本年度拟认定名额"), null=True, blank=True)
    notice_working_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), null=True, blank=True, help_text=_("规则集未规定公示天数时填写")
    )
    # Required when the measure is a draft or not in force on the call's dates (issue 13, finding 12).
    legal_basis = models.TextField(
        _("继续适用的依据"),
        blank=True,
        max_length=2000,
        help_text=_("办法为征求意见稿、尚未施行或有效期已届满时必填，如延期适用的通知"),
    )
    legal_basis_number = models.CharField(_("依据文号"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("年度申报")
        verbose_name_plural = _("年度申报")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="one_call_per_programme_year")
        ]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.year}年度"

    @property
    def judged_years(self) -> list[int]:
        """The three complete years before the call year that every applicant of the call is judged on
        ("近三年", DOMAIN.md §4), whatever day it submits; the incident window opens with the first."""
        return [self.year - 3, self.year - 2, self.year - 1]

    @property
    def evaluation_period(self) -> str:
        """The period as the call, the form, the panel and the PDF state it."""
        first, last = self.judged_years[0], self.judged_years[-1]
        return _("%(first)s—%(last)s年；事故和失信事件自 %(first)s年1月1日 起至申报日") % {
            "first": first,
            "last": last,
        }

    @property
    def last_day(self) -> date:
        """The call's last date: the province's deadline, or the city's when it has none."""
        return self.province_deadline or self.city_deadline

    def measure_gaps(self) -> list[str]:
        """Why the programme's measure does not stand by itself over the call's dates (a draft, not yet
        in force, expired), in the measure's words; empty when it does."""
        return rule_set(self.programme.rule_set_id).standing_gaps(self.opens_on, self.last_day)

    @property
    def measure_citation(self) -> str:
        """The measure as the call's documents cite it, as it stands: its title and number, a draft or
        an expired validity said, and the legal basis recorded for the call."""
        rules = rule_set(self.programme.rule_set_id)
        text = rules.citation()
        gaps = self.measure_gaps()
        if gaps and self.legal_basis:
            number = f"（{self.legal_basis_number}）" if self.legal_basis_number else ""
            text = _("%(measure)s（%(gaps)s），依据%(basis)s%(number)s继续适用") % {
                "measure": text,
                "gaps": "；".join(gap.removeprefix(rules.citation()) for gap in gaps),
                "basis": self.legal_basis,
                "number": number,
            }
        return text

    def clean(self) -> None:
        """Dates in order: open ≤ county close ≤ city deadline ≤ province deadline; errors at the fields."""
        problems: dict[str, str | Promise] = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            problems["closes_on"] = _("截止日期早于开始日期")
        if self.closes_on and self.city_deadline and self.city_deadline < self.closes_on:
            problems["city_deadline"] = _("市级推荐截止不得早于县级申报截止")
        if self.city_deadline and self.province_deadline and self.province_deadline < self.city_deadline:
            problems["province_deadline"] = _("省级评审截止不得早于市级推荐截止")
        if self.year and self.opens_on and self.opens_on.year < self.year:
            # The call judges the three years before its year: the last of them must have ended.
            problems["opens_on"] = _(
                "%(year)s年度申报据以评价的年度截至 %(last)s 年，须在该年度结束后开始申报"
            ) % {
                "year": self.year,
                "last": self.year - 1,
            }
        if problems:
            raise ValidationError(problems)

    def effective_quota(self) -> int | None:
        return self.quota if self.quota is not None else self.programme.quota_per_unit

    def is_open(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


POOL_NAME_MAX_LENGTH = 128


class PoolEntry(models.Model):
    """A candidate cluster in a city's cultivation pool (培育库)."""

    city = models.ForeignKey(
        Jurisdiction, verbose_name=_("所属市"), on_delete=models.PROTECT, related_name="pool_entries"
    )
    county = models.ForeignKey(
        Jurisdiction, verbose_name=_("所在县"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("集群名称"), max_length=POOL_NAME_MAX_LENGTH)
    leading_industry = models.CharField(_("主导产业"), max_length=64)
    note = models.TextField(_("备注"), blank=True)
    added_on = models.DateField(_("入库日期"), auto_now_add=True)

    class Meta:
        verbose_name = _("培育库集群")
        verbose_name_plural = _("培育库")
        ordering = ["city", "county", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="one_pool_entry_per_name")]

    def __str__(self) -> str:
        return self.name
