"""The close's month end (onebox_ledger.month_end), with figures worked out by hand.

IAS 21: foreign monetary items at the closing rate (the latest price on or before the
month's last day, even when the rate moved within the month), the difference booked to
Income:FX-Unrealized against a revaluation account of the item's class, reversed on the
next month's first day. IFRS 15: a debit balance on deferred revenue moved to a contract
asset, reversed the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.parser import parser
from click.testing import Result
from conftest import load_entries
from fava.application import create_app

from onebox_ledger import beans, month_end, reports
from onebox_ledger.model import Book, parse_book
from onebox_ledger.money import Rates
from onebox_ledger.values import Month

D = Decimal
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]


def parse(text: str) -> list[data.Directive]:
    entries, errors, _ = parser.parse_string(text)
    assert errors == [], errors
    return list(entries)


def txns(entries: list[data.Directive]) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def postings(entry: data.Transaction) -> list[tuple[str, Decimal, str]]:
    return [(p.account, *beans.units(p)) for p in entry.postings]


def revalued(entry: data.Transaction) -> list[str]:
    return [p.meta["revalued"] for p in entry.postings if p.meta and "revalued" in p.meta]


# The issue's receivable: 184 EUR open at 2026-02-28, held at 1.10 (202.40 USD). EUR moves
# within February (1.12 on the 12th, 1.08 on the 27th); the closing rate is the last one,
# 1.08, not March's: 184 x 1.08 = 198.72, a difference of -3.68.
ISSUE = """
2026-01-01 price EUR 1.10 USD
2026-02-12 price EUR 1.12 USD
2026-02-27 price EUR 1.08 USD
2026-03-01 price EUR 1.20 USD

2026-01-31 * "Berlin Immo GmbH" "Cloud: 8 x 23.00 EUR, January 2026"
  id: "close/2026-01/berlin-immo-cloud/invoice"
  invoice: "inv-2026-01-berlin-immo"
  Assets:Receivable:Berlin-Immo   184.00 EUR @ 1.10 USD
  Income:Cloud                   -202.40 USD
"""


def test_the_issue_receivable_is_revalued_at_the_last_rate_of_the_month() -> None:
    entries = parse(ISSUE)
    rates = Rates.of(entries, "USD")
    (entry,) = month_end.revaluation(Month(2026, 2), txns(entries), [], rates)
    assert entry.date.isoformat() == "2026-02-28"
    assert entry.meta["id"] == "close/2026-02/fx/revalue"
    assert postings(entry) == [
        ("Assets:FX-Revaluation:Receivable", D("-3.68"), "USD"),
        ("Income:FX-Unrealized", D("3.68"), "USD"),
    ]
    assert revalued(entry) == [
        "184.00 EUR: 202.40 USD booked, 198.72 USD at 1.08 USD of 2026-02-27"
    ]
    # the invoice's own posting is untouched: openitems still sees it at 1.10
    assert beans.format_entry(txns(entries)[0]).count("@ 1.10 USD") == 1


def test_a_month_with_nothing_foreign_books_nothing() -> None:
    entries = parse(ISSUE)
    rates = Rates.of(entries, "USD")
    # January: the invoice is at January's rate (1.10), its closing rate: no difference
    assert month_end.revaluation(Month(2026, 1), txns(entries), [], rates) == []
    # December 2025: nothing booked yet
    assert month_end.revaluation(Month(2025, 12), txns(entries), [], rates) == []


# February 2028 (a leap year: the month ends on the 29th). EUR closes at 1.11 (a price dated
# 2028-02-29 itself); GBP moved to 1.30 on the 15th and closed at 1.27 on the 28th (the 1.40
# of March 1 is not the closing rate).
LEAP = """
2028-01-01 open Assets:Wise:EUR EUR
  bank: TRUE
2028-01-01 open Assets:Wise:GBP GBP
  bank: TRUE
2028-01-01 price EUR 1.15 USD
2028-02-20 price EUR 1.09 USD
2028-02-29 price EUR 1.11 USD
2028-01-01 price GBP 1.25 USD
2028-02-15 price GBP 1.30 USD
2028-02-28 price GBP 1.27 USD
2028-03-01 price GBP 1.40 USD

