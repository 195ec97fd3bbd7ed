"""Money as it really moves: exchange rates, money that matches nothing open, corrections,
OneBox's actual bill. Each case is run through the commands and checked the way an
accountant would: the entries written, Beancount's own query engine, and the reports.

The exchange-rate case is the one of the issue, worked out by hand: EUR is 1.10 USD from
2026-01-01 and 1.00 from 2026-03-01; Berlin Immo has 4 cloud users at 23.00 EUR from January
(92.00 EUR a month); January's invoice is paid with 92.00 EUR on 2026-04-02.

    January income      92.00 EUR x 1.10 = 101.20 USD (the receivable holds 92.00 EUR at 1.10)
    paid on 2026-04-02  92.00 EUR x 1.00 =  92.00 USD: a realized loss of 9.20 USD
    open on 2026-03-31  January, February, March: 3 x 92.00 EUR at 1.00 = 276.00 USD
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beanquery import query
from conftest import invoke, load_entries, succeeded

from onebox_ledger.beans import price
from onebox_ledger.money import Rates

D = Decimal


def by_id(entries: list, entry_id: str):  # type: ignore[no-untyped-def]
    (entry,) = [e for e in entries if getattr(e, "meta", {}).get("id") == entry_id]
    return entry


def postings(entry) -> list[tuple[str, Decimal, str, str]]:  # type: ignore[no-untyped-def]
    """(account, number, currency, cost-or-price) of each posting."""
    out = []
    for p in entry.postings:
        extra = ""
        if p.cost is not None:
            extra = f"{{{p.cost.number} {p.cost.currency}, {p.cost.date}, {p.cost.label}}}"
        if p.price is not None:
            extra += f"@ {p.price.number} {p.price.currency}"
        out.append((p.account, p.units.number, p.units.currency, extra))
    return out


def bean_query(main: Path, sql: str) -> list[Any]:
    """The rows of a query run by Beancount's own engine over the loaded ledger."""
    loader.initialize(use_cache=False)
    entries, _, options = loader.load_file(str(main))
    _, rows = query.run_query(entries, options, sql)
    return list(rows)


@pytest.fixture
def eur_books(fixed_today: None, tmp_path: Path) -> Path:
    main = (tmp_path / "books" / "main.beancount").resolve()
    for step in [
        ("init", str(main.parent), "--start", "2026-01-01"),
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-01-01"),
        ("price", "EUR", "1.10 USD", "--date", "2026-01-01"),
        ("price", "EUR", "1.00 USD", "--date", "2026-03-01"),
        ("customer", "add", "berlin-immo", "--name", "Berlin Immo GmbH", "--currency", "EUR",
         "--date", "2026-01-01"),
        ("contract", "add", "berlin-immo-cloud", "--customer", "berlin-immo", "--stream", "cloud",
         "--price", "23 EUR", "--quantity", "4", "--start", "2026-01-01", "--item", "cloud-user"),
        ("close", "2026-01"),
        ("close", "2026-02"),
        ("close", "2026-03"),
    ]:  # fmt: skip
        succeeded(invoke(main, *step))
    return main


def test_income_is_booked_in_usd_at_the_invoice_date_rate(eur_books: Path) -> None:
    out = succeeded(
        invoke(eur_books, "report", "keep", "--from", "2026-01-01", "--to", "2026-01-31")
    )
    assert out[4] == "cloud   101.20        65.00  36.20      35.8"
    entries = load_entries(eur_books)
    assert postings(by_id(entries, "close/2026-01/berlin-immo-cloud/invoice")) == [
        ("Assets:Receivable:Berlin-Immo", D("92.00"), "EUR",
         "@ 1.10 USD"),
        ("Income:Cloud", D("-101.20"), "USD", ""),
    ]  # fmt: skip
    # Beancount's own query engine, with no help from onebox-ledger: January's income
    rows = bean_query(
        eur_books,
        "SELECT sum(convert(position, 'USD')) AS income WHERE account ~ '^Income:'"
        " AND year = 2026 AND month = 1",
    )
    assert rows[0][0].get_currency_units("USD").number == D("-101.20")


