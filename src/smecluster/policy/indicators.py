"""Indicator systems (细化评分指标体系) as data: the schema of a file and its loader.

An indicator system groups scoring indicators under dimensions; each indicator has a code, a name, its
maximum points (分) and the guidance experts score by. The points of all indicators add up to exactly 100.
The schema is strict like the rule sets': an unknown key, a duplicate YAML key or code, points with more
than two decimals, or a total other than 100 each fail loudly, naming the file and the field.

The package ships one system, ``indicators/default.yaml``, built on the nine criterion groups of the rule
sets and marked ``is_default: true``: no official weights are published, so a province adapts it (as a
new version of a call's system, on the call's indicator page) before scoring starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smecluster.errors import Problem, UnusableInput
from smecluster.policy.ruleset import read_yaml
from smecluster.profile import field_path

TOTAL_POINTS = Decimal(100)
"""What the maximum points of a system's indicators add up to."""

DEFAULT_FILE = "default.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorEntry(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]{0,15}$", description="unique in the system")
    name: str = Field(min_length=1, max_length=128)
    max_points: Decimal = Field(gt=0, max_digits=6, decimal_places=2, description="分")
    guidance: str = Field(min_length=1, description="评分要点: what earns the points")


class Dimension(_Strict):
    name: str = Field(min_length=1, max_length=64)
    indicators: list[IndicatorEntry] = Field(min_length=1)

    @property
    def max_points(self) -> Decimal:
        return sum((indicator.max_points for indicator in self.indicators), Decimal(0))


class IndicatorSystemFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=128)
    is_default: bool = Field(description="the system's own proposal, to be adapted by each province")
    note: str = Field(min_length=1, description="where the weights come from, shown beside the system")
    dimensions: list[Dimension] = Field(min_length=1)

    @field_validator("dimensions")
    @classmethod
    def _unique(cls, dimensions: list[Dimension]) -> list[Dimension]:
        names: set[str] = set()
        codes: set[str] = set()
        for index, dimension in enumerate(dimensions):
            if dimension.name in names:
                raise ValueError(f"dimensions[{index}].name: {dimension.name} is used twice")
            names.add(dimension.name)
            for position, indicator in enumerate(dimension.indicators):
                if indicator.code in codes:
                    raise ValueError(
                        f"dimensions[{index}].indicators[{position}].code: {indicator.code} is used twice"
                    )
                codes.add(indicator.code)
        return dimensions

    @model_validator(mode="after")
    def _adds_up(self) -> IndicatorSystemFile:
        if self.total != TOTAL_POINTS:
            raise ValueError(f"the maximum points add up to {self.total}, not {TOTAL_POINTS}")
        return self

    @property
    def total(self) -> Decimal:
        return sum((dimension.max_points for dimension in self.dimensions), Decimal(0))

    def rows(self) -> Iterator[IndicatorRow]:
        """Every indicator in order, with its dimension: what a call's system stores."""
        order = 0
        for dimension in self.dimensions:
            for indicator in dimension.indicators:
                order += 1
                yield IndicatorRow(
                    order=order,
                    dimension=dimension.name,
                    code=indicator.code,
                    name=indicator.name,
                    max_points=indicator.max_points,
                    guidance=indicator.guidance,
                )


@dataclass(frozen=True)
class IndicatorRow:
    order: int
    dimension: str
    code: str
    name: str
    max_points: Decimal
    guidance: str


def parse_indicator_system(document: Any, *, source: str) -> IndicatorSystemFile:
    try:
        return IndicatorSystemFile.model_validate(document)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            path = field_path(tuple(detail["loc"]))
            if detail["type"] == "extra_forbidden":
                message = "unknown key: the indicator-system schema has no such field"
            elif detail["type"] == "value_error":
                message = str(detail["ctx"]["error"])
            else:
                message = str(detail["msg"])
            # A check over a list names the exact entry in its message ("dimensions[3].name: ...").
            if message.startswith(f"{path}["):
                path, _, message = message.partition(": ")
            problems.append(Problem(path, message))
        raise UnusableInput(source, problems) from None


def load_indicator_system_file(path: Path) -> IndicatorSystemFile:
    """Read an indicator system from a file, e.g. a province's adapted copy tried before it is used."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", "is not UTF-8 text") from None
    except OSError as error:
        raise UnusableInput.single(source, "", f"cannot be read: {error.strerror}") from None
    return parse_indicator_system(read_yaml(text, source=source), source=source)


@cache
def default_indicator_system() -> IndicatorSystemFile:
    """The system the package ships (``indicators/default.yaml``)."""
    source = f"indicators/{DEFAULT_FILE}"
    text = (resources.files("smecluster.policy") / "indicators" / DEFAULT_FILE).read_text(encoding="utf-8")
    return parse_indicator_system(read_yaml(text, source=source), source=source)
