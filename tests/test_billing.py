"""billing: what a contract bills and what it costs for one month, in exact cents.

Books are parsed from inline Beancount text, the way a partner's ledger holds
them. The terms throughout: OneBox lists a cloud user at 25.00 USD a month and
the partner pays 65% of list from 1 active box, 60% from 10. November 2026 has
30 days.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from beancount.parser import parser

from onebox_ledger import billing, model
from onebox_ledger.billing import BillingError, Charge, active_boxes, charge, month_rate
from onebox_ledger.values import ZERO, Month

NOV = Month(2026, 11)
DEC = Month(2026, 12)

TERMS = """
2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD
2026-01-01 custom "onebox-item" "data-records" 1.99 USD
  per: 1000
2026-01-01 custom "onebox-rate" 1 0.65
2026-01-01 custom "onebox-rate" 10 0.60
2026-01-01 custom "onebox-payment" 30
2026-01-15 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"
"""


def book_of(text: str) -> model.Book:
    """The Book of TERMS plus `text`; the text must parse and model without any error."""
    entries, errors, _ = parser.parse_string(TERMS + text)
    assert errors == []
    book, model_errors = model.parse_book(entries)
    assert [e.message for e in model_errors] == []
    return book


def cloud(start: str, quantity: int = 5, extra: str = "") -> str:
    """The seed contract: `quantity` cloud users at 25.00 USD, monthly."""
    return f"""
{start} custom "onebox-contract" "acme-cloud"
  customer: "acme"
  stream: "cloud"
  billing: "monthly"
  price: 25.00 USD
  quantity: {quantity}
  item: "cloud-user"
{extra}"""


def charged(book: model.Book, cid: str, month: Month, usage: Decimal | None = None) -> Charge:
    """The contract's charge at the month's tier rate; fails the test when there is none."""
    _, rate = month_rate(book, month)
    result = charge(book, book.contracts[cid], month, rate, usage)
    assert result is not None
    return result


def amounts(c: Charge) -> tuple[Decimal, Decimal, Decimal, Decimal, str | None]:
    return (c.invoiced, c.deferred, c.recognised, c.cost, c.cost_currency)


def no_charge(book: model.Book, cid: str, month: Month) -> bool:
    _, rate = month_rate(book, month)
    return charge(book, book.contracts[cid], month, rate) is None


# ---------------------------------------------------------------- monthly


def test_seed_example_full_month() -> None:
    book = book_of(cloud("2026-02-01"))
    c = charged(book, "acme-cloud", NOV)
    # invoice 5 x 25.00 = 125.00, all recognised this month, nothing deferred
    # cost 5 x 25.00 (list) x 0.65 = 81.25
    assert amounts(c) == (Decimal("125.00"), 0, Decimal("125.00"), Decimal("81.25"), "USD")
    assert c.describe == "5 x 25.00 USD"
    assert c.describe_cost == "5 x cloud-user at 25.00 USD x 65% of list"


def test_amounts_carry_cents() -> None:
    # 125.00, not 125: the printer writes the digits it is given
    c = charged(book_of(cloud("2026-02-01")), "acme-cloud", NOV)
    assert (str(c.invoiced), str(c.cost)) == ("125.00", "81.25")


def test_start_mid_month_is_prorated_by_days() -> None:
    book = book_of(cloud("2026-11-15"))
    c = charged(book, "acme-cloud", NOV)
    # active Nov 15..30 = 16 of 30 days
    # invoice 5 x 25.00 x 16/30 = 66.666.. -> 66.67
    # cost 5 x 16/30 x 25.00 x 0.65 = 81.25 x 16/30 = 43.333.. -> 43.33
    assert amounts(c) == (Decimal("66.67"), 0, Decimal("66.67"), Decimal("43.33"), "USD")
    assert c.describe == "5 x 25.00 USD for 16/30 days"
    assert c.describe_cost == "5 for 16/30 days x cloud-user at 25.00 USD x 65% of list"


def test_nothing_before_the_start_month() -> None:
    book = book_of(cloud("2026-11-15"))
    assert no_charge(book, "acme-cloud", Month(2026, 10))


def test_quantity_change_mid_month_rounds_once() -> None:
    book = book_of(
        cloud(
            "2026-02-01",
            extra="""
