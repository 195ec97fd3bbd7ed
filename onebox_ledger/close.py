"""A month's close as a list of entries plus its seal. Pure and history-independent.

Input: the Book (terms, customers, contracts), the month M, and the entries
dated in M, wherever they live (money events already recorded in M, metered
usage of M, and, when M was closed before, its generated entries and seal),
plus the previous seal's digest. Nothing else: the close of month 60 reads no
more than the close of month 2.

Output for each contract active in M, all dated M's last day::

    2026-11-30 * "Acme Realty" "Cloud: 5 x 25.00 USD, November 2026"
      id: "close/2026-11/acme-cloud/invoice"
      customer: "acme"
      contract: "acme-cloud"
      period: "2026-11"
      invoice: "inv-2026-11-acme"
      Assets:Receivable:Acme  125.00 USD
      Income:Cloud           -125.00 USD

    2026-11-30 * "OneBox" "Cloud: 5 x cloud-user at 25.00 USD x 65% of list, November 2026"
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
an anniversary their ``/invoice`` credits Deferred-Revenue instead of Income.
Invoices of one customer and month share ``invoice:``; all costs of a month
share ``bill:`` (one OneBox bill per month). The ids make the close idempotent:
closing M again regenerates the same entries and compares them.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from . import beans, events, money, seals
from .billing import Charge, annual_year, charge, due_date, month_rate
from .model import Book, ModelError, parse_usage
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
CREDIT_PREFIX = beans.CREDIT + ":"


class CloseError(Exception):
    """The month cannot be closed as asked; the message is one line."""


def invoice_id(customer: str, month: Month) -> str:
    return f"inv-{month}-{customer}"


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
    credit: Decimal = ZERO  # customer credit applied to this month's invoices (in their currency)
    prepaid: Decimal = ZERO  # OneBox prepaid applied to this month's bill


@dataclass(frozen=True)
class CloseResult:
    month: Month
    entries: list[data.Directive]  # generated transactions then the seal
    summary: Summary
    already_closed: bool  # True: M was sealed and nothing changed
    opens: list[data.Open] = field(default_factory=list)  # accounts first posted to (static file)


def carried(entries: Iterable[data.Directive], month: Month) -> list[OpenItem]:
    """Customer credit and OneBox prepaid open at the end of `month`, oldest first, before its
    close applies them: from the entries dated in or before it, but the close's own."""
    prefix = id_prefix(month)
    items: dict[str, OpenItem] = {}
    for entry in entries:
        if (
            isinstance(entry, data.Transaction)
            and entry.date <= month.last
            and not (beans.entry_id(entry) or "").startswith(prefix)
        ):
            apply_credits(items, entry)
    return [item for item in sorted_invoices(items.values()) if item.open > 0]


