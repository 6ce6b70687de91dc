"""Forms of dynamic management. They parse; the services check and write (errors come back by field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smecluster.apps.oversight.models import (
    ChangeKind,
    IncidentKindChoices,
    IncidentLevelChoices,
    MajorChange,
)
from smecluster.apps.oversight.services import CASE_LABELS, NON_COOPERATION_LABEL
from smecluster.apps.registry.models import RecognizedCluster


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Any number of files (none included); each is checked by content when stored."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(each, initial) for each in data if each]
        return [single(data, initial)] if data else []


def _evidence() -> EvidenceField:
    return EvidenceField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、图片或 Office/WPS 文档，可多选"),
    )


class ChangeValueFields(forms.Form):
    """The new value of each kind of change; only the chosen kind's fields are read."""

    kind = forms.ChoiceField(label=_("变动事项"), choices=ChangeKind.choices)
    leading_industry = forms.CharField(label=_("变动后的主导产业"), required=False, max_length=64)
    counties = forms.CharField(
        label=_("变动后的县级区划代码"),
        required=False,
        max_length=200,
        help_text=_("6 位代码，申报县在前，多个以逗号分隔，如 440606, 440605"),
    )
    area_km2 = forms.CharField(label=_("变动后的占地面积（平方公里）"), required=False, max_length=20)
    operating_agency = forms.CharField(label=_("变动后的运营管理机构"), required=False, max_length=128)
    effective_on = forms.DateField(label=_("变动生效日期"), widget=DateInput())
    reason = forms.CharField(label=_("变动原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def new_value(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            key: data.get(key, "") for key in ("leading_industry", "counties", "area_km2", "operating_agency")
        }


class ChangeFileForm(ChangeValueFields):
    evidence = _evidence()


class ChangeResubmitForm(ChangeValueFields):
    """The returned filing, corrected: its kind stays."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].disabled = True
        self.fields["kind"].initial = kind


class ChangeFoundForm(ChangeValueFields):
    found_on = forms.DateField(label=_("发现日期"), widget=DateInput())
    source = forms.CharField(
        label=_("发现途径"), max_length=255, help_text=_("如实地核查、群众举报、部门通报、年度报告比对")
    )
    evidence = _evidence()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["reason"].label = _("情况说明")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("forward", _("审核通过，报送审批")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("意见（退回时必填）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("reject", _("不予批准"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("审批意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类别"), choices=IncidentKindChoices)
    level = forms.ChoiceField(
        label=_("等级"),
        required=False,
        choices=[("", _("不分级")), *IncidentLevelChoices],
        help_text=_("安全、质量、环境事故和网络、数据安全事件须填写等级"),
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    source = forms.CharField(
        label=_("信息来源"), max_length=255, help_text=_("如应急管理部门通报、行政处罚决定书、信用中国")
    )
    description = forms.CharField(
        label=_("事件经过"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = _evidence()


class ProposalForm(forms.Form):
    case = forms.TypedChoiceField(
        label=_("撤销情形"),
        coerce=int,
        choices=[
            (2, f"2 {CASE_LABELS[2]}"),
            (3, f"3 {NON_COOPERATION_LABEL}"),
            (5, f"5 {CASE_LABELS[5]}"),
        ],
        widget=forms.RadioSelect,
    )
    grounds = forms.CharField(
        label=_("查实的事实与理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = _evidence()


class RevocationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("accept", _("撤销认定")), ("dismiss", _("不予撤销"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("决定理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("撤销的，理由与条款一并在集群公开页面和名录中公布"),
    )


# --- the filters of the oversight lists ---------------------------------------------------------------


class ListFilterForm(forms.Form):
    """A list's filters from the query string. A value outside the choices is ignored field by field (the
    list shows everything for that field and the form names the field's error), so a stale link still
    opens."""

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in (None, "") and name not in self.errors
        }


def _all(choices: Any) -> list[tuple[Any, Any]]:
    return [("", _("全部")), *choices]


class ClusterFilterForm(ListFilterForm):
    status = forms.ChoiceField(
        label=_("集群状态"), required=False, choices=_all(RecognizedCluster.Status.choices)
    )


class IncidentFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("事件类别"), required=False, choices=_all(IncidentKindChoices))
    level = forms.ChoiceField(
        label=_("等级"), required=False, choices=_all([*IncidentLevelChoices, ("none", _("无等级"))])
    )
    year = forms.TypedChoiceField(label=_("发生年度"), required=False, coerce=int, empty_value=None)
    proposes = forms.TypedChoiceField(
        label=_("是否提出撤销建议"),
        required=False,
        choices=_all([("yes", _("提出撤销建议（情形五）")), ("no", _("不提出"))]),
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    cluster_status = forms.ChoiceField(
        label=_("集群状态"), required=False, choices=_all(RecognizedCluster.Status.choices)
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _all((year, str(year)) for year in years)  # type: ignore[attr-defined]


FILING_CHOICES = [
    ("filed", _("已报备")),
    ("on_time", _("按时报备")),
    ("late", _("逾期报备")),
    ("unfiled", _("未报备（核查发现）")),
]


class ChangeFilterForm(ListFilterForm):
    kind = forms.ChoiceField(label=_("变动事项"), required=False, choices=_all(ChangeKind.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(MajorChange.Status.choices))
    filing = forms.ChoiceField(label=_("报备情况"), required=False, choices=_all(FILING_CHOICES))