2026-11-11 custom "onebox-change" "acme-cloud"
  quantity: 7
""",
        )
    )
    c = charged(book, "acme-cloud", NOV)
    # Nov 1..10: 5 users for 10 days; Nov 11..30: 7 users for 20 days
    # invoice 25.00 x (5 x 10 + 7 x 20) / 30 = 25.00 x 190 / 30 = 158.333.. -> 158.33
    #   (rounding each stretch would give 41.67 + 116.67 = 158.34)
    # cost 190/30 user-months x 25.00 x 0.65 = 102.9166.. -> 102.92
    #   (rounding each stretch would give 27.08 + 75.83 = 102.91)
    assert amounts(c) == (Decimal("158.33"), 0, Decimal("158.33"), Decimal("102.92"), "USD")
    assert c.describe == "5 x 25.00 USD for 10/30 days + 7 x 25.00 USD for 20/30 days"
    assert c.describe_cost == (
        "5 for 10/30 days + 7 for 20/30 days x cloud-user at 25.00 USD x 65% of list"
    )


def test_price_change_mid_month() -> None:
    book = book_of(
        cloud(
            "2026-02-01",
            extra="""
2026-11-16 custom "onebox-change" "acme-cloud"
  price: 28.00 USD
""",
        )
    )
    c = charged(book, "acme-cloud", NOV)
    # Nov 1..15 at 25.00, Nov 16..30 at 28.00, 5 users each
    # invoice 5 x (25.00 x 15 + 28.00 x 15) / 30 = 5 x 795 / 30 = 132.50
    # cost: the partner's price changed, OneBox's list did not: 5 x 25.00 x 0.65 = 81.25
    assert amounts(c) == (Decimal("132.50"), 0, Decimal("132.50"), Decimal("81.25"), "USD")


def test_change_from_the_next_month_leaves_this_month_alone() -> None:
    book = book_of(
        cloud(
            "2026-02-01",
            extra="""
2026-12-01 custom "onebox-change" "acme-cloud"
  quantity: 8
""",
        )
    )
    assert charged(book, "acme-cloud", NOV).invoiced == Decimal("125.00")
    # December: 8 x 25.00 = 200.00; cost 8 x 25.00 x 0.65 = 130.00
    dec = charged(book, "acme-cloud", DEC)
    assert (dec.invoiced, dec.cost) == (Decimal("200.00"), Decimal("130.00"))


def test_end_mid_month() -> None:
    book = book_of(
        cloud(
            "2026-02-01",
            extra="""
2026-11-10 custom "onebox-end" "acme-cloud"
""",
        )
    )
    c = charged(book, "acme-cloud", NOV)
    # the end date is the last day of service: Nov 1..10 = 10 of 30 days
    # invoice 125.00 x 10/30 = 41.666.. -> 41.67; cost 81.25 x 10/30 = 27.0833.. -> 27.08
    assert amounts(c) == (Decimal("41.67"), 0, Decimal("41.67"), Decimal("27.08"), "USD")
    assert c.describe == "5 x 25.00 USD for 10/30 days"
    assert no_charge(book, "acme-cloud", DEC)


def test_end_on_the_last_day_bills_the_full_month() -> None:
    book = book_of(cloud("2026-02-01", extra='2026-11-30 custom "onebox-end" "acme-cloud"\n'))
    c = charged(book, "acme-cloud", NOV)
    assert (c.invoiced, c.cost) == (Decimal("125.00"), Decimal("81.25"))
    assert no_charge(book, "acme-cloud", DEC)


def test_start_and_end_in_the_same_31_day_month() -> None:
    book = book_of(cloud("2026-12-10", extra='2026-12-20 custom "onebox-end" "acme-cloud"\n'))
    c = charged(book, "acme-cloud", DEC)
    # Dec 10..20 = 11 of 31 days
    # invoice 125.00 x 11/31 = 44.354.. -> 44.35; cost 81.25 x 11/31 = 28.830.. -> 28.83
    assert amounts(c) == (Decimal("44.35"), 0, Decimal("44.35"), Decimal("28.83"), "USD")


def test_one_day_cost_is_rounded_half_up_from_the_exact_amount() -> None:
    # A 3.00 USD item for 1 of 30 days at 65%: 3.00 x 0.65 / 30 = 0.065 exactly,
    # so ROUND_HALF_UP gives 0.07 (the invoice: 3.00 / 30 = 0.10 exactly).
    book = book_of(
        """
