"""The cluster profile (the application form's data) as an XLSX workbook, and back.

One sheet per tab of the application form — 基本信息, 年度数据, 优质企业, 事故事件 — after a 填写说明 sheet
in Chinese. Reading a workbook validates through :class:`~smecluster.profile.ClusterProfile`, exactly as the
pages and the JSON interchange format do; every problem names the sheet, the cell and the field
(``年度数据!C3 集群总产值``), all of a file's problems at once. A profile written and read back is the same
profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smecluster.documents.sheets import (
    Column,
    Kind,
    beyond_unread,
    locate,
    new_workbook,
    open_workbook,
    read_form_sheet,
    read_table_sheet,
    workbook_bytes,
    write_form_sheet,
    write_instructions,
    write_table_sheet,
)
from smecluster.documents.workbook_limits import DEFAULT_LIMITS, WorkbookLimits
from smecluster.errors import UnusableInput
from smecluster.policy.ruleset import firm_counted_title_sets
from smecluster.profile import INCIDENT_LEVELS, ClusterProfile, IncidentKind, parse_profile

BASICS, YEARS, QUALITY, INCIDENTS, INSTRUCTIONS = "基本信息", "年度数据", "优质企业", "事故事件", "填写说明"
SHEETS = (BASICS, YEARS, QUALITY, INCIDENTS)

INCIDENT_KIND_NAMES: dict[IncidentKind, str] = {
    IncidentKind.SAFETY_ACCIDENT: "安全事故",
    IncidentKind.QUALITY_ACCIDENT: "质量事故",
    IncidentKind.ENVIRONMENT_ACCIDENT: "环境事故",
    IncidentKind.CYBER_SECURITY_EVENT: "网络安全事件",
    IncidentKind.DATA_SECURITY_EVENT: "数据安全事件",
    IncidentKind.TAX_EVASION: "偷税漏税",
    IncidentKind.VIOLATION: "违法违规行为",
    IncidentKind.SERIOUS_DISHONESTY: "严重失信行为",
    IncidentKind.OTHER_MAJOR: "其他重大问题",
}

BASIC_COLUMNS = (
    Column("name", "集群名称", Kind.TEXT, required=True, note="如：佛山市顺德区智能家电产业集群"),
    Column("province", "所在省份", Kind.TEXT, required=True, note="省级行政区全称，如：广东省"),
    Column(
        "counties",
        "县级行政区划代码",
        Kind.CODES,
        required=True,
        note="GB/T 2260 六位代码；第一个为申报县，跨县集群依次列出其他县，用逗号分隔",
    ),
    Column("leading_industry", "主导产业", Kind.TEXT, required=True),
    Column("leading_industry_code", "主导产业代码", Kind.TEXT, note="GB/T 4754-2017 代码，如 C38 或 3854"),
    Column("area_km2", "占地面积", Kind.AMOUNT, unit="平方公里", required=True),
    Column(
        "application_date",
        "申报日期",
        Kind.DATE,
        required=True,
        note="审核所依据的日期，近三年及事故期限由此倒推；写作 YYYY-MM-DD",
    ),
    Column("energy_intensive", "属于高耗能行业", Kind.BOOL, required=True),
    Column("water_intensive", "属于高用水行业", Kind.BOOL, required=True),
    Column(
        "energy_efficiency_better_than_benchmark", "能效优于行业基准值", Kind.BOOL, note="高耗能行业须填写"
    ),
    Column(
        "water_efficiency_better_than_benchmark", "水效优于行业基准值", Kind.BOOL, note="高用水行业须填写"
    ),
)

YEAR_COLUMNS = (
    Column("year", "年度", Kind.YEAR, required=True, note="完整的自然年度，自早至晚逐年连续"),
    Column("output", "集群总产值", Kind.AMOUNT, unit="亿元", required=True),
    Column("sme_output", "中小企业产值", Kind.AMOUNT, unit="亿元", note="不得大于集群总产值"),
    Column("leading_output", "主导产业产值", Kind.AMOUNT, unit="亿元", note="不得大于集群总产值"),
    Column("sme_rnd", "中小企业研发经费", Kind.AMOUNT, unit="亿元"),
    Column("invention_patents", "有效发明专利", Kind.COUNT, unit="件"),
    Column("employees", "从业人员", Kind.COUNT, unit="人"),
    Column("iip_penetration", "工业互联网平台应用普及率", Kind.PERCENT, unit="%", note="填 18.5 表示 18.5 %"),
    Column("co2_intensity", "二氧化碳排放强度", Kind.AMOUNT, unit="各年同一单位"),
    Column("non_fossil_share", "非化石能源消费比重", Kind.PERCENT, unit="%"),
)

_TITLE_COLUMNS = (
    Column("champion", "制造业单项冠军企业", Kind.COUNT, unit="家", note="主导产业领域内，一家企业只计一次"),
    Column("little_giant", "专精特新“小巨人”企业", Kind.COUNT, unit="家", note="主导产业领域内"),
    Column("specialized", "专精特新中小企业", Kind.COUNT, unit="家", note="省级认定"),
    Column("innovative", "创新型中小企业", Kind.COUNT, unit="家"),
    Column("high_tech", "高新技术企业", Kind.COUNT, unit="家", note="国家级高新技术企业"),
)
_TITLE_LABELS = {column.key: column.label for column in _TITLE_COLUMNS}
HOLDERS_KEY = "holding_any:"


def _holders_key(titles: Iterable[str]) -> str:
    # One cell per set of titles a rule set counts by firm, whatever order a document lists them in.
    ordered = next((known for known in firm_counted_title_sets() if set(known) == set(titles)), tuple(titles))
    return HOLDERS_KEY + "+".join(ordered)


QUALITY_COLUMNS = (
    *_TITLE_COLUMNS,
    *(
        Column(
            _holders_key(titles),
            f"持有{'、'.join(_TITLE_LABELS[title] for title in titles)}任一称号的企业",
            Kind.COUNT,
            unit="家",
            note="每家企业只计一次：同时持有其中两项称号的企业算一家",
        )
        for titles in firm_counted_title_sets()
    ),
)

INCIDENT_COLUMNS = (
    Column("date", "发生日期", Kind.DATE, required=True, note="近三年内；写作 YYYY-MM-DD"),
    Column(
        "kind",
        "类别",
        Kind.CHOICE,
        required=True,
        choices=tuple((kind.value, name) for kind, name in INCIDENT_KIND_NAMES.items()),
    ),
    Column(
        "level",
        "等级",
        Kind.CHOICE,
        choices=tuple((level, level) for level in INCIDENT_LEVELS),
        note="事故和安全事件须填写；偷税漏税、违法违规、严重失信等可不填",
    ),
    Column("note", "说明", Kind.TEXT),
)

_GUIDE = (
    "本工作簿与网上申报表的“基本情况”“近三年数据”“优质企业”“安全与信用”各部分一一对应，上传后按与网页相同的规则校验。",
    "请勿修改各工作表名称和表头；可增删“年度数据”和“事故事件”中的行。",
    "金额单位为亿元，比例填百分数（18.5 表示 18.5 %），企业数单位为家，专利数单位为件。",
    "不掌握的数据请留空：留空表示“未填报”，不等于 0。",
    "“年度数据”填最近的完整年度（一般为近三年），自早至晚逐年连续，均须早于申报日期所在年度。",
    "“事故事件”填近三年内的事故、安全事件和失信情况；没有则不填任何行。",
    "上传时有任何错误，整份数据均不保存，错误信息会指明工作表、单元格和字段。",
)

_SHEET_OF_FIELD = {
    "years": YEARS,
    "quality_firms": QUALITY,
    "incidents": INCIDENTS,
    **{column.key: BASICS for column in BASIC_COLUMNS},
}


def write_profile_workbook(document: Mapping[str, Any]) -> bytes:
    """A workbook holding ``document`` (a profile document, possibly incomplete: a draft's data or an empty
    template); absent figures stay blank. Three blank year rows are offered when there are none."""
    workbook = new_workbook()
    write_instructions(
        workbook,
        INSTRUCTIONS,
        _GUIDE,
        {BASICS: BASIC_COLUMNS, YEARS: YEAR_COLUMNS, QUALITY: QUALITY_COLUMNS, INCIDENTS: INCIDENT_COLUMNS},
    )
    write_form_sheet(workbook, BASICS, BASIC_COLUMNS, document)
    years = list(document.get("years") or [])
    write_table_sheet(workbook, YEARS, YEAR_COLUMNS, years, blank_rows=max(0, 3 - len(years)))
    quality = dict(document.get("quality_firms") or {})
    for entry in quality.pop("holding_any", []):
        quality[_holders_key(entry["titles"])] = entry["firms"]
    write_form_sheet(workbook, QUALITY, QUALITY_COLUMNS, quality)
    write_table_sheet(workbook, INCIDENTS, INCIDENT_COLUMNS, document.get("incidents") or [], blank_rows=10)
    workbook.active = 1
    return workbook_bytes(workbook)


def profile_workbook(profile: ClusterProfile) -> bytes:
    return write_profile_workbook(profile.model_dump(by_alias=True, exclude_none=True))


def read_profile_workbook(
    data: bytes, *, source: str, limits: WorkbookLimits = DEFAULT_LIMITS
) -> ClusterProfile:
    """The profile a filled workbook holds. :class:`UnusableInput` lists every problem of the file at once
    (cells that cannot be read and the profile's own checks), each naming its sheet, cell and field label;
    nothing is partly read."""
    workbook = open_workbook(data, source=source, sheets=SHEETS, limits=limits)
    basics = read_form_sheet(workbook[BASICS], BASIC_COLUMNS)
    years = read_table_sheet(workbook[YEARS], YEAR_COLUMNS, prefix="years")
    quality = read_form_sheet(workbook[QUALITY], QUALITY_COLUMNS, prefix="quality_firms")
    incidents = read_table_sheet(workbook[INCIDENTS], INCIDENT_COLUMNS, prefix="incidents")
    parts = (basics, years, quality, incidents)
    problems = [problem for part in parts for problem in part.problems]
    unread = {path for part in parts for path in part.unread}
    cells = {path: where for part in parts for path, where in part.cells.items()}
    labels = {path: label for part in parts for path, label in part.labels.items()}
    counts = {key: value for key, value in quality.values.items() if not key.startswith(HOLDERS_KEY)}
    holders: list[dict[str, Any]] = []
    for key, value in quality.values.items():
        if key.startswith(HOLDERS_KEY) and value is not None:
            where = cells.get(f"quality_firms.{key}")
            if where is not None:
                cells[f"quality_firms.holding_any[{len(holders)}].firms"] = where
                labels[f"quality_firms.holding_any[{len(holders)}].firms"] = labels[f"quality_firms.{key}"]
            holders.append({"titles": key.removeprefix(HOLDERS_KEY).split("+"), "firms": value})
    document: dict[str, Any] = {
        "schema": 1,
        **basics.values,
        "years": years.rows,
        "quality_firms": {**counts, **({"holding_any": holders} if holders else {})},
        "incidents": incidents.rows,
    }
    try:
        profile = parse_profile(document, source=source)
    except UnusableInput as invalid:
        # A cell that could not be read is absent; the profile's "is required" for it would repeat it.
        found = beyond_unread(invalid.problems, unread)
        problems += locate(found, cells, _SHEET_OF_FIELD, labels)
    if problems:
        raise UnusableInput(source, problems)
    return profile
