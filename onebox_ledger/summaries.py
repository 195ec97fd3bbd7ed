"""Per-month summaries: what the reports need of a sealed month, so they never re-read it. Pure.

A summary holds, for one sealed month, everything ``report keep``, ``receivables``,
``payables`` and ``mrr`` read of the entries dated in it (the first sealed month: dated
in or before it), as sums and as the open items at its end::

    ledger/summaries/2026-10.json
      line 1 (the header): {"version": "onebox-summary/2", "month": "2026-10",
                            "inputs": {"ledger/journal/2026-10.beancount": "sha256:...",
                                       "ledger/terms.beancount": "sha256:...", ...},
                            "previous": "sha256:<2026-09's key>", "body": "sha256:...",
                            "seal": "sha256:<the month's seal digest>", "key": "sha256:..."}
      the body, one named part a line (Body: a report decodes only the parts it reads):
        ["month", {...}]          the transactions' count and last date, other income and
                                  expense per account, the exchange rates keep used,
                                  OneBox's credits per bill (disputes), and the text of
                                  the month's price, open, close and terms directives
        ["keep/stream", [...]]    keep sums (sold, cost, not rounded), one line for each
        ["keep/customer", [...]]  grouping
        ["keep/contract", [...]]
        ["settled", [...]]        the items settled (dropped) at the month's end
        ["invoices", [...]]       the invoices, customer credit and OneBox prepaid still
        ["bills", [...]]          open at the month's end (id, customer, currency, date,
        ["credits", [...]]        due date, amounts, rate) and every OneBox bill
        ["last_invoice", {...}]   each contract's last invoice (MRR)
        ["month_end", {...}]      what the next close's month end needs of every entry
                                  dated before this month (month_end.Sums.carried: the
                                  foreign items' units and booked values, each customer's
                                  deferred revenue by rate); absent when not known

Its ``key`` is the SHA-256 of the version, the month, its inputs, the previous month's key
(so a month's summary also stands for every earlier month's files: its open items carry
theirs) and the body's SHA-256. Its inputs are what it can depend on: the SHA-256 of the
month's own file, whole, and of every file that is not a month file (main.beancount,
accounts, terms, customers, prices, opening) *through the month's end* (``through``): the
file without the entries dated after the month's last day, found as bytes (an entry starts
with its date at the beginning of a line)::

    ledger/prices.beancount                      through 2026-10-31 keys
      option "operating_currency" "USD"            yes (no date: every month)
      2026-09-30 price EUR 1.08 USD                yes
      2026-11-30 price EUR 1.09 USD                no: appended after October's close

So the ``price`` and ``customer`` commands, which add entries dated in the open month, leave
the sealed months' summaries usable, and a byte changed in an entry dated in or before a
month makes its summary (and every later one: the chain) unusable. A summary is used only
when every input hashes as recorded and its chain of keys holds back to the first sealed
month; otherwise the reports load the whole ledger, as they do without summaries.

A report combines the summaries of the months it covers whole with the transactions of
the months it covers in part (parsed) and of the months after the last summary (parsed
and booked)::

    keep --from 2026-03-15 --to 2026-10-31:
        2026-03 parsed (from the 15th), 2026-04..2026-10 from their summaries
    receivables --as-of 2026-11-27:
        the items open at 2026-10's end, then November's transactions

Amounts are exact Decimals, summed as the reports sum them and rounded only by the
reports' own table builders, so every number equals the one a full load gives.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import parser

from . import beans, disputes, model, reports, seals
from .model import Book, parse_book
from .money import Rates
from .openitems import OpenItem, sorted_bills, sorted_invoices
from .reports import Converter, RawAmount, Scan, Table
from .values import ZERO, Month

VERSION = "onebox-summary/2"
FIRST = "none"  # the `previous` of the first sealed month's summary
KEEP_BY = ("stream", "customer", "contract")
# The directives (not transactions) the reports read, kept as text in the summary.
CUSTOMS = frozenset({*model.PARSED_TYPES, disputes.DISPUTE})


class SummaryError(Exception):
    """A summary that cannot be used (malformed, stale, or a month it cannot stand for)."""


@dataclass
class State:
    """Open items at a month's end: what the as-of reports start from."""

    invoices: dict[str, OpenItem] = field(default_factory=dict)  # open != 0
    bills: dict[str, OpenItem] = field(default_factory=dict)  # every bill
    credits: dict[str, OpenItem] = field(default_factory=dict)  # open != 0
    last_invoice: dict[str, RawAmount] = field(default_factory=dict)  # every contract's

    def copy(self) -> State:
        return State(
            {k: dataclasses.replace(v) for k, v in self.invoices.items()},
            {k: dataclasses.replace(v) for k, v in self.bills.items()},
            {k: dataclasses.replace(v) for k, v in self.credits.items()},
            dict(self.last_invoice),
        )


