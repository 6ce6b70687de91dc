"""Forms of the roster pages: they parse; the service checks every row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smecluster.analytics.roster.reading import MAX_BYTES


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("企业名册文件（XLSX 或 CSV）"),
        help_text=_("请使用下载的模板；任何一行有错误时，整份名册都不会保存"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件大小 %(size)s 字节，超过上限 %(limit)s 字节"),
                params={"size": upload.size, "limit": MAX_BYTES},
            )
        return upload


class ClusterRosterUploadForm(RosterUploadForm):
    year = forms.TypedChoiceField(label=_("名册年度"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(year, str(year)) for year in years]
        self.order_fields(["year", "file"])


class RosterFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("名册年度"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("名册类别"),
        required=False,
        choices=[("", _("全部")), ("application", _("申报的名册")), ("cluster", _("已认定集群的名册"))],
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [("", _("全部年度")), *((year, str(year)) for year in years)]
