"""Agents and their commissions: who brought a customer, what share they earn, when. Pure.

A partner may pay an agent (or a sub-partner) a share of the money of the customers the
agent brought. Agents and their deals are dated ``custom`` directives in
``ledger/customers.beancount``; a deal can change (a new assignment from a later date)::

    2026-01-01 custom "onebox-agent" "nadia"
      name: "Nadia Koval"
    2026-02-01 custom "onebox-assign" "acme" "nadia"          ; from 2026-02-01
      rate: 0.10                                              ; 10% of the base
      basis: "collected"                                      ; collected | invoiced
      streams: "cloud,services"                               ; optional: default every stream
      to: 2026-12-31                                          ; optional last day

**What the commission is earned on** (the base, :func:`commission_base`): the money net of
VAT, in the operating currency (a foreign amount at the rate of the day the money moved).

- ``collected``: at each customer receipt. An assignment of every stream earns on all the
  money the receipt brings (what it settles on invoices and what it holds as the customer's
  credit: money collected is collected); an assignment of some streams earns on what the
  receipt settles on invoices, each part in the share the assigned streams have in that
  invoice (credit held belongs to no stream yet and earns nothing). A refund of credit
  gives back its share (every-stream assignments: the credit earned when it came in). An
  unpaid invoice earns nothing, and so its write-off gives back nothing.
- ``invoiced``: at each close, on the month's invoices of the customer (their part of the
  assigned streams); a write-off gives back the share of what it writes off, a credit note
  the commission of the net amount it credits (its VAT aside) when its stream is assigned;
  only on an invoice the close paid commission on (``sell``'s invoices earn none).

A customer with two assignments active on a day (an agent and a sub-partner) pays both.
Each commission is its own transaction, next to the money event it follows, rounded
half-up to cents once::

    2026-12-10 * "Nadia Koval" "Commission 10% of 125.00 USD from acme (receive/BANK-1)"
      id: "commission/receive/BANK-1/nadia"
      agent: "nadia"
      customer: "acme"
      source: "receive/BANK-1"
      base: 125.00 USD
      rate: 0.10
      Expenses:Commission              12.50 USD
      Liabilities:Commission:Nadia    -12.50 USD

A refund, write-off or credit note writes the same shape with the signs turned. ``agent pay`` (or a
bank row whose counterparty is the agent) settles the liability::

    2027-01-05 * "Nadia Koval" "Commission paid"
      id: "agent-pay/2027-01-05/nadia/1"
      agent: "nadia"
      amount: 12.50 USD
      Liabilities:Commission:Nadia     12.50 USD
      Assets:Bank                     -12.50 USD

``verify`` re-derives every commission from the directives and the money events
(:func:`derive`) and reports each one written otherwise, missing or left over.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, taxes
from .events import VALUE_DATE
from .model import Book, ModelError, error
from .money import Rates
from .reports import COMMISSION, Table
from .values import ZERO, InputError, Money, Month, parse_id, round_money, show_money

AGENT = "onebox-agent"
ASSIGN = "onebox-assign"
BASES = ("collected", "invoiced")
LIABILITY = "Liabilities:Commission"
PREFIX = "commission/"  # ids of the accrued (and reversed) commissions
PAY_PREFIX = "agent-pay/"  # ids of payments to agents
KINDS = ("receive", "refund", "write-off", "credit-note")  # the money events commission follows


def liability_account(agent: str) -> str:
    """'nadia' -> 'Liabilities:Commission:Nadia' (as customers' accounts are named)."""
    return f"{LIABILITY}:{beans.customer_account_part(agent)}"


@dataclass(frozen=True)
class Agent:
    id: str
    date: datetime.date
    name: str


@dataclass(frozen=True)
class Assignment:
    """A customer's deal with an agent, from `date` through `to` (inclusive; None: open)."""

    customer: str
    agent: str
    date: datetime.date
    rate: Decimal  # a share: 0.10 is 10%
    basis: str = "collected"
    streams: tuple[str, ...] | None = None  # None: every stream
    to: datetime.date | None = None

    def active_on(self, date: datetime.date) -> bool:
        return self.date <= date and (self.to is None or date <= self.to)

    def every_stream(self) -> bool:
        return self.streams is None or set(self.streams) >= set(beans.STREAMS)


@dataclass(frozen=True)
class Agents:
    agents: dict[str, Agent] = field(default_factory=dict)
    assignments: tuple[Assignment, ...] = ()

    def on(self, customer: str, date: datetime.date, basis: str) -> list[Assignment]:
        """The customer's assignments of `basis` active on `date`, by agent."""
        found = [
            a for a in self.assignments
            if a.customer == customer and a.basis == basis and a.active_on(date)
        ]  # fmt: skip
        return sorted(found, key=lambda a: a.agent)


# ---------------------------------------------------------------- the VAT seam


def commission_base(settled: Decimal, currency: str, *, vat: Decimal = ZERO) -> Decimal:
    """The base a commission is computed on, from what a receipt settles (or an invoice
    bills) in `currency`: the amount net of VAT.

    What `settled` holds is already net: :func:`share` counts an invoice's VAT (taxes) beside
    its streams and gives the streams' share of the gross, so `vat` is what is left to take
    out of money that settles no invoice (none: credit held carries no VAT until invoiced).
    It is the one place the base is made; every accrual, reversal and ``verify`` call it.
    """
    del currency  # the VAT share will depend on the invoice's currency and rate
    return settled - vat


# ---------------------------------------------------------------- directives


class _Bad(Exception):
    pass


def _values(entry: data.Custom) -> list[Any]:
    return [value for value, _ in entry.values]


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"{what} must be a non-empty string, not {value!r}")
    return value


