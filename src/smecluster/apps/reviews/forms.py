"""The city's forms. They parse and check the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smecluster.apps.reviews.models import SpotCheck
from smecluster.policy.ruleset import Criterion

FINDING_CHOICES = [("pass", _("符合")), ("fail", _("不符合")), ("review", _("待定"))]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明需要县级修改或补充的内容，县级会在通知和申报页面看到这段话。"),
        error_messages={"required": _("请填写退回理由")},
        max_length=2000,
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise ValidationError(_("请填写退回理由"))
        return reason


class InitialReviewForm(forms.Form):
    """One finding and one note per criterion of the programme's rule set, and a conclusion."""

    conclusion = forms.CharField(
        label=_("初审结论"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写初审结论")},
        max_length=4000,
    )

    def __init__(
        self, *args: Any, criteria: list[Criterion], suggested: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        suggested = suggested or {}
        for criterion in criteria:
            self.fields[self.finding_name(criterion.id)] = forms.ChoiceField(
                label=_("意见"),
                choices=FINDING_CHOICES,
                initial=suggested.get(criterion.id, "review"),
                error_messages={
                    "required": _("请选择意见"),
                    "invalid_choice": _("意见须为符合、不符合或待定"),
                },
            )
            self.fields[self.note_name(criterion.id)] = forms.CharField(
                label=_("说明"), required=False, max_length=1000, widget=forms.TextInput()
            )

    @staticmethod
    def finding_name(criterion_id: str) -> str:
        return f"finding_{criterion_id}"

    @staticmethod
    def note_name(criterion_id: str) -> str:
        return f"note_{criterion_id}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for criterion in self.criteria:
            finding = cleaned.get(self.finding_name(criterion.id))
            note = (cleaned.get(self.note_name(criterion.id)) or "").strip()
            if finding == "fail" and not note:
                self.add_error(self.note_name(criterion.id), _("认定为不符合时，请说明理由"))
        return cleaned

    def findings(self) -> list[dict[str, str]]:
        """The findings in the form the service stores: ``[{criterion_id, status, note}]``."""
        return [
            {
                "criterion_id": criterion.id,
                "status": self.cleaned_data[self.finding_name(criterion.id)],
                "note": (self.cleaned_data.get(self.note_name(criterion.id)) or "").strip(),
            }
            for criterion in self.criteria
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.doc,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SpotCheckForm(forms.Form):
    checked_on = forms.DateField(
        label=_("抽查日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写抽查日期"), "invalid": _("请按 年-月-日 填写日期")},
    )
    inspectors = forms.CharField(
        label=_("检查人员"),
        max_length=256,
        help_text=_("姓名和单位，多人用顿号分隔"),
        error_messages={"required": _("请填写检查人员")},
    )
    findings = forms.CharField(
        label=_("发现的情况"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写发现的情况")},
    )
    conclusion = forms.ChoiceField(
        label=_("结论"),
        choices=[("", "—"), *SpotCheck.Conclusion.choices],
        error_messages={"required": _("请选择结论")},
    )
    # The stubs declare BaseForm.files (the request's uploads); the form's metaclass moves a declared field
    # off the class, so a field named ``files`` (the name the service's errors use) shadows nothing.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("现场照片和文件"),
        required=False,
        help_text=_("可多选；接受 JPG、PNG 图片和 PDF、Office/WPS 文档。页面报错后请重新选择文件。"),
    )

    def clean_checked_on(self) -> Any:
        day = self.cleaned_data["checked_on"]
        if day > timezone.localdate():
            raise ValidationError(_("抽查日期不能晚于今天（北京时间）"))
        return day


class RecommendForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("推荐意见"),
        choices=[("recommend", _("推荐至省级")), ("not_recommend", _("不予推荐"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择推荐或不予推荐")},
    )
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写理由")},
        max_length=4000,
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise ValidationError(_("请填写理由"))
        return reason

    @property
    def recommended(self) -> bool:
        return bool(self.cleaned_data["decision"] == "recommend")
