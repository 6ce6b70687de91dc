"""Working days and deadlines under the State Council's holiday arrangements (国务院办公厅节假日安排).

A day is a working day when the arrangement makes it a make-up working day (调休上班), is not a
working day when the arrangement gives it off, and otherwise is one exactly when it falls Monday to
Friday. The arrangement for each year comes from the ``chinesecalendar`` package (the seed, 2004–2026),
overlaid by year files an administrator loads from the official notice, which is published each
November. A year with neither is an error: guessing Monday–Friday would silently move every deadline
that crosses a holiday.

Loaded years live in ``<data dir>/holidays/<year>.csv``; the data directory is ``$SMECLUSTER_DATA_DIR``,
else ``$XDG_DATA_HOME/smecluster``, else ``~/.local/share/smecluster``.

All deadlines are in China Standard Time (Asia/Shanghai): "by 31 March" ends at the last instant of
31 March in Beijing, whatever the clock of the machine that records the submission.
"""

from __future__ import annotations

import collections
import csv
import functools
import importlib.metadata
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar.constants

from smecluster.atomic_files import write_atomically
from smecluster.errors import Problem, UnusableInput

CHINA_TZ = ZoneInfo("Asia/Shanghai")

HOLIDAY_OFF = "holiday_off"
MAKEUP_WORKDAY = "makeup_workday"
DAY_TYPES = (HOLIDAY_OFF, MAKEUP_WORKDAY)

LOAD_COMMAND = "smecluster calendar load FILE"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_FILE_NAME = re.compile(r"(\d{4})\.csv")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The reference data writes "Mon"; spreadsheets from a Chinese office write 周一 or 星期一. Any of
# them is checked against the date, because a weekday that disagrees is how a mistyped date shows.
_WEEKDAY_SPELLINGS: tuple[frozenset[str], ...] = tuple(
    frozenset({name.lower(), name[:3].lower(), f"周{digit}", f"星期{digit}"})
    for name, digit in zip(_WEEKDAY_NAMES, "一二三四五六日", strict=True)
)


class MissingHolidayData(UnusableInput):
    """A date falls in a year whose holiday arrangement has not been loaded."""

    def __init__(self, year: int, needed_for: date | None = None) -> None:
        self.year = year
        self.needed_for = needed_for
        needed = f" (needed for {needed_for.isoformat()})" if needed_for else ""
        message = (
            f"no holiday data for {year}{needed}: load the State Council's arrangement for {year} "
            f"with `{LOAD_COMMAND}`"
        )
        super().__init__("holiday calendar", [Problem("date", message)])


