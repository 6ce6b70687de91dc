"""Dates as official documents write them: 2025年6月22日 (GB/T 9704-2012 §7.3.5.1: 成文日期 "用阿拉伯数字将
年、月、日标全，年份应标全称，月、日不编虚位（即1不编为01）"), never 2025-06-22."""

from __future__ import annotations

from datetime import date


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_period(first: date, last: date) -> str:
    """2025年6月9日至2025年6月17日."""
    return f"{chinese_date(first)}至{chinese_date(last)}"
