"""status: what is sealed, what has ended unclosed, what is due, what the load checked. Pure.

On the shipped demo (ten months sealed, 2026-01..2026-10; November not closed;
OneBox's October bill unpaid; Harbor Clinic three invoices behind) and on inline
ledgers for a ledger never closed, a gap in the seals and a bill in grace. The
chain's head is read from the demo's text (conftest.demo_head), not hard-coded.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from conftest import Seal

from onebox_ledger import model, reports, seals, status
from onebox_ledger.values import Month

D = Decimal
ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 12, 15)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(scope="module")
def demo(
    shipped_demo: tuple[list[data.Directive], model.Book],
) -> tuple[list[data.Directive], model.Book]:
    return shipped_demo


def of(
    entries: list[data.Directive],
    book: model.Book,
    today: datetime.date,
    errors: Sequence[Any] = (),
    plugins: Sequence[str] = (status.SEAL_PLUGIN,),
) -> status.Status:
    """The status as the page computes it: from the reports as of `today`."""
    return status.status(
        book,
        entries,
        payables=reports.payables(entries, "USD", as_of=today),
        receivables=reports.receivables(entries, "USD", as_of=today),
        today=today,
        errors=errors,
        plugins=plugins,
    )


def test_the_demo_on_2026_12_15(
    demo: tuple[list[data.Directive], model.Book], demo_head: Seal
) -> None:
    entries = demo[0]
    state = of(*demo, TODAY)
    assert [str(m) for m in state.sealed] == [f"2026-{m:02d}" for m in range(1, 11)]
    assert not state.gaps
    assert state.head is not None
    assert (str(state.head.month), state.head.digest) == ("2026-10", demo_head.digest)
    assert state.head.entry.date == day("2026-10-31")  # the seal's date, the month's last day
    assert state.unclosed == [Month(2026, 11)]  # December has not ended
    # OneBox's October bill: due 30 days after 10-31 (ledger/terms.beancount), nothing paid to
    # it by 12-15 (no journal file after October's), so overdue; the row is the payables' own
    payables = reports.payables(entries, "USD", as_of=TODAY)
    (october,) = [row for row in status.rows(payables) if row["bill"] == "onebox-2026-10"]
    assert (october["due"], october["paid"], october["status"]) == (
        day("2026-11-30"), D("0.00"), "overdue",
    )  # fmt: skip
    assert state.bills == [october]
    # most days past due first: Harbor Clinic's August invoice (due 09-30: 76 days on 12-15),
    # then its September one (due 10-30: 46 days); every invoice past due is listed
    assert [(r["invoice"], r["days_past_due"]) for r in state.past_due[:2]] == [
        ("inv-2026-08-harbor-clinic", 76),
        ("inv-2026-09-harbor-clinic", 46),
    ]
    receivables = reports.receivables(entries, "USD", as_of=TODAY)
    late = [row for row in status.rows(receivables) if row["days_past_due"]]
    assert sorted(r["invoice"] for r in state.past_due) == sorted(r["invoice"] for r in late)
    days = [r["days_past_due"] for r in state.past_due]
    assert days == sorted(days, reverse=True)
    # 31-60 and 61-90 are Harbor's September and August invoices alone, 12 x 42.00 = 504.00
    # each; nothing is over 90 days (the oldest open invoice is Harbor's August one); 1-30 is
    # the receivables' total row (every October invoice, worked out in test_trends)
    (grand,) = [row for row in status.totals(receivables) if row["customer"] == "total"]
    assert state.past_due_buckets == {
        "1-30": grand["1-30"], "31-60": D("504.00"), "61-90": D("504.00"), "90+": D("0.00"),
    }  # fmt: skip
    assert state.past_due_total == grand["1-30"] + D("1008.00")
    assert (state.errors, state.seal_findings, state.seal_plugin) == (0, 0, True)


@pytest.mark.parametrize(
    ("today", "unclosed", "bills"),
    [
        ("2026-11-15", [], []),  # October sealed, November not ended; its bill due in 15 days
        ("2026-11-22", [], []),  # 8 days before 11-30
        ("2026-11-23", [], ["due within 7 days"]),  # 7 days: within (reports.payables' rule)
        ("2026-12-01", ["2026-11"], ["overdue"]),
        ("2027-02-01", ["2026-11", "2026-12", "2027-01"], ["overdue"]),
    ],
)
def test_unclosed_months_and_bills_due_by_day(
    demo: tuple[list[data.Directive], model.Book],
    today: str,
    unclosed: list[str],
    bills: list[str],
) -> None:
    state = of(*demo, day(today))
    assert [str(m) for m in state.unclosed] == unclosed
    assert [b["status"] for b in state.bills] == bills


def test_the_load_errors_and_the_seal_plugin(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    finding = seals.Finding({}, "2026-10 is sealed but what its seal covers changed", None)
    other = model.ModelError({}, "a malformed directive", None)
    state = of(*demo, TODAY, errors=[finding, other], plugins=[])
    assert (state.errors, state.seal_findings, state.seal_plugin) == (2, 1, False)


HEADER = """
option "operating_currency" "USD"
2026-01-01 open Assets:Bank
2026-01-01 open Liabilities:OneBox:Payable
2026-01-01 open Liabilities:OneBox:Grace
2026-01-01 open Expenses:OneBox:Cloud
2026-03-01 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"
2026-03-10 custom "onebox-contract" "acme-cloud"
  customer: "acme"
  stream: "cloud"
  price: 25.00 USD
  quantity: 5
