"""values: what a person types, parsed strictly, and the one rounding rule for money.

Every refusal is one line naming the problem and the value, since the CLI prints
it as is and exits 2 with no file touched.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from onebox_ledger.values import (
    InputError,
    Month,
    check_not_future,
    make_text,
    parse_amount,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_id,
    parse_month,
    parse_ref,
    round_half_up,
    round_money,
    show_money,
)


def refused(message: str) -> pytest.RaisesExc[InputError]:
    """pytest.raises matching the whole one-line message, not a fragment of it."""
    return pytest.raises(InputError, match=f"^{re.escape(message)}$")


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "number", "currency"),
    [
        ("25 USD", "25.00", "USD"),  # whole number: quantized to cents
        ("125.00 USD", "125.00", "USD"),
        ("0.5 EUR", "0.50", "EUR"),
        ("0.01 USD", "0.01", "USD"),
        ("  1999.99   USD ", "1999.99", "USD"),  # surrounding blanks are not part of the value
        ("999999999999999.99 USD", "999999999999999.99", "USD"),  # 15 integer digits: the limit
    ],
)
def test_parse_amount_accepts_positive_cents(text: str, number: str, currency: str) -> None:
    parsed = parse_amount(text)
    assert parsed == (Decimal(number), currency)
    # the exponent is the cents one, so the amount prints as 25.00, never 25
    assert str(parsed[0]) == number


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 USD", "amount '0' must be greater than zero"),
        ("0.00 USD", "amount '0.00' must be greater than zero"),
        ("-5 USD", "amount '-5' is not a plain decimal number (write it like 125.00)"),
        ("1.234 USD", "amount '1.234' has more than 2 decimal places"),
        ("1e3 USD", "amount '1e3' is not a plain decimal number (write it like 125.00)"),
        ("NaN USD", "amount 'NaN' is not a plain decimal number (write it like 125.00)"),
        ("Infinity USD", "amount 'Infinity' is not a plain decimal number (write it like 125.00)"),
        ("10/0 USD", "amount '10/0' is not a plain decimal number (write it like 125.00)"),
        ("1,000.00 USD", "amount '1,000.00' is not a plain decimal number (write it like 125.00)"),
        (".5 USD", "amount '.5' is not a plain decimal number (write it like 125.00)"),
        (
            "1" * 40 + " USD",
            "amount '" + "1" * 40 + "' has more than 15 integer digits",
        ),
        ("25.00 usd", "currency 'usd' is not a currency code (like USD or EUR)"),
        ("25.00 U$D", "currency 'U$D' is not a currency code (like USD or EUR)"),
        ("25.00", "amount '25.00' must be a number and a currency, like '25.00 USD'"),
        ("25.00USD", "amount '25.00USD' must be a number and a currency, like '25.00 USD'"),
        ("25 USD EUR", "amount '25 USD EUR' must be a number and a currency, like '25.00 USD'"),
    ],
)
def test_parse_amount_refuses_with_one_line(text: str, message: str) -> None:
    with refused(message):
        parse_amount(text)


def test_parse_amount_names_the_argument() -> None:
    with refused("price '0' must be greater than zero"):
        parse_amount("0 USD", "price")


def test_error_quotes_a_long_value_cut_to_60_characters() -> None:
    # 70 digits: the message shows the first 57 and '...', so it stays one short line
    with refused("amount '" + "9" * 57 + "...' has more than 15 integer digits"):
        parse_amount("9" * 70 + " USD")


def test_parse_decimal_places_and_sign_are_parameters() -> None:
    assert parse_decimal("0.655", "rate", places=3) == Decimal("0.655")
    assert parse_decimal("0", "units", places=0, positive=False) == Decimal("0")
    with refused("units '1.5' has more than 0 decimal places"):
        parse_decimal("1.5", "units", places=0)
    with refused("rate '0.6555' has more than 3 decimal places"):
        parse_decimal("0.6555", "rate", places=3)
    with refused("units '-1' is not a plain decimal number (write it like 125.00)"):
        parse_decimal("-1", "units", positive=False)


def test_parse_decimal_refuses_non_ascii_digits() -> None:
    # Arabic-Indic digits are digits to Python's Decimal(), not to a ledger
    with refused("amount '١٢٣' is not a plain decimal number (write it like 125.00)"):
        parse_decimal("١٢٣", "amount")


@pytest.mark.parametrize("text", ["USD\n", "EUR\n"])
def test_parse_currency_refuses_a_trailing_newline(text: str) -> None:
    # `$` in a regex also matches before a final newline; a currency never holds one
    with refused(f"currency {text!r} is not a currency code (like USD or EUR)"):
        parse_currency(text)


# ---------------------------------------------------------------- dates and months


def test_parse_date_accepts_iso_dates() -> None:
    assert parse_date("2026-11-30") == datetime.date(2026, 11, 30)
    assert parse_date("2028-02-29") == datetime.date(2028, 2, 29)  # a leap day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "date '2026-02-30' is not a real calendar date"),
        ("2027-02-29", "date '2027-02-29' is not a real calendar date"),
        ("2026-11-31", "date '2026-11-31' is not a real calendar date"),
        ("30/11/2026", "date '30/11/2026' is not an ISO date (YYYY-MM-DD)"),
        ("2026-11-3", "date '2026-11-3' is not an ISO date (YYYY-MM-DD)"),
        ("20261130", "date '20261130' is not an ISO date (YYYY-MM-DD)"),
        ("2026-W48-1", "date '2026-W48-1' is not an ISO date (YYYY-MM-DD)"),
        ("2026-11-30T00:00", "date '2026-11-30T00:00' is not an ISO date (YYYY-MM-DD)"),
        # a trailing newline makes it no date at all, not a wrong calendar day
        ("2026-11-30\n", "date '2026-11-30\\n' is not an ISO date (YYYY-MM-DD)"),
    ],
)
def test_parse_date_refuses(text: str, message: str) -> None:
    with refused(message):
        parse_date(text)


def test_parse_date_names_the_argument() -> None:
    with refused("until '2026-02-30' is not a real calendar date"):
        parse_date("2026-02-30", "until")


def test_parse_month() -> None:
    month = parse_month("2026-11")
    assert month == Month(2026, 11)
    assert str(month) == "2026-11"
    assert (month.first, month.last, month.days) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
        30,
    )


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11"])
def test_parse_month_refuses(text: str) -> None:
    with refused(f"month {text!r} is not a valid YYYY-MM month"):
        parse_month(text)


def test_month_arithmetic_across_years() -> None:
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).prev() == Month(2026, 12)
    assert Month(2026, 2).plus(11) == Month(2027, 1)
    assert Month(2027, 1).minus(Month(2026, 2)) == 11
    assert Month(2028, 2).days == 29
    assert Month(2026, 11).label() == "November 2026"


# ---------------------------------------------------------------- ids and refs


@pytest.mark.parametrize("text", ["acme", "acme-realty", "a1-b2-c3", "x" * 48])
def test_parse_id_accepts(text: str) -> None:
    assert parse_id(text, "customer") == text


@pytest.mark.parametrize(
    "text",
    [
        "Acme",
        "acme realty",
        "acme--realty",
        "-acme",
        "acme-",
        "acme_realty",
        'acme"',
        "",
        "x" * 49,
        # a trailing newline would end up inside an account name (Assets:Receivable:Acme\n)
        "acme\n",
        # a leading digit group would make inv-2026-11-15-b (a close) equal a sale to b on the 15th
        "3m",
        "15-b",
    ],
)
def test_parse_id_refuses(text: str) -> None:
    with refused(
        f"customer id {text!r} must start with a lowercase letter, then lowercase letters, digits and single hyphens,"
        " at most 48 characters (like 'acme-realty')"
    ):
        parse_id(text, "customer")


def test_parse_ref() -> None:
    assert parse_ref("BANK-2026.11:0042_a-b") == "BANK-2026.11:0042_a-b"
    assert parse_ref("x" * 64) == "x" * 64
    for text in ["-x", "a b", 'a"b']:
        with refused(f"ref {text!r} must be letters, digits and . _ : - (at most 64)"):
            parse_ref(text)
    # 65 characters: quoted cut to 57 and '...'
    with refused("ref '" + "x" * 57 + "...' must be letters, digits and . _ : - (at most 64)"):
        parse_ref("x" * 65)


def test_parse_ref_refuses_a_trailing_newline() -> None:
    with refused("ref 'tx-1\\n' must be letters, digits and . _ : - (at most 64)"):
        parse_ref("tx-1\n")


# ---------------------------------------------------------------- free text


def test_make_text_keeps_quotes_and_non_ascii() -> None:
    # quotes are escaped when written (beans.quote), not refused here
    assert make_text('Acme "Realty" Ünlü', "name") == 'Acme "Realty" Ünlü'


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("line one\nline two", "000A"),
        ('memo"\n2026-01-01 open Assets:Stolen', "000A"),  # an injection attempt
        ("tab\there", "0009"),
        ("nul\x00", "0000"),
        ("escape \x1b[31m", "001B"),
        ("next line \x85", "0085"),
        ("line separator \u2028", "2028"),
        ("paragraph separator \u2029", "2029"),
    ],
)
def test_make_text_refuses_control_characters(text: str, code: str) -> None:
    with refused(f"memo contains a control character (U+{code}); remove it"):
        make_text(text, "memo")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Acme \u202eytlaeR", "U+202E RIGHT-TO-LEFT OVERRIDE"),  # shows as "Acme Realty"
        ("Ac\u200bme", "U+200B ZERO WIDTH SPACE"),  # looks like "Acme", is not
        ("\ufeffAcme", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\u2066Acme\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Acme\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("Ac\u00adme", "U+00AD SOFT HYPHEN"),
        ("tag \U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
    ],
)
def test_make_text_refuses_invisible_format_characters(text: str, named: str) -> None:
    with refused(f"name contains an invisible format character ({named}); remove it"):
        make_text(text, "name")


def test_make_text_refuses_empty_and_blank() -> None:
    for text in ["", "   "]:
        with refused("name is empty"):
            make_text(text, "name")


def test_make_text_refuses_a_one_megabyte_memo() -> None:
    memo = "x" * (1024 * 1024)
    with refused("memo is 1048576 characters long; at most 1000 are allowed"):
        make_text(memo, "memo")


def test_make_text_limit() -> None:
    assert make_text("x" * 1000, "memo") == "x" * 1000
    with refused("name is 201 characters long; at most 200 are allowed"):
        make_text("x" * 201, "name", limit=200)


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("number", "rounded"),
    [
        ("0.499", "0"),
        ("0.5", "1"),
        ("1.5", "2"),
        ("2.5", "3"),  # round(2.5) == 2 in Python: half to even, wrong for the tariff
        ("3.5", "4"),
        ("2.4999", "2"),
        ("0", "0"),
    ],
)
def test_round_half_up(number: str, rounded: str) -> None:
    assert round_half_up(Decimal(number)) == Decimal(rounded)


def test_round_half_up_differs_from_builtin_round() -> None:
    assert round(Decimal("2.5")) == 2
    assert round_half_up(Decimal("2.5")) == 3


@pytest.mark.parametrize(
    ("number", "rounded"),
    [
        ("24.505", "24.51"),  # round() and the ledger's display context give 24.50
        ("24.504999", "24.50"),
        ("24.515", "24.52"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("125", "125.00"),
        ("-24.505", "-24.51"),  # half away from zero, like a credit of the same amount
    ],
)
def test_round_money(number: str, rounded: str) -> None:
    result = round_money(Decimal(number))
    assert result == Decimal(rounded)
    assert str(result) == rounded  # always two places, so the printer writes cents


def test_round_money_is_not_half_even() -> None:
    assert round(Decimal("24.505"), 2) == Decimal("24.50")
    assert round_money(Decimal("24.505")) == Decimal("24.51")


@pytest.mark.parametrize(
    ("number", "sign", "shown"),
    [
        ("0", False, "0.00 USD"),  # the "0 open" of issue 11
        ("500", False, "500.00 USD"),
        ("81.25", False, "81.25 USD"),
        ("81.255", False, "81.255 USD"),  # never rounded in a message
        ("1E+2", False, "100.00 USD"),
        ("0.01", True, "+0.01 USD"),
        ("-0.25", True, "-0.25 USD"),
        ("-1.5", False, "-1.50 USD"),
    ],
)
def test_show_money_has_cents_and_the_currency(number: str, sign: bool, shown: str) -> None:
    assert show_money(Decimal(number), "USD", sign=sign) == shown


def test_check_not_future_names_the_date_and_today() -> None:
    today = datetime.date(2026, 12, 15)
    check_not_future(today, today)  # today itself has happened
    with pytest.raises(InputError) as refused:
        check_not_future(datetime.date(2026, 12, 16), today)
    assert str(refused.value) == (
        "--date 2026-12-16 is after today (2026-12-15): money is recorded once it has moved;"
        " pass --future to record it ahead"
    )
