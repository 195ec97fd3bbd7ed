"""A cell's value in a layout's terms: amounts in its number format, at most cents
(``parse_money("1.087,16", Numbers(decimal=","))`` is ``Decimal("1087.16")``; ``12,345`` with a
decimal comma is refused), dates in its formats with an optional time, years MIN_YEAR..MAX_YEAR.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal

from ...values import CENT, MAX_DIGITS, MAX_YEAR, MIN_YEAR
from ..layouts import DATE_FORMATS, Layout, Numbers


def _show(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


@functools.lru_cache(maxsize=32)
def _number_re(numbers: Numbers) -> re.Pattern[str]:
    integer = rf"[0-9]{{1,{MAX_DIGITS}}}"
    if numbers.thousands:
        seps = "|".join(re.escape(sep) for sep in numbers.thousands)
        groups = MAX_DIGITS // 3 - 1
        integer = rf"(?:{integer}|[0-9]{{1,3}}(?P<sep>{seps})[0-9]{{3}}(?:(?P=sep)[0-9]{{3}}){{0,{groups}}})"
    marks = "".join(re.escape(mark) for mark in numbers.decimal)
    return re.compile(rf"(?P<sign>[+-]?)(?P<int>{integer})(?:[{marks}](?P<frac>[0-9]{{1,2}}))?")


def parse_money(text: str, numbers: Numbers) -> Decimal | None:
    """An amount as `numbers` writes it, in cents; None if it is not one.

    >>> from onebox_ledger.importers import layouts
    >>> parse_money("-1.234,5", layouts.COMMA_DOT), parse_money("1 234,56", layouts.SPACED)
    (Decimal('-1234.50'), Decimal('1234.56'))
    """
    value = text.strip().replace("\u2212", "-")
    for suffix in numbers.suffixes:
        if value.endswith(suffix):
            value = value[: -len(suffix)].rstrip()
            break
    match = _number_re(numbers).fullmatch(value)
    if match is None:
        return None
    digits = re.sub("[^0-9]", "", match["int"])
    return Decimal(f"{match['sign']}{digits}.{match['frac'] or '0'}").quantize(CENT)


_TIME = (
    r"(?:[ T](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)


_CLOCK = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?")


class _Bad(ValueError):
    """A value that is not what its column needs; the message completes '<column> <value> ...'."""


def parse_when(text: str, layout: Layout) -> tuple[datetime.date, datetime.time | None]:
    """A date (and the time, if the bank writes one) in one of the layout's formats."""
    value = text.strip()
    for name in layout.dates:
        strptime, shape = DATE_FORMATS[name]
        match = re.fullmatch(f"(?P<day>{shape}){_TIME if layout.times else ''}", value)
        if match is None:
            continue
        try:
            date = datetime.datetime.strptime(match["day"], strptime).date()
            time = _time(match) if layout.times and match["hour"] else None
        except ValueError:
            break
        if not MIN_YEAR <= date.year <= MAX_YEAR:
            raise _Bad(f"is outside the years {MIN_YEAR} to {MAX_YEAR}")
        return date, time
    when = " or ".join(layout.dates) + (" [HH:MM[:SS]]" if layout.times else "")
    raise _Bad(f"is not a date ({when})")


def _time(match: re.Match[str]) -> datetime.time:
    return datetime.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
