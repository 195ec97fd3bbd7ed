"""Values a person types, parsed strictly, and the one rounding rule for money.

Everything that reaches the ledger from a command line or a file passes through
one of these parsers first. Each raises :class:`InputError` with one line that
names the problem and the value, so the CLI can print it and exit 2 with no file
touched::

    parse_amount("25 USD")    -> Money(Decimal("25.00"), "USD")
    parse_amount("1e3 USD")   -> InputError: amount '1e3 USD' is not a plain decimal number ...
    parse_month("2026-13")    -> InputError: month '2026-13' is not a valid YYYY-MM month
    make_text("a\\nb", "memo") -> InputError: memo contains a control character (U+000A) ...
    make_text("Ac\\u202eme", "name") -> InputError: name contains an invisible format character (U+202E RIGHT-TO-LEFT OVERRIDE) ...

Rounding: :func:`round_money` is ROUND_HALF_UP to cents, the rule for every
amount the ledger writes; :func:`round_half_up` rounds to a whole number, as
OneBox's data tariff does (``round_half_up(1500 / 1000) == 2``).
"""

from __future__ import annotations

import calendar
import datetime
import functools
import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal("0")

# Limits that keep the ledger readable and the parser safe.
MAX_DIGITS = 15  # integer digits of any amount (a trillion in any currency)
MAX_NAME = 200
MAX_MEMO = 1000
MAX_ID = 48
MAX_REF = 64
MAX_DAYS = 3650  # payment terms, in days
MIN_YEAR, MAX_YEAR = 1900, 9000

_NUMBER_RE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_CURRENCY_RE = re.compile(r"^[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]$")
_ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class InputError(ValueError):
    """A value typed by a person is not acceptable; the message is one line."""


def show_value(value: str) -> str:
    """The value as it is quoted in an error: repr-escaped and cut to 60 chars."""
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def parse_decimal(text: str, what: str, *, places: int = 2, positive: bool = True) -> Decimal:
    """A plain decimal number: digits, an optional point and at most `places` decimals."""
    text = text.strip()
    if not _NUMBER_RE.fullmatch(text):
        raise InputError(
            f"{what} {show_value(text)} is not a plain decimal number (write it like 125.00)"
        )
    integer, _, fraction = text.partition(".")
    if len(integer.lstrip("0")) > MAX_DIGITS:
        raise InputError(f"{what} {show_value(text)} has more than {MAX_DIGITS} integer digits")
    if len(fraction) > places:
        raise InputError(f"{what} {show_value(text)} has more than {places} decimal places")
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise InputError(f"{what} {show_value(text)} is not a number") from None
    if positive and number <= 0:
        raise InputError(f"{what} {show_value(text)} must be greater than zero")
    return number


def parse_currency(text: str) -> str:
    if not _CURRENCY_RE.fullmatch(text):
        raise InputError(f"currency {show_value(text)} is not a currency code (like USD or EUR)")
    return text


class Money(NamedTuple):
    """An amount of money: a Decimal number and its currency, read by name
    (``price.number``, ``price.currency``), as Beancount's ``Amount`` is; a plain tuple
    still unpacks (``number, currency = price``) and spreads (``show_money(*price)``)."""

    number: Decimal
    currency: str


def parse_amount(text: str, what: str = "amount") -> Money:
    """'125 USD' or '125.00 USD' -> Money(Decimal('125.00'), 'USD'): positive, at most cents."""
    parts = text.split()
    if len(parts) != 2:
        raise InputError(
            f"{what} {show_value(text)} must be a number and a currency, like '25.00 USD'"
        )
    number = parse_decimal(parts[0], what)
    return Money(number.quantize(CENT), parse_currency(parts[1]))