2028-01-31 * "London Lettings Ltd" "Cloud: 8 x 25.00 GBP, January 2028"
  invoice: "inv-2028-01-london"
  Assets:Receivable:London   200.00 GBP @ 1.25 USD
  Income:Cloud              -250.00 USD

2028-01-31 * "OneBox" "Cloud, January 2028"
  bill: "onebox-2028-01"
  Expenses:OneBox:Cloud       125.00 USD
  Liabilities:OneBox:Payable -100.00 GBP @ 1.25 USD

2028-02-05 * "Services" "Implementation, paid in EUR"
  Assets:Wise:EUR            184.00 EUR @ 1.15 USD
  Income:Services           -211.60 USD

2028-02-16 * "London Lettings Ltd" "Payment received"
  Assets:Wise:GBP             40.00 GBP @ 1.30 USD
  Liabilities:Customer-Credit:London  -40.00 GBP @ 1.30 USD
    credit: "receive/2028-02-16/london/1"

2028-02-17 * "OneBox" "Paid ahead"
  Assets:Wise:GBP            -10.00 GBP @ 1.30 USD
  Assets:Prepaid:OneBox       10.00 GBP @ 1.30 USD
    prepaid: "pay/2028-02-17/onebox/1"

2028-02-20 * "Services" "Hours, paid in EUR"
  Assets:Wise:EUR            100.00 EUR @ 1.09 USD
  Income:Services           -109.00 USD
