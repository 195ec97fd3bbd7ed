"""Books sealed by rules 1 (onebox-ledger before annual contracts were invoiced on their
day): `verify` re-derives their sealed months as written, and the closes after them finish
each year as it began (model.rules_1_years), while the next anniversary is invoiced by
rules 2.

tests/fixtures/rules-1 was written by the code of 8f2f84c (tests/fixtures/rules-1/make.sh):
Acme Realty, 3 x 25.00 USD a month (acme-cloud) and 2 x 20.00 USD a year from 2026-09-15
(acme-year: 480.00); Bravo Builders, 1 x 30.00 USD a year from 2026-10-01 (bravo-year:
360.00) and 50.00 USD of services a month in advance (bravo-adv); OneBox 25.00 at 65%; 540.00
received from Acme on 2026-10-20; September to November 2026 closed, December's advance
invoice issued (inv-2026-12-bravo, dated 2026-12-01: the advance invoice had the close's id
then, close.advance_invoice_ids). Rules 1 invoiced each year on its month's last day on the month's invoice
(inv-2026-09-acme, due 2026-10-30) and recognised 480.00 / 12 = 40.00 in each of the twelve
months from September 2026 (September too, though the year starts on the 15th)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, error_line, load_entries, load_errors, take_snapshot

D = Decimal
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rules-1"
HEAD = "sha256:ad09e6730f0a796ae697161d41df3f550f5c3570802b62935e2e93fee13e4997"

# December 2026 as the close writes it, by rules 1 for both years (hand-computed: acme-cloud
# 3 x 25.00 = 75.00, OneBox 3 x 25.00 x 0.65 = 48.75; acme-year 480.00 / 12 = 40.00, month 4
# of 12, OneBox 2 x 25.00 x 0.65 = 32.50; bravo-year 360.00 / 12 = 30.00, month 3 of 12,
# OneBox 25.00 x 0.65 = 16.25; the bill 48.75 + 32.50 + 16.25 = 97.50; bravo-adv's 50.00
# invoiced on December 1st by the old code, on the id it was issued with, recognised 50.00).
DECEMBER = """\
2026-12-01 * "Bravo Builders" "Services: 1 x 50.00 USD, in advance, December 2026"
  id: "invoice/2026-12/bravo-adv/advance"
  customer: "bravo"
  contract: "bravo-adv"
  period: "2026-12"
  invoice: "inv-2026-12-bravo"
  due: 2026-12-31
  Assets:Receivable:Bravo                    50.00 USD
  Liabilities:Deferred-Revenue:Bravo        -50.00 USD

2026-12-31 * "Acme Realty" "Cloud: 3 x 25.00 USD, December 2026"
  id: "close/2026-12/acme-cloud/invoice"
  customer: "acme"
  contract: "acme-cloud"
  period: "2026-12"
  invoice: "inv-2026-12-acme"
  due: 2027-01-30
  Assets:Receivable:Acme         75.00 USD
  Income:Cloud                  -75.00 USD

2026-12-31 * "OneBox" "Cloud: 3 x cloud-user at 25.00 USD x 65% of list for acme-cloud, December 2026"
  id: "close/2026-12/acme-cloud/cost"
  customer: "acme"
  contract: "acme-cloud"
  period: "2026-12"
  bill: "onebox-2026-12"
  due: 2027-01-30
  Expenses:OneBox:Cloud              48.75 USD
  Liabilities:OneBox:Payable        -48.75 USD

2026-12-31 * "Acme Realty" "Cloud: recognised 2 x 20.00 USD x 12 months from 2026-09-15, month 4 of 12, December 2026"
  id: "close/2026-12/acme-year/recognise"
  customer: "acme"
  contract: "acme-year"
  period: "2026-12"
  Liabilities:Deferred-Revenue:Acme         40.00 USD
  Income:Cloud                             -40.00 USD

2026-12-31 * "OneBox" "Cloud: 2 x cloud-user at 25.00 USD x 65% of list for acme-year, December 2026"
  id: "close/2026-12/acme-year/cost"
  customer: "acme"
  contract: "acme-year"
  period: "2026-12"
  bill: "onebox-2026-12"
  due: 2027-01-30
  Expenses:OneBox:Cloud              32.50 USD
  Liabilities:OneBox:Payable        -32.50 USD

