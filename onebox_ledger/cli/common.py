"""Shared pieces of the commands: the ledger from the context, today, and a Click parameter type
per kind of value a person types.

Every command declares its values with these types, so each is parsed once, before the command
runs, with one message a person understands (exit 2, nothing read or written)::

    $ onebox-ledger receive acme "-100 USD" --date 2026-12-05
    onebox-ledger: error: amount '-100 USD' is negative; amounts are positive: to reverse a payment use refund
    $ onebox-ledger usage acme-data 1.5 --month 2026-11
    onebox-ledger: error: usage is a whole number of units, not 1.5
    $ onebox-ledger contract add acme-x --customer acme --stream services --price 25 --start 2026-12-01
    onebox-ledger: error: price 25 needs a currency, like '25 USD'
    $ onebox-ledger customer add zed --name Zed --currency XYZ
    onebox-ledger: error: currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR), nor declared by this ledger (a 'commodity XYZ' line)

A value that starts with a minus and a digit (``-100 USD``, ``-5``) is a value, never an option:
no option of these commands starts with a digit, so no typo of an option is hidden (``--bogus``
is still "No such option").
"""

from __future__ import annotations

import abc
import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import click
from beancount.core import data
from click.parser import _OptionParser, _ParsingState

from ..clock import today
from ..store import Ledger, LedgerError
from ..values import (
    MAX_DIGITS,
    InputError,
    Money,
    Month,
    check_not_future,
    iso_codes,
    make_text,
    parse_account,
    parse_amount,
    parse_bic,
    parse_country,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_iban,
    parse_id,
    parse_month,
    parse_ref,
    show_value,
)

F = TypeVar("F", bound=Callable[..., object])
T = TypeVar("T")

FORMATS = click.Choice(["table", "csv", "json"])

_CHECKED = "onebox_ledger.ledger_checked"  # in the root context's meta: check_exists passed
_NEGATIVE = re.compile(r"^-[0-9.]")  # '-100 USD', '-5', '-.5': a value, not an option
_PLAIN = re.compile(r"^-?[0-9][0-9.]*$")  # shown as typed in a message (else quoted)


def ledger() -> Ledger:
    """The --ledger of this command, refused once per command when it does not exist.

    Every command that reads a ledger asks for it here, so none can succeed
    silently on a missing one: ``ledger .../main.beancount does not exist
    (create one: onebox-ledger init DIR)``, exit 1.
    """
    root = click.get_current_context().find_root()
    obj = root.obj
    assert isinstance(obj, Ledger)
    if not root.meta.get(_CHECKED):
        obj.check_exists()
        root.meta[_CHECKED] = True
    return obj


def not_future(date: datetime.date, future: bool) -> datetime.date:
    """A money event's --date, refused after today unless --future (values.check_not_future)."""
    if not future:
        check_not_future(date, today())
    return date


def future_option(command: F) -> F:
    """--future: the flag a money event needs to be dated after today."""
    return click.option(
        "--future",
        is_flag=True,
        help="Record it although --date is after today (without it: refused, exit 2).",
    )(command)


def whole(text: str, what: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number typed by a person: ASCII digits, at least `minimum`, at most `maximum`."""
    digits = text.isascii() and text.isdigit() and len(text) <= 9
    value = int(text) if digits else None
    if maximum is not None:
        if value is None or not minimum <= value <= maximum:
            raise InputError(
                f"{what} {show_value(text)} must be a whole number from {minimum} to {maximum}"
            )
    elif value is None or value < minimum:
        raise InputError(f"{what} {text!r} must be a whole number of at least {minimum}")
    return value


def echo(message: str) -> None:
    click.echo(message)


def _shown(text: str) -> str:
    """A number as typed (``1.5``, ``-5``); anything else quoted and escaped."""
    return text if _PLAIN.fullmatch(text) else show_value(text)


def _books(ctx: click.Context | None) -> Ledger | None:
    """The ledger named by --ledger, when it exists (a value's check may consult it)."""
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, Ledger) and obj.main.is_file():
        return obj
    return None


# ---------------------------------------------------------------- the parser


class _Parser(_OptionParser):
    """Click's parser, but '-100 USD' and '-5' are values: Click would read them as the
    unknown short options '-1' and '-5'."""

    def _process_opts(self, arg: str, state: _ParsingState) -> None:
        if _NEGATIVE.match(arg) and not any(_NEGATIVE.match(opt) for opt in self._short_opt):
            state.largs.append(arg)
            return
        super()._process_opts(arg, state)


class Command(click.Command):
    """A command whose parser takes a negative-looking argument as a value (see _Parser)."""

    def make_parser(self, ctx: click.Context) -> _OptionParser:
        parser = _Parser(ctx)
        for param in self.get_params(ctx):
            param.add_to_parser(parser, ctx)
        return parser


# ---------------------------------------------------------------- the types


class _Type(click.ParamType[T, Any]):
    """A value parsed by a function of values.py: its InputError is the one-line message."""

    metavar = "VALUE"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        """An option's metavar (``--date YYYY-MM-DD``); an argument keeps its name (CUSTOMER_ID)."""
        return None if isinstance(param, click.Argument) else self.metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> T:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]  # a default given already parsed
        return self.parse(value, ctx)

    @abc.abstractmethod
    def parse(self, text: str, ctx: click.Context | None) -> T:
        """The value of `text`, or InputError (one line: what is wrong, with the value)."""


