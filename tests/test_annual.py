"""Annual contracts: invoiced on the start day and each anniversary, recognised by day in a
partial first and last month (so income follows the days OneBox charges for), every number of
a line in its words; foreign ones at the rate of the invoice that carried each part; and
`receive` (typed or imported) setting a customer's credit against its invoices still open.

Every figure below is worked out by hand in the comment or docstring beside it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.parser import parser

from onebox_ledger import model
from onebox_ledger.billing import Charge, charge, contract_years, month_rate
from onebox_ledger.values import Month
from tests.conftest import Run, load_entries, load_errors

D = Decimal

TERMS = """
2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD
2026-01-01 custom "onebox-rate" 1 0.65
2026-01-01 custom "onebox-payment" 30
2026-01-01 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"
"""


def year_book(price: str, start: str, quantity: int = 2, extra: str = "") -> model.Book:
    """Acme's annual contract `acme-year` from `start`; `extra` follows it."""
    text = f"""{TERMS}
{start} custom "onebox-contract" "acme-year"
  customer: "acme"
  stream: "cloud"
  billing: "annual"
  price: {price} USD
  quantity: {quantity}
  item: "cloud-user"
{extra}"""
    entries, errors, _ = parser.parse_string(text)
    assert errors == []
    book, problems = model.parse_book(entries)
    assert [p.message for p in problems] == []
    return book


def charged(book: model.Book, month: Month) -> Charge:
    _, rate = month_rate(book, month)
    found = charge(book, book.contracts["acme-year"], month, rate)
    assert found is not None
    return found


def lines(c: Charge) -> list[tuple[str, str, Decimal, datetime.date | None]]:
    return [(line.suffix, line.kind, line.amount, line.date) for line in c.lines]


# ---------------------------------------------------------------- the rule, pure


def test_a_year_from_the_15th_recognises_its_first_and_last_days_by_day() -> None:
    """2 x 20.00 USD from 2026-09-15: 480.00 for the year to 2027-09-14, invoiced on the 15th.
    September 2026 serves 16 of 30 days: 480.00 / 12 x 16/30 = 21.333.. -> 21.33, and OneBox
    costs the same days, 2 x 25.00 x 0.65 x 16/30 = 17.333.. -> 17.33. October to August:
    40.00 each (11 x 40.00 = 440.00). September 2027 serves the year's last 14 days: the rest,
    480.00 - 461.33 = 18.67 (14/30 of 40.00 is 18.666..), beside the next year's first 16 days.
    """
    book = year_book("20.00", "2026-09-15")
    september = charged(book, Month(2026, 9))
    assert lines(september) == [
        ("invoice", "invoice", D("480.00"), datetime.date(2026, 9, 15)),
        ("recognise", "recognise", D("21.33"), None),
    ]
    assert september.cost == D("17.33")
    assert [line.describe for line in september.lines] == [
        "2 x 20.00 USD x 12 months = 480.00, 2026-09-15 to 2027-09-14",
        "recognised the year from 2026-09-15 (2 x 20.00 USD x 12 months = 480.00): 1/12 x 16/30"
        " days = 21.33",
    ]
    year = [charged(book, Month(2026, 9).plus(i)) for i in range(13)]
    assert [c.recognised for c in year[1:12]] == [D("40.00")] * 11
    last = year[12]
    assert lines(last) == [
        ("recognise-2026-09-15", "recognise", D("18.67"), None),
        ("invoice", "invoice", D("480.00"), datetime.date(2027, 9, 15)),
        ("recognise", "recognise", D("21.33"), None),
    ]
    assert last.lines[0].describe == (
        "recognised the year from 2026-09-15 (2 x 20.00 USD x 12 months = 480.00): the rest,"
        " 480.00 - 461.33 = 18.67 for 14/30 days"
    )
    assert last.cost == D("32.50")  # the whole month: 14 days of one year, 16 of the next
    assert D("21.33") + 11 * D("40.00") + D("18.67") == D("480.00")


