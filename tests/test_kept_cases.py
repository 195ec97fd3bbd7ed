"""The cases kept back: three currencies, rates moving within the month, annual contracts
across February 29, through the real commands, loader, bean-query and bean-check.

A USD-books partner from 2027-03-01; OneBox cloud-user 25.00 USD at 65% (16.25 a seat-month).

    CHF  1.10 from 2027-03-01, 1.09 from 05-10, 1.12 from 09-01; 2028: 1.15 from 02-10,
         1.13 from 02-29, 1.11 from 03-01, 1.14 from 03-20
    GBP  1.25 from 2027-03-01; 2028: 1.27 from 02-15, 1.30 from 02-29, 1.28 from 03-10,
         1.29 from 03-25
    EUR  1.08 from 2027-03-01; 2028: 1.09 from 02-01, 1.07 from 02-20, 1.10 from 03-01,
         1.06 from 03-31

- Zurich (CHF), zurich-year: 1 x 30.00 CHF a year from 2027-03-01, so its first year runs
  to 2028-02-29 (366 days) and crosses the leap day; 2 seats from 2027-09-01 (the mid-year
  upgrade). Invoices: 360.00 CHF on 2027-03-01 at 1.10 (396.00 USD); the upgrade +360.00 a
  year x 182/366 days (September 1 to February 29: 30 + 31 + 30 + 31 + 31 + 29) =
  179.016.. -> 179.02 CHF on 2027-09-01 at 1.12; the second year 2 x 30.00 x 12 = 720.00
  CHF on 2028-03-01 at 1.11. Paid: 360.00 CHF late on 2027-05-10 at 1.09 (realized
  360.00 x -0.01 = -3.60), 179.02 CHF on 2027-09-20 at 1.12, 750.00 CHF on 2028-03-15 at
  1.11 (30.00 too much: credit at 1.11).
- London (GBP), london-year: 1 x 30.00 GBP a year from 2028-02-29: 360.00 GBP invoiced on
  2028-02-29 at 1.30; its year ends 2029-02-27 (the anniversary is 2029-02-28). Paid twice:
  360.00 GBP on 2028-03-05 at 1.30, and again on 2028-03-12 at 1.28 (credit at 1.28).
- Berlin (EUR), berlin-adv: 100.00 EUR of services a month in advance from 2028-01-01, each
  the invoice of its 1st: January at 1.08 (paid on the 5th), February at 1.09 (60.00 paid on
  the 10th, 40.00 late with March's on 2028-03-08 at 1.10: realized 40.00 x 0.01 = +0.40),
  March at 1.10.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beanquery import query

from onebox_ledger.values import Month
from tests.conftest import Run, invoke, load_entries, load_errors, succeeded

D = Decimal

PRICES = [
    ("CHF", "1.10", "2027-03-01"), ("CHF", "1.09", "2027-05-10"), ("CHF", "1.12", "2027-09-01"),
    ("CHF", "1.15", "2028-02-10"), ("CHF", "1.13", "2028-02-29"), ("CHF", "1.11", "2028-03-01"),
    ("CHF", "1.14", "2028-03-20"),
    ("GBP", "1.25", "2027-03-01"), ("GBP", "1.27", "2028-02-15"), ("GBP", "1.30", "2028-02-29"),
    ("GBP", "1.28", "2028-03-10"), ("GBP", "1.29", "2028-03-25"),
    ("EUR", "1.08", "2027-03-01"), ("EUR", "1.09", "2028-02-01"), ("EUR", "1.07", "2028-02-20"),
    ("EUR", "1.10", "2028-03-01"), ("EUR", "1.06", "2028-03-31"),
]  # fmt: skip

SETUP: list[tuple[str, ...]] = [
    ("terms", "item", "cloud-user", "25 USD", "--date", "2027-03-01"),
    ("terms", "rate", "1", "0.65", "--date", "2027-03-01"),
    ("terms", "payment", "30", "--date", "2027-03-01"),
    *[("price", cur, f"{rate} USD", "--date", day) for cur, rate, day in PRICES],
    *[("bank", "add", f"Assets:Wise:{cur}", "--currency", cur, "--date", "2027-03-01")
      for cur in ("CHF", "GBP", "EUR")],
    ("customer", "add", "zurich", "--name", "Zurich Treuhand", "--currency", "CHF", "--date",
     "2027-03-01"),
    ("customer", "add", "london", "--name", "London Lets", "--currency", "GBP", "--date",
     "2027-03-01"),
    ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR", "--date",
     "2027-03-01"),
    ("contract", "add", "zurich-year", "--customer", "zurich", "--stream", "cloud", "--price",
     "30 CHF", "--quantity", "1", "--start", "2027-03-01", "--item", "cloud-user", "--billing",
     "annual"),
    ("contract", "change", "zurich-year", "--date", "2027-09-01", "--quantity", "2"),
    ("contract", "add", "london-year", "--customer", "london", "--stream", "cloud", "--price",
     "30 GBP", "--quantity", "1", "--start", "2028-02-29", "--item", "cloud-user", "--billing",
     "annual"),
    ("contract", "add", "berlin-adv", "--customer", "berlin", "--stream", "services",
     "--price", "100 EUR", "--start", "2028-01-01", "--timing", "advance"),
]  # fmt: skip

# receipts, each recorded before its month's close
RECEIPTS: dict[str, list[tuple[str, str, str]]] = {
    "2027-05": [("zurich", "360 CHF", "2027-05-10")],
    "2027-09": [("zurich", "179.02 CHF", "2027-09-20")],
    "2028-01": [("berlin", "100 EUR", "2028-01-05")],
    "2028-02": [("berlin", "60 EUR", "2028-02-10")],
    "2028-03": [
        ("london", "360 GBP", "2028-03-05"),
        ("berlin", "140 EUR", "2028-03-08"),
        ("london", "360 GBP", "2028-03-12"),
        ("zurich", "750 CHF", "2028-03-15"),
    ],
}
MONTHS = [Month(2027, 3).plus(i) for i in range(13)]  # 2027-03 .. 2028-03


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """The books closed to March 2028, and what each receipt printed."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEBOX_TODAY", "2028-04-05")
    mp.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    mp.delenv("ONEBOX_LEDGER", raising=False)
    root = tmp_path_factory.mktemp("kept") / "books"
    main = root / "main.beancount"
    printed: dict[str, list[str]] = {}
    try:
        succeeded(invoke(main, "init", str(root), "--start", "2027-03-01"))
        for step in SETUP:
            succeeded(invoke(main, *step))
        for month in MONTHS:
            if month >= Month(2028, 1):  # berlin-adv's invoice of the 1st
                succeeded(invoke(main, "invoice", str(month)))
            for customer, amount, day in RECEIPTS.get(str(month), []):
                printed[f"{customer} {day}"] = succeeded(
                    invoke(main, "receive", customer, amount, "--date", day)
                )
            printed[str(month)] = succeeded(invoke(main, "close", str(month)))
    finally:
        mp.undo()
    return main, printed