def parse_date(text: str, what: str = "date") -> datetime.date:
    if not _DATE_RE.fullmatch(text):
        raise InputError(f"{what} {show_value(text)} is not an ISO date (YYYY-MM-DD)")
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what} {show_value(text)} is not a real calendar date") from None
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise InputError(f"{what} {show_value(text)} is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return date


def parse_month(text: str) -> Month:
    match = _MONTH_RE.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"month {show_value(text)} is not a valid YYYY-MM month")
    if not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise InputError(f"month {show_value(text)} is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return Month(int(match.group(1)), int(match.group(2)))


def parse_id(text: str, what: str) -> str:
    """Customer, contract and item ids: a lowercase letter, then letters, digits, single hyphens.

    Starting with a letter keeps invoice ids unambiguous: a close's
    ``inv-2026-11-acme`` can never equal a sale's ``inv-2026-11-05-acme``.
    """
    if len(text) > MAX_ID or not _ID_RE.fullmatch(text):
        raise InputError(
            f"{what} id {show_value(text)} must start with a lowercase letter, then lowercase letters,"
            f" digits and single hyphens, at most {MAX_ID} characters (like 'acme-realty')"
        )
    return text


_ACCOUNT_RE = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+$")


def parse_account(text: str, what: str = "account") -> str:
    """A Beancount account name, like Assets:Wise:EUR (each part a capital letter or digit first)."""
    if len(text) > 200 or not _ACCOUNT_RE.fullmatch(text):
        raise InputError(
            f"{what} {show_value(text)} is not an account name (like Assets:Wise:EUR or"
            " Expenses:Bank-Fees)"
        )
    return text


def parse_ref(text: str) -> str:
    """An external reference (bank transaction id, bill number) that makes a command idempotent."""
    if len(text) > MAX_REF or not _REF_RE.fullmatch(text):
        raise InputError(
            f"ref {show_value(text)} must be letters, digits and . _ : - (at most {MAX_REF})"
        )
    return text


def make_text(text: str, what: str, *, limit: int = MAX_MEMO) -> str:
    """Free text (names, memos) that will be written inside a quoted Beancount string.

    Quotes and backslashes are escaped when written (see beans.quote); control
    characters, line and paragraph separators are refused, since they are never
    part of a name and are how text breaks out of a line. Format characters
    (Unicode category Cf: U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE,
    U+FEFF, the isolates U+2066..U+2069, soft hyphen, joiners) are refused too:
    they are invisible, so two names that print the same could differ, and an
    override makes a line read otherwise than it is stored.
    """
    if not text.strip():
        raise InputError(f"{what} is empty")
    if len(text) > limit:
        raise InputError(f"{what} is {len(text)} characters long; at most {limit} are allowed")
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise InputError(f"{what} contains a control character (U+{ord(char):04X}); remove it")
        if category == "Cf":
            name = unicodedata.name(char, "")
            raise InputError(
                f"{what} contains an invisible format character"
                f" (U+{ord(char):04X}{' ' + name if name else ''}); remove it"
            )
    return text


def show_money(number: Decimal, currency: str, *, sign: bool = False) -> str:
    """Money as a message shows it: the amount with at least cents, and its currency.

    ``show_money(Decimal("0"), "USD") == "0.00 USD"``; ``Decimal("81.255")`` keeps
    its third place (a message never rounds what it reports); ``sign=True`` writes
    ``+0.03 USD`` and ``-1.50 USD``, as a difference reads.
    """
    exponent = number.as_tuple().exponent
    shown = number if isinstance(exponent, int) and exponent <= -2 else number.quantize(CENT)
    return f"{shown:{'+' if sign else ''}f} {currency}"


def check_not_future(date: datetime.date, today: datetime.date, what: str = "--date") -> None:
    """Money is recorded once it has moved: a money event dated after `today` is refused (the
    commands' --future records it ahead)."""
    if date > today:
        raise InputError(
            f"{what} {date} is after today ({today}): money is recorded once it has moved;"
            " pass --future to record it ahead"
        )


def round_money(number: Decimal) -> Decimal:
    """ROUND_HALF_UP to cents: 24.505 -> 24.51 (Python's round() would give 24.5 or 24.50)."""
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def round_half_up(number: Decimal) -> Decimal:
    """ROUND_HALF_UP to a whole number: 0.5 -> 1, 1.5 -> 2, 2.5 -> 3 (round() gives 2)."""
    return number.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=4096)