2026-01-01 custom "onebox-item" "backup-slot" 3.00 USD
2026-11-30 custom "onebox-contract" "acme-backup"
  customer: "acme"
  stream: "cloud"
  price: 3.00 USD
  quantity: 1
  item: "backup-slot"
"""
    )
    c = charged(book, "acme-backup", NOV)
    assert (c.invoiced, c.cost) == (Decimal("0.10"), Decimal("0.07"))


# ---------------------------------------------------------------- once


SETUP = """
2026-11-03 custom "onebox-contract" "acme-setup"
  customer: "acme"
  stream: "services"
  billing: "once"
  price: 2000.00 USD
"""


def test_once_bills_only_its_start_month_and_services_cost_nothing() -> None:
    book = book_of(SETUP)
    c = charged(book, "acme-setup", NOV)
    # 1 x 2000.00, whole, though it starts on Nov 3: no proration for a one-time sale;
    # a services contract consumes no OneBox item, so no cost and no cost currency
    assert amounts(c) == (Decimal("2000.00"), 0, Decimal("2000.00"), 0, None)
    assert c.describe == "1 x 2000.00 USD, once"
    assert c.describe_cost == ""
    assert no_charge(book, "acme-setup", Month(2026, 10))
    assert no_charge(book, "acme-setup", DEC)
    assert no_charge(book, "acme-setup", Month(2027, 11))


def test_once_product_with_an_item_costs_its_units() -> None:
    book = book_of(
        """
2026-11-20 custom "onebox-contract" "acme-crm"
  customer: "acme"
  stream: "product"
  billing: "once"
  price: 400.00 USD
  quantity: 3
  item: "cloud-user"
"""
    )
    c = charged(book, "acme-crm", NOV)
    # invoice 3 x 400.00 = 1200.00; cost 3 x 25.00 x 0.65 = 48.75
    assert amounts(c) == (Decimal("1200.00"), 0, Decimal("1200.00"), Decimal("48.75"), "USD")


def test_monthly_services_have_no_cost() -> None:
    book = book_of(
        """
2026-02-01 custom "onebox-contract" "acme-support"
  customer: "acme"
  stream: "services"
  price: 300.00 USD
"""
    )
    c = charged(book, "acme-support", NOV)
    assert amounts(c) == (Decimal("300.00"), 0, Decimal("300.00"), 0, None)
    # and a services-only customer is no OneBox box
    assert month_rate(book, NOV) == (0, None)


# ---------------------------------------------------------------- annual


def annual(price: str, start: str = "2026-02-01", extra: str = "", quantity: int = 1) -> model.Book:
    """Acme's annual contract; `extra` follows it (indented: more of its metadata)."""
    return book_of(
        f"""
{start} custom "onebox-contract" "acme-year"
  customer: "acme"
  stream: "cloud"
  billing: "annual"
  price: {price} USD
  quantity: {quantity}
  item: "cloud-user"
{extra}"""
    )


def test_annual_bills_the_year_into_deferral_and_recognises_twelfths() -> None:
    book = annual("100.00")
    year = [charged(book, "acme-year", Month(2026, 2).plus(i)) for i in range(12)]
    # Feb 2026 (the start): 12 x 100.00 = 1200.00 invoiced, all of it to Deferred-Revenue
    assert amounts(year[0]) == (
        Decimal("1200.00"),
        Decimal("1200.00"),
        Decimal("100.00"),
        Decimal("16.25"),  # 1 x 25.00 x 0.65, every month of the year
        "USD",
    )
    # Mar 2026 .. Jan 2027: nothing invoiced, 1200.00 / 12 = 100.00 recognised each
    for c in year[1:]:
        assert amounts(c) == (0, 0, Decimal("100.00"), Decimal("16.25"), "USD")
    assert sum(c.recognised for c in year) == Decimal("1200.00")
    assert year[0].describe == "1 x 100.00 USD x 12 months = 1200.00, 2026-02-01 to 2027-01-31"
    assert year[0].lines[0].date == datetime.date(2026, 2, 1)  # invoiced on its first day
    assert [line.describe for line in year[1].lines] == [
        "recognised the year from 2026-02-01 (1 x 100.00 USD x 12 months = 1200.00): 1/12 = 100.00"
    ]
    assert [line.describe for line in year[11].lines] == [
        "recognised the year from 2026-02-01 (1 x 100.00 USD x 12 months = 1200.00):"
        " the rest, 1200.00 - 1100.00 = 100.00"
    ]
    # Feb 2027, the first anniversary: the next year is billed
    assert amounts(charged(book, "acme-year", Month(2027, 2)))[:3] == (
        Decimal("1200.00"),
        Decimal("1200.00"),
        Decimal("100.00"),
    )