def parse_iso_date(text: str) -> date:
    """Read ``YYYY-MM-DD`` and nothing else: compact or week-date forms are more likely typos than intent."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD (e.g. 2023-10-07)")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a real date: {error}") from None


# ---------------------------------------------------------------------------------------------------
# One year's arrangement, and reading it from an administrator's file


@dataclass(frozen=True)
class YearArrangement:
    """The State Council's arrangement for one calendar year: its days off and make-up working days.

    ``days_off`` and ``makeup_workdays`` map each date to the holiday it belongs to (春节, 国庆节…).
    ``loaded_from`` is the stored file the year was read from, ``None`` for the ``chinesecalendar`` seed.
    """

    year: int
    days_off: Mapping[date, str]
    makeup_workdays: Mapping[date, str]
    loaded_from: Path | None = None

    @property
    def source(self) -> str:
        return str(self.loaded_from) if self.loaded_from else f"chinesecalendar {_SEED_VERSION}"


def load_year_file(path: Path) -> YearArrangement:
    """Read and validate an administrator's file holding one year's arrangement.

    The file is CSV with a header row naming at least ``date`` (YYYY-MM-DD) and ``type``
    (``holiday_off`` or ``makeup_workday``); ``holiday_name``, ``year`` and ``weekday`` are used when
    present and any other column (such as ``official_notice_url``) is kept but not read. Rows are
    numbered as a spreadsheet shows them, the header being row 1. Every problem is reported at once
    as :class:`UnusableInput`.
    """
    return _parse_year(_read_text(path), source=str(path))


def install_year(path: Path, data_dir: Path | None = None) -> YearArrangement:
    """Validate a year file and store it as that year's arrangement, replacing any earlier one.

    The bytes that were validated are the bytes stored, so provenance columns such as the notice's
    URL stay with the data. The new file appears whole or not at all: an invalid file or a failed
    write leaves the year as it was.
    """
    return install_year_bytes(_read_bytes(path), source=str(path), data_dir=data_dir)


def parse_year_bytes(raw: bytes, source: str) -> YearArrangement:
    """:func:`load_year_file` for the bytes of an upload (the platform admin's page previews with it)."""
    return _parse_year(_decode(raw, source=source), source=source)


def install_year_bytes(raw: bytes, source: str, data_dir: Path | None = None) -> YearArrangement:
    """:func:`install_year` for the bytes of an upload."""
    parsed = parse_year_bytes(raw, source)
    target = holidays_dir(data_dir) / f"{parsed.year}.csv"
    write_atomically(target, raw)
    return YearArrangement(parsed.year, parsed.days_off, parsed.makeup_workdays, loaded_from=target)


@dataclass(frozen=True)
class HolidayLine:
    """One holiday of a year's arrangement as the State Council's notice states it: "春节：2月15日至23日放假
    调休，共9天。2月14日（星期六）、2月28日（星期六）上班。" An administrator compares these lines with the
    notice before loading the year."""

    name: str
    days_off: tuple[date, ...]
    makeup_workdays: tuple[date, ...]

    @property
    def wording(self) -> str:
        text = f"{self.name}：{_days_wording(self.days_off)}放假"
        if self.makeup_workdays:
            text += "调休"
        text += f"，共{len(self.days_off)}天。"
        if self.makeup_workdays:
            text += "、".join(
                f"{_month_day(day)}（{_WEEKDAYS[day.weekday()]}）" for day in self.makeup_workdays
            )
            text += "上班。"
        return text


_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _month_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _days_wording(days: tuple[date, ...]) -> str:
    """Consecutive days as a span ("2月15日至23日"), others one by one."""
    spans: list[list[date]] = []
    for day in days:
        if spans and (day - spans[-1][-1]).days == 1:
            spans[-1].append(day)
        else:
            spans.append([day])
    words = []
    for span in spans:
        first, last = span[0], span[-1]
        if first == last:
            words.append(_month_day(first))
        elif first.month == last.month:
            words.append(f"{_month_day(first)}至{last.day}日")
        else:
            words.append(f"{_month_day(first)}至{_month_day(last)}")
    return "、".join(words)


def holiday_lines(arrangement: YearArrangement) -> list[HolidayLine]:
    """The arrangement's holidays in the order of their first day off, each with its make-up days."""
    names: dict[str, None] = dict.fromkeys(name for _day, name in sorted(arrangement.days_off.items()))
    for _day, name in sorted(arrangement.makeup_workdays.items()):
        names.setdefault(name)
    return [
        HolidayLine(
            name,
            tuple(sorted(day for day, each in arrangement.days_off.items() if each == name)),
            tuple(sorted(day for day, each in arrangement.makeup_workdays.items() if each == name)),
        )
        for name in names
    ]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnusableInput.single(str(path), "", f"cannot read the file: {error.strerror}") from None


def _read_text(path: Path) -> str:
    return _decode(_read_bytes(path), source=str(path))


def _decode(raw: bytes, source: str) -> str:
    # Excel on a Chinese Windows saves "CSV" as GB18030-family text; UTF-8 (with or without the BOM
    # Excel adds) is tried first because GB18030 would also accept, wrongly, most UTF-8 text.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise UnusableInput.single(source, "", "not text: save the file as CSV (UTF-8)") from None


@dataclass(frozen=True)
class _Row:
    number: int
    day: date
    day_type: str
    holiday_name: str


def _parse_year(text: str, source: str) -> YearArrangement:
    records = list(csv.reader(io.StringIO(text, newline="")))
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise UnusableInput.single(source, "", "the file is empty: expected a header with `date` and `type`")
    header = [name.strip() for name in records[0]]
    missing = [name for name in ("date", "type") if name not in header]
    if missing:
        raise UnusableInput.single(
            source, "header", f"no column {', '.join(map(repr, missing))} (the header is {', '.join(header)})"
        )

    problems: list[Problem] = []
    rows: list[_Row] = []
    first_row_of: dict[date, int] = {}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave empty rows between holidays; they say nothing
        row = _check_row(number, dict(zip(header, (cell.strip() for cell in cells), strict=False)), problems)
        if len(cells) > len(header) and any(extra.strip() for extra in cells[len(header) :]):
            problems.append(Problem(f"row {number}", f"{len(cells)} values but the header has {len(header)}"))
        if row is None:
            continue
        if row.day in first_row_of:
            problems.append(
                Problem(f"row {number}: date", f"{row.day} already appears in row {first_row_of[row.day]}")
            )
            continue
        first_row_of[row.day] = number
        rows.append(row)
    if not rows:
        raise UnusableInput(
            source, problems or [Problem("", "no rows after the header: the file holds no days")]
        )

    # The year most rows agree on, so that the stray rows are the ones reported rather than all the others.
    year = collections.Counter(row.day.year for row in rows).most_common(1)[0][0]
    problems.extend(_stray_year_problems(rows, year))
    if not any(row.day_type == HOLIDAY_OFF for row in rows):
        problems.append(Problem("type", f"no {HOLIDAY_OFF} row: every year's arrangement has days off"))
    if problems:
        raise UnusableInput(source, problems)
    return YearArrangement(
        year,
        days_off={row.day: row.holiday_name for row in rows if row.day_type == HOLIDAY_OFF},
        makeup_workdays={row.day: row.holiday_name for row in rows if row.day_type == MAKEUP_WORKDAY},
    )


def _stray_year_problems(rows: list[_Row], year: int) -> list[Problem]:
    """One problem per other year the file strays into, naming its rows (as ranges, for a whole year)."""
    stray: dict[int, list[_Row]] = collections.defaultdict(list)
    for row in rows:
        if row.day.year != year:
            stray[row.day.year].append(row)
    problems = []
    for other_year, strays in sorted(stray.items()):
        if len(strays) == 1:
            where, what = f"row {strays[0].number}", f"{strays[0].day} is in {other_year}"
        else:
            where = f"rows {_number_ranges([row.number for row in strays])}"
            what = f"{len(strays)} days are in {other_year}"
        problems.append(
            Problem(
                f"{where}: date",
                f"{what}, the file's other days in {year}: a file holds one calendar year, so the days "
                f"of {other_year} belong in that year's file",
            )
        )
    return problems


def _number_ranges(numbers: list[int]) -> str:
    """``2, 3, 4, 7`` as ``2-4, 7``."""
    ranges: list[list[int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][-1] + 1:
            ranges[-1][-1] = number
        else:
            ranges.append([number, number])
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


def _check_row(number: int, cells: Mapping[str, str], problems: list[Problem]) -> _Row | None:
    """The row's day, or ``None`` when its date or type is unusable; each fault found goes to ``problems``."""
    found: list[Problem] = []
    day_type = cells.get("type", "")
    if day_type not in DAY_TYPES:
        found.append(Problem("type", f"{day_type!r} is not one of {', '.join(DAY_TYPES)}"))
    try:
        day: date | None = parse_iso_date(cells.get("date", ""))
    except ValueError as error:
        found.append(Problem("date", str(error)))
        day = None
    if day is not None:
        weekday = _WEEKDAY_NAMES[day.weekday()]
        stated_year = cells.get("year", "")
        if stated_year and stated_year != str(day.year):
            found.append(Problem("year", f"{stated_year} does not match the date {day}"))
        stated_weekday = cells.get("weekday", "")
        if stated_weekday and stated_weekday.lower() not in _WEEKDAY_SPELLINGS[day.weekday()]:
            found.append(Problem("weekday", f"{day} is a {weekday}, not {stated_weekday}"))
        if day_type == MAKEUP_WORKDAY and day.weekday() < 5:
            found.append(
                Problem(
                    "date",
                    f"{day} is a {weekday}, a working day already: a make-up working day falls on a "
                    "Saturday or Sunday",
                )
            )
    problems.extend(Problem(f"row {number}: {problem.field}", problem.message) for problem in found)
    if day is None or day_type not in DAY_TYPES:
        return None
    return _Row(number, day, day_type, cells.get("holiday_name", ""))


# ---------------------------------------------------------------------------------------------------
# Where loaded years live


def default_data_dir() -> Path:
    """The directory holding data an administrator loads: ``$SMECLUSTER_DATA_DIR`` or the XDG default."""
    configured = os.environ.get("SMECLUSTER_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    xdg_data_home = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg_data_home) if xdg_data_home else Path.home() / ".local" / "share"
    return base / "smecluster"


def holidays_dir(data_dir: Path | None = None) -> Path:
    return (data_dir if data_dir is not None else default_data_dir()) / "holidays"


def _stored_year_files(directory: Path) -> dict[int, Path]:
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return {}
    matches = ((_YEAR_FILE_NAME.fullmatch(name), name) for name in names)
    return {int(match.group(1)): directory / name for match, name in matches if match}


# ---------------------------------------------------------------------------------------------------
# The calendar

_SEED_VERSION = importlib.metadata.version("chinesecalendar")


class HolidayCalendar:
    """Working days for every year that has an arrangement; other years raise :class:`MissingHolidayData`."""

    def __init__(self, arrangements: Iterable[YearArrangement]) -> None:
        self._by_year = {arrangement.year: arrangement for arrangement in arrangements}

    @classmethod
    def seed(cls) -> HolidayCalendar:
        """The ``chinesecalendar`` arrangements alone, without anything an administrator loaded."""
        return cls(_seed_arrangements())

    @classmethod
    def load(cls, data_dir: Path) -> HolidayCalendar:
        """The seed overlaid by the years stored under ``data_dir``; a stored year replaces the seed's."""
        by_year = {arrangement.year: arrangement for arrangement in _seed_arrangements()}
        for year, path in sorted(_stored_year_files(holidays_dir(data_dir)).items()):
            stored = load_year_file(path)
            if stored.year != year:
                raise UnusableInput.single(
                    str(path), "date", f"the file is named for {year} but holds the days of {stored.year}"
                )
            by_year[year] = YearArrangement(year, stored.days_off, stored.makeup_workdays, loaded_from=path)
        return cls(by_year.values())

    @property
    def years(self) -> list[YearArrangement]:
        return [self._by_year[year] for year in sorted(self._by_year)]

    def arrangement(self, year: int) -> YearArrangement:
        try:
            return self._by_year[year]
        except KeyError:
            raise MissingHolidayData(year) from None

    def is_workday(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime never equals the date keys below, so every holiday would read as a working
            # day; and which date it is depends on its zone.
            raise TypeError(
                f"expected a date, got the datetime {day}: convert with .astimezone(CHINA_TZ).date()"
            )
        arrangement = self._by_year.get(day.year)
        if arrangement is None:
            raise MissingHolidayData(day.year, needed_for=day)
        if day in arrangement.makeup_workdays:
            return True
        if day in arrangement.days_off:
            return False
        return day.weekday() < 5

    def period_end(self, start: date, n: int) -> date:
        """The last day of a period of ``n`` working days starting on ``start``.

        ``start`` is day 1 when it is a working day; otherwise day 1 is the next working day. A
        public notice of 5 working days from 2023-09-28 ends on 2023-10-10.
        """
        if n < 1:
            raise ValueError(f"a period has at least 1 working day, not {n}")
        day = start
        counted = 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == n:
                    return day
            day += timedelta(days=1)

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie from ``first`` to ``last``, both included; 0 when ``last`` is earlier."""
        return sum(
            self.is_workday(first + timedelta(days=offset)) for offset in range((last - first).days + 1)
        )


@functools.cache
def _seed_arrangements() -> tuple[YearArrangement, ...]:
    days_off: dict[int, dict[date, str]] = collections.defaultdict(dict)
    makeup_workdays: dict[int, dict[date, str]] = collections.defaultdict(dict)
    seed_days_off: dict[date, str] = chinese_calendar.constants.holidays
    seed_workdays: dict[date, str] = chinese_calendar.constants.workdays
    # The package names holidays in English ("Spring Festival"); the State Council's notice, the loaded
    # files and the pages say 春节.
    chinese = {holiday.value: holiday.chinese for holiday in chinese_calendar.constants.Holiday}
    for day, name in seed_days_off.items():
        days_off[day.year][day] = chinese.get(name, name)
    for day, name in seed_workdays.items():
        makeup_workdays[day.year][day] = chinese.get(name, name)
    return tuple(
        YearArrangement(year, days_off[year], makeup_workdays[year])
        for year in sorted(days_off.keys() | makeup_workdays.keys())
    )


def holiday_calendar(data_dir: Path | None = None) -> HolidayCalendar:
    """The calendar for ``data_dir`` (default :func:`default_data_dir`), rebuilt when its year files change.

    The stored files are looked at on every call, so a year an administrator loads from another
    process (the CLI, while the web server runs) is seen at once.
    """
    data_dir = (data_dir if data_dir is not None else default_data_dir()).resolve()
    stored = _stored_year_files(holidays_dir(data_dir))
    fingerprint: list[tuple[int, int, int, int]] = []
    for year, path in sorted(stored.items()):
        status = path.stat()
        fingerprint.append((year, status.st_ino, status.st_mtime_ns, status.st_size))
    return _cached_calendar(data_dir, tuple(fingerprint))


@functools.lru_cache(maxsize=8)
def _cached_calendar(data_dir: Path, fingerprint: tuple[tuple[int, int, int, int], ...]) -> HolidayCalendar:
    return HolidayCalendar.load(data_dir)


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day in the current calendar (:func:`holiday_calendar`)."""
    return holiday_calendar().is_workday(day)


def period_end(start: date, n: int) -> date:
    """The last of ``n`` working days from ``start`` in the current calendar; ``start`` counts if working."""
    return holiday_calendar().period_end(start, n)


def working_days_between(first: date, last: date) -> int:
    """Working days from ``first`` to ``last`` inclusive in the current calendar."""
    return holiday_calendar().working_days_between(first, last)


# ---------------------------------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True)
class AnnualDueDay:
    """A deadline that recurs each year on the same day, such as the annual report "by 31 March"."""

    month: int
    day: int

    def __post_init__(self) -> None:
        # Checked against a common year: a deadline on 29 February would not exist three years in four.
        try:
            date(2001, self.month, self.day)
        except ValueError:
            raise ValueError(f"month {self.month}, day {self.day} is not a day every year has") from None

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)


def deadline_end(due: date) -> datetime:
    """The last instant of ``due`` in Beijing: what "by <due>" means for a submission."""
    return datetime.combine(due, time.max, tzinfo=CHINA_TZ)


def is_on_time(submitted_at: datetime, due: date) -> bool:
    """Whether a submission at ``submitted_at`` (any zone, but aware) meets a deadline of ``due`` in Beijing.

    31 March 23:59 Beijing time is on time; 1 April 00:00 Beijing, or 31 March 16:30 UTC, is late.
    """
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise ValueError(
            f"submitted_at {submitted_at} has no time zone, so it may be hours off Beijing time: "
            "record submissions as aware datetimes"
        )
    return submitted_at <= deadline_end(due)