def _id(value: Any, what: str) -> str:
    try:
        return parse_id(_text(value, f"the {what} id"), what)
    except InputError as err:
        raise _Bad(str(err)) from None


def parse_streams(text: str) -> tuple[str, ...]:
    """'cloud,services' -> ('cloud', 'services'); InputError naming a stream that is none."""
    names = tuple(s.strip() for s in text.split(","))
    for name in names:
        if name not in beans.STREAMS:
            raise InputError(
                f"stream {name!r} is not one of {', '.join(beans.STREAMS)} (give them like"
                " cloud,services)"
            )
    if len(set(names)) != len(names):
        raise InputError(f"streams {text!r} name a stream twice")
    return names


def parse_agents(
    entries: Iterable[data.Directive], book: Book | None = None
) -> tuple[Agents, list[ModelError]]:
    """Agents and assignments from the entries' directives, plus one error per malformed one.
    `book`: when given, an assignment must name a known customer."""
    customs = [
        e for e in entries if isinstance(e, data.Custom) and e.type in (AGENT, ASSIGN)
    ]  # fmt: skip
    customs.sort(key=lambda e: (e.type != AGENT, e.date))
    agents: dict[str, Agent] = {}
    assignments: list[Assignment] = []
    errors: list[ModelError] = []
    for entry in customs:
        try:
            if entry.type == AGENT:
                values = _values(entry)
                if len(values) != 1:
                    raise _Bad(f'"{AGENT}" takes one value, the agent id')
                aid = _id(values[0], "agent")
                if aid in agents:
                    raise _Bad(f"agent {aid!r} is defined twice")
                taken = {beans.customer_account_part(a): a for a in agents}
                if beans.customer_account_part(aid) in taken:
                    raise _Bad(f"agent {aid!r} would share an account with {taken[aid]!r}")
                agents[aid] = Agent(aid, entry.date, _text(entry.meta.get("name"), "name"))
            else:
                assignments.append(_assignment(entry, agents, book, assignments))
        except _Bad as bad:
            errors.append(error(entry, str(bad)))
    return Agents(agents, tuple(assignments)), errors


