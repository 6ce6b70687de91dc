"""The roster's figures beside the declared ones, with the difference and a flag above the tolerance.

Shares (SME output share, leading-industry share) differ in percentage points; amounts and counts in per
cent of the roster's figure (the roster is the firms themselves, so it is the reference). A declared
figure that is absent is shown as not declared, never as a difference. The tolerance is the programme's
``roster_tolerance_pct``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smecluster.apps.applications.models import Application
from smecluster.apps.rosters.models import RosterVersion
from smecluster.profile import QUALITY_TITLES
from smecluster.site.wording import listing

ONE_PLACE = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    label: str | Promise
    unit: str | Promise
    computed: Decimal | None
    declared: Decimal | None
    difference: Decimal | None
    """Declared − computed: percentage points for a share, per cent of the computed figure otherwise."""
    difference_unit: str | Promise
    flagged: bool

    @property
    def declared_missing(self) -> bool:
        return self.declared is None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _ratio(part: Decimal | None, whole: Decimal | None, scale: int = 100) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return part * scale / whole


class _LineKind(TypedDict):
    share: bool
    tolerance: Decimal


def _line(
    label: str | Promise,
    unit: str | Promise,
    computed: Any,
    declared: Any,
    *,
    share: bool,
    tolerance: Decimal,
) -> Line:
    computed, declared = _decimal(computed), _decimal(declared)
    difference: Decimal | None = None
    flagged = False
    if computed is not None and declared is not None:
        if share:
            difference = declared - computed
        elif computed != 0:
            difference = (declared - computed) * 100 / computed
        elif declared != 0:
            # Something declared where the roster has nothing: no per cent measures it, and it is flagged.
            flagged = True
        if difference is not None:
            difference = difference.quantize(ONE_PLACE)
            flagged = abs(difference) > tolerance
    return Line(label, unit, computed, declared, difference, _("个百分点") if share else "%", flagged)


def comparison_lines(application: Application, version: RosterVersion) -> list[Line]:
    """Every figure the roster gives beside what the application declares for the roster's year."""
    tolerance = application.call.programme.roster_tolerance_pct
    figures = version.indicators
    profile = figures["profile"]
    declared = application.years.filter(year=version.roster.year).first()

    def said(field: str) -> Any:
        return getattr(declared, field) if declared is not None else None

    output = _decimal(said("output"))
    patents_per_10k = _ratio(_decimal(said("invention_patents")), _decimal(said("employees")), 10_000)
    share: _LineKind = {"share": True, "tolerance": tolerance}
    amount: _LineKind = {"share": False, "tolerance": tolerance}
    lines = [
        _line(_("中小企业产值占比"), "%", figures["sme_output_share"],
              _ratio(_decimal(said("sme_output")), output), **share),
        _line(_("主导产业产值占比"), "%", figures["leading_share"],
              _ratio(_decimal(said("leading_output")), output), **share),
        *(
            _line(label, unit, profile[field], said(field), **amount)
            for field, label, unit in (
                ("output", _("集群总产值"), _("亿元")),
                ("sme_output", _("中小企业产值"), _("亿元")),
                ("leading_output", _("主导产业产值"), _("亿元")),
                ("sme_rnd", _("中小企业研发经费"), _("亿元")),
                ("invention_patents", _("有效发明专利"), _("件")),
                ("employees", _("从业人员"), _("人")),
            )
        ),
        _line(_("每万名从业人员有效发明专利"), _("件"), figures["patents_per_10k_employees"], patents_per_10k,
              **amount),
    ]  # fmt: skip
    titles = [
        ("champion", _("制造业单项冠军企业（主导产业）")),
        ("little_giant", _("专精特新“小巨人”企业（主导产业）")),
        ("specialized", _("专精特新中小企业")),
        ("innovative", _("创新型中小企业")),
        ("high_tech", _("高新技术企业")),
    ]
    for field, label in titles:
        lines.append(
            _line(label, _("家"), profile["quality_firms"][field], getattr(application, field), **amount)
        )
    names = dict(titles)
    stated = {frozenset(entry["titles"]): entry["firms"] for entry in application.quality_holders}
    for entry in profile["quality_firms"].get("holding_any", []):
        holders = _("持有%(titles)s任一称号的企业") % {
            "titles": listing(str(names[title]).split("（")[0] for title in entry["titles"])
        }
        declared = stated.get(frozenset(entry["titles"]))
        lines.append(_line(holders, _("家"), entry["firms"], declared, **amount))
    return lines


