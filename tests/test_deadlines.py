"""Deadlines in Vietnamese working days: Tết 2026 and the 2 September holidays are skipped."""
from datetime import date, datetime

import pytest

from app.submissions import deadlines
from app.submissions.models import DeadlineRule
from app.submissions.states import Kind


@pytest.mark.parametrize("start,days,due", [
    (date(2026, 2, 13), 3, date(2026, 2, 25)),   # Fri before Tết: 16–20 Feb off, then Mon 23
    (date(2026, 2, 12), 1, date(2026, 2, 13)),
    (date(2026, 2, 13), 1, date(2026, 2, 23)),
    (date(2026, 2, 9), 10, date(2026, 3, 2)),    # a concern assigned the week before Tết
    (date(2026, 8, 28), 10, date(2026, 9, 16)),  # 31 Aug (substituted), 1–2 Sep off
    (date(2026, 8, 28), 1, date(2026, 9, 3)),
    (date(2026, 8, 28), 20, date(2026, 9, 30)),
    (date(2026, 11, 20), 3, date(2026, 11, 26)),  # 24 Nov, Vietnam Cultural Day
])
def test_add_working_days_skips_weekends_and_holidays(start, days, due):
    assert deadlines.add_working_days(start, days) == due


def test_tet_days_are_not_working_days():
    for day in range(16, 21):
        assert not deadlines.is_working_day(date(2026, 2, day))
    assert deadlines.is_working_day(date(2026, 2, 23))


def test_working_days_between_counts_only_working_days():
    assert deadlines.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert deadlines.working_days_between(date(2026, 8, 28), date(2026, 9, 3)) == 1
    assert deadlines.working_days_between(date(2026, 9, 3), date(2026, 9, 3)) == 0


def test_pause_over_tet_moves_the_due_date_by_working_days_only():
    # Paused on Thu 12 Feb, resumed Tue 24 Feb: 13, 23, 24 Feb count, Tết does not.
    assert deadlines.resumed_due(date(2026, 2, 20), date(2026, 2, 12), date(2026, 2, 24)) == date(2026, 2, 25)


def test_defaults_by_kind():
    assert deadlines.answer_due(Kind.CONCERN, date(2026, 8, 28)) == date(2026, 9, 16)
    assert deadlines.answer_due(Kind.POLICY, date(2026, 8, 28)) == date(2026, 9, 30)
    assert deadlines.answer_due(Kind.INITIATIVE, date(2026, 8, 28)) == date(2026, 9, 30)


def test_classify_deadline_uses_vietnamese_date_of_receipt():
    # 18:00 UTC on Thu 12 Feb is 01:00 on Fri 13 Feb in Hà Nội.
    assert deadlines.classify_due(Kind.CONCERN, datetime(2026, 2, 12, 18, 0)) == date(2026, 2, 25)
    assert deadlines.classify_due(Kind.CONCERN, datetime(2026, 2, 12, 10, 0)) == date(2026, 2, 24)


def test_administrators_rule_overrides_default(db):
    db.session.add(DeadlineRule(kind=Kind.CONCERN, classify_days=1, answer_days=5))
    db.session.commit()
    assert deadlines.answer_due(Kind.CONCERN, date(2026, 8, 28)) == date(2026, 9, 9)
    assert deadlines.classify_due(Kind.CONCERN, datetime(2026, 8, 28, 3, 0)) == date(2026, 9, 3)
