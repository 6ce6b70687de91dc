"""The test suite's one clock (the ``clock`` fixture of tests/conftest.py): time-machine, frozen.

time-machine moves the time every reader sees (``django.utils.timezone.now`` and ``localdate``,
``datetime.now``, ``date.today``, ``time.time``), in every thread (the live server's too), and the time
stands still where it is put (``tick=False``), so a test that sets 23:59:59 stays on that day.
``time.monotonic`` is left alone, so timeouts keep real time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import time_machine

from smecluster.workdays import CHINA_TZ


class Clock:
    """``clock.move_to(aware_datetime)``, ``clock.beijing(day, hour, minute, second)`` (Beijing time,
    10:00 unless told) and ``clock.shift(timedelta)``; the real time comes back after the test."""

    def __init__(self, machine: time_machine.TimeMachineFixture) -> None:
        self._machine = machine

    def move_to(self, moment: datetime) -> None:
        # A naive moment would be read as UTC by time-machine but as Beijing time by a reader: say which.
        assert moment.tzinfo is not None, "the clock takes an aware datetime"
        self._machine.move_to(moment, tick=False)

    def beijing(self, day: date, hour: int = 10, minute: int = 0, second: int = 0) -> None:
        """``day`` at ``hour:minute:second`` Beijing time."""
        self.move_to(datetime.combine(day, time(hour, minute, second), tzinfo=CHINA_TZ))

    def shift(self, delta: timedelta) -> None:
        self._machine.shift(delta)
