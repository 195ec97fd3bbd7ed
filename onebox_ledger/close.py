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
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from . import beans, seals
from .billing import Charge, charge, due_date, month_rate
from .model import Book, ModelError, parse_usage
from .values import ZERO, Month


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
    invoiced: Decimal = ZERO
    recognised: Decimal = ZERO
    cost: Decimal = ZERO


@dataclass(frozen=True)
class Summary:
    month: Month
    boxes: int
    rate: Decimal | None
    # (stream, currency) -> totals; costs are counted in the item's currency
    streams: dict[tuple[str, str], StreamTotals] = field(default_factory=dict)
    bill: dict[str, Decimal] = field(default_factory=dict)  # currency -> total billed by OneBox
    due: object = None  # date the OneBox bill is due


@dataclass(frozen=True)
class CloseResult:
    month: Month
    entries: list[data.Directive]  # generated transactions then the seal
    summary: Summary
    already_closed: bool  # True: M was sealed and nothing changed


def generate(
    book: Book, month: Month, usage: dict[str, Decimal]
) -> tuple[list[data.Transaction], Summary]:
    """The generated transactions of `month`, in a stable order, with their summary."""
    boxes, rate = month_rate(book, month)
    summary = Summary(month, boxes, rate)
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
    txns: list[data.Transaction] = []
    for c in charges:
        txns.extend(_entries(book, c, due))
        totals = summary.streams.setdefault(
            (c.contract.stream, c.contract.currency), StreamTotals()
        )
        totals.invoiced += c.invoiced
        totals.recognised += c.recognised
        if c.cost and c.cost_currency:
            key = (c.contract.stream, c.cost_currency)
            summary.streams.setdefault(key, StreamTotals()).cost += c.cost
            summary.bill[c.cost_currency] = summary.bill.get(c.cost_currency, ZERO) + c.cost
    return txns, Summary(month, boxes, rate, summary.streams, summary.bill, due)


def _entries(book: Book, c: Charge, due: object) -> list[data.Transaction]:
    contract, month = c.contract, c.month
    customer = book.customers[contract.customer]
    cur = contract.currency
    stream = contract.stream
    label = f"{stream.capitalize()}: "
    base = beans.meta(customer=contract.customer, contract=contract.id, period=str(month))
    receivable = beans.receivable_account(contract.customer)
    deferred = beans.deferred_account(contract.customer)
    income = beans.income_account(stream)
    out = []
    if c.invoiced:
        credit = deferred if c.deferred else income
        out.append(
            beans.transaction(
                month.last,
                customer.name,
                f"{label}{c.describe}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/invoice", **base,
                 "invoice": invoice_id(contract.customer, month),
                 "due": month.last + datetime.timedelta(days=customer.payment)},
                [beans.posting(receivable, c.invoiced, cur), beans.posting(credit, -c.invoiced, cur)],
            )
        )  # fmt: skip
    if contract.billing == "annual" and c.recognised:
        out.append(
            beans.transaction(
                month.last,
                customer.name,
                f"{label}recognised {c.describe}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/recognise", **base},
                [beans.posting(deferred, c.recognised, cur), beans.posting(income, -c.recognised, cur)],
            )
        )  # fmt: skip
    if c.cost and c.cost_currency:
        out.append(
            beans.transaction(
                month.last,
                "OneBox",
                f"{label}{c.describe_cost}, {month.label()}",
                {"id": f"{id_prefix(month)}{contract.id}/cost", **base,
                 "bill": bill_id(month), "due": due},
                [beans.posting(beans.cost_account(stream), c.cost, c.cost_currency),
                 beans.posting(beans.PAYABLE, -c.cost, c.cost_currency)],
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
    before: Sequence[data.Directive] = (),
) -> CloseResult:
    """Close `month` given every entry dated in it (parsed, unbooked, from any file).

    `previous` is the digest of the seal before (seals.FIRST for the first one),
    `currency` the operating currency and `before` what the first seal also
    covers (entries dated before the month). Raises CloseError when the month's
    usage is malformed or its entries hold generated entries that no longer match
    the contracts (drift), BillingError when the terms cannot price it.
    """
    dated = [e for e in dated if month.first <= e.date <= month.last]
    usage, usage_errors = parse_usage(dated, month)
    found, seal_errors = seals.parse(dated)
    problems: list[ModelError | seals.Finding] = [*usage_errors, *seal_errors]
    if problems:
        raise CloseError(_located(problems[0]))
    fresh, summary = generate(book, month, usage)
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
        meta = seal_meta(summary, previous)
        digest = seals.digest(month, previous, currency, meta, [*dated, *before, *fresh])
        return CloseResult(month, [*fresh, seal_entry(month, digest, meta)], summary, False)
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


def diff_month(book: Book, month: Month, month_entries: Sequence[data.Directive]) -> list[str]:
    """For verify: unified-diff lines between the generated entries written and those expected."""
    import difflib

    usage, _ = parse_usage(month_entries, month)
    fresh, _ = generate(book, month, usage)
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
