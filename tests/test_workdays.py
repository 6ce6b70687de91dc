"""Working days under the State Council's arrangements, loaded years, and Beijing-time deadlines."""

from __future__ import annotations

import csv
import os
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smecluster import workdays
from smecluster.errors import UnusableInput
from smecluster.workdays import (
    CHINA_TZ,
    AnnualDueDay,
    HolidayCalendar,
    MissingHolidayData,
    deadline_end,
    install_year,
    is_on_time,
    load_year_file,
)

SEED = HolidayCalendar.seed()
REFERENCE_CSV = files("smecluster") / "reference" / "data" / "cn_holidays_2024_2026.csv"

# Shaped like a State Council notice (2027-01-01 is a Friday, 春节 falls on 2027-02-06), but made up
# for the tests: it is not the official 2027 arrangement.
ARRANGEMENT_2027 = """\
year,date,weekday,holiday_name,type,official_notice_url,source
2027,2027-01-01,Fri,元旦,holiday_off,,test fixture
2027,2027-01-02,Sat,元旦,holiday_off,,test fixture
2027,2027-01-03,Sun,元旦,holiday_off,,test fixture
2027,2027-02-05,Fri,春节,holiday_off,,test fixture
2027,2027-02-06,Sat,春节,holiday_off,,test fixture
2027,2027-02-07,Sun,春节,holiday_off,,test fixture
2027,2027-02-08,Mon,春节,holiday_off,,test fixture
2027,2027-02-09,Tue,春节,holiday_off,,test fixture
2027,2027-02-10,Wed,春节,holiday_off,,test fixture
2027,2027-02-11,Thu,春节,holiday_off,,test fixture
2027,2027-02-12,Fri,春节,holiday_off,,test fixture
2027,2027-02-13,Sat,春节,holiday_off,,test fixture
2027,2027-02-20,Sat,春节,makeup_workday,,test fixture
2027,2027-04-03,Sat,清明节,holiday_off,,test fixture
2027,2027-04-04,Sun,清明节,holiday_off,,test fixture
2027,2027-04-05,Mon,清明节,holiday_off,,test fixture
2027,2027-04-25,Sun,劳动节,makeup_workday,,test fixture
2027,2027-05-01,Sat,劳动节,holiday_off,,test fixture
2027,2027-05-02,Sun,劳动节,holiday_off,,test fixture
2027,2027-05-03,Mon,劳动节,holiday_off,,test fixture
2027,2027-05-04,Tue,劳动节,holiday_off,,test fixture
2027,2027-05-05,Wed,劳动节,holiday_off,,test fixture
2027,2027-05-08,Sat,劳动节,makeup_workday,,test fixture
2027,2027-06-09,Wed,端午节,holiday_off,,test fixture
2027,2027-09-15,Wed,中秋节,holiday_off,,test fixture
2027,2027-09-26,Sun,国庆节,makeup_workday,,test fixture
2027,2027-10-01,Fri,国庆节,holiday_off,,test fixture
2027,2027-10-02,Sat,国庆节,holiday_off,,test fixture
2027,2027-10-03,Sun,国庆节,holiday_off,,test fixture
2027,2027-10-04,Mon,国庆节,holiday_off,,test fixture
2027,2027-10-05,Tue,国庆节,holiday_off,,test fixture
2027,2027-10-06,Wed,国庆节,holiday_off,,test fixture
2027,2027-10-07,Thu,国庆节,holiday_off,,test fixture
2027,2027-10-09,Sat,国庆节,makeup_workday,,test fixture
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory that the module-level calendar reads instead of the user's."""
    directory = tmp_path / "data"
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(directory))
    return directory


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- working days in the seed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2022-12-29", 5, "2023-01-05"),  # national public notice, 元旦 2022-12-31 … 2023-01-02 in between
        ("2023-09-28", 5, "2023-10-10"),  # national public notice, across 中秋 and 国庆
    ],
)
def test_period_end_reproduces_the_national_public_notices(start: str, n: int, end: str) -> None:
    """The two real 5-working-day national notices of DOMAIN.md §5 end where the notices said they did."""
    assert SEED.period_end(d(start), n) == d(end)


