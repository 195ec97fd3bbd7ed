"""A month's close as a list of entries plus its seal. Pure and history-independent.

Input: the Book (terms, customers, contracts), the month M, and the entries
dated in M, wherever they live (money events already recorded in M, metered
usage of M, and, when M was closed before, its generated entries and seal),
plus the previous seal's digest. Nothing else: the close of month 60 reads no
more than the close of month 2.

Output for each contract active in M, dated M's last day (an annual contract's invoice, the
day it bills from: its anniversary or its change, billing.Line.date)::

    2026-11-30 * "Acme Realty" "Cloud: 5 x 25.00 USD, November 2026"
      id: "close/2026-11/acme-cloud/invoice"
      customer: "acme"
      contract: "acme-cloud"
      period: "2026-11"
      invoice: "inv-2026-11-acme"
      Assets:Receivable:Acme  125.00 USD
      Income:Cloud           -125.00 USD

    2026-11-30 * "OneBox" "Cloud: 5 x cloud-user at 25.00 USD x 65% of list for acme-cloud, November 2026"
      id: "close/2026-11/acme-cloud/cost"
      ...
      bill: "onebox-2026-11"
      due: 2026-12-30
      Expenses:OneBox:Cloud        81.25 USD
      Liabilities:OneBox:Payable  -81.25 USD

then the seal, whose digest covers everything dated in M that can change a number
(in any file; the first seal also what is dated before it) and the previous seal's
digest (onebox_ledger.seals)::

    2026-11-30 custom "onebox-close" "2026-11" "sha256:..."
      boxes: 12
      rate: 0.60
      previous: "sha256:..."

Annual contracts add an ``/recognise`` entry (Deferred-Revenue -> Income); at
an anniversary their ``/invoice`` credits Deferred-Revenue instead of Income, on the
customer's invoice of that day (``inv-2026-09-15-acme``, `dated_invoice_id`).
The month's end (onebox_ledger.month_end) follows: the month before's revaluation and
contract assets reversed on the 1st, foreign balances revalued at the closing rate
(``close/<month>/fx/revalue``) and debit deferred revenue moved to contract assets.
Invoices of one customer and month share ``invoice:``; all costs of a month
share ``bill:`` (one OneBox bill per month). The ids make the close idempotent:
closing M again regenerates the same entries and compares them.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from beancount.core import data

from . import beans, events, money, month_end, seals, taxes
from .agents import Agents, close_commissions
from .billing import Charge, Line, advance_lines, charge, due_date, month_rate
from .model import Book, Contract, ModelError, parse_usage
from .money import Rates
from .openitems import (
    RECEIVABLE_PREFIX,
    OpenItem,
    apply_bills,
    apply_credits,
    apply_invoices,
    sorted_bills,
    sorted_invoices,
)
from .values import ZERO, Month

COST_PREFIX = "Expenses:OneBox:"


class CloseError(Exception):
    """The month cannot be closed as asked; the message is one line."""


def invoice_id(customer: str, month: Month) -> str:
    return f"inv-{month}-{customer}"


def dated_invoice_id(customer: str, date: datetime.date, taken: Collection[str] = ()) -> str:
    """The invoice an annual contract's line dated `date` belongs to: the customer's invoice
    of that day (``inv-2026-09-15-acme``), as a sale's, but one a sale of that day already
    took (`taken`) gets the next free number (events.sell_invoice_id)."""
    return events.sell_invoice_id(date, customer, taken)


def advance_invoice_ids(
    month: Month, written: Sequence[data.Transaction] = ()
) -> Callable[[str], str]:
    """The invoice of a customer's advance lines of `month`, dated its first day, for each
    customer: the customer's invoice of that day (``inv-2026-11-01-acme``), its own, not the
    close's (``inv-2026-11-acme``, dated the month's end, at that day's rate), so each invoice
    has one date and one rate. Before 2026-12-07 the advance invoice had the close's id: where
    the month's advance invoice is `written` with it, it keeps it (old books verify and close
    as they were written). A sale of the 1st already holding the id (`written`) is not shared:
    the next free number (events.sell_invoice_id). `written` is read once, whatever the
    number of customers asked for."""
    prefix = invoice_prefix(month)
    kept: set[str] = set()  # customers whose advance invoice has the close's id (rules 1)
    taken: set[str] = set()
    for txn in written:
        invoice, entry_id = txn.meta.get("invoice"), beans.entry_id(txn) or ""
        if entry_id.startswith(prefix):
            customer = txn.meta.get("customer")
            if customer is not None and invoice == invoice_id(str(customer), month):
                kept.add(str(customer))
        elif entry_id.startswith(SALE_PREFIX) and invoice is not None:
            taken.add(str(invoice))

    def advance_invoice_id(customer: str) -> str:
        if customer in kept:
            return invoice_id(customer, month)
        return dated_invoice_id(customer, month.first, taken)

    return advance_invoice_id


def bill_id(month: Month) -> str:
    return f"onebox-{month}"


def id_prefix(month: Month) -> str:
    return f"close/{month}/"


@dataclass
class StreamTotals:
    """A stream's month in the operating currency, as booked."""

    invoiced: Decimal = ZERO
    recognised: Decimal = ZERO
    cost: Decimal = ZERO