@dataclass
class Summary:
    month: Month
    inputs: dict[str, str]  # relative path -> "sha256:..." (see the module's docstring)
    previous: str  # the previous month's summary key, or FIRST
    seal: str  # the month's seal digest
    since: datetime.date  # the first day it covers (the first sealed month: its first entry)
    transactions: int = 0
    last_date: datetime.date | None = None
    keep: Mapping[str, dict[tuple[str, ...], list[Decimal]]] = field(default_factory=dict)
    other: dict[str, Decimal] = field(default_factory=dict)
    rates: dict[tuple[str, datetime.date], Decimal] = field(default_factory=dict)
    end_state: State | None = None  # None: read from `raw` when first asked (`state`)
    settled: list[str] = field(default_factory=list)  # items dropped at the month's end
    credited: dict[str, Decimal] = field(default_factory=dict)  # bill -> OneBox credits
    directives: str = ""  # the month's price, open, close and terms directives, as text
    key: str = ""
    raw: Body | None = None  # the body as read (load), each line decoded when first asked
    # what the month's end of the next close needs of history, as on this month's first day
    # (month_end.Sums.carried); None: not kept (read from `raw` when first asked)
    month_end: dict[str, Any] | None = None
    body: bytes | None = None  # the body's bytes as `summarise` made them (_body), for `dump`

    def carried(self) -> Any:
        """`month_end`, from the file's text when read (load), None when it has none."""
        if self.month_end is None and self.raw is not None and "month_end" in self.raw:
            return self.raw["month_end"]
        return self.month_end

    def covers(self, date: datetime.date) -> bool:
        return date <= self.month.last and (self.previous == FIRST or date >= self.month.first)

    @property
    def state(self) -> State:
        """The open items at the month's end (made from the file's text when first asked: a
        report needs one month's, not every month's)."""
        if self.end_state is None:
            raw = self.raw
            if raw is None:
                raise SummaryError(f"{self.month}: no open items")
            try:
                self.end_state = State(
                    {i[0]: _unitem(i) for i in raw["invoices"]},
                    {i[0]: _unitem(i) for i in raw["bills"]},
                    {i[0]: _unitem(i) for i in raw["credits"]},
                    {c: (Decimal(n), cur, _date(d))
                     for c, (n, cur, d) in raw["last_invoice"].items()},
                )  # fmt: skip
            except (ValueError, KeyError, TypeError, InvalidOperation) as err:
                raise SummaryError(f"{self.month}: malformed body ({err})") from None
        return self.end_state


class Body:
    """A summary's body as read: one JSON line per part (``["keep/customer", [...]]``), each
    decoded when first asked (a report reads one grouping of keep's three, or one month's
    open items, of its summaries)."""

    def __init__(self, content: bytes) -> None:
        self._lines: dict[str, bytes] = {}
        self._decoded: dict[str, Any] = {}
        for line in content.split(b"\n"):
            if not line.startswith(b'["'):
                raise SummaryError("malformed body (a line is not a named part)")
            name = line[2 : line.index(b'"', 2)].decode()
            self._lines[name] = line

    def __contains__(self, name: str) -> bool:
        return name in self._lines

    def __getitem__(self, name: str) -> Any:
        if name not in self._decoded:
            try:
                part, value = json.loads(self._lines[name])
            except (KeyError, ValueError) as err:
                raise SummaryError(f"malformed body ({name}: {err})") from None
            if part != name:
                raise SummaryError(f"malformed body (a line named {name} holds {part})")
            self._decoded[name] = value
        return self._decoded[name]


class KeepSums(Mapping[str, dict[tuple[str, ...], list[Decimal]]]):
    """A summary's keep sums by grouping, each decoded and made into Decimals when first asked
    (a report reads one grouping of three)."""

    def __init__(self, body: Body, month: Month) -> None:
        self._body, self._month = body, month
        self._made: dict[str, dict[tuple[str, ...], list[Decimal]]] = {}

    def __getitem__(self, by: str) -> dict[tuple[str, ...], list[Decimal]]:
        made = self._made.get(by)
        if made is None:
            if f"keep/{by}" not in self._body:
                raise KeyError(by)
            try:
                made = {
                    tuple(key): [Decimal(sold), Decimal(cost)]
                    for key, sold, cost in self._body[f"keep/{by}"]
                }
            except (ValueError, TypeError, InvalidOperation) as err:
                raise SummaryError(f"{self._month}: malformed body ({err})") from None
            self._made[by] = made
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(by for by in KEEP_BY if f"keep/{by}" in self._body)

    def __len__(self) -> int:
        return len(list(iter(self)))