def test_annual_rounding_remainder_lands_in_month_twelve() -> None:
    # A price in tenths of a cent, as a person may write it in the ledger:
    # year 12 x 83.333 = 999.996 -> 1000.00; a twelfth 83.333.. -> 83.33;
    # month 12 takes the remainder 1000.00 - 11 x 83.33 = 1000.00 - 916.63 = 83.37
    book = annual("83.333")
    year = [charged(book, "acme-year", Month(2026, 2).plus(i)) for i in range(12)]
    assert year[0].invoiced == year[0].deferred == Decimal("1000.00")
    assert [c.recognised for c in year] == [Decimal("83.33")] * 11 + [Decimal("83.37")]
    assert sum(c.recognised for c in year) == Decimal("1000.00")


def test_annual_starting_mid_month_recognises_the_days_served_as_onebox_costs_them() -> None:
    book = annual("100.00", start="2026-11-15")
    c = charged(book, "acme-year", NOV)
    # the year runs from Nov 15: the twelfth for 16 of 30 days, 100.00 x 16/30 = 53.333.. ->
    # 53.33, recognised; OneBox serves the same 16 days: 1 x 25.00 x 0.65 x 16/30 = 8.67
    assert amounts(c) == (
        Decimal("1200.00"),
        Decimal("1200.00"),
        Decimal("53.33"),
        Decimal("8.67"),
        "USD",
    )
    assert c.lines[0].date == datetime.date(2026, 11, 15)
    assert no_charge(book, "acme-year", Month(2026, 10))
    assert charged(book, "acme-year", Month(2027, 10)).recognised == Decimal("100.00")
    # November 2027: the year's last 14 days take its rest, 1200.00 - 53.33 - 11 x 100.00 =
    # 46.67, and the next year, invoiced on the 15th, its first 16 days: 53.33
    november = charged(book, "acme-year", Month(2027, 11))
    assert [(line.suffix, line.amount, line.date) for line in november.lines] == [
        ("recognise-2026-11-15", Decimal("46.67"), None),
        ("invoice", Decimal("1200.00"), datetime.date(2027, 11, 15)),
        ("recognise", Decimal("53.33"), None),
    ]


# The year from 2026-02-01 to 2027-01-31 has 365 days; from June 1 to its end, 245
# (June 30 + July 31 + August 31 + September 30 + October 31 + November 30 + December 31
# + January 31).


def test_an_annual_upgrade_bills_the_rest_of_the_year_and_costs_the_new_seats() -> None:
    book = annual("100.00", extra='2026-06-01 custom "onebox-change" "acme-year"\n  quantity: 2\n')
    june = charged(book, "acme-year", Month(2026, 6))
    # the added 1200.00 a year for 245/365 days: 1200 x 245 / 365 = 805.479.. -> 805.48,
    # invoiced in June into Deferred-Revenue; June recognises its twelfth of the year (100.00)
    # and 30/245 of the upgrade: 805.48 x 30 / 245 = 98.630.. -> 98.63; cost 2 x 25 x 0.65
    assert amounts(june) == (
        Decimal("805.48"), Decimal("805.48"), Decimal("198.63"), Decimal("32.50"), "USD",
    )  # fmt: skip
    assert [(line.suffix, line.kind, line.amount) for line in june.lines] == [
        ("change-2026-06-01", "invoice", Decimal("805.48")),
        ("recognise", "recognise", Decimal("198.63")),
    ]
    assert june.lines[0].describe == (
        "2 x 100.00 USD from 2026-06-01 (was 1 x 100.00): +1200.00 a year x 245/365 days"
        " to 2027-01-31 = +805.48"
    )
    assert june.lines[0].date == datetime.date(2026, 6, 1)
    assert june.lines[1].describe == (
        "recognised the year from 2026-02-01 (1 x 100.00 USD x 12 months = 1200.00): 1/12 ="
        " 100.00; the change from 2026-06-01 (+805.48 for 245 days): 30/245 days = 98.63;"
        " together 198.63"
    )
    year = [charged(book, "acme-year", Month(2026, 2).plus(i)) for i in range(12)]
    # everything billed is recognised by the year's end: 1200.00 + 805.48
    assert sum(c.recognised for c in year) == Decimal("2005.48")
    # Feb 2027: the new year at 2 x 100.00 x 12 = 2400.00
    assert charged(book, "acme-year", Month(2027, 2)).invoiced == Decimal("2400.00")


