"""The figures of a recognized cluster's annual information form (年度培育情况信息表), as a typed model.

One form per cluster and reported year, filed by 31 March of the next year (the due day is the rule set's).
It carries the profile's yearly figures for the reported year (the same ``Year`` model as the cluster
profile, so eligibility at re-review and the figures of the monitoring report read one shape) and the
monitoring figures the yearly evaluation report needs (DOMAIN.md §7: firms, innovation, digital, green,
openness, governance). Narrative parts (work done, experience, problems and measures) and plan-target
progress are kept by the annual-report records themselves, not here.

Every field names its unit in its description; absent means "not reported", never zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import Field, StrictBool, ValidationError, field_validator, model_validator

from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Text as _
from smecluster.profile import Amount, Count, Percent, QualityFirms, Year, _Strict, at, validation_problems

ANNUAL_FIGURES_SCHEMA = 1

FIGURE_MAX_DIGITS = 16
FIGURE_DECIMAL_PLACES = 4
"""How an amount or percentage of the form may be written: at most 16 digits, 4 of them after the point (the
page's inputs and the report's stored figures). The page and the workbook import hold to these same two
numbers, so 1e30 亿元 is refused by both."""


class AnnualFigures(_Strict):
    """What one annual information form reports about one complete calendar year."""

    schema_: int = Field(ANNUAL_FIGURES_SCHEMA, alias="schema", description="format version, 1")
    year: int = Field(ge=1949, le=2100, description="the reported calendar year")
    figures: Year = Field(description="the cluster profile's yearly figures for the reported year")
    quality_firms: QualityFirms = Field(description="distinct firms holding each title at year end")

    # Firms
    firms: Count | None = Field(None, description="集群企业数, 家")
    sme_firms: Count | None = Field(None, description="其中中小企业数, 家")

    # Innovation
    rnd: Amount | None = Field(
        None, description="集群企业研发经费支出合计, 亿元 (all firms; figures.sme_rnd is the SMEs' part)"
    )
    platforms_national: Count | None = Field(None, description="国家级创新平台数, 个")
    platforms_provincial: Count | None = Field(None, description="省级及以下创新平台数, 个")
    standards: Count | None = Field(None, description="主导或参与制修订标准数（当年）, 项")
    # CESI's 创新 items (seed 004: "制定了技术路线图…通过“揭榜挂帅”等机制来激励创新")
    tech_roadmap: StrictBool | None = Field(None, description="已制定产业技术路线图")
    challenge_firms: Count | None = Field(None, description="参与“揭榜挂帅”等攻关任务的企业数, 家")

    # Digital
    cloud_adoption: Percent | None = Field(None, description="企业上云率, %")
    digital_service_coverage: Percent | None = Field(None, description="数字化转型服务覆盖企业比例, %")
    new_model_projects: Count | None = Field(None, description="智能制造等国家级新模式新业态项目数, 个")

    # Green
    green_services: Count | None = Field(None, description="开展绿色低碳服务次数, 次")
    solid_waste_utilisation: Percent | None = Field(None, description="工业固体废物综合利用率, %")
    water_reuse: Percent | None = Field(None, description="工业用水重复利用率, %")

    # Openness
    exports: Amount | None = Field(None, description="出口交货值, 亿元")
    international_events: Count | None = Field(None, description="举办或参加国际性交流合作活动数, 次")

    # Governance
    promotion_body: StrictBool | None = Field(None, description="已建立集群发展促进机构")
    rights_protection: StrictBool | None = Field(None, description="已建立中小企业权益保护机制")
    public_service_assessed: StrictBool | None = Field(None, description="已开展公共服务评价")
    service_coverage: Percent | None = Field(None, description="公共服务覆盖集群企业比例, %")
    # CESI: "具备信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等全栈服务能力"
    full_service: StrictBool | None = Field(
        None,
        description="集群促进机构能提供信息服务、人员培训、创业辅导、创新支持、投融资、管理咨询和政策宣贯等全方位服务",
    )

    def as_document(self) -> dict[str, Any]:
        """The figures as a JSON document that reads back through :func:`parse_annual_figures`: aliases,
        absent figures left out, and amounts as JSON numbers (``model_dump(mode="json")`` writes a Decimal
        as a string, which the strict number fields refuse on the way back in)."""
        document: dict[str, Any] = _numbers(self.model_dump(mode="python", by_alias=True, exclude_none=True))
        return document

    @field_validator("schema_", mode="before")
    @classmethod
    def _known_schema(cls, value: Any) -> Any:
        if value != ANNUAL_FIGURES_SCHEMA:
            raise ValueError(_("须为 %(schema)s", schema=ANNUAL_FIGURES_SCHEMA))
        return value

    @model_validator(mode="after")
    def _coherent(self) -> AnnualFigures:
        problems = coherence_problems(self.model_dump(by_alias=True))
        if problems:
            raise ValueError(at(problems[0].field, problems[0].message))
        return self


def coherence_problems(document: Mapping[str, Any]) -> list[Problem]:
    """The form's cross-field checks on whatever numbers ``document`` holds. The model runs them once every
    field is valid; a reader runs them as well when some field is not, so that a file's problems are all
    told at once rather than one layer per upload."""
    figures = document.get("figures")
    figures = figures if isinstance(figures, Mapping) else {}
    problems = []
    year, figures_year = _number(document.get("year")), _number(figures.get("year"))
    if year is not None and figures_year is not None and figures_year != year:
        problems.append(
            Problem(
                "figures.year", _("%(year)s 不是所填报的年度 %(reported)s", year=figures_year, reported=year)
            )
        )
    firms, sme_firms = _number(document.get("firms")), _number(document.get("sme_firms"))
    if firms is not None and sme_firms is not None and sme_firms > firms:
        problems.append(
            Problem(
                "sme_firms",
                _("中小企业数 %(smes)s 家超过了集群企业数 %(firms)s 家", smes=sme_firms, firms=firms),
            )
        )
    challenge_firms = _number(document.get("challenge_firms"))
    if firms is not None and challenge_firms is not None and challenge_firms > firms:
        problems.append(
            Problem(
                "challenge_firms",
                _(
                    "参与“揭榜挂帅”等攻关任务的企业 %(challenge)s 家超过了集群企业数 %(firms)s 家",
                    challenge=challenge_firms,
                    firms=firms,
                ),
            )
        )
    rnd, sme_rnd = _number(document.get("rnd")), _number(figures.get("sme_rnd"))
    if rnd is not None and sme_rnd is not None and sme_rnd > rnd:
        problems.append(
            Problem(
                "figures.sme_rnd",
                _(
                    "中小企业研发经费 %(smes)s 亿元超过了集群企业研发经费合计 %(all)s 亿元",
                    smes=sme_rnd,
                    all=rnd,
                ),
            )
        )
    return problems


def _number(value: Any) -> int | Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else value


def _numbers(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _numbers(value) for key, value in node.items()}
    if isinstance(node, Decimal):
        # 48.4 stays 48.4: a float's repr is the shortest text that reads back as the same float, and the
        # number fields read a float through that text.
        return int(node) if node == node.to_integral_value() else float(node)
    return node


def figure_bound_problem(value: Decimal) -> str | None:
    """Why ``value`` cannot be an amount or percentage of the form (too many digits before or after the
    point), or None when it can."""
    if not value.is_finite():
        return None  # the model refuses it as not finite
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    decimals = max(0, -exponent)
    whole = max(0, len(digits) + exponent) if digits != (0,) else 0
    if whole > FIGURE_MAX_DIGITS - FIGURE_DECIMAL_PLACES or decimals > FIGURE_DECIMAL_PLACES:
        return _(
            "%(value)s 超出可填写的范围：整数部分最多 %(whole)s 位，小数最多 %(decimals)s 位",
            value=value,
            whole=FIGURE_MAX_DIGITS - FIGURE_DECIMAL_PLACES,
            decimals=FIGURE_DECIMAL_PLACES,
        )
    return None


def bound_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Every number of an annual-figures document written beyond :data:`FIGURE_MAX_DIGITS` and
    :data:`FIGURE_DECIMAL_PLACES`, named by its field path."""
    return [
        Problem(path, message)
        for path, value in _decimals(document, "")
        if (message := figure_bound_problem(value)) is not None
    ]


def _decimals(node: Any, path: str) -> Iterator[tuple[str, Decimal]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _decimals(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, Decimal | float) and not isinstance(node, bool):
        yield path, node if isinstance(node, Decimal) else Decimal(repr(node))


def parse_annual_figures(document: Any, *, source: str) -> AnnualFigures:
    """Validate an annual-figures document; raises :class:`UnusableInput` with every problem named by its
    field path (``figures.output``, ``quality_firms.little_giant``, ``sme_firms``)."""
    problems = bound_problems(document) if isinstance(document, Mapping) else []
    try:
        figures = AnnualFigures.model_validate(document)
    except ValidationError as error:
        problems += validation_problems(error)
        # pydantic skips the whole-model checks when a field fails: run them on what there is.
        problems += coherence_problems(document) if isinstance(document, Mapping) else []
    if problems:
        raise UnusableInput(source, list(dict.fromkeys(problems)))
    return figures
