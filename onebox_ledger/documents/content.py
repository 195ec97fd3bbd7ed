"""What a document says, read from the books. Pure: entries and the book in, data out.

An invoice document is the ledger's invoice (openitems: every posting to
``Assets:Receivable:*`` carrying the same ``invoice:``): one line per entry that bills it
(contract and period, as the close wrote it), its VAT entries per rate, and the total the
receivable holds. Nothing is computed that the ledger does not hold; a document whose lines
and VAT do not add up to what the receivable holds is refused::

    2026-11-30 * "Berlin Immo GmbH" "Cloud: 5 x 25.00 EUR for 14/30 days, November 2026"
      invoice: "inv-2026-11-berlin"      ->  line "Cloud, November 2026: 5 x 25.00 EUR,
      Assets:Receivable:Berlin  58.33 EUR        14 of 30 days"  5  25.00  58.33
    2026-11-30 * "Berlin Immo GmbH" "VAT 19% on inv-2026-11-berlin (net 58.33 EUR)"
      invoice: "inv-2026-11-berlin"      ->  VAT 19% on 58.33: 11.08; total 69.41
      Assets:Receivable:Berlin  11.08 EUR

A credit note (``credit-note:`` on its transaction) is a document of its own, referring to its
invoice: the net it credits (``amount:``), the VAT returned, the gross. A reminder is the
invoice's document with what is still open on a date and its level (dunning).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from .. import beans, openitems
from ..model import Book, Customer, Partner
from ..taxes import VAT_OUTPUT
from ..values import ZERO, round_money
from .words import Words


class DocumentError(Exception):
    """The books cannot give this document; the message is one line."""


class MissingDetails(DocumentError):
    """The books lack what every document needs (the partner's details): the ledger's state,
    not the argument."""


@dataclass(frozen=True)
class Party:
    name: str
    address: str | None = None
    country: str | None = None
    vat_id: str | None = None
    iban: str | None = None
    bic: str | None = None


@dataclass(frozen=True)
class Line:
    """One line as the ledger holds it: `amount` is the ledger's; `quantity` x `price` is what
    the amount was made of, before proration (`days` of `total` days)."""

    description: str
    amount: Decimal
    quantity: Decimal = Decimal(1)
    price: Decimal | None = None
    days: tuple[int, int] | None = None
    vat: str | None = None  # the treatment (taxes.Treatment.kind), None: no VAT regime
    rate: Decimal | None = None

    @property
    def exact(self) -> bool:
        """Whether quantity x price is the amount to the cent (no proration)."""
        return self.price is not None and self.quantity * self.price == self.amount


@dataclass(frozen=True)
class Tax:
    """VAT of one category and rate: ``standard`` (rate), ``reverse-charge``, ``exempt``, or
    ``outside`` (a partner that charges no VAT: ``tax: "none"`` or the single tax)."""

    kind: str
    rate: Decimal | None
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Document:
    kind: str  # "invoice", "credit-note" or "reminder"
    id: str  # the invoice's (or credit note's) number
    date: datetime.date
    currency: str
    seller: Party
    buyer: Party
    customer: str
    language: str
    lines: tuple[Line, ...]
    taxes: tuple[Tax, ...]
    net: Decimal
    vat: Decimal
    total: Decimal
    due: datetime.date | None = None
    refers: str | None = None  # a credit note's invoice
    open: Decimal | None = None  # a reminder: what is still open on `as_of`
    prepaid: Decimal = ZERO  # the customer's credit applied when the invoice was issued
    as_of: datetime.date | None = None
    level: int | None = None
    days_over: int | None = None

    @property
    def reference(self) -> str:
        """What the customer quotes when paying: the invoice's number."""
        return self.refers or self.id

    @property
    def payable(self) -> Decimal:
        return self.open if self.open is not None else self.total - self.prepaid

    @property
    def words(self) -> Words:
        return Words(self.language)


def seller(book: Book, date: datetime.date) -> Party:
    partner: Partner | None = book.partner(date)
    if partner is None:
        raise MissingDetails(
            f"a document needs the partner's details on {date}; record them with: onebox-ledger"
            ' partner set --name NAME --country CC --address "..." --iban IBAN --date YYYY-MM-DD'
        )
    return Party(partner.name, partner.address, partner.country, partner.vat_id, partner.iban,
                 partner.bic)  # fmt: skip


def buyer(customer: Customer) -> Party:
    return Party(customer.name, customer.address, customer.country, customer.vat_id)


# "Cloud: 5 x 25.00 EUR for 14/30 days, November 2026", "Services: 1 x 2000.00 EUR, once, ..."
_NARRATION = re.compile(
    r"(?P<stream>[A-Z][a-z]+): (?P<quantity>\d+) x (?P<price>\d+\.\d+) (?P<currency>[A-Z]{3})"
    r"(?: for (?P<days>\d+)/(?P<total>\d+) days)?(?P<once>, once)?, (?P<period>.+)"
)
_MONTH = re.compile(r"(January|February|March|April|May|June|July|August|September|October"
                    r"|November|December) (\d{4})")  # fmt: skip
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_STREAMS = {
    "Cloud": {"en": "Cloud", "de": "Cloud", "uk": "Хмара"},
    "Data": {"en": "Data", "de": "Daten", "uk": "Дані"},
    "Product": {"en": "Product", "de": "Produkt", "uk": "Продукт"},
    "Services": {"en": "Services", "de": "Dienstleistungen", "uk": "Послуги"},
}
_ONCE = {"en": "once", "de": "einmalig", "uk": "разово"}


def _period(text: str, words: Words) -> str:
    """'November 2026' in the document's language (Babel's month names)."""
    from babel.dates import format_date

    found = _MONTH.fullmatch(text)
    if found is None:
        return text
    day = datetime.date(int(found.group(2)), _MONTHS.index(found.group(1)) + 1, 1)
    return format_date(day, format="LLLL y", locale=words.language)


def line_of(entry: data.Transaction, amount: Decimal, words: Words) -> Line:
    """A document line from the entry that bills it, its narration stated in the language."""
    treatment = entry.meta.get("vat")
    rate = entry.meta.get("vat-rate")
    vat = treatment if isinstance(treatment, str) else None
    rate = rate if isinstance(rate, Decimal) else None
    narration = entry.narration or ""
    found = _NARRATION.fullmatch(narration)
    if found is None:
        return Line(narration, amount, vat=vat, rate=rate)
    quantity = Decimal(found.group("quantity"))
    price = Decimal(found.group("price"))
    days = None
    if found.group("days"):
        days = (int(found.group("days")), int(found.group("total")))
    stream = _STREAMS.get(found.group("stream"), {}).get(words.language, found.group("stream"))
    text = f"{stream}, {_period(found.group('period'), words)}: {quantity} x "
    text += words.money(price, found.group("currency"))
    if days is not None:
        text += ", " + words.days(*days)
    if found.group("once"):
        text += ", " + _ONCE[words.language]
    return Line(text, amount, quantity, price, days, vat, rate)


def _credit_applied(entries: Iterable[data.Directive], invoice: str) -> Decimal:
    """The customer's credit the close (or the advance invoice) applied to `invoice` as it
    issued it (``.../<customer>/credit``): paid before the customer sees the document."""
    applied = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if not (beans.entry_id(entry) or "").endswith("/credit"):
            continue
        for post in entry.postings:
            if post.account.startswith(openitems.RECEIVABLE_PREFIX) and (
                openitems.item_key(post, entry, "invoice") == invoice
            ):
                applied -= beans.units(post)[0]
    return applied


def _invoice_entries(
    entries: Iterable[data.Directive], invoice: str
) -> list[tuple[data.Transaction, data.Posting]]:
    """Every (entry, posting) that bills `invoice`: a positive posting to a receivable."""
    found = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for post in entry.postings:
            if not post.account.startswith(openitems.RECEIVABLE_PREFIX):
                continue
            if openitems.item_key(post, entry, "invoice") != invoice:
                continue
            if beans.units(post)[0] > 0:
                found.append((entry, post))
    return found


def invoice_ids(entries: Iterable[data.Directive], month: str | None = None) -> list[str]:
    """Every invoice's id, oldest first; with `month` ("2026-11"), those dated in it."""
    return [
        item.id
        for item in openitems.invoices(entries)
        if item.billed > 0 and (month is None or item.date.isoformat()[:7] == month)
    ]


def invoice(entries: Sequence[data.Directive], book: Book, invoice_id: str) -> Document:
    """The invoice `invoice_id` as the books hold it."""
    billing = _invoice_entries(entries, invoice_id)
    if not billing:
        known = invoice_ids(entries)
        close = [i for i in known if i.startswith(invoice_id[:8])][:1]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DocumentError(f"unknown invoice {invoice_id!r}{hint}")
    first = billing[0][0]
    customer_id = str(first.meta.get("customer", ""))
    if customer_id not in book.customers:
        raise DocumentError(f"invoice {invoice_id!r} names no known customer")
    customer = book.customers[customer_id]
    words = Words(customer.language)
    currency = beans.units(billing[0][1])[1]
    lines: list[Line] = []
    taxes: dict[tuple[str, Decimal | None], Tax] = {}
    for entry, post in billing:
        amount = beans.units(post)[0]
        if any(p.account == VAT_OUTPUT for p in entry.postings):
            net = entry.meta.get("net")
            kind = str(entry.meta.get("vat", "standard"))
            rate = entry.meta.get("vat-rate")
            rate = rate if isinstance(rate, Decimal) else None
            base = beans.number(net) if net is not None else ZERO
            old = taxes.get((kind, rate), Tax(kind, rate, ZERO, ZERO))
            taxes[(kind, rate)] = Tax(kind, rate, old.net + base, old.vat + amount)
        else:
            lines.append(line_of(entry, amount, words))
    for line in lines:  # categories without VAT: their net, nothing charged
        kind = line.vat or "outside"  # no vat: the partner charges none (not registered)
        if kind in ("reverse-charge", "exempt", "outside"):
            old = taxes.get((kind, None), Tax(kind, None, ZERO, ZERO))
            taxes[(kind, None)] = Tax(kind, None, old.net + line.amount, ZERO)
    net = sum((line.amount for line in lines), ZERO)
    vat = sum((tax.vat for tax in taxes.values()), ZERO)
    billed = sum((beans.units(post)[0] for _, post in billing), ZERO)
    if net + vat != billed:  # pragma: no cover - every billing posting is a line or VAT
        raise DocumentError(f"invoice {invoice_id!r}: lines and VAT do not add up to {billed}")
    if sum((t.net for t in taxes.values() if t.kind == "standard"), ZERO) != sum(
        (line.amount for line in lines if line.vat == "standard"), ZERO
    ):
        raise DocumentError(
            f"invoice {invoice_id!r}: the VAT entries' net is not the sum of the standard lines"
        )
    due = first.meta.get("due")
    return Document(
        "invoice", invoice_id, first.date, currency, seller(book, first.date),
        buyer(customer), customer_id, words.language, tuple(lines),
        tuple(sorted(taxes.values(), key=lambda t: (t.kind, t.rate or ZERO))),
        net, vat, net + vat, due if isinstance(due, datetime.date) else None,
        prepaid=_credit_applied(entries, invoice_id),
    )  # fmt: skip


def credit_note(entries: Sequence[data.Directive], book: Book, note_id: str) -> Document:
    """The credit note `note_id` (``credit-note:``) as the books hold it."""
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("credit-note") == note_id:
            break
    else:
        raise DocumentError(f"unknown credit note {note_id!r}")
    customer_id = str(entry.meta.get("customer", ""))
    customer = book.customers[customer_id]
    words = Words(customer.language)
    amount = entry.meta.get("amount")
    net = beans.number(amount) if amount is not None else ZERO
    currency = amount.currency if amount is not None else customer.currency
    vat = sum((beans.units(p)[0] for p in entry.postings if p.account == VAT_OUTPUT), ZERO)
    kind = str(entry.meta.get("vat", "")) or None
    rate = entry.meta.get("vat-rate")
    rate = rate if isinstance(rate, Decimal) else None
    memo = (entry.narration or "").partition(": ")[2] or (entry.narration or "")
    line = Line(memo, net, vat=kind, rate=rate)
    taxes = (Tax(kind or "outside", rate, net, vat),)
    return Document(
        "credit-note", note_id, entry.date, currency, seller(book, entry.date), buyer(customer),
        customer_id, words.language, (line,), taxes, net, vat, net + vat,
        refers=str(entry.meta.get("invoice", "")) or None,
    )  # fmt: skip


def credit_note_ids(entries: Iterable[data.Directive], month: str | None = None) -> list[str]:
    return [
        str(e.meta["credit-note"])
        for e in entries
        if isinstance(e, data.Transaction)
        and isinstance(e.meta.get("credit-note"), str)
        and (month is None or e.date.isoformat()[:7] == month)
    ]


def document(entries: Sequence[data.Directive], book: Book, doc_id: str) -> Document:
    """An invoice or a credit note, by its number."""
    if doc_id.startswith("cn-") or doc_id in credit_note_ids(entries):
        return credit_note(entries, book, doc_id)
    return invoice(entries, book, doc_id)


# ---------------------------------------------------------------- dunning

DEFAULT_LEVELS = (7, 21, 45)


def level(days_over: int, levels: Sequence[int]) -> int:
    """The reminder level of an invoice `days_over` its due date: how many levels it passed."""
    return sum(1 for days in levels if days_over >= days)


@dataclass(frozen=True)
class Chase:
    invoice: str
    customer: str
    currency: str
    open: Decimal
    due: datetime.date
    days_over: int
    level: int


def dunning(
    invoices: Iterable[openitems.OpenItem], as_of: datetime.date, levels: Sequence[int]
) -> list[Chase]:
    """The invoices to chase on `as_of`: open, at least the first level's days past due, of
    `invoices` as they stand on that day (openitems.invoices of the books, or the month
    summaries' summaries.History.scan_as_of)."""
    chase = []
    for item in invoices:
        if item.open <= 0:
            continue
        days = (as_of - item.due_date).days
        reached = level(days, levels)
        if reached:
            chase.append(Chase(item.id, str(item.customer or ""), item.currency,
                               round_money(item.open), item.due_date, days, reached))  # fmt: skip
    return sorted(chase, key=lambda c: (-c.level, c.due, c.invoice))


def reminder(
    entries: Sequence[data.Directive],
    book: Book,
    invoice_id: str,
    as_of: datetime.date,
    levels: Sequence[int],
) -> Document:
    """The invoice with what is open on `as_of` and its reminder level."""
    doc = invoice(entries, book, invoice_id)
    item = next(i for i in openitems.invoices(entries, as_of) if i.id == invoice_id)
    if item.open <= 0:
        raise DocumentError(f"invoice {invoice_id!r} is paid as of {as_of}: nothing to remind")
    days = (as_of - item.due_date).days
    if days <= 0:
        raise DocumentError(
            f"invoice {invoice_id!r} is not past due on {as_of} (due {item.due_date}):"
            " nothing to remind"
        )
    return Document(
        "reminder", doc.id, doc.date, doc.currency, doc.seller, doc.buyer, doc.customer,
        doc.language, doc.lines, doc.taxes, doc.net, doc.vat, doc.total, item.due_date,
        open=round_money(item.open), as_of=as_of, level=level(days, levels),
        days_over=max(days, 0), prepaid=doc.prepaid,
    )  # fmt: skip


# ---------------------------------------------------------------- statement of account


@dataclass(frozen=True)
class Row:
    date: datetime.date
    kind: str  # invoice, payment, credit-note, write-off, credit (held), refund, other
    reference: str
    debit: Decimal  # raises what the customer owes
    credit: Decimal  # lowers it
    balance: Decimal


@dataclass
class Statement:
    customer: str
    seller: Party
    buyer: Party
    language: str
    currency: str
    start: datetime.date
    as_of: datetime.date
    opening: Decimal = ZERO
    rows: list[Row] = field(default_factory=list)
    closing: Decimal = ZERO
    aging: dict[str, Decimal] = field(default_factory=dict)
    open_invoices: list[tuple[str, datetime.date, Decimal, int]] = field(default_factory=list)

    @property
    def words(self) -> Words:
        return Words(self.language)


AGING = ("current", "1-30", "31-60", "61-90", "90+")


def _bucket(days: int) -> str:
    if days <= 0:
        return "current"
    return next(
        (b for b, top in (("1-30", 30), ("31-60", 60), ("61-90", 90)) if days <= top), "90+"
    )


def _kind(entry: data.Transaction) -> str:
    entry_id = beans.entry_id(entry) or ""
    if "credit-note" in entry.meta:
        return "credit-note"
    for prefix, kind in (("receive/", "payment"), ("write-off/", "write-off"),
                         ("refund/", "refund")):  # fmt: skip
        if entry_id.startswith(prefix):
            return kind
    return "other"


def statement(
    entries: Sequence[data.Directive],
    book: Book,
    customer_id: str,
    as_of: datetime.date,
    start: datetime.date,
) -> Statement:
    """What `customer_id` owes: its receivable less the credit it holds, from `start` to
    `as_of` entry by entry, and its open invoices aged on `as_of`."""
    customer = book.customers[customer_id]
    receivable = beans.receivable_account(customer_id)
    credit = beans.credit_account(customer_id)
    report = Statement(customer_id, seller(book, as_of), buyer(customer),
                       Words(customer.language).language, customer.currency, start, as_of)  # fmt: skip
    balance = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > as_of:
            continue
        change = ZERO
        for post in entry.postings:
            if post.account in (receivable, credit):
                number, currency = beans.units(post)
                if currency == customer.currency:
                    change += number
        if not change:  # untouched, or credit applied to an invoice: owed unchanged
            continue
        if entry.date < start:
            balance += change
            continue
        if not report.rows:
            report.opening = balance
        balance += change
        invoice_id = entry.meta.get("invoice")
        kind = "invoice" if change > 0 and _kind(entry) == "other" else _kind(entry)
        if kind == "other" and change < 0:  # money in from a bank (an import), else a credit
            banked = any(p.account.startswith("Assets:") and p.account != receivable
                         for p in entry.postings)  # fmt: skip
            kind = "payment" if banked else "credit"
        reference = str(entry.meta.get("credit-note") or invoice_id or entry.meta.get("ref")
                        or beans.entry_id(entry) or "")  # fmt: skip
        last = report.rows[-1] if report.rows else None
        if last and (last.date, last.kind, last.reference) == (entry.date, kind, reference):
            change += last.debit - last.credit  # an invoice's lines and VAT: one row
            report.rows.pop()
        report.rows.append(Row(entry.date, kind, reference, max(change, ZERO),
                               max(-change, ZERO), balance))  # fmt: skip
    if not report.rows:
        report.opening = balance
    report.opening = round_money(report.opening)
    report.closing = round_money(balance)
    report.aging = dict.fromkeys(AGING, ZERO)
    for item in openitems.invoices(entries, as_of):
        if item.customer != customer_id or item.open <= 0:
            continue
        days = (as_of - item.due_date).days
        report.aging[_bucket(days)] += round_money(item.open)
        report.open_invoices.append((item.id, item.due_date, round_money(item.open), days))
    return report
