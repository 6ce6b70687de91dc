"""The cluster profile: the public interchange format of ``design/cluster-profile.md``, as a typed model.

A profile is the facts about one cluster that eligibility, scoring and reports need. It is validated on
the way in so that the evaluator never meets impossible data: a negative amount, a part larger than its
whole, years out of order, a county code that does not exist. Incomplete data is not invalid: any yearly
figure but ``output`` may be absent, and a criterion that needs it reports ``missing``.

Amounts are :class:`~decimal.Decimal` so that 48.4 is 48.4 and comparisons at a threshold are exact.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from smecluster.errors import Problem, UnusableInput
from smecluster.i18n import Listing, Text
from smecluster.i18n import Text as _
from smecluster.reference.divisions import province_of, validate_county_code, validate_place_code

SCHEMA_VERSION = 1


def _number_schema(**bounds: float) -> WithJsonSchema:
    # Decimals are read from JSON numbers; the published schema says "number", not pydantic's
    # default of "number or string".
    return WithJsonSchema({"type": "number", **bounds})


def _a_json_number(value: Any) -> Any:
    # JSON has numbers; "42" or true where a number belongs is a mistake to report, not to convert.
    if isinstance(value, str | bool):
        raise ValueError(_("须为数字，不能是文本或 true/false"))
    return value


def _an_iso_date(value: Any) -> Any:
    # Without this, 20250630 would be read as seconds since 1970 and a datetime cut to its date.
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(_("须为日期，写作 YYYY-MM-DD"))
    return value


IsoDate = Annotated[date, BeforeValidator(_an_iso_date)]

Amount = Annotated[
    Decimal,
    BeforeValidator(_a_json_number),
    Field(ge=0, allow_inf_nan=False),
    _number_schema(minimum=0),
]
"""A non-negative quantity: 亿元, km², or a ratio whose unit the field names."""

Percent = Annotated[
    Decimal,
    BeforeValidator(_a_json_number),
    Field(ge=0, le=100, allow_inf_nan=False),
    _number_schema(minimum=0, maximum=100),
]
"""A percentage written as a number of per cent: 18.5 means 18.5 %."""

Count = Annotated[StrictInt, Field(ge=0)]


def _check_county_code(code: str) -> str:
    problem = validate_county_code(code)
    if problem:
        raise ValueError(problem)
    return code


CountyCode = Annotated[
    str,
    AfterValidator(_check_county_code),
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{6}$"}),
]


class IncidentKind(StrEnum):
    SAFETY_ACCIDENT = "safety_accident"
    QUALITY_ACCIDENT = "quality_accident"
    ENVIRONMENT_ACCIDENT = "environment_accident"
    CYBER_SECURITY_EVENT = "cyber_security_event"
    DATA_SECURITY_EVENT = "data_security_event"
    TAX_EVASION = "tax_evasion"
    VIOLATION = "violation"
    SERIOUS_DISHONESTY = "serious_dishonesty"
    OTHER_MAJOR = "other_major"


# Accidents and security events are graded; the last four kinds are conduct, which the texts count
# whatever its grade, so the level may be left out for them.
GRADED_KINDS = frozenset(
    {
        IncidentKind.SAFETY_ACCIDENT,
        IncidentKind.QUALITY_ACCIDENT,
        IncidentKind.ENVIRONMENT_ACCIDENT,
        IncidentKind.CYBER_SECURITY_EVENT,
        IncidentKind.DATA_SECURITY_EVENT,
    }
)

IncidentLevel = Literal["一般", "较大", "重大", "特别重大"]
INCIDENT_LEVELS: tuple[IncidentLevel, ...] = ("一般", "较大", "重大", "特别重大")
"""The four grades of accidents and events in Chinese regulation, from least to most serious."""


class _Strict(BaseModel):
    # Unknown keys are refused: in a public format a misspelt field ("sme_ouput") must not pass
    # silently as an absent one.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Year(_Strict):
    """The figures of one complete calendar year."""

    year: StrictInt = Field(ge=1949, le=2100, description="calendar year")
    output: Amount = Field(description="cluster total output value (集群总产值), 亿元")
    sme_output: Amount | None = Field(None, description="output of the SMEs in the cluster, 亿元")
    leading_output: Amount | None = Field(None, description="output of the leading industry, 亿元")
    sme_rnd: Amount | None = Field(None, description="SMEs' R&D expenditure, 亿元")
    invention_patents: Count | None = Field(
        None, description="valid invention patents held by cluster firms, count"
    )
    employees: Count | None = Field(None, description="persons employed in the cluster, count")
    iip_penetration: Percent | None = Field(
        None, description="industrial-internet platform application penetration, per cent"
    )
    co2_intensity: Amount | None = Field(
        None, description="CO₂ emission per unit of output, in any one unit kept across years"
    )
    non_fossil_share: Percent | None = Field(
        None, description="share of non-fossil energy in energy consumption, per cent"
    )

    @field_validator("sme_output", "leading_output")
    @classmethod
    def _part_within_whole(cls, part: Decimal | None, info: ValidationInfo) -> Decimal | None:
        whole = info.data.get("output")
        if part is not None and whole is not None and part > whole:
            raise ValueError(_("%(part)s 亿元超过了集群总产值 %(whole)s 亿元", part=part, whole=whole))
        return part


QualityTitle = Literal["champion", "little_giant", "specialized", "innovative", "high_tech"]
QUALITY_TITLES: tuple[QualityTitle, ...] = get_args(QualityTitle)


class TitleHolders(_Strict):
    """The firms holding at least one of ``titles``, each firm once.

    A clause such as "不少于10家省级专精特新中小企业、创新型中小企业和国家级高新技术企业" counts firms (家):
    a firm that is both 专精特新 and 创新型 is one of the ten, not two. The per-title counts cannot say how
    many firms that is (their sum counts such a firm twice), so a roster, or the applicant, states it.
    """

    titles: list[QualityTitle] = Field(min_length=2, description="two or more titles")
    firms: Count = Field(description="distinct firms holding at least one of the titles")

    @field_validator("titles")
    @classmethod
    def _titles_distinct(cls, titles: list[QualityTitle]) -> list[QualityTitle]:
        if len(set(titles)) != len(titles):
            raise ValueError(_("每个称号只能列一次"))
        return titles


class QualityFirms(_Strict):
    """Counts of distinct firms holding each title (a firm with several titles is one firm), and for
    several titles together the firms holding any of them (``holding_any``)."""

    champion: Count | None = Field(
        None, description="manufacturing single champions (单项冠军) in the leading industry"
    )
    little_giant: Count | None = Field(
        None, description='专精特新"小巨人" enterprises in the leading industry'
    )
    specialized: Count | None = Field(None, description="专精特新中小企业 (provincial level)")
    innovative: Count | None = Field(None, description="创新型中小企业")
    high_tech: Count | None = Field(None, description="national high-tech enterprises (国家级高新技术企业)")
    holding_any: list[TitleHolders] | None = Field(
        None,
        description="for a set of titles, the distinct firms holding at least one of them (optional)",
    )

    def counts(self) -> dict[str, int | None]:
        """The per-title counts, by title."""
        return {title: getattr(self, title) for title in QUALITY_TITLES}

    def holders_of(self, titles: list[QualityTitle]) -> int | None:
        """The stated number of firms holding any of ``titles`` (in any order), or None."""
        wanted = set(titles)
        return next((entry.firms for entry in self.holding_any or [] if set(entry.titles) == wanted), None)

    @model_validator(mode="after")
    def _holders_agree_with_the_titles(self) -> QualityFirms:
        seen: list[set[str]] = []
        for index, entry in enumerate(self.holding_any or []):
            where = f".holding_any[{index}].firms"
            if set(entry.titles) in seen:
                raise ValueError(at(f".holding_any[{index}].titles", _("这组称号列了两次")))
            seen.append(set(entry.titles))
            counts = [getattr(self, title) for title in entry.titles]
            known = [count for count in counts if count is not None]
            # Every holder of one title is a holder of the set; every holder of the set holds one title.
            if known and entry.firms < max(known):
                raise ValueError(
                    at(
                        where,
                        _(
                            "持有其中任一称号的企业为 %(firms)s 家，但仅持有其中一项称号的就有 %(most)s 家",
                            firms=entry.firms,
                            most=max(known),
                        ),
                    )
                )
            if len(known) == len(counts) and entry.firms > sum(known):
                raise ValueError(
                    at(
                        where,
                        _(
                            "持有其中任一称号的企业为 %(firms)s 家，多于逐项称号企业数之和 %(sum)s 家",
                            firms=entry.firms,
                            sum=sum(known),
                        ),
                    )
                )
        return self


class Incident(_Strict):
    """An accident, event or finding that the exclusion clause may count."""

    date: IsoDate
    kind: IncidentKind
    level: IncidentLevel | None = Field(
        None,
        validate_default=True,  # so that an absent level still meets the check below
        description="required for accidents and security events",
    )
    note: str | None = None

    @field_validator("level")
    @classmethod
    def _graded_kinds_need_a_level(
        cls, level: IncidentLevel | None, info: ValidationInfo
    ) -> IncidentLevel | None:
        kind = info.data.get("kind")
        if level is None and kind in GRADED_KINDS:
            raise ValueError(_("事故或安全事件须填写等级：%(levels)s", levels=Listing(INCIDENT_LEVELS)))
        return level


class Place(_Strict):
    """A town or street (乡级 place) the cluster sits in. GB/T 2260 stops at county level, so a cluster of a
    不设区的地级市 (东莞市万江街道, 中山市小榄镇) is placed by the town's 统计用区划代码, kept as entered."""

    code: str = Field(
        pattern=r"^[0-9]{9}$",
        description="统计用区划代码 of the town or street: the six digits of one of the profile's counties "
        "and three more, e.g. 441900005",
    )
    name: str = Field(min_length=1, description="the town or street, e.g. 万江街道")


