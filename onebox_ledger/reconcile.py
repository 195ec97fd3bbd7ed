"""OneBox's bill, line by line, against what the close accrued per contract. Pure.

OneBox bills the partner for the boxes, seats and data it sees active. The close accrued
what the partner's contracts say OneBox should cost (one ``.../cost`` entry per contract,
``bill: "onebox-2026-11"``); ``onebox bill`` books the difference of the totals as one
adjustment. This module says *why* they differ. OneBox's bill lines come as CSV, one line
per box and item::

    period,box,customer_ref,item,quantity,list_price,rate,amount,currency
    2026-11,bx-1001,acme,cloud-user,5,25.00,0.65,81.25,USD

``customer_ref`` is the partner's customer id (or a contract id, to name the contract);
``box`` is OneBox's box id (shown, not matched); ``list_price`` and ``rate`` may be empty
(then they are not compared). Each line is matched to a contract accrued on the bill with
the same customer and item, and classified:

- ``match``: quantity, list price, rate and amount as accrued;
- ``quantity``: the seats or units differ (seat leakage: 7 seats billed, 5 sold);
- ``rate``: a cost rate other than the tier the partner's terms give for the month;
- ``price``: a list price other than the item's on the month's last day;
- ``amount``: only the amount differs (rounding);
- ``orphan``: billed, and no contract of that customer and item is accrued on the bill
  (a box OneBox still bills after the customer left);
- ``missing``: accrued, and no line bills it.

A line that differs in several ways is classified by the first of quantity, rate, price;
its reason names them all. Each line's difference is billed - expected (an orphan's
expected is 0, a missing contract's billed is 0), so the differences add up to the bill's
total less what the books accrued: exactly the variance ``onebox bill BILL TOTAL`` would
book. An expected quantity is the contract's unit-months (5 seats for 16 of 30 days:
2.6667, to 4 places); a metered contract's is its billed blocks. ``--record`` books one
adjustment per line (:func:`adjustments`; a match at 0.00, so the books hold every line),
each naming its customer, contract, box and reason, instead of one lump::

    2026-12-03 * "OneBox" "Bill onebox-2026-11 line 3, quantity: 7 billed, 5 expected ..."
      id: "bill/onebox-2026-11/line-3"
      bill: "onebox-2026-11"
      customer: "acme"
      contract: "acme-cloud"
      box: "bx-1001"
      reason: "quantity"
      Expenses:OneBox:Adjustment     32.50 USD
      Liabilities:OneBox:Payable    -32.50 USD
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from . import beans, money
from .billing import month_rate, stretches
from .model import Book, parse_usage
from .money import Rates
from .openitems import OpenItem
from .reports import Table
from .values import (
    ZERO,
    InputError,
    Month,
    make_text,
    parse_month,
    round_half_up,
    round_money,
    show_money,
    show_value,
)

COLUMNS = (
    "period", "box", "customer_ref", "item", "quantity", "list_price", "rate", "amount",
    "currency",
)  # fmt: skip
REQUIRED = ("period", "customer_ref", "item", "quantity", "amount", "currency")
STATUSES = ("match", "quantity", "rate", "price", "amount", "orphan", "missing")
QUANTITY_PLACES = Decimal("0.0001")
CENTS = Decimal("0.00")  # an orphan's expected, a missing line's billed


@dataclass(frozen=True)
class BillLine:
    line: int  # the CSV's line number (the header is line 1)
    period: Month
    box: str
    customer_ref: str
    item: str
    quantity: Decimal
    list_price: Decimal | None
    rate: Decimal | None
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Expected:
    """What the books accrued on the bill for one contract (or one sale)."""

    source: str  # the accrual's id (close/2026-11/acme-cloud/cost)
    customer: str
    contract: str | None
    item: str | None
    quantity: Decimal | None
    list_price: Decimal | None
    rate: Decimal | None
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Finding:
    status: str
    line: BillLine | None
    expected: Expected | None
    reason: str

    @property
    def billed(self) -> Decimal:
        return self.line.amount if self.line else CENTS

    @property
    def expected_amount(self) -> Decimal:
        return self.expected.amount if self.expected else CENTS

    @property
    def difference(self) -> Decimal:
        return self.billed - self.expected_amount


# ---------------------------------------------------------------- reading the bill


def parse_map(pairs: Sequence[str]) -> dict[str, str]:
    """``["amount=Total", "customer_ref=Client,item=SKU"]`` -> our column -> theirs."""
    out: dict[str, str] = {}
    for pair in (p for text in pairs for p in text.split(",")):
        ours, sep, theirs = pair.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not theirs:
            raise InputError(
                f"--map {show_value(pair)} is not COLUMN=THEIR_NAME (like amount=Total)"
            )
        if ours not in COLUMNS:
            raise InputError(f"--map names unknown column {ours!r} (columns: {', '.join(COLUMNS)})")
        out[ours] = theirs
    return out


def _number(text: str, what: str, where: str, *, places: int) -> Decimal:
    raw = text.strip().replace(",", "")
    body = raw[1:] if raw.startswith("-") else raw
    digits = body.replace(".", "", 1)
    if not body or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise InputError(f"{where}: {what} {show_value(text)} is not a number")
    if "." in body and len(body.split(".")[1]) > places:
        raise InputError(f"{where}: {what} {show_value(text)} has more than {places} decimals")
    return Decimal(raw)


def read_lines(text: str, name: str, mapping: Mapping[str, str] | None = None) -> list[BillLine]:
    """OneBox's bill lines from CSV text (`name` for messages); InputError naming the file,
    line, column and value of the first bad one."""
    mapping = dict(mapping or {})
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows = list(reader)
    if not rows:
        raise InputError(f"{name} is empty (expected the header {','.join(COLUMNS)})")
    header = [h.strip() for h in rows[0]]
    where: dict[str, int] = {}
    for column in COLUMNS:
        theirs = mapping.get(column, column)
        if theirs in header:
            where[column] = header.index(theirs)
        elif column in REQUIRED:
            raise InputError(
                f"{name}: no column {theirs!r} in the header ({', '.join(header)});"
                f" name it with --map {column}=THEIR_NAME"
            )
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        at = f"{name}:{number}"

        def get(column: str, row: list[str] = row, at: str = at) -> str:
            index = where.get(column)
            if index is None:
                return ""
            if index >= len(row):
                raise InputError(f"{at}: the line has {len(row)} cells, no {column}")
            return row[index].strip()

        try:
            period = parse_month(get("period"))
        except InputError as err:
            raise InputError(f"{at}: {err}") from None
        for column in ("customer_ref", "item", "currency"):
            if not get(column):
                raise InputError(f"{at}: {column} is empty")
        for column in ("box", "customer_ref", "item", "currency"):
            make_text(get(column) or "-", f"{at}: {column}", limit=100)
        price, rate = get("list_price"), get("rate")
        lines.append(
            BillLine(
                number, period, get("box"), get("customer_ref"), get("item"),
                _number(get("quantity"), "quantity", at, places=4),
                _number(price, "list_price", at, places=4) if price else None,
                _rate(rate, at) if rate else None,
                _number(get("amount"), "amount", at, places=2),
                get("currency"),
            )
        )  # fmt: skip
    return lines


def _rate(text: str, at: str) -> Decimal:
    """0.65 or 65%."""
    if text.endswith("%"):
        return _number(text[:-1], "rate", at, places=4).scaleb(-2)
    value = _number(text, "rate", at, places=4)
    if not 0 < value <= 1:
        raise InputError(f"{at}: rate {show_value(text)} is not a share of list (like 0.65 or 65%)")
    return value


# ---------------------------------------------------------------- what the close accrued


def expected(entries: Sequence[data.Directive], book: Book, bill: str) -> list[Expected]:
    """Each accrual on `bill` (a close's cost per contract, a sale's cost), with the quantity,
    list price and rate the partner's terms give for the bill's month."""
    month = _bill_month(bill)
    usage, _ = parse_usage(entries, month) if month is not None else ({}, [])
    boxes, tier = month_rate(book, month) if month is not None else (0, None)
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        entry_id = beans.entry_id(entry) or ""
        if entry_id.startswith(("bill/", "grace/")):
            continue
        for post in entry.postings:
            if post.account not in (beans.PAYABLE, beans.GRACE):
                continue
            named = (post.meta or {}).get("bill") or entry.meta.get("bill")
            number, currency = beans.units(post)
            if named != bill or number >= 0:
                continue
            contract = book.contracts.get(str(entry.meta.get("contract")))
            quantity = list_price = rate = None
            item = contract.item if contract is not None else None
            if contract is not None and month is not None and item is not None:
                found = book.item(item, month.last)
                list_price = beans.number(found.price) if found else None
                rate = tier if tier is not None else book.rate(max(boxes, 1), month.last)
                quantity = _quantity(contract, month, usage, found.per if found else None)
            out.append(
                Expected(entry_id, str(entry.meta.get("customer", "")),
                         contract.id if contract else None, item, quantity, list_price, rate,
                         -number, currency)
            )  # fmt: skip
    return out


def _bill_month(bill: str) -> Month | None:
    try:
        return parse_month(bill.removeprefix("onebox-"))
    except InputError:
        return None


def _quantity(
    contract: object, month: Month, usage: Mapping[str, Decimal], per: Decimal | None
) -> Decimal | None:
    from .model import Contract

    assert isinstance(contract, Contract)
    if contract.billing == "metered":
        units = usage.get(contract.id)
        return None if units is None or not per else round_half_up(units / per)
    if contract.billing == "once":
        return Decimal(contract.quantity)
    parts = stretches(contract, month)
    exact = sum((Decimal(s.quantity) * s.days for s in parts), ZERO) / month.days
    return exact.quantize(QUANTITY_PLACES).normalize()


# ---------------------------------------------------------------- classifying


def classify(lines: Sequence[BillLine], accrued: Sequence[Expected]) -> list[Finding]:
    """Each line matched and classified, then each accrual no line billed (``missing``)."""
    left = list(accrued)
    out = []
    for line in lines:
        match = _match(line, left)
        if match is None:
            out.append(Finding("orphan", line, None, _orphan_reason(line, accrued)))
            continue
        left.remove(match)
        out.append(_compare(line, match))
    for item in left:
        out.append(
            Finding("missing", None, item,
                    f"{item.contract or item.source} accrued {show_money(item.amount, item.currency)};"
                    " no line of the bill")
        )  # fmt: skip
    return out


def _match(line: BillLine, left: Sequence[Expected]) -> Expected | None:
    named = [e for e in left if e.contract == line.customer_ref and e.item == line.item]
    if named:
        return named[0]
    mine = [e for e in left if e.customer == line.customer_ref and e.item == line.item]
    same = [e for e in mine if e.quantity == line.quantity]
    found = same or mine
    return found[0] if found else None


def _orphan_reason(line: BillLine, accrued: Sequence[Expected]) -> str:
    known = {e.customer for e in accrued} | {e.contract for e in accrued}
    if line.customer_ref in known:
        return (
            f"box {line.box or '?'}: {line.customer_ref} has no other {line.item} contract accrued"
            " on this bill"
        )
    return f"box {line.box or '?'}: no active contract of {line.customer_ref!r} for {line.item}"


def _compare(line: BillLine, e: Expected) -> Finding:
    differs: list[tuple[str, str]] = []
    if e.quantity is not None and line.quantity != e.quantity:
        differs.append(("quantity", f"quantity {line.quantity:f} billed, {e.quantity:f} expected"))
    if e.rate is not None and line.rate is not None and line.rate != e.rate:
        differs.append(("rate", f"rate {_pct(line.rate)} billed, {_pct(e.rate)} the month's tier"))
    if e.list_price is not None and line.list_price is not None and line.list_price != e.list_price:
        differs.append(
            ("price", f"list price {line.list_price:f} billed, {e.list_price:f} expected")
        )
    difference = line.amount - e.amount
    if not differs:
        if difference:
            return Finding("amount", line, e, f"amount differs by {difference:+f} (rounding)")
        return Finding("match", line, e, "as accrued")
    return Finding(differs[0][0], line, e, "; ".join(text for _, text in differs))


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# ---------------------------------------------------------------- the table and the record


def table(findings: Sequence[Finding], bill: str, currency: str) -> Table:
    """The reconciliation as a report table (``--format table|csv|json``)."""
    out = Table(
        f"OneBox bill {bill}, line by line, in {currency}",
        ["line", "status", "box", "customer", "contract", "item", "expected", "billed",
         "difference", "reason"],
    )  # fmt: skip
    for f in findings:
        line, e = f.line, f.expected
        out.rows.append([
            line.line if line else None, f.status, line.box if line else "",
            line.customer_ref if line else (e.customer if e else ""),
            e.contract or e.source if e else "", line.item if line else (e.item or "" if e else ""),
            f.expected_amount, f.billed, f.difference, f.reason,
        ])  # fmt: skip
    billed = sum((f.billed for f in findings), ZERO)
    accrued = sum((f.expected_amount for f in findings), ZERO)
    out.total_columns = ["total", "expected", "billed", "difference"]
    out.totals.append(["total", accrued, billed, billed - accrued])
    counts = {s: sum(1 for f in findings if f.status == s) for s in STATUSES}
    out.notes.append(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return out


def adjustments(
    findings: Sequence[Finding],
    bill: OpenItem,
    book: Book,
    *,
    date: datetime.date,
    rates: Rates,
) -> list[data.Transaction]:
    """One ``bill/<bill>/line-<n>`` (or ``.../missing-<contract>``) adjustment per line of the
    bill and per contract it misses: the difference to Expenses:OneBox:Adjustment against the
    bill, at the bill's rate, naming its customer (when a customer of the books), contract,
    box and reason. A matching line is booked too, at 0.00: the books then hold the whole bill
    line by line (what ``onebox dispute`` names), and the adjustments' count is the lines'."""
    out = []
    for f in findings:
        line, e = f.line, f.expected
        key = f"line-{line.line}" if line else f"missing-{e.contract or e.source if e else ''}"
        key = key.replace("/", "-")
        customer = line.customer_ref if line else (e.customer if e else "")
        postings = [
            beans.posting(beans.ADJUSTMENT, money.in_operating(f.difference, bill.lot), rates.operating),
            beans.posting(beans.PAYABLE, -f.difference, bill.currency, {"bill": bill.id},
                          lot=bill.lot if f.difference else None),  # a zero lot is no lot
        ]  # fmt: skip
        where = f"line {line.line}" if line else "no line"
        out.append(
            beans.transaction(
                date, "OneBox", f"Bill {bill.id} {where}, {f.status}: {f.reason}",
                beans.meta(
                    id=f"bill/{bill.id}/{key}", bill=bill.id,
                    customer=customer if customer in book.customers else None,
                    **{"customer-ref": None if customer in book.customers else customer or None},
                    contract=e.contract if e else None,
                    box=line.box or None if line else None,
                    reason=f.status,
                    amount=Amount(f.difference, bill.currency),
                ),
                [*postings, *money.balancing(postings, rates.operating)],
            )
        )  # fmt: skip
    return out


# ---------------------------------------------------------------- a bill to try it on


def sample_lines(
    accrued: Sequence[Expected], period: Month, *, leak: int = 2, orphan: str | None = None
) -> list[BillLine]:
    """OneBox's bill as OneBox might send it for what the books `accrued` (the demo's, and a
    test's): a line per accrued contract, the first with `leak` more seats than sold (a
    quantity line), and an `orphan` customer's box the partner no longer has (its list price
    and rate those of the first line). Lines are numbered as the CSV would number them
    (header: line 1). Accruals without a quantity, list price and rate (a sale's) are left out."""
    priced = [e for e in accrued if e.quantity and e.list_price is not None and e.rate is not None]
    lines = []
    for n, e in enumerate(priced):
        assert e.quantity is not None and e.list_price is not None and e.rate is not None
        quantity = e.quantity + (leak if n == 0 else 0)
        amount = e.amount if n else round_money(quantity * e.list_price * e.rate)
        lines.append(
            BillLine(n + 2, period, f"bx-{1001 + n}", e.contract or e.customer, e.item or "",
                     quantity, e.list_price, e.rate, amount, e.currency)
        )  # fmt: skip
    if orphan is not None and lines:
        first = lines[0]
        assert first.list_price is not None and first.rate is not None
        amount = round_money(first.list_price * first.rate)
        lines.append(
            BillLine(len(lines) + 2, period, "bx-0977", orphan, first.item, Decimal(1),
                     first.list_price, first.rate, amount, first.currency)
        )  # fmt: skip
    return lines


def lines_csv(lines: Sequence[BillLine]) -> str:
    """The lines as OneBox's CSV (the columns of :data:`COLUMNS`), for :func:`read_lines`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow([
            line.period, line.box, line.customer_ref, line.item, f"{line.quantity:f}",
            "" if line.list_price is None else f"{line.list_price:f}",
            "" if line.rate is None else f"{line.rate:f}", f"{line.amount:f}", line.currency,
        ])  # fmt: skip
    return out.getvalue()