def _by_id(main: Path) -> dict[str, Any]:
    return {e.meta.get("id"): e for e in load_entries(main) if hasattr(e, "postings")}


def _shown(entry: Any) -> list[str]:
    return [
        f"{p.account} {p.units.number} {p.units.currency}"
        + (f" @ {p.price.number}" if p.price else "")
        for p in entry.postings
    ]


def fava_net_profit(main: Path, start: str, end: str) -> Decimal:
    """bean-query over the loaded books: minus the sum of every Income and Expenses posting
    dated in [start, end], in USD (what Fava's income statement shows as net profit)."""
    loader.initialize(use_cache=False)
    entries, errors, options = loader.load_file(str(main))
    assert errors == []
    sql = (
        "SELECT sum(number) AS total, currency WHERE account ~ '^(Income|Expenses):'"
        f" AND date >= {start} AND date <= {end} GROUP BY currency"
    )
    _, rows = query.run_query(entries, options, sql)
    assert [row[1] for row in rows] in ([], ["USD"])
    return -(rows[0][0] if rows else D(0))


def keep_net_income(run: Run, main: Path, start: str, end: str) -> Decimal:
    """`report keep`'s net income for [start, end]: its note's, or its kept total."""
    lines = run(main, "report", "keep", "--from", start, "--to", end).stdout.splitlines()
    for line in lines:
        if "net income " in line:
            return D(line.rsplit("net income ", 1)[1].split()[0])
    total = [line for line in lines if line.startswith("total")]
    return D(total[0].split()[3])