def generate(
    book: Book,
    month: Month,
    usage: dict[str, Decimal],
    rates: Rates,
    credit: Sequence[OpenItem] = (),
) -> tuple[list[data.Transaction], Summary]:
    """The generated transactions of `month`, in a stable order, with their summary.

    `credit`: the customer credit and OneBox prepaid open before the close
    (`carried`); each customer's credit pays its new invoice, prepaid pays the
    new bill, oldest first. Raises MoneyError when a foreign amount has no rate.
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
    for c in charges:
        made = _entries(book, c, due, rates)
        txns.extend(made)
        totals = streams.setdefault(c.contract.stream, StreamTotals())
        for txn in made:
            for post in txn.postings:
                value = money.weight(post, rates.operating)
                if post.account.startswith(RECEIVABLE_PREFIX):
                    totals.invoiced += value
                elif post.account.startswith("Income:"):
                    totals.recognised -= value
                elif post.account.startswith(COST_PREFIX):
                    totals.cost += value
        if c.cost and c.cost_currency:
            bill[c.cost_currency] = bill.get(c.cost_currency, ZERO) + c.cost
    applied, prepaid = _apply(book, month, txns, rates, credit)
    summary = Summary(
        month, boxes, rate, rates.operating, streams, bill, due,
        sum((_total(t, CREDIT_PREFIX) for t in applied), ZERO),
        sum((_total(t, beans.PAYABLE) for t in prepaid), ZERO),
    )  # fmt: skip
    return [*txns, *applied, *prepaid], summary


def _total(txn: data.Transaction, prefix: str) -> Decimal:
    return sum((beans.units(p)[0] for p in txn.postings if p.account.startswith(prefix)), ZERO)


def _apply(
    book: Book,
    month: Month,
    txns: Sequence[data.Transaction],
    rates: Rates,
    credit: Sequence[OpenItem],
) -> tuple[list[data.Transaction], list[data.Transaction]]:
    """Credit on each customer's new invoice, prepaid on the new bill (oldest first)."""
    invoices: dict[str, OpenItem] = {}
    bills: dict[str, OpenItem] = {}
    for txn in txns:
        apply_invoices(invoices, txn)
        apply_bills(bills, txn)
    applied = []
    for invoice in sorted_invoices(invoices.values()):
        mine = [
            c
            for c in credit
            if c.kind == "credit" and c.customer == invoice.customer
            and c.currency == invoice.currency
        ]  # fmt: skip
        parts = [(c, part) for c, part in events.allocate(mine, invoice.open)[0] if part > 0]
        if not parts:
            continue
        who = book.customers[str(invoice.customer)]
        applied.append(
            events.apply_credit_entry(
                who,
                parts,
                invoice,
                date=month.last,
                entry_id=f"{id_prefix(month)}{who.id}/credit",
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
                    date=month.last,
                    entry_id=f"{id_prefix(month)}onebox/prepaid",
                    period=str(month),
                    rates=rates,
                )
            )
    return applied, prepaid