@dataclass(frozen=True)
class Summary:
    month: Month
    boxes: int
    rate: Decimal | None
    currency: str = ""  # the operating currency of `streams`
    streams: dict[str, StreamTotals] = field(default_factory=dict)
    bill: dict[str, Decimal] = field(default_factory=dict)  # currency -> total billed by OneBox
    due: object = None  # date the OneBox bill is due
    # currency -> customer credit the close applied to open invoices, OneBox prepaid to its bill
    credit: dict[str, Decimal] = field(default_factory=dict)
    prepaid: dict[str, Decimal] = field(default_factory=dict)
    output_vat: Decimal = ZERO  # VAT on the close's invoices (operating currency)
    # currency -> OneBox's VAT on the bill; the single tax the month's receipts accrued
    bill_vat: dict[str, Decimal] = field(default_factory=dict)
    single_tax: Decimal = ZERO
    bad_debt: Decimal = ZERO  # what the month's write-offs moved to Expenses:Bad-Debt


@dataclass(frozen=True)
class CloseResult:
    month: Month
    entries: list[data.Directive]  # generated transactions then the seal
    summary: Summary
    already_closed: bool  # True: M was sealed and nothing changed
    opens: list[data.Open] = field(default_factory=list)  # accounts first posted to (static file)


def invoice_prefix(month: Month) -> str:
    return f"invoice/{month}/"


def carried(
    entries: Iterable[data.Directive], month: Month, *, invoicing: bool = False
) -> list[OpenItem]:
    """Customer credit and OneBox prepaid open before the close of `month` applies them (the
    entries dated in or before it, but the close's own), or, `invoicing`, before the month's
    advance invoices apply them (dated on or before its first day, but theirs, and never
    more than is open now: what an entry dated later in the month already used is not
    there to apply); oldest first."""
    prefix = invoice_prefix(month) if invoicing else id_prefix(month)
    last = month.first if invoicing else month.last
    items: dict[str, OpenItem] = {}
    now: dict[str, OpenItem] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if not (beans.entry_id(entry) or "").startswith(prefix):
            if entry.date <= last:
                apply_credits(items, entry)
            if invoicing:
                apply_credits(now, entry)
    for key, item in items.items():
        if invoicing and now[key].open < item.open:
            item.paid = item.billed - max(now[key].open, ZERO)
    return [item for item in sorted_invoices(items.values()) if item.open > 0]


def older_invoices(
    receivables: Iterable[data.Transaction], month: Month, credit: Sequence[OpenItem]
) -> list[OpenItem]:
    """The invoices issued by the end of `month` still open now (every payment counted, whatever
    its date: a receipt recorded before the close is not paid again), of the customers
    holding `credit`: what the close sets their credit against before the month's new
    invoices. The close's own entries of `month` are left out (re-derived)."""
    holders = {c.customer for c in credit if c.kind == "credit"}
    prefix = id_prefix(month)
    items: dict[str, OpenItem] = {}
    for entry in receivables:
        if entry.meta.get("customer") in holders and not (beans.entry_id(entry) or "").startswith(
            prefix
        ):
            apply_invoices(items, entry)
    return [i for i in sorted_invoices(items.values()) if i.date <= month.last and i.open > 0]


def is_credit_applied(entry: data.Transaction) -> bool:
    """Whether `entry` is the credit applied to an advance invoice when it was issued
    (``invoice/<month>/<customer>/credit``): it applies the credit open then, so entries
    recorded later (a receipt, a credit note, a refund dated before the 1st) do not make
    it drift; the month's seal covers it once closed."""
    entry_id = beans.entry_id(entry) or ""
    return entry_id.startswith("invoice/") and entry_id.endswith("/credit")