# Net income per month, by hand (income recognised - OneBox cost + realized + unrealized):
# 2027-03: 30.00 CHF at 1.10 = 33.00 - 16.25 = 16.75 (and April, June to August alike)
# 2027-05: 16.75 - 3.60 (360.00 CHF paid at 1.09, invoiced at 1.10) = 13.15
# 2027-09: 33.00 + 29.51 CHF of the upgrade (179.02 x 30/182 = 29.508..) at 1.12 = 33.0512 ->
#          33.05; cost 2 seats 32.50; the CHF bank, 539.02 booked at 392.40 + 200.5024 =
#          592.9024, worth 539.02 x 1.12 = 603.7024 at the month's end: +10.80;
#          66.05 - 32.50 + 10.80 = 44.35
# 2027-10: 33.00 + 30.49 (31/182) x 1.12 = 34.1488 -> 34.15; 67.15 - 32.50 + 10.80 - 10.80
#          (September's reversed) = 34.65; 2027-11 (30 days) 33.55; 2027-12 34.65
# 2028-01: 67.15 + berlin 100.00 EUR at 1.08 = 108.00; 175.15 - 32.50 = 142.65
# 2028-02: zurich 30.00 (the year's rest, 360.00 - 330.00) at 1.10 = 33.00 and the upgrade's
#          rest 179.02 - 150.49 = 28.53 at 1.12 = 31.9536 -> 31.95; london 1.03 GBP at 1.30 =
#          1.339 -> 1.34; berlin 109.00: 175.29. Cost 32.50 + 25.00 x 0.65 x 1/29 = 0.5603 ->
#          0.56: 33.06. Unrealized at 1.13 CHF, 1.30 GBP, 1.07 EUR: CHF bank 539.02 x 1.13 =
#          609.0926 - 592.9024 = +16.19; EUR bank 160.00 booked 108.00 + 65.40 = 173.40, worth
#          171.20: -2.20; berlin's 40.00 EUR open at 1.09 (43.60), worth 42.80: -0.80; london's
#          invoice at 1.30 = its rate: 0; 13.19, less January's 10.80 reversed: 2.39.
#          175.29 - 33.06 + 2.39 = 144.62
# 2028-03: zurich's second year 60.00 CHF at 1.11 = 66.60, london 30.00 GBP at 1.30 = 39.00,
#          berlin 110.00: 215.60; cost 32.50 + 16.25 = 48.75; realized +0.40 (berlin's 40.00
#          EUR at 1.10, invoiced at 1.09). Unrealized at 1.14 CHF, 1.29 GBP, 1.06 EUR: CHF bank
#          1289.02 booked 592.9024 + 832.50 = 1425.4024, worth 1469.4828: +44.08; EUR bank
#          300.00 booked 173.40 + 154.00 = 327.40, worth 318.00: -9.40; GBP bank 720.00 booked
#          468.00 + 460.80 = 928.80, worth 928.80: 0; London's credit 360.00 GBP at 1.28
#          (460.80), worth 464.40: -3.60; Zurich's 30.00 CHF credit at 1.11 (33.30), worth
#          34.20: -0.90; 30.18, less February's 13.19: 16.99. 215.60 - 48.75 + 0.40 + 16.99 =
#          184.24
NET = {
    "2027-03": "16.75", "2027-04": "16.75", "2027-05": "13.15", "2027-06": "16.75",
    "2027-07": "16.75", "2027-08": "16.75", "2027-09": "44.35", "2027-10": "34.65",
    "2027-11": "33.55", "2027-12": "34.65", "2028-01": "142.65", "2028-02": "144.62",
    "2028-03": "184.24",
}  # fmt: skip


