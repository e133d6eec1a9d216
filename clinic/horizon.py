"""How far from today a date that plans may lie: PLANNING_HORIZON_YEARS (default five) either way.

Preview, booking, reschedule and the calendar read their dates through here. Nobody books a
visit ten years ahead, and a date near year 9999 (or year 1) would overflow the date arithmetic
that planning does (windows, gaps, time zones) long before it reached the database.
"""

from datetime import date

from django.conf import settings


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def horizon_bounds(today: date) -> tuple[date, date]:
    """The first and last date planning accepts, counted from `today` (a local date)."""
    years = settings.PLANNING_HORIZON_YEARS
    return _years_from(today, -years), _years_from(today, years)


def horizon_error(value: date, *, today: date) -> str | None:
    """Why `value` lies outside the planning horizon, or None when it is inside."""
    earliest, latest = horizon_bounds(today)
    years = settings.PLANNING_HORIZON_YEARS
    if value > latest:
        return f"Plans reach at most {years} years ahead: choose a date until {latest:%Y-%m-%d}."
    if value < earliest:
        return f"Plans reach at most {years} years back: choose a date from {earliest:%Y-%m-%d}."
    return None
