"""The report's figures on three clusters whose every value is computed by hand in the comments."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from smecluster.analytics.figures import (
    CATALOGUE,
    NO_DATA,
    ClusterYear,
    Source,
    Theme,
    figure,
    panel,
    previous_panel,
    rounded,
)
from smecluster.annual_figures import AnnualFigures
from smecluster.reference.regions import UNASSIGNED, RegionScheme, provinces_in, region_of


def annual(
    year: int, figures: dict[str, Any], quality: dict[str, int] | None = None, **more: Any
) -> AnnualFigures:
    return AnnualFigures.model_validate(
        {
            "schema": 1,
            "year": year,
            "figures": {"year": year, **figures},
            "quality_firms": quality or {},
            **more,
        }
    )


# A: 顺德 (广东, 东部/东部), both years, nearly everything reported.
A = ClusterYear(
    number="A-1",
    name="顺德家电",
    province="440000",
    city="440600",
    county="440606",
    industry="家电",
    industry_code="C3854",
    year=2023,
    source=Source.ANNUAL_REPORT,
    figures=annual(
        2023,
        {
            "output": 100,
            "sme_output": 80,
            "leading_output": 90,
            "employees": 1000,
            "invention_patents": 120,
            "iip_penetration": 40,
            "sme_rnd": Decimal("2.4"),
            "co2_intensity": Decimal("0.9"),
        },
        {"champion": 1, "little_giant": 3, "specialized": 10, "innovative": 20},
        firms=200,
        sme_firms=195,
        rnd=4,
        platforms_national=2,
        platforms_provincial=10,
        standards=5,
        cloud_adoption=60,
        solid_waste_utilisation=70,
        water_reuse=95,
        exports=10,
        international_events=0,
        green_services=0,
        promotion_body=True,
        rights_protection=True,
        public_service_assessed=False,
    ),
    previous=annual(
        2022,
        {"output": 80, "leading_output": 70, "invention_patents": 100, "co2_intensity": Decimal("1.0")},
        standards=4,
        exports=8,
    ),
    previous_source=Source.APPLICATION,
)
# B: 南明 (贵州, 西部), first year, some figures.
B = ClusterYear(
    number="B-1",
    name="南明白酒",
    province="520000",
    city="520100",
    county="520102",
    industry="酒",
    industry_code="C1512",
    year=2023,
    source=Source.APPLICATION,
    figures=annual(
        2023,
        {"output": 50, "sme_output": 30, "employees": 500},
        firms=100,
        sme_firms=90,
        cloud_adoption=50,
        solid_waste_utilisation=50,
        international_events=3,
        green_services=4,
        promotion_body=True,
    ),
)
# C: 和平 (辽宁: 东部 in three regions, 东北 in four), output only, both years flat.
C = ClusterYear(
    number="C-1",
    name="和平装备",
    province="210000",
    city="210100",
    county="210102",
    industry="家电",
    year=2023,
    source=Source.ANNUAL_REPORT,
    figures=annual(2023, {"output": 50}),
    previous=annual(2022, {"output": 50}),
    previous_source=Source.ANNUAL_REPORT,
)

PANEL = panel(2023, [C, B, A])


def value(id: str) -> tuple[Decimal | None, str]:
    result = PANEL[id]
    return result.decimal, result.coverage


def test_every_figure_is_defined_once_with_a_unit_theme_formula_and_source() -> None:
    ids = [entry.id for entry in CATALOGUE]
    assert len(ids) == len(set(ids))
    for entry in CATALOGUE:
        assert entry.name, entry.id
        assert entry.unit, entry.id
        assert entry.formula, entry.id
        assert entry.sources, entry.id
        assert entry.theme in Theme
    assert {entry.theme for entry in CATALOGUE} == set(Theme)


def test_counts_by_sector_and_by_region_in_both_schemes() -> None:
    """Issue 14: clusters count by the sector of their leading industry's GB/T 4754 code (CESI:
    "电子、轻工、机械…行业集群占比较高"), not by each cluster's own product name; no code is 未填报行业代码,
    never guessed."""
    assert value("clusters") == (Decimal(3), "3/3")
    sectors = PANEL["clusters_by_sector"].parts
    assert [(part.label, part.value) for part in sectors] == [("食品", 1), ("轻工", 1), ("未填报行业代码", 1)]
    assert "clusters_by_industry" not in PANEL.values
    three = PANEL["clusters_by_region"].parts
    assert [(part.label, part.value) for part in three] == [("东部", 2), ("中部", 0), ("西部", 1)]
    four = PANEL["clusters_by_region_four"].parts
    assert [(part.label, part.value) for part in four] == [("东部", 1), ("中部", 0), ("西部", 1), ("东北", 1)]


def test_output_growth_is_like_for_like_and_shares_pair_cluster_by_cluster() -> None:
    assert value("output") == (Decimal("200.00"), "3/3")
    # A and C have 2022: (100 + 50) / (80 + 50) − 1 = 20/130 = 15.38 %
    assert value("output_growth") == (Decimal("15.4"), "2/3")
    assert PANEL["output_growth"].value == Fraction(2000, 130)
    # SME output of A and B over the output of A and B only: 110 / 150
    assert value("sme_output_share") == (Decimal("73.3"), "2/3")
    assert value("leading_share") == (Decimal("90.0"), "1/3")
    assert value("employees") == (Decimal(1500), "2/3")


def test_firm_structure_and_quality_firms() -> None:
    assert value("firms") == (Decimal(300), "2/3")
    assert value("sme_firms") == (Decimal(285), "2/3")
    assert value("sme_firm_share") == (Decimal("95.0"), "2/3")
    assert value("quality_little_giant") == (Decimal(3), "1/3")
    assert value("quality_high_tech")[0] is None
    # (3 + 10 + 20) / 195 = 16.92 %
    assert value("quality_sme_share") == (Decimal("16.9"), "1/3")
    titles = PANEL["quality_firms_by_title"]
    assert [(part.label, part.value) for part in titles.parts] == [
        ("制造业单项冠军企业", 1),
        ("专精特新“小巨人”企业", 3),
        ("专精特新中小企业", 10),
        ("创新型中小企业", 20),
    ]


def test_innovation_figures() -> None:
    assert value("platforms_national") == (Decimal(2), "1/3")
    assert value("platforms_provincial") == (Decimal(10), "1/3")
    assert value("rnd_intensity") == (Decimal("4.00"), "1/3")
    assert value("sme_rnd_intensity") == (Decimal("3.00"), "1/3")
    assert value("invention_patents") == (Decimal(120), "1/3")
    assert value("invention_patents_growth") == (Decimal("20.0"), "1/3")
    assert value("standards_growth") == (Decimal("25.0"), "1/3")


def test_digital_green_openness_and_governance() -> None:
    assert value("iip_penetration") == (Decimal("40.0"), "1/3")
    # weighted by firms (issue 14): (60 × 200 + 50 × 100) / 300 = 56.67, not the mean of 60 and 50
    assert value("cloud_adoption") == (Decimal("56.7"), "2/3")
    assert value("solid_waste_above_mark") == (Decimal("50.0"), "2/3")
    assert value("water_reuse_above_mark") == (Decimal("100.0"), "1/3")
    # A: 1 − 0.9/1.0 = 10 %
    assert value("co2_intensity_decline") == (Decimal("10.0"), "1/3")
    assert value("green_service_clusters") == (Decimal("50.0"), "2/3")
    assert value("exports_growth") == (Decimal("25.0"), "1/3")
    assert value("international_event_clusters") == (Decimal("50.0"), "2/3")
    assert value("promotion_body") == (Decimal("100.0"), "2/3")
    assert value("rights_protection") == (Decimal("100.0"), "1/3")
    assert value("public_service_assessed") == (Decimal("0.0"), "1/3")


def test_a_figure_nobody_reported_says_so_and_is_not_zero() -> None:
    result = PANEL["digital_service_coverage"]
    assert result.value is None
    assert result.coverage == "0/3"
    assert result.text().startswith(NO_DATA)
    assert "数字化转型服务覆盖比例" in result.text()


def test_growth_without_a_previous_year_and_leading_share_without_growth() -> None:
    only_b = panel(2023, [B])
    assert only_b["output_growth"].value is None
    assert "上年" in only_b["output_growth"].reason
    flat = panel(
        2023,
        [
            ClusterYear(
                number="F",
                name="flat",
                province="440000",
                city="440600",
                county="440606",
                industry="家电",
                year=2023,
                source=Source.ANNUAL_REPORT,
                figures=annual(2023, {"output": 50, "leading_output": 40}),
                previous=annual(2022, {"output": 50, "leading_output": 30}),
                previous_source=Source.ANNUAL_REPORT,
            )
        ],
    )
    # flat output: the share of output is still a share (40 / 50), not a contribution to growth
    assert flat["leading_share"].decimal == Decimal("80.0")
    assert flat["leading_share"].covered == 1


def test_no_clusters_at_all() -> None:
    empty = panel(2023, [])
    assert empty["clusters"].text() == "0 个"
    assert empty["output"].value is None
    assert empty["output"].coverage == "0/0"


def test_text_names_the_unit_and_rounds_half_up_exactly() -> None:
    assert PANEL["output"].text() == "200.00 亿元"
    assert rounded(Fraction(1, 8), 2) == Decimal("0.13")
    assert rounded(Fraction(-1, 8), 2) == Decimal("-0.13")
    assert rounded(Fraction(2, 3), 1) == Decimal("0.7")


def test_previous_panel_holds_the_same_clusters_a_year_earlier() -> None:
    before = previous_panel(PANEL)
    assert before.year == 2022
    assert [fact.number for fact in before.facts] == ["A-1", "C-1"]
    assert before["output"].decimal == Decimal("130.00")
    assert before.sources == {Source.APPLICATION: 1, Source.ANNUAL_REPORT: 1}


def test_facts_of_the_wrong_year_are_refused() -> None:
    with pytest.raises(ValueError, match="2023"):
        panel(2024, [A])
    with pytest.raises(ValueError, match="figures of 2022"):
        ClusterYear(
            number="X",
            name="x",
            province="440000",
            city=None,
            county="440606",
            industry="家电",
            year=2023,
            source=Source.ANNUAL_REPORT,
            figures=annual(2022, {"output": 1}),
        )
    with pytest.raises(KeyError, match="no figure"):
        figure("nonsense")


def test_regions_are_data_with_both_schemes() -> None:
    assert region_of("210102", RegionScheme.THREE) == "东部"
    assert region_of("210102", RegionScheme.FOUR) == "东北"
    assert region_of("230100", RegionScheme.THREE) == "中部"
    assert region_of("810000") == UNASSIGNED
    assert len(provinces_in("东北", RegionScheme.FOUR)) == 3
    assert len(provinces_in("西部", RegionScheme.THREE)) == 12
    assert len(provinces_in("东部", RegionScheme.THREE)) == 11
    assert len(provinces_in("中部", RegionScheme.FOUR)) == 6
    with pytest.raises(ValueError, match="six-digit"):
        region_of("44")


def _one(number: str, figures: dict[str, Any], code: str = "", **more: Any) -> ClusterYear:
    return ClusterYear(
        number=number,
        name=number,
        province="440000",
        city="440600",
        county="440606",
        industry="家电",
        industry_code=code,
        year=2023,
        source=Source.ANNUAL_REPORT,
        figures=annual(2023, figures, **more),
    )


def test_above_sixty_and_ninety_four_per_cent_are_exclusive() -> None:
    """CESI (seed 004): "七成集群大宗固废综合利用率高于60%，三成集群工业用水重复利用率高于94%"; 高于 is
    exclusive (以上 and 不低于 are the inclusive words): a cluster at exactly 60 % or 94 % is not above."""
    at_mark = _one("M-1", {"output": 10}, solid_waste_utilisation=60, water_reuse=94)
    above = _one("M-2", {"output": 10}, solid_waste_utilisation=Decimal("60.1"), water_reuse=Decimal("94.1"))
    result = panel(2023, [at_mark, above])
    assert result["solid_waste_above_mark"].decimal == Decimal("50.0")
    assert result["water_reuse_above_mark"].decimal == Decimal("50.0")
    only_at = panel(2023, [at_mark])
    assert only_at["solid_waste_above_mark"].decimal == Decimal("0.0")
    assert only_at["water_reuse_above_mark"].decimal == Decimal("0.0")
    assert "> 60%" in figure("solid_waste_above_mark").formula


def test_shares_of_firms_are_weighted_by_firm_counts_and_a_plain_mean_says_so() -> None:
    """Issue 14: a share of firms over clusters is Σ part ÷ Σ whole (the formula says so), not the mean of
    the clusters' ratios; where no cluster reported its firm count, the plain mean, and the value says so."""
    big = _one("W-1", {"output": 10, "iip_penetration": 80}, firms=900, cloud_adoption=80)
    small = _one("W-2", {"output": 10, "iip_penetration": 20}, firms=100, cloud_adoption=20)
    weighted = panel(2023, [big, small])
    # (80 × 900 + 20 × 100) / 1000 = 74, where the mean of the ratios would be 50
    assert weighted["cloud_adoption"].decimal == Decimal("74.0")
    assert weighted["iip_penetration"].decimal == Decimal("74.0")
    assert weighted["cloud_adoption"].note == ""
    assert "Σ（上云率 × 集群企业数）÷ Σ 集群企业数" in figure("cloud_adoption").formula
    uncounted = panel(
        2023,
        [_one("U-1", {"output": 10}, cloud_adoption=80), _one("U-2", {"output": 10}, cloud_adoption=20)],
    )
    assert uncounted["cloud_adoption"].decimal == Decimal("50.0")
    assert "算术平均" in uncounted["cloud_adoption"].coverage
    # the figures no form gives a whole for stay plain means, and their formula says why
    assert "无从加权" in figure("water_reuse").formula