def test_make_up_weekend_days_are_working_days() -> None:
    """Saturday 2023-10-07 and Sunday 2023-10-08 were make-up working days; 2023-10-14 was a Saturday off."""
    assert SEED.is_workday(d("2023-10-07"))
    assert SEED.is_workday(d("2023-10-08"))
    assert not SEED.is_workday(d("2023-10-14"))


def test_days_off_on_weekdays_are_not_working_days() -> None:
    """National Day 2023-10-02 (Monday) was a day off; 2023-10-09 (Monday) was an ordinary working day."""
    assert not SEED.is_workday(d("2023-10-02"))
    assert SEED.is_workday(d("2023-10-09"))


def test_period_starting_on_a_day_off_counts_from_the_next_working_day() -> None:
    """From Saturday 2023-09-30, a day off, 5 working days are 10-07, 10-08, 10-09, 10-10 and 10-11."""
    assert SEED.period_end(d("2023-09-30"), 5) == d("2023-10-11")


def test_one_working_day_period_is_the_start_or_the_next_working_day() -> None:
    """n=1 ends on the start when it is a working day, else on the next one (here a make-up Saturday)."""
    assert SEED.period_end(d("2023-09-28"), 1) == d("2023-09-28")
    assert SEED.period_end(d("2023-10-01"), 1) == d("2023-10-07")


def test_period_of_fewer_than_one_working_day_is_refused() -> None:
    """A period of 0 working days has no last day."""
    with pytest.raises(ValueError, match="at least 1"):
        SEED.period_end(d("2023-09-28"), 0)


def test_working_days_between_counts_both_ends() -> None:
    """2023-09-28 … 2023-10-10 holds the 5 working days of the notice; a reversed range holds none."""
    assert SEED.working_days_between(d("2023-09-28"), d("2023-10-10")) == 5
    assert SEED.working_days_between(d("2023-10-10"), d("2023-09-28")) == 0


def test_a_datetime_is_refused_rather_than_misread() -> None:
    """A datetime never matches a holiday's date, so it would read every holiday as a working day."""
    with pytest.raises(TypeError, match="astimezone"):
        SEED.is_workday(datetime(2023, 10, 2, 9, tzinfo=CHINA_TZ))


def test_seed_agrees_with_chinesecalendar_on_every_day_it_covers() -> None:
    """Every day of 2004–2026 is a working day for the seed exactly when chinesecalendar says so."""
    day, last = d("2004-01-01"), d("2026-12-31")
    while day <= last:
        assert SEED.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@given(
    start=st.dates(min_value=d("2004-01-01"), max_value=d("2026-10-31")),
    n=st.integers(min_value=1, max_value=40),
)
def test_period_end_is_the_nth_working_day_from_start(start: date, n: int) -> None:
    """period_end(start, n) is a working day, and start … period_end holds exactly n working days."""
    end = SEED.period_end(start, n)
    assert SEED.is_workday(end)
    assert SEED.working_days_between(start, end) == n


# --- the reference file, an independent check of the seed ----------------------------------------------


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_reference_row_agrees_with_chinesecalendar() -> None:
    """Every day off and make-up working day of the 2024–2026 notices gathered is so in chinesecalendar."""
    rows = reference_rows()
    assert {row["year"] for row in rows} == {"2024", "2025", "2026"}
    for row in rows:
        day = d(row["date"])
        if row["type"] == "holiday_off":
            assert day in chinese_calendar.constants.holidays, row
            assert not SEED.is_workday(day), row
        else:
            assert row["type"] == "makeup_workday", row
            assert day in chinese_calendar.constants.workdays, row
            assert SEED.is_workday(day), row


def test_reference_lists_every_seed_day_of_2024_to_2026() -> None:
    """chinesecalendar has no day off or make-up day in 2024–2026 that the reference file lacks."""
    listed = {d(row["date"]) for row in reference_rows()}
    for year in (2024, 2025, 2026):
        arrangement = SEED.arrangement(year)
        assert set(arrangement.days_off) | set(arrangement.makeup_workdays) <= listed


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_one_year_of_the_reference_file_loads_as_the_seed_has_it(year: int, tmp_path: Path) -> None:
    """A year cut from the reference file, the shape an administrator loads, gives the seed's days."""
    lines = REFERENCE_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    path = write(
        tmp_path / f"{year}.csv", lines[0] + "".join(x for x in lines[1:] if x.startswith(f"{year},"))
    )
    loaded = load_year_file(path)
    assert loaded.year == year
    assert set(loaded.days_off) == set(SEED.arrangement(year).days_off)
    assert set(loaded.makeup_workdays) == set(SEED.arrangement(year).makeup_workdays)


