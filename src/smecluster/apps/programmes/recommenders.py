"""Which office recommends a county's application to the programme's owner, and how many it may recommend.

The review chain names the recommending *level* (the city in a provincial programme, the province in the
national one, ``workflow.engine.acting_level``). The national measure also addresses the 计划单列市 beside
the provinces: their districts apply through them, under their own quota, not through the province. Which
units those are, and every quota, are the rule set's data (``RuleSet.separate_recommenders``,
``RuleSet.quotas``), so no code here names a city.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Jurisdiction, Role
from smecluster.apps.programmes.models import Programme, YearlyCall
from smecluster.apps.workflow.engine import Actor, acting_level
from smecluster.policy.ruleset import Quota, RecommenderKind, Relaxation, SeparateRecommender, rule_set
from smecluster.reference.divisions import city_above


@dataclass(frozen=True)
class RecommendingOffice:
    """The office taking the recommender's steps for one county: its role and jurisdiction code, and the
    separately listed unit it is when it is one."""

    role: Role
    jurisdiction: str
    separately_listed: SeparateRecommender | None = None
    # The county whose city's place the province takes, where no city stands above it (东莞, 仙桃).
    in_place_of_city: str | None = None

    @property
    def is_province(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN

    @property
    def quota_holder(self) -> str:
        """The jurisdiction whose recommendation quota this office uses: its own, or, where the province
        recommends in a city's place, that county's (it is the city at that level)."""
        return self.in_place_of_city or self.jurisdiction


def recommending_office(programme: Programme, county: Jurisdiction) -> RecommendingOffice:
    """The office through which ``county`` applies under ``programme``."""
    level = acting_level(programme.review_chain, Actor.RECOMMENDER)
    if level == "province":
        unit = rule_set(programme.rule_set_id).separate_recommender(county.code)
        if unit is not None:
            # A 计划单列市's department is its city's office in the jurisdiction table; the XPCC's is the
            # office the platform adds beside GB/T 2260 (reference/offices.py).
            return RecommendingOffice(Role.CITY_OFFICER, unit.code, unit)
        return RecommendingOffice(Role.PROVINCE_ADMIN, county.code[:2] + "0000")
    if level == "city":
        if city_above(county.code) is None:
            # A 不设区的地级市 acting at county level (东莞, 中山, 儋州, 嘉峪关; the list is reference
            # data) or a county directly under its province (仙桃): no city stands above it, so the
            # province receives and recommends the application itself, in the city's place and quota.
            return RecommendingOffice(
                Role.PROVINCE_ADMIN, county.code[:2] + "0000", in_place_of_city=county.code
            )
        if county.parent_id is None:
            # Only provinces have no parent, and a province never applies: the reference data is broken.
            raise ValueError(f"county {county.code} has no city above it in the jurisdiction table")
        return RecommendingOffice(Role.CITY_OFFICER, county.parent_id)
    if level == "county":
        # A city's own programme (市级集群): the county recommends to the city that owns it.
        return RecommendingOffice(Role.COUNTY_OFFICER, county.code)
    raise ValueError(f"a review chain recommending at the {level} level is not supported")


def separately_listed_in(programme: Programme, province_code: str) -> list[SeparateRecommender]:
    """The separately listed units covering counties of a province (深圳 in 广东, the XPCC's cities in 新疆):
    those counties are not the province's to recommend."""
    return [
        unit
        for unit in rule_set(programme.rule_set_id).separate_recommenders
        if any(prefix[:2] == province_code[:2] for prefix in unit.covered_prefixes)
    ]


def covered_by(unit: SeparateRecommender, field: str = "county") -> Q:
    """A filter on ``field`` (a foreign key to a county) keeping the counties ``unit`` covers."""
    first, *rest = unit.covered_prefixes
    where = Q(**{f"{field}__code__startswith": first})
    for prefix in rest:
        where |= Q(**{f"{field}__code__startswith": prefix})
    return where


@dataclass(frozen=True)
class RecommendationQuota:
    """How many applications one office may recommend in one call, and why that many."""

    limit: int | None  # None: neither the rule set nor the call sets a limit
    law: Quota | None  # the rule set's quota for the call's year and this kind of office, if any
    set_by_call: int | None  # the call's (or the programme's) own limit, if any
    relaxed: Relaxation | None = None  # the office is in a region where the owner's own limit binds

    @property
    def basis(self) -> str:
        """Where the limit comes from, to show beside it and in a refusal."""
        if self.limit is None:
            return _("不限")
        if self.relaxed is not None:
            return _("%(source)s：%(clause)s（%(article)s），本年度申报设定 %(limit)s 个") % {
                "source": self.law.source if self.law else "",
                "clause": self.relaxed.clause,
                "article": self.relaxed.article.cite(),
                "limit": self.limit,
            }
        if self.law is not None and self.law.max_recommended == self.limit:
            return _("%(source)s：%(unit)s每年不超过 %(limit)s 个") % {
                "source": self.law.source,
                "unit": self.law.unit,
                "limit": self.law.max_recommended,
            }
        return _("本年度申报设定")


def recommendation_quota(call: YearlyCall, office: RecommendingOffice) -> RecommendationQuota:
    """The office's quota in ``call``: the rule set's for the call's year (the law: a call may set fewer,
    never more), or the call's own where the rule set fixes none."""
    kind = (
        RecommenderKind.SEPARATELY_LISTED
        if office.separately_listed is not None
        else RecommenderKind.PROVINCE
        if office.is_province and office.in_place_of_city is None
        else None
    )
    rules = rule_set(call.programme.rule_set_id)
    law = rules.quota(call.year, kind) if kind is not None else None
    set_by_call = call.effective_quota()
    region = rules.region_of(office.jurisdiction)
    relaxed = law.relaxable_in if law else None
    if relaxed and set_by_call is not None and region and region.id == relaxed.region:
        # 西部地区可适当放宽: in the region the owner's own limit for the call binds, even above the law's.
        return RecommendationQuota(set_by_call, law, set_by_call, relaxed=relaxed)
    limits = [limit for limit in (law.max_recommended if law else None, set_by_call) if limit is not None]
    return RecommendationQuota(limit=min(limits) if limits else None, law=law, set_by_call=set_by_call)