def test_the_leading_industry_figure_is_a_share_of_output_never_above_a_hundred() -> None:
    """CESI's "主导产业…对集群产值贡献率达86.5%" is the leading industry's share of output: with small growth
    the old contribution to growth read 214 % (Δ leading 15 of Δ output 7); the share is 102 / 107."""
    grown = ClusterYear(
        number="G-1",
        name="g",
        province="440000",
        city="440600",
        county="440606",
        industry="家电",
        year=2023,
        source=Source.ANNUAL_REPORT,
        figures=annual(2023, {"output": 107, "leading_output": 102}),
        previous=annual(2022, {"output": 100, "leading_output": 87}),
        previous_source=Source.ANNUAL_REPORT,
    )
    result = panel(2023, [grown])
    assert "leading_contribution" not in result.values
    share = result["leading_share"]
    assert share.value is not None
    assert share.value <= 100
    assert share.decimal == Decimal("95.3")


def test_cesi_items_without_a_source_before_are_optional_fields_with_figures() -> None:
    """Seed 004's 技术路线图, 揭榜挂帅, 新模式新业态 and 全栈服务能力: optional fields of the annual form,
    absent meaning not reported; each has a figure."""
    one = _one(
        "N-1",
        {"output": 10},
        firms=200,
        tech_roadmap=True,
        challenge_firms=30,
        new_model_projects=2,
        full_service=True,
    )
    two = _one("N-2", {"output": 10}, firms=100, tech_roadmap=False, challenge_firms=0, new_model_projects=0)
    three = _one("N-3", {"output": 10})
    result = panel(2023, [one, two, three])
    assert (result["tech_roadmap"].decimal, result["tech_roadmap"].coverage) == (Decimal("50.0"), "2/3")
    assert result["challenge_firms"].decimal == Decimal(30)
    assert result["challenge_firm_share"].decimal == Decimal("10.0")  # 30 / 300
    assert result["new_model_project_clusters"].decimal == Decimal("50.0")
    assert (result["full_service"].decimal, result["full_service"].coverage) == (Decimal("100.0"), "1/3")
    with pytest.raises(ValueError, match="challenge_firms"):
        annual(2023, {"output": 1}, firms=10, challenge_firms=11)