def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True, slots=True, repr=False)
class Month:
    """A calendar month, ordered and hashable: Month(2026, 11) prints as 2026-11."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")

    @classmethod
    def of(cls, date: datetime.date) -> Month:
        return cls(date.year, date.month)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return _last_day(self.year, self.month)

    @property
    def days(self) -> int:
        return self.last.day

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Whole months from `other` to self: Month(2026, 3).minus(Month(2025, 12)) == 3."""
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    def label(self) -> str:
        """'November 2026', for narrations."""
        return self.first.strftime("%B %Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"


def parse_iban(text: str, what: str = "--iban") -> str:
    """An IBAN, checked by its country's length and format and its check digits (python-stdnum),
    written compact: 'DE89 3704 0044 0532 0130 00' -> 'DE89370400440532013000'."""
    from stdnum import iban
    from stdnum.exceptions import ValidationError

    try:
        return str(iban.validate(text))
    except ValidationError as err:
        raise InputError(f"{what} {show_value(text)} is not an IBAN: {err}") from None


def parse_bic(text: str, what: str = "--bic") -> str:
    """A BIC (SWIFT code, ISO 9362): 8 or 11 letters and digits, checked by python-stdnum,
    written compact in capitals: 'cobadeffxxx' -> 'COBADEFFXXX'."""
    from stdnum import bic
    from stdnum.exceptions import ValidationError

    try:
        return str(bic.validate(text))
    except ValidationError as err:
        raise InputError(f"{what} {show_value(text)} is not a BIC: {err}") from None


# The EU member states (ISO 3166-1 alpha-2) for VAT: reverse charge applies between them.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


@functools.cache
def iso_codes(standard: str, field: str) -> frozenset[str]:
    """The codes of one of pycountry's ISO lists (``iso_codes("3166-1", "alpha_2")``), read
    from its JSON file without importing pycountry, whose import costs a tenth of a second of
    every command that parses the customers."""
    spec = importlib.util.find_spec("pycountry")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise InputError("pycountry is not installed (pip install pycountry)")
    path = Path(locations[0]) / "databases" / f"iso{standard}.json"
    entries = json.loads(path.read_text(encoding="utf-8"))[standard]
    return frozenset(str(entry[field]).upper() for entry in entries)


def parse_country(text: str, what: str = "--country") -> str:
    """An ISO 3166-1 alpha-2 country code (pycountry's list), upper case: 'de' -> 'DE'."""
    code = text.strip().upper()
    if len(code) != 2 or code not in iso_codes("3166-1", "alpha_2"):
        raise InputError(f"{what} {show_value(text)} is not an ISO 3166 country code (like DE, UA)")
    return code


def parse_vat_id(text: str, country: str | None, what: str = "--vat-id") -> str:
    """A VAT id, checked by python-stdnum where it knows the country's format (every EU state,
    GB, CH, NO, ...), written compact with its country prefix: 'DE 136 695 976' ->
    'DE136695976'. An EU id must belong to `country` (Greece's prefix is EL); elsewhere, where
    stdnum has no check, letters and digits are kept as given."""
    import stdnum
    from stdnum.eu import vat as eu_vat
    from stdnum.exceptions import ValidationError

    compact = re.sub(r"[\s.\-/,]", "", text).upper()
    if not compact or not compact.isalnum() or len(compact) > 20:
        raise InputError(f"{what} {show_value(text)} is not a VAT id")
    prefix = "EL" if country == "GR" else country
    eu = country in EU_COUNTRIES or (
        country is None and compact[:2].lower() in eu_vat.MEMBER_STATES
    )
    try:
        if eu:
            if compact[:2].isalpha() and prefix and compact[:2] != prefix:
                raise InputError(
                    f"{what} {show_value(text)} is not a VAT id of {country} (it starts {compact[:2]})"
                )
            if prefix and not compact.startswith(prefix):
                compact = prefix + compact
            number = str(eu_vat.validate(compact))
            return number
        module = stdnum.get_cc_module(country.lower(), "vat") if country else None
        if module is not None:
            number = str(module.validate(compact))
            return number if number[:2].isalpha() else f"{country}{number}"
    except ValidationError as err:
        raise InputError(f"{what} {show_value(text)} is not a valid VAT id: {err}") from None
    return compact


def vat_id_valid(text: str, country: str | None) -> bool:
    try:
        parse_vat_id(text, country)
    except InputError:
        return False
    return True