def test_a_late_payment_settles_the_invoice_at_its_own_rate_and_books_the_loss(
    eur_books: Path,
) -> None:
    out = succeeded(
        invoke(eur_books, "receive", "berlin-immo", "92 EUR", "--date", "2026-04-02",
               "--invoice", "inv-2026-01-berlin-immo", "--ref", "WISE-1")
    )  # fmt: skip
    assert out == ["received 92.00 EUR from berlin-immo: 92.00 EUR to inv-2026-01-berlin-immo"]
    entries = load_entries(eur_books)
    receipt = by_id(entries, "receive/WISE-1")
    assert str(receipt.date) == "2026-04-02"
    assert postings(receipt) == [
        ("Assets:Wise:EUR", D("92.00"), "EUR", "@ 1.00 USD"),
        ("Assets:Receivable:Berlin-Immo", D("-92.00"), "EUR",
         "@ 1.10 USD"),
        ("Expenses:FX-Losses", D("9.20"), "USD", ""),
    ]  # fmt: skip
    # the receivable is zero in EUR and in USD: nothing is left on it at any rate
    rows = bean_query(
        eur_books,
        "SELECT sum(cost(position)) WHERE any_meta('invoice') = 'inv-2026-01-berlin-immo'"
        " AND account ~ '^Assets:Receivable:'",
    )
    assert str(rows[0][0]) == "0.00 USD" or rows[0][0].is_empty()


def test_receivables_are_valued_at_the_closing_rate(eur_books: Path) -> None:
    out = succeeded(
        invoke(eur_books, "report", "receivables", "--as-of", "2026-03-31", "--format", "csv")
    )
    # March's invoice is current; January's (due 2026-03-02) and February's (due 2026-03-30)
    # are 29 and 1 days past due: 1-30
    assert out[-2:] == [
        "berlin-immo,92.00,184.00,0.00,0.00,0.00,0.00,276.00",
        "total,92.00,184.00,0.00,0.00,0.00,0.00,276.00",
    ]
    table = succeeded(invoke(eur_books, "report", "receivables", "--as-of", "2026-03-31"))
    # booked at 1.10, 1.10 and 1.00: 101.20 + 101.20 + 92.00 = 294.40 USD at their own rates
    assert table[-2:] == [
        "note: rate EUR->USD 1.00 of 2026-03-01",
        "note: foreign amounts: 294.40 USD at their own rates, 276.00 USD at the rate of"
        " 2026-03-31: an unrealized difference of -18.40 USD (each close books it at its"
        " month's end, reversed the next day)",
    ]
    # and March's close booked it: Income:FX-Unrealized 18.40, the receivables' revaluation
    # -18.40, as of 2026-03-31
    rows = bean_query(
        eur_books,
        "SELECT account, sum(number) WHERE date <= 2026-03-31 AND account ~ 'Unrealized|Revaluation'"
        " GROUP BY account ORDER BY account",
    )
    assert [(account, total) for account, total in rows] == [
        ("Assets:FX-Revaluation:Receivable", D("-18.40")),
        ("Income:FX-Unrealized", D("18.40")),
    ]


def test_a_month_without_a_rate_of_its_own_uses_the_latest_before_it(eur_books: Path) -> None:
    # April's invoice, dated 2026-04-30, at the rate of 2026-03-01: 92.00 EUR x 1.00
    out = succeeded(invoke(eur_books, "close", "2026-04"))
    assert out[2] == "  cloud            92.00        92.00        65.00        27.00    29.3"