ZoneLevel = Literal["国家级", "省级"]


class DevelopmentZone(_Strict):
    """A development zone (开发区, 高新区) the cluster covers. Zones are not divisions: a zone is named with
    the county-level divisions it spans."""

    name: str = Field(min_length=1, description="the zone's name, e.g. 贵阳国家高新技术产业开发区")
    level: ZoneLevel = Field(description="国家级 or 省级, as the zone was approved")
    counties: list[CountyCode] = Field(
        min_length=1,
        description="GB/T 2260 codes of the divisions the zone spans; one is the declaring county",
    )


class ClusterProfile(_Strict):
    """The facts about one cluster (design/cluster-profile.md, schema 1)."""

    model_config = ConfigDict(
        title="smecluster cluster profile",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://smecluster.example/schemas/cluster-profile-1.json",
        },
    )

    schema_: Annotated[Literal[1], BeforeValidator(_a_json_number)] = Field(
        alias="schema", description="format version"
    )
    name: str = Field(min_length=1, description="cluster name, e.g. 佛山市顺德区智能家电产业集群")
    province: str = Field(min_length=1, description="province-level division, e.g. 广东省")
    counties: list[CountyCode] = Field(
        min_length=1,
        description="GB/T 2260 codes; the first declares; more than one makes a cross-county cluster",
    )
    places: list[Place] | None = Field(
        None,
        description="optional: the towns or streets (乡级) the cluster sits in; an application of a "
        "不设区的地级市 (东莞, 中山, 儋州, 嘉峪关) names them, since GB/T 2260 has no county there",
    )
    development_zone: DevelopmentZone | None = Field(
        None, description="optional: the development zone (开发区, 高新区) the cluster covers"
    )
    leading_industry: str = Field(min_length=1, description="主导产业")
    leading_industry_code: str | None = Field(
        None, pattern=r"^[A-T]?[0-9]{2}([0-9]{1,2})?$", description="GB/T 4754-2017 code"
    )
    area_km2: Amount = Field(description="占地面积, km²")
    application_date: IsoDate = Field(
        description="the day the application is checked as of; the last 3 years and the incident "
        "window count back from it"
    )
    energy_intensive: StrictBool = Field(
        description="the leading industry is a high energy-consuming industry"
    )
    water_intensive: StrictBool = Field(description="the leading industry is a high water-consuming industry")
    energy_efficiency_better_than_benchmark: StrictBool | None = Field(
        None, description="needed when energy_intensive"
    )
    water_efficiency_better_than_benchmark: StrictBool | None = Field(
        None, description="needed when water_intensive"
    )
    last_complete_year: Annotated[StrictInt, BeforeValidator(_a_json_number)] | None = Field(
        None,
        description="the last of the years the criteria judge (近三年 ends with it; the incident window "
        "starts on 1 January of the first of them). A call fixes it for all its applicants; absent: the "
        "year before the application date",
    )
    years: list[Year] = Field(
        min_length=1, description="the most recent complete years, ascending and consecutive"
    )
    quality_firms: QualityFirms = Field(description="counts of distinct firms by title")
    incidents: list[Incident] = Field(description="within the last 3 years; an empty list means none")

    @field_validator("counties")
    @classmethod
    def _counties_distinct_and_in_province(cls, counties: list[str], info: ValidationInfo) -> list[str]:
        seen: set[str] = set()
        for index, code in enumerate(counties):
            if code in seen:
                raise ValueError(at(f"counties[{index}]", _("%(code)s 重复列出", code=code)))
            seen.add(code)
        province = info.data.get("province")
        if province:
            home = province_of(counties[0])
            if home.name != province:
                raise ValueError(
                    at(
                        "counties[0]",
                        _(
                            "申报县 %(county)s 属于%(home)s，不属于%(province)s",
                            county=counties[0],
                            home=home.name,
                            province=province,
                        ),
                    )
                )
        return counties

    @field_validator("places")
    @classmethod
    def _places_in_the_counties(cls, places: list[Place] | None, info: ValidationInfo) -> list[Place] | None:
        counties: list[str] = info.data.get("counties") or []
        seen: set[str] = set()
        for index, place in enumerate(places or ()):
            if place.code in seen:
                raise ValueError(at(f"places[{index}]", _("%(code)s 重复列出", code=place.code)))
            seen.add(place.code)
            county = place.code[:6] if place.code[:6] in counties else (counties[0] if counties else "")
            if counties and (problem := validate_place_code(place.code, county)):
                raise ValueError(at(f"places[{index}]", problem))
        return places

    @field_validator("development_zone")
    @classmethod
    def _zone_spans_the_declaring_county(
        cls, zone: DevelopmentZone | None, info: ValidationInfo
    ) -> DevelopmentZone | None:
        counties: list[str] = info.data.get("counties") or []
        if zone is not None and counties and counties[0] not in zone.counties:
            raise ValueError(
                at(
                    "counties",
                    _("开发区%(zone)s须覆盖申报县 %(county)s", zone=zone.name, county=counties[0]),
                )
            )
        return zone

    @field_validator("years")
    @classmethod
    def _years_ascending_consecutive_complete(cls, years: list[Year], info: ValidationInfo) -> list[Year]:
        for index, (previous, current) in enumerate(itertools.pairwise(years), start=1):
            if current.year == previous.year:
                raise ValueError(at(f"years[{index}].year", _("%(year)s 年重复出现", year=current.year)))
            if current.year < previous.year:
                raise ValueError(
                    at(
                        f"years[{index}].year",
                        _(
                            "%(year)s 年排在 %(previous)s 年之后，年度须自早至晚排列",
                            year=current.year,
                            previous=previous.year,
                        ),
                    )
                )
            if current.year != previous.year + 1:
                raise ValueError(
                    at(
                        f"years[{index}].year",
                        _(
                            "%(year)s 年接在 %(previous)s 年之后，年度须连续",
                            year=current.year,
                            previous=previous.year,
                        ),
                    )
                )
        applied = info.data.get("application_date")
        if applied is not None and years[-1].year >= applied.year:
            raise ValueError(at(f"years[{len(years) - 1}].year", _incomplete_year(years[-1].year, applied)))
        return years

    @field_validator("last_complete_year")
    @classmethod
    def _a_complete_year(cls, year: int | None, info: ValidationInfo) -> int | None:
        applied = info.data.get("application_date")
        if year is not None and applied is not None and year >= applied.year:
            raise ValueError(_incomplete_year(year, applied))
        return year

    @property
    def judged_until(self) -> int:
        """The last year the criteria judge: the call's, or the year before the application date."""
        return self.last_complete_year or self.application_date.year - 1

    def year(self, year: int) -> Year | None:
        return next((entry for entry in self.years if entry.year == year), None)


