"""The selection forms. They parse and check the input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smecluster.analytics.scoring import decimal_text
from smecluster.apps.programmes.models import YearlyCall
from smecluster.apps.selection.models import Indicator, Score
from smecluster.apps.selection.selectors import Suggestion
from smecluster.apps.selection.services import ScoreEntry
from smecluster.policy.indicators import TOTAL_POINTS
from smecluster.site.wording import listing

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": _("请按 年-月-日 填写日期")}


def _required_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("screen", _("审核通过，进入专家评审")), ("screen_out", _("审核不通过"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核通过或不通过")},
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("审核不通过时必须填写；县级会在通知中看到审核不通过的理由。"),
    )

    def __init__(self, *args: Any, barred: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Why the application may not pass (a computed criterion fails or lacks data), or "".
        self.barred = barred

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reason = (cleaned.get("reason") or "").strip()
        cleaned["reason"] = reason
        if not reason and cleaned.get("decision") == "screen_out":
            self.add_error("reason", _("请填写审核不通过的理由"))
        elif cleaned.get("decision") == "screen" and self.barred:
            self.add_error("decision", self.barred)
        return cleaned

    @property
    def goes_on(self) -> bool:
        return bool(self.cleaned_data["decision"] == "screen")


class SettingsForm(forms.ModelForm[YearlyCall]):
    class Meta:
        model = YearlyCall
        fields = ["experts_per_application", "scoring_deadline", "aggregation", "recognition_quota"]
        widgets = {"scoring_deadline": _DATE}
        help_texts = {
            "experts_per_application": _("去掉最高分和最低分的汇总方法需要至少 5 名专家"),
            "recognition_quota": _("留空表示不设上限：全部参评申报列入拟认定名单"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        experts = self.fields["experts_per_application"]
        assert isinstance(experts, forms.IntegerField)
        experts.min_value = 1
        experts.widget.attrs["min"] = 1
        self.fields["scoring_deadline"].error_messages.update(_DATE_ERRORS)

    def clean_experts_per_application(self) -> int:
        value = self.cleaned_data["experts_per_application"]
        if value < 1:
            raise ValidationError(_("每件申报至少需要 1 名评审专家"))
        return int(value)


class IndicatorSystemForm(forms.Form):
    name = forms.CharField(
        label=_("指标体系名称"), max_length=128, error_messages={"required": _("请填写名称")}
    )
    note = forms.CharField(
        label=_("本版本说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：依据本省认定办法调整了各维度分值"),
    )


class IndicatorRowForm(forms.Form):
    dimension = forms.CharField(label=_("维度"), max_length=64)
    code = forms.RegexField(
        label=_("编号"),
        regex=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$",
        error_messages={"invalid": _("编号为字母、数字、点或连字符，最多 16 个字符")},
    )
    name = forms.CharField(label=_("指标"), max_length=128)
    max_points = forms.DecimalField(
        label=_("满分（分）"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("满分须大于 0 分"), "max_decimal_places": _("最多保留两位小数")},
    )
    guidance = forms.CharField(label=_("评分要点"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class _BaseIndicatorFormSet(forms.BaseFormSet[forms.Form]):
    def clean(self) -> None:
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            raise ValidationError(_("请至少填写一项指标"))
        codes = [row["code"] for row in rows]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValidationError(_("指标编号重复：%(codes)s") % {"codes": listing(duplicates)})
        total = sum((row["max_points"] for row in rows), Decimal(0))
        if total != TOTAL_POINTS:
            raise ValidationError(
                _("各项指标满分合计须恰好为 100 分，现为 %(total)s 分") % {"total": decimal_text(total)}
            )

    def rows(self) -> list[dict[str, Any]]:
        """The filled rows, in order, without those marked for deletion."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            rows.append({key: value for key, value in data.items() if key != "DELETE"})
        return rows


# formset_factory subclasses the formset it is given; its stubs return the base class, which has no rows().
IndicatorFormSet = cast(
    type[_BaseIndicatorFormSet],
    forms.formset_factory(
        IndicatorRowForm,
        formset=_BaseIndicatorFormSet,
        extra=2,
        can_delete=True,
        max_num=60,
        validate_max=True,
    ),
)


def indicator_initial(indicators: list[Indicator]) -> list[dict[str, Any]]:
    return [
        {
            "dimension": indicator.dimension,
            "code": indicator.code,
            "name": indicator.name,
            "max_points": indicator.max_points,
            "guidance": indicator.guidance,
        }
        for indicator in indicators
    ]