class CountryType(_Type[str]):
    """An ISO 3166 alpha-2 country code (values.parse_country): 'de' -> 'DE'."""

    name = "country"
    metavar = "CC"

    def __init__(self, what: str = "--country") -> None:
        self.what = what

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_country(text, self.what)


class PercentType(_Type[Decimal]):
    """A percent, as typed or with a sign: ``19``, ``7.7%``, ``0`` -> Decimal; below 100."""

    name = "percent"
    metavar = "PERCENT"

    def __init__(self, what: str = "rate") -> None:
        self.what = what

    def parse(self, text: str, ctx: click.Context | None) -> Decimal:
        number = parse_decimal(text.strip().removesuffix("%"), self.what, positive=False)
        if number >= 100:
            raise InputError(
                f"{self.what} {show_value(text)} must be a percent below 100 (19 is 19%)"
            )
        return number


class DateType(_Type[datetime.date]):
    """YYYY-MM-DD -> datetime.date: ``date '2026-02-30' is not a real calendar date``."""

    name = "date"
    metavar = "YYYY-MM-DD"

    def __init__(self, what: str = "date") -> None:
        self.what = what

    def parse(self, text: str, ctx: click.Context | None) -> datetime.date:
        return parse_date(text, self.what)


class MonthType(_Type[Month]):
    """YYYY-MM -> Month: ``month '2026-13' is not a valid YYYY-MM month``."""

    name = "month"
    metavar = "YYYY-MM"

    def parse(self, text: str, ctx: click.Context | None) -> Month:
        return parse_month(text)


def check_currency(code: str, ctx: click.Context | None, *, declared: bool = True) -> str:
    """An ISO 4217 currency code (pycountry's list), or one this ledger declares with a
    ``commodity`` line (`declared`: a ledger exists to ask)."""
    parse_currency(code)
    if code.upper() in iso_codes("4217", "alpha_3"):
        return code
    books = _books(ctx) if declared else None
    if books is not None:
        try:
            entries = books.static_entries()
        except (LedgerError, OSError):  # the command's own load says what is wrong
            entries = []
        if any(isinstance(e, data.Commodity) and e.currency == code for e in entries):
            return code
        raise InputError(
            f"currency {show_value(code)} is not an ISO 4217 currency code (like USD or EUR),"
            f" nor declared by this ledger (a 'commodity {code}' line)"
        )
    raise InputError(
        f"currency {show_value(code)} is not an ISO 4217 currency code (like USD or EUR)"
    )


class CurrencyType(_Type[str]):
    """USD -> 'USD': ISO 4217, or a currency the ledger declares (`declared=False`: ISO only,
    for init, which has no ledger yet)."""

    name = "currency"
    metavar = "CURRENCY"

    def __init__(self, *, declared: bool = True) -> None:
        self.declared = declared

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return check_currency(text, ctx, declared=self.declared)


class MoneyType(_Type[Money]):
    """'25 USD' -> Money(Decimal('25.00'), 'USD'): positive, at most cents, in a known currency.

    A negative amount is named as such, with `negative`, the command that does the opposite
    ("to reverse a payment use refund"); a number alone asks for its currency. `places`
    other than 2 reads an exchange rate ('1.0825 USD', kept as typed)."""

    name = "amount"
    metavar = "AMOUNT"

    def __init__(self, what: str = "amount", *, negative: str = "", places: int = 2) -> None:
        self.what = what
        self.negative = negative
        self.places = places

    def parse(self, text: str, ctx: click.Context | None) -> Money:
        parts = text.split()
        if parts and _NEGATIVE.match(parts[0]):
            hint = f": {self.negative}" if self.negative else ""
            raise InputError(
                f"{self.what} {show_value(text)} is negative; amounts are positive{hint}"
            )
        if len(parts) == 1 and _PLAIN.fullmatch(parts[0]):
            example = _operating(ctx)
            raise InputError(
                f"{self.what} {parts[0]} needs a currency, like '{parts[0]} {example}'"
            )
        if self.places == 2:
            number, currency = parse_amount(text, self.what)
        else:
            if len(parts) != 2:
                raise InputError(
                    f"{self.what} {show_value(text)} must be a number and a currency,"
                    " like '1.08 USD'"
                )
            number = parse_decimal(parts[0], self.what, places=self.places)
            currency = parts[1]
        return Money(number, check_currency(currency, ctx))


