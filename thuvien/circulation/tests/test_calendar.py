import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from thuvien.circulation.calendar import LibraryCalendar, calendar_for, vn_public_holidays
from thuvien.circulation.lunar import hung_kings_day, lunar_to_solar, solar_to_lunar, tet
from thuvien.core.models import OrgUnitSetting

D = dt.date


@pytest.mark.parametrize(("year", "expected"), [
    (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)), (2027, D(2027, 2, 6)),
    (2007, D(2007, 2, 17)), (1985, D(1985, 1, 21)),
])
def test_tet_known_dates(year, expected):
    assert tet(year) == expected


def test_vietnamese_tet_differs_from_chinese_in_1985_and_2007():
    assert tet(1985, tz=8) == D(1985, 2, 20)
    assert tet(2007, tz=8) == D(2007, 2, 18)
    assert tet(2026, tz=8) == tet(2026)


def test_hung_kings_day():
    assert hung_kings_day(2025) == D(2025, 4, 7)
    assert hung_kings_day(2026) == D(2026, 4, 26)
    assert hung_kings_day(2024) == D(2024, 4, 18)


def test_leap_month_2023_and_last_day_of_year():
    assert solar_to_lunar(D(2023, 4, 1)) == (11, 2, 2023, True)
    assert lunar_to_solar(1, 2, 2023, leap=True) == D(2023, 3, 22)
    assert solar_to_lunar(D(2025, 1, 28)) == (29, 12, 2024, False)  # "30 Tết" of a short month
    assert solar_to_lunar(D(2062, 4, 9)) == (30, 2, 2062, False)  # a long 2nd month, not "day 0" of the 3rd
    with pytest.raises(ValueError):
        lunar_to_solar(1, 5, 2024, leap=True)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1900, 3, 1), max_value=D(2199, 12, 31)))
@example(D(2062, 4, 9))  # the lunation estimate was one month late there: day 0 of the 3rd month
def test_solar_lunar_round_trip(day):
    lunar = solar_to_lunar(day)
    assert 1 <= lunar.day <= 30
    assert lunar_to_solar(lunar.day, lunar.month, lunar.year, lunar.leap) == day


def test_public_holidays_2026_and_2027():
    h26 = vn_public_holidays(2026)
    assert {D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 21)} <= h26  # 30 Tết .. mùng 5
    assert D(2026, 2, 22) not in h26 and D(2026, 2, 15) not in h26
    assert {D(2026, 1, 1), D(2026, 4, 26), D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 2)} <= h26
    h27 = vn_public_holidays(2027)
    assert {D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 10)} <= h27 and D(2027, 2, 11) not in h27
    assert len(vn_public_holidays(2026, tet_before=0, tet_after=3)) == len(h26) - 3


def test_due_dates_skip_tet_and_closed_days():
    cal = LibraryCalendar(closed_weekdays=frozenset({6}))  # closed on Sundays
    # 14 days after 3 Feb 2026 is mùng 1 Tết; mùng 2-5 follow, then Sunday 22 Feb: first open day is 23 Feb
    assert cal.due_date(D(2026, 2, 3), 14) == D(2026, 2, 23)
    # 2027: 14 days after 23 Jan is 6 Feb (mùng 1); Tết runs to 10 Feb
    assert cal.due_date(D(2027, 1, 23), 14) == D(2027, 2, 11)
    assert LibraryCalendar(public_holidays=False).due_date(D(2026, 2, 3), 14) == D(2026, 2, 17)


def test_calendar_is_inherited_down_the_tree(net):
    OrgUnitSetting.objects.create(unit=net.province, key="circ.closed_weekdays", value=[5, 6])
    OrgUnitSetting.objects.create(unit=net.a, key="circ.closed_dates", value=["2026-03-02", "bad"])
    OrgUnitSetting.objects.create(unit=net.a, key="circ.tet_days_after", value=7)
    cal = calendar_for(net.c)
    assert cal.closed_weekdays == {5, 6}
    assert cal.closed_dates == {D(2026, 3, 2)}
    assert cal.is_closed(D(2026, 2, 23))  # mùng 7
    assert not calendar_for(net.b).is_closed(D(2026, 2, 23))
    assert cal.next_open_day(D(2026, 2, 28)) == D(2026, 3, 3)  # Sat, Sun, closed Monday


def test_government_moved_holiday_and_make_up_day(net):
    """30/4-1/5 2025: the government gave Friday 2/5 off, worked back on Saturday 26/4 (entered as
    a closed date and an open date); a library closed at weekends follows it."""
    OrgUnitSetting.objects.create(unit=net.province, key="circ.closed_weekdays", value=[5, 6])
    OrgUnitSetting.objects.create(unit=net.province, key="circ.closed_dates", value=["2025-05-02"])
    OrgUnitSetting.objects.create(unit=net.a, key="circ.open_dates", value=["2025-04-26", "2025-09-02", "nope"])
    cal = calendar_for(net.c)  # inherited: the province's closures, A's open days
    assert cal.open_dates == {D(2025, 4, 26), D(2025, 9, 2)}
    assert not cal.is_closed(D(2025, 4, 26))  # a Saturday, worked
    assert [cal.is_closed(D(2025, 4, 30) + dt.timedelta(days=i)) for i in range(6)] == [True] * 5 + [False]
    assert cal.due_date(D(2025, 4, 18), 14) == D(2025, 5, 5)  # 2/5 moved off, then the weekend
    assert cal.due_date(D(2025, 4, 12), 14) == D(2025, 4, 26)  # the make-up Saturday is a working day
    assert not cal.is_closed(D(2025, 9, 2))  # an open date wins over a public holiday too
    assert calendar_for(net.b).is_closed(D(2025, 4, 26))  # B has no such open date
