"""What a money command writes, given the ledger's state. Pure; one rule, one place.

``receive``, ``refund``, ``onebox pay``, ``onebox bill``, ``credit-note`` and
``write-off`` (actions), the bank-statement import (importers) and the demo
all plan through these functions over one :class:`State`, so a receipt typed
by hand and the same receipt read from a statement are checked and written
alike::

    state = State.of(entries, operating="USD")
    plan = receipt(state, "acme", (D("150.00"), "USD"), date(2026, 12, 10), ref="BANK-1")
    plan.entry      # the transaction to write (None: this ref is already recorded)
    plan.parts      # (("inv-2026-10-acme", D("125.00")), ("inv-2026-11-acme", D("25.00")))
    plan.excess     # what matched nothing open: held as the customer's credit

A request the ledger cannot take raises :class:`Refused` with one line:
``usage=True`` for a bad argument (an unknown invoice, a currency the customer
is not billed in: exit 2), else the ledger's state refuses it (a date in a
sealed month, a reference reused with other content, a missing rate: exit 1).
Money is never refused for matching nothing open: a receipt's excess is the
customer's credit (``Liabilities:Customer-Credit:<Customer>``), a payment's
excess is prepaid at OneBox (``Assets:Prepaid:OneBox``).

Open amounts count every payment recorded, whatever its date; only items
issued on or before the request's date can be paid (openitems.issued_by).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, disputes, events, money, seals, taxes
from .agents import Agents, parse_agents
from .billing import BillingError, due_date, month_rate
from .matching_text import CustomerNames, KnownIds
from .model import Book, Customer, parse_book
from .money import MoneyError, Rates
from .openitems import (
    OpenItem,
    apply_bills,
    apply_credits,
    apply_invoices,
    item_key,
    sorted_bills,
    sorted_invoices,
)
from .rules import Matcher, Rule, parse_rules
from .values import ZERO, Money, Month, round_money, show_money


def compact_iban(text: str) -> str:
    """An IBAN or account number as compared: no spaces, upper case."""
    return "".join(text.split()).upper()


class Refused(Exception):
    """The request does not fit the ledger; one line."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage  # True: a bad argument (exit 2); False: the ledger refuses (exit 1)


@dataclass(frozen=True)
class Plan:
    """What a command writes: `entries` (empty: already recorded, nothing to do)."""

    entries: tuple[data.Transaction, ...]
    message: str
    parts: tuple[tuple[str, Decimal], ...] = ()  # (invoice, bill or credit id, amount applied)
    excess: Decimal = ZERO  # held as credit or prepaid
    recorded: str | None = None  # the id already recorded with this ref

    @property
    def entry(self) -> data.Transaction | None:
        return self.entries[0] if self.entries else None