class ExpertProfileForm(forms.Form):
    expertise = forms.CharField(
        label=_("专业领域"),
        max_length=256,
        help_text=_("以顿号或逗号分隔，如 智能家电、装备制造；按主导产业匹配推荐专家"),
        error_messages={"required": _("请填写专业领域")},
    )
    organization = forms.CharField(label=_("工作单位"), max_length=128, required=False)
    active = forms.BooleanField(label=_("在库（可被分配评审）"), required=False, initial=True)


class RelationForm(forms.Form):
    county = forms.RegexField(
        label=_("县级行政区划代码"),
        regex=r"^\d{6}$",
        help_text=_("6 位数字，如 440606（佛山市顺德区）"),
        error_messages={
            "invalid": _("请填写 6 位数字的县级行政区划代码"),
            "required": _("请填写县级行政区划代码"),
        },
    )
    note = forms.CharField(
        label=_("利益关系说明"),
        max_length=256,
        help_text=_("如：曾在该县集群企业任职、持有股份、近亲属在该县主管部门工作"),
        error_messages={"required": _("请说明利益关系")},
    )


class AssignForm(forms.Form):
    """By hand: one of the experts the page offers (only those free of conflicts are offered)."""

    expert = forms.TypedChoiceField(label=_("专家"), coerce=int, error_messages={"required": _("请选择专家")})
    due_on = forms.DateField(label=_("评分截止"), required=False, widget=_DATE, error_messages=_DATE_ERRORS)

    def __init__(self, *args: Any, choices: list[Suggestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        expert = self.fields["expert"]
        assert isinstance(expert, forms.TypedChoiceField)
        expert.choices = [("", "—")] + [(each.expert.pk, each.label) for each in choices]


class BatchAssignForm(forms.Form):
    due_on = forms.DateField(label=_("评分截止"), required=False, widget=_DATE, error_messages=_DATE_ERRORS)

    def clean_due_on(self) -> Any:
        day = self.cleaned_data.get("due_on")
        if day is not None and day < timezone.localdate():
            raise ValidationError(_("评分截止日期不能早于今天（北京时间）"))
        return day


class DeclarationForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("利益冲突声明"),
        choices=[
            ("no", _("本人与该申报集群及其所在地不存在利益冲突")),
            ("yes", _("本人与该申报集群存在利益冲突，申请回避")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否存在利益冲突")},
    )
    note = forms.CharField(
        label=_("利益冲突说明"),
        required=False,
        max_length=256,
        help_text=_("申请回避时必须填写，如任职、持股、亲属关系"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("conflict") and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("请说明存在的利益冲突"))
        return cleaned


class ScoreForm(forms.Form):
    """Points and a comment per indicator; ``submit`` decides whether every one is required."""

    def __init__(
        self, *args: Any, indicators: list[Indicator], scores: dict[int, Score], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            score = scores.get(indicator.pk)
            self.fields[self.points_name(indicator)] = forms.DecimalField(
                label=_("得分（分）"),
                required=False,
                max_digits=6,
                decimal_places=2,
                min_value=Decimal(0),
                max_value=indicator.max_points,
                initial=score.points if score else None,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": str(indicator.max_points)}
                ),
                error_messages={
                    "min_value": _("得分不能为负数"),
                    "max_value": _("得分不能超过满分 %(limit_value)s 分"),
                    "max_decimal_places": _("得分最多保留两位小数"),
                    "invalid": _("请填写数字"),
                },
            )
            self.fields[self.comment_name(indicator)] = forms.CharField(
                label=_("评语"),
                required=False,
                max_length=2000,
                initial=score.comment if score else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def points_name(indicator: Indicator) -> str:
        return f"points_{indicator.pk}"

    @staticmethod
    def comment_name(indicator: Indicator) -> str:
        return f"comment_{indicator.pk}"

    @property
    def submitting(self) -> bool:
        return "submit" in self.data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.submitting:
            return cleaned
        for indicator in self.indicators:
            if (
                cleaned.get(self.points_name(indicator)) is None
                and self.points_name(indicator) not in self.errors
            ):
                self.add_error(self.points_name(indicator), _("请填写得分"))
            if not (cleaned.get(self.comment_name(indicator)) or "").strip():
                self.add_error(self.comment_name(indicator), _("请填写评语"))
        return cleaned

    def entries(self) -> dict[int, ScoreEntry]:
        return {
            indicator.pk: ScoreEntry(
                self.cleaned_data.get(self.points_name(indicator)),
                (self.cleaned_data.get(self.comment_name(indicator)) or "").strip(),
            )
            for indicator in self.indicators
        }
