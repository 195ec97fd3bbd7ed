"""Taxes: the VAT an invoice carries, the VAT on OneBox's bills, and a Ukrainian FOP's single tax.

The partner's regime is a dated ``onebox-partner`` directive (model.Partner): ``vat``,
``ua-single-tax`` or ``none``. Nothing here runs under ``none``, so books without a partner
directive are written exactly as before.

**VAT** (``tax: "vat"``). A customer's treatment on a date (:func:`treatment`): the latest
``onebox-customer-tax``, else the customer's own ``tax:``, else what its country and VAT id give
against the partner's: the partner's country (or none given) -> ``standard``; another EU state
with a VAT id -> ``reverse-charge``; another EU state without one (a consumer) -> ``standard``;
outside the EU -> ``exempt`` (export of services). ``standard`` charges the partner's country's
rate in force on the invoice date (``onebox-vat``); a missing rate refuses the close.

Every line of an invoice carries ``vat:`` (and ``vat-rate:``, or ``vat-id:`` under reverse
charge). The VAT itself is one entry per invoice and issue, computed on the sum of the invoice's
lines and rounded once (EN 16931: per VAT category and rate, on the invoice's net total)::

    2026-11-30 * "Berlin Immo GmbH" "VAT 19% on inv-2026-11-berlin-immo (net 125.00 EUR)"
      id: "close/2026-11/berlin-immo/vat"
      customer: "berlin-immo"
      invoice: "inv-2026-11-berlin-immo"
      vat: "standard"
      vat-rate: 19
      net: 125.00 EUR
      Assets:Receivable:Berlin-Immo   23.75 EUR
      Liabilities:VAT:Output         -23.75 EUR

so the receivable is gross (148.75), income net (125.00), and a payment settles the gross. A
credit note returns the VAT of its net amount at the invoice's rate; a write-off relieves the VAT
share of what it writes off (bad-debt relief). OneBox's bill with VAT (``onebox-bill-vat``) books
``Assets:VAT:Input`` on the bill's net total, once per bill.

**The single tax** (``tax: "ua-single-tax"``, ``rate: 5``): each customer receipt accrues
rate% of the money received, in the operating currency (UAH) at the day's rate, to
``Expenses:Tax:Single`` against ``Liabilities:Tax:Single``; a refund gives its share back. Its
payment is a bank row (a rule naming ``Liabilities:Tax:Single``) or ``tax pay``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, money
from .model import Book, Customer
from .values import EU_COUNTRIES, ZERO, round_money, show_money

VAT_OUTPUT = "Liabilities:VAT:Output"
VAT_INPUT = "Assets:VAT:Input"
SINGLE_TAX = "Expenses:Tax:Single"
SINGLE_TAX_OWED = "Liabilities:Tax:Single"
HUNDRED = Decimal(100)


class TaxError(money.MoneyError):
    """A VAT rate is missing for a date; the message is one line (caught wherever a missing
    exchange rate is)."""


@dataclass(frozen=True)
class Treatment:
    """A customer's VAT on a date: `kind` (model.TREATMENTS), the percent charged (standard),
    and the customer's VAT id (printed on a reverse-charge invoice, listed in the EC sales
    list)."""

    kind: str
    rate: Decimal | None = None
    vat_id: str | None = None

    def meta(self) -> dict[str, Any]:
        """What an invoice line, credit note or write-off carries: ``vat:``, and ``vat-rate:``
        or ``vat-id:``."""
        return beans.meta(
            vat=self.kind,
            **{"vat-rate": self.rate if self.kind == "standard" else None,
               "vat-id": self.vat_id if self.kind == "reverse-charge" else None},
        )  # fmt: skip


def default_kind(partner_country: str, customer: Customer) -> str:
    """The treatment a customer's country and VAT id give against the partner's country."""
    country = customer.country or partner_country
    if country == partner_country:
        return "standard"
    if country in EU_COUNTRIES:
        return "reverse-charge" if customer.vat_id else "standard"
    return "exempt"


def treatment(book: Book, customer: Customer, date: datetime.date) -> Treatment | None:
    """The customer's VAT on `date`, or None when the partner charges no VAT then. Raises
    TaxError when the standard rate of the partner's country is missing for the date."""
    partner = book.partner(date)
    if partner is None or partner.tax != "vat":
        return None
    kind = (
        book.customer_tax(customer.id, date)
        or customer.tax
        or default_kind(partner.country, customer)
    )
    if kind != "standard":
        return Treatment(kind, None, customer.vat_id)
    rate = book.vat_rate(partner.country, date)
    if rate is None:
        raise TaxError(
            f"no VAT rate for {partner.country} on {date}; record it with: onebox-ledger terms vat"
            f" {partner.country} PERCENT --date {date}"
        )
    return Treatment(kind, rate, customer.vat_id)