def _assignment(
    entry: data.Custom, agents: Mapping[str, Agent], book: Book | None, done: list[Assignment]
) -> Assignment:
    values = _values(entry)
    if len(values) != 2:
        raise _Bad(f'"{ASSIGN}" takes a customer id and an agent id')
    customer, agent = _id(values[0], "customer"), _id(values[1], "agent")
    if agent not in agents:
        raise _Bad(f"assignment to unknown agent {agent!r}")
    if book is not None and customer not in book.customers:
        raise _Bad(f"assignment of unknown customer {customer!r}")
    rate = entry.meta.get("rate")
    if not isinstance(rate, Decimal) or not 0 < rate <= 1:
        raise _Bad(f"rate must be a share above 0 and at most 1 (0.10 is 10%), not {rate!r}")
    basis = _text(entry.meta.get("basis", "collected"), "basis")
    if basis not in BASES:
        raise _Bad(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    streams = entry.meta.get("streams")
    parsed = None
    if streams is not None:
        try:
            parsed = parse_streams(_text(streams, "streams"))
        except InputError as err:
            raise _Bad(str(err)) from None
    to = entry.meta.get("to")
    if to is not None and (not isinstance(to, datetime.date) or to < entry.date):
        raise _Bad(f"to must be a date on or after {entry.date}, not {to!r}")
    made = Assignment(customer, agent, entry.date, rate, basis, parsed, to)
    for other in done:
        if (other.customer, other.agent) == (customer, agent) and _overlap(other, made):
            raise _Bad(
                f"{customer} is already assigned to {agent} from {other.date}"
                f"{' to ' + str(other.to) if other.to else ''}; end that one first (--to)"
            )
    return made


def _overlap(a: Assignment, b: Assignment) -> bool:
    far = datetime.date.max
    return a.date <= (b.to or far) and b.date <= (a.to or far)


def agent_entry(aid: str, name: str, date: datetime.date) -> data.Custom:
    return beans.custom(date, AGENT, [aid], beans.meta(name=name))


def assign_entry(a: Assignment) -> data.Custom:
    """The directive; `basis` is written only when it is not the default (collected)."""
    return beans.custom(
        a.date, ASSIGN, [a.customer, a.agent],
        beans.meta(rate=a.rate, basis=None if a.basis == "collected" else a.basis,
                   streams=None if a.streams is None else ",".join(a.streams), to=a.to),
    )  # fmt: skip


def demo_entries(
    customer: str, date: datetime.date, *, agent: str = "nadia", name: str = "Nadia Koval"
) -> list[data.Custom]:
    """The demo's agent, for ``ledger/customers.beancount``: `agent` added on `date` and
    assigned `customer` at 10% of collected money, every stream, from `date`. Each receipt
    of the customer's after it accrues its commission when written through
    ``actions.write_events`` (or :func:`accrue`)."""
    return [
        agent_entry(agent, name, date),
        assign_entry(Assignment(customer, agent, date, Decimal("0.10"))),
    ]


# ---------------------------------------------------------------- what invoices bill


Composition = dict[str, dict[str, Decimal]]  # invoice -> stream -> amount billed


VAT = "(vat)"  # an invoice's VAT in its composition (taxes): billed, but earns no commission


def compose(entries: Iterable[data.Directive], book: Book) -> Composition:
    """What each invoice billed per stream: each entry naming an ``invoice:`` and debiting a
    receivable bills the stream of its income (``Income:<Stream>``) or of its contract; its
    VAT entry (taxes.invoice_vat) bills VAT."""
    out: Composition = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        invoice = entry.meta.get("invoice")
        if not isinstance(invoice, str) or beans.entry_id(entry) in (None, ""):
            continue
        billed = sum(
            (beans.units(p).number for p in entry.postings
             if p.account.startswith(beans.RECEIVABLE + ":") and beans.units(p).number > 0),
            ZERO,
        )  # fmt: skip
        if not billed:
            continue
        is_vat = any(p.account == taxes.VAT_OUTPUT for p in entry.postings)
        stream = VAT if is_vat else _stream_of(entry, book)
        if stream is not None:
            by_stream = out.setdefault(invoice, {})
            by_stream[stream] = by_stream.get(stream, ZERO) + billed
    return out


def _stream_of(entry: data.Transaction, book: Book) -> str | None:
    for post in entry.postings:
        parts = post.account.split(":")
        if parts[0] == "Income" and len(parts) == 2 and parts[1].lower() in beans.STREAMS:
            return parts[1].lower()
    contract = book.contracts.get(str(entry.meta.get("contract")))
    return contract.stream if contract is not None else None


def share(composition: Composition, invoice: str, streams: tuple[str, ...] | None) -> Decimal:
    """The share of `invoice`'s gross that `streams` billed net of VAT (every stream: all but
    the VAT, 1 without it; 0 when unknown): 148.75 billed with 23.75 of VAT earns on 125.00."""
    by_stream = composition.get(invoice, {})
    total = sum(by_stream.values(), ZERO)
    if streams is None:
        return (total - by_stream.get(VAT, ZERO)) / total if total else Decimal(1)
    if not total:
        return ZERO
    return sum((v for s, v in by_stream.items() if s in streams), ZERO) / total


# ---------------------------------------------------------------- accrual


@dataclass(frozen=True)
class Source:
    """A money event commission follows: its id, customer, date, currency, and signed
    amounts (positive earns, negative gives back): invoice parts and the unassigned rest."""

    id: str
    customer: str
    date: datetime.date  # the day the money moved (assignment and rate are of that day)
    booked: datetime.date  # the entry's date (the commission is dated with it)
    currency: str
    basis: str
    parts: tuple[tuple[str, Decimal], ...]  # (invoice, amount)
    rest: Decimal = ZERO  # collected money that settles no invoice (credit held, refunded)
    stream: str | None = None  # a credit note's: its parts are net amounts of this stream


def source_of(entry: data.Transaction) -> Source | None:
    """What a receipt, refund, write-off or credit note means to commission; None for other
    entries."""
    entry_id = beans.entry_id(entry) or ""
    customer = entry.meta.get("customer")
    if not isinstance(customer, str):
        return None
    kind = entry_id.split("/", 1)[0]
    if kind not in KINDS:
        return None
    if kind == "credit-note":  # gives back the invoiced commission of the net it credits
        return _credit_note(entry, entry_id, customer)
    value = entry.meta.get(VALUE_DATE)
    moved = value if isinstance(value, datetime.date) else entry.date
    parts: list[tuple[str, Decimal]] = []
    rest = ZERO
    currency = ""
    for post in entry.postings:
        number, cur = beans.units(post)
        if post.account.startswith(beans.RECEIVABLE + ":"):
            currency = cur
            invoice = (post.meta or {}).get("invoice") or entry.meta.get("invoice")
            parts.append((str(invoice), -number))
        elif beans.is_credit_account(post.account):
            currency = cur
            rest -= number
    if kind == "write-off":  # gives back the invoiced commission of what it writes off
        return Source(entry_id, customer, moved, entry.date, currency, "invoiced",
                      tuple((i, -n) for i, n in parts))  # fmt: skip
    if not currency:
        return None
    return Source(entry_id, customer, moved, entry.date, currency, "collected", tuple(parts), rest)


def _credit_note(entry: data.Transaction, entry_id: str, customer: str) -> Source | None:
    """A credit note's net amount (``amount:``, its VAT aside) of the stream whose income it
    reduces, given back on the invoiced basis."""
    net, invoice = entry.meta.get("amount"), entry.meta.get("invoice")
    stream = next(
        (p.account.split(":")[1].lower() for p in entry.postings
         if p.account.startswith("Income:") and p.account.count(":") == 1),
        None,
    )  # fmt: skip
    if not isinstance(net, Amount) or net.number is None or stream is None:
        return None
    return Source(entry_id, customer, entry.date, entry.date, net.currency, "invoiced",
                  ((str(invoice), -net.number),), stream=stream)  # fmt: skip


def commission_entries(
    source: Source,
    agents: Agents,
    composition: Composition,
    rates: Rates,
    *,
    prefix: str = PREFIX,
    earned: set[tuple[str, str]] | None = None,
) -> list[data.Transaction]:
    """The commission each assignment active on the source's day earns (or gives back).
    `earned`: for a give-back on the invoiced basis (a write-off, a credit note), the
    (invoice, agent) pairs the close paid commission on: only those give back (an invoice of
    ``sell`` earned none). Raises MoneyError when a foreign amount has no rate."""
    out = []
    for assignment in agents.on(source.customer, source.date, source.basis):
        parts = source.parts
        if earned is not None and source.basis == "invoiced":
            parts = tuple(p for p in parts if (p[0], assignment.agent) in earned)
            if not parts:
                continue
        if source.stream is not None:  # net already, and of one stream
            mine = assignment.streams is None or source.stream in assignment.streams
            settled = sum((amount for _, amount in parts), ZERO) if mine else ZERO
        else:
            settled = sum(
                (amount * share(composition, invoice, assignment.streams)
                 for invoice, amount in parts),
                ZERO,
            )  # fmt: skip
        if assignment.every_stream():
            settled += source.rest
        base = round_money(commission_base(settled, source.currency))
        if source.currency != rates.operating:
            what = f"the commission on {source.id}"
            base = round_money(base * rates.need(source.currency, source.date, what))
        amount = round_money(base * assignment.rate)
        if not amount:
            continue
        agent = agents.agents[assignment.agent]
        entry = _entry(agent, assignment, source, base, amount, rates)
        if prefix != PREFIX:  # the close's own: under its prefix, so its seal and drift see it
            entry.meta["id"] = f"{prefix}{source.id}/{agent.id}/commission"
        out.append(entry)
    return out


def _entry(
    agent: Agent, a: Assignment, source: Source, base: Decimal, amount: Decimal, rates: Rates
) -> data.Transaction:
    operating = rates.operating
    pct = f"{(a.rate * 100).normalize():f}%"
    verb = "of" if amount > 0 else "given back on"
    return beans.transaction(
        source.booked, agent.name,
        f"Commission {pct} {verb} {show_money(abs(base), operating)} from {source.customer}"
        f" ({source.id})",
        beans.meta(id=f"{PREFIX}{source.id}/{agent.id}", agent=agent.id,
                   customer=source.customer, source=source.id, base=Amount(base, operating),
                   rate=a.rate),
        [beans.posting(COMMISSION, amount, operating),
         beans.posting(liability_account(agent.id), -amount, operating)],
    )  # fmt: skip


def accrue(
    entries: Sequence[data.Directive],
    new: Sequence[data.Directive],
    book: Book,
    rates: Rates,
) -> list[data.Transaction]:
    """The commissions the `new` money events accrue or give back, given the ledger's
    `entries` (where the agents, assignments and invoices are)."""
    agents, _ = parse_agents(entries)
    if not agents.assignments:
        return []
    sources = [s for e in new if isinstance(e, data.Transaction) and (s := source_of(e))]
    sources = [s for s in sources if agents.on(s.customer, s.date, s.basis)]
    if not sources:
        return []
    composition = compose([*entries, *new], book)
    earned = invoiced_earned(entries)
    out: list[data.Transaction] = []
    for source in sources:
        out.extend(commission_entries(source, agents, composition, rates, earned=earned))
    return out


def invoiced_earned(entries: Iterable[data.Directive]) -> set[tuple[str, str]]:
    """(invoice, agent) of every invoiced-basis commission a close wrote (its id under the
    close's prefix, ``close/2026-11/inv-2026-11-acme/olga/commission``)."""
    return {
        (str(e.meta.get("source")), str(e.meta.get("agent")))
        for e in entries
        if isinstance(e, data.Transaction) and "agent" in e.meta
        and (beans.entry_id(e) or "").endswith("/commission")
    }  # fmt: skip


def close_commissions(
    agents: Agents,
    invoices: Sequence[data.Transaction],
    book: Book,
    rates: Rates,
    prefix: str,
) -> list[data.Transaction]:
    """The invoiced-basis commissions of a close: on each customer's invoice of the month,
    the part of its assigned streams, dated the invoice's day; id
    ``<prefix><invoice>/<agent>/commission`` (``close/2026-11/inv-2026-11-acme/nadia/commission``)."""
    composition = compose(invoices, book)
    firsts: dict[object, data.Transaction] = {}
    for entry in invoices:
        firsts.setdefault(entry.meta.get("invoice"), entry)
    out: list[data.Transaction] = []
    for invoice in sorted(composition):
        first = firsts[invoice]
        customer = str(first.meta.get("customer"))
        total = sum(composition[invoice].values(), ZERO)
        currency = next(
            beans.units(p).currency for p in first.postings
            if p.account.startswith(beans.RECEIVABLE + ":")
        )  # fmt: skip
        source = Source(invoice, customer, first.date, first.date, currency, "invoiced",
                        ((invoice, total),))  # fmt: skip
        out.extend(commission_entries(source, agents, composition, rates, prefix=prefix))
    return out


def closed_commission(entries: Sequence[data.Directive]) -> Money | None:
    """What a close's entries accrue to agents (the close summary's own row), or None."""
    found = [
        beans.units(p) for e in entries if isinstance(e, data.Transaction)
        for p in e.postings if p.account == COMMISSION
    ]  # fmt: skip
    if not found:
        return None
    return Money(sum((m.number for m in found), ZERO), found[0].currency)


def derive(
    entries: Sequence[data.Directive], book: Book, rates: Rates
) -> tuple[list[data.Transaction], list[data.Transaction]]:
    """For verify: (the commission entries written, those the directives and money events
    give), each sorted by id. Invoiced-basis commissions come with the close (close.py)."""
    agents, _ = parse_agents(entries)
    written = [
        e for e in entries
        if isinstance(e, data.Transaction) and (beans.entry_id(e) or "").startswith(PREFIX)
        and str(e.meta.get("source", "")).split("/", 1)[0] in KINDS
    ]  # fmt: skip
    expected: list[data.Transaction] = []
    if agents.assignments:
        composition = compose(entries, book)
        earned = invoiced_earned(entries)
        for entry in entries:
            if isinstance(entry, data.Transaction):
                source = source_of(entry)
                if source is not None:
                    expected.extend(
                        commission_entries(source, agents, composition, rates, earned=earned)
                    )

    def key(e: data.Transaction) -> str:
        return beans.entry_id(e) or ""

    return sorted(written, key=key), sorted(expected, key=key)


def note(commissions: Sequence[data.Transaction]) -> str:
    """'; commission 12.50 USD to nadia' (or 'given back by nadia') for a command's message."""
    shown = []
    for entry in commissions:
        number, currency = beans.units(entry.postings[0])
        agent = entry.meta.get("agent")
        if number > 0:
            shown.append(f"commission {show_money(number, currency)} to {agent}")
        else:
            shown.append(f"commission {show_money(-number, currency)} given back by {agent}")
    return "".join(f"; {s}" for s in shown)


# ---------------------------------------------------------------- paying an agent


def owed(entries: Iterable[data.Directive], agent: str) -> Money | None:
    """What the books owe `agent` (the liability's balance, in the operating currency), or
    None when nothing was ever booked to it."""
    account = liability_account(agent)
    total, currency = ZERO, None
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for post in entry.postings:
                if post.account == account:
                    number, currency = beans.units(post)
                    total -= number
    return None if currency is None else Money(total, currency)


def pay_entry(
    agent: Agent,
    amount: Money,
    date: datetime.date,
    entry_id: str,
    ref: str | None,
    *,
    account: str,
    payee: str | None = None,
    memo: str = "Commission paid",
) -> data.Transaction:
    """A payment to an agent: the agent's liability <- the bank account."""
    return beans.transaction(
        date, payee or agent.name, memo,
        beans.meta(id=entry_id, agent=agent.id, amount=Amount(*amount), ref=ref),
        [beans.posting(liability_account(agent.id), amount.number, amount.currency),
         beans.posting(account, -amount.number, amount.currency)],
    )  # fmt: skip


# ---------------------------------------------------------------- what agents earned


@dataclass
class Ledgered:
    """One agent's postings as the reports read them (operating currency)."""

    earned: Decimal = ZERO  # accrued less given back, in the period
    paid: Decimal = ZERO  # paid in the period
    owed_before: Decimal = ZERO  # owed at the period's start
    owed: Decimal = ZERO  # owed at the period's end
    base: Decimal = ZERO  # the base of what was earned in the period
    customers: set[str] = field(default_factory=set)
    lines: list[data.Transaction] = field(default_factory=list)  # the period's entries


def ledgered(
    entries: Iterable[data.Directive],
    *,
    start: datetime.date | None,
    end: datetime.date | None,
) -> dict[str, Ledgered]:
    """Per agent: what it earned and was paid in [start, end], and what it was owed at the
    start and at the end; one pass over the entries' postings to Liabilities:Commission."""
    out: dict[str, Ledgered] = {}
    prefix = LIABILITY + ":"
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if end is not None and entry.date > end:
            continue
        agent = entry.meta.get("agent")
        for post in entry.postings:
            if not post.account.startswith(prefix) or not isinstance(agent, str):
                continue
            number = beans.units(post).number
            row = out.setdefault(agent, Ledgered())
            row.owed -= number
            if start is not None and entry.date < start:
                row.owed_before -= number
                continue
            row.lines.append(entry)
            if not (beans.entry_id(entry) or "").startswith(PAY_PREFIX):
                row.earned -= number
                base = entry.meta.get("base")
                if isinstance(base, Amount) and base.number is not None:
                    row.base += base.number  # signed: a give-back's base is negative
                customer = entry.meta.get("customer")
                if isinstance(customer, str):
                    row.customers.add(customer)
            else:
                row.paid += number
    return out


def agents_table(
    entries: Sequence[data.Directive],
    currency: str,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
) -> Table:
    """``report agents``: per agent, the customers it earned on, the base, what it earned and
    was paid in [start, end], and what it is owed at the end."""
    found, _ = parse_agents(entries)
    rows = ledgered(entries, start=start, end=end)
    table = Table(
        f"Agents' commission, {start or 'start'} to {end or 'end'}, in {currency}",
        ["agent", "name", "customers", "base", "earned", "paid", "owed"],
    )
    totals = [ZERO] * 4
    for aid in sorted(set(found.agents) | set(rows)):
        row = rows.get(aid, Ledgered())
        name = found.agents[aid].name if aid in found.agents else ""
        values = [round_money(v) for v in (row.base, row.earned, row.paid, row.owed)]
        table.rows.append([aid, name, ",".join(sorted(row.customers)), *values])
        totals = [t + v for t, v in zip(totals, values, strict=True)]
    table.totals.append(["total", "", "", *totals])
    return table


def statement_table(
    entries: Sequence[data.Directive], currency: str, agent: str, month: Month
) -> Table:
    """``report statement --agent A --month M``: every commission earned or given back and every
    payment of the month, on which customer's money, with what the agent was owed before and
    after."""
    found, _ = parse_agents(entries)
    name = found.agents[agent].name if agent in found.agents else agent
    row = ledgered(entries, start=month.first, end=month.last).get(agent, Ledgered())
    table = Table(
        f"Statement of {name} ({agent}), {month.label()}, in {currency}",
        ["date", "what", "customer", "source", "base", "rate", "amount"],
    )
    for entry in row.lines:
        number = next(
            beans.units(p).number for p in entry.postings if p.account.startswith(LIABILITY + ":")
        )
        entry_id = beans.entry_id(entry) or ""
        if not entry_id.startswith(PAY_PREFIX):
            what = "earned" if number < 0 else "given back"
            base = entry.meta.get("base")
            table.rows.append([
                entry.date, what, entry.meta.get("customer", ""), entry.meta.get("source", ""),
                base.number if isinstance(base, Amount) else None, entry.meta.get("rate"),
                round_money(-number),
            ])  # fmt: skip
        else:
            table.rows.append([entry.date, "paid", "", entry_id, None, None, round_money(-number)])
    table.total_columns = ["total", "amount"]
    table.totals = [
        ["owed before", round_money(row.owed_before)],
        ["earned", round_money(row.earned)],
        ["paid", round_money(-row.paid)],
        ["owed after", round_money(row.owed)],
    ]
    return table
