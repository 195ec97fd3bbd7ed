"""The values a person types, parsed once by the commands' Click types (onebox_ledger.cli.common).

What is refused, and with which line, is in test_bad_input.py's catalogue; here: what is
accepted, what a currency the ledger declares allows, and what the parser takes as a value::

    $ onebox-ledger customer add zed --name Zed --currency XBT     # 'commodity XBT' declared
    customer zed: Zed, billed in XBT
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import click
import pytest
from click.testing import CliRunner

from onebox_ledger.cli import cli
from onebox_ledger.cli.common import (
    MONTH,
    CurrencyType,
    DateType,
    MoneyType,
    ShareType,
    UnitsType,
    WholeType,
)
from onebox_ledger.values import InputError, Month

D = Decimal


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (MoneyType(), "25 USD", (D("25.00"), "USD")),
        (MoneyType(), " 1250.5 EUR ", (D("1250.50"), "EUR")),
        (MoneyType("rate", places=6), "1.083125 USD", (D("1.083125"), "USD")),
        (CurrencyType(declared=False), "UAH", "UAH"),
        (CurrencyType(declared=False), "XAU", "XAU"),  # gold: ISO 4217 too
        (DateType(), "2028-02-29", datetime.date(2028, 2, 29)),
        (WholeType("days", 0, 3650), "0", 0),
        (UnitsType(), "0", D(0)),
        (UnitsType(), "1500", D(1500)),
        (ShareType("rate"), "0.65", D("0.65")),
        (ShareType("rate"), "60%", D("0.60")),
        (ShareType("rate"), "62.5%", D("0.625")),
        (ShareType("rate"), "100%", D("1.00")),
    ],
)
def test_a_type_reads_a_good_value(kind, text, value):
    assert kind.convert(text, None, None) == value


def test_a_value_already_parsed_passes_through():
    """Click converts defaults too; a default given as its value is kept."""
    assert DateType().convert(datetime.date(2026, 1, 1), None, None) == datetime.date(2026, 1, 1)
    assert WholeType("--payment", 0, 3650).convert(30, None, None) == 30


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (MoneyType(), "25", "amount 25 needs a currency, like '25 USD'"),
        (MoneyType("--once"), "-2000 USD", "--once '-2000 USD' is negative; amounts are positive"),
        (UnitsType(), "1e3", "usage is a whole number of units, not '1e3'"),
        (
            UnitsType(),
            "1" * 16,
            f"usage '{'1' * 16}' has more than 15 digits",
        ),
        (ShareType("rate"), "0%", "rate '0%' must be above 0 and at most 1 (0.65 is 65% of list)"),
        (
            ShareType("rate"),
            "65.%",
            "rate '65.%' is not a share of list price (write it like 0.65 or 65%, at most 2"
            " decimals in a percentage)",
        ),
        (
            CurrencyType(declared=False),
            "XYZ",
            "currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR)",
        ),
    ],
)
def test_a_type_refuses_with_one_line(kind, text, message):
    with pytest.raises(InputError) as refused:
        kind.convert(text, None, None)
    assert str(refused.value) == message


# ---------------------------------------------------------------- on a ledger


def test_a_currency_the_ledger_declares_is_accepted(seed_ledger, run, ok, bean_check):
    accounts = seed_ledger.parent / "ledger" / "accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8") + "\n2026-01-01 commodity XBT\n", encoding="utf-8"
    )

    out = ok(run(seed_ledger, "customer", "add", "zed", "--name", "Zed", "--currency", "XBT",
                 "--date", "2026-11-01"))  # fmt: skip

    assert out == ["customer zed: Zed, billed in XBT"]
    assert bean_check(seed_ledger) == []


def test_init_refuses_a_currency_outside_iso_4217_and_creates_nothing(
    fixed_today, tmp_path, refused
):
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "books"), "--currency", "XYZ"], catch_exceptions=False
    )

    assert refused(result, 2) == (
        "currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR)"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_amount_after_an_option_taking_a_value_is_still_read(closed_seed, run, ok):
    """'--invoice ID' then the amount: the parser reads 'inv-...' as --invoice's value and
    '125 USD' as AMOUNT, whatever their order."""
    out = ok(run(closed_seed, "receive", "--invoice", "inv-2026-11-acme", "acme", "125 USD",
                 "--date", "2026-12-05"))  # fmt: skip

    assert out == ["received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme"]


def test_each_command_parses_its_values_before_it_reads_the_ledger(tmp_path, run, refused):
    """A bad value is refused as such (exit 2) even where no ledger exists: it is read before
    the command asks for the ledger."""
    result = run(tmp_path / "nowhere" / "main.beancount", "close", "2026-13")

    assert refused(result, 2) == "month '2026-13' is not a valid YYYY-MM month"


def test_the_month_type_gives_a_month():
    @click.command()
    @click.argument("month", type=MONTH)
    def show(month: Month) -> None:
        click.echo(repr(month))

    result = CliRunner().invoke(show, ["2026-11"], catch_exceptions=False)

    assert result.stdout == "Month(2026, 11)\n"


def test_a_cost_rate_may_be_a_percentage(new_ledger, run, ok, bean_check):
    out = ok(run(new_ledger, "terms", "rate", "10", "60%", "--date", "2026-01-01"))

    assert out == ["rate from 10 box(es): 0.60 of list from 2026-01-01"]
    terms = (new_ledger.parent / "ledger" / "terms.beancount").read_text(encoding="utf-8")
    assert '2026-01-01 custom "onebox-rate" 10 0.60\n' in terms
    assert bean_check(new_ledger) == []
