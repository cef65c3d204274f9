"""Working days in constant time, for counting a million answers at once (the statistics,
the open data): the same days as deadlines.py (weekends, Tết and the other public holidays
of the `holidays` package), numbered once per year."""
from datetime import date, timedelta
from functools import lru_cache

from app.submissions import deadlines

EPOCH_YEAR = 2000


@lru_cache(maxsize=64)
def _year_index(year: int) -> tuple[int, ...]:
    """Working days of `year` up to and including each day, the 1st of January at index 0."""
    counts, running, day = [], 0, date(year, 1, 1)
    while day.year == year:
        running += deadlines.is_working_day(day)
        counts.append(running)
        day += timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=64)
def _before_year(year: int) -> int:
    return sum(_year_index(y)[-1] for y in range(EPOCH_YEAR, year))


def _index(day: date) -> int:
    return _before_year(day.year) + _year_index(day.year)[day.timetuple().tm_yday - 1]


def working_days_between(start: date, end: date) -> int:
    """deadlines.working_days_between, without walking the days: working days after `start`
    up to and including `end`; 0 when end is not later."""
    if end <= start:
        return 0
    if start.year < EPOCH_YEAR:
        return deadlines.working_days_between(start, end)
    return _index(end) - _index(start)