def invoice_lines(txns: Iterable[data.Transaction]) -> list[data.Transaction]:
    """The advance invoices' lines (what the contracts give), the credit applied aside."""
    return [e for e in txns if not is_credit_applied(e)]


def invoice_month(
    book: Book,
    month: Month,
    rates: Rates,
    credit: Sequence[OpenItem] = (),
    written: Sequence[data.Transaction] = (),
) -> list[data.Transaction]:
    """The advance invoices of `month`, dated its first day, ids ``invoice/<month>/<contract>/
    advance|adjust`` (billing.advance_lines), each customer's on its invoice of the day
    (`advance_invoice_ids`; `written`: the month's transactions already in the books), then
    each customer's credit open on that day (`carried(..., invoicing=True)`) applied to them,
    ``invoice/<month>/<customer>/credit``::

        2026-11-01 * "Acme Realty" "Cloud: 5 x 25.00 USD, in advance, November 2026"
          id: "invoice/2026-11/acme-cloud/advance"
          invoice: "inv-2026-11-01-acme"
          due: 2026-12-01
          Assets:Receivable:Acme                125.00 USD
          Liabilities:Deferred-Revenue:Acme    -125.00 USD
    """
    txns: list[data.Transaction] = []
    advance_invoice_id = advance_invoice_ids(month, written)
    for cid in sorted(book.contracts):
        contract = book.contracts[cid]
        if contract.advance:
            txns.extend(
                line_entry(book, contract, month, line, rates, date=month.first,
                           prefix=invoice_prefix(month),
                           invoice=advance_invoice_id(contract.customer))
                for line in advance_lines(contract, month)
            )  # fmt: skip
    txns += taxes.invoice_vat(txns, rates, prefix=invoice_prefix(month))
    applied, _ = _apply(book, month, txns, rates, credit, date=month.first,
                        prefix=invoice_prefix(month))  # fmt: skip
    return [*txns, *applied]


def generate(
    book: Book,
    month: Month,
    usage: dict[str, Decimal],
    rates: Rates,
    credit: Sequence[OpenItem] = (),
    sold: Sequence[data.Transaction] = (),
    agents: Agents | None = None,
    older: Sequence[OpenItem] = (),
    reserved: Collection[str] = (),
) -> tuple[list[data.Transaction], Summary]:
    """The generated transactions of `month`, in a stable order, with their summary.

    `agents`: the invoiced-basis commission on the month's invoices follows them
    (agents.close_commissions, ids ``close/<month>/<invoice>/<agent>/commission``).

    `credit`: the customer credit and OneBox prepaid open before the close
    (`carried`); each customer's credit pays its new invoice, prepaid pays the
    new bill, oldest first. `sold`: the month's transactions recorded before the close
    (its one-time sales' OneBox cost counts in the bill's VAT). Under VAT, each invoice's
    VAT and the bill's (taxes) follow the lines. Raises MoneyError when a foreign amount
    or a VAT rate is missing.
    """
    boxes, rate = month_rate(book, month)
    charges: list[Charge] = []
    for cid in sorted(book.contracts):
        contract = book.contracts[cid]
        if contract.start > month.last:
            continue
        item = charge(book, contract, month, rate, usage.get(cid))
        if item is not None:
            charges.append(item)
    unknown = sorted(
        set(usage) - {c for c in book.contracts if book.contracts[c].billing == "metered"}
    )
    if unknown:
        raise CloseError(f"usage recorded for {unknown[0]!r}, which is not a metered contract")
    due = due_date(book, month) if any(c.cost for c in charges) else None
    streams: dict[str, StreamTotals] = {}
    bill: dict[str, Decimal] = {}
    txns: list[data.Transaction] = []
    # an annual invoice of a day takes none a sale or the month's advance invoice (`reserved`)
    # holds
    taken = {str(t.meta["invoice"]) for t in sold if "invoice" in t.meta} | set(reserved)
    for c in charges:
        made = _entries(book, c, due, rates, taken)
        txns.extend(made)
        totals = streams.setdefault(c.contract.stream, StreamTotals())
        for txn in made:
            _count(totals, txn, rates)
        if c.cost and c.cost_currency:
            bill[c.cost_currency] = bill.get(c.cost_currency, ZERO) + c.cost
    output = taxes.invoice_vat(txns, rates, prefix=id_prefix(month))
    bill_vat = taxes.bill_vat(
        book, [*sold, *txns], rates, bill=bill_id(month), date=month.last,
        entry_id=f"{id_prefix(month)}onebox/vat",
    )  # fmt: skip
    txns += [*output, *bill_vat]
    applied, prepaid = _apply(book, month, txns, rates, credit, older=older)
    if agents is not None and agents.assignments:
        invoices = [t for t in txns if "invoice" in t.meta]
        txns.extend(close_commissions(agents, invoices, book, rates, id_prefix(month)))
    summary = Summary(
        month, boxes, rate, rates.operating, streams, bill, due,
        _totals(applied, beans.is_credit_account), _totals(prepaid, lambda account: account == beans.PAYABLE),
        -_totals(output, lambda account: account == taxes.VAT_OUTPUT).get(rates.operating, ZERO),
        {cur: -n for cur, n in _totals(bill_vat, lambda account: account == beans.PAYABLE).items()},
    )  # fmt: skip
    return [*txns, *applied, *prepaid], summary


