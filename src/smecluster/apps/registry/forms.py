"""Forms of the recognition page and of the published list's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smecluster.apps.registry.services import RECOGNIZE, REJECT


class RecognitionForm(forms.Form):
    """A decision on the applications ticked in the table (one or dozens): recognize, or reject with a
    reason the counties will read."""

    applications = forms.TypedMultipleChoiceField(
        label=_("申报"),
        coerce=int,
        error_messages={"required": _("请先勾选申报"), "invalid_choice": _("所选申报不在待认定名单中")},
    )
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[(RECOGNIZE, _("认定")), (REJECT, _("不予认定"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择认定或不予认定")},
    )
    reason = forms.CharField(
        label=_("理由（不予认定时必填）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予认定的理由将通知申报县"),
    )

    def __init__(self, *args: Any, application_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(pk, str(pk)) for pk in application_ids]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不予认定须填写理由，申报县将收到这段话"))
        return cleaned


class ClusterFilterForm(forms.Form):
    """The published list's search and filters; the choices are the values the list holds."""

    q = forms.CharField(label=_("搜索（名称或产业）"), required=False, max_length=64)
    year = forms.TypedChoiceField(label=_("认定年度"), required=False, coerce=int, empty_value=None)
    city = forms.ChoiceField(label=_("所在市"), required=False)
    industry = forms.ChoiceField(label=_("主导产业"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    programme = forms.TypedChoiceField(label=_("认定项目"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[Any, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            self.fields[name].choices = [("", _("全部")), *options]

    def filters(self) -> dict[str, Any]:
        """The valid filters (an unknown value is ignored and marked at its field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name in self.fields
        }
