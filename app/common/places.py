"""Provinces (34) and communes/wards (3,321) after the July 2025 reform, from the
vietnam-provinces package, never hand-typed."""
from functools import cache, lru_cache

from vietnam_provinces import Province, Ward

from app.common.text import strip_diacritics, vi_sort_key


@lru_cache(maxsize=1)
def provinces() -> list[tuple[int, str]]:
    """(code, name) in Vietnamese alphabetical order of the name without 'Tỉnh'/'Thành phố'."""
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda item: vi_sort_key(_short(item[1])))


@lru_cache(maxsize=1)
def _wards_by_province() -> dict[int, list[tuple[int, str]]]:
    grouped: dict[int, list[tuple[int, str]]] = {}
    for ward in Ward.iter_all():
        grouped.setdefault(int(ward.province_code), []).append((int(ward.code), ward.name))
    for wards in grouped.values():
        wards.sort(key=lambda item: vi_sort_key(_short(item[1])))
    return grouped


def wards(province_code: int | None) -> list[tuple[int, str]]:
    return _wards_by_province().get(province_code, []) if province_code else []


@cache
def province_name(code: int | None) -> str:
    return dict(provinces()).get(code, "") if code else ""


def ward_name(province_code: int | None, ward_code: int | None) -> str:
    return dict(wards(province_code)).get(ward_code, "") if ward_code else ""


def is_ward_of(province_code: int | None, ward_code: int | None) -> bool:
    return ward_code in dict(wards(province_code))


def _short(name: str) -> str:
    """Sort 'Thành phố Hà Nội' under H and 'Phường Ba Đình' under B."""
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def english_name(name: str) -> str:
    """'Thành phố Hà Nội' -> 'Ha Noi City'; 'Tỉnh Lào Cai' -> 'Lao Cai Province'."""
    short = strip_diacritics(_short(name))
    if name.startswith("Thành phố "):
        return f"{short} City"
    if name.startswith("Tỉnh "):
        return f"{short} Province"
    return short