# --- years without data, and loading one -----------------------------------------------------------------


@pytest.mark.usefixtures("data_dir")
def test_a_year_without_data_is_an_error_naming_the_year_and_how_to_load_it() -> None:
    """2027 is not in the seed: asking about it fails, never guesses Monday–Friday."""
    with pytest.raises(MissingHolidayData) as caught:
        workdays.is_workday(d("2027-01-04"))
    assert isinstance(caught.value, UnusableInput)
    assert caught.value.year == 2027
    assert "no holiday data for 2027" in str(caught.value)
    assert "smecluster calendar load FILE" in str(caught.value)
    assert caught.value.problems[0].field == "date"


@pytest.mark.usefixtures("data_dir")
def test_a_period_running_into_a_year_without_data_is_an_error() -> None:
    """From 2026-12-28, 5 working days reach into 2027, so without 2027 there is no answer."""
    with pytest.raises(MissingHolidayData, match="2027"):
        workdays.period_end(d("2026-12-28"), 5)


def test_years_before_the_seed_have_no_data_either() -> None:
    """The seed starts in 2004; 2003 is missing like any year nobody loaded."""
    with pytest.raises(MissingHolidayData, match="no holiday data for 2003"):
        SEED.is_workday(d("2003-06-02"))


def test_loading_2027_extends_the_calendar_across_the_year_boundary(data_dir: Path, tmp_path: Path) -> None:
    """Once 2027 is loaded, a period from 2026-12-28 skips 元旦 2027-01-01…03 and ends on Monday 01-04."""
    installed = install_year(write(tmp_path / "notice-2027.csv", ARRANGEMENT_2027))
    assert installed.year == 2027
    assert installed.loaded_from == data_dir / "holidays" / "2027.csv"
    assert len(installed.days_off) == 29
    assert len(installed.makeup_workdays) == 5

    assert workdays.period_end(d("2026-12-28"), 5) == d("2027-01-04")
    assert not workdays.is_workday(d("2027-01-01"))
    assert workdays.is_workday(d("2027-02-20"))  # a make-up Saturday
    assert not workdays.is_workday(d("2027-02-27"))  # an ordinary Saturday
    assert workdays.working_days_between(d("2026-12-31"), d("2027-01-04")) == 2


def test_a_loaded_year_replaces_the_seed_for_that_whole_year(data_dir: Path, tmp_path: Path) -> None:
    """A loaded 2026 file is authoritative: days the seed has off but the file does not are working days."""
    install_year(write(tmp_path / "2026.csv", "date,type\n2026-01-01,holiday_off\n"))
    calendar = workdays.holiday_calendar()
    assert calendar.arrangement(2026).loaded_from == data_dir / "holidays" / "2026.csv"
    assert not calendar.is_workday(d("2026-01-01"))
    assert calendar.is_workday(d("2026-10-01"))  # 国庆 in the seed, not in the loaded file
    assert calendar.arrangement(2025).loaded_from is None


def test_the_calendar_is_cached_until_a_year_file_changes(data_dir: Path, tmp_path: Path) -> None:
    """Repeated calls share one calendar; loading a year gives a new one that has it."""
    first = workdays.holiday_calendar()
    assert workdays.holiday_calendar() is first
    install_year(write(tmp_path / "2027.csv", ARRANGEMENT_2027))
    assert workdays.holiday_calendar() is not first
    assert 2027 in [arrangement.year for arrangement in workdays.holiday_calendar().years]


def test_a_stored_file_named_for_another_year_is_reported(data_dir: Path) -> None:
    """A file copied by hand to holidays/2028.csv but holding 2027 is an error naming the file."""
    write_to = data_dir / "holidays" / "2028.csv"
    write_to.parent.mkdir(parents=True)
    write(write_to, ARRANGEMENT_2027)
    with pytest.raises(UnusableInput, match="named for 2028 but holds the days of 2027") as caught:
        workdays.holiday_calendar()
    assert caught.value.source == str(write_to)


