"""Forms of the recognition page, the published list's filter, and dynamic management (plan targets,
annual reports, re-reviews)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import filetype
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smecluster.annual_figures import FIGURE_DECIMAL_PLACES, FIGURE_MAX_DIGITS
from smecluster.apps.registry.metrics import metric_choices
from smecluster.apps.registry.models import AnnualReport, ReReview
from smecluster.apps.registry.services.recognition import RECOGNIZE, REJECT
from smecluster.documents.sheets import MAX_WORKBOOK_BYTES


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Choices known only when the form is made (the call's applications, the years on record)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    field.choices = choices


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
    valid_from = forms.DateField(
        label=_("有效期起（认定时）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("认定决定写明的有效期；起止都不填则按默认"),
    )
    valid_until = forms.DateField(
        label=_("有效期止（认定时）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, application_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "applications", [(pk, str(pk)) for pk in application_ids])

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
            _set_choices(self, name, [("", _("全部")), *options])

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


# --- dynamic management ----------------------------------------------------------------------------


class FigureKind(StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"
    COUNT = "count"
    FLAG = "flag"


@dataclass(frozen=True)
class FigureField:
    """One input of the annual figures: its path in the ``AnnualFigures`` document, label, unit, kind."""

    path: str
    label: Any
    unit: str
    kind: FigureKind
    group: Any
    required: bool = False

    @property
    def name(self) -> str:
        return self.path.replace(".", "__")


_SCALE, _FIRMS, _INNOVATION, _DIGITAL, _GREEN, _OPEN, _GOVERN = (
    _("规模与效益"), _("企业梯队"), _("创新能力"), _("数字化"), _("绿色低碳"), _("开放合作"), _("治理与服务"),
)  # fmt: skip
A, P, C, F = FigureKind.AMOUNT, FigureKind.PERCENT, FigureKind.COUNT, FigureKind.FLAG
FIGURE_FIELDS = (
    FigureField("figures.output", _("集群总产值"), "亿元", A, _SCALE, required=True),
    FigureField("figures.leading_output", _("主导产业产值"), "亿元", A, _SCALE),
    FigureField("figures.sme_output", _("中小企业产值"), "亿元", A, _SCALE),
    FigureField("figures.employees", _("从业人员"), "人", C, _SCALE),
    FigureField("firms", _("集群企业数"), "家", C, _FIRMS),
    FigureField("sme_firms", _("其中中小企业数"), "家", C, _FIRMS),
    FigureField("quality_firms.champion", _("制造业单项冠军企业"), "家", C, _FIRMS),
    FigureField("quality_firms.little_giant", _("专精特新“小巨人”企业"), "家", C, _FIRMS),
    FigureField("quality_firms.specialized", _("专精特新中小企业"), "家", C, _FIRMS),
    FigureField("quality_firms.innovative", _("创新型中小企业"), "家", C, _FIRMS),
    FigureField("quality_firms.high_tech", _("高新技术企业"), "家", C, _FIRMS),
    FigureField("rnd", _("集群企业研发经费支出合计"), "亿元", A, _INNOVATION),
    FigureField("figures.sme_rnd", _("中小企业研发经费"), "亿元", A, _INNOVATION),
    FigureField("figures.invention_patents", _("有效发明专利"), "件", C, _INNOVATION),
    FigureField("platforms_national", _("国家级创新平台数"), "个", C, _INNOVATION),
    FigureField("platforms_provincial", _("省级及以下创新平台数"), "个", C, _INNOVATION),
    FigureField("standards", _("主导或参与制修订标准数（当年）"), "项", C, _INNOVATION),
    FigureField("tech_roadmap", _("已制定产业技术路线图"), "", F, _INNOVATION),
    FigureField("challenge_firms", _("参与“揭榜挂帅”等攻关任务的企业数"), "家", C, _INNOVATION),
    FigureField("figures.iip_penetration", _("工业互联网平台应用普及率"), "%", P, _DIGITAL),
    FigureField("cloud_adoption", _("企业上云率"), "%", P, _DIGITAL),
    FigureField("digital_service_coverage", _("数字化转型服务覆盖企业比例"), "%", P, _DIGITAL),
    FigureField("new_model_projects", _("智能制造等国家级新模式新业态项目数"), "个", C, _DIGITAL),
    FigureField("figures.co2_intensity", _("二氧化碳排放强度"), "吨/万元", A, _GREEN),
    FigureField("figures.non_fossil_share", _("非化石能源消费比重"), "%", P, _GREEN),
    FigureField("green_services", _("开展绿色低碳服务次数"), "次", C, _GREEN),
    FigureField("solid_waste_utilisation", _("工业固体废物综合利用率"), "%", P, _GREEN),
    FigureField("water_reuse", _("工业用水重复利用率"), "%", P, _GREEN),
    FigureField("exports", _("出口交货值"), "亿元", A, _OPEN),
    FigureField("international_events", _("举办或参加国际性交流合作活动数"), "次", C, _OPEN),
    FigureField("promotion_body", _("已建立集群发展促进机构"), "", F, _GOVERN),
    FigureField("rights_protection", _("已建立中小企业权益保护机制"), "", F, _GOVERN),
    FigureField("public_service_assessed", _("已开展公共服务评价"), "", F, _GOVERN),
    FigureField("service_coverage", _("公共服务覆盖集群企业比例"), "%", P, _GOVERN),
    FigureField(
        "full_service",
        _("集群促进机构能提供信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等全方位服务"),
        "",
        F,
        _GOVERN,
    ),
)
FIGURE_BY_PATH = {field.path: field for field in FIGURE_FIELDS}


def _lookup(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class FiguresForm(forms.Form):
    """The annual figures, one input per :data:`FIGURE_FIELDS`, each labelled with its unit. The form only
    parses; the document is judged by ``AnnualFigures`` in the service, whose problems come back here."""

    def __init__(self, *args: Any, document: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in FIGURE_FIELDS:
            label = f"{spec.label}（{spec.unit}）" if spec.unit else str(spec.label)
            if spec.kind == FigureKind.FLAG:
                field: forms.Field = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    choices=[("", _("未填")), ("true", _("是")), ("false", _("否"))],
                    coerce=lambda value: value == "true",
                    empty_value=None,
                )
            elif spec.kind == FigureKind.COUNT:
                field = forms.IntegerField(label=label, required=spec.required, min_value=0)
            else:
                field = forms.DecimalField(
                    label=label,
                    required=spec.required,
                    min_value=0,
                    max_value=100 if spec.kind == FigureKind.PERCENT else None,
                    # The workbook import holds to the same two numbers (annual_figures).
                    max_digits=FIGURE_MAX_DIGITS,
                    decimal_places=FIGURE_DECIMAL_PLACES,
                )
            field.group = spec.group  # type: ignore[attr-defined]
            self.fields[spec.name] = field
            if document is not None and not self.is_bound:
                value = _lookup(document, spec.path)
                if value is not None:
                    self.initial[spec.name] = (
                        ("true" if value else "false") if spec.kind == FigureKind.FLAG else value
                    )

    def document(self) -> dict[str, Any]:
        """The cleaned values as an ``AnnualFigures`` document (absent figures left out)."""
        document: dict[str, Any] = {"figures": {}, "quality_firms": {}}
        for spec in FIGURE_FIELDS:
            value = self.cleaned_data.get(spec.name)
            if value is None:
                continue
            head, _dot, tail = spec.path.partition(".")
            if tail:
                document[head][tail] = value
            else:
                document[head] = value
        return document

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        grouped: dict[str, tuple[Any, list[forms.BoundField]]] = {}
        for spec in FIGURE_FIELDS:
            grouped.setdefault(str(spec.group), (spec.group, []))[1].append(self[spec.name])
        return list(grouped.values())


class NarrativeForm(forms.Form):
    work_done = forms.CharField(
        label=_("年度工作开展情况"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("提交前必填：本年度围绕发展规划开展的主要工作"),
    )
    experience = forms.CharField(
        label=_("主要经验做法"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label=_("存在的问题"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    measures = forms.CharField(
        label=_("下一步措施"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )


class TargetNotesForm(forms.Form):
    """One note per plan target on the year's progress (the achieved value is computed, not typed)."""

    def __init__(self, *args: Any, targets: list[Any], notes: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for target in targets:
            self.fields[f"target_{target.pk}"] = forms.CharField(
                label=str(target.pk),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial[f"target_{target.pk}"] = notes.get(str(target.pk), "")

    def notes(self) -> dict[int, str]:
        return {int(name.removeprefix("target_")): value for name, value in self.cleaned_data.items()}


class PlanTargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("指标"), choices=metric_choices)
    baseline_year = forms.IntegerField(label=_("基准年"), min_value=1949, max_value=2100)
    baseline_value = forms.DecimalField(label=_("基准值"), max_digits=16, decimal_places=4)
    target_value = forms.DecimalField(label=_("目标值"), max_digits=16, decimal_places=4)
    target_year = forms.IntegerField(label=_("目标年"), min_value=1949, max_value=2100)
    note = forms.CharField(label=_("说明"), required=False, max_length=255)


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("报告年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *AnnualReport.Status.choices]
    )
    late = forms.ChoiceField(
        label=_("报送情况"),
        required=False,
        choices=[
            ("", _("全部")),
            ("late", _("逾期报送")),
            ("overdue", _("曾被标记逾期")),
            ("on_time", _("按时报送")),
        ],
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "year", [("", _("全部")), *((year, str(year)) for year in years)])

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ReportWorkbookForm(forms.Form):
    """A filled annual-report workbook. The content decides whether it is an XLSX workbook, never its name;
    what it holds is checked afterwards, field by field, as the figures form's input is."""

    file = forms.FileField(
        label=_("填好的年度培育情况信息表（XLSX）"),
        help_text=_("请使用本页下载的工作簿填写；有任何错误时不保存任何内容"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(
                _("文件大小 %(size)s 字节，超过上限 %(limit)s 字节"),
                params={"size": upload.size, "limit": MAX_WORKBOOK_BYTES},
            )
        kind = filetype.guess(upload.read(8192))
        upload.seek(0)
        if kind is None or kind.extension != "xlsx":
            raise forms.ValidationError(
                _("该文件的内容不是 Excel 工作簿（.xlsx），请使用本页下载的工作簿填写")
            )
        return upload


class RegisterFileForm(forms.Form):
    """A past recognition list (XLSX or CSV); what it holds is checked row by row by the import."""

    file = forms.FileField(
        label=_("历史认定名单（XLSX 或 CSV）"),
        help_text=_("按模板的列填写；CSV 可为 UTF-8 或 GB18030 编码。先校验并预览，确认后才导入"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(limit)s MB 的上限"),
                params={"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            )
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("复核申请说明"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("三年来的培育成效、发展规划目标完成情况及未完成的原因"),
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("复核结论"), choices=ReReview.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AssessmentForm(forms.Form):
    """The owner's yearly assessment: a grade of the programme's criteria and the findings."""

    grade = forms.ChoiceField(label=_("考核等次"), widget=forms.RadioSelect)
    findings = forms.CharField(
        label=_("考核意见"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("发展规划执行情况、目标进展、存在的问题和改进要求；等次与建议等次不同时说明理由"),
    )

    def __init__(self, *args: Any, grades: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(grade, grade) for grade in grades]


class RecognitionNoticeForm(forms.Form):
    """The 文号 and 成文日期 of a call's recognition notice, entered when it is issued."""

    number = forms.CharField(
        label=_("文号"),
        max_length=64,
        help_text=_("如 粤工信融资函〔2025〕12号：机关代字、六角括号括入的年份、序号和“号”"),
        error_messages={"required": _("请填写文号")},
    )
    dated = forms.DateField(
        label=_("成文日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写成文日期"), "invalid": _("请填写有效的日期")},
    )
