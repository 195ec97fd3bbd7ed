"""The partner's bank statement as money events: receipts, payments to OneBox, fees, the rest.

The statement is read by ``statements.read_statement`` in a layout of
``layouts.LAYOUTS`` or a structured format (ISO 20022 camt.053, SWIFT MT940;
``formats.FORMATS``) (``BankImporter(layout="dkb")``; ``layout=None`` takes
whichever fits the file; the default is onebox-ledger's own CSV): rows oldest
first, money in > 0, each with a reference that becomes the ``ref:`` of what is
written and makes an import idempotent (the bank's transaction id, or one made
from the row's own fields, the same in overlapping statements). The tool's own
layout has one header line, ISO dates, a signed amount with a decimal point, at
most cents, optional thousands commas (the field is then quoted), the account's
currency (empty: the importer's) and the running balance, and each row its own
Reference::

    Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance
    2026-11-02,2026-11-02,20261102-0001,ACME REALTY LLC,INVOICE INV-2026-10-ACME-REALTY,200.00,USD,"18,200.00"
    2026-11-09,2026-11-09,20261109-0004,HARBOR CLINIC,Payment August and September,"1,008.00",USD,"19,765.49"
    2026-11-16,2026-11-16,20261116-0006,ONEBOX INC,Partner bill onebox-2026-10,"-1,087.16",USD,"19,343.33"
    2026-11-18,2026-11-18,20261118-0007,Office Rent LLC,Rent November 2026,"-1,500.00",USD,"17,843.33"

A file in no known layout, or any row with a bad value, is refused whole
(:class:`StatementError`, naming file, line, column and value). A file that is
read is never refused for what its rows mean: :func:`plan` gives every row one
outcome (:data:`Outcome`), from the most specific evidence to the least
(:func:`recognise`, over the text rules of ``matching_text``):

- ``skipped``: pending, cancelled or refunded at the bank (never booked);
- ``fee``: money out that is itself a bank fee (``Комісія ...``, ``Entgelt``,
  Chase's FEE_TRANSACTION), booked to the fee account (``Expenses:Bank-Fees``
  unless ``--fees`` names another);
- ``receipt``: money in naming a known invoice id (any case and separators, or
  cut short as ACH references cut it), else from a counterparty that is a
  customer (legal forms in any script and position ignored: ``ТОВ "BETA
  HOMES"`` is Beta Homes), else with the customer's id or full name in the
  description. It pays the named invoice, else the one invoice whose open
  amount the row pays exactly, else the oldest open ones; more than is open is
  the customer's credit;
- ``onebox-payment``: money out naming a known bill id (``onebox-2026-10``),
  else to a counterparty that is OneBox (``ONEBOX INC``, ``ТОВ "ONEBOX"``), else
  with a description naming OneBox as the payee (a card payment ``ONEBOX LLC``;
  matching_text.names_onebox); it pays that bill, else the oldest due; more
  than is due is prepaid; a fee charged with it is booked beside it;
- ``agent``: money out to an agent (agents.py), its counterparty the agent's name (as
  customers' names are compared) or its description naming the agent: what ``agent pay``
  would write, with the row's reference; more than the books owe the agent (counting the
  commission the rows before it accrued), a bank fee with it or a currency other than the
  books' is left for review;
- ``recorded``: the row's reference is already in the books with this content;
- ``review``, with the reason: a customer who owes nothing, ids of several
  customers, an invoice or bill id that names none in the books, an invoice
  already paid, money in from OneBox or out to a customer, a fee without a fee
  account, a date in a sealed month, a currency the customer is not billed in,
  a reference reused with other content;
- ``unrelated``: nothing above (rent, card purchases, unknown payers).

A booked row is exactly what ``onebox-ledger receive`` or ``onebox-ledger onebox
pay`` would write (``planner.receipt``, ``planner.onebox_payment``), with the
row's reference as ``--ref``; a fee the bank kept of a receipt or charged on a
payment is its own posting to the fee account::

    2026-11-09 * "Harbor Clinic" "Payment received"
      id: "receive/20261109-0004"
      customer: "harbor-clinic"
      amount: 1008.00 USD
      ref: "20261109-0004"
      Assets:Bank                        1008.00 USD
      Assets:Receivable:Harbor-Clinic    -504.00 USD
        invoice: "inv-2026-08-harbor-clinic"
      Assets:Receivable:Harbor-Clinic    -504.00 USD
        invoice: "inv-2026-09-harbor-clinic"

Each booked entry is added to the state before the next row is planned, so a
row never pays what an earlier row paid. :meth:`BankImporter.extract`
(beangulp, Fava's import page) returns the entries of the booked rows and logs
the others; ``onebox-ledger import`` books the same plan as one atomic write
(``actions.import_statement``) and lists every row.
"""

from __future__ import annotations

import datetime
import logging
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import beangulp
from beancount.core import data
from beangulp.importers.csvbase import Order

from .. import agents, beans, clock, events, planner, rules
from ..matching_text import find_bill_ids, find_invoice_ids, is_onebox, names_onebox
from ..money import MoneyError
from ..values import ZERO, InputError, Money, parse_account, parse_currency, round_money, show_money
from .statements import (
    Row,
    Statement,
    StatementError,
    identify,
    layout_names,
    read_statement,
)

__all__ = [
    "BankImporter",
    "Planned",
    "Recognised",
    "Row",
    "StatementError",
    "check_accounts",
    "check_fees",
    "plan",
    "recognise",
]

log = logging.getLogger(__name__)

Outcome = Literal[
    "receipt",
    "onebox-payment",
    "agent",
    "fee",
    "booked",
    "transfer",
    "recorded",
    "review",
    "unrelated",
    "skipped",
]
BOOKED: tuple[Outcome, ...] = ("receipt", "onebox-payment", "agent", "fee", "booked", "transfer")