def _count(totals: StreamTotals, txn: data.Transaction, rates: Rates) -> None:
    """Add what `txn` invoices, recognises and costs (in the operating currency) to `totals`."""
    for post in txn.postings:
        value = money.weight(post, rates.operating)
        if post.account.startswith(RECEIVABLE_PREFIX):
            totals.invoiced += value
        elif post.account.startswith("Income:"):
            totals.recognised -= value
        elif post.account.startswith(COST_PREFIX):
            totals.cost += value


SALE_PREFIX = "sell/"


def _invoice_ids(txns: Iterable[data.Transaction]) -> set[str]:
    return {str(t.meta["invoice"]) for t in txns if "invoice" in t.meta}


def _sales(txns: Iterable[data.Transaction]) -> list[data.Transaction]:
    return [t for t in txns if (beans.entry_id(t) or "").startswith(SALE_PREFIX)]


def with_sales(summary: Summary, txns: Sequence[data.Transaction], rates: Rates) -> Summary:
    """The summary with the month's one-time sales (``sell``, ids ``sell/...``) and their OneBox
    cost counted in their streams, and that cost in the month's bill: a month that sold 2000.00
    of services beside its contracts shows them in its services row."""
    bill_name = bill_id(summary.month)
    streams = {name: replace(t) for name, t in summary.streams.items()}
    bill = dict(summary.bill)
    due = summary.due
    for txn in txns:
        if not (beans.entry_id(txn) or "").startswith(SALE_PREFIX):
            continue
        stream = next(
            (
                post.account.split(":")[-1].lower()
                for post in txn.postings
                if post.account.startswith(("Income:", COST_PREFIX))
            ),
            None,
        )
        if stream is None:  # pragma: no cover - a sale always posts to its stream
            continue
        _count(streams.setdefault(stream, StreamTotals()), txn, rates)
        for post in txn.postings:
            named = (post.meta or {}).get("bill") or txn.meta.get("bill")
            if post.account == beans.PAYABLE and named == bill_name:
                number, currency = beans.units(post)
                bill[currency] = bill.get(currency, ZERO) - number
                due = due or txn.meta.get("due")
    return replace(summary, streams=streams, bill=bill, due=due)


def _totals(txns: Sequence[data.Transaction], counted: Callable[[str], bool]) -> dict[str, Decimal]:
    """Per currency, what the postings to the `counted` accounts add up to."""
    out: dict[str, Decimal] = {}
    for txn in txns:
        for post in txn.postings:
            if counted(post.account):
                number, currency = beans.units(post)
                out[currency] = out.get(currency, ZERO) + number
    return out