_MESSAGES: dict[str, str] = {
    "greater_than_equal": _("须不小于 %(ge)s"),
    "less_than_equal": _("须不大于 %(le)s"),
    "missing": _("尚未填写"),
    "extra_forbidden": _("不是集群画像（格式版本 1）的字段"),
    "literal_error": _("须为 %(expected)s"),
    "enum": _("须为以下之一：%(expected)s"),
    "too_short": _("尚未填写"),
    "string_pattern_mismatch": _("不符合要求的格式 %(pattern)s"),
    "string_too_long": _("不得超过 %(max_length)s 个字符"),
    "date_from_datetime_parsing": _("须为日期，写作 YYYY-MM-DD"),
    "date_parsing": _("须为日期，写作 YYYY-MM-DD"),
    "date_type": _("须为日期，写作 YYYY-MM-DD"),
    "int_from_float": _("须为整数"),
    "int_parsing": _("须为整数"),
    "int_type": _("须为整数"),
    "decimal_parsing": _("须为数字"),
    "decimal_type": _("须为数字"),
    "finite_number": _("须为有限的数字"),
    "bool_type": _("须选择是或否"),
    "bool_parsing": _("须选择是或否"),
    "string_type": _("须为文本"),
    "list_type": _("须为列表"),
    "model_type": _("须为对象"),
    "dict_type": _("须为对象"),
}
"""The model's problems in the words a person reads (pydantic's own are English and technical), as
catalogue templates whose placeholders are the error's context."""

