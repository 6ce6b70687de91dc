"""The application's forms: one per tab, each validated at the field so nothing entered is lost.

A tab (:class:`TabForms`) is a form for the application's own fields, a formset of rows (yearly figures,
incidents or plan targets), or both. The forms only check input; the service
(``application_save_tab``) writes it, in one transaction with its audit event.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError as PydanticValidationError

from smecluster.apps.accounts.models import DevelopmentZone, Role, User
from smecluster.apps.applications.models import (
    INCIDENT_KIND_LABELS,
    Application,
    ApplicationYear,
    DeclaredPlanTarget,
    Incident,
    Section,
)
from smecluster.apps.applications.profiles import QUALITY_FIELDS, YEAR_FIELDS
from smecluster.apps.applications.workflow import Status
from smecluster.apps.programmes.models import PoolEntry, YearlyCall
from smecluster.policy.ruleset import firm_counted_title_sets, rule_set
from smecluster.profile import GRADED_KINDS, INCIDENT_LEVELS, IncidentKind, QualityFirms, validation_problems
from smecluster.reference.divisions import (
    PLACE_CODE_DIGITS,
    division,
    validate_county_code,
    validate_place_code,
)
from smecluster.site.wording import listing

NARRATIVE_SECTIONS = (
    Section.SUPPLY_CHAIN, Section.INNOVATION, Section.DIGITAL, Section.GREEN, Section.OPENNESS,
    Section.GOVERNANCE,
)  # fmt: skip
BASICS_FIELDS = (
    "name", "other_counties", "places", "development_zone", "leading_industry", "leading_industry_code",
    "area_km2", "energy_intensive", "water_intensive", "energy_efficiency_better_than_benchmark",
    "water_efficiency_better_than_benchmark", "operating_agency", "contact_person", "contact_phone",
)  # fmt: skip

_INDUSTRY_CODE = re.compile(r"^[A-T]?[0-9]{2}([0-9]{1,2})?$")  # as the cluster profile's schema has it
_PHONE = re.compile(r"^[0-9+\-—() （）]{7,32}$")
_CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def figure_years(call: YearlyCall) -> list[int]:
    """The years the call judges (:attr:`YearlyCall.judged_years`)."""
    return call.judged_years


def target_years(call: YearlyCall) -> list[int]:
    """The years a 3-year development plan's targets may fall in: the three after the call year."""
    return [call.year + 1, call.year + 2, call.year + 3]


# --- a new application ---------------------------------------------------------------------------


class NewApplicationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("集群名称"),
        max_length=128,
        help_text=gettext_lazy("如：佛山市顺德区智能家电产业集群"),
    )
    leading_industry = forms.CharField(label=gettext_lazy("主导产业"), max_length=64)
    pool_entry = forms.ModelChoiceField(
        label=gettext_lazy("培育库中的集群"), queryset=PoolEntry.objects.none(), required=False
    )

    def __init__(self, *args: Any, call: YearlyCall, entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[PoolEntry]", self.fields["pool_entry"])
        field.queryset = entries
        field.required = call.programme.pool_required
        if call.programme.pool_required:
            field.error_messages["required"] = _("该认定项目须从培育库中申报：请选择本县在培育库中的集群")
            field.help_text = (
                _("该认定项目只接受已列入市级培育库的集群")
                if entries.exists()
                else _("本县在所属市的培育库中还没有集群，暂不能申报该项目；请联系市级主管部门")
            )
        elif not entries.exists():
            del self.fields["pool_entry"]


# --- the tabs ------------------------------------------------------------------------------------


def _plain_initial(initial: MutableMapping[str, Any]) -> None:
    """Show stored figures as written (48.4, not 48.4000): the columns keep four decimal places."""
    for name, value in initial.items():
        if isinstance(value, Decimal):
            initial[name] = _plain_number(value)


class _TabForm(forms.ModelForm[Application]):
    """A tab's fields of the application. Bind it to a fresh copy: validation writes to its instance."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_initial(self.initial)

    def values(self) -> dict[str, Any]:
        """The application's fields this tab sets, from the cleaned data."""
        return {name: self.cleaned_data[name] for name in self.fields}


class BasicsForm(_TabForm):
    other_counties = forms.CharField(
        label=gettext_lazy("跨县的其他县级区划"),
        required=False,
        help_text=gettext_lazy("跨县集群时填写其他县级区划的六位代码（GB/T 2260），多个用逗号或空格分隔"),
    )

    places = forms.CharField(
        label=gettext_lazy("所在镇（街道）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "每行一个：九位统计用区划代码和名称，如“441900005 万江街道”；不设区的地级市（东莞、中山、儋州、"
            "嘉峪关）申报时必填"
        ),
    )

    class Meta:
        model = Application
        fields = BASICS_FIELDS
        help_texts = {
            "leading_industry_code": gettext_lazy("GB/T 4754-2017 代码，如 C38 或 3854"),
            "area_km2": gettext_lazy("单位：km²（平方公里）"),
            "energy_efficiency_better_than_benchmark": gettext_lazy("属于高耗能行业时填写"),
            "water_efficiency_better_than_benchmark": gettext_lazy("属于高用水行业时填写"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["other_counties"] = "、".join(self.instance.other_counties or [])
            self.initial["places"] = "\n".join(
                f"{place['code']} {place['name']}" for place in self.instance.places or []
            )
        zone_field = self.fields["development_zone"]
        if isinstance(zone_field, forms.ModelChoiceField):
            # Only the zones that span the declaring county: a zone elsewhere cannot hold its cluster.
            zone_field.queryset = DevelopmentZone.objects.filter(counties=self.instance.county_id)

    def clean_places(self) -> list[dict[str, str]]:
        places: list[dict[str, str]] = []
        problems = []
        for line in str(self.cleaned_data["places"]).splitlines():
            code, _sep, name = line.strip().partition(" ")
            if not code:
                continue
            counties = [self.instance.county_id, *(self.instance.other_counties or [])]
            county = code[:6] if code[:6] in counties else self.instance.county_id
            if validate_place_code(code, county) is None:
                pass
            elif not (code.isascii() and code.isdigit() and len(code) == PLACE_CODE_DIGITS):
                problems.append(_("“%(code)s”不是镇（街道）的统计用区划代码：应为九位数字") % {"code": code})
                continue
            elif code[:6] != county:
                problems.append(
                    _("%(code)s 不在申报县（%(county)s）内：前六位应为申报县的区划代码")
                    % {"code": code, "county": county}
                )
                continue
            else:
                problems.append(_("%(code)s 是县级区划本身，请填写镇（街道）的代码") % {"code": code})
                continue
            if not name.strip():
                problems.append(_("%(code)s：请填写镇（街道）名称") % {"code": code})
            else:
                places.append({"code": code, "name": name.strip()})
        codes = [place["code"] for place in places]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            problems.append(_("重复填写：%(codes)s") % {"codes": listing(repeated)})
        if problems:
            raise ValidationError(problems)
        return places

    def clean_other_counties(self) -> list[str]:
        text = str(self.cleaned_data["other_counties"]).strip()
        codes = [code for code in _CODE_SEPARATORS.split(text) if code]
        problems = []
        for code in codes:
            if validate_county_code(code) is None:
                continue
            found = division(code)
            if not (code.isascii() and code.isdigit() and len(code) == 6):
                problems.append(_("“%(code)s”不是区划代码：GB/T 2260 代码为六位数字") % {"code": code})
            elif found is None:
                problems.append(_("%(code)s 不是现行的 GB/T 2260 区划代码") % {"code": code})
            else:
                problems.append(
                    _("%(code)s 是%(name)s，不是县级行政区划") % {"code": code, "name": found.name}
                )
        if self.instance.county_id in codes:
            problems.append(_("%(code)s 是申报县本身，不必重复填写") % {"code": self.instance.county_id})
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            problems.append(_("重复填写：%(codes)s") % {"codes": listing(repeated)})
        if problems:
            raise ValidationError(problems)
        return codes

    def clean_leading_industry_code(self) -> str:
        code = str(self.cleaned_data["leading_industry_code"]).strip().upper()
        if code and not _INDUSTRY_CODE.match(code):
            raise ValidationError(
                _("不是 GB/T 4754-2017 行业代码：可带门类字母，加 2 至 4 位数字，如 C38 或 3854")
            )
        return code

    def clean_contact_phone(self) -> str:
        phone = str(self.cleaned_data["contact_phone"]).strip()
        if phone and not _PHONE.match(phone):
            raise ValidationError(_("请填写有效的电话号码，如 0757-22381234 或 13800138000"))
        return phone


class QualityForm(_TabForm):
    """The firms holding each title, and for each set of titles the programme's rule set counts together
    by firm (不少于10家…), the firms holding any of them: a firm holding two of the titles is one 家, which
    the per-title counts cannot show."""

    HOLDERS_PREFIX = "holders__"

    class Meta:
        model = Application
        fields = QUALITY_FIELDS
        help_texts = {field: gettext_lazy("单位：家；同一企业只计一次") for field in QUALITY_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title_sets = firm_counted_title_sets(rule_set(self.instance.call.programme.rule_set_id))
        stated = {frozenset(entry["titles"]): entry["firms"] for entry in self.instance.quality_holders}
        for titles in self.title_sets:
            name = self.HOLDERS_PREFIX + "__".join(titles)
            self.fields[name] = forms.IntegerField(
                label=_("持有%(titles)s任一称号的企业（家）")
                % {"titles": listing(str(self.fields[title].label).split("（")[0] for title in titles)},
                min_value=0,
                required=False,
                help_text=gettext_lazy("每家企业只计一次：同时持有其中两项称号的企业算一家"),
            )
            if not self.is_bound:
                self.initial[name] = stated.get(frozenset(titles))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        holders: list[dict[str, Any]] = []
        entry_fields: list[str] = []  # the form field each entry of ``holders`` came from
        for titles in self.title_sets:
            name = self.HOLDERS_PREFIX + "__".join(titles)
            if cleaned.get(name) is not None:
                holders.append({"titles": list(titles), "firms": cleaned[name]})
                entry_fields.append(name)
        counts = {title: cleaned.get(title) for title in QUALITY_FIELDS}
        try:
            # The profile's own check: no fewer firms than hold one title, no more than all holdings.
            QualityFirms.model_validate({**counts, "holding_any": holders})
        except PydanticValidationError as error:
            for problem in validation_problems(error):
                entry = re.search(r"holding_any\[([0-9]+)\]", problem.field)
                field = entry_fields[int(entry.group(1))] if entry else None
                self.add_error(field, _("与各称号的企业数不符：%(problem)s") % {"problem": problem.message})
        cleaned["quality_holders"] = holders
        return cleaned

    def values(self) -> dict[str, Any]:
        return {
            **{name: self.cleaned_data[name] for name in QUALITY_FIELDS},
            "quality_holders": self.cleaned_data["quality_holders"],
        }


def narrative_form_class(section: Section) -> type[_TabForm]:
    class NarrativeForm(_TabForm):
        class Meta:
            model = Application
            fields = [section.value]
            widgets = {section.value: forms.Textarea(attrs={"rows": 12})}

    return NarrativeForm


class PlanSummaryForm(_TabForm):
    class Meta:
        model = Application
        fields = ["plan_summary"]
        widgets = {"plan_summary": forms.Textarea(attrs={"rows": 8})}


class YearForm(forms.ModelForm[ApplicationYear]):
    """The figures of one fixed year: the year comes from the call, never from the browser."""

    class Meta:
        model = ApplicationYear
        fields = YEAR_FIELDS

    def __init__(self, *args: Any, year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        if year is not None:
            self.instance.year = year
        _plain_initial(self.initial)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        output = cleaned.get("output")
        if output is None or output < 0:  # the output's own message says what is wrong
            return cleaned
        for part in ("sme_output", "leading_output"):
            value = cleaned.get(part)
            if value is not None and output is not None and value > output:
                self.add_error(
                    part,
                    _("%(part)s 亿元超过了集群总产值 %(output)s 亿元")
                    % {"part": _plain_number(value), "output": _plain_number(output)},
                )
        return cleaned

    def row(self) -> dict[str, Any]:
        return {"year": self.year, **{field: self.cleaned_data.get(field) for field in YEAR_FIELDS}}


class _YearFormSet(forms.BaseFormSet[YearForm]):
    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        self.years = years
        self.existing = kwargs.pop("existing", {})
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.years):
            year = self.years[index]
            kwargs["year"] = year
            kwargs["instance"] = self.existing.get(year) or ApplicationYear(year=year)
        return kwargs


def year_formset(application: Application, data: Any = None) -> _YearFormSet:
    years = figure_years(application.call)
    # formset_factory returns a subclass of ``formset``; the stubs only say BaseFormSet.
    formset_class = cast(
        type[_YearFormSet],
        forms.formset_factory(
            YearForm,
            formset=_YearFormSet,
            extra=0,
            min_num=len(years),
            max_num=len(years),
            validate_min=True,
            validate_max=True,
        ),
    )
    existing = {row.year: row for row in application.years.all()}
    return formset_class(data, prefix="years", years=years, existing=existing)


class IncidentForm(forms.ModelForm[Incident]):
    class Meta:
        model = Incident
        fields = ["date", "kind", "level", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["level"].help_text = _("安全、质量、环境事故和网络、数据安全事件须填写")

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        if day > self.today:
            raise ValidationError(_("发生日期不能晚于今天（%(today)s）") % {"today": self.today})
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind = cleaned.get("kind")
        if kind is not None and kind in GRADED_KINDS and not cleaned.get("level"):
            self.add_error(
                "level",
                _("%(kind)s须填写等级：%(levels)s")
                % {
                    "kind": INCIDENT_KIND_LABELS[IncidentKind(kind)],
                    "levels": listing(INCIDENT_LEVELS),
                },
            )
        return cleaned


class TargetForm(forms.ModelForm[DeclaredPlanTarget]):
    class Meta:
        model = DeclaredPlanTarget
        fields = ["indicator", "unit", "baseline", "target_value", "target_year"]
        help_texts = {"unit": gettext_lazy("如 亿元、%、家、件、人")}

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        _plain_initial(self.initial)

    def clean_target_year(self) -> int:
        year: int = self.cleaned_data["target_year"]
        if year not in self.years:
            raise ValidationError(
                _("目标年份须在申报年度之后的三年内（%(first)s—%(last)s 年）")
                % {"first": self.years[0], "last": self.years[-1]}
            )
        return year


def _row_formset(form_class: type[forms.ModelForm[Any]], *, extra: int) -> type[forms.BaseFormSet[Any]]:
    return forms.formset_factory(form_class, extra=extra, can_delete=True, max_num=50, validate_max=True)


def incident_formset(application: Application, today: date, data: Any = None) -> forms.BaseFormSet[Any]:
    formset_class = _row_formset(IncidentForm, extra=1)
    initial = [
        {"date": row.date, "kind": row.kind, "level": row.level, "note": row.note}
        for row in application.incidents.all()
    ]
    return formset_class(data, prefix="incidents", initial=initial, form_kwargs={"today": today})


def target_formset(application: Application, data: Any = None) -> forms.BaseFormSet[Any]:
    formset_class = _row_formset(TargetForm, extra=2)
    initial = [
        {
            "indicator": row.indicator,
            "unit": row.unit,
            "baseline": row.baseline,
            "target_value": row.target_value,
            "target_year": row.target_year,
        }
        for row in application.targets.all()
    ]
    return formset_class(
        data, prefix="targets", initial=initial, form_kwargs={"years": target_years(application.call)}
    )


def _kept_rows(formset: forms.BaseFormSet[Any], fields: list[str]) -> list[dict[str, Any]]:
    """The rows to store: filled in and not marked for deletion (a blank extra row is no row)."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append({field: data.get(field) for field in fields})
    return rows


@dataclass
class TabForms:
    """What one tab shows and saves: a form for the application's fields and/or a formset of rows."""

    section: Section
    form: _TabForm | None = None
    formset: forms.BaseFormSet[Any] | None = None
    rows_kind: str | None = None

    def is_valid(self) -> bool:
        results = [part.is_valid() for part in (self.form, self.formset) if part is not None]
        return all(results)

    def fields(self) -> dict[str, Any]:
        if self.form is None:
            return {}
        return self.form.values()

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        if self.formset is None or self.rows_kind is None:
            return {}
        if self.rows_kind == "years":
            return {"years": [form.row() for form in self.formset.forms]}
        return {self.rows_kind: _kept_rows(self.formset, list(self.formset.form._meta.fields))}

    @property
    def has_errors(self) -> bool:
        form_errors = self.form is not None and self.form.is_bound and bool(self.form.errors)
        rows_errors = (
            self.formset is not None and self.formset.is_bound and self.formset.total_error_count() > 0
        )
        return form_errors or rows_errors

    def year_grid(self) -> dict[str, Any]:
        """The figures tab as a person reads it: one row per figure, one column per year."""
        if self.rows_kind != "years" or self.formset is None:
            return {}
        year_forms = self.formset.forms
        return {
            "years": [form.year for form in year_forms],
            "rows": [
                {"label": year_forms[0][field].label, "cells": [form[field] for form in year_forms]}
                for field in YEAR_FIELDS
            ]
            if year_forms
            else [],
        }

    def add_error(self, error: ValidationError) -> None:
        """A refusal from the service (the model's own checks) shown on the form."""
        if self.form is not None:
            known = set(self.form.fields)
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.form.add_error(field if field in known else None, errors)
                return
            self.form.add_error(None, error)
        elif self.formset is not None:
            self.formset.non_form_errors().extend(error.messages)


def tab_forms(section: Section, application: Application, *, today: date, data: Any = None) -> TabForms:
    """The forms of one tab, bound to ``data`` (a POST) or showing what is stored."""
    fresh = Application.objects.get(pk=application.pk)  # forms write to their instance while validating
    if section == Section.BASICS:
        return TabForms(section, form=BasicsForm(data, instance=fresh))
    if section == Section.QUALITY:
        return TabForms(section, form=QualityForm(data, instance=fresh))
    if section in NARRATIVE_SECTIONS:
        return TabForms(section, form=narrative_form_class(section)(data, instance=fresh))
    if section == Section.FIGURES:
        return TabForms(section, formset=year_formset(application, data), rows_kind="years")
    if section == Section.SAFETY:
        return TabForms(section, formset=incident_formset(application, today, data), rows_kind="incidents")
    if section == Section.PLAN:
        return TabForms(
            section,
            form=PlanSummaryForm(data, instance=fresh),
            formset=target_formset(application, data),
            rows_kind="targets",
        )
    raise ValueError(f"no county tab for section {section}")


# --- evidence, the list filter -------------------------------------------------------------------


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("佐证材料文件"),
        help_text=gettext_lazy("PDF、JPG、PNG 或 Office/WPS 文档"),
    )


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", gettext_lazy("全部")), *Status.choices]
    )
    call = forms.ModelChoiceField(
        label=gettext_lazy("年度申报"),
        queryset=YearlyCall.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部"),
    )

    def __init__(self, *args: Any, calls: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[YearlyCall]", self.fields["call"]).queryset = calls


def _plain_number(value: Any) -> str:
    """48.4000 → 48.4, 100.0000 → 100: a figure as a person writes it."""
    return format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


class OperatorBindingForm(forms.Form):
    """The county officer adds or removes an operator account of its county (an application's or a
    recognized cluster's page). The choices are the county's active operator accounts; the service checks
    again (``permissions.can_operate_in``)."""

    operator = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("运营管理机构账号"))
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, county: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operator = cast(forms.ModelChoiceField[User], self.fields["operator"])
        operator.queryset = User.objects.filter(
            role=Role.OPERATOR, jurisdiction_id=county, is_active=True
        ).order_by("username")


class PledgeForm(forms.Form):
    """The declaring department's 承诺书 signed on submission: the programme's text above, who signs it."""

    pledge_signer_name = forms.CharField(label=gettext_lazy("承诺人姓名"), max_length=64, required=False)
    pledge_signer_position = forms.CharField(
        label=gettext_lazy("承诺人职务"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("如：区工业和信息化局局长"),
    )