# --- validating a year file ------------------------------------------------------------------------------


def test_a_spreadsheet_export_loads(tmp_path: Path) -> None:
    """GB18030 text (Excel's CSV on Chinese Windows) with Chinese weekdays and a blank row loads."""
    text = (
        "date,type,weekday,holiday_name\n"
        "2027-01-01,holiday_off,星期五,元旦\n"
        ",,,\n"
        "2027-02-20,makeup_workday,周六,春节\n"
    )
    loaded = load_year_file(write(tmp_path / "2027.csv", text, encoding="gb18030"))
    assert loaded.days_off == {d("2027-01-01"): "元旦"}
    assert loaded.makeup_workdays == {d("2027-02-20"): "春节"}


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a BOM; the header still reads as `date`."""
    loaded = load_year_file(write(tmp_path / "2027.csv", ARRANGEMENT_2027, encoding="utf-8-sig"))
    assert loaded.year == 2027


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        pytest.param(
            "date,type\n2027-01-01,holiday_off\n2027-02-30,holiday_off\n",
            "row 3: date",
            "not a real date",
            id="no-such-day",
        ),
        pytest.param("date,type\n2027/01/01,holiday_off\n", "row 2: date", "YYYY-MM-DD", id="slashes"),
        pytest.param(
            "date,type\n2027-01-01,holiday\n", "row 2: type", "holiday_off, makeup_workday", id="unknown-type"
        ),
        pytest.param(
            "date,type\n2027-01-01,holiday_off\n2027-01-01,holiday_off\n",
            "row 3: date",
            "already appears in row 2",
            id="duplicate",
        ),
        pytest.param(
            "date,type\n2027-01-01,holiday_off\n2027-01-02,holiday_off\n2028-01-01,holiday_off\n",
            "row 4: date",
            "2028-01-01 is in 2028, the file's other days in 2027",
            id="two-years",
        ),
        pytest.param(
            "date,type\n2027-01-01,holiday_off\n2027-01-04,makeup_workday\n",
            "row 3: date",
            "Monday, a working day already",
            id="makeup-on-weekday",
        ),
        pytest.param(
            "date,type,weekday\n2027-01-01,holiday_off,Thu\n",
            "row 2: weekday",
            "2027-01-01 is a Friday",
            id="weekday-disagrees",
        ),
        pytest.param(
            "year,date,type\n2026,2027-01-01,holiday_off\n",
            "row 2: year",
            "does not match",
            id="year-disagrees",
        ),
        pytest.param("date,type\n2027-02-20,makeup_workday\n", "type", "no holiday_off row", id="no-day-off"),
        pytest.param(
            "date,kind\n2027-01-01,holiday_off\n", "header", "no column 'type'", id="no-type-column"
        ),
        pytest.param("date,type\n", "", "no rows after the header", id="header-only"),
        pytest.param("", "", "the file is empty", id="empty"),
        pytest.param("\n\n", "", "the file is empty", id="blank-lines"),
    ],
)
def test_an_invalid_year_file_is_refused_naming_row_and_column(
    text: str, field: str, message: str, data_dir: Path, tmp_path: Path
) -> None:
    """Each fault is reported with the file, the row and the column; the year stored before is untouched."""
    stored = data_dir / "holidays" / "2027.csv"
    install_year(write(tmp_path / "good.csv", ARRANGEMENT_2027))
    before = stored.read_bytes()
    bad = write(tmp_path / "bad.csv", text)

    with pytest.raises(UnusableInput) as caught:
        install_year(bad)

    assert caught.value.source == str(bad)
    assert any(p.field == field and message in p.message for p in caught.value.problems), (
        caught.value.problems
    )
    assert stored.read_bytes() == before
    assert sorted(os.listdir(stored.parent)) == ["2027.csv"]


def test_every_fault_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    """Three bad rows give three problems, so the administrator fixes them in one pass."""
    text = (
        "date,type\n2027-13-01,holiday_off\n2027-01-01,off\n2027-01-01,holiday_off\n2027-01-01,holiday_off\n"
    )
    with pytest.raises(UnusableInput) as caught:
        load_year_file(write(tmp_path / "2027.csv", text))
    assert [p.field for p in caught.value.problems] == ["row 2: date", "row 3: type", "row 5: date"]


def test_a_whole_stray_year_is_reported_as_a_range_of_rows() -> None:
    """The three-year reference file names the rows of its two minority years as ranges."""
    with pytest.raises(UnusableInput) as caught:
        load_year_file(Path(str(REFERENCE_CSV)))
    assert [p.field for p in caught.value.problems] == ["rows 2-37: date", "rows 38-70: date"]


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    """A missing file is an UnusableInput naming it, not an OSError traceback."""
    with pytest.raises(UnusableInput, match="cannot read the file"):
        load_year_file(tmp_path / "absent.csv")


def test_a_failed_write_leaves_the_stored_year_and_no_stray_file(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the disk fails while storing, the year keeps its old file and the half-written copy is gone."""
    install_year(write(tmp_path / "first.csv", "date,type\n2027-01-01,holiday_off\n"))
    stored = data_dir / "holidays" / "2027.csv"
    before = stored.read_bytes()

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workdays.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        install_year(write(tmp_path / "second.csv", ARRANGEMENT_2027))
    assert stored.read_bytes() == before
    assert sorted(os.listdir(stored.parent)) == ["2027.csv"]


