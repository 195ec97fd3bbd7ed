"""Random sequences of commands against an independent model of the books.

Hypothesis drives ``onebox_ledger.actions`` directly on a fresh ledger (terms:
cloud-user 25.00 USD, data-plan 7.35 USD, 65% from 1 box, 60% from 2, 55% from 4; OneBox
bills due in 30 days) and keeps its own picture of the books: what each customer
owes per invoice, what is owed to OneBox per bill (and how much of it is in
grace), what is deferred, earned, spent and banked. The model computes every
invoice and cost with its own day-by-day exact arithmetic (fractions, rounded
half-up to cents once per generated entry), never with openitems or reports.

The clock only moves forward; money events are dated now or back-dated up to
40 days into the open month (a back-dated receipt must not pay again what a
later one paid; the targeted tests at the end of this file pin those cases and
an invoice-id collision between customers). After every step the ledger must load with zero errors, balance to the
cent in every transaction, keep ids unique, agree with the model account by
account and item by item, agree with ``reports.keep`` and pass ``verify``.

ONEBOX_ROBUST_EXAMPLES (default 200; the benchmark sets 2000) and
ONEBOX_ROBUST_STEPS (default 20) size the run.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from onebox_ledger import actions, reports, store
from onebox_ledger.values import InputError, Money, Month

from ._support import (
    ITEMS,
    ONEBOX_PAYMENT,
    START,
    TIERS,
    balances,
    by_key,
    by_prefix,
    duplicate_ids,
    env_int,
    load,
    new_ledger,
    snapshot,
    transactions,
    unbalanced,
)

EXAMPLES = env_int("ONEBOX_ROBUST_EXAMPLES", 200)
STEPS = env_int("ONEBOX_ROBUST_STEPS", 20)

ZERO = Decimal("0")
CENT = Decimal("0.01")
DAY = datetime.timedelta(days=1)

CUSTOMERS = {
    "acme": 'Acme "Realty" \\ GmbH',
    "beta-immo": "Beta Immo; #not-a-tag ^not-a-link",
    "gamma": "Gamma Ñandú 🏠",
    "delta": "Delta",
    "epsilon": "Epsilon",
}
MEMOS = ("Implementation", 'Training "advanced"', "Hours\\week 3", "Support; 2026")
REF_FORMS = ("BANK-{n}", "R.{n}", "tx:{n}.a", "{n}_x")
STREAM_ITEMS = {
    "cloud": ("cloud-user", "data-plan", None),
    "data": ("data-plan", None),
    "product": ("cloud-user", None),
    "services": (None,),
}

money = st.integers(min_value=1, max_value=99_999).map(lambda n: Decimal(n) * CENT)
back_days = st.integers(-30, 40).map(lambda n: max(n, 0))  # money events: now or back-dated


# ---------------------------------------------------------------- the model's arithmetic


def cents(value: Fraction) -> Decimal:
    """Round a non-negative exact value half-up to cents."""
    assert value >= 0
    return Decimal(math.floor(value * 100 + Fraction(1, 2))) * CENT


def signed_cents(value: Fraction) -> Decimal:
    """Round half away from zero (Decimal's ROUND_HALF_UP): -161.095 -> -161.10."""
    return cents(value) if value >= 0 else -cents(-value)


def month_first(ym: tuple[int, int]) -> datetime.date:
    return datetime.date(ym[0], ym[1], 1)


def month_last(ym: tuple[int, int]) -> datetime.date:
    return datetime.date(ym[0], ym[1], calendar.monthrange(*ym)[1])


def next_month(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] + ym[1] // 12, ym[1] % 12 + 1)


def ym_of(day: datetime.date) -> tuple[int, int]:
    return (day.year, day.month)


def months_between(a: tuple[int, int], b: tuple[int, int]) -> int:
    return (b[0] * 12 + b[1]) - (a[0] * 12 + a[1])


def anniversary(start: datetime.date, years: int) -> datetime.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


@dataclass
class MContract:
    id: str
    customer: str
    stream: str
    billing: str
    price: Decimal
    quantity: int
    start: datetime.date
    item: str | None
    end: datetime.date | None  # the last day of service: declared at add, or recorded later
    term_end: datetime.date | None = None  # the end declared at add
    changes: list[tuple[datetime.date, int | None, Decimal | None]] = field(default_factory=list)
    advance: bool = False  # monthly, invoiced on each 1st (timing "advance")
    invoiced_through: tuple[int, int] | None = None  # the last month its advance line was issued

    def terms_on(self, day: datetime.date) -> tuple[int, Decimal]:
        quantity, price = self.quantity, self.price
        for when, new_quantity, new_price in sorted(self.changes, key=lambda c: c[0]):
            if when <= day:
                quantity = quantity if new_quantity is None else new_quantity
                price = price if new_price is None else new_price
        return quantity, price

    def active(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def consumes_in(self, ym: tuple[int, int]) -> bool:
        if self.billing == "once":
            return ym_of(self.start) == ym
        first, last = month_first(ym), month_last(ym)
        return self.start <= last and (self.end is None or self.end >= first)

    def years(self, ym: tuple[int, int]) -> list[tuple[datetime.date, datetime.date]]:
        """Annual: (first day, last day) of every contract year with a day of service in `ym`
        (two in an anniversary's month when the year starts after the 1st)."""
        out = []
        n = 0
        while (first := anniversary(self.start, n)) <= month_last(ym):
            last = anniversary(self.start, n + 1) - DAY
            ended = self.end is not None and (first > self.end or self.end < month_first(ym))
            if last >= month_first(ym) and not ended:
                out.append((first, last))
            n += 1
        return out


@dataclass
class MPiece:
    """An amount a contract year bills for the days from `first` to `last`."""

    first: datetime.date
    last: datetime.date
    amount: Decimal
    twelfths: bool  # a whole year: one twelfth a month, the twelfth month the rest
    billed_in: tuple[int, int]


def year_pieces(c: MContract, first: datetime.date, last: datetime.date) -> list[MPiece]:
    """The year's value at its first day's terms (its days only when the contract's end is
    declared within it, or falls in the first month), then each change's yearly difference
    for the days from it to that stop, over the days of the year."""
    days = (last - first).days + 1
    stops = [last]
    if c.term_end is not None:
        stops.append(c.term_end)
    if c.end is not None and ym_of(c.end) == ym_of(first):
        stops.append(c.end)
    stop = min(stops)

    def value(day: datetime.date) -> Fraction:
        quantity, price = c.terms_on(day)
        return Fraction(price) * quantity * 12

    if stop < last:
        head = cents(value(first) * ((stop - first).days + 1) / days)
        out = [MPiece(first, stop, head, False, ym_of(first))]
    else:
        out = [MPiece(first, last, cents(value(first)), True, ym_of(first))]
    until = stop if c.end is None else min(stop, c.end)
    for when, _, _ in sorted(c.changes):
        if first < when <= until:
            added = signed_cents(
                (value(when) - value(when - DAY)) * ((stop - when).days + 1) / days
            )
            if added:
                out.append(MPiece(when, stop, added, False, ym_of(when)))
    return out


def piece_share(p: MPiece, ym: tuple[int, int], through: datetime.date) -> Decimal:
    """What a piece recognises in `ym` for its days up to `through`."""
    first = max(p.first, month_first(ym))
    last = min(p.last, month_last(ym), through)
    if first > last:
        return ZERO * CENT
    days = (last - first).days + 1
    if ym == ym_of(p.last) and last == p.last:  # the piece's last month: what is left of it
        earlier = ZERO * CENT
        m = ym_of(p.first)
        while m != ym:
            earlier += piece_share(p, m, through)
            m = next_month(m)
        return p.amount - earlier
    if p.twelfths:  # a twelfth for each day's share of its month (issue 21: by day)
        return cents(Fraction(p.amount) * days / (12 * month_last(ym).day))
    return signed_cents(Fraction(p.amount) * days / ((p.last - p.first).days + 1))


def served(c: MContract, ym: tuple[int, int]) -> tuple[Decimal, bool]:
    """What a monthly contract's days of service in `ym` are worth (price x quantity per day
    served over the days of the month, rounded once), and whether it served any day."""
    first, last = month_first(ym), month_last(ym)
    active = [first + i * DAY for i in range(last.day) if c.active(first + i * DAY)]
    worth = sum((Fraction(p) * q for q, p in map(c.terms_on, active)), Fraction(0))
    return cents(worth / last.day), bool(active)


def advance_billed(c: MContract, ym: tuple[int, int]) -> Decimal | None:
    """An advance contract's invoice of `ym`: the terms on its first day of service in the month
    (the 1st, or a later start) for the days from it to the month's end; None: no such day."""
    first = max(c.start, month_first(ym))
    if first > month_last(ym) or (c.end is not None and c.end < first):
        return None
    quantity, price = c.terms_on(first)
    days = (month_last(ym) - first).days + 1
    return cents(Fraction(price) * quantity * days / month_last(ym).day)


def previous_month(ym: tuple[int, int]) -> tuple[int, int]:
    return (ym[0] - 1, 12) if ym[1] == 1 else (ym[0], ym[1] - 1)


def advance_lines(c: MContract, ym: tuple[int, int]) -> list[tuple[str, Decimal]]:
    """(id suffix, amount) of what the invoices of `ym` bill an advance contract: the month in
    advance (even 0.00), and, when the month before was billed in advance too, what that
    month's service was worth minus what its invoice billed (when not zero; may be negative)."""
    billed = advance_billed(c, ym)
    if billed is None:
        return []
    lines = [("advance", billed)]
    before = previous_month(ym)
    earlier = advance_billed(c, before)
    if earlier is not None:
        difference = served(c, before)[0] - earlier
        if difference:
            lines.append(("adjust", difference))
    return lines


@dataclass
class MCharge:
    contract: MContract
    invoiced: Decimal
    recognised: Decimal
    cost: Decimal
    credits: list[tuple[str, Decimal]] = field(default_factory=list)  # (id suffix, amount)
    lines: int = 0  # generated transactions for invoices, recognition and credits
    # annual: (day, amount) of each piece invoiced on its own day (its own invoice), and the
    # day of each credited piece (a downgrade: credited on its day), by id suffix
    dated: list[tuple[datetime.date, Decimal]] = field(default_factory=list)
    credit_days: dict[str, datetime.date] = field(default_factory=dict)


def annual_month(c: MContract, ym: tuple[int, int]) -> MCharge | None:
    """An annual contract's month: the pieces billed in it (credits when negative) and what
    each year with days in it recognises; the month service ends early recognises the rest."""
    years = c.years(ym)
    if not years:
        return None
    result = MCharge(c, ZERO * CENT, ZERO * CENT, ZERO * CENT)
    for first, last in years:
        parts = year_pieces(c, first, last)
        through = last if c.end is None else min(c.end, last)
        recognised = sum((piece_share(p, ym, through) for p in parts), ZERO * CENT)
        for p in parts:
            if p.billed_in == ym and p.amount > 0:
                result.invoiced += p.amount
                result.dated.append((p.first, p.amount))
                result.lines += 1
            elif p.billed_in == ym and p.amount < 0:
                result.credits.append((f"change-{p.first}", -p.amount))
                result.credit_days[f"change-{p.first}"] = p.first
                result.lines += 1
        if c.end is not None and c.end < parts[0].last and ym_of(through) == ym:
            total = sum((p.amount for p in parts), ZERO * CENT)
            earlier = ZERO * CENT
            m = ym_of(first)
            while m != ym:
                earlier += sum((piece_share(p, m, through) for p in parts), ZERO * CENT)
                m = next_month(m)
            recognised = total - earlier  # unearned: "recognise", the default
        if recognised:
            result.recognised += recognised
            result.lines += 1
    return result


def charge(c: MContract, ym: tuple[int, int], rate: Decimal | None) -> MCharge | None:
    """The contract's month, computed day by day with exact fractions."""
    first, last = month_first(ym), month_last(ym)
    days = last.day
    active = [first + i * DAY for i in range(days) if c.active(first + i * DAY)]
    units = Fraction(sum(c.terms_on(day)[0] for day in active), days)
    if c.billing == "monthly" and c.advance:
        # the close recognises what the month was worth; with no service next month, it
        # settles the difference to the advance invoice: invoiced, or credited
        if not active:
            return None
        worth = served(c, ym)[0]
        result = MCharge(c, ZERO * CENT, worth, ZERO * CENT, lines=1 if worth else 0)
        difference = worth - (advance_billed(c, ym) or ZERO)
        if difference and not c.consumes_in(next_month(ym)):
            result.lines += 1
            if difference > 0:
                result.invoiced = difference
            else:
                result.credits.append(("settle", -difference))
    elif c.billing == "monthly":
        if not active:
            return None
        terms = [c.terms_on(day) for day in active]
        amount = cents(sum((Fraction(p) * q for q, p in terms), Fraction(0)) / days)
        result = MCharge(c, amount, amount, ZERO * CENT, lines=1 if amount else 0)
    elif c.billing == "once":
        if ym_of(c.start) != ym:
            return None
        amount = cents(Fraction(c.price) * c.quantity)
        result = MCharge(c, amount, amount, ZERO * CENT, lines=1)
        units = Fraction(c.quantity)
    else:
        annual = annual_month(c, ym)
        if annual is None:
            return None
        result = annual
    if c.item is not None and units:
        assert rate is not None
        result.cost = cents(units * Fraction(ITEMS[c.item]) * Fraction(rate))
    if result.lines == 0 and result.cost == 0:
        return None
    return result


@dataclass
class MInvoice:
    id: str
    customer: str
    date: datetime.date
    billed: Decimal = ZERO
    paid: Decimal = ZERO  # paid, credited by a note or written off
    streams: set[str] = field(default_factory=set)
    credited: Decimal = ZERO  # by credit notes
    written_off: bool = False

    @property
    def open(self) -> Decimal:
        return self.billed - self.paid


@dataclass
class MBill:
    id: str
    date: datetime.date
    due: datetime.date
    billed: Decimal = ZERO
    paid: Decimal = ZERO
    in_grace: Decimal = ZERO
    until: datetime.date | None = None
    accrued: Decimal = ZERO  # by the close (billed: what OneBox billed)

    @property
    def open(self) -> Decimal:
        return self.billed - self.paid

    @property
    def due_date(self) -> datetime.date:
        return self.until if self.in_grace > 0 and self.until is not None else self.due


@dataclass
class MCredit:
    """A customer's credit (money that matched nothing open) or OneBox prepaid."""

    id: str
    customer: str | None  # None: prepaid at OneBox
    date: datetime.date
    amount: Decimal
    uses: list[tuple[datetime.date, Decimal]] = field(default_factory=list)

    @property
    def open(self) -> Decimal:
        return self.amount - sum((used for _, used in self.uses), ZERO)

    def open_on(self, day: datetime.date) -> Decimal:
        """What the close of the month ending `day` sees: uses dated after it do not count."""
        return self.amount - sum((used for when, used in self.uses if when <= day), ZERO)


def take(
    items: list[Any], amount: Decimal, open_of: Callable[[Any], Decimal]
) -> list[tuple[Any, Decimal]]:
    """Split `amount` over `items` in order, each up to its open amount (the excess is left)."""
    parts = []
    left = amount
    for item in items:
        if left <= 0:
            break
        share = min(left, open_of(item))
        if share > 0:
            parts.append((item, share))
            left -= share
    return parts


Lines = list[tuple[MContract, str, Decimal]]  # advance invoices: (contract, id suffix, amount)
Applied = list[tuple[str, list[tuple[MCredit, Decimal]]]]  # per customer: (credit, share)


@dataclass(frozen=True)
class MRef:
    date: datetime.date
    customer: str | None
    amount: Decimal


def account_part(cid: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in cid.split("-"))


# ---------------------------------------------------------------- the machine


class LedgerMachine(RuleBasedStateMachine):
    base: ClassVar[Path]

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(dir=self.base))
        self.ledger: store.Ledger = new_ledger(self.root)
        self.now = START
        self.open_month = ym_of(START)
        self.sealed: list[tuple[int, int]] = []
        self.customers: dict[str, tuple[str, int, datetime.date]] = {}  # id -> name, payment, date
        self.contracts: dict[str, MContract] = {}
        self.invoices: dict[str, MInvoice] = {}
        self.bills: dict[str, MBill] = {}
        self.deferred: dict[str, Decimal] = {}
        self.income: dict[str, Decimal] = {}
        self.cost: dict[str, Decimal] = {}
        self.bank = ZERO
        self.credits: dict[str, MCredit] = {}  # customer credit and OneBox prepaid, by id
        self.bad_debt = ZERO
        self.used_ids: set[str] = set()  # ids of money events written without a ref
        self.refs: dict[str, dict[str, MRef]] = {
            "sell": {}, "receive": {}, "pay": {}, "refund": {},
        }  # fmt: skip
        # a sale's ref also covers its memo and stream: retries and conflicts resend them
        self.sale_text: dict[str, tuple[str, str]] = {}
        # one-time sales by month: (stream, amount, OneBox cost), which the close's summary counts
        self.sales: dict[tuple[int, int], list[tuple[str, Decimal, Decimal]]] = {}
        self.ref_counter = 0
        self.txns = 0
        self.issued: set[tuple[int, int]] = set()  # months whose advance invoices are written
        # the month end (onebox_ledger.month_end): a EUR bank account opened with 500.00 EUR at
        # 1.10 (550.00 USD booked), EUR rates by date, and what the last close booked that the
        # next one reverses (a revaluation; the customers with a contract asset)
        self.eur_rates: dict[datetime.date, Decimal] = {START: Decimal("1.10")}
        self.eur_units, self.eur_booked = Decimal("500.00"), Decimal("550.00")
        self.revalued = False
        self.contract_assets: set[str] = set()

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def refused(self, kind: type[Exception], message: str, call: Callable[[], Any]) -> None:
        before = snapshot(self.root)
        with pytest.raises(kind) as info:
            call()
        assert type(info.value) is kind
        event("refused: " + re.sub(r"'[^']*'|[0-9][0-9.:-]*", "_", str(info.value))[:48])
        assert str(info.value) == message, (str(info.value), message)
        assert "\n" not in str(info.value)
        assert snapshot(self.root) == before

    def fresh_ref(self, form: int) -> str:
        self.ref_counter += 1
        return REF_FORMS[form % len(REF_FORMS)].format(n=self.ref_counter)

    def pick(self, keys: list[str], index: int) -> str:
        return sorted(keys)[index % len(keys)]

    def open_invoices(self, customer: str, day: datetime.date) -> list[MInvoice]:
        mine = [
            i
            for i in self.invoices.values()
            if i.customer == customer and i.date <= day and i.open > 0
        ]
        return sorted(mine, key=lambda i: (i.date, i.id))

    def open_bills(self, day: datetime.date) -> list[MBill]:
        items = [b for b in self.bills.values() if b.date <= day and b.open > 0]
        return sorted(items, key=lambda b: (b.due_date, b.date, b.id))

    def open_credits(self, customer: str | None, day: datetime.date) -> list[MCredit]:
        items = [
            c for c in self.credits.values()
            if c.customer == customer and c.date <= day and c.open > 0
        ]  # fmt: skip
        return sorted(items, key=lambda c: (c.date, c.id))

    def invoicing(self, ym: tuple[int, int]) -> tuple[Lines, Applied]:
        """The advance invoices of `ym` (contract, id suffix, amount), contracts in id order,
        and the credit they apply per customer: what the customer's invoice adds up to, taken
        from the credit open on the month's 1st (made and used by entries dated on or before
        it), but never more than is open now (a use dated later, already recorded)."""
        lines = [
            (c, suffix, amount)
            for cid in sorted(self.contracts)
            if (c := self.contracts[cid]).advance
            for suffix, amount in advance_lines(c, ym)
        ]
        totals: dict[str, Decimal] = {}
        for c, _, amount in lines:
            totals[c.customer] = totals.get(c.customer, ZERO) + amount
        first = month_first(ym)

        def available(cr: MCredit) -> Decimal:
            return min(cr.open_on(first), cr.open)

        return lines, self.apply_credit(totals, first, available)

    def apply_older(
        self,
        day: datetime.date,
        open_of: Callable[[MCredit], Decimal],
        issued: Sequence[MInvoice] = (),
    ) -> tuple[list[tuple[MInvoice, list[tuple[MCredit, Decimal]]]], dict[str, Decimal]]:
        """The close's credit set against each holder's invoices issued by `day` still open,
        oldest first (oldest credit first), the advance invoices the close itself issues on the
        1st (`issued`, as they stand after the credit applied at issue) among them; and what it
        takes of each credit."""
        held: dict[str, Decimal] = {}
        out = []

        def left(cr: MCredit) -> Decimal:
            return open_of(cr) - held.get(cr.id, ZERO)

        for inv in sorted(
            (i for i in [*self.invoices.values(), *issued] if i.date <= day and i.open > 0),
            key=lambda i: (i.date, i.id),
        ):
            mine = sorted(
                (cr for cr in self.credits.values()
                 if cr.customer == inv.customer and cr.date <= day and left(cr) > 0),
                key=lambda cr: (cr.date, cr.id),
            )  # fmt: skip
            parts = take(mine, inv.open, left)
            for cr, share in parts:
                held[cr.id] = held.get(cr.id, ZERO) + share
            if parts:
                out.append((inv, parts))
        return out, held

    def apply_credit(
        self, totals: dict[str, Decimal], day: datetime.date, open_of: Callable[[MCredit], Decimal]
    ) -> Applied:
        """Each customer's credit dated on or before `day`, oldest first, applied to what its
        new invoices add up to (`totals`), each credit up to `open_of` it."""
        applied = []
        for customer in sorted(totals):
            mine = sorted(
                (cr for cr in self.credits.values()
                 if cr.customer == customer and cr.date <= day and open_of(cr) > 0),
                key=lambda cr: (cr.date, cr.id),
            )  # fmt: skip
            parts = take(mine, totals[customer], open_of)
            if parts:
                applied.append((customer, parts))
        return applied

    def apply_new(
        self,
        invoices: dict[str, tuple[str, datetime.date, Decimal]],
        day: datetime.date,
        open_of: Callable[[MCredit], Decimal],
    ) -> Applied:
        """The close's new invoices (id -> customer, date, amount), oldest first (date, id):
        each holder's credit dated on or before `day`, oldest first, set against each, one
        entry per invoice, a credit used by one invoice not used again by the next."""
        used: dict[str, Decimal] = {}

        def left(cr: MCredit) -> Decimal:
            return open_of(cr) - used.get(cr.id, ZERO)

        applied = []
        for inv_id, (customer, _, amount) in sorted(
            invoices.items(), key=lambda kv: (kv[1][1], kv[0])
        ):
            mine = sorted(
                (cr for cr in self.credits.values()
                 if cr.customer == customer and cr.date <= day and left(cr) > 0),
                key=lambda cr: (cr.date, cr.id),
            )  # fmt: skip
            parts = take(mine, amount, left)
            for cr, share in parts:
                used[cr.id] = used.get(cr.id, ZERO) + share
            if parts:
                applied.append((inv_id, parts))
        return applied

    def book_invoicing(
        self,
        ym: tuple[int, int],
        lines: Lines,
        applied: Applied,
        by: str,
    ) -> None:
        """Into the model: the invoices (a negative line is paid off its invoice, as the
        books count it), deferred revenue, the credit used; dated the month's 1st."""
        ids = self.advance_ids(ym, lines)
        for c, suffix, amount in lines:
            inv_id = ids[c.customer]
            inv = self.invoices.setdefault(inv_id, MInvoice(inv_id, c.customer, month_first(ym)))
            if amount > 0:
                inv.billed += amount
            else:
                inv.paid -= amount
            inv.streams.add(c.stream)
            self.deferred[c.customer] += amount
            if suffix == "advance":
                c.invoiced_through = ym
            else:
                event(f"advance: adjust line {'+' if amount > 0 else '-'}")
        for customer, parts in applied:
            inv = self.invoices[ids[customer]]
            for credit, share in parts:
                credit.uses.append((month_first(ym), share))
                inv.paid += share
            event("advance: credit applied at invoicing")
        if lines:
            self.issued.add(ym)
            event(f"advance: invoices issued by {by}")
        self.txns += len(lines) + len(applied)

    def advance_ids(self, ym: tuple[int, int], lines: Lines) -> dict[str, str]:
        """Each customer's advance invoice is its invoice of the 1st (inv-<day>-<customer>, or
        the next free number when a sale of that day took it), not the close's."""
        ids: dict[str, str] = {}
        for c, _, _ in lines:
            if c.customer not in ids:
                inv_id, n = f"inv-{month_first(ym)}-{c.customer}", 2
                while inv_id in self.invoices:
                    inv_id, n = f"inv-{month_first(ym)}-{c.customer}.{n}", n + 1
                ids[c.customer] = inv_id
        return ids

    def to_issue(self, ym: tuple[int, int], lines: Lines, applied: Applied) -> list[MInvoice]:
        """The advance invoices `lines` make, as they stand after the credit `applied` at issue
        (not booked into the model: what book_invoicing will book)."""
        ids = self.advance_ids(ym, lines)
        made: dict[str, MInvoice] = {}
        for c, _, amount in lines:
            inv = made.setdefault(ids[c.customer], MInvoice(ids[c.customer], c.customer,
                                                            month_first(ym)))  # fmt: skip
            if amount > 0:
                inv.billed += amount
            else:
                inv.paid -= amount
        for customer, parts in applied:
            made[ids[customer]].paid += sum((share for _, share in parts), ZERO)
        return list(made.values())

    def auto_id(self, kind: str, scope: str) -> str:
        """The id a money event written without a ref gets: the first free n (events.event_id)."""
        n = 1
        while f"{kind}/{scope}/{n}" in self.used_ids:
            n += 1
        self.used_ids.add(f"{kind}/{scope}/{n}")
        return f"{kind}/{scope}/{n}"

    def boxes_rate(self, ym: tuple[int, int]) -> Decimal | None:
        """The rate of a sale's cost: the month's tier, the sale's customer at least one box."""
        consuming = [c for c in self.contracts.values() if c.item is not None and c.consumes_in(ym)]
        return self.rate(max(1, len({c.customer for c in consuming})))

    def day(self, back: int, floor: datetime.date = START) -> datetime.date:
        """`back` days before now, but never in a sealed month nor before `floor`."""
        return max(month_first(self.open_month), floor, self.now - back * DAY)

    def rate(self, boxes: int) -> Decimal | None:
        tiers = [t for t in TIERS if t <= boxes]
        return TIERS[max(tiers)] if tiers else None

    # ------------------------------------------------------------ customers and contracts

    @initialize(
        specs=st.lists(
            st.tuples(
                st.sampled_from(sorted(STREAM_ITEMS)),
                st.integers(0, 2),
                st.sampled_from(("monthly", "monthly", "once", "annual")),
                money,
                st.integers(1, 25),
                st.integers(0, 40),
                st.sampled_from(("arrears", "advance")),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def first_customers(self, specs: list[tuple[str, int, str, Decimal, int, int, str]]) -> None:
        """Every run starts with one to four customers and a contract each (boxes and tiers),
        and a EUR bank account holding 500.00 EUR at 1.10 (the month end revalues it)."""
        actions.price(self.ledger, "EUR", Money(Decimal("1.10"), "USD"), START)
        actions.bank_add(self.ledger, "Assets:Wise:EUR", "EUR", START,
                         Money(Decimal("500.00"), "EUR"))  # fmt: skip
        self.txns += 1
        for stream, item, billing, price, quantity, start, timing in specs:
            self.add_customer(0, 30)
            customer = sorted(self.customers).index(list(self.customers)[-1])
            self.add_contract(customer, stream, item, billing, price, quantity, start, None, timing)

    @precondition(lambda self: len(self.customers) < len(CUSTOMERS))
    @rule(index=st.integers(0, 10), payment=st.sampled_from((0, 14, 30, 45)))
    def add_customer(self, index: int, payment: int) -> None:
        cid = self.pick([c for c in CUSTOMERS if c not in self.customers], index)
        written = actions.customer_add(self.ledger, cid, CUSTOMERS[cid], "USD", payment, self.now)
        assert written.path == self.ledger.customers_path
        self.customers[cid] = (CUSTOMERS[cid], payment, self.now)
        self.deferred[cid] = ZERO

    @precondition(lambda self: self.customers)
    @rule(
        index=st.integers(0, 10),
        stream=st.sampled_from(sorted(STREAM_ITEMS)),
        item=st.integers(0, 2),
        billing=st.sampled_from(("monthly", "monthly", "once", "annual")),
        price=money,
        quantity=st.integers(1, 25),
        start=st.integers(0, 40),
        end=st.integers(-140, 70).map(lambda n: None if n < 0 else n),  # two in three run on
        timing=st.sampled_from(("arrears", "advance")),
    )
    def add_contract(
        self,
        index: int,
        stream: str,
        item: int,
        billing: str,
        price: Decimal,
        quantity: int,
        start: int,
        end: int | None,
        timing: str,
    ) -> None:
        customer = self.pick(list(self.customers), index)
        items = STREAM_ITEMS[stream]
        item_name = items[item % len(items)]
        begin = self.now + start * DAY
        last = None if end is None else begin + end * DAY
        cid = f"{customer}-{len([c for c in self.contracts if c.startswith(customer + '-')]) + 1}"
        if timing == "advance" and billing != "monthly" and quantity % 4:
            timing = "arrears"  # mostly; else the refusal below

        def call() -> actions.Written:
            return actions.contract_add(
                self.ledger, cid, customer=customer, stream=stream, price=Money(price, "USD"),
                quantity=quantity, start=begin, billing=billing, item=item_name, end=last,
                timing=timing,
            )  # fmt: skip

        advance = timing == "advance"
        if advance and billing != "monthly":
            self.refused(
                InputError, f"only monthly contracts are billed in advance, not {billing}", call
            )
            return
        if advance and self.issued and ym_of(begin) <= max(self.issued):
            through = max(self.issued)  # its first month's invoices would change after issue
            self.refused(
                store.LedgerError,
                f"contract {cid!r} would be invoiced in advance from {begin}, but the advance"
                f" invoices of {Month(*through)} are issued ({month_first(through)}); start it"
                f" on {month_first(next_month(through))} or later, or bill it in arrears",
                call,
            )
            event("advance: contract refused, its first month invoiced")
            return
        written = call()
        assert written.message == (
            f"contract {cid}: {customer}, {stream}, {quantity} x {price} USD {billing}"
            f"{' in advance' if advance else ''} from {begin}"
        )
        self.contracts[cid] = MContract(
            cid, customer, stream, billing, price, quantity, begin, item_name, last, last,
            advance=advance,
        )  # fmt: skip

    @precondition(lambda self: any(c.billing != "once" for c in self.contracts.values()))
    @rule(
        index=st.integers(0, 20),
        offset=st.integers(-10, 40),  # days from now; below 0, back-dated into the open month
        quantity=st.none() | st.integers(1, 25),
        price=st.none() | money,
    )
    def change_contract(
        self, index: int, offset: int, quantity: int | None, price: Decimal | None
    ) -> None:
        changeable = [k for k, c in self.contracts.items() if c.billing != "once"]
        running = [k for k in changeable if self.contracts[k].end is None]
        cid = self.pick(running if running and offset % 4 else changeable, index)
        c = self.contracts[cid]
        if quantity is None and price is None:
            quantity = 1 + offset % 25
        if offset >= 0:
            date = max(self.now, c.start + DAY) + offset * DAY
        else:
            date = max(c.start + DAY, month_first(self.open_month), self.now + offset * DAY)
        price_arg = None if price is None else Money(price, "USD")
        if c.end is not None and date > c.end:
            self.refused(
                store.LedgerError,
                f"contract {cid!r} ended on {c.end}, before {date}",
                lambda: actions.contract_change(self.ledger, cid, date, quantity, price_arg),
            )
            return
        if any(when == date for when, _, _ in c.changes):
            self.refused(
                store.LedgerError,
                f"contract {cid!r} already changes on {date}; give the quantity and the price"
                " in one change",
                lambda: actions.contract_change(self.ledger, cid, date, quantity, price_arg),
            )
            return
        if (through := c.invoiced_through) is not None and date <= month_first(through):
            self.refused(
                store.LedgerError,
                f"contract {cid!r} is invoiced in advance through {Month(*through)} (issued"
                f" {month_first(through)}): a change on {date} would change an issued invoice;"
                f" date it {month_first(through) + DAY} or later",
                lambda: actions.contract_change(self.ledger, cid, date, quantity, price_arg),
            )
            event("advance: change refused, month invoiced")
            return
        written = actions.contract_change(self.ledger, cid, date, quantity, price_arg)
        assert written.message == f"contract {cid} changed from {date}"
        c.changes.append((date, quantity, price))

    @precondition(lambda self: self.contracts)
    @rule(index=st.integers(0, 20), offset=st.integers(0, 50), again=st.booleans())
    def end_contract(self, index: int, offset: int, again: bool) -> None:
        running = [k for k, c in self.contracts.items() if c.end is None]
        cid = self.pick(list(self.contracts) if again or not running else running, index)
        c = self.contracts[cid]
        date = max(self.now, c.start) + offset * DAY
        if c.end is not None:
            self.refused(
                store.LedgerError,
                f"contract {cid!r} already ends on {c.end}",
                lambda: actions.contract_end(self.ledger, cid, date),
            )
            return
        if (through := c.invoiced_through) is not None and date < month_first(through):
            # not reached: an end is dated from now on, and only the open month is invoiced
            self.refused(
                store.LedgerError,
                f"contract {cid!r} is invoiced in advance through {Month(*through)} (issued"
                f" {month_first(through)}): an end on {date} would change an issued invoice;"
                f" date it {month_first(through)} or later",
                lambda: actions.contract_end(self.ledger, cid, date),
            )
            return
        written = actions.contract_end(self.ledger, cid, date)
        assert written.message == f"contract {cid} ends on {date} (last day of service)"
        c.end = date

    # ------------------------------------------------------------ the clock and the close

    @rule(days=st.integers(1, 25))
    def advance_clock(self, days: int) -> None:
        self.now += days * DAY

    @rule(
        which=st.sampled_from(("open", "open", "open", "next", "sealed")),
        force=st.booleans(),
        index=st.integers(0, 20),
    )
    def issue_invoices(self, which: str, force: bool, index: int) -> None:
        """``onebox-ledger invoice`` for the open month (its 1st is never after now), again
        (nothing changes), for the next month before it begins, or for a closed month."""
        ym = self.open_month

        def call(ym: tuple[int, int] = ym) -> actions.Invoiced:
            return actions.invoice(
                self.ledger, Month(*ym), today=self.now, dry_run=False, force=force
            )

        following = next_month(ym)
        if which == "next" and not force and self.now < month_first(following):
            self.refused(
                store.LedgerError,
                f"{Month(*following)} has not begun (today is {self.now}); issue its invoices"
                f" from {month_first(following)} on, or pass --force",
                lambda: call(following),
            )
            return
        if which == "sealed" and self.sealed:
            ym = self.sealed[index % len(self.sealed)]
            if ym not in self.issued:
                self.refused(
                    store.LedgerError,
                    f"{Month(*ym)} is closed; its invoices were issued by its close",
                    lambda: call(ym),
                )
                return
        if ym in self.issued:
            before = snapshot(self.root)
            done = call(ym)
            assert done.already
            assert done.text == ""
            assert snapshot(self.root) == before
            event("advance: invoices issued again, nothing changed")
            return
        lines, applied = self.invoicing(ym)
        before = snapshot(self.root)
        done = call()
        assert not done.already
        month = Month(*ym)
        expected = [(f"invoice/{month}/{c.id}/{suffix}", amount) for c, suffix, amount in lines]
        expected += [
            (f"invoice/{month}/{customer}/credit", -sum((share for _, share in parts), ZERO))
            for customer, parts in applied
        ]
        got = [
            (str(e.meta["id"]), sum((p.units.number for p in e.postings
                                     if p.account.startswith("Assets:Receivable:")), ZERO))
            for e in done.entries
        ]  # fmt: skip
        assert got == expected
        assert all(e.date == month_first(ym) for e in done.entries)
        if not lines:
            assert done.text == ""
            assert snapshot(self.root) == before
            event("advance: nothing to invoice")
        self.book_invoicing(ym, lines, applied, "invoice")

    @rule()
    def close_next(self) -> None:
        ym = self.open_month
        month = Month(*ym)
        today = month_last(ym) + DAY
        self.now = max(self.now, today)
        # the close issues the month's advance invoices first when `invoice` did not
        inv_lines: Lines = []
        inv_applied: Applied = []
        if ym not in self.issued:
            inv_lines, inv_applied = self.invoicing(ym)
        pending: dict[str, Decimal] = {}
        for _, parts in inv_applied:
            for credit, share in parts:
                pending[credit.id] = pending.get(credit.id, ZERO) + share

        def open_at_close(c: MCredit) -> Decimal:
            return c.open_on(month_last(ym)) - pending.get(c.id, ZERO)

        consuming = [c for c in self.contracts.values() if c.item is not None and c.consumes_in(ym)]
        boxes = len({c.customer for c in consuming})
        rate = self.rate(boxes)
        charges = [
            ch
            for cid in sorted(self.contracts)
            if self.contracts[cid].start <= month_last(ym)
            and (ch := charge(self.contracts[cid], ym, rate)) is not None
        ]
        # credit and prepaid the close applies: open at the month's end, uses after it ignored
        last = month_last(ym)
        # the close's invoices: each customer's of the month, and an annual piece's of its day
        # (inv-<day>-<customer>, or the next free number when a sale of that day took it)
        made: set[str] = set()
        new_invoices: dict[str, tuple[str, datetime.date, Decimal]] = {}
        where: dict[tuple[str, datetime.date], str] = {}
        inv_streams: dict[str, set[str]] = {}
        for ch in charges:
            customer = ch.contract.customer
            for day, amount in ch.dated:
                if (customer, day) not in where:
                    inv_id, n = f"inv-{day}-{customer}", 2
                    while inv_id in self.invoices:
                        inv_id, n = f"inv-{day}-{customer}.{n}", n + 1
                    where[(customer, day)] = inv_id
                inv_id = where[(customer, day)]
                made.add(inv_id)
                _, _, before = new_invoices.get(inv_id, (customer, day, ZERO))
                new_invoices[inv_id] = (customer, day, before + amount)
                inv_streams.setdefault(inv_id, set()).add(ch.contract.stream)
            monthly = ch.invoiced - sum((amount for _, amount in ch.dated), ZERO)
            if monthly:
                inv_id = f"inv-{ym[0]:04d}-{ym[1]:02d}-{customer}"
                _, _, before = new_invoices.get(inv_id, (customer, last, ZERO))
                new_invoices[inv_id] = (customer, last, before + monthly)
                inv_streams.setdefault(inv_id, set()).add(ch.contract.stream)
        # issue 21: the customer's open invoices issued by the month's end, older first, then
        # the new ones, oldest first, one entry each (each credit up to what is left of it)
        older, held = self.apply_older(
            last, open_at_close, self.to_issue(ym, inv_lines, inv_applied)
        )
        applied = self.apply_new(
            new_invoices, last, lambda c: open_at_close(c) - held.get(c.id, ZERO)
        )
        close_cost = sum((ch.cost for ch in charges), ZERO)
        prepaid = sorted(
            (c for c in self.credits.values()
             if c.customer is None and c.date <= last and c.open_on(last) > 0),
            key=lambda c: (c.date, c.id),
        )  # fmt: skip
        prepaid_parts = take(prepaid, close_cost, lambda c: c.open_on(last))
        # what the close applies of each credit, added up (the advance invoices it issues
        # first, never beyond what is open now), against what is open now: only its own part,
        # counted to the month's end, can go beyond, when an entry dated after it used some
        using: dict[str, Decimal] = {}
        used_later = []
        for c, share in [
            *(part for _, parts in inv_applied for part in parts),
            *(part for _, parts in older for part in parts),
            *(part for _, parts in applied for part in parts),
            *prepaid_parts,
        ]:
            using[c.id] = using.get(c.id, ZERO) + share
            if using[c.id] > c.open:
                used_later.append((c.id, last))
        if used_later:
            self.refused(
                store.LedgerError,
                f"cannot close {month}: {used_later[0][0]} was partly used by an entry dated after"
                f" {used_later[0][1]}; record that after the close (remove it, close, record it)",
                lambda: actions.close(self.ledger, month, today=today, dry_run=False, force=False),
            )
            return
        before = len(transactions(load(self.ledger.main)[0]))
        done = actions.close(self.ledger, month, today=today, dry_run=False, force=False)
        result = done.result
        self.book_invoicing(ym, inv_lines, inv_applied, "close")
        issued = len(inv_lines) + len(inv_applied)
        assert not result.already_closed
        assert done.path == self.ledger.month_path(month)
        summary = result.summary
        assert summary.boxes == boxes
        assert summary.rate == rate
        streams: dict[str, list[Decimal]] = {}
        for ch in charges:
            row = streams.setdefault(ch.contract.stream, [ZERO, ZERO, ZERO])
            row[0] += ch.invoiced
            row[1] += ch.recognised
            row[2] += ch.cost
        sales = self.sales.get(ym, [])
        for stream, amount, cost in sales:  # the month's one-time sales count in their streams
            row = streams.setdefault(stream, [ZERO, ZERO, ZERO])
            row[0] += amount
            row[1] += amount
            row[2] += cost
        got = {stream: [t.invoiced, t.recognised, t.cost] for stream, t in summary.streams.items()}
        assert got == streams
        bill_total = close_cost + sum((cost for _, _, cost in sales), ZERO)
        assert summary.bill == ({"USD": bill_total} if bill_total else {})
        due = month_last(ym) + ONEBOX_PAYMENT * DAY
        assert summary.due == (due if bill_total else None)
        generated = 0
        for inv_id, (customer, day, amount) in new_invoices.items():
            inv = self.invoices.setdefault(inv_id, MInvoice(inv_id, customer, day))
            inv.billed += amount
            inv.streams |= inv_streams[inv_id]
        if made:
            event("close: an annual invoice dated its day")
        for ch in charges:
            c = ch.contract
            generated += ch.lines
            if c.billing == "annual" or c.advance:
                self.deferred[c.customer] += ch.invoiced - ch.recognised
            if c.billing == "annual" and (ch.credits or ch.lines > 2 or c.changes):
                event("close: an annual contract with changes")
            if c.advance and ch.invoiced:
                event("advance: settle invoiced")
            for suffix, amount in ch.credits:  # a downgrade's or a settle's credit
                self.deferred[c.customer] -= amount
                credit_id = f"close/{month}/{c.id}/{suffix}"
                day = ch.credit_days.get(suffix, last)
                self.credits[credit_id] = MCredit(credit_id, c.customer, day, amount)
                event(
                    "advance: settle credited"
                    if c.advance
                    else "close: an annual downgrade credited"
                )
            if ch.recognised:
                self.income[c.stream] = self.income.get(c.stream, ZERO) + ch.recognised
            if ch.cost:
                generated += 1
                bill_id = f"onebox-{ym[0]:04d}-{ym[1]:02d}"
                bill = self.bills.setdefault(bill_id, MBill(bill_id, month_last(ym), due))
                bill.billed += ch.cost
                bill.accrued += ch.cost
                self.cost[c.stream] = self.cost.get(c.stream, ZERO) + ch.cost
        for old, parts in older:
            generated += 1
            event("close: credit set against an older open invoice")
            booked = self.invoices[old.id]  # an advance invoice of this close: booked by now
            for credit, share in parts:
                credit.uses.append((last, share))
                booked.paid += share
        for inv_id, parts in applied:
            generated += 1
            inv = self.invoices[inv_id]
            for credit, share in parts:
                credit.uses.append((last, share))
                inv.paid += share
        if prepaid_parts:
            generated += 1
            bill = self.bills[f"onebox-{ym[0]:04d}-{ym[1]:02d}"]
            for credit, share in prepaid_parts:
                credit.uses.append((last, share))
                bill.paid += share
        assert sum(summary.credit.values(), ZERO) == sum(
            (s for _, p in [*older, *applied] for _, s in p), ZERO
        )
        assert sum(summary.prepaid.values(), ZERO) == sum((s for _, s in prepaid_parts), ZERO)
        generated += self.month_end_entries(ym)
        self.txns += generated
        event(f"close: {'with' if generated else 'without'} entries, {boxes} box(es)")
        if applied or prepaid_parts:
            event("close: applies credit or prepaid")
        after = transactions(load(self.ledger.main)[0])
        assert len(after) == before + generated + issued
        if issued:
            mine = [t for t in after if str(t.meta.get("id", "")).startswith(f"invoice/{month}/")]
            assert len(mine) == issued
        prefix = f"close/{month}/"
        assert sum(1 for t in after if str(t.meta.get("id", "")).startswith(prefix)) == generated
        self.sealed.append(ym)
        self.open_month = next_month(ym)

    @rule(
        back=back_days,
        rate=st.sampled_from(("1.05", "1.08", "1.10", "1.1234", "1.20")).map(Decimal),
    )
    def eur_rate(self, back: int, rate: Decimal) -> None:
        """EUR moves within the open month (the month end takes the last rate on or before it)."""
        day = self.day(back)
        if day in self.eur_rates:
            return
        actions.price(self.ledger, "EUR", Money(rate, "USD"), day)
        self.eur_rates[day] = rate
        event("EUR rate moved")

    def closing_rate(self, last: datetime.date) -> Decimal:
        return self.eur_rates[max(day for day in self.eur_rates if day <= last)]

    def month_end_entries(self, ym: tuple[int, int]) -> int:
        """The month-end entries the close of `ym` writes, by the model: the reversals of the
        last close's, a revaluation when the EUR account's value at the closing rate differs
        from its booked value, a contract asset per customer whose deferred revenue is a debit
        (model: deferred < 0)."""
        count = len(self.contract_assets) + (1 if self.revalued else 0)
        closing = self.eur_units * self.closing_rate(month_last(ym))
        self.revalued = signed_cents(Fraction(closing - self.eur_booked)) != 0
        self.contract_assets = {c for c, v in self.deferred.items() if v < 0}
        if self.revalued:
            event("close: revalues the EUR account")
        if self.contract_assets:
            event("close: a contract asset")
        return count + (1 if self.revalued else 0) + len(self.contract_assets)

    @precondition(lambda self: self.sealed)
    @rule(index=st.integers(0, 20))
    def close_again(self, index: int) -> None:
        ym = self.sealed[index % len(self.sealed)]
        before = snapshot(self.root)
        done = actions.close(self.ledger, Month(*ym), today=self.now, dry_run=False, force=False)
        assert done.result.already_closed
        assert done.text == ""
        assert snapshot(self.root) == before

    # ------------------------------------------------------------ refusals

    @rule(
        kind=st.sampled_from(
            ("customer", "contract", "services-item", "early", "order", "sealed", "unknown")
        ),
        index=st.integers(0, 20),
    )
    def refusal(self, kind: str, index: int) -> None:
        """A command the ledger must refuse with one exact line, every file byte-identical."""
        if kind == "sealed" and not self.sealed:
            kind = "order"
        if kind == "order" and not self.sealed:
            kind = "early"
        if kind in ("customer", "services-item", "contract") and not self.customers:
            kind = "unknown"
        if kind == "contract" and not self.contracts:
            kind = "services-item"
        if kind == "customer":
            cid = self.pick(list(self.customers), index)
            self.refused(
                store.LedgerError,
                f"customer {cid!r} already exists ({CUSTOMERS[cid]})",
                lambda: actions.customer_add(self.ledger, cid, "Other", "USD", 30, self.now),
            )
        elif kind == "contract":
            cid = self.pick(list(self.contracts), index)
            owner = self.contracts[cid].customer
            self.refused(
                store.LedgerError,
                f"contract {cid!r} already exists",
                lambda: actions.contract_add(
                    self.ledger,
                    cid,
                    customer=owner,
                    stream="services",
                    price=Money(CENT, "USD"),
                    quantity=1,
                    start=self.now,
                    billing="once",
                    item=None,
                    end=None,
                ),
            )
        elif kind == "services-item":
            customer = self.pick(list(self.customers), index)
            self.refused(
                InputError,
                "a services contract consumes no OneBox item; drop --item",
                lambda: actions.contract_add(
                    self.ledger,
                    f"{customer}-bad",
                    customer=customer,
                    stream="services",
                    price=Money(CENT, "USD"),
                    quantity=1,
                    start=self.now,
                    billing="monthly",
                    item="cloud-user",
                    end=None,
                ),
            )
        elif kind == "unknown":
            self.refused(
                InputError,
                "unknown customer 'x9'",
                lambda: actions.sell(
                    self.ledger,
                    "x9",
                    Money(CENT, "USD"),
                    stream="services",
                    date=self.now,
                    memo="x",
                    ref=None,
                ),
            )
        elif kind == "early":
            ym = self.open_month
            today = month_last(ym)
            following = month_first(next_month(ym))
            self.refused(
                store.LedgerError,
                f"{Month(*ym)} has not ended yet (today is {today}); close it from {following}"
                " on, or pass --force",
                lambda: actions.close(
                    self.ledger, Month(*ym), today=today, dry_run=False, force=False
                ),
            )
        elif kind == "order":
            ym = next_month(self.open_month)
            self.refused(
                store.LedgerError,
                f"close {Month(*self.open_month)} first: months close in order"
                f" (last closed: {Month(*self.sealed[-1])})",
                lambda: actions.close(
                    self.ledger,
                    Month(*ym),
                    today=month_last(ym) + DAY,
                    dry_run=False,
                    force=False,
                ),
            )
        else:
            last = self.sealed[-1]
            date = month_last(last)
            customer = self.pick(list(self.customers), index) if self.customers else "x9"
            self.refused(
                store.LedgerError if self.customers else InputError,
                f"date {date} is in sealed month {Month(*last)}; the books are closed through"
                f" {Month(*last)} (use a date from {month_first(next_month(last))} on)"
                if self.customers
                else "unknown customer 'x9'",
                # revenue of a sealed month stays refused (money that moved then is booked
                # late instead: tests/test_late.py)
                lambda: actions.sell(
                    self.ledger, customer, Money(CENT, "USD"), stream="services", date=date,
                    memo="x", ref=None,
                ),
            )  # fmt: skip

    # ------------------------------------------------------------ money events

    def _ref_arg(
        self, kind: str, mode: str, form: int, want: MRef
    ) -> tuple[str | None, str | None, MRef]:
        """(ref to pass, expected conflict message or None, the content to send)."""
        known = self.refs[kind]
        if mode == "none":
            return None, None, want
        if mode == "new" or not known:
            return self.fresh_ref(form), None, want
        ref = self.pick(list(known), form)
        old = known[ref]
        if mode == "retry":
            return ref, None, old
        asked = MRef(old.date, old.customer, old.amount + Decimal("1.00"))
        have = f"{old.amount} USD"
        return (
            ref,
            f"ref {ref!r} was already used with amount {have} (asked {asked.amount} USD)",
            asked,
        )

    @precondition(lambda self: self.customers)
    @rule(
        index=st.integers(0, 10),
        amount=money,
        stream=st.sampled_from(sorted(STREAM_ITEMS)),
        memo=st.sampled_from(MEMOS),
        ref_mode=st.sampled_from(("none", "new", "retry", "conflict")),
        form=st.integers(0, 50),
        back=back_days,
    )
    def sell(
        self,
        index: int,
        amount: Decimal,
        stream: str,
        memo: str,
        ref_mode: str,
        form: int,
        back: int,
    ) -> None:
        customer = self.pick(list(self.customers), index)
        if ref_mode in ("retry", "conflict") and self.refs["sell"]:
            customer = self.refs["sell"][self.pick(list(self.refs["sell"]), form)].customer or ""
        date = self.day(back, floor=self.customers[customer][2])
        ref, conflict, send = self._ref_arg("sell", ref_mode, form, MRef(date, customer, amount))
        if ref is not None and ref in self.sale_text:
            memo, stream = self.sale_text[ref]

        item = {"cloud": "cloud-user", "data": "data-plan"}.get(stream)
        units = 1 + form % 5

        def call() -> actions.Written:
            return actions.sell(
                self.ledger, customer, Money(send.amount, "USD"), stream=stream, date=send.date,
                memo=memo, ref=ref, consumes=(item, units) if item else None,
            )  # fmt: skip

        if conflict:
            self.refused(store.LedgerError, conflict, call)
            return
        if ref is not None and ref in self.refs["sell"]:
            self.assert_noop(ref, call)
            return
        base = f"inv-{send.date}-{customer}"
        invoice, n = base, 2
        while invoice in self.invoices:
            invoice, n = f"{base}.{n}", n + 1
        written = call()
        assert written.message == f"invoice {invoice}: {send.amount} USD {stream} to {customer}"
        self.invoices[invoice] = MInvoice(
            invoice, customer, send.date, send.amount, streams={stream}
        )
        self.income[stream] = self.income.get(stream, ZERO) + send.amount
        self.txns += 1
        if ref is None:
            self.auto_id("sell", f"{send.date}/{customer}")
        sale_cost = ZERO
        if item is not None:  # a cloud or data sale books what it consumes, on the month's bill
            ym = ym_of(send.date)
            rate = self.boxes_rate(ym)
            assert rate is not None
            cost = cents(Fraction(units) * Fraction(ITEMS[item]) * Fraction(rate))
            bill_id = f"onebox-{ym[0]:04d}-{ym[1]:02d}"
            due = month_last(ym) + ONEBOX_PAYMENT * DAY
            bill = self.bills.setdefault(bill_id, MBill(bill_id, send.date, due))
            bill.date = min(bill.date, send.date)
            bill.billed += cost
            bill.accrued += cost
            self.cost[stream] = self.cost.get(stream, ZERO) + cost
            self.txns += 1
            sale_cost = cost
        self.sales.setdefault(ym_of(send.date), []).append((stream, send.amount, sale_cost))
        if ref is not None:
            self.refs["sell"][ref] = send
            self.sale_text[ref] = (memo, stream)

    def assert_noop(self, ref: str, call: Callable[[], actions.Written]) -> None:
        before = snapshot(self.root)
        written = call()
        assert written.text == ""
        assert written.message == f"ref {ref} already recorded; nothing changed"
        event("ref retried: no-op")
        assert snapshot(self.root) == before

    @precondition(lambda self: self.customers)
    @rule(
        index=st.integers(0, 10),
        how=st.sampled_from(("all", "part", "named-all", "named-part", "over")),
        part=st.integers(1, 99),
        ref_mode=st.sampled_from(("none", "new", "new", "retry", "conflict")),
        form=st.integers(0, 50),
        back=back_days,
    )
    def receive(self, index: int, how: str, part: int, ref_mode: str, form: int, back: int) -> None:
        owing = [c for c in self.customers if self.open_invoices(c, self.now)]
        customer = self.pick(owing if owing and how != "over" else list(self.customers), index)
        if ref_mode in ("retry", "conflict") and self.refs["receive"]:
            customer = self.refs["receive"][self.pick(list(self.refs["receive"]), form)].customer
            assert customer is not None
        date = self.day(back)
        items = self.open_invoices(customer, date)
        named = None
        scope = items
        if how.startswith("named"):
            if not items:
                how = how.split("-")[1]
            else:
                named = items[part % len(items)].id
                scope = [self.invoices[named]]
        total = sum((i.open for i in scope), ZERO)
        if how.endswith("all"):
            amount = total
        elif how.endswith("part"):
            amount = max(CENT, (total * part / 100).quantize(CENT))
        else:  # more than is open: the excess is the customer's credit
            amount = sum((i.open for i in items), ZERO) + Decimal(part) * CENT
        if amount <= 0:
            amount = Decimal("1.00")
        ref, conflict, send = self._ref_arg("receive", ref_mode, form, MRef(date, customer, amount))

        def call() -> actions.Written:
            return actions.receive(
                self.ledger, customer, Money(send.amount, "USD"), date=send.date, invoice=named,
                ref=ref,
            )  # fmt: skip

        if conflict:
            self.refused(store.LedgerError, conflict, call)
            return
        if ref is not None and ref in self.refs["receive"]:
            self.assert_noop(ref, call)
            return
        items = self.open_invoices(customer, send.date)  # the named one first, then oldest
        ordered = sorted(items, key=lambda i: i.id != named)
        parts = take(ordered, send.amount, lambda i: i.open)
        excess = send.amount - sum((share for _, share in parts), ZERO)
        entry_id = f"receive/{ref}" if ref else self.auto_id("receive", f"{send.date}/{customer}")
        # issue 21: then the credit the customer holds (and this payment's excess, last) is set
        # against the invoices still open, oldest first, oldest credit first, one entry each
        paying = {inv.id: share for inv, share in parts}
        pool = sorted(
            (c for c in self.credits.values()
             if c.customer == customer and c.date <= send.date and c.open > 0),
            key=lambda c: (c.date, c.id),
        )  # fmt: skip
        if excess:
            pool.append(MCredit(entry_id, customer, send.date, excess))
        held: dict[str, Decimal] = {}
        set_off = []
        for inv in items:
            parts_off = take(
                pool, inv.open - paying.get(inv.id, ZERO), lambda c: c.open - held.get(c.id, ZERO)
            )
            for c, part in parts_off:
                held[c.id] = held.get(c.id, ZERO) + part
            if parts_off:
                set_off.append((inv, parts_off))
                self.auto_id("apply-credit", f"{inv.id}/{send.date}")
        written = call()
        applied = ", ".join(f"{share} USD to {inv.id}" for inv, share in parts)
        if excess:
            applied = (
                f"{applied}, {excess} USD held as credit"
                if applied
                else f"{excess} USD held as credit"
            )
        if set_off:
            applied += "; credit applied: " + ", ".join(
                f"{sum((p for _, p in offs), ZERO)} USD to {inv.id}" for inv, offs in set_off
            )
        assert written.message == f"received {send.amount} USD from {customer}: {applied}"
        event(f"receive: {len(parts)} invoice(s), credit {bool(excess)}, set off {bool(set_off)}")
        for inv, share in parts:
            inv.paid += share
        if excess:
            self.credits[entry_id] = MCredit(entry_id, customer, send.date, excess)
        for inv, offs in set_off:
            for c, part in offs:
                self.credits[c.id].uses.append((send.date, part))
                inv.paid += part
            self.txns += 1
        self.bank += send.amount
        self.txns += 1
        if ref is not None:
            self.refs["receive"][ref] = send

    @precondition(lambda self: any(c.customer for c in self.credits.values() if c.open > 0))
    @rule(
        index=st.integers(0, 20),
        part=st.integers(1, 120),
        ref_mode=st.sampled_from(("none", "new", "retry")),
        form=st.integers(0, 50),
        back=back_days,
    )
    def refund(self, index: int, part: int, ref_mode: str, form: int, back: int) -> None:
        """Pay credit back; more than the customer's credit on the date is refused."""
        holders = sorted(
            {str(c.customer) for c in self.credits.values() if c.customer and c.open > 0}
        )
        customer = self.pick(holders, index)
        if ref_mode == "retry" and self.refs["refund"]:
            customer = str(self.refs["refund"][self.pick(list(self.refs["refund"]), form)].customer)
        date = self.day(back)
        credits = self.open_credits(customer, date)
        available = sum((c.open for c in credits), ZERO)
        amount = (
            max(CENT, (available * part / 100).quantize(CENT)) if available else Decimal("1.00")
        )
        ref, conflict, send = self._ref_arg("refund", ref_mode, form, MRef(date, customer, amount))
        assert conflict is None

        def call() -> actions.Written:
            return actions.refund(
                self.ledger, customer, Money(send.amount, "USD"), date=send.date, ref=ref
            )

        if ref is not None and ref in self.refs["refund"]:
            self.assert_noop(ref, call)
            return
        credits = self.open_credits(customer, send.date)
        available = sum((c.open for c in credits), ZERO)
        if send.amount > available:
            self.refused(
                store.LedgerError,
                f"refund of {send.amount} USD exceeds {customer}'s credit of {available:.2f} USD"
                f" on {send.date}",
                call,
            )
            return
        parts = take(credits, send.amount, lambda c: c.open)
        if ref is None:
            self.auto_id("refund", f"{send.date}/{customer}")
        written = call()
        applied = ", ".join(f"{share} USD to {c.id}" for c, share in parts)
        assert written.message == f"refunded {send.amount} USD to {customer}: {applied}"
        event("refund")
        for credit, share in parts:
            credit.uses.append((send.date, share))
        self.bank -= send.amount
        self.txns += 1
        if ref is not None:
            self.refs["refund"][ref] = send

    @precondition(lambda self: self.bills)
    @rule(
        how=st.sampled_from(("all", "part", "named-all", "named-part", "over")),
        part=st.integers(1, 99),
        ref_mode=st.sampled_from(("none", "new", "new", "retry", "conflict")),
        form=st.integers(0, 50),
        back=back_days,
    )
    def pay_onebox(self, how: str, part: int, ref_mode: str, form: int, back: int) -> None:
        date = self.day(back)
        items = self.open_bills(date)
        named = None
        scope = items
        if how.startswith("named"):
            if not items:
                how = how.split("-")[1]
            else:
                named = items[part % len(items)].id
                scope = [self.bills[named]]
        total = sum((b.open for b in scope), ZERO)
        if how.endswith("all"):
            amount = total
        elif how.endswith("part"):
            amount = max(CENT, (total * part / 100).quantize(CENT))
        else:  # more than is open: the excess is prepaid at OneBox
            amount = sum((b.open for b in items), ZERO) + Decimal(part) * CENT
        if amount <= 0:
            amount = Decimal("1.00")
        ref, conflict, send = self._ref_arg("pay", ref_mode, form, MRef(date, None, amount))

        def call() -> actions.Written:
            return actions.onebox_pay(
                self.ledger, Money(send.amount, "USD"), date=send.date, bill=named, ref=ref
            )

        if conflict:
            self.refused(store.LedgerError, conflict, call)
            return
        if ref is not None and ref in self.refs["pay"]:
            self.assert_noop(ref, call)
            return
        items = self.open_bills(send.date)
        ordered = sorted(items, key=lambda b: b.id != named)
        parts = take(ordered, send.amount, lambda b: b.open)
        excess = send.amount - sum((share for _, share in parts), ZERO)
        entry_id = f"pay/{ref}" if ref else self.auto_id("pay", f"{send.date}")
        written = call()
        applied = ", ".join(f"{share} USD to {bill.id}" for bill, share in parts)
        if excess:
            applied = f"{applied}, {excess} USD prepaid" if applied else f"{excess} USD prepaid"
        assert written.message == f"paid {send.amount} USD to OneBox: {applied}"
        event(f"pay: {len(parts)} bill(s), grace {any(b.in_grace for b, _ in parts)}")
        for bill, share in parts:
            from_grace = min(share, bill.in_grace)
            bill.in_grace -= from_grace
            bill.paid += share
        if excess:
            self.credits[entry_id] = MCredit(entry_id, None, send.date, excess)
        self.bank -= send.amount
        self.txns += 1
        if ref is not None:
            self.refs["pay"][ref] = send

    @precondition(lambda self: self.bills)
    @rule(index=st.integers(0, 20), cents_off=st.integers(-9, 9), back=back_days)
    def onebox_bill(self, index: int, cents_off: int, back: int) -> None:
        """OneBox bills a few cents off what the books hold: the difference is an adjustment."""
        bill = self.bills[self.pick(list(self.bills), index)]
        date = self.day(back, floor=bill.date)
        billed = bill.billed + Decimal(cents_off) * CENT

        def call() -> actions.Written:
            return actions.onebox_bill(
                self.ledger, bill.id, Money(billed, "USD"), date=date, ref=None
            )

        if billed == bill.billed:
            before = snapshot(self.root)
            written = call()
            assert (
                written.message == f"bill {bill.id} already stands at {billed} USD; nothing changed"
            )
            assert snapshot(self.root) == before
            return
        if billed < bill.paid:
            self.refused(
                store.LedgerError,
                f"bill {bill.id}: {billed} USD is less than the {bill.paid:.2f} USD already paid"
                " (record what OneBox refunds as a receipt first)",
                call,
            )
            return
        self.auto_id("bill", f"{bill.id}/{date}")
        written = call()
        assert written.message == (
            f"bill {bill.id}: billed {billed} USD, accrued {bill.accrued:.2f} USD, difference"
            f" {billed - bill.billed:+} USD to Expenses:OneBox:Adjustment"
        )
        event("onebox bill: adjusted")
        self.cost["adjustment"] = self.cost.get("adjustment", ZERO) + billed - bill.billed
        bill.billed = billed
        self.txns += 1

    @precondition(lambda self: any(i.billed - i.credited > 0 for i in self.invoices.values()))
    @rule(index=st.integers(0, 50), part=st.integers(1, 120), back=back_days)
    def credit_note(self, index: int, part: int, back: int) -> None:
        """A credit note: the invoice's open amount and its stream's income fall; beyond what is
        open, the customer gets credit."""
        creditable = [i for i in self.invoices.values() if i.billed - i.credited > 0]
        inv = self.invoices[self.pick([i.id for i in creditable], index)]
        date = self.day(back, floor=inv.date)
        room = inv.billed - inv.credited
        amount = max(CENT, (room * min(part, 100) / 100).quantize(CENT))
        stream = sorted(inv.streams)[0]

        self.ref_counter += 1
        memo = f"note {self.ref_counter}"

        def call() -> actions.Written:
            return actions.credit_note(
                self.ledger, inv.id, Money(amount, "USD"), date=date, memo=memo, stream=stream,
                ref=None,
            )  # fmt: skip

        note, n = f"cn-{date}-{inv.customer}", 2
        while note in self.used_ids:
            note, n = f"cn-{date}-{inv.customer}.{n}", n + 1
        self.used_ids.add(note)
        self.auto_id("credit-note", f"{inv.id}/{date}")
        share = min(amount, max(inv.open, ZERO))
        excess = amount - share
        # the excess is credit, set against the customer's other open invoices issued by the
        # note's date, oldest first, with the customer's credit open then (oldest first)
        set_off = []
        if excess:
            credit = MCredit(note, inv.customer, date, excess)
            pool = sorted(
                (c for c in self.credits.values()
                 if c.customer == inv.customer and c.date <= date and c.open > 0),
                key=lambda c: (c.date, c.id),
            )  # fmt: skip
            pool.append(credit)
            held: dict[str, Decimal] = {}
            for other in sorted(
                (i for i in self.invoices.values()
                 if i.customer == inv.customer and i.id != inv.id and i.date <= date
                 and i.open > 0),
                key=lambda i: (i.date, i.id),
            ):  # fmt: skip
                parts = take(pool, other.open, lambda c: c.open - held.get(c.id, ZERO))
                for c, part in parts:
                    held[c.id] = held.get(c.id, ZERO) + part
                if parts:
                    set_off.append((other, parts))
                    self.auto_id("apply-credit", f"{other.id}/{date}")
        written = call()
        tail = f", {excess} USD held as credit" if excess else ""
        if set_off:
            applied_text = ", ".join(
                f"{sum((p for _, p in parts), ZERO)} USD to {other.id}" for other, parts in set_off
            )
            tail += f", applied: {applied_text}"
        assert written.message == f"credit note {note}: {amount} USD off {inv.id} ({stream}){tail}"
        event(f"credit note, credit {bool(excess)}, set off {bool(set_off)}")
        inv.paid += share
        inv.credited += amount
        self.income[stream] = self.income.get(stream, ZERO) - amount
        if excess:
            self.credits[note] = credit
        for other, parts in set_off:
            for c, part in parts:
                c.uses.append((date, part))
                other.paid += part
            self.txns += 1
        self.txns += 1

    @precondition(lambda self: self.invoices)
    @rule(index=st.integers(0, 50), back=back_days)
    def write_off(self, index: int, back: int) -> None:
        inv = self.invoices[self.pick(list(self.invoices), index)]
        date = self.day(back, floor=inv.date)

        def call() -> actions.Written:
            return actions.write_off(self.ledger, inv.id, date=date, memo="uncollectable")

        if inv.written_off:
            before = snapshot(self.root)
            written = call()
            assert written.message == f"invoice {inv.id} is already written off; nothing changed"
            assert snapshot(self.root) == before
            return
        if inv.open <= 0:
            self.refused(store.LedgerError, f"invoice {inv.id} has nothing open to write off", call)
            return
        written = call()
        assert written.message == (
            f"invoice {inv.id}: {inv.open:.2f} USD written off to Expenses:Bad-Debt"
        )
        event("write-off")
        self.bad_debt += inv.open
        inv.paid += inv.open
        inv.written_off = True
        self.txns += 1

    @precondition(lambda self: self.bills)
    @rule(index=st.integers(0, 20), days=st.integers(-5, 60), back=back_days)
    def grace(self, index: int, days: int, back: int) -> None:
        bill = self.bills[self.pick(list(self.bills), index)]
        date = self.day(back, floor=bill.date)
        until = max(date, bill.due_date) + days * DAY

        def call() -> actions.Written:
            return actions.onebox_grace(self.ledger, bill.id, until=until, date=date)

        if until <= date:
            self.refused(
                InputError, f"grace until {until} must be after the agreement date {date}", call
            )
        elif bill.open <= 0:
            self.refused(
                store.LedgerError,
                f"bill {bill.id} is paid in full; there is nothing to defer",
                call,
            )
        elif bill.in_grace > 0 and bill.until is not None and until <= bill.until:
            self.refused(
                InputError,
                f"bill {bill.id} is in grace until {bill.until}; an extension must agree a later"
                f" date than {until}",
                call,
            )
        elif until <= bill.due_date:
            self.refused(
                InputError,
                f"grace until {until} must be after the bill's due date {bill.due_date}",
                call,
            )
        else:
            written = call()
            was = f"extended from {bill.until}" if bill.in_grace > 0 else f"was due {bill.due_date}"
            assert written.message == (
                f"bill {bill.id}: {bill.open} USD deferred until {until} ({was})"
            )
            event("grace: extended" if bill.in_grace > 0 else "grace: granted")
            bill.in_grace = bill.open
            bill.until = until
            self.txns += 1

    # ------------------------------------------------------------ invariants

    @invariant()
    def books_agree_with_the_model(self) -> None:
        entries, errors = load(self.ledger.main)
        assert errors == []
        txns = transactions(entries)
        assert len(txns) == self.txns
        assert unbalanced(entries) == []
        assert duplicate_ids(entries) == []
        totals = balances(entries)
        owed = {
            c: sum((i.open for i in self.invoices.values() if i.customer == c), ZERO)
            for c in self.customers
        }
        for cid in self.customers:
            assert totals.get(f"Assets:Receivable:{account_part(cid)}", ZERO) == owed[cid]
            # a debit on deferred revenue at a closed month's end is a contract asset
            assert (
                totals.get(f"Liabilities:Deferred-Revenue:{account_part(cid)}", ZERO)
                + (totals.get(f"Assets:Contract-Asset:{account_part(cid)}", ZERO))
                == -self.deferred[cid]
            )
        assert by_prefix(totals, "Assets:Receivable:") == sum(owed.values(), ZERO)
        per_invoice = by_key(entries, "Assets:Receivable:", "invoice")
        assert per_invoice == {i.id: i.open for i in self.invoices.values()}
        grace = sum((b.in_grace for b in self.bills.values()), ZERO)
        open_bills = sum((b.open for b in self.bills.values()), ZERO)
        assert by_prefix(totals, "Liabilities:OneBox:") == -open_bills
        assert totals.get("Liabilities:OneBox:Grace", ZERO) == -grace
        assert totals.get("Liabilities:OneBox:Payable", ZERO) == -(open_bills - grace)
        assert by_key(entries, "Liabilities:OneBox:", "bill") == {
            b.id: -b.open for b in self.bills.values()
        }
        assert totals.get("Assets:Bank", ZERO) == self.bank
        for cid in self.customers:
            held = sum((c.open for c in self.credits.values() if c.customer == cid), ZERO)
            assert totals.get(f"Liabilities:Customer-Credit:{account_part(cid)}", ZERO) == -held
        assert by_key(entries, "Liabilities:Customer-Credit:", "credit") == {
            c.id: -c.open for c in self.credits.values() if c.customer
        }
        assert by_key(entries, "Assets:Prepaid:OneBox", "prepaid") == {
            c.id: c.open for c in self.credits.values() if c.customer is None
        }
        assert totals.get("Expenses:Bad-Debt", ZERO) == self.bad_debt
        self.month_end_agrees(entries)
        income = -by_prefix(totals, "Income:") + totals.get("Income:FX-Unrealized", ZERO)
        cost = by_prefix(totals, "Expenses:OneBox:")
        assert income == sum(self.income.values(), ZERO)
        assert cost == sum(self.cost.values(), ZERO)
        table = reports.keep(entries, "USD", start=None, end=None, by="stream")
        assert table.totals[0][:4] == ["total", income, cost, income - cost]
        rows = {row[0]: row[1:3] for row in table.rows}
        streams = {s for s, v in self.income.items() if v} | {s for s, v in self.cost.items() if v}
        assert {s: r for s, r in rows.items() if any(r)} == {
            s: [self.income.get(s, ZERO), self.cost.get(s, ZERO)] for s in streams
        }
        report = actions.verify(self.ledger)
        assert report.errors == []
        assert report.diffs == []
        assert report.ok
        assert report.sealed == [Month(*ym) for ym in self.sealed]

    def month_end_agrees(self, entries: list[Any]) -> None:
        """At the last closed month's end, as of that day: the EUR account at the closing rate
        is its booked value plus the revaluation (to half a cent), the revaluation alone is in
        Income:FX-Unrealized (the month before's reversed), no deferred revenue is a debit and
        a contract asset is never a credit."""
        if not self.sealed:
            return
        last = month_last(self.sealed[-1])
        upto = balances([e for e in entries if e.date <= last])
        units = sum(
            (p.units.number for t in transactions(entries) if t.date <= last
             for p in t.postings if p.account == "Assets:Wise:EUR"),
            ZERO,
        )  # fmt: skip
        booked = sum(
            (p.units.number * p.price.number for t in transactions(entries) if t.date <= last
             for p in t.postings if p.account == "Assets:Wise:EUR"),
            ZERO,
        )  # fmt: skip
        assert (units, booked) == (self.eur_units, self.eur_booked)
        revaluation = upto.get("Assets:FX-Revaluation:Bank", ZERO)
        closing = units * self.closing_rate(last)
        assert abs(closing - (booked + revaluation)) <= Decimal("0.005")
        assert upto.get("Income:FX-Unrealized", ZERO) == -revaluation
        for cid in self.customers:
            assert upto.get(f"Liabilities:Deferred-Revenue:{account_part(cid)}", ZERO) <= 0
            assert upto.get(f"Assets:Contract-Asset:{account_part(cid)}", ZERO) >= 0


SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
def test_random_command_sequences_keep_the_books(tmp_path: Path) -> None:
    LedgerMachine.base = tmp_path
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)


# ---------------------------------------------------------------- targeted: found by exploring


def _customer_with_invoice(tmp_path: Path) -> store.Ledger:
    ledger = new_ledger(tmp_path)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)
    actions.sell(
        ledger, "acme", Money(Decimal("100.00"), "USD"), stream="services",
        date=datetime.date(2026, 1, 5), memo="Implementation", ref=None,
    )  # fmt: skip
    return ledger


def test_back_dated_receipt_cannot_pay_an_invoice_twice(tmp_path: Path) -> None:
    """A receipt dated before an earlier-recorded one must still see the invoice as paid: the
    money is the customer's credit, not a second payment of the invoice."""
    ledger = _customer_with_invoice(tmp_path)
    actions.receive(
        ledger, "acme", Money(Decimal("100.00"), "USD"), date=datetime.date(2026, 1, 20),
        invoice=None, ref=None,
    )  # fmt: skip
    written = actions.receive(
        ledger, "acme", Money(Decimal("100.00"), "USD"), date=datetime.date(2026, 1, 10),
        invoice=None, ref=None,
    )  # fmt: skip
    assert written.message == "received 100.00 USD from acme: 100.00 USD held as credit"
    entries, errors = load(ledger.main)
    assert errors == []
    totals = balances(entries)
    assert totals["Assets:Receivable:Acme"] == ZERO
    assert totals["Liabilities:Customer-Credit:Acme"] == Decimal("-100.00")


def _closed_bill(tmp_path: Path) -> store.Ledger:
    ledger = new_ledger(tmp_path)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)
    actions.contract_add(
        ledger, "acme-cloud", customer="acme", stream="cloud", price=Money(Decimal("25.00"), "USD"),
        quantity=5, start=START, billing="monthly", item="cloud-user", end=None,
    )  # fmt: skip
    actions.close(
        ledger, Month(2026, 1), today=datetime.date(2026, 2, 1), dry_run=False, force=False
    )
    # onebox-2026-01: 5 x 25.00 x 65% = 81.25 USD, due 2026-03-02, paid in full on 2026-02-20
    actions.onebox_pay(
        ledger, Money(Decimal("81.25"), "USD"), date=datetime.date(2026, 2, 20), bill=None, ref=None
    )
    return ledger


def test_back_dated_onebox_payment_cannot_pay_a_bill_twice(tmp_path: Path) -> None:
    ledger = _closed_bill(tmp_path)
    written = actions.onebox_pay(
        ledger, Money(Decimal("81.25"), "USD"), date=datetime.date(2026, 2, 15), bill=None, ref=None
    )
    assert written.message == "paid 81.25 USD to OneBox: 81.25 USD prepaid"
    entries, _ = load(ledger.main)
    totals = balances(entries)
    assert totals["Liabilities:OneBox:Payable"] == ZERO
    assert totals["Assets:Prepaid:OneBox"] == Decimal("81.25")


def test_back_dated_grace_cannot_defer_a_paid_bill(tmp_path: Path) -> None:
    ledger = _closed_bill(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(store.LedgerError) as info:
        actions.onebox_grace(
            ledger, "onebox-2026-01", until=datetime.date(2026, 4, 30),
            date=datetime.date(2026, 2, 10),
        )  # fmt: skip
    assert str(info.value) == "bill onebox-2026-01 is paid in full; there is nothing to defer"
    assert snapshot(tmp_path) == before
    entries, _ = load(ledger.main)
    totals = balances(entries)
    assert totals["Liabilities:OneBox:Payable"] == ZERO
    assert totals.get("Liabilities:OneBox:Grace", ZERO) == ZERO


def test_invoice_ids_of_two_customers_never_collide(tmp_path: Path) -> None:
    """Ids start with a letter and repeat sales get '.n': no two customers share an invoice id.

    A customer '15-b' would have made January's close invoice 'inv-2026-01-15-b', the id of
    a sale to 'b' on 2026-01-15; a second sale to 'b' that day was 'inv-2026-01-15-b-2',
    the id of the first sale to 'b-2'.
    """
    ledger = new_ledger(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(InputError) as refused:
        actions.customer_add(ledger, "15-b", "Fifteen B", "USD", 30, START)
    assert str(refused.value) == (
        "customer id '15-b' must start with a lowercase letter, then lowercase letters, digits"
        " and single hyphens, at most 48 characters (like 'acme-realty')"
    )
    assert snapshot(tmp_path) == before
    actions.customer_add(ledger, "b", "B", "USD", 30, START)
    actions.customer_add(ledger, "b-2", "B Two", "USD", 30, START)
    day = datetime.date(2026, 1, 15)
    written = [
        actions.sell(
            ledger, who, Money(Decimal("50.00"), "USD"), stream="services", date=day, memo="Hours",
            ref=None,
        ).message
        for who in ("b", "b", "b-2")
    ]  # fmt: skip
    assert written == [
        "invoice inv-2026-01-15-b: 50.00 USD services to b",
        "invoice inv-2026-01-15-b.2: 50.00 USD services to b",
        "invoice inv-2026-01-15-b-2: 50.00 USD services to b-2",
    ]
    entries, errors = load(ledger.main)
    assert errors == []
    accounts: dict[str, set[str]] = {}
    for txn in transactions(entries):
        for post in txn.postings:
            if post.account.startswith("Assets:Receivable:"):
                key = (post.meta or {}).get("invoice", txn.meta.get("invoice"))
                accounts.setdefault(str(key), set()).add(post.account)
    assert accounts == {
        "inv-2026-01-15-b": {"Assets:Receivable:B"},
        "inv-2026-01-15-b.2": {"Assets:Receivable:B"},
        "inv-2026-01-15-b-2": {"Assets:Receivable:B-2"},
    }


def test_a_second_grace_on_one_bill_the_same_day_gets_its_own_id(tmp_path: Path) -> None:
    """A bill in grace is paid, grows with a later sale, and gets grace again the same day: the
    second agreement is 'grace/<bill>/<date>/2' (it was a duplicate id, refused as invalid)."""
    ledger = new_ledger(tmp_path)
    day = datetime.date(2026, 1, 10)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)

    def sale() -> None:  # one cloud user: 1 x 25.00 x 65% = 16.25 USD on onebox-2026-01
        actions.sell(
            ledger, "acme", Money(Decimal("40.00"), "USD"), stream="cloud", date=day, memo="Setup",
            ref=None, consumes=("cloud-user", 1),
        )  # fmt: skip

    sale()
    until = datetime.date(2026, 4, 1)
    actions.onebox_grace(ledger, "onebox-2026-01", until=until, date=day)
    actions.onebox_pay(ledger, Money(Decimal("16.25"), "USD"), date=day, bill=None, ref=None)
    sale()
    written = actions.onebox_grace(ledger, "onebox-2026-01", until=until, date=day)
    assert written.message == (
        "bill onebox-2026-01: 16.25 USD deferred until 2026-04-01 (was due 2026-03-02)"
    )
    entries, errors = load(ledger.main)
    assert errors == []
    ids = [str(t.meta["id"]) for t in transactions(entries) if t.meta["id"].startswith("grace/")]
    assert ids == ["grace/onebox-2026-01/2026-01-10", "grace/onebox-2026-01/2026-01-10/2"]
    totals = balances(entries)
    assert totals["Liabilities:OneBox:Grace"] == Decimal("-16.25")
    assert totals["Liabilities:OneBox:Payable"] == ZERO