def _operating(ctx: click.Context | None) -> str:
    """The ledger's operating currency for an example, else USD."""
    books = _books(ctx)
    if books is not None:
        try:
            return books.operating_currency()
        except (OSError, ValueError):  # an unreadable main file: its own error comes later
            return "USD"
    return "USD"


class WholeType(_Type[int]):
    """A whole number from `minimum` (to `maximum`): ``quantity '0' must be a whole number of
    at least 1``."""

    name = "number"
    metavar = "N"

    def __init__(self, what: str, minimum: int = 1, maximum: int | None = None) -> None:
        self.what = what
        self.minimum = minimum
        self.maximum = maximum

    def parse(self, text: str, ctx: click.Context | None) -> int:
        return whole(text, self.what, self.minimum, self.maximum)


class UnitsType(_Type[Decimal]):
    """A metered month's usage, whole units from 0: ``usage is a whole number of units, not
    1.5``."""

    name = "units"
    metavar = "UNITS"

    def parse(self, text: str, ctx: click.Context | None) -> Decimal:
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise InputError(f"usage is a whole number of units, not {_shown(text)}")
        if len(digits.lstrip("0")) > MAX_DIGITS:
            raise InputError(f"usage {show_value(text)} has more than {MAX_DIGITS} digits")
        return Decimal(digits)


class ShareType(_Type[Decimal]):
    """A share of list price, as a decimal or a percentage: ``0.65`` or ``65%`` ->
    Decimal('0.65'); above 0 and at most 1 (``rate 1.5 must be above 0 and at most 1``)."""

    name = "share"
    metavar = "RATE"

    def __init__(self, what: str, places: int = 4) -> None:
        self.what = what
        self.places = places

    def parse(self, text: str, ctx: click.Context | None) -> Decimal:
        if text.endswith("%"):
            percent = text[:-1]
            whole_part, _, fraction = percent.partition(".")
            if not (
                whole_part.isascii() and whole_part.isdigit() and len(whole_part) <= 3
                and ("." not in percent or (fraction.isascii() and fraction.isdigit()))
                and len(fraction) <= self.places - 2
            ):  # fmt: skip
                raise InputError(
                    f"{self.what} {show_value(text)} is not a share of list price (write it like"
                    f" 0.65 or 65%, at most {self.places - 2} decimals in a percentage)"
                )
            share = Decimal(percent).scaleb(-2)  # 60% -> 0.60, as typed in hundredths
        else:
            share = parse_decimal(text, self.what, places=self.places, positive=False)
        if not 0 < share <= 1:
            raise InputError(
                f"{self.what} {_shown(text)} must be above 0 and at most 1 (0.65 is 65% of list)"
            )
        return share


class IdType(_Type[str]):
    """A customer, contract or item id: ``customer id 'Acme' must start with a lowercase
    letter, ...``."""

    name = "id"
    metavar = "ID"

    def __init__(self, what: str) -> None:
        self.what = what

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_id(text, self.what)


class AccountType(_Type[str]):
    """A Beancount account name, like Assets:Wise:EUR."""

    name = "account"
    metavar = "ACCOUNT"

    def __init__(self, what: str) -> None:
        self.what = what

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_account(text, self.what)


class IbanType(_Type[str]):
    """An IBAN (values.parse_iban), written compact."""

    name = "iban"
    metavar = "IBAN"

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_iban(text)


class BicType(_Type[str]):
    """A BIC (values.parse_bic), written compact in capitals."""

    name = "bic"
    metavar = "BIC"

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_bic(text)


class RefType(_Type[str]):
    """A bank or document reference: letters, digits and . _ : -."""

    name = "ref"
    metavar = "REF"

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return parse_ref(text)


class TextType(_Type[str]):
    """Free text written into a quoted Beancount string (a memo, a name; an invoice or bill id
    as typed, at most `limit` characters): no control or invisible format character."""

    name = "text"
    metavar = "TEXT"

    def __init__(self, what: str, limit: int = 1000) -> None:
        self.what = what
        self.limit = limit

    def parse(self, text: str, ctx: click.Context | None) -> str:
        return make_text(text, self.what, limit=self.limit)


DATE = DateType()
MONTH = MonthType()
CURRENCY = CurrencyType()
COUNTRY = CountryType()
AMOUNT = MoneyType()
REF = RefType()