2026-12-31 * "Bravo Builders" "Services: recognised 1 x 50.00 USD, December 2026"
  id: "close/2026-12/bravo-adv/recognise"
  customer: "bravo"
  contract: "bravo-adv"
  period: "2026-12"
  Liabilities:Deferred-Revenue:Bravo         50.00 USD
  Income:Services                           -50.00 USD

2026-12-31 * "Bravo Builders" "Cloud: recognised 1 x 30.00 USD x 12 months from 2026-10-01, month 3 of 12, December 2026"
  id: "close/2026-12/bravo-year/recognise"
  customer: "bravo"
  contract: "bravo-year"
  period: "2026-12"
  Liabilities:Deferred-Revenue:Bravo         30.00 USD
  Income:Cloud                              -30.00 USD

2026-12-31 * "OneBox" "Cloud: 1 x cloud-user at 25.00 USD x 65% of list for bravo-year, December 2026"
  id: "close/2026-12/bravo-year/cost"
  customer: "bravo"
  contract: "bravo-year"
  period: "2026-12"
  bill: "onebox-2026-12"
  due: 2027-01-30
  Expenses:OneBox:Cloud              16.25 USD
  Liabilities:OneBox:Payable        -16.25 USD
"""


@pytest.fixture
def books(tmp_path: Path, fixed_today: None) -> Path:
    root = tmp_path / "books"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("make.sh"))
    return root / "main.beancount"


def _income(main: Path, contract: str) -> dict[str, Decimal]:
    """Income recognised per month for `contract`."""
    out: dict[str, Decimal] = {}
    for entry in load_entries(main):
        if getattr(entry, "meta", {}).get("contract") != contract:
            continue
        for post in getattr(entry, "postings", []):
            if post.account.startswith("Income:"):
                month = str(entry.meta["period"])
                out[month] = out.get(month, D(0)) - post.units.number
    return out


def test_verify_re_derives_months_sealed_by_rules_1(run: Run, ok: Any, books: Path) -> None:
    assert load_errors(books) == []
    assert ok(run(books, "verify")) == [
        f"head: 2026-11 {HEAD}",
        "verify: 3 sealed month(s) (2026-09..2026-11), 22 generated entries re-derived, 1 booked"
        " late (value-date in a sealed month), 0 finding(s), no drift",
    ]


def test_the_next_close_keeps_rules_1_for_the_years_they_invoiced(
    run: Run, ok: Any, books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-05")
    ok(run(books, "close", "2026-12"))
    text = (books.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    body, seal = text.split('\n2026-12-31 custom "onebox-close" "2026-12" ')
    assert body == (
        "; 2026-12: written by onebox-ledger. The close seals this month; edit nothing by hand."
        f"\n\n{DECEMBER}"
    )
    assert seal.splitlines()[1:] == ["  boxes: 2", "  rate: 0.65", f'  previous: "{HEAD}"']
    assert ok(run(books, "verify"))[-1].endswith("0 finding(s), no drift")
    assert load_errors(books) == []


def test_a_rules_1_year_ends_as_it_began_and_the_next_is_invoiced_on_its_day(
    run: Run, ok: Any, books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed to October 2027: acme-year's first year recognises 12 x 40.00 = 480.00 from
    September 2026 to August 2027 and nothing more (rules 1 took September 2026's 15 days
    in its first twelfth: no rest in September 2027); the second year, by rules 2, is
    invoiced on 2027-09-15 (inv-2027-09-15-acme, due 2027-10-15) and September 2027
    recognises 480.00 / 12 x 16/30 = 21.33. bravo-year: 12 x 30.00 from October 2026 to
    September 2027, the next year invoiced on 2027-10-01 (its second invoice of the day) and October 30.00. Deferred revenue
    left: Acme 480.00 - 21.33 - 40.00 = 418.67, Bravo 360.00 - 30.00 = 330.00 (each advance
    month recognised in full)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2027-11-05")
    for month in range(12, 23):
        ok(run(books, "close", f"{2026 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}"))
    acme = _income(books, "acme-year")
    assert [acme[f"2026-{m:02d}"] for m in (9, 10, 11, 12)] == [D("40.00")] * 4
    assert [acme[f"2027-{m:02d}"] for m in range(1, 9)] == [D("40.00")] * 8
    assert acme["2027-09"] == D("21.33")
    assert acme["2027-10"] == D("40.00")
    bravo = _income(books, "bravo-year")
    assert sorted(bravo.items())[0] == ("2026-10", D("30.00"))
    assert set(bravo.values()) == {D("30.00")} and len(bravo) == 13
    by_id = {e.meta.get("id"): e for e in load_entries(books) if hasattr(e, "postings")}
    assert "close/2027-09/acme-year/recognise-2026-09-15" not in by_id
    assert by_id["close/2027-08/acme-year/recognise"].narration == (
        "Cloud: recognised 2 x 20.00 USD x 12 months from 2026-09-15, month 12 of 12, August 2027"
    )
    second = by_id["close/2027-09/acme-year/invoice"]
    assert (str(second.date), second.meta["invoice"], str(second.meta["due"])) == (
        "2027-09-15", "inv-2027-09-15-acme", "2027-10-15",
    )  # fmt: skip
    # the year's invoice of 2027-10-01: the advance invoice of the day, issued first, holds
    # inv-2027-10-01-bravo, so the year's is the day's second invoice
    assert by_id["close/2027-10/bravo-year/invoice"].meta["invoice"] == "inv-2027-10-01-bravo.2"
    # an advance invoice issued now has its own id, the invoice of its day
    assert by_id["invoice/2027-01/bravo-adv/advance"].meta["invoice"] == "inv-2027-01-01-bravo"
    deferred: dict[str, Decimal] = {}
    for entry in by_id.values():
        for post in entry.postings:
            if post.account.startswith("Liabilities:Deferred-Revenue:"):
                deferred[post.account] = deferred.get(post.account, D(0)) + post.units.number
    assert deferred == {
        "Liabilities:Deferred-Revenue:Acme": D("-418.67"),
        "Liabilities:Deferred-Revenue:Bravo": D("-330.00"),
    }
    # 86 entries of the other contracts (invoices, recognitions, costs) and bravo-adv's
    # advance invoice and recognition in each of the 13 months from October 2026: 86 + 26
    assert ok(run(books, "verify"))[-1] == (
        "verify: 14 sealed month(s) (2026-09..2027-10), 112 generated entries re-derived, 1"
        " booked late (value-date in a sealed month), 0 finding(s), no drift"
    )
    assert load_errors(books) == []


def test_a_change_in_a_rules_1_year_is_invoiced_by_rules_1(
    run: Run, ok: Any, books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 seats from 2027-01-10 in the year from 2026-09-15 (365 days): +240.00 a year for the
    248 days to 2027-09-14, 240 x 248/365 = 163.068.. -> 163.07, invoiced, as rules 1 did, on
    January's last day on January's invoice; January recognises 40.00 + 163.07 x 22/248 =
    40.00 + 14.47 = 54.47."""
    monkeypatch.setenv("ONEBOX_TODAY", "2027-02-05")
    ok(run(books, "close", "2026-12"))
    ok(run(books, "contract", "change", "acme-year", "--quantity", "3", "--date", "2027-01-10"))
    ok(run(books, "close", "2027-01"))
    by_id = {e.meta.get("id"): e for e in load_entries(books) if hasattr(e, "postings")}
    change = by_id["close/2027-01/acme-year/change-2027-01-10"]
    assert (str(change.date), change.meta["invoice"]) == ("2027-01-31", "inv-2027-01-acme")
    assert change.narration == (
        "Cloud: 3 x 20.00 USD from 2027-01-10: +163.07 for 248/365 days to 2027-09-14, January 2027"
    )
    assert [p.units.number for p in change.postings] == [D("163.07"), D("-163.07")]
    assert _income(books, "acme-year")["2027-01"] == D("54.47")
    assert ok(run(books, "verify"))[-1].endswith("0 finding(s), no drift")


def test_a_year_close_refuses_to_roll_a_rules_1_year_still_running(
    run: Run, books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """acme-year's year from 2026-09-15 (rules 1) runs to 2027-09-14: rolling 2026 would
    leave its record in the archive, so it is refused, one line, nothing written."""
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-05")
    assert run(books, "close", "2026-12").exit_code == 0
    before = take_snapshot(books.parent)
    assert error_line(run(books, "year", "close", "2026"), 1) == (
        "cannot roll 2026: acme-year's year from 2026-09-15 was invoiced by the rules before"
        " 2026-12-07 and runs to 2027-09-14; rolling such a year forward is not supported yet"
    )
    assert take_snapshot(books.parent) == before