def test_a_year_ending_mid_month_recognises_its_days_and_credits_the_rest() -> None:
    """Ended on 2027-03-10 with the unserved rest credited: March serves 10 of 31 days,
    40.00 x 10/31 = 12.903.. -> 12.90; September to February recognised 21.33 + 5 x 40.00 =
    221.33; credited 480.00 - 221.33 - 12.90 = 245.77. OneBox: 2 x 25.00 x 0.65 x 10/31 =
    10.483.. -> 10.48."""
    end = '2027-03-10 custom "onebox-end" "acme-year"\n  unearned: "credit"\n'
    book = year_book("20.00", "2026-09-15", extra=end)
    march = charged(book, Month(2027, 3))
    assert lines(march) == [
        ("unearned", "credit", D("245.77"), None),
        ("recognise", "recognise", D("12.90"), None),
    ]
    assert march.lines[0].describe == "ended 2027-03-10: 245.77 paid for days after it, credited"
    assert march.lines[1].describe == (
        "recognised the year from 2026-09-15 (2 x 20.00 USD x 12 months = 480.00): 1/12 x 10/31"
        " days = 12.90"
    )
    assert march.cost == D("10.48")
    _, rate = month_rate(book, Month(2027, 4))
    assert charge(book, book.contracts["acme-year"], Month(2027, 4), rate) is None


def test_a_change_mid_year_is_invoiced_on_its_day_and_its_words_explain_the_line() -> None:
    """3 seats from 2027-01-10 in the year from 2026-09-15 (365 days, to 2027-09-14): the
    yearly value grows by 20.00 x 12 = 240.00, for the 248 days from January 10 to September
    14 (22 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 14): 240 x 248/365 = 163.068.. -> 163.07,
    invoiced on January 10. January recognises 40.00 of the year and 22 of the change's 248
    days, 163.07 x 22/248 = 14.465.. -> 14.47: 54.47, the narration naming both. OneBox: 2
    seats for 9 days and 3 for 22, (18 + 66) x 25.00 x 0.65 / 31 = 44.032.. -> 44.03."""
    change = '2027-01-10 custom "onebox-change" "acme-year"\n  quantity: 3\n'
    january = charged(year_book("20.00", "2026-09-15", extra=change), Month(2027, 1))
    assert lines(january) == [
        ("change-2027-01-10", "invoice", D("163.07"), datetime.date(2027, 1, 10)),
        ("recognise", "recognise", D("54.47"), None),
    ]
    assert [line.describe for line in january.lines] == [
        "3 x 20.00 USD from 2027-01-10 (was 2 x 20.00): +240.00 a year x 248/365 days to"
        " 2027-09-14 = +163.07",
        "recognised the year from 2026-09-15 (2 x 20.00 USD x 12 months = 480.00): 1/12 = 40.00;"
        " the change from 2027-01-10 (+163.07 for 248 days): 22/248 days = 14.47; together"
        " 54.47",
    ]
    assert january.cost == D("44.03")