def test_an_annual_downgrade_is_credited_or_waits_for_the_anniversary() -> None:
    change = '2026-06-01 custom "onebox-change" "acme-year"\n  price: 80.00 USD\n'
    credited = charged(annual("100.00", extra=change), "acme-year", Month(2026, 6))
    # 20.00 less a month for 245/365 days: -240 x 245 / 365 = -161.095.. -> -161.10, credited
    # to the customer; June recognises 100.00 - 161.10 x 30 / 245 (19.726.. -> 19.73) = 80.27
    assert [(line.suffix, line.kind, line.amount) for line in credited.lines] == [
        ("change-2026-06-01", "credit", Decimal("161.10")),
        ("recognise", "recognise", Decimal("80.27")),
    ]
    later = charged(
        annual("100.00", extra=change + '  downgrade: "anniversary"\n'), "acme-year",
        Month(2026, 6),
    )  # fmt: skip
    assert amounts(later) == (0, 0, Decimal("100.00"), Decimal("16.25"), "USD")
    feb = charged(annual("100.00", extra=change + '  downgrade: "anniversary"\n'), "acme-year",
                  Month(2027, 2))  # fmt: skip
    assert feb.invoiced == Decimal("960.00")  # 80.00 x 12 from the anniversary


def test_an_annual_term_ending_on_its_anniversary_bills_only_the_days_served() -> None:
    """7 x 19.99 from 2026-01-20 to 2027-01-20: the year from 2027-01-20 serves one day of
    365: 7 x 19.99 x 12 x 1 / 365 = 4.600.. -> 4.60 (a monthly contract bills 4.51). The
    first year (1679.16) recognised January 2026's 12 of 31 days (139.93 x 12/31 = 54.17)
    and 11 twelfths of 139.93 (1539.23); its rest, 1679.16 - 1593.40 = 85.76, is January
    2027's, beside the new year's 4.60."""
    book = annual("19.99", start="2026-01-20", extra="  end: 2027-01-20\n", quantity=7)
    january = charged(book, "acme-year", Month(2027, 1))
    assert (january.invoiced, january.recognised) == (Decimal("4.60"), Decimal("90.36"))
    assert january.describe == (
        "7 x 19.99 USD x 12 months = 1679.16 x 1/365 days, 2027-01-20 to 2027-01-20 = 4.60"
    )
    assert [(line.suffix, line.amount) for line in january.lines] == [
        ("recognise-2026-01-20", Decimal("85.76")),
        ("invoice", Decimal("4.60")),
        ("recognise", Decimal("4.60")),
    ]


def test_an_annual_contract_ended_early_costs_the_days_served_and_credits_the_rest() -> None:
    end = '2026-07-15 custom "onebox-end" "acme-year"\n  unearned: "credit"\n'
    book = annual("100.00", extra=end)
    july = charged(book, "acme-year", Month(2026, 7))
    # July: 15 of 31 days served: cost 1 x 25.00 x 0.65 x 15/31 = 7.862.. -> 7.86; the
    # twelfth for the days served 100.00 x 15/31 = 48.387.. -> 48.39; Feb-June recognised
    # 5 x 100.00; the rest of the 1200.00, 1200.00 - 500.00 - 48.39 = 651.61, is credited
    assert july.cost == Decimal("7.86")
    assert [(line.suffix, line.kind, line.amount) for line in july.lines] == [
        ("unearned", "credit", Decimal("651.61")),
        ("recognise", "recognise", Decimal("48.39")),
    ]