def _apply(
    book: Book,
    month: Month,
    txns: Sequence[data.Transaction],
    rates: Rates,
    credit: Sequence[OpenItem],
    *,
    date: datetime.date | None = None,
    prefix: str | None = None,
    older: Sequence[OpenItem] = (),
) -> tuple[list[data.Transaction], list[data.Transaction]]:
    """Credit on each customer's open invoices, the older ones (`older`, issued before: see
    `older_invoices`) first, then the new ones; prepaid on the new bill (oldest first); dated
    `date` (default: the month's last day), ids under `prefix` (default: the close's): on the
    month's own invoice ``<prefix><customer>/credit``, on an older one
    ``<prefix><customer>/credit/<invoice>`` (the advance invoices, one a customer, are each
    the month's own: ``invoice/<month>/<customer>/credit``)."""
    date = date or month.last
    prefix = prefix or id_prefix(month)
    advance = prefix == invoice_prefix(month)
    invoices: dict[str, OpenItem] = {}
    bills: dict[str, OpenItem] = {}
    for txn in txns:
        apply_invoices(invoices, txn)
        apply_bills(bills, txn)
    used: dict[str, Decimal] = {}  # credit id -> what this close applied of it
    applied = []
    ordered = [(i, f"/{i.id}") for i in sorted_invoices(older)]
    # the month's invoice ``<customer>/credit``; another the close issues (an annual one,
    # dated its day) ``<customer>/credit/<invoice>``
    ordered += [
        (i, "" if advance or i.id == invoice_id(str(i.customer), month) else f"/{i.id}")
        for i in sorted_invoices(invoices.values())
    ]
    for invoice, suffix in ordered:
        mine = [
            replace(c, paid=c.paid + used.get(c.id, ZERO))
            for c in credit
            if c.kind == "credit" and c.customer == invoice.customer
            and c.currency == invoice.currency
        ]  # fmt: skip
        parts = [(c, part) for c, part in events.allocate(mine, invoice.open)[0] if part > 0]
        if not parts:
            continue
        for c, part in parts:
            used[c.id] = used.get(c.id, ZERO) + part
        who = book.customers[str(invoice.customer)]
        applied.append(
            events.apply_credit_entry(
                who,
                parts,
                invoice,
                date=date,
                entry_id=f"{prefix}{who.id}/credit{suffix}",
                period=str(month),
                rates=rates,
            )
        )
    prepaid = []
    for bill in sorted_bills(bills.values()):
        mine = [c for c in credit if c.kind == "prepaid" and c.currency == bill.currency]
        parts = [(c, part) for c, part in events.allocate(mine, bill.open)[0] if part > 0]
        if parts:
            prepaid.append(
                events.apply_prepaid_entry(
                    parts,
                    bill,
                    date=date,
                    entry_id=f"{prefix}onebox/prepaid",
                    period=str(month),
                    rates=rates,
                )
            )
    return applied, prepaid


def _entries(
    book: Book, c: Charge, due: object, rates: Rates, taken: Collection[str] = ()
) -> list[data.Transaction]:
    """The close's transactions of a charge: one per line (billing.Line), then the cost.
    `taken`: the invoice ids the month's sales took (`dated_invoice_id`)."""
    contract, month = c.contract, c.month
    out = [
        line_entry(book, contract, month, line, rates, date=month.last, prefix=id_prefix(month),
                   taken=taken)
        for line in c.lines
    ]  # fmt: skip
    if c.cost and c.cost_currency:
        operating = rates.operating
        bill = bill_id(month)
        lot = rates.lot(c.cost_currency, month.last, f"bill {bill}")
        postings = [
            beans.posting(
                beans.cost_account(contract.stream), money.in_operating(c.cost, lot), operating
            ),
            beans.posting(beans.PAYABLE, -c.cost, c.cost_currency, lot=lot),
        ]
        out.append(
            beans.transaction(
                month.last,
                "OneBox",
                f"{contract.stream.capitalize()}: {c.describe_cost} for {contract.id},"
                f" {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/cost",
                 **beans.meta(customer=contract.customer, contract=contract.id,
                              period=str(month)),
                 "bill": bill, "due": due},
                [*postings, *money.balancing(postings, operating)],
            )
        )  # fmt: skip
    return out


