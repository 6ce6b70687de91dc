"""The report page's and the dashboard's choices, and the analyst's text blocks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smecluster.documents.evaluation_report import MAX_BLOCK_LENGTH, Block

FILTERABLE_FROM = 15
"""A scope list this long gets a filter box (the ministry's is about 370 entries: 全国, the provinces and
every city): ``site.js`` draws it from the ``data-filterable`` attribute. Without script the plain
``<select>`` still works."""


class ScopeYearForm(forms.Form):
    scope = forms.ChoiceField(label=_("报告范围"))
    year = forms.IntegerField(label=_("评估年度"), min_value=1949, max_value=2100)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = scopes
        if len(scopes) >= FILTERABLE_FROM:
            scope.widget.attrs.update(
                {
                    "data-filterable": "",
                    "data-filter-label": _("筛选报告范围"),
                    "data-filter-placeholder": _("输入名称或区划代码筛选"),
                    "data-filter-empty": _("没有匹配的范围"),
                }
            )


class ReportChooserForm(ScopeYearForm):
    """The report's programme (whose clusters), the scope within it and the year."""

    programme = forms.ChoiceField(label=_("认定项目"))

    field_order = ["programme", "scope", "year"]

    def __init__(self, *args: Any, programmes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ChoiceField)
        programme.choices = programmes


class DashboardFilterForm(ScopeYearForm):
    programme = forms.ChoiceField(label=_("认定项目"), required=False)
    city = forms.ChoiceField(label=_("市"), required=False)
    industry = forms.ChoiceField(label=_("主导产业"), required=False)

    def __init__(
        self,
        *args: Any,
        cities: list[tuple[str, str]],
        industries: list[str],
        programmes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        programme, city, industry = self.fields["programme"], self.fields["city"], self.fields["industry"]
        assert isinstance(programme, forms.ChoiceField)
        assert isinstance(city, forms.ChoiceField)
        assert isinstance(industry, forms.ChoiceField)
        # Empty: every programme's clusters in the scope, as the dashboard has always shown them.
        programme.choices = [("", _("全部")), *programmes]
        city.choices = [("", _("全部")), *cities]
        industry.choices = [("", _("全部")), *((name, name) for name in industries)]


class TextBlocksForm(forms.Form):
    """One text area per block of the report; an empty block prints the draft written from the figures."""

    def __init__(self, *args: Any, titles: dict[Block, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for block in Block:
            self.fields[block.value] = forms.CharField(
                label=titles[block],
                required=False,
                max_length=MAX_BLOCK_LENGTH,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