def test_a_year_starting_mid_month_finishes_its_upgrade_in_the_next_anniversary_month() -> None:
    """The year from 2026-01-15 ends 2027-01-14, so its last 14 days share January 2027 with
    the next year: January recognises both the upgrade's last days and the new year's first
    twelfth, as two lines (the earlier one's id names its year)."""
    book = annual(
        "100.00", start="2026-01-15",
        extra='2026-06-10 custom "onebox-change" "acme-year"\n  quantity: 2\n',
    )  # fmt: skip
    months = [charged(book, "acme-year", Month(2026, 1).plus(i)) for i in range(13)]
    # the upgrade: 1200.00 a year more for the 219 days from June 10 to January 14, of 365:
    # 1200 x 219 / 365 = 720.00
    assert months[5].invoiced == Decimal("720.00")
    january = months[12]
    # its last 14 days: the year's rest, 1200.00 less January 2026's 17/31 of a twelfth
    # (54.84) and 11 twelfths = 45.16; the upgrade's, 720.00 less what June-December
    # recognised (the span's last month takes the rest): 720.00 - 673.98 = 46.02; together
    # 91.18; the new year: 2400.00 invoiced, its first 17 days 200.00 x 17/31 = 109.68
    assert [(line.suffix, line.kind, line.amount) for line in january.lines] == [
        ("recognise-2026-01-15", "recognise", Decimal("91.18")),
        ("invoice", "invoice", Decimal("2400.00")),
        ("recognise", "recognise", Decimal("109.68")),
    ]
    assert january.lines[0].describe == (
        "recognised the year from 2026-01-15 (1 x 100.00 USD x 12 months = 1200.00): the rest,"
        " 1200.00 - 1154.84 = 45.16 for 14/31 days; the change from 2026-06-10 (+720.00 for"
        " 219 days): the rest, 720.00 - 673.98 = 46.02 for 14/219 days; together 91.18"
    )
    # the first year's 1200.00 + 720.00 is recognised to the cent, no more
    first_year = sum((c.recognised for c in months), ZERO) - Decimal("109.68")
    assert first_year == Decimal("1920.00")


def test_a_term_ending_before_the_anniversary_month_bills_its_last_days() -> None:
    """1 x 100.00 from 2026-01-15 to 2027-01-10: one prorated piece of 361 of 365 days, 1200 x 361 / 365 = 1186.849.. -> 1186.85; January 2027 serves 10 days,
    recognises the piece's rest and costs 1 x 25.00 x 0.65 x 10/31 = 5.241.. -> 5.24."""
    book = annual("100.00", start="2026-01-15", extra="  end: 2027-01-10\n")
    assert charged(book, "acme-year", Month(2026, 1)).invoiced == Decimal("1186.85")
    months = [charged(book, "acme-year", Month(2026, 1).plus(i)) for i in range(13)]
    january = months[12]
    assert (january.invoiced, january.recognised, january.cost) == (
        0, Decimal("32.87"), Decimal("5.24"),
    )  # fmt: skip
    assert sum((c.recognised for c in months), ZERO) == Decimal("1186.85")
    assert active_boxes(book, Month(2027, 1)) == 1
    assert no_charge(book, "acme-year", Month(2027, 2))


def test_annual_ended_before_an_anniversary_is_not_billed_again() -> None:
    book = annual("100.00", extra='2027-01-31 custom "onebox-end" "acme-year"\n')
    assert charged(book, "acme-year", Month(2027, 1)).recognised == Decimal("100.00")
    assert no_charge(book, "acme-year", Month(2027, 2))