def line_entry(
    book: Book,
    contract: Contract,
    month: Month,
    line: Line,
    rates: Rates,
    *,
    date: datetime.date,
    prefix: str,
    taken: Collection[str] = (),
    invoice: str | None = None,
) -> data.Transaction:
    """One line of a contract's month as a transaction dated `date` (or the line's own date:
    an annual invoice on the day it bills from, on its own invoice, `dated_invoice_id`), id
    `<prefix><contract>/<suffix>`. A foreign amount is held at its invoice's rate: on the
    receivable, the invoice's; on Deferred-Revenue, the invoice that deferred it (an annual
    year's anniversary invoice, a change's)."""
    date = line.date or date
    customer = book.customers[contract.customer]
    cur = contract.currency
    operating = rates.operating
    receivable = beans.receivable_account(contract.customer)
    deferred = beans.deferred_account(contract.customer)
    income = beans.income_account(contract.stream)
    if invoice is None:  # `invoice`: the advance invoice's (advance_invoice_ids)
        invoice = (
            invoice_id(contract.customer, month)
            if line.date is None
            else dated_invoice_id(contract.customer, line.date, taken)
        )
    entry_id = f"{prefix}{contract.id}/{line.suffix}"
    meta: dict[str, object] = {
        "id": entry_id,
        **beans.meta(customer=contract.customer, contract=contract.id, period=str(month)),
    }
    if line.kind == "invoice":
        lot = rates.lot(cur, date, f"invoice {invoice}")
        credit = deferred if line.deferred else income
        # a foreign amount leaves Deferred-Revenue at the rate it was recognised at: an
        # advance month's adjustment (or last settlement) at the rate of that month's
        # advance invoice, the one its service was recognised against
        carried = lot
        if lot is not None and contract.advance and line.suffix in ("adjust", "settle"):
            served = month.prev() if line.suffix == "adjust" else month
            carried = rates.lot(cur, served.first, f"the advance invoice of {served}")
        postings = [
            beans.posting(receivable, line.amount, cur, lot=lot),
            beans.posting(credit, -money.in_operating(line.amount, lot), operating)
            if credit == income or lot is None
            else beans.posting(credit, -line.amount, cur, lot=carried),
        ]
        meta["invoice"] = invoice
        meta["due"] = date + datetime.timedelta(days=customer.payment)
        vat = taxes.treatment(book, customer, date)
        if vat is not None:
            meta.update(vat.meta())
    else:
        # the rate of the invoice that deferred it: an anniversary's (or a change's) invoice
        # on its day; an advance month's invoice on its first day
        issued = line.year or (month.first if contract.advance else date)
        if line.year and line.rules_1:  # rules 1: the invoice of the anniversary's month end
            issued = Month.of(line.year).last
        source = (
            _deferring_invoice(customer.id, issued, line.rules_1)
            if line.year
            else f"the advance invoice of {month}"
            if contract.advance
            else invoice_id(contract.customer, month)
        )
        lot = rates.lot(cur, issued, f"invoice {source}")
        parts = [(line.amount, lot)]
        if lot is not None and line.parts:
            parts = [
                (
                    amount,
                    rates.lot(
                        cur,
                        billed,
                        f"invoice {_deferring_invoice(customer.id, billed, line.rules_1)}",
                    ),
                )
                for amount, billed in line.parts
            ]
        postings = [beans.posting(deferred, amount, cur, lot=at) for amount, at in parts]
        if line.kind == "recognise":
            postings += [
                beans.posting(income, -money.in_operating(amount, at), operating)
                for amount, at in parts
            ]
        else:  # credit: what was paid for and will not be served is the customer's
            # with the VAT its invoice charged on it (taxes: a credit is a correction)
            vat = taxes.treatment(book, customer, issued if line.year else date)
            tax = taxes.of_net(line.amount, vat.rate) if vat and vat.rate is not None else ZERO
            if vat is not None:
                meta.update(vat.meta())
            if tax:
                postings.append(
                    beans.posting(taxes.VAT_OUTPUT, money.in_operating(tax, lot), operating)
                )
            postings.append(
                beans.posting(beans.credit_account(contract.customer), -(line.amount + tax), cur,
                              {"credit": entry_id}, lot=lot)
            )  # fmt: skip
    return beans.transaction(
        date,
        customer.name,
        f"{contract.stream.capitalize()}: {line.describe}, {month.label()}",
        meta,
        [*postings, *money.balancing(postings, operating)],
    )


def _deferring_invoice(customer: str, date: datetime.date, rules_1: bool) -> str:
    """The id of the invoice dated `date` that deferred an annual amount: the customer's
    invoice of the day, or, a year invoiced by rules 1 (model.rules_1_years), the month's."""
    return invoice_id(customer, Month.of(date)) if rules_1 else dated_invoice_id(customer, date)


def seal_meta(summary: Summary, previous: str) -> dict[str, object]:
    return beans.meta(boxes=Decimal(summary.boxes), rate=summary.rate, previous=previous)


def seal_entry(month: Month, digest: str, meta: dict[str, object]) -> data.Custom:
    return beans.custom(month.last, seals.SEAL, [str(month), digest], meta)


def month_transactions(entries: Sequence[data.Directive], month: Month) -> list[data.Transaction]:
    return [
        e
        for e in entries
        if isinstance(e, data.Transaction) and month.first <= e.date <= month.last
    ]