@dataclass
class State:
    """The ledger as the money commands see it, kept up to date as planned entries are added."""

    book: Book
    rates: Rates
    sealed: Month | None = None
    by_id: dict[str, data.Transaction] = field(default_factory=dict)
    invoices: dict[str, OpenItem] = field(default_factory=dict)
    bills: dict[str, OpenItem] = field(default_factory=dict)
    credits: dict[str, OpenItem] = field(default_factory=dict)  # customer credit and prepaid
    invoice_ids: set[str] = field(default_factory=set)  # every `invoice:` and credit-note id
    banks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # account -> currencies
    rules: list[Rule] = field(default_factory=list)  # the bank rows' rules (rules.py)
    ibans: dict[str, str] = field(default_factory=dict)  # a bank account's IBAN -> the account
    booked_by_rules: list[tuple[str, str]] = field(default_factory=list)  # (text, account)
    disputing: list[data.Directive] = field(default_factory=list)  # disputes of bill lines
    agents: Agents = field(default_factory=Agents)
    # indexes for matching many bank rows, built when first asked for (see `names`, `ids`)
    _names: CustomerNames | None = field(default=None, repr=False)
    _agent_names: CustomerNames | None = field(default=None, repr=False)
    _ids: dict[str, KnownIds] = field(default_factory=dict, repr=False)
    _by_customer: dict[str, list[str]] | None = field(default=None, repr=False)
    _matcher: Matcher | None = field(default=None, repr=False)

    @classmethod
    def of(cls, entries: Sequence[data.Directive], operating: str) -> State:
        book, _ = parse_book(entries)
        state = cls(book, Rates.of(entries, operating), seals.sealed_through(entries))
        state.rules = parse_rules(entries)[0]
        state.agents = parse_agents(entries)[0]
        for entry in entries:
            if isinstance(entry, data.Open) and (
                entry.account == beans.BANK or (entry.meta or {}).get("bank") is True
            ):
                state.banks[entry.account] = tuple(entry.currencies or ())
                iban = (entry.meta or {}).get("iban")
                if isinstance(iban, str):
                    state.ibans[compact_iban(iban)] = entry.account
            elif isinstance(entry, data.Transaction):
                state.add(entry)
            elif isinstance(entry, data.Custom) and entry.type == disputes.DISPUTE:
                state.disputing.append(entry)
        return state

    def add(self, entry: data.Transaction) -> None:
        entry_id = beans.entry_id(entry)
        if entry_id:
            self.by_id[entry_id] = entry
        rule = entry.meta.get("rule")
        if isinstance(rule, str) and len(entry.postings) >= 2:
            text = f"{entry.payee or ''} {entry.narration or ''}"
            self.booked_by_rules.append((text, entry.postings[1].account))
        for key in ("invoice", "credit-note"):
            value = entry.meta.get(key)
            if isinstance(value, str):
                self.invoice_ids.add(value)
        known = len(self.invoices), len(self.bills)
        apply_invoices(self.invoices, entry)
        apply_bills(self.bills, entry)
        apply_credits(self.credits, entry)
        if (len(self.invoices), len(self.bills)) != known:
            self._ids.clear()
            self._by_customer = None

    def names(self) -> CustomerNames:
        """The customers' names and ids, indexed for matching text (matching_text)."""
        if self._names is None:
            self._names = CustomerNames.of((c.id, c.name) for c in self.book.customers.values())
        return self._names

    def agent_names(self) -> CustomerNames:
        """The agents' names and ids, indexed as the customers' are (a bank row paying one)."""
        if self._agent_names is None:
            self._agent_names = CustomerNames.of(
                (a.id, a.name) for a in self.agents.agents.values()
            )
        return self._agent_names

    def ids(self, kind: str) -> KnownIds:
        """The ids of every invoice (`kind` "invoice") or bill ("bill"), indexed for matching."""
        if kind not in self._ids:
            self._ids[kind] = KnownIds(self.invoices if kind == "invoice" else self.bills)
        return self._ids[kind]

    # ------------------------------------------------------------ lookups

    def customer(self, customer: str) -> Customer:
        if customer not in self.book.customers:
            raise Refused(f"unknown customer {customer!r}", usage=True)
        return self.book.customers[customer]

    def customer_invoices(self, customer: str, date: datetime.date) -> list[OpenItem]:
        """The customer's invoices issued by `date`, oldest first."""
        if self._by_customer is None:
            self._by_customer = {}
            for item in self.invoices.values():
                self._by_customer.setdefault(str(item.customer), []).append(item.id)
        mine = (self.invoices[i] for i in self._by_customer.get(customer, ()))
        return sorted_invoices(i for i in mine if i.customer == customer and i.date <= date)

    def open_bills(self, date: datetime.date) -> list[OpenItem]:
        """OneBox bills issued by `date`, by due date."""
        return sorted_bills(i for i in self.bills.values() if i.date <= date)

    def customer_credits(self, customer: str, date: datetime.date) -> list[OpenItem]:
        return sorted_invoices(
            i
            for i in self.credits.values()
            if i.kind == "credit" and i.customer == customer and i.date <= date and i.open > 0
        )

    def prepaid(self, date: datetime.date) -> list[OpenItem]:
        return sorted_invoices(
            i
            for i in self.credits.values()
            if i.kind == "prepaid" and i.date <= date and i.open > 0
        )

    def bank(self, account: str | None, currency: str) -> str:
        """The bank account cash in `currency` moves on: `account`, or the one for the currency."""
        if account is not None:
            children = sorted(
                a for a, takes in self.banks.items()
                if a.startswith(account + ":") and takes == (currency,)
            )  # fmt: skip
            if account not in self.banks and len(children) == 1:
                return children[0]  # a folder of accounts, one per currency (Assets:Wise)
            inside = sorted(a for a in self.banks if a.startswith(account + ":"))
            if account not in self.banks and children:
                raise Refused(
                    f"{len(children)} bank accounts in {account} hold {currency}"
                    f" ({', '.join(children)}); name one with --account",
                    usage=True,
                )
            if account not in self.banks and inside:
                raise Refused(
                    f"{account} has no bank account for {currency} (it has"
                    f" {', '.join(inside)}; add one: onebox-ledger bank add"
                    f" {account}:{currency} --currency {currency})",
                    usage=True,
                )
            if account not in self.banks:
                known = ", ".join(sorted(self.banks)) or "none"
                raise Refused(
                    f"{account} is not a bank account of this ledger (bank accounts: {known};"
                    f" add one: onebox-ledger bank add {account} --currency {currency})",
                    usage=True,
                )
            takes = self.banks[account]
            if takes and currency not in takes:
                raise Refused(
                    f"{account} holds {', '.join(takes)}, not {currency}"
                    " (give the amount that moved on it with --paid)",
                    usage=True,
                )
            return account
        exact = sorted(a for a, takes in self.banks.items() if takes == (currency,))
        if len(exact) == 1:
            return exact[0]
        if beans.BANK in self.banks and (
            not self.banks[beans.BANK] or currency in self.banks[beans.BANK]
        ):
            return beans.BANK
        if exact:
            raise Refused(
                f"{len(exact)} bank accounts hold {currency} ({', '.join(exact)}); name one with"
                " --account",
                usage=True,
            )
        raise Refused(
            f"no bank account holds {currency} (add one: onebox-ledger bank add"
            f" Assets:Bank-{currency} --currency {currency})",
            usage=True,
        )

    # ------------------------------------------------------------ shared checks

    def booked_late(self, entry: data.Transaction, date: datetime.date) -> data.Transaction:
        """Money the bank moved on `date`, in a sealed month, booked on the first open day with
        ``value-date`` (the bank's date): the sealed month's numbers stay as sealed. Else the
        entry as it is."""
        booked = self.first_open(date)
        if booked == date:
            return entry
        return entry._replace(date=booked, meta={**entry.meta, events.VALUE_DATE: date})

    def rule_matcher(self) -> Matcher:
        """The rules, ready to match many bank rows (rules.Matcher), built once."""
        if self._matcher is None or self._matcher.source is not self.rules:
            self._matcher = Matcher(self.rules)
        return self._matcher

    def first_open(self, date: datetime.date) -> datetime.date:
        """`date`, or the first day after the sealed months when it is in one."""
        if self.sealed is not None and date <= self.sealed.last:
            return self.sealed.next().first
        return date

    def not_sealed(self, date: datetime.date, what: str = "date") -> None:
        refusal = seals.sealed_refusal(date, self.sealed, what)
        if refusal is not None:
            raise Refused(refusal)

    def recorded(
        self,
        kind: str,
        ref: str | None,
        *,
        date: datetime.date,
        customer: str | None,
        amount: Money,
        others: Sequence[str] = (),
    ) -> str | None:
        """The id already recorded with `ref` and this content (None: not recorded); Refused
        when `ref` was used with other content or by another kind of event."""
        if ref is None:
            return None
        entry_id = f"{kind}/{ref}"
        found = self.by_id.get(entry_id)
        if found is not None:
            differs = events.reused_ref(found, ref, date=date, customer=customer, amount=amount)
            if differs:
                raise Refused(differs)
            return entry_id
        for other in others:
            if f"{other}/{ref}" in self.by_id:
                raise Refused(f"ref {ref!r} is already recorded as {other}/{ref}")
        return None

    def entry_id(self, kind: str, ref: str | None, scope: str) -> str:
        return events.event_id(kind, ref, scope, self.by_id)