def test_annual_ended_mid_year_recognises_the_rest_at_its_end_and_nothing_after() -> None:
    # Service ends June 30, in month 5 of the year billed in February (1200.00). Feb-May
    # recognised 4 x 100.00; June, the last month of service, recognises the other 800.00,
    # since nothing is owed to the customer after it. From July on the customer runs no box.
    book = annual("100.00", extra='2026-06-30 custom "onebox-end" "acme-year"\n')
    assert active_boxes(book, Month(2026, 6)) == 1
    assert active_boxes(book, Month(2026, 7)) == 0
    june = charge(book, book.contracts["acme-year"], Month(2026, 6), Decimal("0.65"))
    assert june is not None
    assert (june.invoiced, june.recognised, june.cost) == (0, Decimal("800.00"), Decimal("16.25"))
    assert charge(book, book.contracts["acme-year"], Month(2026, 7), Decimal("0.65")) is None
    year = [
        charge(book, book.contracts["acme-year"], Month(2026, 2).plus(i), Decimal("0.65"))
        for i in range(12)
    ]
    assert sum(c.recognised for c in year if c) == Decimal("1200.00")


# ---------------------------------------------------------------- metered


DATA = """
2026-02-01 custom "onebox-contract" "acme-data"
  customer: "acme"
  stream: "data"
  billing: "metered"
  price: 1.99 USD
  item: "data-records"
"""


@pytest.mark.parametrize(
    ("records", "invoiced", "cost", "blocks"),
    [
        # blocks = round_half_up(records / 1000); invoice blocks x 1.99;
        # cost blocks x 1.99 (list) x 0.65
        ("500", "1.99", "1.29", "1"),  # 1.2935 -> 1.29
        ("1500", "3.98", "2.59", "2"),  # 1.5 -> 2; 2.587 -> 2.59
        ("2500", "5.97", "3.88", "3"),  # 2.5 -> 3 (round() gives 2); 3.8805 -> 3.88
        ("1499", "1.99", "1.29", "1"),  # 1.499 -> 1
        ("10000", "19.90", "12.94", "10"),  # 12.935 -> 12.94
    ],
)
def test_metered_data_tariff(records: str, invoiced: str, cost: str, blocks: str) -> None:
    book = book_of(DATA)
    c = charged(book, "acme-data", NOV, Decimal(records))
    assert amounts(c) == (Decimal(invoiced), 0, Decimal(invoiced), Decimal(cost), "USD")
    assert c.describe == f"{records} units = {blocks} x 1000, x 1.99 USD"
    assert c.describe_cost == f"{blocks} x 1000 units x data-records at 1.99 USD x 65% of list"


def test_metered_below_half_a_block_is_no_charge() -> None:
    book = book_of(DATA)
    _, rate = month_rate(book, NOV)
    # 499 / 1000 = 0.499 -> 0 blocks: nothing to invoice, nothing to pay OneBox
    assert charge(book, book.contracts["acme-data"], NOV, rate, Decimal(499)) is None
    assert charge(book, book.contracts["acme-data"], NOV, rate, Decimal(0)) is None


def test_metered_is_not_prorated_by_days() -> None:
    book = book_of(DATA.replace("2026-02-01", "2026-11-20"))
    c = charged(book, "acme-data", NOV, Decimal(1500))
    assert (c.invoiced, c.cost) == (Decimal("3.98"), Decimal("2.59"))


def test_metered_without_usage_is_an_error() -> None:
    book = book_of(DATA)
    _, rate = month_rate(book, NOV)
    message = (
        "no usage recorded for metered contract 'acme-data' in 2026-11"
        " (record it: onebox-ledger usage acme-data UNITS --month 2026-11)"
    )
    with pytest.raises(BillingError, match=f"^{re.escape(message)}$"):
        charge(book, book.contracts["acme-data"], NOV, rate, None)


def test_metered_ended_contract_needs_no_usage() -> None:
    book = book_of(DATA + '2026-10-31 custom "onebox-end" "acme-data"\n')
    assert no_charge(book, "acme-data", NOV)


# ---------------------------------------------------------------- tiers


def customers(count: int, last_start: str = "2026-02-01") -> str:
    """`count` customers c01.. with 1 cloud user each; the last one starts on `last_start`."""
    text = []
    for n in range(1, count + 1):
        start = last_start if n == count else "2026-02-01"
        text.append(
            f"""
2026-01-15 custom "onebox-customer" "c{n:02d}"
  name: "Customer {n}"
  currency: "USD"
{start} custom "onebox-contract" "c{n:02d}-cloud"
  customer: "c{n:02d}"
  stream: "cloud"
  price: 25.00 USD
  quantity: 1
  item: "cloud-user"
"""
        )
    return "".join(text)