def test_keep_is_favas_net_profit_at_every_month_end(
    run: Run, books: tuple[Path, dict[str, list[str]]]
) -> None:
    main, _ = books
    total = D(0)
    for month in MONTHS:
        first, last = str(month.first), str(month.last)
        assert keep_net_income(run, main, first, last) == D(NET[str(month)]), month
        assert fava_net_profit(main, first, last) == D(NET[str(month)]), month
        total += D(NET[str(month)])
        assert keep_net_income(run, main, "2027-03-01", last) == total, month
        assert fava_net_profit(main, "2027-03-01", last) == total, month
    assert total == D("715.61")


def test_annual_years_across_february_29(books: tuple[Path, dict[str, list[str]]]) -> None:
    main, _ = books
    by_id = _by_id(main)
    upgrade = by_id["close/2027-09/zurich-year/change-2027-09-01"]
    assert (str(upgrade.date), upgrade.meta["invoice"]) == ("2027-09-01", "inv-2027-09-01-zurich")
    assert _shown(upgrade) == [
        "Assets:Receivable:Zurich 179.02 CHF @ 1.12",
        "Liabilities:Deferred-Revenue:Zurich -179.02 CHF @ 1.12",
    ]
    assert upgrade.narration == (
        "Cloud: 2 x 30.00 CHF from 2027-09-01 (was 1 x 30.00): +360.00 a year x 182/366 days to"
        " 2028-02-29 = +179.02, September 2027"
    )
    # the first year's last month, February 2028: both pieces' rests
    assert _shown(by_id["close/2028-02/zurich-year/recognise"]) == [
        "Liabilities:Deferred-Revenue:Zurich 30.00 CHF @ 1.10",
        "Liabilities:Deferred-Revenue:Zurich 28.53 CHF @ 1.12",
        "Income:Cloud -33.00 USD",
        "Income:Cloud -31.95 USD",
        "Equity:Rounding -0.0036 USD",  # 33.00 + 31.9536 left deferred, 64.95 booked
    ]
    second = by_id["close/2028-03/zurich-year/invoice"]
    assert (str(second.date), second.meta["invoice"]) == ("2028-03-01", "inv-2028-03-01-zurich")
    assert second.narration == (
        "Cloud: 2 x 30.00 CHF x 12 months = 720.00, 2028-03-01 to 2029-02-28, March 2028"
    )
    assert _shown(second) == [
        "Assets:Receivable:Zurich 720.00 CHF @ 1.11",
        "Liabilities:Deferred-Revenue:Zurich -720.00 CHF @ 1.11",
    ]
    leap = by_id["close/2028-02/london-year/invoice"]
    assert (str(leap.date), leap.meta["invoice"], str(leap.meta["due"])) == (
        "2028-02-29", "inv-2028-02-29-london", "2028-03-30",
    )  # fmt: skip
    assert leap.narration == (
        "Cloud: 1 x 30.00 GBP x 12 months = 360.00, 2028-02-29 to 2029-02-27, February 2028"
    )
    assert _shown(by_id["close/2028-02/london-year/recognise"]) == [
        "Liabilities:Deferred-Revenue:London 1.03 GBP @ 1.30",  # 30.00 x 1/29 = 1.034..
        "Income:Cloud -1.34 USD",
        "Equity:Rounding 0.0010 USD",
    ]
    assert _shown(by_id["close/2028-02/london-year/cost"]) == [
        "Expenses:OneBox:Cloud 0.56 USD",
        "Liabilities:OneBox:Payable -0.56 USD",
    ]
    # deferred revenue left at March's end: Zurich 720.00 - 60.00 CHF; London 360.00 - 1.03 -
    # 30.00 = 328.97 GBP; Berlin 0 (each advance month recognised)
    deferred: dict[str, Decimal] = {}
    for entry in by_id.values():
        for post in entry.postings:
            if post.account.startswith("Liabilities:Deferred-Revenue:"):
                key = f"{post.account} {post.units.currency}"
                deferred[key] = deferred.get(key, D(0)) + post.units.number
    assert {k: v for k, v in deferred.items() if v} == {
        "Liabilities:Deferred-Revenue:Zurich CHF": D("-660.00"),
        "Liabilities:Deferred-Revenue:London GBP": D("-328.97"),
    }