def single_tax_rate(book: Book, date: datetime.date) -> Decimal | None:
    """The single tax's percent of money received on `date`, or None under another regime."""
    partner = book.partner(date)
    return partner.rate if partner is not None and partner.tax == "ua-single-tax" else None


def bill_vat_rate(book: Book, date: datetime.date) -> Decimal | None:
    """The VAT OneBox charges on a bill dated `date`, when the partner is VAT-registered (a
    partner outside VAT cannot reclaim it: OneBox's VAT is then part of the cost)."""
    partner = book.partner(date)
    if partner is None or partner.tax != "vat":
        return None
    rate = book.bill_vat_rate(date)
    return rate if rate else None


def of_net(net: Decimal, rate: Decimal) -> Decimal:
    """The VAT on a net amount, rounded once: 125.00 at 19% -> 23.75."""
    return round_money(net * rate / HUNDRED)


def in_gross(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a gross amount, rounded once: 148.75 at 19% -> 23.75."""
    return round_money(gross * rate / (HUNDRED + rate))


def percent(rate: Decimal) -> str:
    """19 -> '19%', 7.7 -> '7.7%'."""
    return f"{rate.normalize():f}%"


def invoice_vat(
    txns: Iterable[data.Transaction],
    rates: money.Rates,
    *,
    prefix: str,
    entry_id: str | None = None,
) -> list[data.Transaction]:
    """The VAT entries of the invoices `txns` issue (lines carrying ``vat: "standard"``): one per
    invoice, dated and due as its lines, id ``<prefix><customer>/vat`` for the month's invoice
    (``inv-<period>-<customer>``), ``<prefix><customer>/vat/<invoice>`` for another (an annual
    invoice dated its day), or `entry_id`, for one invoice; the VAT of the lines' net sum at
    their rate, at the invoice's own exchange rate."""
    lines: dict[str, list[data.Transaction]] = {}
    for txn in txns:
        invoice = txn.meta.get("invoice")
        if isinstance(invoice, str) and txn.meta.get("vat") == "standard":
            lines.setdefault(invoice, []).append(txn)
    out = []
    for invoice, issued in lines.items():
        first = issued[0]
        customer = str(first.meta["customer"])
        rate = first.meta["vat-rate"]
        receivable = beans.receivable_account(customer)
        posts = [p for txn in issued for p in txn.postings if p.account == receivable]
        net = sum((beans.number(p.units) for p in posts), ZERO)
        vat = of_net(net, rate)
        if not vat:
            continue
        currency = beans.units(posts[0]).currency
        lot = beans.lot_of(posts[0])
        postings = [
            beans.posting(receivable, vat, currency, lot=lot),
            beans.posting(VAT_OUTPUT, -money.in_operating(vat, lot), rates.operating),
        ]
        out.append(
            beans.transaction(
                first.date, first.payee,
                f"VAT {percent(rate)} on {invoice} (net {show_money(net, currency)})",
                beans.meta(id=entry_id or _vat_id(prefix, customer, invoice, first),
                           customer=customer,
                           period=first.meta.get("period"), invoice=invoice,
                           due=first.meta.get("due"), vat="standard",
                           **{"vat-rate": rate}, net=Amount(net, currency)),
                [*postings, *money.balancing(postings, rates.operating)],
            )
        )  # fmt: skip
    return out


def _vat_id(prefix: str, customer: str, invoice: str, line: data.Transaction) -> str:
    # the month's invoice, or an advance invoice (``invoice/<month>/``: one a customer)
    monthly = invoice == f"inv-{line.meta.get('period')}-{customer}" or prefix.startswith(
        "invoice/"
    )
    return f"{prefix}{customer}/vat" + ("" if monthly else f"/{invoice}")


def bill_vat(
    book: Book, txns: Iterable[data.Transaction], rates: money.Rates, *, bill: str,
    date: datetime.date, entry_id: str,
) -> list[data.Transaction]:  # fmt: skip
    """OneBox's VAT on bill `bill`: `rate` (bill_vat_rate on `date`) of the net the `txns` accrue
    to it, as Assets:VAT:Input owed to OneBox on the same bill; [] without a rate."""
    rate = bill_vat_rate(book, date)
    if rate is None:
        return []
    posts = [
        (txn, p)
        for txn in txns
        for p in txn.postings
        if p.account == beans.PAYABLE
        and ((p.meta or {}).get("bill") or txn.meta.get("bill")) == bill
    ]
    if not posts:
        return []
    net = -sum((beans.number(p.units) for _, p in posts), ZERO)
    vat = of_net(net, rate)
    if not vat:
        return []
    first = posts[0][1]
    currency, lot = beans.units(first).currency, beans.lot_of(first)
    due = next((txn.meta["due"] for txn, _ in posts if "due" in txn.meta), None)
    postings = [
        beans.posting(VAT_INPUT, money.in_operating(vat, lot), rates.operating),
        beans.posting(beans.PAYABLE, -vat, currency, lot=lot),
    ]
    return [
        beans.transaction(
            date, "OneBox", f"VAT {percent(rate)} on {bill} (net {show_money(net, currency)})",
            beans.meta(id=entry_id, bill=bill, due=due, vat="standard", **{"vat-rate": rate},
                       net=Amount(net, currency)),
            [*postings, *money.balancing(postings, rates.operating)],
        )
    ]  # fmt: skip


def invoice_treatment(entries: Iterable[data.Transaction], invoice: str) -> dict[str, Any]:
    """The ``vat:``, ``vat-rate:`` and ``vat-id:`` an invoice's lines carry ({} when none)."""
    for entry in entries:
        if entry.meta.get("invoice") == invoice and isinstance(entry.meta.get("vat"), str):
            return {k: entry.meta[k] for k in ("vat", "vat-rate", "vat-id") if k in entry.meta}
    return {}


def bill_rate(entries: Iterable[data.Transaction], bill: str) -> Decimal | None:
    """The VAT rate OneBox charged on `bill` (its VAT entry's ``vat-rate:``), else None."""
    for entry in entries:
        rate = entry.meta.get("vat-rate")
        if entry.meta.get("bill") == bill and isinstance(rate, Decimal):
            return rate
    return None


def net_billed(entries: Iterable[data.Transaction], invoice: str) -> Decimal:
    """What an invoice billed before VAT: its receivable postings, its VAT entries left out."""
    total = ZERO
    for entry in entries:
        if entry.meta.get("invoice") != invoice or entry.meta.get("credit-note"):
            continue
        if any(p.account == VAT_OUTPUT for p in entry.postings):
            continue
        for post in entry.postings:
            if post.account.startswith(beans.RECEIVABLE + ":") and beans.number(post.units) > 0:
                total += beans.number(post.units)
    return total


def single_tax_of(received: Decimal, rate: Decimal) -> Decimal:
    """The single tax on money received, rounded once: 48,000.00 at 5% -> 2,400.00."""
    return round_money(received * rate / HUNDRED)


def received_in_operating(
    amount: Amount | tuple[Decimal, str], date: datetime.date, rates: money.Rates, what: str
) -> Decimal:
    """Money received (or given back) in the operating currency at the day's rate: the
    single tax's base."""
    as_amount = Amount(*amount)
    number, currency = beans.number(as_amount), as_amount.currency
    if currency == rates.operating:
        return number
    return round_money(number * rates.need(currency, date, what))


def with_single_tax(
    postings: Sequence[data.Posting], rate: Decimal | None, received: Decimal, operating: str,
    *, sign: int = 1,
) -> list[data.Posting]:  # fmt: skip
    """`postings` plus the single tax on `received` (operating currency), when `rate`."""
    if rate is None:
        return list(postings)
    tax = single_tax_of(received, rate) * sign
    if not tax:
        return list(postings)
    return [
        *postings,
        beans.posting(
            SINGLE_TAX,
            tax,
            operating,
            {"single-tax": rate, "received": Amount(received * sign, operating)},
        ),
        beans.posting(SINGLE_TAX_OWED, -tax, operating),
    ]


# ---------------------------------------------------------------- verify


def findings(
    book: Book, entries: Iterable[data.Directive], rates: money.Rates
) -> tuple[int, list[tuple[data.Transaction, str]]]:
    """Every VAT and single-tax amount re-derived from what it is computed on: (how many were
    checked, the entries whose amount differs, each with one line). verify runs it; the
    close's own entries are also re-derived whole by close.diff_month."""
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    checked = 0
    found: list[tuple[data.Transaction, str]] = []
    nets: dict[str, Decimal] = {}  # invoice -> the net its VAT entries state
    lines: dict[str, Decimal] = {}  # invoice -> its standard-rated lines' receivable
    line_rates: dict[str, Decimal] = {}
    for txn in txns:
        meta = txn.meta
        rate = meta.get("vat-rate")
        output = [p for p in txn.postings if p.account == VAT_OUTPUT]
        inputs = [p for p in txn.postings if p.account == VAT_INPUT]
        if meta.get("vat") == "standard" and isinstance(rate, Decimal):
            invoice = meta.get("invoice")
            net = meta.get("net")
            if isinstance(net, Amount) and (output or inputs):  # an invoice's or a bill's VAT
                checked += 1
                posts = output or inputs
                side = [p for p in txn.postings if p not in posts and not _balancing(p)]
                stated = abs(sum((beans.number(p.units) for p in side), ZERO))
                if stated != of_net(beans.number(net), rate):
                    found.append((txn, _wrong("VAT", stated, of_net(beans.number(net), rate),
                                              f"{percent(rate)} of {beans.number(net)}")))  # fmt: skip
                if isinstance(invoice, str):
                    nets[invoice] = nets.get(invoice, ZERO) + beans.number(net)
            elif meta.get("credit-note") and isinstance(meta.get("amount"), Amount):
                checked += 1
                _check_op(found, txn, output, of_net(beans.number(meta["amount"]), rate), rate)
            elif str(meta.get("id", "")).startswith("write-off/") and isinstance(
                meta.get("amount"), Amount
            ):
                checked += 1
                _check_op(found, txn, output, in_gross(beans.number(meta["amount"]), rate), rate)
            elif output and isinstance(meta.get("contract"), str):  # a contract's credit
                deferred = [p for p in txn.postings if p.account.startswith(beans.DEFERRED + ":")]
                if deferred:
                    checked += 1
                    net = sum((beans.number(p.units) for p in deferred), ZERO)
                    lot = beans.lot_of(deferred[0])
                    stated = sum((beans.number(p.units) for p in output), ZERO)
                    expected = money.in_operating(of_net(net, rate), lot)
                    if stated != expected:
                        found.append((txn, _wrong("VAT", stated, expected, f"{percent(rate)}")))
            elif isinstance(invoice, str) and not output:
                line_rates[invoice] = rate
                for post in txn.postings:
                    if post.account.startswith(beans.RECEIVABLE + ":"):
                        lines[invoice] = lines.get(invoice, ZERO) + beans.number(post.units)
        checked += _single_tax(book, txn, rates, found)
    for invoice, net in sorted(lines.items()):
        untaxed = invoice not in nets and not of_net(net, line_rates[invoice])
        if nets.get(invoice, ZERO) != net and not untaxed:
            first = next(t for t in txns if t.meta.get("invoice") == invoice)
            found.append(
                (first, f"invoice {invoice}: its VAT entries state a net of"
                        f" {nets.get(invoice, ZERO)}, its standard-rated lines bill {net}")
            )  # fmt: skip
    return checked, found


def _balancing(post: data.Posting) -> bool:
    return post.account in (beans.FX_GAINS, beans.FX_LOSSES, beans.ROUNDING)


def _wrong(what: str, stated: Decimal, expected: Decimal, basis: str) -> str:
    return f"{what} {stated} is not {expected} ({basis})"


def _check_op(
    found: list[tuple[data.Transaction, str]],
    txn: data.Transaction,
    output: Sequence[data.Posting],
    tax: Decimal,
    rate: Decimal,
) -> None:
    """A credit note's or write-off's VAT, in the invoice's currency at its rate (the
    receivable's price), against what Liabilities:VAT:Output holds."""
    receivable = next(
        (p for p in txn.postings if p.account.startswith(beans.RECEIVABLE + ":")), None
    )
    lot = beans.lot_of(receivable) if receivable is not None else None
    expected = money.in_operating(tax, lot)
    stated = sum((beans.number(p.units) for p in output), ZERO)
    if stated != expected:
        found.append((txn, _wrong("VAT", stated, expected, f"{percent(rate)}")))


def _single_tax(
    book: Book, txn: data.Transaction, rates: money.Rates, found: list[tuple[data.Transaction, str]]
) -> int:
    """A receipt's or refund's single tax: rate% of the money received at the day's rate (the
    bank's date, ``value-date``, when booked late); one under the single tax must carry it."""
    entry_id = str(txn.meta.get("id", ""))
    kind = entry_id.split("/", 1)[0]
    if kind not in ("receive", "refund") or not isinstance(txn.meta.get("amount"), Amount):
        return 0
    value = txn.meta.get("value-date")
    day = value if isinstance(value, datetime.date) else txn.date
    rate = single_tax_rate(book, day)
    posts = [p for p in txn.postings if p.account == SINGLE_TAX]
    if rate is None and not posts:
        return 0
    try:
        received = received_in_operating(txn.meta["amount"], day, rates, entry_id)
    except money.MoneyError as err:
        found.append((txn, str(err)))
        return 1
    sign = -1 if kind == "refund" else 1
    expected = single_tax_of(received, rate or ZERO) * sign
    stated = sum((beans.number(p.units) for p in posts), ZERO)
    if stated != expected:
        basis = f"{percent(rate)} of {received} received" if rate else "no single tax then"
        found.append((txn, _wrong("single tax", stated, expected, basis)))
    return 1