def test_the_stored_file_keeps_the_notice_columns(data_dir: Path, tmp_path: Path) -> None:
    """What was validated is what is stored, byte for byte, provenance columns included."""
    install_year(write(tmp_path / "notice.csv", ARRANGEMENT_2027))
    assert (data_dir / "holidays" / "2027.csv").read_text(encoding="utf-8") == ARRANGEMENT_2027


# --- where the data lives --------------------------------------------------------------------------------


def test_data_dir_follows_smecluster_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$SMECLUSTER_DATA_DIR wins; else $XDG_DATA_HOME/smecluster; else ~/.local/share/smecluster."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SMECLUSTER_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert workdays.default_data_dir() == tmp_path / "home" / ".local" / "share" / "smecluster"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert workdays.default_data_dir() == tmp_path / "xdg" / "smecluster"
    monkeypatch.setenv("SMECLUSTER_DATA_DIR", str(tmp_path / "own"))
    assert workdays.default_data_dir() == tmp_path / "own"


# --- deadlines in Beijing time ---------------------------------------------------------------------------

DUE = AnnualDueDay(3, 31).in_year(2025)


def test_annual_due_day_is_that_day_of_the_given_year() -> None:
    """An annual deadline "by 31 March" falls on 2025-03-31 in 2025; one on 29 February is refused."""
    assert AnnualDueDay(3, 31).in_year(2025) == date(2025, 3, 31)
    with pytest.raises(ValueError, match="not a day every year has"):
        AnnualDueDay(2, 29)


def test_deadline_ends_at_the_last_instant_of_the_day_in_beijing() -> None:
    """The deadline of 2025-03-31 is 23:59:59.999999 in Asia/Shanghai, i.e. 15:59:59.999999 UTC."""
    end = deadline_end(DUE)
    assert end.tzinfo == CHINA_TZ
    assert end.astimezone(UTC) == datetime(2025, 3, 31, 15, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("submitted_at", "on_time"),
    [
        (datetime(2025, 3, 31, 23, 59, tzinfo=CHINA_TZ), True),
        (datetime(2025, 4, 1, 0, 0, tzinfo=CHINA_TZ), False),
        (datetime(2025, 3, 31, 15, 59, tzinfo=UTC), True),  # 23:59 in Beijing
        (datetime(2025, 3, 31, 16, 30, tzinfo=UTC), False),  # 00:30 on 1 April in Beijing
    ],
)
def test_on_time_is_judged_in_beijing_time(submitted_at: datetime, on_time: bool) -> None:
    """31 March 23:59 Beijing is on time; 1 April 00:00 Beijing, or 31 March 16:30 UTC, is late."""
    assert is_on_time(submitted_at, DUE) is on_time


def test_a_submission_time_without_zone_is_refused() -> None:
    """A naive datetime could be any zone's clock, hours off Beijing, so it is an error."""
    with pytest.raises(ValueError, match="no time zone"):
        is_on_time(datetime(2025, 3, 31, 23, 59), DUE)
