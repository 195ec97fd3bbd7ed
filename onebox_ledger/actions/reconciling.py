"""``onebox reconcile``: OneBox's bill lines against the close's accrual (see reconcile.py);
with ``--record``, the bill booked as one adjustment per line (a match at 0.00); ``onebox
dispute``, a dispute of one of those lines (see disputes.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from beancount.core.amount import Amount

from .. import disputes
from .. import reconcile as core
from ..model import parse_book
from ..money import MoneyError
from ..store import Ledger, LedgerError
from ..values import ZERO, InputError, Money, Month, make_text, show_money, show_value
from .helpers import Written, _not_sealed, _suggest
from .money_events import _state, write_events


@dataclass(frozen=True)
class Reconciled:
    bill: str
    currency: str
    findings: list[core.Finding]
    accrued: object  # Decimal: what the books accrued on the bill
    message: str = ""  # what --record wrote (empty: not asked)
    text: str = ""


def read_bill(path: Path, mapping: Mapping[str, str]) -> list[core.BillLine]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    lines = core.read_lines(text, str(path), mapping)
    if not lines:
        raise InputError(f"{path} has no bill lines")
    return lines


def reconcile(
    ledger: Ledger,
    path: Path,
    *,
    bill: str | None,
    mapping: Mapping[str, str],
    record: bool = False,
    date: datetime.date | None = None,
) -> Reconciled:
    lines = read_bill(path, mapping)
    periods = sorted({str(line.period) for line in lines})
    if bill is None:
        if len(periods) != 1:
            raise InputError(
                f"{path} bills {len(periods)} periods ({', '.join(periods)}); name the bill with --bill"
            )
        bill = f"onebox-{periods[0]}"
    other = [line for line in lines if f"onebox-{line.period}" != bill]
    if bill.startswith("onebox-") and other:
        raise InputError(
            f"{path}:{other[0].line}: period {other[0].period} is not the period of bill {bill}"
        )
    if record and date is None:
        raise InputError("--record needs --date (the date of OneBox's bill)")
    with ledger.locked():
        loaded = ledger.load_valid()
        state = _state(ledger, loaded)
        item = state.bills.get(bill)
        if item is None:
            raise InputError(f"unknown bill {show_value(bill)}{_suggest(bill, list(state.bills))}")
        currencies = sorted({line.currency for line in lines} - {item.currency})
        if currencies:
            raise InputError(f"bill {bill} is in {item.currency}; the lines hold {currencies[0]}")
        book, _ = parse_book(loaded.entries)
        findings = core.classify(lines, core.expected(loaded.entries, book, bill))
        done = Reconciled(bill, item.currency, findings, item.accrued)
        if not record:
            return done
        assert date is not None
        billed = sum((line.amount for line in lines), ZERO)
        lined = any(
            i.startswith((f"bill/{bill}/line-", f"bill/{bill}/missing-")) for i in state.by_id
        )
        if item.billed == billed and (item.billed != item.accrued or lined):
            return Reconciled(bill, item.currency, findings, item.accrued,
                              f"bill {bill} already stands at {show_money(billed, item.currency)};"
                              " nothing changed")  # fmt: skip
        if item.billed != item.accrued:
            raise LedgerError(
                f"bill {bill} is already recorded at {show_money(item.billed, item.currency)}"
                f" (accrued {show_money(item.accrued, item.currency)}); reconcile only a bill not"
                " yet recorded"
            )
        if date < item.date:
            raise InputError(f"--date {date} is before bill {bill} of {item.date}")
        _not_sealed(ledger, date, "--date")
        if billed < item.paid:
            raise LedgerError(
                f"bill {bill}: {show_money(billed, item.currency)} is less than the"
                f" {show_money(item.paid, item.currency)} already paid"
            )
        try:
            entries = core.adjustments(findings, item, book, date=date, rates=state.rates)
        except MoneyError as err:
            raise LedgerError(str(err)) from None
        text = write_events(ledger, loaded, state, entries, accrue=False)
    variance = billed - item.accrued
    message = (
        f"bill {bill}: billed {show_money(billed, item.currency)}, accrued"
        f" {show_money(item.accrued, item.currency)}, difference"
        f" {show_money(variance, item.currency, sign=True)} in {len(entries)} adjustment(s),"
        " one per line"
    )
    return Reconciled(bill, item.currency, findings, item.accrued, message, text)


def dispute(ledger: Ledger, bill: str, line: int, *, memo: str, date: datetime.date) -> Written:
    """Dispute line `line` of `bill`, as ``onebox reconcile --record`` booked it: for its
    difference, until OneBox credits it (``onebox bill BILL AMOUNT --credit``)."""
    memo = make_text(memo, "memo")
    key = f"line-{line}"
    with ledger.locked():
        loaded = ledger.load_valid()
        state = _state(ledger, loaded)
        if bill not in state.bills:
            raise InputError(f"unknown bill {show_value(bill)}{_suggest(bill, list(state.bills))}")
        booked = state.by_id.get(disputes.line_id(bill, key))
        if booked is None:
            raise LedgerError(
                f"line {line} of bill {bill} is not in the books (book the bill line by line"
                " first: onebox reconcile FILE --record --date DATE)"
            )
        amount = booked.meta.get("amount")
        assert isinstance(amount, Amount) and amount.number is not None  # reconcile writes it
        if amount.number <= 0:
            differs = show_money(amount.number, amount.currency, sign=True)
            raise LedgerError(
                f"line {line} of bill {bill} differs by {differs} from the books"
                f" ({booked.meta.get('reason')}); nothing to dispute"
            )
        for found in disputes.disputes(state.disputing):
            if (found.bill, found.line) == (bill, key):
                raise LedgerError(
                    f"line {line} of bill {bill} is already disputed since {found.date}"
                )
        if date < booked.date:
            raise InputError(f"--date {date} is before line {line} was booked ({booked.date})")
        _not_sealed(ledger, date, "--date")
        entry = disputes.dispute_entry(bill, key, date, Money(amount.number, amount.currency), memo)
        text = write_events(ledger, loaded, state, [entry], accrue=False)
    return Written(
        ledger.month_path(Month.of(date)), text,
        f"bill {bill} line {line} disputed: {show_money(amount.number, amount.currency)}"
        f" ({booked.meta.get('reason')}); report payables keeps it open until OneBox credits it",
    )  # fmt: skip