# An invoice or bill id as the tool writes them, in any case and with any separators:
# something that names one, even when no known id matches (a review, never a guess).
_INVOICE_LIKE = re.compile(r"(?i)(?<![0-9a-z])inv[-_ /.]?[0-9]{4}[-_ /.]?[0-9]{2}")
_BILL_LIKE = re.compile(r"(?i)(?<![0-9a-z])onebox[-_ /.]?[0-9]{4}[-_ /.]?[0-9]{2}(?![0-9])")


@dataclass(frozen=True)
class Planned:
    """A row and what importing it does: its outcome, and for the booked ones the entry."""

    row: Row
    outcome: Outcome
    reason: str  # how it was recognised, or why it is left for a person
    customer: str | None = None
    invoice: str | None = None  # the invoice the row names (else oldest open first)
    bill: str | None = None  # the bill the row names (else oldest due first)
    entry: data.Transaction | None = None  # receipt, onebox-payment, fee: what is written
    # with a receipt: the customer's credit set against its invoices still open (planner.receipt)
    set_off: tuple[data.Transaction, ...] = ()
    parts: tuple[tuple[str, Decimal], ...] = ()  # (invoice or bill, amount applied)
    excess: Decimal = ZERO  # held as the customer's credit, or prepaid at OneBox
    message: str = ""  # what is booked, in the words of receive and onebox pay
    account: str | None = None  # booked: the rule's account
    suggestion: str | None = None  # unrelated: the account of the most alike row rules booked
    rule_date: datetime.date | None = None  # unrelated: the date a rule booking it would need

    @property
    def command(self) -> str | None:
        """Unrelated: the ``rule add`` command that would book the row (made when printed)."""
        if self.rule_date is None:
            return None
        row = self.row
        pattern, field = rules.suggested_pattern(row.counterparty, row.description)
        way = "in" if row.amount > 0 else "out"
        return (
            f"onebox-ledger rule add {shlex.quote(pattern)} {self.suggestion or 'ACCOUNT'}"
            f" --field {field} --direction {way} --date {self.rule_date}"
        )

    @property
    def booked(self) -> bool:
        return self.entry is not None

    @property
    def entries(self) -> tuple[data.Transaction, ...]:
        """What is written for the row: its entry, then the credit it sets off."""
        return () if self.entry is None else (self.entry, *self.set_off)

    def payload(self) -> dict[str, str | int | None]:
        """The row as ``import --dry-run --format json`` prints it (amounts as exact strings)."""
        return {
            "line": self.row.line,
            "date": self.row.date.isoformat(),
            "ref": self.row.ref,
            "amount": f"{self.row.amount:f}",
            "currency": self.row.currency,
            "outcome": self.outcome,
            "customer": self.customer,
            "invoice": self.invoice or (self.parts[0][0] if self.parts and self.customer else None),
            "bill": self.bill or (self.parts[0][0] if self.parts and not self.customer else None),
            "account": self.account,
            "suggestion": self.suggestion,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Recognised:
    """Who a row is from or to, and the invoice or bill it names; `review`: why not sure."""

    kind: Literal["customer", "onebox", "agent", "fee", "none"]
    reason: str
    customer: str | None = None  # or the agent's id, for kind "agent"
    invoice: str | None = None
    bill: str | None = None
    review: str | None = None


# ---------------------------------------------------------------- recognition


def recognise(row: Row, state: planner.State) -> Recognised:
    """Who a row is: from the most specific evidence to the least (see the module docs). Pure."""
    text = f"{row.counterparty} {row.description}"
    if row.amount < 0 and row.is_fee:
        return Recognised("fee", f"a bank fee ({row.description or row.kind or 'fee'})")
    if row.amount > 0:
        return _from_customer(row, state, text)
    if row.amount < 0:
        return _to_onebox(row, state, text)
    return Recognised("none", "zero amount")


def _from_customer(row: Row, state: planner.State, text: str) -> Recognised:
    ids = find_invoice_ids(text, state.ids("invoice"))
    owners = sorted({str(state.invoices[i].customer) for i in ids if state.invoices[i].customer})
    if len(owners) > 1:
        return Recognised("none", "", review=f"invoices of several customers ({', '.join(ids)})")
    if owners:
        named = ids[0] if len(ids) == 1 else None
        what = f"invoice {ids[0]}" if named else f"invoices {', '.join(ids)}"
        return Recognised("customer", f"{what} in the text", owners[0], invoice=named)
    unknown = _INVOICE_LIKE.search(text)
    if unknown:
        return Recognised(
            "none", "", review=f"a reference to an unknown invoice ({unknown.group(0)!r})"
        )
    names = state.names()
    for found, why in (
        (names.same(row.counterparty), "counterparty is the customer"),
        (names.named(row.description), "customer named in the description"),
    ):
        if len(found) > 1:
            return Recognised("none", "", review=f"{why}: several customers ({', '.join(found)})")
        if found:
            return Recognised("customer", why, found[0])
    if is_onebox(row.counterparty):
        return Recognised("none", "", review="money in from OneBox (a refund or a credit?)")
    return Recognised("none", "no customer, invoice id or customer name recognised")


def _to_onebox(row: Row, state: planner.State, text: str) -> Recognised:
    ids = find_bill_ids(text, state.ids("bill"))
    onebox = is_onebox(row.counterparty)
    if ids:
        named = ids[0] if len(ids) == 1 else None
        what = f"bill {ids[0]}" if named else f"bills {', '.join(ids)}"
        return Recognised("onebox", f"{what} in the text", bill=named)
    unknown = _BILL_LIKE.search(text)
    if unknown:
        return Recognised(
            "none", "", review=f"a reference to an unknown bill ({unknown.group(0)!r})"
        )
    if onebox:
        return Recognised("onebox", "counterparty is OneBox")
    if names_onebox(row.description):
        return Recognised("onebox", "OneBox named in the description")
    known = state.agent_names()
    for paid, why in (
        (known.same(row.counterparty), "counterparty is agent {}"),
        (known.named(row.description), "agent {} named in the description"),
    ):
        if len(paid) > 1:
            return Recognised("none", "", review=why.format(f"of several: {', '.join(paid)}"))
        if paid:
            return Recognised("agent", why.format(paid[0]), paid[0])
    found = state.names().named(row.counterparty)
    if found:
        return Recognised(
            "none", "",
            review=f"money out to customer {found[0]} (a refund? record it with onebox-ledger"
            " refund)",
        )  # fmt: skip
    return Recognised("none", "money out, not to OneBox")


# ---------------------------------------------------------------- planning


def plan(
    rows: Sequence[Row],
    state: planner.State,
    *,
    account: str | None = None,
    fees: str | None = None,
    today: datetime.date | None = None,
) -> list[Planned]:
    """What importing `rows` (oldest first) does: one Planned per row, each booked entry added to
    `state` before the next row is planned (so a row cannot pay what an earlier one paid). Pure.

    `account` is the bank account the statement is of (a bank account of the
    ledger, or a folder of them with one per currency); `fees` the expense account
    bank fees are booked to (None: fee rows are left for review). A row dated after
    `today` is left for review: a statement holds only money that has moved, so
    such a date is a mistake in the file (day and month swapped, a wrong year).
    """
    out = []
    pairs = _conversions(rows)
    claimed: set[str] = set()  # transfers the other account's statement already booked
    fresh: set[str] = set()  # conversions booked by this import
    for row in rows:
        if row.ref in pairs and not row.skipped and not (today is not None and row.date > today):
            planned = _conversion_row(row, pairs[row.ref], state, account, fees, fresh)
        else:
            planned = _plan_row(row, state, account, fees, today, claimed)
        if planned.entry is not None:
            for entry in planned.entries:
                state.add(entry)
            for commission in _commissions(state, planned.entry):
                state.add(commission)  # so a later row paying the agent sees it owed
        out.append(planned)
    return out


def _commissions(state: planner.State, entry: data.Transaction) -> list[data.Transaction]:
    """The commission a booked receipt accrues (written with it by the import, as
    agents.accrue does: here only to plan the rows after it)."""
    source = agents.source_of(entry) if state.agents.assignments else None
    if source is None or not state.agents.on(source.customer, source.date, source.basis):
        return []
    known = list(state.by_id.values())
    try:
        return agents.commission_entries(
            source, state.agents, agents.compose(known, state.book), state.rates,
            earned=agents.invoiced_earned(known),
        )  # fmt: skip
    except MoneyError:  # the write names it
        return []


def _plan_row(
    row: Row,
    state: planner.State,
    account: str | None,
    fees: str | None,
    today: datetime.date | None,
    claimed: set[str],
) -> Planned:
    if row.skipped:
        return Planned(row, "skipped", f"{row.status} at the bank; not booked")
    if today is not None and row.date > today:
        return Planned(
            row, "review",
            f"dated after today ({today}): a statement holds only money that has moved;"
            " check the row's date",
        )  # fmt: skip
    iban = planner.compact_iban(row.iban) if row.iban else ""
    if iban in state.ibans:
        return _transfer_row(
            row, state, account, fees, state.ibans[iban], "the counterparty's IBAN is", claimed
        )
    who = recognise(row, state)
    if who.review is not None:
        return Planned(row, "review", who.review)
    if who.kind == "none":
        booked_on = state.first_open(row.date)
        rule = state.rule_matcher().match(row.counterparty, row.description, row.amount, booked_on)
        if rule is not None and rule.account in state.banks:
            why = f"rule {rule.pattern!r} names"
            return _transfer_row(row, state, account, fees, rule.account, why, claimed)
        return _unrelated_row(row, state, account, who, rule)
    try:
        bank = _bank(state, account, row.currency)
        if who.kind == "fee":
            return _fee_row(row, state, bank, fees, who)
        fee = row.fee or ZERO
        if fee and fees is None:
            return Planned(row, "review", f"a fee of {show_money(fee, row.currency)} was charged"
                           " with it; book bank fees with --fees ACCOUNT", who.customer)  # fmt: skip
        if who.kind == "customer":
            return _receipt_row(row, state, bank, fees, who)
        if who.kind == "agent":
            return _agent_row(row, state, bank, who)
        return _payment_row(row, state, bank, fees, who)
    except planner.Refused as err:
        return Planned(row, "review", str(err), who.customer, who.invoice, who.bill)


# ---------------------------------------------------------------- own money moving

TRANSFER_DAYS = 7  # the other account's row of a transfer: within this many days of this one


def _conversions(rows: Sequence[Row]) -> dict[str, Row]:
    """The two legs of a conversion between own balances, by each leg's ref: one record read
    as money out and money in (Wise's NEUTRAL rows, refs ``<id>:out`` and ``<id>:in``)."""
    by_base: dict[tuple[int, str], dict[str, Row]] = {}
    for row in rows:
        base, colon, side = row.ref.rpartition(":")
        if colon and side in ("out", "in"):
            by_base.setdefault((row.line, base), {})[side] = row
    pairs: dict[str, Row] = {}
    for legs in by_base.values():
        if set(legs) == {"out", "in"} and legs["out"].currency != legs["in"].currency:
            pairs[legs["out"].ref], pairs[legs["in"].ref] = legs["in"], legs["out"]
    return pairs


def _conversion_row(
    row: Row,
    other: Row,
    state: planner.State,
    account: str | None,
    fees: str | None,
    fresh: set[str],
) -> Planned:
    """A conversion between two of the books' bank accounts, booked once with both legs on
    its money-out row; its money-in row points to it."""
    out, into = (row, other) if row.amount < 0 else (other, row)
    base = out.ref.rpartition(":")[0]
    entry_id = f"transfer/{base}"
    if entry_id in state.by_id and entry_id not in fresh:
        return Planned(row, "recorded", f"already recorded ({entry_id})")
    if row is into:
        return Planned(
            row, "transfer", f"the other leg of line {out.line}'s conversion ({entry_id})",
            message="booked with it",
        )  # fmt: skip
    try:
        source = _bank(state, account, out.currency)
        target = _bank(state, account, into.currency)
        fee = out.fee or ZERO
        entry = events.transfer_entry(
            [(source, Money(out.amount, out.currency)), (target, Money(into.amount, into.currency))],
            out.date, entry_id, base,
            payee=out.counterparty, memo=out.description or out.kind or "Conversion",
            fee=(fees, Money(fee, out.currency)) if fee and fees else None,
            rates=state.rates,
        )  # fmt: skip
    except (planner.Refused, MoneyError) as err:
        return Planned(row, "review", str(err))
    entry = state.booked_late(entry, out.date)
    fresh.add(entry_id)
    moved = f"{show_money(-out.amount, out.currency)} from {source} to {target}"
    return Planned(
        row, "transfer", "a conversion between own balances", entry=entry, account=target,
        message=f"{moved} as {show_money(into.amount, into.currency)}{planner.late_note(entry)}",
    )  # fmt: skip


def _transfer_row(
    row: Row,
    state: planner.State,
    account: str | None,
    fees: str | None,
    other: str,
    why: str,
    claimed: set[str],
) -> Planned:
    """Money between this statement's bank account and another of the books': one transaction
    with both legs, in the row's currency; when the other account's statement booked it
    already (a transfer between the two, the same money, within TRANSFER_DAYS), recorded."""
    try:
        bank = _bank(state, account, row.currency)
    except planner.Refused as err:
        return Planned(row, "review", str(err))
    reason = f"{why} {other}, a bank account of the books"
    if other == bank:
        return Planned(row, "review", f"{reason}: the statement's own account")
    entry_id = f"transfer/{row.ref}"
    if entry_id in state.by_id:
        return Planned(row, "recorded", f"already recorded ({entry_id})", account=other)
    for found_id, found in state.by_id.items():
        if not found_id.startswith("transfer/") or found_id in claimed:
            continue
        legs = {(p.account, beans.units(p)) for p in found.postings}
        if (
            (bank, (row.amount, row.currency)) in legs
            and any(a == other for a, _ in legs)
            and abs((events.bank_date(found) - row.date).days) <= TRANSFER_DAYS
        ):
            claimed.add(found_id)
            return Planned(
                row, "recorded", f"the other side of {found_id}, booked from {other}'s statement",
                account=other,
            )  # fmt: skip
    # The other leg in the other account's currency: the amount the row states in it (Monobank's
    # Сума в валюті операції), never one made up from a rate.
    there, fee = Money(-row.amount, row.currency), None
    takes = state.banks.get(other, ())
    if takes and row.currency not in takes:
        if not (row.op_amount and row.op_currency in takes):
            return Planned(
                row, "review",
                f"{reason}, which holds {', '.join(takes)}, not {row.currency}, and the row"
                f" states no {'/'.join(takes)} amount (no rate is assumed): book both legs by"
                f" hand, or import {other}'s statement first if its row states the"
                f" {row.currency} amount (this row is then recorded)",
                account=other,
            )  # fmt: skip
        there = Money(-row.op_amount, row.op_currency)
        if row.fee and fees:
            fee = (fees, Money(row.fee, row.currency))
    try:
        entry = events.transfer_entry(
            [(bank, Money(row.amount, row.currency)), (other, there)],
            row.date, entry_id, row.ref,
            payee=row.counterparty, memo=row.description or row.kind or "Transfer",
            fee=fee, rates=state.rates,
        )  # fmt: skip
    except MoneyError as err:
        return Planned(row, "review", str(err), account=other)
    entry = state.booked_late(entry, row.date)
    way = f"from {bank} to {other}" if row.amount < 0 else f"from {other} to {bank}"
    converted = (
        ""
        if there.currency == row.currency
        else f" as {show_money(abs(there.number), there.currency)}"
    )
    return Planned(
        row, "transfer", reason, entry=entry, account=other,
        message=f"{show_money(abs(row.amount), row.currency)} {way}{converted}"
        f"{planner.late_note(entry)}",
    )  # fmt: skip


def _unrelated_row(
    row: Row, state: planner.State, account: str | None, who: Recognised, rule: rules.Rule | None
) -> Planned:
    """A row that is no customer's, OneBox's or fee: booked by the rule it matches (`rule`, on
    the day it is booked: a late row's first open day), else listed with the account the most
    alike booked row went to and the rule that would book it."""
    if rule is None:
        suggestion = rules.suggest(state.booked_by_rules, f"{row.counterparty} {row.description}")
        return Planned(
            row, "unrelated", who.reason, suggestion=suggestion,
            rule_date=state.first_open(row.date),
        )  # fmt: skip
    entry_id = f"rule/{row.ref}"
    found = state.by_id.get(entry_id)
    if found is not None:
        differs = events.reused_ref(
            found, row.ref, date=row.date, customer=None, amount=Money(row.amount, row.currency)
        )
        if differs:
            return Planned(row, "review", differs)
        return Planned(row, "recorded", f"already recorded ({entry_id})", account=rule.account)
    try:
        bank = _bank(state, account, row.currency)
        entry = events.rule_entry(
            Money(row.amount, row.currency), row.date, entry_id, row.ref,
            account=bank, booked_to=rule.account, pattern=rule.pattern,
            payee=row.counterparty, memo=row.description or row.kind or "Bank row",
            rates=state.rates,
        )  # fmt: skip
    except (planner.Refused, MoneyError) as err:
        return Planned(row, "review", str(err), account=rule.account)
    entry = state.booked_late(entry, row.date)
    money = show_money(abs(row.amount), row.currency)
    return Planned(
        row, "booked", f"rule {rule.pattern!r}", entry=entry, account=rule.account,
        message=f"{money} to {rule.account}{planner.late_note(entry)}",
    )  # fmt: skip


def _bank(state: planner.State, account: str | None, currency: str) -> str:
    """The bank account of a row (State.bank), its refusal worded for a statement."""
    try:
        return state.bank(account, currency)
    except planner.Refused as err:
        takes = state.banks.get(account or "")
        if takes and currency not in takes:
            raise planner.Refused(
                f"{account} holds {', '.join(takes)}, not {currency} (for a statement in several"
                " currencies, name with --account a folder of accounts, one per currency, like"
                " Assets:Wise)",
                usage=True,
            ) from err
        raise


def _other_currency(state: planner.State, row: Row, customer: str, billed: str, bank: str) -> str:
    """Why a receipt in another currency than the customer's is left for review, and the
    command that records it: what it counts for in the customer's currency is the
    partner's to say (the agreed rate, a bank's), so the day's rates only suggest it."""
    buying, selling = state.rates.find(row.currency, row.date), state.rates.find(billed, row.date)
    worth = (
        show_money(round_money(row.amount * buying / selling), billed)
        if buying is not None and selling is not None
        else f"AMOUNT {billed}"
    )
    return (
        f"customer {customer!r} is billed in {billed}, not {row.currency}; record what it"
        f' counts for: onebox-ledger receive {customer} "{worth}" --paid'
        f' "{show_money(row.amount, row.currency)}" --account {bank} --date {row.date}'
        f" --ref {row.ref}"
    )


def _receipt_row(
    row: Row, state: planner.State, bank: str, fees: str | None, who: Recognised
) -> Planned:
    customer = str(who.customer)
    fee = row.fee or ZERO
    amount = Money(row.amount + fee, row.currency)  # the customer paid the fee the bank took
    billed = state.customer(customer).currency
    converted = row.currency != billed and row.op_currency == billed and row.op_amount
    if converted:  # the bank says what the operation was in the customer's currency
        amount = Money(abs(row.op_amount or ZERO), billed)
    if row.currency != billed and not converted:
        found = state.by_id.get(f"receive/{row.ref}")
        if (
            found is not None
            and (events.bank_date(found), found.meta.get("customer")) == (row.date, customer)
            and any(p.account == bank and beans.units(p) == (row.amount, row.currency)
                    for p in found.postings)
        ):  # fmt: skip
            return Planned(row, "recorded", f"already recorded (receive/{row.ref})", customer)
        return Planned(row, "review", _other_currency(state, row, customer, billed, bank),
                       customer, who.invoice)  # fmt: skip
    done = state.recorded("receive", row.ref, date=row.date, customer=customer, amount=amount,
                          others=("pay", "refund"))  # fmt: skip
    if done:
        return Planned(row, "recorded", f"already recorded ({done})", customer)
    named = state.invoices.get(who.invoice) if who.invoice else None
    if named is not None and named.open <= 0:
        return Planned(
            row, "review",
            f"invoice {named.id} is already paid in full (paid twice? to hold it as credit:"
            f' onebox-ledger receive {customer} "{show_money(*amount)}" --date {row.date}'
            f" --ref {row.ref})",
            customer, named.id,
        )  # fmt: skip
    mine = [i for i in state.customer_invoices(customer, row.date) if i.open > 0]
    if not mine:
        return Planned(
            row, "review",
            f"{customer} has nothing open on {row.date} ({who.reason}); to hold it as credit:"
            f" onebox-ledger receive {customer} \"{show_money(*amount)}\" --date {row.date}"
            f" --ref {row.ref}",
            customer,
        )  # fmt: skip
    invoice, reason = who.invoice, who.reason
    if invoice is None:
        # no invoice named: the one whose open amount the row pays exactly, else oldest first
        same = [i for i in mine if i.open == amount.number and i.currency == amount.currency]
        if len(same) == 1 and same[0] is not mine[0]:
            invoice = same[0].id
            reason = f"{reason}; the amount {invoice} has open"
    plan = planner.receipt(
        state, customer, amount, row.date, invoice=invoice, ref=row.ref, account=bank,
        paid=Money(row.amount, row.currency) if fee or converted else None,
        fee=(str(fees), fee) if fee else None,
    )  # fmt: skip
    return Planned(
        row, "receipt", reason, customer, invoice, entry=plan.entry, set_off=plan.entries[1:],
        parts=plan.parts, excess=plan.excess, message=plan.message + _fee_note(row, fees),
    )  # fmt: skip


def _payment_row(
    row: Row, state: planner.State, bank: str, fees: str | None, who: Recognised
) -> Planned:
    fee = row.fee or ZERO
    amount = Money(-row.amount - fee, row.currency)  # what reached OneBox
    owed = {i.currency for i in state.open_bills(row.date) if i.open > 0}
    converted = bool(
        row.op_amount and owed and row.currency not in owed and row.op_currency in owed
    )
    if converted:  # a card paid OneBox's USD bill from a UAH account: the bank says the USD
        amount = Money(abs(row.op_amount or ZERO), row.op_currency)
    done = state.recorded("pay", row.ref, date=row.date, customer=None, amount=amount,
                          others=("receive", "refund"))  # fmt: skip
    if done:
        return Planned(row, "recorded", f"already recorded ({done})", bill=who.bill)
    plan = planner.onebox_payment(
        state, amount, row.date, bill=who.bill, ref=row.ref, account=bank,
        paid=Money(-row.amount, row.currency) if fee or converted else None,
        fee=(str(fees), fee) if fee else None,
    )  # fmt: skip
    return Planned(
        row, "onebox-payment", who.reason, bill=who.bill, entry=plan.entry,
        parts=plan.parts, excess=plan.excess, message=plan.message + _fee_note(row, fees),
    )  # fmt: skip


def _agent_row(row: Row, state: planner.State, bank: str, who: Recognised) -> Planned:
    """Money out to an agent: what ``agent pay`` would write, with the row's reference; a
    row dated in a sealed month is booked on the first open day, as other late rows are."""
    aid = str(who.customer)
    agent = state.agents.agents[aid]
    amount = Money(-row.amount - (row.fee or ZERO), row.currency)
    done = state.recorded("agent-pay", row.ref, date=row.date, customer=None, amount=amount)
    if done:
        return Planned(row, "recorded", f"already recorded ({done})")
    operating = state.rates.operating
    owes = agents.owed(state.by_id.values(), aid)
    owed = owes.number if owes is not None else ZERO
    if amount.currency != operating or amount.number > owed or row.fee:
        why = (
            f"commission is booked in {operating}, not {amount.currency}"
            if amount.currency != operating
            else "a bank fee was charged with it" if row.fee
            else f"{show_money(*amount)} exceeds the {show_money(owed, operating)} the books owe"
            f" {aid}"
        )  # fmt: skip
        return Planned(row, "review", f"{who.reason}, but {why} (record it with onebox-ledger"
                       " agent pay)")  # fmt: skip
    entry_id = state.entry_id("agent-pay", row.ref, f"{row.date}/{aid}")
    entry = agents.pay_entry(agent, amount, row.date, entry_id, row.ref, account=bank,
                             payee=row.counterparty or None)  # fmt: skip
    entry = state.booked_late(entry, row.date)
    return Planned(
        row, "agent", who.reason, entry=entry,
        message=f"paid {show_money(*amount)} to {aid} ({agent.name}); still owed"
        f" {show_money(owed - amount.number, operating)}{planner.late_note(entry)}",
    )  # fmt: skip


def _fee_note(row: Row, fees: str | None) -> str:
    """'; bank fee 1.06 USD to Expenses:Bank-Fees' for a row the bank charged a fee with."""
    return f"; bank fee {row.fee} {row.currency} to {fees}" if row.fee and fees else ""


def _fee_row(
    row: Row, state: planner.State, bank: str, fees: str | None, who: Recognised
) -> Planned:
    if fees is None:
        return Planned(row, "review", f"{who.reason}; book bank fees with --fees ACCOUNT")
    if f"fee/{row.ref}" in state.by_id:
        return Planned(row, "recorded", f"already recorded (fee/{row.ref})")
    try:
        entry = events.fee_entry(
            Money(-row.amount, row.currency), row.date, f"fee/{row.ref}", row.ref,
            account=bank, fees=fees, memo=row.description or row.kind or "Bank fee",
            rates=state.rates,
        )  # fmt: skip
    except MoneyError as err:  # a fee in a currency with no rate into the operating one
        return Planned(row, "review", str(err))
    entry = state.booked_late(entry, row.date)
    money = show_money(-row.amount, row.currency)
    return Planned(
        row, "fee", who.reason, entry=entry,
        message=f"{money} to {fees}{planner.late_note(entry)}",
    )  # fmt: skip


# ---------------------------------------------------------------- the bank's balance


@dataclass(frozen=True)
class Reached:
    """What an import does about the statement's closing balance (:func:`reach`)."""

    line: str  # said after the rows
    assertion: data.Balance | None = None  # written with the rows: the books hold the closing
    refused: str | None = None  # the import is refused: the rows cannot reach the closing


def reach(
    statement: Statement,
    bank: str,
    existing: Sequence[data.Directive],
    planned: Sequence[Planned],
    sealed_last: datetime.date | None,
) -> Reached:
    """Whether the books reach the statement's closing balance on `bank` once `planned` is
    booked, as Beancount will check it. Pure.

    The bank's opening balance is compared with what the books held before the first
    row, by the bank's date (``value-date`` for money booked late); a statement
    that shows no opening balance implies it (its closing less the rows the bank
    booked). Equal, the books and the bank agree up to the statement, so the
    statement's rows must reach its closing balance: a ``balance`` assertion dated
    the day after the last of them (the first open day at the earliest) is written
    with them, or the import is refused, naming the difference and the rows left
    unbooked (an import that would book nothing is not refused: it lists them). Not
    equal (the account opened without its balance, or earlier statements not
    imported), no assertion can hold: the line says so and by how much.
    """
    booked_rows = statement.booked
    closing, cur = statement.closing_balance, statement.currency
    if closing is None or cur is None or not booked_rows:
        return Reached("")
    first, last = booked_rows[0].date, booked_rows[-1].date
    new = [e for p in planned for e in p.entries]
    transactions = [e for e in (*existing, *new) if isinstance(e, data.Transaction)]

    def held(keep: Callable[[data.Transaction], bool]) -> Decimal:
        total = ZERO
        for entry in transactions:
            if keep(entry):
                for post in entry.postings:
                    number, currency = beans.units(post)
                    if post.account == bank and currency == cur:
                        total += number
        return total

    before = held(lambda e: events.bank_date(e) < first)
    opening = statement.opening_balance
    if opening is None:  # the bank's opening, implied by its closing and the rows it booked
        opening = closing - sum((row.amount for row in booked_rows), ZERO)
    if before != opening:
        return Reached(
            f"books: {bank} held {show_money(before, cur)} before {first}, the bank"
            f" {show_money(opening, cur)} ({show_money(opening - before, cur, sign=True)}): no"
            " balance assertion (book the account's opening balance, bank add --opening, or"
            " the statements before this one)"
        )
    refs = {p.row.ref for p in planned if p.entry is not None or p.outcome == "recorded"}
    ours = [e for e in transactions if e.meta.get("ref") in refs and events.bank_date(e) >= first]
    day = max([last, *(e.date for e in ours)]) + datetime.timedelta(days=1)
    if sealed_last is not None and day <= sealed_last:
        day = sealed_last + datetime.timedelta(days=1)
    reached = held(lambda e: e.date < day)
    if reached == closing:
        assertion = beans.balance(
            day, bank, closing, cur, {"statement": statement.layout, "closing": str(last)}
        )
        done = any(
            isinstance(e, data.Balance) and (e.date, e.account, e.amount) == (day, bank,
                                                                            assertion.amount)
            for e in existing
        )  # fmt: skip
        return Reached(
            f"books: {bank} holds {show_money(closing, cur)} on {day}, the statement's closing"
            f" balance: {'asserted already' if done else 'asserted'}",
            None if done else assertion,
        )
    left = [p for p in planned if p.entry is None and p.outcome != "recorded" and not p.row.skipped]
    shown = ", ".join(
        f"line {p.row.line} {show_money(p.row.amount, p.row.currency, sign=True)} ({p.outcome})"
        for p in left[:8]
    ) + (f" and {len(left) - 8} more" if len(left) > 8 else "")
    why = f"not booked: {shown}" if left else "every row is booked: check the books' entries"
    short = (
        f"the books would hold {show_money(reached, cur)} on {bank} on {day}, the statement's"
        f" closing balance is {show_money(closing, cur)}"
        f" ({show_money(closing - reached, cur, sign=True)}); {why}"
    )
    if not new:  # nothing to write: a list for a person, not a refusal
        return Reached(f"books: not reached: {short}")
    return Reached(
        "",
        refused=f"{short}; book them (a rule: onebox-ledger rule add) or import with --no-balance",
    )


# ---------------------------------------------------------------- the importer


def check_accounts(
    state: planner.State, rows: Sequence[Row], account: str | None, fees: str | None
) -> None:
    """Refuse, before anything is planned, an --account that is no bank account (nor a folder of
    them) or holds none of the statement's currencies, and a --fees that is no expense account
    of the partner's own (exit 2)."""
    if account is not None:
        held = sorted(
            (a, takes) for a, takes in state.banks.items()
            if a == account or a.startswith(account + ":")
        )  # fmt: skip
        if not held:
            known = ", ".join(sorted(state.banks)) or "none"
            raise InputError(f"--account {account} is not a bank account of this ledger ({known})")
        takes = sorted({c for _, currencies in held for c in currencies})
        moved = sorted({row.currency for row in rows if not row.skipped})
        if takes and moved and not set(moved) & set(takes):
            raise InputError(
                f"--account {account} holds {', '.join(takes)}, but the statement's rows are in"
                f" {', '.join(moved)} (name the bank account this statement is of)"
            )
    if fees is not None:
        check_fees(fees)


def check_fees(fees: str) -> None:
    """Refuse a fee account that is no expense account of the partner's own (InputError): the
    one check of ``import --fees`` and of the importer Fava's import page runs."""
    if not fees.startswith("Expenses:"):
        raise InputError(f"--fees {fees} must be an expense account (like Expenses:Bank-Fees)")
    what = beans.booked_by_tool(fees)
    if what is not None:
        raise InputError(
            f"--fees {fees} is where onebox-ledger books {what}; name an expense account"
            " of your own (like Expenses:Bank-Fees)"
        )


class BankImporter(beangulp.Importer):  # type: ignore[misc]  # beangulp is untyped
    """The partner's bank statement, for Fava's import page and ``onebox-ledger import``.

    ``BankImporter("Assets:Bank", "USD")`` reads the tool's own layout;
    ``layout="dkb"`` another one of ``layouts.LAYOUTS`` (or ``"camt053"``,
    ``"mt940"``), and ``layout=None``
    whichever fits the file (``statements.read_statement``). `account` is the
    bank account the statement is of (or a folder of bank accounts, one per
    currency, like ``Assets:Wise``), as ``import --account``; None books each row
    on the bank account of its currency, as ``import`` without it. `currency` is
    that of rows whose file names none, `operating` the ledger's operating
    currency (default: `currency`), and `fees` the expense account bank fees are
    booked to, as ``import --fees`` (default Expenses:Bank-Fees; None: fee rows are
    left for a person).
    `today` (default: the clock, or $ONEBOX_TODAY): rows dated after it are left
    for review, never booked. `order` overrides the layout's order of same-day
    rows (``Order.DESCENDING``: the bank lists newest first).
    """

    def __init__(
        self,
        account: str | None = beans.BANK,
        currency: str = "USD",
        *,
        operating: str | None = None,
        order: Order | None = None,
        layout: str | None = "generic",
        today: datetime.date | None = None,
        fees: str | None = beans.BANK_FEES,
    ) -> None:
        if layout is not None and layout not in layout_names():
            raise ValueError(
                f"unknown layout {layout!r}; the layouts are {', '.join(layout_names())}"
            )
        self.bank = parse_account(account, "account") if account is not None else None
        self.currency = parse_currency(currency)
        self.operating = parse_currency(operating or currency)
        self.order = order
        self.layout = layout
        self.today = today
        self.fees = parse_account(fees, "fees") if fees is not None else None
        if self.fees is not None:
            check_fees(self.fees)  # as import --fees: Fava's import page books what import books

    # ------------------------------------------------------------ beangulp.Importer

    @property
    def name(self) -> str:
        """The class path, with the layout and account when given: Fava keys importers by it,
        so one per bank account is ``...BankImporter(wise, Assets:Wise)``."""
        base = f"{type(self).__module__}.{type(self).__qualname__}"
        given = [part for part in (self.layout, self.bank) if part]
        return f"{base}({', '.join(given)})" if given else base

    def identify(self, filepath: str) -> bool:
        """True for a file in the importer's layout (any known layout for ``layout=None``)."""
        return identify(Path(filepath), layout=self.layout) is not None

    def account(self, filepath: str) -> str:
        """Where beangulp files the statement: the account, else the main bank account."""
        return self.bank or beans.BANK

    def date(self, filepath: str) -> datetime.date | None:
        """The statement's date: its latest booking date (None for a statement with no rows)."""
        return max((row.date for row in self.rows(filepath)), default=None)

    def filename(self, filepath: str) -> str | None:
        """The archived name: bank-statement with the file's own suffix (.csv, .xml, .sta)."""
        return f"bank-statement{Path(filepath).suffix.lower() or '.csv'}"

    def extract(self, filepath: str, existing: Sequence[data.Directive]) -> list[data.Directive]:
        """What ``onebox-ledger import`` would book for the rows, given the existing entries:
        the ``open`` (and ``commodity``) directives of the accounts they first post to, then
        the receipts, OneBox payments and fees; the rows left for a person are logged."""
        out: list[data.Transaction] = []
        name = Path(filepath).name
        state = planner.State.of(existing, self.operating)
        rows = self.rows(filepath, one_currency(state.banks.get(self.bank or "", ())))
        if state.banks:  # a ledger is given (beangulp without -e gives none): check as import
            check_accounts(state, rows, self.bank, self.fees)
        for planned in plan(rows, state, account=self.bank, fees=self.fees, today=self._today()):
            row = planned.row
            if planned.entry is not None:
                out += [
                    entry._replace(meta={**data.new_metadata(filepath, row.line), **entry.meta})
                    for entry in planned.entries
                ]
            elif planned.outcome in ("review", "unrelated", "skipped"):
                log.warning(
                    "%s: line %d (ref %s): %s %s, %s: %s",
                    name, row.line, row.ref, row.amount, row.currency, planned.outcome,
                    planned.reason,
                )  # fmt: skip
        if not out:
            return []
        # the commission the receipts accrue, as `import` writes it (actions.write_events)
        last = data.new_metadata(filepath, 1 << 30)
        out += [
            entry._replace(meta={**last, **entry.meta})
            for entry in agents.accrue(existing, out, state.book, state.rates)
        ]
        opened = {e.account for e in existing if isinstance(e, data.Open)}
        declared = {e.currency for e in existing if isinstance(e, data.Commodity)}
        first = events.open_date(existing, self.operating, state.sealed)
        made: list[data.Directive] = [
            *events.commodities(out, declared, first),
            *events.opens(out, opened, first),
        ]
        where = data.new_metadata(filepath, 0)  # beangulp sorts by meta['lineno']
        return [entry._replace(meta={**where, **(entry.meta or {})}) for entry in made] + out

    # ------------------------------------------------------------ onebox-ledger

    def statement(self, filepath: str, account_currency: str | None = None) -> Statement:
        """The statement, read in the importer's layout (StatementError for a bad file);
        `account_currency`: the currency of the bank account it is of, for a file naming none."""
        return read_statement(
            Path(filepath),
            layout=self.layout,
            currency=self.currency,
            account_currency=account_currency,
        )

    def payments(self, filepath: str, existing: Sequence[data.Directive]) -> list[Planned]:
        """The plan of every row, oldest first (StatementError for a bad file)."""
        state = planner.State.of(existing, self.operating)
        rows = self.rows(filepath, one_currency(state.banks.get(self.bank or "", ())))
        if state.banks:  # a ledger is given (beangulp without -e gives none): check as import
            check_accounts(state, rows, self.bank, self.fees)
        return plan(rows, state, account=self.bank, fees=self.fees, today=self._today())

    def _today(self) -> datetime.date:
        """The `today` given, else the clock's: rows dated after it are left for review."""
        return self.today if self.today is not None else clock.today()

    def rows(self, filepath: str, account_currency: str | None = None) -> list[Row]:
        """Every row, oldest first, each field checked; StatementError on the first bad one."""
        rows = self.statement(filepath, account_currency).rows
        if self.order is None:
            return rows
        return self.chronological(sorted(rows, key=lambda row: row.line))

    def chronological(self, rows: Sequence[Row]) -> list[Row]:
        """Rows in the statement's own order, oldest first: by date, same-day rows by `order`."""
        ordered = list(rows) if self.order is not Order.DESCENDING else list(reversed(rows))
        return sorted(ordered, key=lambda row: row.date)


def one_currency(currencies: Sequence[str]) -> str | None:
    """The currency of a bank account that holds one (a statement naming none is in it)."""
    return currencies[0] if len(currencies) == 1 else None