def test_paying_onebox_from_a_eur_account_records_both_amounts_and_the_difference(
    eur_books: Path,
) -> None:
    """January's bill, 65.00 USD, paid from the EUR account: the bank took 60.00 EUR on
    2026-04-02, when EUR is 1.00 USD."""
    out = succeeded(
        invoke(eur_books, "onebox", "pay", "65 USD", "--date", "2026-04-02", "--paid",
               "60 EUR", "--bill", "onebox-2026-01", "--ref", "WISE-2")
    )  # fmt: skip
    assert out == ["paid 65.00 USD to OneBox: 65.00 USD to onebox-2026-01"]
    entry = by_id(load_entries(eur_books), "pay/WISE-2")
    # 60.00 EUR at April's 1.00 = 60.00 USD paid a 65.00 USD bill: a 5.00 USD gain
    assert postings(entry) == [
        ("Assets:Wise:EUR", D("-60.00"), "EUR", "@ 1.00 USD"),
        ("Liabilities:OneBox:Payable", D("65.00"), "USD", ""),
        ("Income:FX-Gains", D("-5.00"), "USD", ""),
    ]
    assert entry.meta["amount"].number == D("65.00") and entry.meta["paid"].number == D("60.00")


def test_an_annual_year_paid_before_its_invoice_is_credit_the_close_applies(
    seed_ledger: Path,
) -> None:
    """10 seats x 22.00 USD a year from 2026-02-01 is 2640.00; paid that day, before any
    invoice: held as credit, and the February close pays the year's invoice with it."""
    for step in [
        ("customer", "add", "delta", "--name", "Delta Logistics", "--date", "2026-02-01"),
        ("contract", "add", "delta-cloud", "--customer", "delta", "--stream", "cloud",
         "--price", "22 USD", "--quantity", "10", "--start", "2026-02-01", "--billing", "annual",
         "--item", "cloud-user"),
    ]:  # fmt: skip
        succeeded(invoke(seed_ledger, *step))
    assert succeeded(
        invoke(seed_ledger, "receive", "delta", "2640 USD", "--date", "2026-02-01", "--ref", "B-9")
    ) == ["received 2640.00 USD from delta: 2640.00 USD held as credit"]
    credit = succeeded(
        invoke(seed_ledger, "report", "receivables", "--as-of", "2026-02-01", "--format", "csv")
    )
    assert credit == [
        "customer,invoice,date,due,currency,open,days_past_due,bucket",
        "delta,receive/B-9,2026-02-01,,USD,-2640.00,,credit",
        "",
        "customer,current,1-30,31-60,61-90,90+,credit,total",
        "delta,0.00,0.00,0.00,0.00,0.00,-2640.00,-2640.00",
        "total,0.00,0.00,0.00,0.00,0.00,-2640.00,-2640.00",
    ]
    out = succeeded(invoke(seed_ledger, "close", "2026-02"))
    assert "  note: customer credit applied to open invoices: 2640.00 USD" in out
    owed = succeeded(
        invoke(seed_ledger, "report", "receivables", "--as-of", "2026-02-28", "--format", "csv")
    )
    assert owed[-1] == "total,0.00,0.00,0.00,0.00,0.00,0.00,0.00"
    # the year's invoice is dated its first day (inv-2026-02-01-delta), the credit set on it
    applied = by_id(load_entries(seed_ledger), "close/2026-02/delta/credit/inv-2026-02-01-delta")
    assert [(p.account, p.units.number) for p in applied.postings] == [
        ("Liabilities:Customer-Credit:Delta", D("2640.00")),
        ("Assets:Receivable:Delta", D("-2640.00")),
    ]


def test_refund_pays_credit_back_and_no_more(closed_seed: Path, refused) -> None:  # type: ignore[no-untyped-def]
    succeeded(invoke(closed_seed, "receive", "acme", "2200 USD", "--date", "2026-12-05"))
    assert succeeded(
        invoke(closed_seed, "refund", "acme", "75 USD", "--date", "2026-12-06", "--ref", "R-1")
    ) == ["refunded 75.00 USD to acme: 75.00 USD to receive/2026-12-05/acme/1"]
    assert refused(
        invoke(closed_seed, "refund", "acme", "0.01 USD", "--date", "2026-12-07"), 1
    ) == ("refund of 0.01 USD exceeds acme's credit of 0.00 USD on 2026-12-07")