_AT = "%(field)s: %(problem)s"


def at(field: str, problem: str) -> Text:
    """A problem a validator of a list or a whole model finds at one field inside it: ``field`` absolute
    (``years[1].year``) or relative to the validated object (``.holding_any[0].firms``). :func:`_problem`
    moves the problem there; the text reads "field: problem" where nothing does."""
    return Text(_AT, field=field, problem=problem)


def _incomplete_year(year: int, applied: date) -> Text:
    return _(
        "%(year)s 年在申报日期 %(date)s 尚未结束，只能填写已结束的年度", year=year, date=applied.isoformat()
    )


def field_path(location: tuple[int | str, ...]) -> str:
    """``("years", 1, "output")`` → ``years[1].output``: the way a person finds it in the file."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def _problem(error: ErrorDetails) -> Problem:
    location = tuple("schema" if part == "schema_" else part for part in error["loc"])
    context: dict[str, Any] = dict(error.get("ctx") or {})
    template = _MESSAGES.get(error["type"])
    message: str
    if error["type"] == "value_error":
        raised = context.get("error")
        given = raised.args[0] if isinstance(raised, ValueError) and raised.args else None
        message = given if isinstance(given, str) else str(raised or error["msg"])
    elif template:
        message = Text(template, **{key: _context_value(value) for key, value in context.items()})
    else:
        message = error["msg"]
    path = field_path(location)
    if isinstance(message, Text) and message.template == _AT:
        # A validator over a whole list or object names the exact field inside it (see :func:`at`).
        inner = str(message.arguments["field"])
        path = f"{path}{inner}" if inner.startswith(".") else inner
        problem = message.arguments["problem"]
        message = problem if isinstance(problem, str) else str(problem)
    return Problem(path, message)


def _context_value(value: Any) -> object:
    # pydantic's "expected" of an enum is "'a', 'b' or 'c'": kept as written; numbers and the rest as text.
    return value if isinstance(value, str) else str(value)


def validation_problems(error: ValidationError) -> list[Problem]:
    """Every problem of a failed validation, worded as for the profile: for the models built on its types
    (the annual information form)."""
    return [_problem(detail) for detail in error.errors()]


def detail_problem(detail: ErrorDetails) -> Problem:
    """One of pydantic's error details worded as the profile's problems are (the API's parameters)."""
    return _problem(detail)


def parse_profile(document: Any, *, source: str) -> ClusterProfile:
    """Validate an already-parsed JSON document; every problem names its field."""
    try:
        return ClusterProfile.model_validate(document)
    except ValidationError as error:
        raise UnusableInput(source, [_problem(detail) for detail in error.errors()]) from None


def load_profile(path: Path) -> ClusterProfile:
    """Read a profile file. Unusable input raises :class:`UnusableInput` naming the file and the field."""
    source = str(path)
    try:
        # utf-8-sig: Windows tools often begin a UTF-8 file with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnusableInput.single(source, "", _("没有这个文件")) from None
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", _("不是 UTF-8 文本")) from None
    except OSError as error:
        raise UnusableInput.single(source, "", _("无法读取：%(reason)s", reason=error.strerror)) from None
    return parse_profile(decode_json(text, source=source), source=source)


def decode_json(text: str | bytes, *, source: str) -> Any:
    """A JSON document as the profile reads it: numbers with a fraction as ``Decimal``; not JSON (or nested
    beyond reason) raises :class:`UnusableInput` naming ``source``. The command line reads a file with it and
    the API (``POST /api/v1/check``) a request's body."""
    try:
        # Decimal, not float: 48.4 must stay 48.4 for a comparison at a threshold to be exact.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise UnusableInput.single(
            source,
            "",
            _(
                "不是 JSON：%(reason)s（第 %(line)s 行第 %(column)s 列）",
                reason=error.msg,
                line=error.lineno,
                column=error.colno,
            ),
        ) from None
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", _("不是 UTF-8 文本")) from None
    except RecursionError:
        raise UnusableInput.single(source, "", _("嵌套过深，不是集群画像")) from None


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of the profile, as published by ``smecluster profile-schema``."""
    return ClusterProfile.model_json_schema(by_alias=True)