SIZE_LABELS = {"large": _("大型"), "medium": _("中型"), "small": _("小型"), "micro": _("微型")}


def _fixed(value: Any, places: str = "0.01") -> str:
    return "—" if value is None else f"{Decimal(str(value)).quantize(Decimal(places)):,}"


def indicator_items(version: RosterVersion) -> list[tuple[Any, str]]:
    """What a version's firms add up to, for the roster page (amounts in 万元, as the file gave them)."""
    figures = version.indicators
    sizes = figures["sizes"]
    quality = figures["quality"]
    return [
        (_("企业数"), f"{figures['firms']:,} " + str(_("家"))),
        (_("其中中小企业"), f"{figures['sme_firms']:,} " + str(_("家"))),
        (_("按规模"), "，".join(f"{label} {sizes.get(size, 0):,}" for size, label in SIZE_LABELS.items())
         + (f"，{_('未能划型')} {figures['unclassified']:,}" if figures["unclassified"] else "")),
        (_("划型标准"), figures["standard"]),
        (_("总产值"), f"{_fixed(figures['output'], '0.0001')} " + str(_("万元"))),
        (_("中小企业产值占比"), f"{_fixed(figures['sme_output_share'])} %"),
        (_("主导产业产值占比"), f"{_fixed(figures['leading_share'])} %"),
        (_("研发经费（全部企业）"), f"{_fixed(figures['rnd'], '0.0001')} " + str(_("万元"))),
        (_("中小企业研发经费"), f"{_fixed(figures['sme_rnd'], '0.0001')} " + str(_("万元"))),
        (_("有效发明专利"), f"{figures['invention_patents']:,} " + str(_("件"))),
        (_("从业人员"), f"{figures['employees']:,} " + str(_("人"))),
        (_("每万名从业人员有效发明专利"), f"{_fixed(figures['patents_per_10k_employees'])} " + str(_("件"))),
        (_("持有称号的企业"), f"{figures['quality_any']:,} " + str(_("家"))),
        (_("单项冠军"), f"{quality.get('champion', 0):,} " + str(_("家"))),
        (_("专精特新“小巨人”"), f"{quality.get('little_giant', 0):,} " + str(_("家"))),
        (_("专精特新中小企业"), f"{quality.get('specialized', 0):,} " + str(_("家"))),
        (_("创新型中小企业"), f"{quality.get('innovative', 0):,} " + str(_("家"))),
        (_("高新技术企业"), f"{quality.get('high_tech', 0):,} " + str(_("家"))),
    ]  # fmt: skip


# --- on the application page ----------------------------------------------------------------------------


def application_roster_panel(user: Any, application: Application) -> dict[str, Any] | None:
    """The roster panel of the application page (None for whoever may not read the roster: experts)."""
    from smecluster.apps.rosters.permissions import can_import_application_roster, can_view_application_roster
    from smecluster.apps.rosters.selectors import current_version, roster_of_application
    from smecluster.apps.rosters.services import application_roster_year

    if not can_view_application_roster(user, application):
        return None
    roster = roster_of_application(application)
    version = current_version(roster)
    lines = comparison_lines(application, version) if version else []
    return {
        "application": application,
        "version": version,
        "year": roster.year if roster else application_roster_year(application),
        "lines": lines,
        "flagged": sum(1 for line in lines if line.flagged),
        "tolerance": application.call.programme.roster_tolerance_pct,
        "can_import": bool(can_import_application_roster(user, application)),
    }


_AMOUNT_FIGURES = ("output", "sme_output", "leading_output", "sme_rnd")
_COUNT_FIGURES = ("invention_patents", "employees")


def with_roster_figures(document: dict[str, Any], version: RosterVersion) -> dict[str, Any] | None:
    """The profile document built from the declared data, with the roster's year's figures and the
    quality-firm counts replaced by the roster's; None when the declared data has no such year."""
    figures = version.indicators["profile"]
    quality = figures["quality_firms"]
    years = [dict(entry) for entry in document.get("years", [])]
    entry = next((each for each in years if each.get("year") == version.roster.year), None)
    if entry is None:
        return None
    for field in _AMOUNT_FIGURES:
        entry[field] = Decimal(figures[field])
    for field in _COUNT_FIGURES:
        entry[field] = int(figures[field])
    return {
        **document,
        "years": years,
        "quality_firms": {
            **{title: int(quality[title]) for title in QUALITY_TITLES},
            # Versions kept before the roster stated the holders of several titles have none.
            "holding_any": list(quality.get("holding_any", [])),
        },
    }
