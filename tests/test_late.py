"""Late statements: money the bank moved in a sealed month is booked on the first open day,
with ``value-date`` holding the bank's date; the sealed month's numbers stay as sealed.

The demo's books are closed through 2026-10; today is 2026-12-15. As of 2026-10-31 Harbor
Clinic owes inv-2026-08 (504.00, 31 days past due), inv-2026-09 (504.00) and inv-2026-10
(504.00); Berlin Immo owes inv-2026-10-berlin-immo, 92.00 EUR held at 1.08.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount
from click.testing import Result
from conftest import load_entries, load_errors

D = Decimal
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Refused = Callable[[Result, int], str]
Snapshot = Callable[[Path], dict[str, bytes]]
HEADER = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
NOV = "ledger/journal/2026-11.beancount"


def entry(main: Path, entry_id: str) -> data.Transaction:
    found = [e for e in load_entries(main) if e.meta.get("id") == entry_id]
    assert len(found) == 1
    return found[0]


def receivables(run: Run, ok: Ok, main: Path, as_of: str) -> dict[str, str]:
    rows = json.loads("\n".join(ok(run(main, "report", "receivables", "--as-of", as_of,
                                        "--format", "json"))))  # fmt: skip
    return {row["customer"]: row["total"] for row in rows["totals"]}


def test_a_receipt_dated_in_a_sealed_month_is_booked_on_the_first_open_day(
    demo: Path, run: Run, ok: Ok
) -> None:
    october = (demo.parent / "ledger" / "journal" / "2026-10.beancount").read_bytes()
    sealed_view = receivables(run, ok, demo, "2026-10-31")
    assert sealed_view["harbor-clinic"] == "1512.00"

    lines = ok(run(demo, "receive", "harbor-clinic", "504 USD", "--date", "2026-10-28",
                   "--ref", "BANK-LATE-1"))  # fmt: skip

    assert lines == [
        "received 504.00 USD from harbor-clinic: 504.00 USD to inv-2026-08-harbor-clinic;"
        " booked on 2026-11-01, value date 2026-10-28 (2026-10 is sealed)",
    ]
    late = entry(demo, "receive/BANK-LATE-1")
    assert (late.date, late.meta["value-date"], late.meta["ref"]) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 10, 28),
        "BANK-LATE-1",
    )
    assert [(p.account, p.units.number, p.meta.get("invoice")) for p in late.postings] == [
        ("Assets:Bank", D("504.00"), None),
        ("Assets:Receivable:Harbor-Clinic", D("-504.00"), "inv-2026-08-harbor-clinic"),
    ]
    # the sealed month is as it was: its file, its receivables as of its end
    assert (demo.parent / "ledger" / "journal" / "2026-10.beancount").read_bytes() == october
    assert receivables(run, ok, demo, "2026-10-31") == sealed_view
    assert receivables(run, ok, demo, "2026-11-30")["harbor-clinic"] == "1008.00"  # 1512 - 504
    assert load_errors(demo) == []
    # the same ref and content again: a no-op (the content compares the bank's date)
    assert ok(run(demo, "receive", "harbor-clinic", "504 USD", "--date", "2026-10-28", "--ref",
                  "BANK-LATE-1"))[0] == "ref BANK-LATE-1 already recorded; nothing changed"  # fmt: skip
    last = ok(run(demo, "verify"))[-1]
    assert last == (
        "verify: 10 sealed month(s) (2026-01..2026-10), 216 generated entries re-derived,"
        " 1 booked late (value-date in a sealed month), 9 commission(s) re-derived, 9 document(s) checked,"
        " 0 finding(s), no drift"
    )


def test_a_late_foreign_receipt_moves_at_its_own_days_rate(demo: Path, run: Run, ok: Ok) -> None:
    """92.00 EUR from Berlin Immo on 2026-10-31, booked 2026-11-01, when a rate of 1.10 is
    in force from 2026-11-01: the cash moves at the bank's day's 1.08, the invoice held at
    1.08, so no exchange difference."""
    ok(run(demo, "price", "EUR", "1.10 USD", "--date", "2026-11-01"))
    ok(run(demo, "receive", "berlin-immo", "92 EUR", "--date", "2026-10-31", "--ref", "W-9"))
    late = entry(demo, "receive/W-9")
    assert late.date == datetime.date(2026, 11, 1)
    assert [(p.account, p.units, p.price) for p in late.postings] == [
        ("Assets:Wise:EUR", Amount(D("92.00"), "EUR"), Amount(D("1.08"), "USD")),
        ("Assets:Receivable:Berlin-Immo", Amount(D("-92.00"), "EUR"), Amount(D("1.08"), "USD")),
    ]


def test_a_late_payment_to_onebox_is_booked_on_the_first_open_day(
    demo: Path, run: Run, ok: Ok
) -> None:
    lines = ok(run(demo, "onebox", "pay", "100 USD", "--date", "2026-10-30", "--ref", "OB-7"))
    assert lines[0].endswith("; booked on 2026-11-01, value date 2026-10-30 (2026-10 is sealed)")
    paid = entry(demo, "pay/OB-7")
    assert (paid.date, paid.meta["value-date"]) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 10, 30),
    )


def test_revenue_of_a_sealed_month_stays_refused(
    demo: Path, run: Run, refused: Refused, snapshot: Snapshot
) -> None:
    before = snapshot(demo.parent)
    assert refused(
        run(demo, "sell", "harbor-clinic", "100 USD", "--date", "2026-10-15", "--memo", "x"), 1
    ) == (
        "date 2026-10-15 is in sealed month 2026-10; the books are closed through 2026-10"
        " (use a date from 2026-11-01 on)"
    )
    assert snapshot(demo.parent) == before


def test_a_statement_with_rows_in_a_sealed_month_books_them_late_once(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """October's statement arrives after October was closed: a receipt, a fee and rent (by a
    rule) are booked on 2026-11-01 with their bank dates; importing it again books nothing."""
    statement = tmp_path / "october.csv"
    statement.write_text(
        HEADER
        + "2026-10-29,2026-10-29,OCT-1,Office Rent LLC,Rent October 2026,-1500.00,USD,\n"
        + "2026-10-30,2026-10-30,OCT-2,HARBOR CLINIC,Payment August,504.00,USD,\n"
        + "2026-10-30,2026-10-30,OCT-3,,Account maintenance fee,-12.00,USD,\n",
        encoding="utf-8",
    )
    ok(run(demo, "rule", "add", "Office Rent", "Expenses:Rent", "--direction", "out"))
    late = "; booked on 2026-11-01, value date {} (2026-10 is sealed)"
    assert ok(run(demo, "import", str(statement)))[:4] == [
        "line 2  2026-10-29  OCT-1  -1500.00 USD  booked: rule 'Office Rent'; 1500.00 USD to"
        " Expenses:Rent" + late.format("2026-10-29"),
        "line 3  2026-10-30  OCT-2  +504.00 USD  receipt: counterparty is the customer; received"
        " 504.00 USD from harbor-clinic: 504.00 USD to inv-2026-08-harbor-clinic"
        + late.format("2026-10-30"),
        "line 4  2026-10-30  OCT-3  -12.00 USD  fee: a bank fee (Account maintenance fee); 12.00"
        " USD to Expenses:Bank-Fees" + late.format("2026-10-30"),
        "booked: 1 receipt (in 504.00 USD), 1 fee (out 12.00 USD), 1 booked (out 1500.00 USD);"
        " listed: none",
    ]
    booked = {e.meta["id"]: (e.date, e.meta["value-date"]) for e in load_entries(demo)
              if "value-date" in e.meta}  # fmt: skip
    nov1 = datetime.date(2026, 11, 1)
    assert booked == {
        "rule/OCT-1": (nov1, datetime.date(2026, 10, 29)),
        "receive/OCT-2": (nov1, datetime.date(2026, 10, 30)),
        "fee/OCT-3": (nov1, datetime.date(2026, 10, 30)),
    }
    assert ok(run(demo, "import", str(statement)))[-1] == (
        "booked: none; listed: 3 recorded (in 504.00 USD, out 1512.00 USD)"
    )
    assert load_errors(demo) == []


def test_a_value_date_that_is_not_in_an_earlier_sealed_month_is_a_finding(
    demo: Path, run: Run, ok: Ok
) -> None:
    ok(run(demo, "receive", "harbor-clinic", "504 USD", "--date", "2026-11-20", "--ref", "B-1"))
    november = demo.parent / NOV
    text = november.read_text(encoding="utf-8")
    november.write_text(text.replace('  ref: "B-1"\n', '  ref: "B-1"\n  value-date: 2026-11-19\n'))
    result = run(demo, "verify")
    assert result.exit_code == 1
    line = text[: text.index('id: "receive/B-1"')].count("\n")
    assert result.stdout.splitlines()[0] == (
        f"error: {NOV}:{line}: value-date 2026-11-19 is not in a month sealed before the entry's"
        " date 2026-11-20 (a value-date marks money booked after its month was sealed)"
    )