def test_nine_boxes_pay_the_first_tier() -> None:
    book = book_of(customers(9))
    assert active_boxes(book, NOV) == 9
    assert month_rate(book, NOV) == (9, Decimal("0.65"))
    # 1 x 25.00 x 0.65 = 16.25
    assert charged(book, "c01-cloud", NOV).cost == Decimal("16.25")


def test_a_tenth_box_on_the_last_day_moves_the_whole_month_to_the_next_tier() -> None:
    book = book_of(customers(10, last_start="2026-11-30"))
    assert month_rate(book, Month(2026, 10)) == (9, Decimal("0.65"))
    assert month_rate(book, NOV) == (10, Decimal("0.60"))
    # every box of November at 60%: 1 x 25.00 x 0.60 = 15.00 for a full month
    assert charged(book, "c01-cloud", NOV).cost == Decimal("15.00")
    # the tenth: 1 of 30 days, invoice 25.00 / 30 = 0.833.. -> 0.83; cost 15.00 / 30 = 0.50
    tenth = charged(book, "c10-cloud", NOV)
    assert (tenth.invoiced, tenth.cost) == (Decimal("0.83"), Decimal("0.50"))
    assert tenth.describe_cost == "1 for 1/30 days x cloud-user at 25.00 USD x 60% of list"


def test_a_box_is_a_customer_not_a_contract() -> None:
    # acme has two item-consuming contracts and one services contract: one box
    book = book_of(cloud("2026-02-01") + DATA + SETUP)
    assert month_rate(book, NOV) == (1, Decimal("0.65"))


def test_a_box_ended_mid_month_still_counts_that_month() -> None:
    book = book_of(cloud("2026-02-01", extra='2026-11-01 custom "onebox-end" "acme-cloud"\n'))
    assert active_boxes(book, NOV) == 1
    assert active_boxes(book, DEC) == 0


def test_rate_and_item_price_in_force_on_the_last_day_apply_to_the_month() -> None:
    book = book_of(
        cloud("2026-02-01")
        + """
2026-11-16 custom "onebox-item" "cloud-user" 30.00 USD
2026-11-30 custom "onebox-rate" 1 0.70
"""
    )
    assert month_rate(book, NOV) == (1, Decimal("0.70"))
    # 5 x 30.00 x 0.70 = 105.00 for the whole of November; the invoice is unchanged
    c = charged(book, "acme-cloud", NOV)
    assert (c.invoiced, c.cost) == (Decimal("125.00"), Decimal("105.00"))
    assert month_rate(book, Month(2026, 10)) == (1, Decimal("0.65"))


def test_no_tier_is_an_error_for_an_item_contract() -> None:
    book = book_of(cloud("2026-02-01"))
    message = "no cost rate applies in 2026-11 (add a tier: onebox-ledger terms rate 1 0.65)"
    with pytest.raises(BillingError, match=f"^{re.escape(message)}$"):
        charge(book, book.contracts["acme-cloud"], NOV, None)


def test_item_without_a_list_price_yet_is_an_error() -> None:
    book = book_of(
        cloud("2026-02-01").replace('"cloud-user"', '"storage-100gb"')
        + '2026-12-01 custom "onebox-item" "storage-100gb" 10.00 USD\n'
    )
    message = (
        "item 'storage-100gb' has no list price on 2026-11-30"
        " (set one: onebox-ledger terms item storage-100gb PRICE --date 2026-11-01)"
    )
    with pytest.raises(BillingError, match=f"^{re.escape(message)}$"):
        charged(book, "acme-cloud", NOV)
    # December: 5 x 10.00 x 0.65 = 32.50
    assert charged(book, "acme-cloud", DEC).cost == Decimal("32.50")


def test_due_date_follows_the_payment_terms_in_force() -> None:
    book = book_of('2026-12-01 custom "onebox-payment" 45\n')
    assert billing.due_date(book, NOV) == datetime.date(2026, 12, 30)  # Nov 30 + 30
    assert billing.due_date(book, DEC) == datetime.date(2027, 2, 14)  # Dec 31 + 45