def test_a_year_from_february_29_has_its_anniversary_on_february_28() -> None:
    """1 x 30.00 USD from 2028-02-29 (a leap day): the years run 2028-02-29 to 2029-02-27,
    2029-02-28 to 2030-02-27, ..., 2031-02-28 to 2032-02-28 (366 days) and from 2032-02-29
    again. February 2028 serves 1 of 29 days: 360.00 / 12 x 1/29 = 1.034.. -> 1.03; OneBox
    25.00 x 0.65 x 1/29 = 0.560.. -> 0.56. February 2029 closes the first year with its rest,
    360.00 - 1.03 - 11 x 30.00 = 28.97 (27 of 28 days), and opens the second on the 28th:
    360.00 invoiced, 360.00 / 12 x 1/28 = 1.071.. -> 1.07."""
    book = year_book("30.00", "2028-02-29", quantity=1)
    contract = book.contracts["acme-year"]
    day = datetime.date
    assert contract_years(contract, Month(2029, 2)) == [
        (day(2028, 2, 29), day(2029, 2, 27)),
        (day(2029, 2, 28), day(2030, 2, 27)),
    ]
    assert contract_years(contract, Month(2032, 2)) == [
        (day(2031, 2, 28), day(2032, 2, 28)),
        (day(2032, 2, 29), day(2033, 2, 27)),
    ]
    february = charged(book, Month(2028, 2))
    assert lines(february) == [
        ("invoice", "invoice", D("360.00"), day(2028, 2, 29)),
        ("recognise", "recognise", D("1.03"), None),
    ]
    assert february.cost == D("0.56")
    assert february.lines[0].describe == (
        "1 x 30.00 USD x 12 months = 360.00, 2028-02-29 to 2029-02-27"
    )
    next_february = charged(book, Month(2029, 2))
    assert lines(next_february) == [
        ("recognise-2028-02-29", "recognise", D("28.97"), None),
        ("invoice", "invoice", D("360.00"), day(2029, 2, 28)),
        ("recognise", "recognise", D("1.07"), None),
    ]
    assert next_february.lines[0].describe == (
        "recognised the year from 2028-02-29 (1 x 30.00 USD x 12 months = 360.00): the rest,"
        " 360.00 - 331.03 = 28.97 for 27/28 days"
    )
    assert next_february.cost == D("16.25")
    # the year with a 29 February in it (2031-02-28 to 2032-02-28) ends on the 28th
    leap = charged(book, Month(2032, 2))
    assert [(line.suffix, line.date) for line in leap.lines] == [
        ("recognise-2031-02-28", None),
        ("invoice", day(2032, 2, 29)),
        ("recognise", None),
    ]
    # the rest of the year: 360.00 less 1/12 x 1/28 in February 2031 (1.07) and 11 x 30.00
    assert leap.lines[0].amount == D("28.93")


# ---------------------------------------------------------------- the books, through the CLI


def _steps(run: Run, ok: Any, main: Path, *steps: tuple[str, ...]) -> None:
    for step in steps:
        ok(run(main, *step))


def _ledger(run: Run, ok: Any, root: Path, start: str) -> Path:
    main = root / "main.beancount"
    ok(run(main, "init", str(root), "--start", start))
    _steps(run, ok, main,
           ("terms", "item", "cloud-user", "25 USD", "--date", start),
           ("terms", "rate", "1", "0.65", "--date", start),
           ("terms", "payment", "30", "--date", start))  # fmt: skip
    return main


def _months(first: Month, count: int) -> list[tuple[str, ...]]:
    return [("close", str(first.plus(i))) for i in range(count)]


def _by_id(main: Path) -> dict[str, Any]:
    return {e.meta.get("id"): e for e in load_entries(main) if hasattr(e, "postings")}


def _shown(entry: Any) -> list[str]:
    return [
        f"{p.account} {p.units.number} {p.units.currency}"
        + (f" @ {p.price.number}" if p.price else "")
        for p in entry.postings
    ]