"""


def test_two_currencies_every_class_in_a_leap_february() -> None:
    """By hand, at EUR 1.11 and GBP 1.27:

    bank EUR   184 x 1.15 + 100 x 1.09 = 320.60 booked; 284 x 1.11 = 315.24: -5.36 (the issue's)
    bank GBP   30 GBP booked 39.00;  30 x 1.27 = 38.10: -0.90
    prepaid    10 GBP booked 13.00;  10 x 1.27 = 12.70: -0.30
    receivable 200 GBP booked 250.00; 200 x 1.27 = 254.00: +4.00
    credit     -40 GBP booked -52.00; -40 x 1.27 = -50.80: +1.20 (a liability that fell)
    bill       -100 GBP booked -125.00; -100 x 1.27 = -127.00: -2.00 (one that rose)
    unrealized: -(-5.36 - 0.90 - 0.30 + 4.00 + 1.20 - 2.00) = 3.36 (a net loss)
    """
    entries = parse(LEAP)
    rates = Rates.of(entries, "USD")
    banks = month_end.banks_of(entries)
    assert banks == ["Assets:Wise:EUR", "Assets:Wise:GBP"]
    (entry,) = month_end.revaluation(Month(2028, 2), txns(entries), [], rates, banks)
    assert entry.date.isoformat() == "2028-02-29"
    assert postings(entry) == [
        ("Assets:FX-Revaluation:Bank", D("-5.36"), "USD"),
        ("Assets:FX-Revaluation:Bank", D("-0.90"), "USD"),
        ("Assets:FX-Revaluation:Prepaid", D("-0.30"), "USD"),
        ("Assets:FX-Revaluation:Receivable", D("4.00"), "USD"),
        ("Liabilities:FX-Revaluation:Customer-Credit", D("1.20"), "USD"),
        ("Liabilities:FX-Revaluation:OneBox", D("-2.00"), "USD"),
        ("Income:FX-Unrealized", D("3.36"), "USD"),
    ]
    assert revalued(entry)[0] == (
        "Assets:Wise:EUR 284.00 EUR: 320.60 USD booked, 315.24 USD at 1.11 USD of 2028-02-29"
    )
    assert revalued(entry)[5] == (
        "-100.00 GBP: -125.00 USD booked, -127.00 USD at 1.27 USD of 2028-02-28"
    )
    # the entry balances in USD, and loads with the rest
    assert sum((beans.units(p).number for p in entry.postings), D(0)) == 0


def test_the_next_close_reverses_what_was_booked_on_its_first_day() -> None:
    entries = parse(LEAP)
    rates = Rates.of(entries, "USD")
    banks = month_end.banks_of(entries)
    (february,) = month_end.revaluation(Month(2028, 2), txns(entries), [], rates, banks)
    history = [*txns(entries), february]
    (reversal,) = month_end.reversals(Month(2028, 3), history)
    assert reversal.date.isoformat() == "2028-03-01"
    assert reversal.meta["id"] == "close/2028-03/fx/reverse"
    assert postings(reversal) == [(a, -n, c) for a, n, c in postings(february)]
    # March with nothing new: GBP now 1.40 (March 1), EUR still 1.11: the revaluation is worked
    # out from the items again, not from February's, and the reversal nets with it
    reversed_, end = month_end.month_end(
        parse_book(parse(LEAP))[0], Month(2028, 3), history, [], rates, banks
    )
    assert reversed_ == [reversal]
    (march,) = end
    # GBP: bank 30 x 1.40 = 42.00 (+3.00), prepaid 14.00 (+1.00), receivable 280.00 (+30.00),
    # credit -56.00 (-4.00), bill -140.00 (-15.00); EUR bank as in February (-5.36)
    assert postings(march) == [
        ("Assets:FX-Revaluation:Bank", D("-5.36"), "USD"),
        ("Assets:FX-Revaluation:Bank", D("3.00"), "USD"),
        ("Assets:FX-Revaluation:Prepaid", D("1.00"), "USD"),
        ("Assets:FX-Revaluation:Receivable", D("30.00"), "USD"),
        ("Liabilities:FX-Revaluation:Customer-Credit", D("-4.00"), "USD"),
        ("Liabilities:FX-Revaluation:OneBox", D("-15.00"), "USD"),
        ("Income:FX-Unrealized", D("-9.64"), "USD"),
    ]
    # what the revaluation accounts hold on any day is the last month end's difference only
    balance = sum(
        (beans.units(p).number for e in (february, reversal, march) for p in e.postings
         if p.account == "Income:FX-Unrealized"),
        D(0),
    )  # fmt: skip
    assert balance == D("-9.64")


def test_a_settled_item_leaves_nothing_to_revalue() -> None:
    """A receivable paid in full nets to zero in EUR and in USD (every posting at its rate)."""
    text = ISSUE + (
        '\n2026-02-12 * "Berlin Immo GmbH" "Payment received"\n'
        "  Assets:Wise:EUR                 184.00 EUR @ 1.12 USD\n"
        "  Assets:Receivable:Berlin-Immo  -184.00 EUR @ 1.10 USD\n"
        '    invoice: "inv-2026-01-berlin-immo"\n'
        "  Income:FX-Gains                  -3.68 USD\n"
    )
    entries = parse(text)
    rates = Rates.of(entries, "USD")
    # Wise:EUR is not a bank here (no bank: TRUE): nothing is revalued
    assert month_end.revaluation(Month(2026, 2), txns(entries), [], rates) == []
    # as a bank: 184 EUR booked at 1.12 = 206.08, worth 198.72: -7.36
    (entry,) = month_end.revaluation(Month(2026, 2), txns(entries), [], rates, ["Assets:Wise:EUR"])
    assert postings(entry)[0] == ("Assets:FX-Revaluation:Bank", D("-7.36"), "USD")


CONTRACT_ASSET = """
2026-01-01 custom "onebox-customer" "delta"
  name: "Delta Logistics"
  currency: "USD"
2026-01-01 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"

2026-03-01 * "Delta Logistics" "Cloud: 5 x 25.00 USD, in advance, March 2026"
  id: "invoice/2026-03/delta-cloud/advance"
  customer: "delta"
  Assets:Receivable:Delta              125.00 USD
  Liabilities:Deferred-Revenue:Delta  -125.00 USD

2026-03-01 * "Acme Realty" "Cloud: 5 x 25.00 USD, in advance, March 2026"
  id: "invoice/2026-03/acme-cloud/advance"
  customer: "acme"
  Assets:Receivable:Acme               125.00 USD
  Liabilities:Deferred-Revenue:Acme   -125.00 USD

2026-03-31 * "Delta Logistics" "Cloud: served 6 x 25.00 USD, March 2026"
  id: "close/2026-03/delta-cloud/recognise"
  customer: "delta"
  Liabilities:Deferred-Revenue:Delta   150.00 USD
  Income:Cloud                        -150.00 USD

2026-03-31 * "Acme Realty" "Cloud: served 5 x 25.00 USD, March 2026"
  id: "close/2026-03/acme-cloud/recognise"
  customer: "acme"
  Liabilities:Deferred-Revenue:Acme    125.00 USD
  Income:Cloud                        -125.00 USD
"""

APRIL = """
2026-04-01 * "Delta Logistics" "Cloud: 6 x 25.00 USD, in advance, April 2026, + 25.00 for March"
  id: "invoice/2026-04/delta-cloud/advance"
  customer: "delta"
  Assets:Receivable:Delta              175.00 USD
  Liabilities:Deferred-Revenue:Delta  -175.00 USD

2026-04-30 * "Delta Logistics" "Cloud: served 6 x 25.00 USD, April 2026"
  id: "close/2026-04/delta-cloud/recognise"
  customer: "delta"
  Liabilities:Deferred-Revenue:Delta   150.00 USD
  Income:Cloud                        -150.00 USD
"""


def test_a_debit_on_deferred_revenue_is_a_contract_asset_until_it_turns() -> None:
    """Delta was billed 125.00 for March in advance and served 150.00 (a sixth user): +25.00
    on its deferred revenue at March's end, a contract asset; Acme's is zero. April's invoice
    carries the 25.00: its deferred revenue is -25.00 (billed ahead), so April moves nothing."""
    entries = parse(CONTRACT_ASSET)
    book, errors = parse_book(entries)
    assert errors == []
    rates = Rates.of(entries, "USD")
    march = txns(entries)
    # the close's own entries of March come as `fresh`
    own = [e for e in march if beans.entry_id(e).startswith("close/2026-03/")]
    before = [e for e in march if e not in own]
    reversed_, (moved,) = month_end.month_end(book, Month(2026, 3), before, own, rates)
    assert reversed_ == []
    assert moved.meta["id"] == "close/2026-03/delta/contract-asset"
    assert moved.meta["customer"] == "delta"
    assert moved.date.isoformat() == "2026-03-31"
    assert postings(moved) == [
        ("Assets:Contract-Asset:Delta", D("25.00"), "USD"),
        ("Liabilities:Deferred-Revenue:Delta", D("-25.00"), "USD"),
    ]
    april = txns(parse(APRIL))
    reversed_, end = month_end.month_end(book, Month(2026, 4), [*march, moved, april[0]],
                                         [april[1]], rates)  # fmt: skip
    (back,) = reversed_
    assert back.meta["id"] == "close/2026-04/delta/contract-asset/reverse"
    assert back.date.isoformat() == "2026-04-01"
    assert postings(back) == [
        ("Assets:Contract-Asset:Delta", D("-25.00"), "USD"),
        ("Liabilities:Deferred-Revenue:Delta", D("25.00"), "USD"),
    ]
    # Delta's deferred revenue at April's end: +25 - 25 + 25 - 175 + 150 = 0: nothing to move
    assert end == []


# The issue's books, by the commands: Berlin Immo, 8 cloud users at 23.00 EUR in January only
# (184.00 EUR at 1.10 = 202.40 USD; OneBox 8 x 25.00 x 65% = 130.00 USD: 72.40 kept), unpaid.
# EUR moves within February: 1.12 on the 12th, 1.08 on the 27th (the closing rate); 1.20 on
# March 1.
BOOKS = [
    ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
    ("terms", "payment", "30", "--date", "2026-01-01"),
    ("price", "EUR", "1.10 USD", "--date", "2026-01-01"),
    ("price", "EUR", "1.12 USD", "--date", "2026-02-12"),
    ("price", "EUR", "1.08 USD", "--date", "2026-02-27"),
    ("price", "EUR", "1.20 USD", "--date", "2026-03-01"),
    ("customer", "add", "berlin-immo", "--name", "Berlin Immo GmbH", "--currency", "EUR",
     "--date", "2026-01-01"),
    ("contract", "add", "berlin-immo-cloud", "--customer", "berlin-immo", "--stream", "cloud",
     "--price", "23 EUR", "--quantity", "8", "--start", "2026-01-01", "--end", "2026-01-31",
     "--item", "cloud-user"),
]  # fmt: skip


def fava_net_profit(main: Path, start: str, end: str) -> Decimal:
    """Fava's own income statement (its JSON API), net profit for [start, end], sign as shown
    to a person (profit > 0)."""
    client = create_app([str(main)], read_only=True, poll_watcher=True).test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    response = client.get(
        f"/{slug}/api/income_statement", query_string={"time": f"{start} - {end}"}
    )
    assert response.status_code == 200
    tree = json.loads(response.data, parse_float=Decimal)["data"]["trees"][1]
    assert tree["account"] == "Net Profit"
    return -Decimal(tree["balance"].get("USD", 0))


def keep_net_income(main: Path, start: str, end: str) -> Decimal:
    table = reports.keep(load_entries(main), "USD", start=date.fromisoformat(start),
                         end=date.fromisoformat(end), by="stream")  # fmt: skip
    kept = table.totals[-1][3]
    for note in table.notes:
        if "net income" in note:
            return Decimal(note.rsplit("net income ", 1)[1].split()[0])
    return Decimal(kept)


def test_the_close_books_the_issue_figures_and_fava_agrees_with_keep(
    tmp_path: Path, run: Run, ok: Ok
) -> None:
    main = tmp_path / "main.beancount"
    ok(run(main, "init", str(tmp_path), "--start", "2026-01-01"))
    for step in BOOKS:
        ok(run(main, *step))
    ok(run(main, "close", "2026-01"))
    lines = ok(run(main, "close", "2026-02"))
    assert "  unrealized exchange difference at the closing rates: -3.68 USD (reversed on" \
        " 2026-03-01)" in lines  # fmt: skip
    lines = ok(run(main, "close", "2026-03"))
    # March: 184 x 1.20 = 220.80: +18.40 against 202.40, after February's -3.68 reversed
    assert "  unrealized exchange difference at the closing rates: 18.40 USD (reversed on" \
        " 2026-04-01)" in lines  # fmt: skip
    entries = load_entries(main)
    written = {e.meta["id"]: e for e in entries if "id" in getattr(e, "meta", {})}
    assert postings(written["close/2026-02/fx/revalue"]) == [
        ("Assets:FX-Revaluation:Receivable", D("-3.68"), "USD"),
        ("Income:FX-Unrealized", D("3.68"), "USD"),
    ]
    assert postings(written["close/2026-03/fx/reverse"]) == [
        ("Assets:FX-Revaluation:Receivable", D("3.68"), "USD"),
        ("Income:FX-Unrealized", D("-3.68"), "USD"),
    ]
    # the invoice is still seen at its own rate: 202.40 at 1.10
    lines = ok(run(main, "report", "receivables", "--as-of", "2026-02-28"))
    assert lines[-2] == (
        "note: foreign amounts: 202.40 USD at their own rates, 198.72 USD at the rate of"
        " 2026-02-28: an unrealized difference of -3.68 USD (each close books it at its"
        " month's end, reversed the next day)"
    )
    # IAS 21 in Fava's income statement, equal to keep's net income at every month end:
    # 72.40 in January, 72.40 - 3.68 = 68.72 to February's end (the issue's), and
    # 72.40 + 18.40 = 90.80 to March's
    for end, net in (("2026-01-31", "72.40"), ("2026-02-28", "68.72"), ("2026-03-31", "90.80")):
        assert keep_net_income(main, "2026-01-01", end) == D(net), end
        assert fava_net_profit(main, "2026-01-01", end) == D(net), end
    # a month on its own: February -3.68, March +3.68 + 18.40 = 22.08
    assert fava_net_profit(main, "2026-03-01", "2026-03-31") == D("22.08")
    assert keep_net_income(main, "2026-03-01", "2026-03-31") == D("22.08")
    # verify re-derives the month ends; a changed revaluation is drift
    assert ok(run(main, "verify"))[-1].endswith("no drift")
    path = tmp_path / "ledger" / "journal" / "2026-02.beancount"
    path.write_text(path.read_text().replace("-3.68 USD", "-3.67 USD").replace(
        " 3.68 USD", " 3.67 USD"))  # fmt: skip
    result = run(main, "verify")
    assert result.exit_code == 1
    diff = [line.split() for line in result.stdout.splitlines() if line[:1] in "+-"]
    assert ["+", "Assets:FX-Revaluation:Receivable", "-3.68", "USD"] in diff  # February's
    assert ["+", "Assets:FX-Revaluation:Receivable", "3.67", "USD"] in diff  # March's reversal


def test_the_close_moves_a_debit_on_deferred_revenue_to_a_contract_asset(
    tmp_path: Path, run: Run, ok: Ok
) -> None:
    """Delta, 5 users at 25.00 in advance: March billed 125.00 on the 1st; a sixth user from
    March 17 serves 5 x 25 + 25 x 15/31 = 137.10 (the close recognises it): +12.10 on its
    deferred revenue at March's end, a contract asset. April's invoice carries the 12.10 and
    bills 150.00 ahead, the close of April reverses March's on the 1st and moves nothing."""
    main = tmp_path / "main.beancount"
    ok(run(main, "init", str(tmp_path), "--start", "2026-03-01"))
    for step in [
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-03-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-03-01"),
        ("terms", "payment", "30", "--date", "2026-03-01"),
        ("customer", "add", "delta", "--name", "Delta Logistics", "--date", "2026-03-01"),
        ("contract", "add", "delta-cloud", "--customer", "delta", "--stream", "cloud",
         "--price", "25 USD", "--quantity", "5", "--start", "2026-03-01", "--item",
         "cloud-user", "--timing", "advance"),
        ("invoice", "2026-03"),
        ("contract", "change", "delta-cloud", "--date", "2026-03-17", "--quantity", "6"),
    ]:  # fmt: skip
        ok(run(main, *step))
    lines = ok(run(main, "close", "2026-03"))
    assert "  contract assets (recognised beyond billed): 12.10 USD" in lines
    written = {e.meta["id"]: e for e in load_entries(main) if "id" in getattr(e, "meta", {})}
    assert postings(written["close/2026-03/delta/contract-asset"]) == [
        ("Assets:Contract-Asset:Delta", D("12.10"), "USD"),
        ("Liabilities:Deferred-Revenue:Delta", D("-12.10"), "USD"),
    ]
    ok(run(main, "close", "2026-04"))
    written = {e.meta["id"]: e for e in load_entries(main) if "id" in getattr(e, "meta", {})}
    assert postings(written["close/2026-04/delta/contract-asset/reverse"]) == [
        ("Assets:Contract-Asset:Delta", D("-12.10"), "USD"),
        ("Liabilities:Deferred-Revenue:Delta", D("12.10"), "USD"),
    ]
    assert "close/2026-04/delta/contract-asset" not in written
    assert ok(run(main, "verify"))[-1].endswith("no drift")


# Five months of Delta (deferred revenue in USD) and Berlin (a EUR receivable, paid into a
# EUR bank in April), the close's revaluations written as the closes wrote them, and one
# edited close entry dated before its month (April's, dated in February: EDITED).
EDITED = """
2026-02-10 * "Delta Logistics" "Edited: April's entry dated in February"
  id: "close/2026-04/delta/edited"
  customer: "delta"
  Liabilities:Deferred-Revenue:Delta   40.00 USD
  Income:Cloud                        -40.00 USD
"""
CARRIED = (
    CONTRACT_ASSET.replace("2026-03-01 *", "2026-01-01 *", 1)
    + """
2026-01-01 open Assets:Wise:EUR EUR
  bank: TRUE
2026-01-01 price EUR 1.10 USD
2026-02-27 price EUR 1.08 USD
2026-03-31 price EUR 1.20 USD
2026-04-30 price EUR 1.15 USD

2026-01-31 * "Berlin Immo GmbH" "Cloud: 8 x 23.00 EUR, January 2026"
  customer: "berlin"
  Assets:Receivable:Berlin   184.00 EUR @ 1.10 USD
  Income:Cloud              -202.40 USD
"""
    + EDITED
    + """
2026-02-28 * "Revaluation" "Foreign balances at the closing rates, February 2026"
  id: "close/2026-02/fx/revalue"
  Assets:FX-Revaluation:Receivable  -3.68 USD
  Income:FX-Unrealized               3.68 USD

2026-04-12 * "Berlin Immo GmbH" "Payment received"
  customer: "berlin"
  Assets:Wise:EUR             184.00 EUR @ 1.16 USD
  Assets:Receivable:Berlin   -184.00 EUR @ 1.10 USD
  Income:FX-Gains            -11.04 USD
"""
)


def carried_books(
    text: str,
) -> tuple[Book, Rates, list[str], list[data.Transaction]]:
    """The Book, rates, bank accounts and transactions (by date) of a ledger's text."""
    entries = parse(text)
    book, errors = parse_book(entries)
    assert errors == []
    history = sorted(txns(entries), key=lambda e: e.date)
    return book, Rates.of(entries, "USD"), month_end.banks_of(entries), history


def closes_own(history: list[data.Transaction], month: Month) -> list[data.Transaction]:
    """The close's own entries of `month` (dated in it), which come as `fresh`, as in
    diff_month."""
    return [
        e
        for e in history
        if (beans.entry_id(e) or "").startswith(f"close/{month}/") and Month.of(e.date) == month
    ]


def test_the_sums_a_summary_keeps_give_the_month_ends_of_the_whole_history() -> None:
    """A month's summary keeps history's sums as on its first day (Sums.carried, JSON): read
    back (Sums.of_carried), they give the next months' ends as all of history does; with a
    close entry held back they are not kept (the close after reads every file)."""
    book, rates, banks, history = carried_books(CARRIED.replace(EDITED, "\n"))
    sums = month_end.Sums(book, "USD", banks)
    for month in [Month(2026, n) for n in range(2, 6)]:
        sums.advance(history, month.prev().first)
        kept = month_end.Sums.of_carried(book, "USD", banks, json.loads(json.dumps(sums.carried())))
        assert kept is not None
        fresh = closes_own(history, month)
        whole = month_end.month_end(book, month, history, fresh, rates, banks)
        assert [beans.format_entries(part) for part in whole] == [
            beans.format_entries(part)
            for part in month_end.month_end(book, month, history, fresh, rates, banks, kept)
        ], month
    sums.advance(history, date(2026, 4, 1))
    # through March: Berlin's 184 EUR booked at 1.10 (exact, not rounded); Delta billed 125 ahead, served 150;
    # Acme billed 125, served 125
    assert sums.carried() == {
        "since": "2026-04-01",
        "values": [["Assets:FX-Revaluation:Receivable", "", "EUR", "184.00", "202.4000"]],
        "deferred": [["acme", "USD", None, "0.00"], ["delta", "USD", None, "25.00"]],
        "rules_1": {},
    }
    assert month_end.Sums.of_carried(book, "USD", banks, {"since": "2026-04-01"}) is None
    edited = month_end.Sums(book, "USD", banks)
    edited.advance(carried_books(CARRIED)[3], date(2026, 4, 1))
    assert len(edited.held_back) == 1 and edited.carried() is None


def test_the_sums_carried_month_to_month_give_the_month_ends_of_the_whole_history() -> None:
    """verify carries history's sums from month to month (month_end.Sums) instead of reading
    all of history again for each month: every month's end is the same entries, the edited
    close entry held back where its own month's close leaves it out."""
    book, rates, banks, history = carried_books(CARRIED)
    sums = month_end.Sums(book, "USD", banks)
    got: list[str] = []
    for month in [Month(2026, n) for n in range(2, 6)]:
        fresh = closes_own(history, month)
        whole = month_end.month_end(book, month, history, fresh, rates, banks)
        carried = month_end.month_end(book, month, history, fresh, rates, banks, sums)
        assert [beans.format_entries(part) for part in carried] == [
            beans.format_entries(part) for part in whole
        ], month
        got += [f"{beans.entry_id(e)} {postings(e)[0][1]}" for part in whole for e in part]
    assert sums.held_back == [
        e for e in history if beans.entry_id(e) == "close/2026-04/delta/edited"
    ]
    assert got == [
        # February: 184 EUR booked at 1.10 = 202.40, at 1.08 = 198.72; Delta's deferred
        # revenue -125 (billed ahead on Jan 1) + 40 (the edited entry) = -85: no asset
        "close/2026-02/fx/revalue -3.68",
        "close/2026-03/fx/reverse 3.68",  # February's as written, reversed
        "close/2026-03/fx/revalue 18.40",  # 184 x 1.20 = 220.80 - 202.40
        "close/2026-03/delta/contract-asset 65.00",  # -125 + 40 + 150 served
        # April: paid into the bank at 1.16 (213.44), 1.15 at the month's end (211.60); the
        # edited entry is April's own: its close leaves it out, -125 + 150 = 25
        "close/2026-04/fx/revalue -1.84",
        "close/2026-04/delta/contract-asset 25.00",
        "close/2026-05/fx/revalue -1.84",  # April's not written: nothing to reverse
        "close/2026-05/delta/contract-asset 65.00",
    ]