def sha256(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


_TOP = re.compile(rb"^[^ \t\r\n]", re.MULTILINE)  # a line starting a directive, option or comment
_DATE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def blocks(text: bytes) -> list[tuple[bytes, bytes]]:
    """A file's blocks (a line starting at its first column, with the indented and blank lines
    after it), each with its date (b"" when it cannot be shown to be an entry of that date: a
    block not starting with a YYYY-MM-DD date, as options, includes, plugins and comments, or
    one a string opened before runs into, after an odd number of quotes), without its trailing
    blank lines (an entry appended after a blank line leaves the block before it as it was)."""
    starts = [m.start() for m in _TOP.finditer(text)]
    head = _trimmed(text[: starts[0] if starts else len(text)])  # blank lines, or indented
    out = [(b"", head)] if head.strip() else []
    quotes = 0
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        block = text[start:end]
        dated = quotes % 2 == 0 and _DATE.match(block) is not None
        out.append((block[:10] if dated else b"", _trimmed(block)))
        if b'"' in block:
            bare = block.replace(b"\\\\", b"") if b"\\" in block else block
            quotes += bare.count(b'"') - bare.count(b'\\"')
    return out


def _trimmed(block: bytes) -> bytes:
    """The block up to the end of its last line that holds more than white space (that line's
    own spaces kept, its line break not)."""
    end = block.find(b"\n", len(block.rstrip()))
    return block if end == -1 else block[:end]


def through(text: bytes | list[tuple[bytes, bytes]], last: datetime.date) -> bytes:
    """The bytes of a file a summary of the month ending `last` depends on: every block (see
    ``blocks``) but those of the entries dated after `last`."""
    limit = last.isoformat().encode()
    parts = blocks(text) if isinstance(text, bytes) else text
    return b"\n".join(block for date, block in parts if date <= limit)


def key_of(month: Month, inputs: Mapping[str, str], previous: str, seal: str, body: str) -> str:
    lines = [VERSION, str(month), previous, seal, body]
    lines += [f"{path} {digest}" for path, digest in sorted(inputs.items())]
    return sha256("\n".join(lines).encode())


# ---------------------------------------------------------------- building


def summarise(
    month: Month,
    entries: Sequence[data.Directive],
    previous: Summary | None,
    *,
    rates: Rates,
    currency: str,
    inputs: Mapping[str, str],
    seal: str,
    own_file: str,
    settled_before: Collection[str] = (),
    month_end: dict[str, Any] | None = None,
) -> Summary:
    """The summary of `month` from every entry dated in it (the first sealed month: in or
    before it), in the loader's order, and the summary of the month before (None: the
    first). Complete entries (seals.complete) parse as they book, so parsed entries do.
    `month_end`: history's sums on the month's first day (month_end.Sums.carried), kept."""
    convert = Converter([], currency, rates=rates)
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    base = previous.state.copy() if previous is not None else State()
    known = {*base.invoices, *base.credits}
    found = scan_from(base, transactions, keep_by=KEEP_BY, keep_convert=convert)
    check_fresh(found, known, settled_before, str(month))
    dropped = {**found.invoices, **found.credits}
    state = State(
        {k: v for k, v in found.invoices.items() if v.open != 0},
        found.bills,
        {k: v for k, v in found.credits.items() if v.open != 0},
        found.last_invoice,
    )
    credited: dict[str, Decimal] = {}
    for entry in transactions:
        amount, bill = entry.meta.get(disputes.CREDIT), entry.meta.get("bill")
        if isinstance(amount, Amount) and amount.number is not None and isinstance(bill, str):
            credited[bill] = credited.get(bill, ZERO) + amount.number
    kept = [e for e in entries if _kept(e) and e.meta.get("filename") == own_file]
    text = beans.format_entries(kept) if kept else ""
    if kept:
        back, errors, _ = parser.parse_string(text)
        if errors or [seals.canonical(e) for e in back] != [seals.canonical(e) for e in kept]:
            raise SummaryError(f"{month}: a directive does not read back as written")
    dates = [e.date for e in transactions]
    summary = Summary(
        month, dict(inputs), previous.key if previous is not None else FIRST, seal,
        month.first if previous is not None or not dates else min(min(dates), month.first),
        len(transactions), max(dates) if dates else None, found.keep, found.other,
        dict(convert.used), state,
        sorted(k for k, v in dropped.items() if v.open == 0), credited, text,
        month_end=month_end,
    )  # fmt: skip
    summary.body = _body(summary)
    summary.key = key_of(month, summary.inputs, summary.previous, seal, sha256(summary.body))
    return summary


def check_fresh(found: Scan, known: set[str], settled: Collection[str], where: str) -> None:
    """Refuse items a continuation from a month's end created that are not new: an id
    settled (and dropped) before, or an item whose first posting pays rather than bills."""
    fresh = {**found.invoices, **found.credits}
    for key in sorted(set(fresh) - known):
        if key in settled or fresh[key].billed == 0:
            raise SummaryError(f"{where}: {key} was settled before and moves again")


def _kept(entry: data.Directive) -> bool:
    if isinstance(entry, data.Price | data.Open | data.Close):
        return True
    return isinstance(entry, data.Custom) and entry.type in CUSTOMS


def scan_from(state: State, entries: Sequence[data.Directive], **kwargs: Any) -> Scan:
    """reports.scan continued from `state` (copied by the caller): every item wanted."""
    found = reports.scan(
        entries, want_invoices=True, want_bills=True, want_credits=True,
        want_last_invoices=True, **kwargs,
        base=Scan({}, state.invoices, state.bills, state.credits, state.last_invoice),
    )  # fmt: skip
    return found


# ---------------------------------------------------------------- the file format


def _item(item: OpenItem) -> list[Any]:
    lot = [str(item.lot.rate), item.lot.currency] if item.lot else None
    return [item.id, item.kind, item.date.isoformat(), item.currency, item.customer,
            str(item.billed), str(item.paid), str(item.in_grace),
            item.due.isoformat() if item.due else None,
            item.until.isoformat() if item.until else None, lot, str(item.accrued)]  # fmt: skip


def _unitem(raw: list[Any]) -> OpenItem:
    (id_, kind, date, currency, customer, billed, paid, in_grace, due, until, lot,
     accrued) = raw  # fmt: skip
    return OpenItem(
        id_, kind, _date(date), currency, customer, Decimal(billed), Decimal(paid),
        Decimal(in_grace), _date(due) if due else None, _date(until) if until else None,
        beans.Lot(Decimal(lot[0]), lot[1]) if lot else None, Decimal(accrued),
    )  # fmt: skip


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _body(s: Summary) -> bytes:
    """The body: the month's own figures, then one line per keep grouping, the ids settled,
    and the open items (see Body)."""
    parts: list[tuple[str, Any]] = [
        ("month", {
            "since": s.since.isoformat(),
            "transactions": s.transactions,
            "last_date": s.last_date.isoformat() if s.last_date else None,
            "other": {account: str(v) for account, v in sorted(s.other.items())},
            "rates": [[c, d.isoformat(), str(r)] for (c, d), r in sorted(s.rates.items())],
            "credited": {bill: str(v) for bill, v in sorted(s.credited.items())},
            "directives": s.directives,
        }),
        *((f"keep/{by}", [[list(key), str(v[0]), str(v[1])] for key, v in sorted(sums.items())])
          for by, sums in sorted(s.keep.items())),
        ("settled", s.settled),
        ("invoices", [_item(i) for i in sorted_invoices(s.state.invoices.values())]),
        ("bills", [_item(i) for i in sorted_bills(s.state.bills.values())]),
        ("credits", [_item(i) for i in sorted_invoices(s.state.credits.values())]),
        ("last_invoice", {
            c: [str(n), cur, d.isoformat()]
            for c, (n, cur, d) in sorted(s.state.last_invoice.items())
        }),
    ]  # fmt: skip
    carried = s.carried()
    if carried is not None:
        parts.append(("month_end", carried))
    return b"\n".join(
        json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode() for part in parts
    )


def dump(s: Summary) -> bytes:
    """The file: a header line (what keys it), then the body's lines (see _body)."""
    body = s.body if s.body is not None else _body(s)
    header = {
        "version": VERSION, "month": str(s.month), "inputs": dict(sorted(s.inputs.items())),
        "previous": s.previous, "seal": s.seal, "body": sha256(body), "key": s.key,
    }  # fmt: skip
    return json.dumps(header, indent=None, separators=(", ", ": ")).encode() + b"\n" + body + b"\n"


@dataclass(frozen=True)
class Header:
    month: Month
    inputs: dict[str, str]
    previous: str
    seal: str
    body: str
    key: str


def read_header(content: bytes) -> tuple[Header, bytes]:
    """The header of a summary file and its body's bytes; SummaryError when malformed, when
    its key does not match what it says it covers or its body what the header records."""
    first, _, rest = content.partition(b"\n")
    header = header_of(first)
    body = rest.removesuffix(b"\n")
    if sha256(body) != header.body:
        raise SummaryError("its body does not hash to the digest in its header")
    return header, body


def header_of(first: bytes) -> Header:
    """A summary's header from its first line; SummaryError when malformed or when its key
    does not match what it says it covers (its body not read: read_header checks both)."""
    try:
        raw = json.loads(first)
        if raw.get("version") != VERSION:
            raise SummaryError(f"version {raw.get('version')!r}, not {VERSION}")
        year, month = (int(p) for p in str(raw["month"]).split("-"))
        header = Header(
            Month(year, month), {str(k): str(v) for k, v in dict(raw["inputs"]).items()},
            str(raw["previous"]), str(raw["seal"]), str(raw["body"]), str(raw["key"]),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise SummaryError(f"malformed header ({err})") from None
    expected = key_of(header.month, header.inputs, header.previous, header.seal, header.body)
    if expected != header.key:
        raise SummaryError("its key does not match its header")
    return header


def load(content: bytes) -> Summary:
    """A summary from its file's bytes (header and body checked, see read_header); its keep
    sums and open items are made into Decimals when first asked (KeepSums, Summary.state)."""
    return loaded(*read_header(content))


def loaded(header: Header, content: bytes) -> Summary:
    """`load`'s summary from a header and body `read_header` gave."""
    body = Body(content)
    try:
        raw = body["month"]
        return Summary(
            header.month, header.inputs, header.previous, header.seal, _date(raw["since"]),
            int(raw["transactions"]), _date(raw["last_date"]) if raw["last_date"] else None,
            KeepSums(body, header.month),
            {a: Decimal(v) for a, v in raw["other"].items()},
            {(c, _date(d)): Decimal(r) for c, d, r in raw["rates"]}, None,
            [str(s) for s in body["settled"]],
            {b: Decimal(v) for b, v in raw["credited"].items()}, str(raw["directives"]),
            header.key, body,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as err:
        raise SummaryError(f"malformed body ({err})") from None


# ---------------------------------------------------------------- the reports from summaries


@dataclass
class History:
    """The books as the reports read them with summaries: the sealed months' summaries
    (consecutive, the first sealed month first), their transactions when a report covers a
    month in part (`month_entries`), and everything after them, parsed and booked."""

    summaries: list[Summary]
    month_entries: Callable[[Summary], list[data.Transaction]]
    later: list[data.Transaction]  # dated after the last summary, in the loader's order
    directives: list[data.Directive]  # every non-transaction directive the reports read
    currency: str

    @property
    def rates(self) -> Rates:
        return Rates.of(self.directives, self.currency)

    def book(self) -> Book:
        book, errors = parse_book(self.directives)
        if errors:
            raise SummaryError("the terms do not parse")
        return book

    def _at(self, date: datetime.date) -> tuple[State, list[data.Transaction], int, list[str]]:
        """The open items at the end of the last month ending before `date` (copied), the
        transactions to add from there (to `date` and beyond: the scan filters), the number
        of transactions of the summarised months after those, and the ids settled before."""
        base: Summary | None = None  # its open items are read only for the one month
        settled: list[str] = []
        for n, summary in enumerate(self.summaries):
            if summary.month.last <= date:
                base = summary
                settled.extend(summary.settled)
                continue
            if summary.covers(date) or date < summary.since:
                after = sum(s.transactions for s in self.summaries[n + 1 :])
                state = base.state.copy() if base is not None else State()
                return state, [*self.month_entries(summary), *self.later], after, settled
        return base.state.copy() if base is not None else State(), list(self.later), 0, settled

    def _last_date(self) -> datetime.date | None:
        dates = [self.later[-1].date] if self.later else []
        dates += [s.last_date for s in self.summaries if s.last_date is not None]
        return max(dates) if dates else None

    def scan_as_of(self, as_of: datetime.date) -> Scan:
        """reports.scan of the whole books as of `as_of`, every item wanted."""
        state, entries, after, settled = self._at(as_of)
        known = {*state.invoices, *state.credits}
        found = scan_from(state, entries, as_of=as_of, after=as_of)
        check_fresh(found, known, set(settled), str(as_of))
        if after:
            found.later += after
            found.last = self._last_date()
        return found

    def credited(self, as_of: datetime.date) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = {}
        for summary in self.summaries:
            if summary.month.last <= as_of:
                for bill, value in summary.credited.items():
                    sums[bill] = sums.get(bill, ZERO) + value
        return sums


def keep(
    history: History,
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    by: str,
) -> Table:
    """reports.keep from the summaries of the months [start, end] covers whole."""
    convert = Converter([], history.currency, rates=history.rates)
    entries: list[data.Transaction] = []
    whole: list[Summary] = []
    later, last = 0, None
    for summary in history.summaries:
        if (start is None or start <= summary.since) and (end is None or summary.month.last <= end):
            whole.append(summary)
        elif end is not None and summary.since > end:
            later += summary.transactions
            if summary.last_date and (last is None or summary.last_date > last):
                last = summary.last_date
        elif start is None or start <= summary.month.last:
            entries.extend(history.month_entries(summary))
    entries.extend(history.later)
    found = reports.scan(
        entries, keep_by=(by,), keep_convert=convert, start=start, end=end, after=end
    )
    groups = found.keep[by]
    for summary in whole:
        _add_sums(groups, summary.keep.get(by, {}))
        _add(found.other, summary.other)
        convert.used.update(summary.rates)
    if later:
        found.later += later
        found.last = max(d for d in (found.last, last) if d is not None)
    table = reports.keep_table(
        groups, history.currency, start=start, end=end, by=by, convert=convert, other=found.other
    )
    return reports._note_later(table, found, end)


def _add_sums(
    into: dict[tuple[str, ...], list[Decimal]], sums: Mapping[tuple[str, ...], list[Decimal]]
) -> None:
    for key, (sold, cost) in sums.items():
        row = into.get(key)
        if row is None:
            into[key] = [sold, cost]
        else:
            row[0] += sold
            row[1] += cost


def _add(into: dict[str, Decimal], sums: Mapping[str, Decimal]) -> None:
    for key, value in sums.items():
        into[key] = into.get(key, ZERO) + value


def receivables(history: History, *, as_of: datetime.date) -> Table:
    """reports.receivables from the open items at the end of the last month before `as_of`."""
    found = history.scan_as_of(as_of)
    credit = [i for i in found.credits.values() if i.kind == "credit"]
    table = reports.receivables_table(
        sorted_invoices(found.invoices.values()), history.currency, as_of=as_of,
        convert=Converter([], history.currency, rates=history.rates), credit=credit,
    )  # fmt: skip
    return reports._note_later(table, found, as_of)


def payables(history: History, *, as_of: datetime.date) -> Table:
    """reports.payables from every bill at the end of the last month before `as_of`."""
    found = history.scan_as_of(as_of)
    prepaid = [i for i in found.credits.values() if i.kind == "prepaid"]
    _, entries, _, _ = history._at(as_of)
    customs = [e for e in history.directives if isinstance(e, data.Custom)]
    disputed = disputes.disputes(
        sorted([*customs, *entries], key=data.entry_sortkey), as_of,
        credited=history.credited(as_of),
    )  # fmt: skip
    table = reports.payables_table(
        sorted_bills(found.bills.values()), as_of=as_of, prepaid=prepaid, disputed=disputed
    )
    return reports._note_later(table, found, as_of)


def mrr(history: History, *, as_of: datetime.date) -> Table:
    """reports.mrr from each contract's last invoice at the end of the last month before."""
    found = history.scan_as_of(as_of)
    convert = Converter([], history.currency, rates=history.rates)
    table = reports.mrr_table(
        history.book(), found.last_invoice, history.currency, as_of=as_of, convert=convert
    )
    return reports._note_later(table, found, as_of)


def directives_of(summaries: Iterable[Summary]) -> list[data.Directive]:
    """The price, open, close and terms directives the summaries hold, parsed back."""
    out: list[data.Directive] = []
    for summary in summaries:
        if summary.directives:
            entries, errors, _ = parser.parse_string(summary.directives)
            if errors:
                raise SummaryError(f"{summary.month}: its directives do not parse")
            out.extend(entries)
    return out