def test_the_close_writes_an_annual_invoice_dated_its_day(
    run: Run, ok: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The September close writes the year's invoice dated 2026-09-15, its own invoice
    (inv-2026-09-15-acme, due 30 days later: 2026-10-15), recognises 21.33; a year later the
    close of September 2027 writes the year's rest (18.67) and the next invoice, dated
    2027-09-15. Every month's recognition adds up to the 480.00 billed; verify re-derives it
    all and bean-check finds nothing."""
    monkeypatch.setenv("ONEBOX_TODAY", "2027-10-05")
    main = _ledger(run, ok, tmp_path / "books", "2026-09-01")
    _steps(run, ok, main,
           ("customer", "add", "acme", "--name", "Acme Realty", "--currency", "USD", "--date",
            "2026-09-01"),
           ("contract", "add", "acme-year", "--customer", "acme", "--stream", "cloud", "--price",
            "20 USD", "--quantity", "2", "--start", "2026-09-15", "--item", "cloud-user",
            "--billing", "annual"),
           *_months(Month(2026, 9), 13))  # fmt: skip
    entries = _by_id(main)
    invoice = entries["close/2026-09/acme-year/invoice"]
    assert (invoice.date, invoice.meta["invoice"], invoice.meta["due"]) == (
        datetime.date(2026, 9, 15), "inv-2026-09-15-acme", datetime.date(2026, 10, 15),
    )  # fmt: skip
    assert invoice.narration == (
        "Cloud: 2 x 20.00 USD x 12 months = 480.00, 2026-09-15 to 2027-09-14, September 2026"
    )
    assert _shown(invoice) == [
        "Assets:Receivable:Acme 480.00 USD",
        "Liabilities:Deferred-Revenue:Acme -480.00 USD",
    ]
    assert _shown(entries["close/2026-09/acme-year/recognise"]) == [
        "Liabilities:Deferred-Revenue:Acme 21.33 USD",
        "Income:Cloud -21.33 USD",
    ]
    assert _shown(entries["close/2026-09/acme-year/cost"]) == [
        "Expenses:OneBox:Cloud 17.33 USD",
        "Liabilities:OneBox:Payable -17.33 USD",
    ]
    assert _shown(entries["close/2027-09/acme-year/recognise-2026-09-15"]) == [
        "Liabilities:Deferred-Revenue:Acme 18.67 USD",
        "Income:Cloud -18.67 USD",
    ]
    again = entries["close/2027-09/acme-year/invoice"]
    assert (again.date, again.meta["invoice"]) == (
        datetime.date(2027, 9, 15),
        "inv-2027-09-15-acme",
    )
    recognised = sum(
        (
            -p.units.number
            for e in entries.values()
            for p in e.postings
            if p.account == "Income:Cloud"
        ),
        D(0),
    )
    assert recognised == D("480.00") + D("21.33")  # the first year, and the second's 16 days
    assert load_errors(main) == []
    assert ok(run(main, "verify"))[-1].endswith("0 finding(s), no drift")


def test_foreign_annual_contracts_at_the_rate_of_each_invoice(
    run: Run, ok: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two currencies, rates moving inside September 2026.

    Berlin, 2 x 20.00 EUR a year from 2026-09-15; EUR 1.10 from the 1st, 1.12 from the 15th,
    1.15 from the 30th: the invoice of the 15th holds 480.00 EUR at 1.12 (537.60 USD); the
    month recognises 21.33 EUR at that invoice's 1.12 = 23.8896 -> 23.89 USD (0.0004 to
    Equity:Rounding). London, 1 x 30.00 GBP a year from 2026-09-01, 2 seats from the 20th;
    GBP 1.30 from the 1st, 1.25 from the 20th: the year (360.00 GBP) at 1.30, the upgrade,
    360.00 a year x 346/365 days = 341.26 GBP, at 1.25 on the 20th; September recognises 30.00
    GBP of the year at 1.30 (39.00 USD) and 11 of the upgrade's 346 days, 341.26 x 11/346 =
    10.849.. -> 10.85 GBP, at 1.25 = 13.5625 -> 13.56 USD (-0.0025 to Equity:Rounding)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-10-05")
    main = _ledger(run, ok, tmp_path / "books", "2026-09-01")
    _steps(run, ok, main,
           ("price", "EUR", "1.10 USD", "--date", "2026-09-01"),
           ("price", "EUR", "1.12 USD", "--date", "2026-09-15"),
           ("price", "EUR", "1.15 USD", "--date", "2026-09-30"),
           ("price", "GBP", "1.30 USD", "--date", "2026-09-01"),
           ("price", "GBP", "1.25 USD", "--date", "2026-09-20"),
           ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR", "--date",
            "2026-09-01"),
           ("customer", "add", "london", "--name", "London Lets", "--currency", "GBP", "--date",
            "2026-09-01"),
           ("contract", "add", "berlin-year", "--customer", "berlin", "--stream", "cloud",
            "--price", "20 EUR", "--quantity", "2", "--start", "2026-09-15", "--item",
            "cloud-user", "--billing", "annual"),
           ("contract", "add", "london-year", "--customer", "london", "--stream", "cloud",
            "--price", "30 GBP", "--quantity", "1", "--start", "2026-09-01", "--item",
            "cloud-user", "--billing", "annual"),
           ("contract", "change", "london-year", "--date", "2026-09-20", "--quantity", "2"),
           ("close", "2026-09"))  # fmt: skip
    entries = _by_id(main)
    berlin = entries["close/2026-09/berlin-year/invoice"]
    assert (berlin.date, berlin.meta["invoice"]) == (
        datetime.date(2026, 9, 15),
        "inv-2026-09-15-berlin",
    )
    assert _shown(berlin) == [
        "Assets:Receivable:Berlin 480.00 EUR @ 1.12",
        "Liabilities:Deferred-Revenue:Berlin -480.00 EUR @ 1.12",
    ]
    assert _shown(entries["close/2026-09/berlin-year/recognise"]) == [
        "Liabilities:Deferred-Revenue:Berlin 21.33 EUR @ 1.12",
        "Income:Cloud -23.89 USD",
        "Equity:Rounding 0.0004 USD",
    ]
    london = entries["close/2026-09/london-year/invoice"]
    assert (london.date, london.meta["invoice"]) == (
        datetime.date(2026, 9, 1),
        "inv-2026-09-01-london",
    )
    assert _shown(london) == [
        "Assets:Receivable:London 360.00 GBP @ 1.30",
        "Liabilities:Deferred-Revenue:London -360.00 GBP @ 1.30",
    ]
    upgrade = entries["close/2026-09/london-year/change-2026-09-20"]
    assert (upgrade.date, upgrade.meta["invoice"]) == (
        datetime.date(2026, 9, 20),
        "inv-2026-09-20-london",
    )
    assert _shown(upgrade) == [
        "Assets:Receivable:London 341.26 GBP @ 1.25",
        "Liabilities:Deferred-Revenue:London -341.26 GBP @ 1.25",
    ]
    recognise = entries["close/2026-09/london-year/recognise"]
    assert _shown(recognise) == [
        "Liabilities:Deferred-Revenue:London 30.00 GBP @ 1.30",
        "Liabilities:Deferred-Revenue:London 10.85 GBP @ 1.25",
        "Income:Cloud -39.00 USD",
        "Income:Cloud -13.56 USD",
        "Equity:Rounding -0.0025 USD",  # 39.00 + 13.5625 out of deferred, 52.56 booked
    ]
    assert recognise.narration == (
        "Cloud: recognised the year from 2026-09-01 (1 x 30.00 GBP x 12 months = 360.00): 1/12 ="
        " 30.00; the change from 2026-09-20 (+341.26 for 346 days): 11/346 days = 10.85;"
        " together 40.85, September 2026"
    )
    assert load_errors(main) == []
    assert ok(run(main, "verify"))[-1].endswith("0 finding(s), no drift")


def test_a_leap_day_contract_closes_across_february(
    run: Run, ok: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From 2028-02-29: invoiced that day; the anniversary 2029-02-28 invoices the second year
    (inv-2029-02-28-acme) and closes the first with its rest, 28.97 (see the pure test)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2029-03-05")
    main = _ledger(run, ok, tmp_path / "books", "2028-02-01")
    _steps(run, ok, main,
           ("customer", "add", "acme", "--name", "Acme Realty", "--currency", "USD", "--date",
            "2028-02-01"),
           ("contract", "add", "acme-year", "--customer", "acme", "--stream", "cloud", "--price",
            "30 USD", "--quantity", "1", "--start", "2028-02-29", "--item", "cloud-user",
            "--billing", "annual"),
           *_months(Month(2028, 2), 13))  # fmt: skip
    entries = _by_id(main)
    first = entries["close/2028-02/acme-year/invoice"]
    assert (first.date, first.meta["invoice"]) == (
        datetime.date(2028, 2, 29),
        "inv-2028-02-29-acme",
    )
    second = entries["close/2029-02/acme-year/invoice"]
    assert (second.date, second.meta["invoice"]) == (
        datetime.date(2029, 2, 28),
        "inv-2029-02-28-acme",
    )
    assert _shown(entries["close/2029-02/acme-year/recognise-2028-02-29"]) == [
        "Liabilities:Deferred-Revenue:Acme 28.97 USD",
        "Income:Cloud -28.97 USD",
    ]
    assert _shown(entries["close/2029-02/acme-year/recognise"]) == [
        "Liabilities:Deferred-Revenue:Acme 1.07 USD",
        "Income:Cloud -1.07 USD",
    ]
    assert load_errors(main) == []
    assert ok(run(main, "verify"))[-1].endswith("0 finding(s), no drift")


# ---------------------------------------------------------------- receive sets off credit

CSV_HEADER = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"


def _credit_and_a_sale(run: Run, ok: Any, main: Path) -> None:
    """acme pays 2,200.00 on 2026-12-02 for November's 2,125.00: 75.00 held as credit; a
    sale of 500.00 on the 5th is then open beside it."""
    assert ok(run(main, "receive", "acme", "2200 USD", "--date", "2026-12-02", "--ref",
                  "BANK-1")) == [
        "received 2200.00 USD from acme: 2125.00 USD to inv-2026-11-acme, 75.00 USD held as credit"
    ]  # fmt: skip
    ok(run(main, "sell", "acme", "500 USD", "--stream", "services", "--date", "2026-12-05",
           "--memo", "Training"))  # fmt: skip


def _open(main: Path, invoice: str) -> Decimal:
    return sum(
        (
            p.units.number
            for e in load_entries(main)
            if hasattr(e, "postings")
            for p in e.postings
            if p.account == "Assets:Receivable:Acme"
            and ((p.meta or {}).get("invoice") or e.meta.get("invoice")) == invoice
        ),
        D(0),
    )


def test_receive_sets_the_credit_held_against_the_invoice_still_open(
    run: Run, ok: Any, closed_seed: Path
) -> None:
    """100.00 received on the 10th pays the sale's invoice, and the 75.00 of credit is set
    against what it leaves (400.00), one entry: 500.00 - 100.00 - 75.00 = 325.00 open."""
    _credit_and_a_sale(run, ok, closed_seed)
    assert ok(run(closed_seed, "receive", "acme", "100 USD", "--date", "2026-12-10", "--ref",
                  "BANK-2")) == [
        "received 100.00 USD from acme: 100.00 USD to inv-2026-12-05-acme; credit applied:"
        " 75.00 USD to inv-2026-12-05-acme"
    ]  # fmt: skip
    entry = _by_id(closed_seed)["apply-credit/inv-2026-12-05-acme/2026-12-10/1"]
    assert entry.date == datetime.date(2026, 12, 10)
    assert _shown(entry) == [
        "Liabilities:Customer-Credit:Acme 75.00 USD",
        "Assets:Receivable:Acme -75.00 USD",
    ]
    assert entry.postings[0].meta["credit"] == "receive/BANK-1"
    assert _open(closed_seed, "inv-2026-12-05-acme") == D("325.00")
    assert load_errors(closed_seed) == []


def test_an_imported_receipt_sets_off_credit_once(
    run: Run, ok: Any, closed_seed: Path, snapshot: Any
) -> None:
    """The same 100.00 from a bank statement: the receipt and the set-off, written together;
    importing the statement again changes no file."""
    _credit_and_a_sale(run, ok, closed_seed)
    statement = closed_seed.parent / "bank.csv"
    statement.write_text(
        CSV_HEADER + "2026-12-10,2026-12-10,20261210-0001,ACME REALTY LLC,"
        'INVOICE INV-2026-12-05-ACME,100.00,USD,"1,000.00"\n'
    )
    lines = ok(run(closed_seed, "import", str(statement), "--no-balance"))
    assert lines[0] == (
        "line 2  2026-12-10  20261210-0001  +100.00 USD  receipt: invoice inv-2026-12-05-acme in"
        " the text; received 100.00 USD from acme: 100.00 USD to inv-2026-12-05-acme; credit"
        " applied: 75.00 USD to inv-2026-12-05-acme"
    )
    entries = _by_id(closed_seed)
    assert _shown(entries["apply-credit/inv-2026-12-05-acme/2026-12-10/1"]) == [
        "Liabilities:Customer-Credit:Acme 75.00 USD",
        "Assets:Receivable:Acme -75.00 USD",
    ]
    assert _open(closed_seed, "inv-2026-12-05-acme") == D("325.00")
    before = snapshot(closed_seed.parent)
    again = ok(run(closed_seed, "import", str(statement), "--no-balance"))
    assert "recorded: already recorded (receive/20261210-0001)" in again[0]
    assert snapshot(closed_seed.parent) == before
    assert load_errors(closed_seed) == []
