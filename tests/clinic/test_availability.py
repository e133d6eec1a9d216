"""Open intervals of a location or practitioner: fixed dates, real time zones and holidays."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.availability import availability_from
from clinic.hours import parse_hours
from clinic.intervals import Interval
from clinic.selectors import holiday_dates_for, open_intervals
from tests.factories import ClosureFactory, LocationFactory, PractitionerFactory

MADRID = ZoneInfo("Europe/Madrid")
ISTANBUL = ZoneInfo("Europe/Istanbul")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def every_day(opens: str, closes: str) -> list[dict]:
    return [{"weekday": d, "opens": opens, "closes": closes} for d in range(7)]


def hours(raw: list[dict]):
    return parse_hours(raw)


# --- the pure core -------------------------------------------------------------------------


def test_it_keeps_nine_to_seven_local_across_the_spring_dst_change_in_madrid():
    # 2027-03-28 is the last Sunday of March: Madrid moves from UTC+1 to UTC+2 at 02:00.
    spans = availability_from(
        hours=hours(every_day("09:00", "19:00")), zone=MADRID,
        start_date=date(2027, 3, 27), end_date=date(2027, 3, 29),
    )
    assert spans == [
        Interval(utc(2027, 3, 27, 8), utc(2027, 3, 27, 18)),
        Interval(utc(2027, 3, 28, 7), utc(2027, 3, 28, 17)),
        Interval(utc(2027, 3, 29, 7), utc(2027, 3, 29, 17)),
    ]


def test_a_whole_day_lasts_23_hours_on_the_spring_change_and_25_on_the_autumn_one():
    spring = availability_from(hours=hours(every_day("00:00", "24:00")), zone=MADRID,
                               start_date=date(2027, 3, 28), end_date=date(2027, 3, 28))
    autumn = availability_from(hours=hours(every_day("00:00", "24:00")), zone=MADRID,
                               start_date=date(2027, 10, 31), end_date=date(2027, 10, 31))
    assert [s.duration for s in spring] == [timedelta(hours=23)]
    assert [s.duration for s in autumn] == [timedelta(hours=25)]
    assert autumn[0] == Interval(utc(2027, 10, 30, 22), utc(2027, 10, 31, 23))


def test_it_follows_the_autumn_dst_change_in_madrid():
    # 2027-10-31: back from UTC+2 to UTC+1 at 03:00.
    spans = availability_from(hours=hours(every_day("09:00", "19:00")), zone=MADRID,
                              start_date=date(2027, 10, 30), end_date=date(2027, 10, 31))
    assert spans == [
        Interval(utc(2027, 10, 30, 7), utc(2027, 10, 30, 17)),
        Interval(utc(2027, 10, 31, 8), utc(2027, 10, 31, 18)),
    ]


def test_an_opening_time_inside_the_dst_gap_starts_when_the_clocks_resume():
    # 02:30 does not exist in Madrid on 2027-03-28; the day opens at 03:00 local (01:00 UTC).
    spans = availability_from(hours=hours([{"weekday": 6, "opens": "02:30", "closes": "05:00"}]), zone=MADRID,
                              start_date=date(2027, 3, 28), end_date=date(2027, 3, 28))
    assert spans[0].end == utc(2027, 3, 28, 3)
    assert spans[0].start >= utc(2027, 3, 28, 0, 30)


def test_istanbul_is_utc_plus_three_all_year():
    for day in (date(2027, 1, 11), date(2027, 3, 29), date(2027, 7, 12), date(2027, 11, 1)):
        spans = availability_from(hours=hours(every_day("09:00", "19:00")), zone=ISTANBUL,
                                  start_date=day, end_date=day)
        assert spans == [Interval(datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
                                  datetime(day.year, day.month, day.day, 16, tzinfo=UTC))]


def test_it_keeps_several_opening_intervals_of_one_day_apart():
    raw = [{"weekday": 0, "opens": "09:00", "closes": "13:00"}, {"weekday": 0, "opens": "14:00", "closes": "19:00"}]
    spans = availability_from(hours=hours(raw), zone=ISTANBUL, start_date=date(2027, 4, 5), end_date=date(2027, 4, 5))
    assert spans == [
        Interval(utc(2027, 4, 5, 6), utc(2027, 4, 5, 10)),
        Interval(utc(2027, 4, 5, 11), utc(2027, 4, 5, 16)),
    ]


def test_closing_at_24_00_runs_to_midnight_and_joins_a_next_day_opening_at_midnight():
    raw = [{"weekday": 4, "opens": "18:00", "closes": "24:00"}, {"weekday": 5, "opens": "00:00", "closes": "02:00"}]
    spans = availability_from(hours=hours(raw), zone=ISTANBUL, start_date=date(2027, 4, 2), end_date=date(2027, 4, 3))
    # Friday 18:00 to Saturday 02:00 Istanbul time, one unbroken interval.
    assert spans == [Interval(utc(2027, 4, 2, 15), utc(2027, 4, 2, 23))]


def test_a_closure_that_spans_midnight_removes_the_evening_and_the_next_morning():
    closure = Interval(datetime(2027, 4, 5, 17, tzinfo=ISTANBUL), datetime(2027, 4, 6, 11, tzinfo=ISTANBUL))
    spans = availability_from(hours=hours(every_day("09:00", "19:00")), closures=[closure], zone=ISTANBUL,
                              start_date=date(2027, 4, 5), end_date=date(2027, 4, 6))
    assert spans == [
        Interval(utc(2027, 4, 5, 6), utc(2027, 4, 5, 14)),
        Interval(utc(2027, 4, 6, 8), utc(2027, 4, 6, 16)),
    ]


def test_working_hours_narrow_the_opening_hours_and_empty_ones_change_nothing():
    location_hours = hours(every_day("09:00", "19:00"))
    working = hours([{"weekday": 0, "opens": "12:00", "closes": "21:00"}])
    day = date(2027, 4, 5)  # a Monday
    narrowed = availability_from(hours=location_hours, working_hours=working, zone=ISTANBUL, start_date=day,
                                 end_date=date(2027, 4, 6))
    unchanged = availability_from(hours=location_hours, working_hours=[], zone=ISTANBUL, start_date=day, end_date=day)
    assert narrowed == [Interval(utc(2027, 4, 5, 9), utc(2027, 4, 5, 16))]  # Tuesday: not working
    assert unchanged == [Interval(utc(2027, 4, 5, 6), utc(2027, 4, 5, 16))]


def test_a_holiday_closes_the_whole_local_day():
    spans = availability_from(hours=hours(every_day("09:00", "19:00")), holiday_dates={date(2027, 4, 23)},
                              zone=ISTANBUL, start_date=date(2027, 4, 22), end_date=date(2027, 4, 24))
    assert [s.start.astimezone(ISTANBUL).date() for s in spans] == [date(2027, 4, 22), date(2027, 4, 24)]


def test_an_empty_or_reversed_range_has_no_open_time():
    assert availability_from(hours=hours(every_day("09:00", "19:00")), zone=ISTANBUL,
                             start_date=date(2027, 4, 2), end_date=date(2027, 4, 1)) == []
    assert availability_from(hours=[], zone=ISTANBUL, start_date=date(2027, 4, 1), end_date=date(2027, 4, 30)) == []


# --- the database wrapper -------------------------------------------------------------------


@pytest.mark.django_db
def test_turkish_national_sovereignty_day_2027_is_closed():
    location = LocationFactory(timezone="Europe/Istanbul", country="TR", opening_hours=every_day("09:00", "19:00"))
    spans = open_intervals(location=location, start_date=date(2027, 4, 22), end_date=date(2027, 4, 24))
    days = [s.start.astimezone(ISTANBUL).date() for s in spans]
    assert date(2027, 4, 23) not in days
    assert days == [date(2027, 4, 22), date(2027, 4, 24)]


@pytest.mark.django_db
def test_a_location_that_works_through_public_holidays_stays_open_on_them():
    location = LocationFactory(country="TR", observe_public_holidays=False, opening_hours=every_day("09:00", "19:00"))
    assert holiday_dates_for(location, date(2027, 4, 23), date(2027, 4, 23)) == set()
    assert len(open_intervals(location=location, start_date=date(2027, 4, 23), end_date=date(2027, 4, 23))) == 1


@pytest.mark.django_db
def test_madrid_observes_its_own_regional_holidays():
    # 2027-05-03 is Madrid's regional day (moved to Monday); not a holiday in Barcelona's Catalonia.
    madrid = LocationFactory(name="Madrid", timezone="Europe/Madrid", country="ES", subdivision="MD")
    catalonia = LocationFactory(name="Barcelona", timezone="Europe/Madrid", country="ES", subdivision="CT")
    assert date(2027, 5, 3) in holiday_dates_for(madrid, date(2027, 5, 1), date(2027, 5, 31))
    assert date(2027, 5, 3) not in holiday_dates_for(catalonia, date(2027, 5, 1), date(2027, 5, 31))


@pytest.mark.django_db
def test_a_practitioner_loses_their_own_closures_and_the_location_wide_ones_but_not_a_colleagues():
    location = LocationFactory(country="TR", opening_hours=every_day("09:00", "19:00"))
    ayse, mehmet = PractitionerFactory(location=location), PractitionerFactory(location=location)
    day = date(2027, 4, 5)
    ClosureFactory(location=location, start=datetime(2027, 4, 5, 9, tzinfo=ISTANBUL),
                   end=datetime(2027, 4, 5, 10, tzinfo=ISTANBUL))
    ClosureFactory(location=location, practitioner=mehmet, start=datetime(2027, 4, 5, 15, tzinfo=ISTANBUL),
                   end=datetime(2027, 4, 5, 19, tzinfo=ISTANBUL))
    for_ayse = open_intervals(location=location, practitioner=ayse, start_date=day, end_date=day)
    for_mehmet = open_intervals(location=location, practitioner=mehmet, start_date=day, end_date=day)
    for_location = open_intervals(location=location, start_date=day, end_date=day)
    assert for_ayse == for_location == [Interval(utc(2027, 4, 5, 7), utc(2027, 4, 5, 16))]
    assert for_mehmet == [Interval(utc(2027, 4, 5, 7), utc(2027, 4, 5, 12))]


@pytest.mark.django_db
def test_a_practitioner_with_working_hours_is_open_only_inside_them():
    location = LocationFactory(country="TR", opening_hours=every_day("09:00", "19:00"))
    nurse = PractitionerFactory(location=location, working_hours=[{"weekday": 0, "opens": "08:00", "closes": "12:00"}])
    spans = open_intervals(
        location=location, practitioner=nurse, start_date=date(2027, 4, 5), end_date=date(2027, 4, 11)
    )
    assert spans == [Interval(utc(2027, 4, 5, 6), utc(2027, 4, 5, 9))]


@pytest.mark.django_db
def test_a_closure_ending_before_the_range_or_starting_after_it_is_ignored():
    location = LocationFactory(country="TR", opening_hours=every_day("09:00", "19:00"))
    ClosureFactory(location=location, start=utc(2027, 4, 1), end=utc(2027, 4, 4, 21))  # ends at local midnight
    ClosureFactory(location=location, start=utc(2027, 4, 5, 21), end=utc(2027, 4, 9))  # starts at local midnight
    spans = open_intervals(location=location, start_date=date(2027, 4, 5), end_date=date(2027, 4, 5))
    assert spans == [Interval(utc(2027, 4, 5, 6), utc(2027, 4, 5, 16))]