def late_note(entry: data.Transaction) -> str:
    """'; booked on 2026-11-01, value date 2026-10-28 (2026-10 is sealed)' for a late entry."""
    value = entry.meta.get(events.VALUE_DATE)
    if not isinstance(value, datetime.date):
        return ""
    return f"; booked on {entry.date}, value date {value} ({Month.of(value)} is sealed)"


def _applied(
    parts: Sequence[tuple[OpenItem, Decimal]], excess: Decimal, held: str, currency: str
) -> str:
    """'100.00 USD to inv-2026-10-acme, 25.00 USD held as credit'."""
    shown = [f"{show_money(part, currency)} to {item.id}" for item, part in parts]
    if excess > 0:
        shown.append(f"{show_money(excess, currency)} {held}")
    return ", ".join(shown)


def _named(items: Sequence[OpenItem], named: str | None, kind: str, whose: str) -> None:
    if named is not None and named not in {i.id for i in items}:
        close = difflib.get_close_matches(named, [i.id for i in items], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise Refused(f"unknown {kind} {named!r} for {whose}{hint}", usage=True)


# ---------------------------------------------------------------- receipts and refunds


def receipt(
    state: State,
    customer: str,
    amount: Money,
    date: datetime.date,
    *,
    invoice: str | None = None,
    ref: str | None = None,
    account: str | None = None,
    paid: Money | None = None,
    fee: tuple[str, Decimal] | None = None,
) -> Plan:
    """A customer's payment: the named invoice, then the oldest open ones; the rest as credit.
    Then the customer's credit (what it held, and what this payment leaves) is set against the
    invoices still open, oldest first, one entry each (`set_off`): a customer holding 75.00 of
    credit with inv-2026-10-acme (75.00) open pays 125.00 for inv-2026-11-acme; the receipt pays
    that invoice and ``apply-credit/inv-2026-10-acme/<date>/1`` sets the 75.00 against the older.

    `paid` is what reached the bank account when it differs (another currency, or
    less a bank fee: then `fee` is the expense account and the fee)."""
    who = state.customer(customer)
    if amount.currency != who.currency:
        raise Refused(
            f"customer {customer!r} is billed in {who.currency}, not {amount.currency}", usage=True
        )
    done = state.recorded("receive", ref, date=date, customer=customer, amount=amount,
                          others=("pay", "refund"))  # fmt: skip
    if done:
        return Plan((), f"ref {ref} already recorded; nothing changed", recorded=done)
    cash = paid or amount
    bank = state.bank(account, cash.currency)
    mine = state.customer_invoices(customer, date)
    _named(mine, invoice, "invoice", f"customer {customer!r}")
    if invoice is not None and state.invoices[invoice].open <= 0:
        raise Refused(
            f"invoice {invoice} is paid ({_settled_by(state, invoice)}); to apply this payment"
            " to the oldest open invoices, or hold it as credit, leave out --invoice"
        )
    parts, excess = events.allocate(mine, amount.number, invoice)
    entry_id = state.entry_id("receive", ref, f"{date}/{customer}")
    try:
        entry = events.receive_entry(
            who, amount, date, entry_id, ref, parts, excess=excess, account=bank,
            paid=paid, fee=fee, rates=state.rates,
            single_tax=taxes.single_tax_rate(state.book, date),
        )  # fmt: skip
    except MoneyError as err:
        raise Refused(str(err)) from None
    entry = state.booked_late(entry, date)
    applied = _applied(parts, excess, "held as credit", amount.currency)
    held: dict[str, OpenItem] = {}
    apply_credits(held, entry)  # the credit this payment leaves, at the rate it holds it
    set_offs: list[data.Transaction] = []
    if held or state.customer_credits(customer, entry.date):
        try:
            set_offs = set_off(state, customer, entry.date, extra=list(held.values()),
                               paid={item.id: part for item, part in parts})  # fmt: skip
        except MoneyError as err:
            raise Refused(str(err)) from None
    tail = f"; credit applied: {_applied_to(set_offs)}" if set_offs else ""
    return Plan(
        (entry, *set_offs),
        f"received {show_money(*amount)} from {customer}: {applied}{tail}{late_note(entry)}",
        tuple((item.id, part) for item, part in parts),
        excess,
    )


def _settled_by(state: State, invoice: str) -> str:
    """'receive/BANK-7781 on 2026-12-10': the latest entry that paid, credited or wrote off
    part of `invoice` (the one that left nothing open)."""
    found = [
        (entry.date, beans.entry_id(entry) or entry.narration)
        for entry in state.by_id.values()
        for post in entry.postings
        if post.account.startswith(beans.RECEIVABLE + ":")
        and item_key(post, entry, "invoice") == invoice
        and beans.units(post)[0] < 0
    ]
    if not found:
        return "nothing left open"
    date, entry_id = max(found)
    return f"{entry_id} on {date}"


def refund(
    state: State,
    customer: str,
    amount: Money,
    date: datetime.date,
    *,
    ref: str | None = None,
    account: str | None = None,
    paid: Money | None = None,
) -> Plan:
    """Pay a customer's credit back, oldest credit first; more than the credit is refused."""
    who = state.customer(customer)
    if amount.currency != who.currency:
        raise Refused(
            f"customer {customer!r} is billed in {who.currency}, not {amount.currency}", usage=True
        )
    done = state.recorded("refund", ref, date=date, customer=customer, amount=amount,
                          others=("pay", "receive"))  # fmt: skip
    if done:
        return Plan((), f"ref {ref} already recorded; nothing changed", recorded=done)
    state.not_sealed(date)
    cash = paid or amount
    bank = state.bank(account, cash.currency)
    credits = state.customer_credits(customer, date)
    parts, excess = events.allocate(credits, amount.number)
    if excess > 0:
        available = sum((c.open for c in credits), ZERO)
        raise Refused(
            f"refund of {show_money(*amount)} exceeds {customer}'s credit of"
            f" {show_money(available, amount.currency)} on {date}"
        )
    entry_id = state.entry_id("refund", ref, f"{date}/{customer}")
    try:
        entry = events.refund_entry(
            who,
            amount,
            date,
            entry_id,
            ref,
            parts,
            account=bank,
            paid=paid,
            rates=state.rates,
            single_tax=taxes.single_tax_rate(state.book, date),
        )
    except MoneyError as err:
        raise Refused(str(err)) from None
    return Plan(
        (entry,),
        f"refunded {show_money(*amount)} to {customer}: {_applied(parts, ZERO, '', amount.currency)}",
        tuple((item.id, part) for item, part in parts),
    )


# ---------------------------------------------------------------- OneBox


def onebox_payment(
    state: State,
    amount: Money,
    date: datetime.date,
    *,
    bill: str | None = None,
    ref: str | None = None,
    account: str | None = None,
    paid: Money | None = None,
    fee: tuple[str, Decimal] | None = None,
) -> Plan:
    """Pay OneBox: the named bill, then the oldest due; the rest prepaid. `paid` is what left
    the bank account when it differs (another currency, or plus a bank fee: `fee`)."""
    done = state.recorded("pay", ref, date=date, customer=None, amount=amount,
                          others=("receive", "refund"))  # fmt: skip
    if done:
        return Plan((), f"ref {ref} already recorded; nothing changed", recorded=done)
    items = state.open_bills(date)
    currencies = {i.currency for i in items if i.open > 0}
    if currencies and amount.currency not in currencies:
        raise Refused(
            f"OneBox bills are in {', '.join(sorted(currencies))}, not {amount.currency}"
            " (give what left your account with --paid)",
            usage=True,
        )
    cash = paid or amount
    bank = state.bank(account, cash.currency)
    items = [i for i in items if i.currency == amount.currency]
    _named(items, bill, "bill", "OneBox bills")
    parts, excess = events.allocate(items, amount.number, bill)
    entry_id = state.entry_id("pay", ref, f"{date}")
    try:
        entry = events.pay_entry(
            amount, date, entry_id, ref, parts, excess=excess, account=bank, paid=paid,
            fee=fee, rates=state.rates,
        )  # fmt: skip
    except MoneyError as err:
        raise Refused(str(err)) from None
    entry = state.booked_late(entry, date)
    applied = _applied(parts, excess, "prepaid", amount.currency)
    return Plan(
        (entry,),
        f"paid {show_money(*amount)} to OneBox: {applied}{late_note(entry)}",
        tuple((item.id, part) for item, part in parts),
        excess,
    )


def onebox_bill(
    state: State,
    bill: str,
    billed: Money,
    date: datetime.date,
    *,
    ref: str | None = None,
    credit: bool = False,
) -> Plan:
    """What OneBox actually billed; the difference to the books goes to OneBox:Adjustment.
    `credit`: `billed` is what OneBox credits on the bill (its credit note), which lowers the
    bill by that much and settles its disputes (disputes.py) in line order."""
    every = state.open_bills(date)
    _named(every, bill, "bill", f"OneBox bills issued by {date}")
    item = next(i for i in every if i.id == bill)
    if billed.currency != item.currency:
        raise Refused(f"bill {bill} is in {item.currency}, not {billed.currency}", usage=True)
    if credit:
        return _onebox_credit(state, item, billed, date, ref=ref)
    if billed.number == item.billed:
        return Plan((), f"bill {bill} already stands at {show_money(*billed)}; nothing changed")
    state.not_sealed(date)
    if billed.number < item.paid:
        raise Refused(
            f"bill {bill}: {show_money(*billed)} is less than the {show_money(item.paid, item.currency)}"
            " already paid (record what OneBox refunds as a receipt first)"
        )
    entry_id = state.entry_id("bill", ref, f"{bill}/{date}")
    try:
        entry = events.bill_entry(item, billed.number, date=date, entry_id=entry_id, ref=ref,
                                  rates=state.rates,
                                  vat_rate=taxes.bill_rate(state.by_id.values(), bill))  # fmt: skip
    except MoneyError as err:
        raise Refused(str(err)) from None
    difference = billed.number - item.billed
    operating = state.rates.operating
    parts = {p.account: money.weight(p, operating) for p in entry.postings}
    vat = parts.get(taxes.VAT_INPUT, ZERO)
    split = (
        f" ({show_money(parts.get(beans.ADJUSTMENT, ZERO), operating)}) and {taxes.VAT_INPUT}"
        f" ({show_money(vat, operating)})"
        if vat
        else ""
    )
    return Plan(
        (entry,),
        f"bill {bill}: billed {show_money(*billed)}, accrued {show_money(item.accrued, item.currency)},"
        f" difference {show_money(difference, item.currency, sign=True)} to {beans.ADJUSTMENT}"
        f"{split}",
    )


def _onebox_credit(
    state: State, item: OpenItem, credit: Money, date: datetime.date, *, ref: str | None
) -> Plan:
    """OneBox's credit note on a bill: the bill lowered by `credit`, ``credit:`` on the entry."""
    if ref is not None and f"bill/{ref}" in state.by_id:
        return Plan((), f"credit {ref} on bill {item.id} already recorded; nothing changed")
    if not credit.number > 0:
        raise Refused(f"a credit is more than 0, not {show_money(*credit)}", usage=True)
    plan = onebox_bill(state, item.id, Money(item.billed - credit.number, credit.currency), date,
                       ref=ref)  # fmt: skip
    (entry,) = plan.entries
    entry = entry._replace(
        narration=f"Bill {item.id} credited {show_money(*credit)} by OneBox",
        meta={**entry.meta, disputes.CREDIT: Amount(credit.number, credit.currency)},
    )
    known = [*state.disputing, *state.by_id.values()]
    before = disputes.open_by_bill(disputes.disputes(known)).get(item.id, ZERO)
    after = disputes.open_by_bill(disputes.disputes([*known, entry]))
    held = after.get(item.id, ZERO)
    settled = (
        f"; {show_money(before - held, item.currency)} of its disputes settled,"
        f" {show_money(held, item.currency)} still disputed"
        if before
        else ""
    )
    return Plan((entry,), f"bill {item.id}: OneBox credited {show_money(*credit)}; "
                + plan.message.split(": ", 1)[1] + settled)  # fmt: skip


# ---------------------------------------------------------------- sales and corrections


def sale(
    state: State,
    customer: str,
    amount: Money,
    *,
    stream: str,
    date: datetime.date,
    memo: str,
    ref: str | None = None,
    consumes: tuple[str, int] | None = None,
) -> Plan:
    """A one-time invoice; cloud and data consume OneBox items, whose cost it books (on the bill
    of the sale's month, at that month's tier; the sale's own customer counts as a box when no
    contract makes it one)."""
    who = state.customer(customer)
    if amount.currency != who.currency:
        raise Refused(
            f"customer {customer!r} is billed in {who.currency}, not {amount.currency}", usage=True
        )
    if who.date > date:
        raise Refused(f"customer {customer!r} was added on {who.date}, after {date}")
    entry_id = state.entry_id("sell", ref, f"{date}/{customer}")
    found = state.by_id.get(entry_id) if ref is not None else None
    if found is not None:
        differs = events.reused_ref(
            found, ref or "", date=date, customer=customer, amount=amount, memo=memo, stream=stream
        )
        if differs:
            raise Refused(differs)
        return Plan((), f"ref {ref} already recorded; nothing changed", recorded=entry_id)
    state.not_sealed(date)
    if stream in ("cloud", "data") and consumes is None:
        raise Refused(
            f"a {stream} sale consumes OneBox items: give --item and --quantity (the units it"
            " uses), or sell it as services",
            usage=True,
        )
    invoice = events.sell_invoice_id(date, customer, state.invoice_ids)
    try:
        vat = taxes.treatment(state.book, who, date)
        entries = [
            events.sell_entry(
                who,
                amount,
                stream=stream,
                date=date,
                memo=memo,
                entry_id=entry_id,
                invoice=invoice,
                ref=ref,
                rates=state.rates,
                vat=None if vat is None else vat.meta(),
            )
        ]
        entries += taxes.invoice_vat(entries, state.rates, prefix="", entry_id=f"{entry_id}/vat")
        if consumes is not None:
            entries.append(_sale_cost(state, who, stream, date, entry_id, consumes))
    except MoneyError as err:
        raise Refused(str(err)) from None
    tax = next((e for e in entries if e.meta.get("net")), None)
    plus = (
        f" + VAT {show_money(beans.units(tax.postings[0]).number, amount.currency)}"
        f" ({taxes.percent(tax.meta['vat-rate'])})"
        if tax is not None
        else ""
    )
    return Plan(
        tuple(entries), f"invoice {invoice}: {show_money(*amount)} {stream}{plus} to {customer}"
    )


def _sale_cost(
    state: State,
    who: Customer,
    stream: str,
    date: datetime.date,
    entry_id: str,
    consumes: tuple[str, int],
) -> data.Transaction:
    name, quantity = consumes
    month = Month.of(date)
    item = state.book.item(name, date)
    if item is None:
        raise Refused(f"item {name!r} has no list price on {date}", usage=True)
    boxes, _ = month_rate(state.book, month)
    rate = state.book.rate(max(boxes, 1), month.last)  # the sale's own box counts at least
    if rate is None:
        raise Refused(
            f"no cost rate applies in {month} (add a tier: onebox-ledger terms rate 1 0.65)"
        )
    try:
        due = due_date(state.book, month)
    except BillingError as err:
        raise Refused(str(err)) from None
    list_price = beans.number(item.price)
    cost = round_money(Decimal(quantity) * list_price * rate)
    describe = (
        f"{stream.capitalize()}: {quantity} x {name} at {list_price} {item.price.currency}"
        f" x {(rate * 100).normalize():f}% of list, sold {date}"
    )
    return events.sale_cost_entry(
        who, stream=stream, date=date, entry_id=f"{entry_id}/cost",
        cost=Money(cost, item.price.currency), describe=describe, bill=f"onebox-{month}", due=due,
        rates=state.rates,
    )  # fmt: skip


def credit_note(
    state: State,
    invoice: str,
    amount: Money,
    *,
    date: datetime.date,
    memo: str,
    stream: str | None = None,
    ref: str | None = None,
) -> Plan:
    """Reduce an invoice and the income of its stream; beyond its open amount, credit."""
    item = state.invoices.get(invoice)
    if item is None or item.customer is None:
        _named(list(state.invoices.values()), invoice, "invoice", "this ledger")
        raise Refused(f"unknown invoice {invoice!r}", usage=True)  # pragma: no cover
    who = state.customer(str(item.customer))
    if amount.currency != item.currency:
        raise Refused(f"invoice {invoice} is in {item.currency}, not {amount.currency}", usage=True)
    if date < item.date:
        raise Refused(
            f"credit note dated {date}, before invoice {invoice} of {item.date}", usage=True
        )
    streams = _streams(state, invoice)
    if stream is None:
        if len(streams) != 1:
            raise Refused(
                f"invoice {invoice} bills {', '.join(streams)}: say which with --stream", usage=True
            )
        stream = streams[0]
    elif stream not in streams:
        raise Refused(f"invoice {invoice} bills {', '.join(streams)}, not {stream}", usage=True)
    credited = sum(
        (beans.number(e.meta["amount"]) for e in state.by_id.values()
         if e.meta.get("invoice") == invoice and isinstance(e.meta.get("credit-note"), str)
         and isinstance(e.meta.get("amount"), Amount)),
        ZERO,
    )  # fmt: skip
    vat = taxes.invoice_treatment(state.by_id.values(), invoice)
    billed = taxes.net_billed(state.by_id.values(), invoice) if vat else item.billed
    if amount.number > billed - credited:
        net = " net of VAT" if vat.get("vat") == "standard" else ""
        raise Refused(
            f"a credit note of {show_money(*amount)} exceeds what invoice {invoice} billed{net}"
            f" and was not credited yet ({show_money(billed - credited, item.currency)})"
        )
    scope = f"{invoice}/{date}"
    for n in range(1, 1000):
        existing = state.by_id.get(f"credit-note/{scope}/{n}") if ref is None else None
        if existing is None:
            break
        if existing.meta.get("amount") == _amount(amount) and (existing.narration or "").endswith(
            f": {memo}"
        ):
            return Plan((), f"credit note {existing.meta.get('credit-note')} already recorded;"
                        " nothing changed")  # fmt: skip
    if ref is not None and f"credit-note/{ref}" in state.by_id:
        found = state.by_id[f"credit-note/{ref}"]
        if found.meta.get("amount") == _amount(amount) and found.meta.get("invoice") == invoice:
            return Plan(
                (), f"ref {ref} already recorded; nothing changed", recorded=f"credit-note/{ref}"
            )
        raise Refused(f"ref {ref!r} was already used for another credit note")
    state.not_sealed(date)
    entry_id = state.entry_id("credit-note", ref, scope)
    note = events.credit_note_id(date, who.id, state.invoice_ids)
    try:
        entry = events.credit_note_entry(
            who, item, amount.number, stream=stream, date=date, memo=memo, entry_id=entry_id,
            note=note, ref=ref, rates=state.rates, vat=vat,
        )  # fmt: skip
    except MoneyError as err:
        raise Refused(str(err)) from None
    rate = vat.get("vat-rate") if vat.get("vat") == "standard" else None
    tax = taxes.of_net(amount.number, rate) if rate is not None else ZERO
    gross = amount.number + tax
    part = min(gross, max(item.open, ZERO))
    tail = f", {show_money(gross - part, amount.currency)} held as credit" if gross > part else ""
    with_vat = (
        f" + VAT {show_money(tax, amount.currency)} ({taxes.percent(rate)})"
        if rate is not None
        else ""
    )
    set_off_entries: list[data.Transaction] = []
    if gross > part:  # the excess is credit: set against the customer's other open invoices
        held = OpenItem(note, "credit", date, item.currency, who.id, gross - part, lot=item.lot)
        try:
            set_off_entries = set_off(state, who.id, date, extra=[held], skip=invoice)
        except MoneyError as err:
            raise Refused(str(err)) from None
        if set_off_entries:
            tail += f", applied: {_applied_to(set_off_entries)}"
    return Plan(
        (entry, *set_off_entries),
        f"credit note {note}: {show_money(*amount)}{with_vat} off {invoice} ({stream}){tail}",
        ((invoice, part),),
        gross - part,
    )


def _amount(amount: Money) -> Amount:
    return Amount(*amount)


def _streams(state: State, invoice: str) -> list[str]:
    """The streams whose income an invoice booked (Income:<Stream> on its transactions)."""
    found: set[str] = set()
    for entry in state.by_id.values():
        if entry.meta.get("invoice") != invoice:
            continue
        for post in entry.postings:
            parts = post.account.split(":")
            if parts[0] == "Income" and parts[1].lower() in beans.STREAMS:
                found.add(parts[1].lower())
            elif post.account.startswith(beans.DEFERRED + ":"):
                contract = entry.meta.get("contract")
                stream = (
                    state.book.contracts[contract].stream
                    if contract in state.book.contracts
                    else None
                )
                if stream:
                    found.add(stream)
    return sorted(found)


def write_off(state: State, invoice: str, *, date: datetime.date, memo: str) -> Plan:
    """Move what is still open on an invoice to Expenses:Bad-Debt."""
    item = state.invoices.get(invoice)
    if item is None or item.customer is None:
        _named(list(state.invoices.values()), invoice, "invoice", "this ledger")
        raise Refused(f"unknown invoice {invoice!r}", usage=True)  # pragma: no cover
    if f"write-off/{invoice}" in state.by_id:
        return Plan((), f"invoice {invoice} is already written off; nothing changed",
                    recorded=f"write-off/{invoice}")  # fmt: skip
    if item.open <= 0:
        raise Refused(f"invoice {invoice} has nothing open to write off")
    if date < item.date:
        raise Refused(
            f"write-off dated {date}, before invoice {invoice} of {item.date}", usage=True
        )
    state.not_sealed(date)
    who = state.customer(str(item.customer))
    vat = taxes.invoice_treatment(state.by_id.values(), invoice)
    entry = events.write_off_entry(who, item, date=date, memo=memo, rates=state.rates, vat=vat)
    relieved = sum(
        (money.weight(p, state.rates.operating) for p in entry.postings
         if p.account == taxes.VAT_OUTPUT),
        ZERO,
    )  # fmt: skip
    note = f", VAT {show_money(relieved, state.rates.operating)} relieved" if relieved else ""
    return Plan(
        (entry,),
        f"invoice {invoice}: {show_money(item.open, item.currency)} written off to"
        f" {beans.BAD_DEBT}{note}",
        ((invoice, item.open),),
    )


# ---------------------------------------------------------------- taxes


TAX_OWED = {"single": taxes.SINGLE_TAX_OWED, "vat": taxes.VAT_OUTPUT}


def tax_payment(
    state: State,
    kind: str,
    amount: Money,
    date: datetime.date,
    *,
    ref: str | None = None,
    account: str | None = None,
    through: datetime.date | None = None,
) -> Plan:
    """A tax paid to the tax office: the single tax (Liabilities:Tax:Single) or VAT
    (Liabilities:VAT:Output), from a bank account, in the operating currency. Paying VAT
    settles a return: the input VAT booked through `through` (default: the end of the month
    before the payment) is set against the output VAT, so Assets:VAT:Input is cleared."""
    owed = TAX_OWED[kind]
    operating = state.rates.operating
    if amount.currency != operating:
        raise Refused(f"taxes are paid in the operating currency {operating}, not {amount.currency}",
                      usage=True)  # fmt: skip
    done = state.recorded("tax", ref, date=date, customer=None, amount=amount)
    if done:
        return Plan((), f"ref {ref} already recorded; nothing changed", recorded=done)
    bank = state.bank(account, amount.currency)
    entry_id = state.entry_id("tax", ref, f"{date}/{kind}")
    cleared = ZERO
    if kind == "vat":  # the return sets input VAT against output: what it pays is the rest
        through = through or Month.of(date).prev().last
        cleared = sum(
            (beans.number(p.units) for e in state.by_id.values() if e.date <= through
             for p in e.postings if p.account == taxes.VAT_INPUT),
            ZERO,
        )  # fmt: skip
    postings = [beans.posting(owed, amount.number + cleared, amount.currency)]
    if cleared:
        postings.append(beans.posting(taxes.VAT_INPUT, -cleared, amount.currency))
    postings.append(beans.posting(bank, -amount.number, amount.currency))
    what = "Single tax" if kind == "single" else "VAT"
    entry = beans.transaction(
        date, "Tax office", f"{what} paid",
        beans.meta(id=entry_id, amount=Amount(*amount), ref=ref, **{"tax-payment": kind}),
        postings,
    )  # fmt: skip
    entry = state.booked_late(entry, date)
    setoff = (
        f" (input VAT {show_money(cleared, amount.currency)} through {through} set against output)"
        if cleared
        else ""
    )
    return Plan(
        (entry,),
        f"{what.lower()} paid: {show_money(*amount)} from {bank}{setoff}{late_note(entry)}",
    )


# ---------------------------------------------------------------- credit


def set_off(
    state: State,
    customer: str,
    date: datetime.date,
    *,
    invoice: str | None = None,
    extra: Sequence[OpenItem] = (),
    skip: str | None = None,
    paid: Mapping[str, Decimal] | None = None,
) -> list[data.Transaction]:
    """The customer's credit (and `extra` credit an entry being planned makes) set against its
    open invoices issued by `date` (the named one, or every one oldest first; `skip` left
    out; `paid`: what the entry being planned pays on them, per invoice), oldest credit
    first, one entry per invoice (id ``apply-credit/<invoice>/<date>/<n>``), each part at its
    own rate. The state is not changed: the caller adds what it writes. Credit and an invoice
    in different currencies are left apart."""
    who = state.customer(customer)
    paid = paid or {}
    invoices = [
        replace(i, paid=i.paid + paid.get(i.id, ZERO))
        for i in state.customer_invoices(customer, date)
        if i.id != skip
    ]
    invoices = [i for i in invoices if i.open > 0]
    if invoice is not None:
        invoices = [i for i in invoices if i.id == invoice]
    used: dict[str, Decimal] = {}
    taken = set(state.by_id)
    out = []
    for item in invoices:
        mine = [
            replace(c, paid=c.paid + used.get(c.id, ZERO))
            for c in [*state.customer_credits(customer, date), *extra]
            if c.currency == item.currency
        ]
        parts = [(c, part) for c, part in events.allocate(mine, item.open)[0] if part > 0]
        if not parts:
            continue
        for c, part in parts:
            used[c.id] = used.get(c.id, ZERO) + part
        entry_id = events.event_id("apply-credit", None, f"{item.id}/{date}", taken)
        taken.add(entry_id)
        out.append(
            events.apply_credit_entry(
                who, parts, item, date=date, entry_id=entry_id, period=str(Month.of(date)),
                rates=state.rates,
            )
        )  # fmt: skip
    return out


def _applied_to(entries: Sequence[data.Transaction]) -> str:
    """'75.00 USD to inv-2026-10-acme, ...': what each set-off entry applied."""
    shown = []
    for entry in entries:
        for post in entry.postings:
            if post.account.startswith(beans.RECEIVABLE + ":"):
                number, currency = beans.units(post)
                shown.append(f"{show_money(-number, currency)} to {entry.meta['invoice']}")
    return ", ".join(shown)


def apply_credit(
    state: State, customer: str, date: datetime.date, *, invoice: str | None = None
) -> Plan:
    """``apply-credit``: set a customer's credit against its open invoices now (`set_off`)."""
    who = state.customer(customer)
    if invoice is not None:
        _named(
            state.customer_invoices(customer, date), invoice, "invoice", f"customer {customer!r}"
        )
        if state.invoices[invoice].open <= 0:
            raise Refused(f"invoice {invoice} is paid ({_settled_by(state, invoice)})")
    credit = state.customer_credits(customer, date)
    if not credit:
        raise Refused(f"customer {customer!r} holds no credit on {date}")
    state.not_sealed(date)
    try:
        entries = set_off(state, customer, date, invoice=invoice)
    except MoneyError as err:
        raise Refused(str(err)) from None
    if not entries:
        raise Refused(
            f"customer {customer!r} has no open invoice in the credit's currency"
            f" ({', '.join(sorted({c.currency for c in credit}))}) issued by {date}"
        )
    return Plan(tuple(entries), f"credit of {who.id} applied: {_applied_to(entries)}")