def _entries(book: Book, c: Charge, due: object, rates: Rates) -> list[data.Transaction]:
    contract, month = c.contract, c.month
    customer = book.customers[contract.customer]
    cur = contract.currency
    stream = contract.stream
    label = f"{stream.capitalize()}: "
    base = beans.meta(customer=contract.customer, contract=contract.id, period=str(month))
    receivable = beans.receivable_account(contract.customer)
    deferred = beans.deferred_account(contract.customer)
    income = beans.income_account(stream)
    operating = rates.operating
    invoice = invoice_id(contract.customer, month)
    out = []
    if c.invoiced:
        lot = rates.lot(cur, month.last, invoice, f"invoice {invoice}")
        credit = deferred if c.deferred else income
        postings = [
            beans.posting(receivable, c.invoiced, cur, lot=lot),
            beans.posting(credit, -money.in_operating(c.invoiced, lot), operating)
            if credit == income or lot is None
            else beans.posting(credit, -c.invoiced, cur, lot=lot),
        ]
        out.append(
            beans.transaction(
                month.last,
                customer.name,
                f"{label}{c.describe}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/invoice", **base,
                 "invoice": invoice,
                 "due": month.last + datetime.timedelta(days=customer.payment)},
                [*postings, *money.balancing(postings, operating)],
            )
        )  # fmt: skip
    if contract.billing == "annual" and c.recognised:
        year = annual_year(contract, month)
        assert year is not None
        opened = Month.of(year[0])
        lot = rates.lot(cur, opened.last, invoice_id(contract.customer, opened),
                        f"invoice {invoice_id(contract.customer, opened)}")  # fmt: skip
        postings = [
            beans.posting(deferred, c.recognised, cur, lot=lot),
            beans.posting(income, -money.in_operating(c.recognised, lot), operating),
        ]
        out.append(
            beans.transaction(
                month.last,
                customer.name,
                f"{label}recognised {c.describe}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/recognise", **base},
                [*postings, *money.balancing(postings, operating)],
            )
        )  # fmt: skip
    if c.cost and c.cost_currency:
        bill = bill_id(month)
        lot = rates.lot(c.cost_currency, month.last, bill, f"bill {bill}")
        postings = [
            beans.posting(beans.cost_account(stream), money.in_operating(c.cost, lot), operating),
            beans.posting(beans.PAYABLE, -c.cost, c.cost_currency, lot=lot),
        ]
        out.append(
            beans.transaction(
                month.last,
                "OneBox",
                f"{label}{c.describe_cost}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/cost", **base,
                 "bill": bill, "due": due},
                [*postings, *money.balancing(postings, operating)],
            )
        )  # fmt: skip
    return out


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
    credit: Sequence[OpenItem] = (),
    before: Sequence[data.Directive] = (),
    opened: Collection[str] | None = None,
    open_date: datetime.date | None = None,
) -> CloseResult:
    """Close `month` given every entry dated in it (parsed, unbooked, from any file).

    `previous` is the digest of the seal before (seals.FIRST for the first one),
    `currency` the operating currency the seal covers, `rates` the ledger's
    exchange rates, `credit` the customer credit and OneBox prepaid open before
    the close (`carried`), and `before` what the first seal also covers (entries
    dated before the month). `opened`: the accounts already open; the close opens
    the others it posts to on `open_date` (the result's `opens`, for the accounts
    file; its seal covers them). None: every account is taken as open. Raises CloseError when the month's usage is
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
    fresh, summary = generate(book, month, usage, rates, credit)
    prefix = id_prefix(month)
    existing = [
        e for e in month_transactions(dated, month) if (beans.entry_id(e) or "").startswith(prefix)
    ]
    seal = found.get(month)
    if seal is None:
        if existing:
            raise CloseError(
                f"{month} is not sealed but its file already holds generated entries"
                f" ({beans.entry_id(existing[0])}); remove them or restore the file from git"
            )
        opens = events.opens(fresh, opened, open_date or month.first) if opened is not None else []
        meta = seal_meta(summary, previous)
        digest = seals.digest(month, previous, currency, meta, [*dated, *before, *opens, *fresh])
        return CloseResult(month, [*fresh, seal_entry(month, digest, meta)], summary, False, opens)
    _check_drift(month, existing, fresh)
    if seal.previous != previous:
        raise CloseError(
            f"{month} is sealed but its seal does not follow the seal before it;"
            " run 'onebox-ledger verify' to see why"
        )
    meta = seals.seal_meta(seal.entry)
    if seals.digest(month, previous, currency, meta, [*dated, *before]) != seal.digest:
        raise CloseError(
            f"{month} is sealed but what its seal covers changed since (digest mismatch);"
            " run 'onebox-ledger verify' to see the drift"
        )
    return CloseResult(month, [], summary, True)


def _check_drift(
    month: Month, existing: list[data.Transaction], fresh: list[data.Transaction]
) -> None:
    written = {beans.entry_id(e): beans.format_entry(e) for e in existing}
    expected = {beans.entry_id(e): beans.format_entry(e) for e in fresh}
    if written != expected:
        changed = sorted(k or "" for k in set(written) ^ set(expected)) or sorted(
            k or "" for k in expected if written.get(k) != expected[k]
        )
        raise CloseError(
            f"{month} is sealed but the contracts now give a different close"
            f" (first difference: {changed[0]}); run 'onebox-ledger verify' to see the drift"
        )


def diff_month(
    book: Book,
    month: Month,
    month_entries: Sequence[data.Directive],
    rates: Rates,
    credit: Sequence[OpenItem] = (),
) -> list[str]:
    """For verify: unified-diff lines between the generated entries written and those expected."""
    usage, _ = parse_usage(month_entries, month)
    fresh, _ = generate(book, month, usage, rates, credit)
    prefix = id_prefix(month)
    written = sorted(
        (
            e
            for e in month_transactions(month_entries, month)
            if (beans.entry_id(e) or "").startswith(prefix)
        ),
        key=lambda e: beans.entry_id(e) or "",
    )
    expected = sorted(fresh, key=lambda e: beans.entry_id(e) or "")
    if [beans.identity(e) for e in written] == [beans.identity(e) for e in expected]:
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