def close_month(
    book: Book,
    month: Month,
    dated: Sequence[data.Directive],
    *,
    previous: str,
    currency: str,
    rates: Rates,
    credit_entries: Sequence[data.Transaction] = (),
    before: Sequence[data.Directive] = (),
    opened: Collection[str] | None = None,
    open_date: datetime.date | None = None,
    agents: Agents | None = None,
    receivables: Sequence[data.Transaction] = (),
    history: Sequence[data.Transaction] = (),
    banks: Collection[str] = (),
    sums: month_end.Sums | None = None,
    canon: Callable[[data.Directive], str] = seals.canonical,
) -> CloseResult:
    """Close `month` given every entry dated in it (parsed, unbooked, from any file).

    `previous` is the digest of the seal before (seals.FIRST for the first one),
    `currency` the operating currency the seal covers, `rates` the ledger's
    exchange rates, `credit_entries` every transaction touching customer credit or
    OneBox prepaid (whatever its date: `carried` takes what counts), and `before`
    what the first seal also covers (entries dated before the month). When the
    month's advance invoices were not issued (``onebox-ledger invoice``), the
    close issues them first. `opened`: the accounts already open; the close opens
    the others it posts to on `open_date` (the result's `opens`, for the accounts
    file; its seal covers them). None: every account is taken as open. `history`: every
    transaction that month_end.concerns (whatever its date), `banks` the bank accounts;
    the close's month-end entries come from them (`with_month_end`); with `sums`
    (month_end.Sums), history's sums and `history` the entries after them, sorted by date.
    `canon`: how the seal's digest renders an entry (seals.canonical; a seals.Canon remembers
    it for the write's checks). Raises CloseError when the month's usage is
    malformed or its entries hold generated entries that no longer match the
    contracts (drift), BillingError when the terms cannot price it, MoneyError
    when a foreign amount has no rate.
    """
    dated = [e for e in dated if month.first <= e.date <= month.last]
    usage, usage_errors = parse_usage(dated, month)
    found, seal_errors = seals.parse(dated)
    problems: list[ModelError | seals.Finding] = [*usage_errors, *seal_errors]
    if problems:
        raise CloseError(_located(problems[0]))
    prefix = id_prefix(month)
    txns = month_transactions(dated, month)
    existing = [e for e in txns if (beans.entry_id(e) or "").startswith(prefix)]
    issued = [e for e in txns if (beans.entry_id(e) or "").startswith(invoice_prefix(month))]
    invoices = invoice_month(
        book, month, rates, carried(credit_entries, month, invoicing=True), written=txns
    )
    new_invoices = [] if issued else invoices
    credit = carried([*credit_entries, *new_invoices], month)
    older = older_invoices([*receivables, *new_invoices], month, credit)
    fresh, summary = generate(
        book, month, usage, rates, credit, agents=agents, sold=_sales(txns), older=older,
        reserved=_invoice_ids(invoices),
    )  # fmt: skip
    summary = with_sales(summary, txns, rates)
    summary = replace(
        summary,
        single_tax=_totals(txns, lambda a: a == taxes.SINGLE_TAX).get(rates.operating, ZERO),
        bad_debt=_totals(txns, lambda a: a == beans.BAD_DEBT).get(rates.operating, ZERO),
    )
    seal = found.get(month)
    if seal is None:
        if existing:
            raise CloseError(
                f"{month} is not sealed but its file already holds generated entries"
                f" ({beans.entry_id(existing[0])}); remove them or restore the file from git"
            )
        if issued:
            _check_drift(month, invoice_lines(issued), invoice_lines(invoices),
                         "the month's advance invoices no longer match the contracts")  # fmt: skip
        fresh = with_month_end(book, month, [*new_invoices, *fresh], rates, history, banks, sums)
        opens = events.opens(fresh, opened, open_date or month.first) if opened is not None else []
        meta = seal_meta(summary, previous)
        digest = seals.digest(
            month, previous, currency, meta, [*dated, *before, *opens, *fresh], canon
        )
        return CloseResult(month, [*fresh, seal_entry(month, digest, meta)], summary, False, opens)
    fresh = with_month_end(book, month, fresh, rates, history, banks, sums)
    _check_drift(month, [*invoice_lines(issued), *existing], [*invoice_lines(invoices), *fresh])
    if seal.previous != previous:
        raise CloseError(
            f"{month} is sealed but its seal does not follow the seal before it;"
            " run 'onebox-ledger verify' to see why"
        )
    meta = seals.seal_meta(seal.entry)
    if seals.digest(month, previous, currency, meta, [*dated, *before], canon) != seal.digest:
        raise CloseError(
            f"{month} is sealed but what its seal covers changed since (digest mismatch);"
            " run 'onebox-ledger verify' to see the drift"
        )
    return CloseResult(month, [], summary, True)


