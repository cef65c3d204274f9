"""Issue 14, the desk in daily use: dates with four-digit years, phone numbers by the
numbering plan, Vietnamese alphabetical order, deadlines right to the day, finding work,
assigning to a named officer, answer templates, ratings, a paged timeline, uploads."""
from datetime import date, datetime

import pytest
from flask_babel import force_locale

from app.agencies.services import agency_choices
from app.common import places
from app.common.i18n import format_day, format_moment
from app.common.text import vi_person_key, vi_sort_key, vi_sorted
from app.common.validators import normalize_mobile


def test_timestamps_show_four_digit_years_in_both_languages(app):
    moment = datetime(2026, 11, 30, 23, 10)  # UTC: 06:10 on 1 December 2026 in Hà Nội
    with app.test_request_context():
        with force_locale("vi"):
            assert format_moment(moment) == "06:10 1/12/2026"
            assert format_day(date(2026, 12, 1), "short") == "1/12/2026"
        with force_locale("en"):
            assert format_moment(moment) == "12/1/2026, 6:10\u202fAM"
            assert format_day(date(2026, 12, 1), "short") == "12/1/2026"


@pytest.mark.parametrize("typed", ["0501234567", "0711234567", "0751234567", "0801234567", "0521234567",
                                   "+84 50 123 4567", "0241234567"])
def test_unallocated_prefixes_are_not_phone_numbers(typed):
    assert normalize_mobile(typed) is None


@pytest.mark.parametrize(("typed", "stored"), [("0912.345.678", "0912345678"), ("+84 321 234 567", "0321234567"),
                                               ("84 888 123 456", "0888123456"), ("0561234567", "0561234567")])
def test_allocated_mobile_numbers_are_kept_in_the_national_form(typed, stored):
    assert normalize_mobile(typed) == stored


def test_vietnamese_alphabetical_order():
    names = ["Đồng Tháp", "Cao Bằng", "Điện Biên", "Dương", "Cà Mau", "Đắk Lắk", "Ân", "Ăn", "An Giang",
             "Đồng Nai", "Gia Lai", "Ơn", "Ôn", "Oanh", "Ưng", "Uông", "Yên Bái", "Ê", "Eo"]
    assert vi_sorted(names) == ["An Giang", "Ăn", "Ân", "Cà Mau", "Cao Bằng", "Dương", "Đắk Lắk", "Điện Biên",
                                "Đồng Nai", "Đồng Tháp", "Eo", "Ê", "Gia Lai", "Oanh", "Ôn", "Ơn", "Uông", "Ưng",
                                "Yên Bái"]


def test_tones_weigh_only_between_equal_letters():
    assert vi_sorted(["hạ", "hà", "ha", "hả", "há", "hã", "hai"]) == ["ha", "hà", "há", "hả", "hã", "hạ", "hai"]
    assert vi_sort_key("Hà Nội") < vi_sort_key("Hải Phòng") < vi_sort_key("Hậu Giang")


def test_staff_names_sort_by_given_name():
    names = ["Trần Văn Đức", "Lê Thị Bình", "Nguyễn An", "Phạm Văn Dũng"]
    assert sorted(names, key=vi_person_key) == ["Nguyễn An", "Lê Thị Bình", "Phạm Văn Dũng", "Trần Văn Đức"]


def test_provinces_and_agency_picker_sort_the_vietnamese_way(app):
    names = [name for _code, name in places.provinces()]
    assert names.index("Cà Mau") < names.index("Cao Bằng")
    assert names.index("Đồng Tháp") < names.index("Gia Lai")
    assert names.index("Thành phố Đà Nẵng") < names.index("Đắk Lắk")
    assert names.index("Lào Cai") < names.index("Lâm Đồng")  # â is a letter after a
    choices = [name for _id, name in agency_choices("vi", "—")[1:] if name.startswith("Ủy ban nhân dân ")]
    short = [name.removeprefix("Ủy ban nhân dân ") for name in choices]
    assert short.index("Cà Mau") < short.index("Cao Bằng")
    assert short.index("Đồng Tháp") < short.index("Gia Lai") < short.index("Vĩnh Long")