"""

# OneBox's March bill, due April 30, deferred on April 20 under a grace period to May 20.
GRACE = """
2026-03-31 * "OneBox" "Cloud, March 2026"
  id: "close/2026-03/acme-cloud/cost"
  bill: "onebox-2026-03"
  due: 2026-04-30
  Expenses:OneBox:Cloud          81.25 USD
  Liabilities:OneBox:Payable    -81.25 USD

2026-04-20 * "OneBox" "Grace period for onebox-2026-03 until 2026-05-20"
  id: "grace/onebox-2026-03"
  bill: "onebox-2026-03"
  until: 2026-05-20
  Liabilities:OneBox:Payable     81.25 USD
  Liabilities:OneBox:Grace      -81.25 USD
"""


def load(text: str) -> tuple[list[data.Directive], model.Book]:
    entries, errors, _ = loader.load_string(HEADER + text)
    assert errors == []
    book, model_errors = model.parse_book(entries)
    assert model_errors == []
    return list(entries), book


def test_a_ledger_never_closed_counts_from_its_first_contract() -> None:
    state = of(*load(""), day("2026-06-02"))
    assert (state.sealed, state.head) == ([], None)
    assert [str(m) for m in state.unclosed] == ["2026-03", "2026-04", "2026-05"]


def test_a_bill_in_grace_is_due_at_the_end_of_its_grace() -> None:
    entries, book = load(GRACE)
    assert of(entries, book, day("2026-05-12")).bills == []  # 8 days before 05-20
    (bill,) = of(entries, book, day("2026-05-13")).bills  # 7 days before
    assert (bill["bill"], bill["open"], bill["due"], bill["status"]) == (
        "onebox-2026-03", D("81.25"), day("2026-05-20"), "in grace",
    )  # fmt: skip


def test_a_month_missing_between_seals_is_a_gap_and_unclosed() -> None:
    seal = '{} custom "onebox-close" "{}" "sha256:00"\n'
    entries, book = load(
        seal.format("2026-03-31", "2026-03") + seal.format("2026-05-31", "2026-05")
    )
    state = of(entries, book, day("2026-07-01"))
    assert state.gaps
    assert [str(m) for m in state.sealed] == ["2026-03", "2026-05"]
    assert [str(m) for m in state.unclosed] == ["2026-04", "2026-06"]