def test_a_credit_note_reduces_the_invoice_and_its_streams_income(closed_seed: Path) -> None:
    out = succeeded(
        invoke(closed_seed, "credit-note", "inv-2026-11-acme", "25 USD", "--date", "2026-12-05",
               "--memo", "Outage, 6 days", "--stream", "cloud")
    )  # fmt: skip
    assert out == ["credit note cn-2026-12-05-acme: 25.00 USD off inv-2026-11-acme (cloud)"]
    keep = succeeded(invoke(closed_seed, "report", "keep", "--format", "csv"))
    # cloud: 125.00 invoiced in November, 25.00 credited in December
    assert keep[1] == "cloud,100.00,81.25,18.75,18.8"
    owed = succeeded(invoke(closed_seed, "report", "receivables", "--format", "csv"))
    assert owed[1] == "acme,inv-2026-11-acme,2026-11-30,2026-12-30,USD,2100.00,0,current"
    # the same command again changes nothing
    again = invoke(closed_seed, "credit-note", "inv-2026-11-acme", "25 USD", "--date",
                   "2026-12-05", "--memo", "Outage, 6 days", "--stream", "cloud")  # fmt: skip
    assert succeeded(again) == ["credit note cn-2026-12-05-acme already recorded; nothing changed"]


def test_a_write_off_moves_what_is_open_to_bad_debt(closed_seed: Path) -> None:
    succeeded(invoke(closed_seed, "receive", "acme", "125 USD", "--date", "2026-12-05"))
    out = succeeded(invoke(closed_seed, "write-off", "inv-2026-11-acme", "--date", "2026-12-12"))
    assert out == ["invoice inv-2026-11-acme: 2000.00 USD written off to Expenses:Bad-Debt"]
    assert succeeded(
        invoke(closed_seed, "write-off", "inv-2026-11-acme", "--date", "2026-12-13")
    ) == ["invoice inv-2026-11-acme is already written off; nothing changed"]
    owed = succeeded(
        invoke(closed_seed, "report", "receivables", "--as-of", "2026-12-31", "--format", "csv")
    )
    assert owed[-1] == "total,0.00,0.00,0.00,0.00,0.00,0.00,0.00"
    keep = succeeded(invoke(closed_seed, "report", "keep"))
    assert keep[-2:] == [  # what was sold but never paid is a row of its own, not a note
        "bad debt                                   -2000.00",
        "kept after bad debt  2125.00        81.25     43.75       2.1",
    ]


def test_onebox_billing_a_cent_more_is_paid_in_full_and_leaves_nothing_open(
    closed_seed: Path,
) -> None:
    out = succeeded(
        invoke(closed_seed, "onebox", "bill", "onebox-2026-11", "81.26 USD", "--date",
               "2026-12-02", "--ref", "OB-1")
    )  # fmt: skip
    assert out == [
        "bill onebox-2026-11: billed 81.26 USD, accrued 81.25 USD, difference +0.01 USD to"
        " Expenses:OneBox:Adjustment"
    ]
    assert succeeded(
        invoke(closed_seed, "onebox", "pay", "81.26 USD", "--date", "2026-12-14", "--bill",
               "onebox-2026-11")
    ) == ["paid 81.26 USD to OneBox: 81.26 USD to onebox-2026-11"]  # fmt: skip
    payables = succeeded(
        invoke(closed_seed, "report", "payables", "--as-of", "2026-12-31", "--format", "csv")
    )
    assert payables[:2] == [
        "bill,date,currency,accrued,billed,difference,paid,open,due,status",
        "onebox-2026-11,2026-11-30,USD,81.25,81.26,0.01,81.26,0.00,2026-12-30,paid",
    ]
    keep = succeeded(invoke(closed_seed, "report", "keep", "--format", "csv"))
    assert keep[1] == "adjustment,0.00,0.01,-0.01,"