def with_month_end(
    book: Book,
    month: Month,
    fresh: Sequence[data.Transaction],
    rates: Rates,
    history: Sequence[data.Transaction],
    banks: Collection[str],
    before: month_end.Sums | None = None,
) -> list[data.Transaction]:
    """The close's `fresh` entries with its month-end entries (month_end.month_end: the month
    before's reversed, the revaluation, the contract assets), worked out from `history` and
    `fresh` (and `before`, see month_end.Sums), the one place both the close and `diff_month`
    get them; the reversals first, then by date (an annual invoice dated its day before the
    month's last), as the file holds them."""
    reversed_, end = month_end.month_end(book, month, history, fresh, rates, banks, before)
    return sorted([*reversed_, *fresh, *end], key=lambda e: e.date)


def _check_drift(
    month: Month,
    existing: list[data.Transaction],
    fresh: list[data.Transaction],
    what: str = "is sealed but the contracts now give a different close",
) -> None:
    written = {beans.entry_id(e): beans.format_entry(e) for e in existing}
    expected = {beans.entry_id(e): beans.format_entry(e) for e in fresh}
    if written != expected:
        changed = sorted(k or "" for k in set(written) ^ set(expected)) or sorted(
            k or "" for k in expected if written.get(k) != expected[k]
        )
        raise CloseError(
            f"{month} {what} (first difference: {changed[0]}); run 'onebox-ledger verify' to"
            " see the drift"
        )


def diff_month(
    book: Book,
    month: Month,
    month_entries: Sequence[data.Directive],
    rates: Rates,
    credit_entries: Sequence[data.Transaction] = (),
    agents: Agents | None = None,
    receivables: Sequence[data.Transaction] = (),
    history: Sequence[data.Transaction] = (),
    banks: Collection[str] = (),
    before: month_end.Sums | None = None,
) -> list[str]:
    """For verify: unified-diff lines between the generated entries written (the close's and
    the month's advance invoices) and those the contracts give. The credit applied to the
    advance invoices when they were issued is taken as written (`is_credit_applied`).
    `receivables`: every transaction posting to a receivable (`older_invoices`); `history` and
    `banks` as for `close_month` (the month-end entries); `before`: history's sums carried
    from month to month (month_end.Sums), `history` then sorted by date."""
    usage, _ = parse_usage(month_entries, month)
    txns = month_transactions(month_entries, month)
    invoices = invoice_month(
        book, month, rates, carried(credit_entries, month, invoicing=True), written=txns
    )
    credit = carried(credit_entries, month)
    fresh, _ = generate(
        book, month, usage, rates, credit, agents=agents, sold=_sales(txns),
        older=older_invoices(receivables, month, credit), reserved=_invoice_ids(invoices),
    )  # fmt: skip
    fresh = with_month_end(book, month, fresh, rates, history, banks, before)
    prefixes = (id_prefix(month), invoice_prefix(month))
    written = sorted(
        (
            e
            for e in month_transactions(month_entries, month)
            if (beans.entry_id(e) or "").startswith(prefixes)
        ),
        key=lambda e: beans.entry_id(e) or "",
    )
    applied = [e for e in written if is_credit_applied(e)]
    expected = sorted(
        [*invoice_lines(invoices), *applied, *fresh], key=lambda e: beans.entry_id(e) or ""
    )
    if [beans.identity(e, rates_by_value=True) for e in written] == [
        beans.identity(e, rates_by_value=True) for e in expected
    ]:
        return []  # the common case, without printing a month of entries
    return list(
        difflib.unified_diff(
            beans.format_entries(written).splitlines(),
            beans.format_entries(expected).splitlines(),
            f"{month} as written",
            f"{month} as the contracts give it",
            lineterm="",
        )
    )


def _located(err: ModelError | seals.Finding) -> str:
    meta = err.source or {}
    where = f"{meta.get('filename', '<ledger>')}:{meta.get('lineno', 0)}"
    return f"{where}: {err.message}"