def test_payments_late_partial_twice_and_too_much(
    books: tuple[Path, dict[str, list[str]]],
) -> None:
    main, printed = books
    assert printed["zurich 2027-05-10"] == [
        "received 360.00 CHF from zurich: 360.00 CHF to inv-2027-03-01-zurich"
    ]
    assert printed["berlin 2028-02-10"] == [
        "received 60.00 EUR from berlin: 60.00 EUR to inv-2028-02-01-berlin"
    ]
    assert printed["berlin 2028-03-08"] == [
        "received 140.00 EUR from berlin: 40.00 EUR to inv-2028-02-01-berlin, 100.00 EUR to"
        " inv-2028-03-01-berlin"
    ]
    assert printed["london 2028-03-12"] == [
        "received 360.00 GBP from london: 360.00 GBP held as credit"
    ]
    # the year's invoice of 2028-03-01 is written by March's close: paid before it, the
    # money is credit, which the close sets against the invoice (720.00), 30.00 left
    assert printed["zurich 2028-03-15"] == [
        "received 750.00 CHF from zurich: 750.00 CHF held as credit"
    ]
    by_id = _by_id(main)
    assert _shown(by_id["receive/2027-05-10/zurich/1"]) == [
        "Assets:Wise:CHF 360.00 CHF @ 1.09",
        "Assets:Receivable:Zurich -360.00 CHF @ 1.10",
        "Expenses:FX-Losses 3.60 USD",
    ]
    assert _shown(by_id["receive/2028-03-08/berlin/1"]) == [
        "Assets:Wise:EUR 140.00 EUR @ 1.10",
        "Assets:Receivable:Berlin -40.00 EUR @ 1.09",
        "Assets:Receivable:Berlin -100.00 EUR @ 1.10",
        "Income:FX-Gains -0.40 USD",
    ]
    assert _shown(by_id["receive/2028-03-12/london/1"]) == [
        "Assets:Wise:GBP 360.00 GBP @ 1.28",
        "Liabilities:Customer-Credit:London -360.00 GBP @ 1.28",
    ]
    assert _shown(by_id["close/2028-03/zurich/credit/inv-2028-03-01-zurich"]) == [
        "Liabilities:Customer-Credit:Zurich 720.00 CHF @ 1.11",
        "Assets:Receivable:Zurich -720.00 CHF @ 1.11",
    ]


def test_month_end_revaluation(books: tuple[Path, dict[str, list[str]]]) -> None:
    main, printed = books
    by_id = _by_id(main)
    assert _shown(by_id["close/2028-02/fx/revalue"]) == [
        "Assets:FX-Revaluation:Bank 16.19 USD",
        "Assets:FX-Revaluation:Bank -2.20 USD",
        "Assets:FX-Revaluation:Receivable -0.80 USD",
        "Income:FX-Unrealized -13.19 USD",
    ]
    assert _shown(by_id["close/2028-03/fx/reverse"]) == [
        "Assets:FX-Revaluation:Bank -16.19 USD",
        "Assets:FX-Revaluation:Bank 2.20 USD",
        "Assets:FX-Revaluation:Receivable 0.80 USD",
        "Income:FX-Unrealized 13.19 USD",
    ]
    assert _shown(by_id["close/2028-03/fx/revalue"]) == [
        "Assets:FX-Revaluation:Bank 44.08 USD",
        "Assets:FX-Revaluation:Bank -9.40 USD",
        "Liabilities:FX-Revaluation:Customer-Credit -0.90 USD",
        "Liabilities:FX-Revaluation:Customer-Credit -3.60 USD",
        "Income:FX-Unrealized -30.18 USD",
    ]
    assert "  unrealized exchange difference at the closing rates: 30.18 USD (reversed on" \
        " 2028-04-01)" in printed["2028-03"]  # fmt: skip


def test_verify_and_bean_check_are_clean(
    run: Run, books: tuple[Path, dict[str, list[str]]]
) -> None:
    main, _ = books
    assert load_errors(main) == []
    assert run(main, "verify").stdout.splitlines()[-1] == (
        "verify: 13 sealed month(s) (2027-03..2028-03), 55 generated entries re-derived, 0"
        " finding(s), no drift"
    )