def test_paying_onebox_more_than_is_open_is_prepaid_and_the_next_close_uses_it(
    closed_seed: Path,
) -> None:
    assert succeeded(invoke(closed_seed, "onebox", "pay", "100 USD", "--date", "2026-12-14")) == [
        "paid 100.00 USD to OneBox: 81.25 USD to onebox-2026-11, 18.75 USD prepaid"
    ]
    out = succeeded(invoke(closed_seed, "close", "2026-12", "--force"))
    assert "  note: OneBox prepaid applied to this month's bill: 18.75 USD" in out
    payables = succeeded(
        invoke(closed_seed, "report", "payables", "--as-of", "2026-12-31", "--format", "csv")
    )
    # December's bill: 81.25 accrued, 18.75 of it paid by the prepayment
    assert (
        payables[2] == "onebox-2026-12,2026-12-31,USD,81.25,81.25,0.00,18.75,62.50,2027-01-30,open"
    )


def test_money_in_messages_is_an_amount_with_cents_and_its_currency(seed_ledger: Path) -> None:
    """The first hour of issue 11: 500 USD received with nothing open printed "overpayment:
    500.00 exceeds the 0 open"; money that matches nothing open is the customer's credit, and
    every amount a message names has its cents and its currency."""

    def run(*args: str) -> list[str]:
        return succeeded(invoke(seed_ledger, *args))

    assert run("receive", "acme", "500 USD", "--date", "2026-12-01") == [
        "received 500.00 USD from acme: 500.00 USD held as credit"
    ]
    assert run("refund", "acme", "500 USD", "--date", "2026-12-02") == [
        "refunded 500.00 USD to acme: 500.00 USD to receive/2026-12-01/acme/1"
    ]
    assert run("close", "2026-11")[4] == "  OneBox bill onebox-2026-11: 81.25 USD, due 2026-12-30"
    assert run("receive", "acme", "200 USD", "--date", "2026-12-03") == [
        "received 200.00 USD from acme: 200.00 USD to inv-2026-11-acme"
    ]
    # 2125.00 - 200.00 = 1925.00 open: a credit note of 2000.00 leaves 75.00 as credit
    assert run(
        "credit-note", "inv-2026-11-acme", "2000 USD", "--date", "2026-12-03", "--memo", "Waived",
        "--stream", "services",
    ) == [
        "credit note cn-2026-12-03-acme: 2000.00 USD off inv-2026-11-acme (services),"
        " 75.00 USD held as credit"
    ]  # fmt: skip
    assert run("onebox", "bill", "onebox-2026-11", "81 USD", "--date", "2026-12-04") == [
        "bill onebox-2026-11: billed 81.00 USD, accrued 81.25 USD, difference -0.25 USD to"
        " Expenses:OneBox:Adjustment"
    ]
    assert run("onebox", "pay", "100 USD", "--date", "2026-12-05") == [
        "paid 100.00 USD to OneBox: 81.00 USD to onebox-2026-11, 19.00 USD prepaid"
    ]
    assert run("close", "2026-12", "--force")[-3:-1] == [
        "  note: customer credit applied to open invoices: 75.00 USD",
        "  note: OneBox prepaid applied to this month's bill: 19.00 USD",
    ]


def test_a_direct_quote_added_later_changes_no_earlier_days_rate() -> None:
    """GBP quoted the other way in January (USD 0.80 GBP: 1 GBP = 1.25 USD), then directly from
    March (1.30): January's rate stays 1.25 with or without the March quote (a sealed month's
    summary relies on it), March's is 1.30, and a quote the other way after the first direct one
    is left out (February's 0.50 would give 2.00)."""
    january = [price(datetime.date(2026, 1, 2), "USD", Decimal("0.80"), "GBP")]
    march = [
        price(datetime.date(2026, 3, 1), "GBP", Decimal("1.30"), "USD"),
        price(datetime.date(2026, 3, 10), "USD", Decimal("0.50"), "GBP"),
    ]
    day = datetime.date(2026, 1, 15)
    before = Rates.of(january, "USD").need("GBP", day, "a test")
    after = Rates.of(january + march, "USD")
    assert before == after.need("GBP", day, "a test") == Decimal("1.25")
    assert after.need("GBP", datetime.date(2026, 3, 15), "a test") == Decimal("1.30")
    assert str(after.need("GBP", datetime.date(2026, 3, 15), "a test")) == "1.30"
