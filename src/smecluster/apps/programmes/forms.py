"""Forms of the province's configuration pages and the city's cultivation pool. They parse and check;
the services in ``programmes.services`` decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smecluster.apps.accounts.models import DevelopmentZone, Jurisdiction
from smecluster.apps.programmes.models import Programme, YearlyCall, assessment_criteria_problem
from smecluster.apps.programmes.selectors import declarable_divisions
from smecluster.apps.programmes.services import CALL_FIELDS, LEVEL_ORDER, PROGRAMME_FIELDS
from smecluster.policy.ruleset import rule_sets

LEVEL_CHOICES = [
    ("county", _("县级（申报）")),
    ("city", _("市级（受理、初审、推荐）")),
    ("province", _("省级（评审、认定）")),
    ("national", _("国家级（工业和信息化部）")),
]


def rule_set_choices(province_prefix: str) -> list[tuple[str, str]]:
    """The rule sets a province may adopt: the national one and its own."""
    return [
        (rule_set_id, f"{rules.title}（{rule_set_id}）")
        for rule_set_id, rules in rule_sets().items()
        if rules.applies_to_province in (None, province_prefix)
    ]


class ProgrammeForm(forms.ModelForm[Programme]):
    rule_set_id = forms.ChoiceField(label=_("规则集"), choices=[])
    review_chain = forms.MultipleChoiceField(
        label=_("审核链"),
        choices=LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("自下而上经过的层级；省级项目为县级 → 市级 → 省级，市级项目为县级 → 市级"),
        error_messages={"required": _("请选择审核层级")},
    )

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        widgets = {
            "quota_per_unit": forms.NumberInput(attrs={"min": 0}),
            "assessment_criteria": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "quota_per_unit": _("每个推荐单位（市）每年最多推荐的个数；留空为不限。年度申报可另设名额。"),
            "owner_level": _(
                "省级管理员设置本省的省级项目，市级主管部门设置本市的市级项目；国家级项目由工业和信息化部设置。"
            ),
        }

    def __init__(self, *args: Any, province_prefix: str, owner_level: str, **kwargs: Any) -> None:
        """``owner_level``: the level of the office filling the form in (``province`` or ``city``), the
        level of the programmes it owns; a city's chain ends at the city."""
        super().__init__(*args, **kwargs)
        self.rule_set_field.choices = rule_set_choices(province_prefix)
        # Left empty, the tolerance stays what it was (the default, 5 %, for a new programme).
        self.fields["roster_tolerance_pct"].required = False
        self.fields["assessment_criteria"].required = False
        if not self.instance.pk:
            self.initial.setdefault("owner_level", owner_level)
            chain = LEVEL_ORDER[: LEVEL_ORDER.index(owner_level) + 1]
            self.initial.setdefault("review_chain", list(chain))
        # A setting left empty keeps its default (the re-review window opens 90 days before expiry).
        self.fields["re_review_window_days"].required = False

    @property
    def rule_set_field(self) -> forms.ChoiceField:
        field = self.fields["rule_set_id"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        return field

    def clean_re_review_window_days(self) -> int:
        value = self.cleaned_data.get("re_review_window_days")
        return int(Programme._meta.get_field("re_review_window_days").default if value is None else value)

    def clean_roster_tolerance_pct(self) -> Any:
        value = self.cleaned_data.get("roster_tolerance_pct")
        return self.instance.roster_tolerance_pct if value is None else value

    def clean_assessment_criteria(self) -> Any:
        criteria = self.cleaned_data.get("assessment_criteria")
        if criteria is None:  # left empty: the criteria stay what they were (the defaults, when new)
            return self.instance.assessment_criteria
        if problem := assessment_criteria_problem(criteria):
            raise forms.ValidationError(problem)
        return criteria

    def clean_review_chain(self) -> list[str]:
        chosen = set(self.cleaned_data["review_chain"])
        return [level for level in LEVEL_ORDER if level in chosen]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CallForm(forms.ModelForm[YearlyCall]):
    class Meta:
        model = YearlyCall
        fields = CALL_FIELDS
        widgets = {
            "year": forms.NumberInput(attrs={"min": 2000, "max": 2100}),
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "city_deadline": DateInput(),
            "province_deadline": DateInput(),
            "quota": forms.NumberInput(attrs={"min": 0}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "closes_on": _("县级提交申报的最后一天（北京时间当日 24 时前）"),
            "quota": _("留空则使用认定项目的每单位推荐名额"),
        }
        error_messages = {
            field: {"invalid": _("请按 年-月-日 填写日期"), "required": _("请填写此项")}
            for field in ("opens_on", "closes_on", "city_deadline")
        } | {"year": {"required": _("请填写年度")}}

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("请填写 2000 至 2100 之间的年度"))
        return year


class PoolEntryForm(forms.Form):
    county = forms.ModelChoiceField(
        label=_("所在县（市、区）"),
        queryset=Jurisdiction.objects.none(),
        empty_label="—",
        error_messages={"required": _("请选择县（市、区）"), "invalid_choice": _("请选择本市的县（市、区）")},
    )
    name = forms.CharField(
        label=_("集群名称"), max_length=128, error_messages={"required": _("请填写集群名称")}
    )
    leading_industry = forms.CharField(
        label=_("主导产业"), max_length=64, error_messages={"required": _("请填写主导产业")}
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, counties: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county = self.fields["county"]
        assert isinstance(county, forms.ModelChoiceField)  # declared above
        county.queryset = counties


class DevelopmentZoneForm(forms.Form):
    """A development zone of the province: the divisions offered are the province's county-level ones (and
    its 不设区的地级市, which act at county level)."""

    name = forms.CharField(label=_("开发区名称"), max_length=128)
    level = forms.ChoiceField(label=_("开发区级别"), choices=DevelopmentZone.ZoneLevel.choices)
    counties = forms.ModelMultipleChoiceField(
        label=_("所跨县级区划"),
        queryset=Jurisdiction.objects.none(),
        help_text=_("可多选：开发区所在或跨越的县（市、区）"),
    )

    def __init__(self, *args: Any, province: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counties"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = declarable_divisions(province)
