"""A bank statement as the bank exports it, read into uniform rows, oldest first.

:func:`read_statement` reads a file in any layout of :data:`layouts.LAYOUTS`
(one declaration per bank export, see ``layouts.py``) and returns a
:class:`Statement`: its rows oldest first, each a :class:`Row` with a signed
amount (money in > 0), and what the file tells of the account::

    read_statement(Path("Umsatzanzeige_DE10500105170648489890_20261130.csv"))
    -> Statement(layout="ing", currency="EUR", closing_balance=Decimal("4613.40"),
                 account_hint="DE10500105170648489890", rows=[Row(line=19, ...), ...])

Two formats have readers of their own (:func:`formats`, consulted before the
CSV layouts, by content): ISO 20022 camt.053 XML (``camt053``, see ``camt.py``)
and SWIFT MT940 (``mt940``, see ``swift.py``). They give the same rows and
statement; the rest of this docstring is about the CSV layouts.

How a CSV file is read:

- **Encoding**: strict UTF-8 first (a byte-order mark dropped; UTF-16 with its
  mark); a file that is not UTF-8 is decoded with each single-byte encoding
  its layout declares (Windows-1251 for Ukrainian banks, ISO-8859-1 / cp1252
  for German ones) and is that encoding if the layout's header is then found.
  A file with NUL bytes is not text.
- **Header**: found by its content (the layout's required columns, by name,
  whitespace and line breaks in quoted cells ignored), after at most the
  layout's number of preamble records, with each delimiter the layout
  declares (``,``, ``;``, tab). Columns are addressed by name, never by
  position; a repeated name by the column it follows (ING's two ``Währung``).
- **Identification** (``layout=None``): every layout whose header is found
  fits; when several fit, the bank's usual file name decides, then the most
  columns matched, then the order of LAYOUTS. A file no layout fits is
  refused with one line naming every layout tried and why: the columns the
  line nearest to its header lacks, else ``header not found``::

    umsatzliste.csv: not a statement in any known layout (generic: header not found; ...;
    dkb: line 6 lacks Status; dkb-legacy: line 6 lacks Buchungstag, ...; ...)
- **Records**: a record's line is the line where it starts (a quoted cell may
  span lines). A trailing delimiter on every line is dropped; extra fields of
  an unquoted free-text column holding the delimiter are joined back into it
  (the layout names that column); blank records and the layout's non-records
  (DKB's ``Tagessaldo``) are skipped.
- **Currency**: a row's own column, else the file's (the header's ``(UAH)``,
  the title lines, the layout's), else the bank account's the statement is
  said to be of (``--account``), else the one currency of its operations when
  no row converts (Monobank FOP's ``Валюта операції`` all ``UAH``, each row's
  amount on the account equal to the operation's); a file naming none is
  refused, never read in the ledger's currency.
- **Values**: dates in the layout's formats, optionally with a time; the
  years ``MIN_YEAR..MAX_YEAR`` only. Amounts in the layout's number format
  (never guessed per row), at most cents (``12,345`` with a decimal comma is
  refused, not rounded), quantized to cents. An amount is signed, or unsigned
  with a direction column (IN/OUT, Кредит/Дебет), or two unsigned columns
  (debit and credit, exactly one filled).
- **Order**: the layout declares whether the bank lists newest first (ING's
  preamble ``Sortierung`` overrides it); rows are then sorted by date and
  time, stably, so same-day rows without a time keep the statement's order,
  read the right way round.
- **Status**: ``booked``, ``pending``, ``cancelled``, ``refunded`` or ``info``
  (camt.053's information entries); rows that are not booked are returned
  (``Row.skipped``) so an import can list them, and are never booked.
- **Fees**: ``Row.amount`` is what moved the account, fees included (Wise,
  money out: 1087.16 sent and a 1.06 fee are -1088.22); ``Row.fee`` is the
  part of it the bank kept (positive, in the row's currency; Monobank FOP,
  money in: 200.00 sent, a 1.00 fee, 199.00 in). ``Row.is_fee`` marks money
  out that is itself a bank fee (Monobank/Privat ``Комісія ...`` rows,
  ``Entgelt``, ``Kontoführung``, Chase ``FEE_TRANSACTION``).

**References.** A row keeps the bank's own transaction id when the layout has
one (``ref_from_bank``); a bank id repeated in the file gets ``.2``, ``.3`` in
date order (the tool's own layout refuses it instead). A row without one gets
a reference made from its own fields, so overlapping statements give a row the
same reference::

    row-<YYYYMMDD>-<first 12 hex digits of sha256(date, time, amount, currency,
                   counterparty, description, own account)>[-<n>]

where text is casefolded with whitespace runs as one space, the amount has
two decimals, and ``n`` (from 2) counts identical rows of the same day in
date order: ``row-20261102-5c1f0e8a2b9d``, ``row-20261102-5c1f0e8a2b9d-2``.
It satisfies ``values.parse_ref`` (25 characters, and ``-n``).

**Balances.** ``closing_balance`` is the preamble's (DKB ``Kontostand vom``,
Privat ``Вихідний залишок``), else the running balance of the newest booked
row; ``opening_balance`` is the preamble's (``Вхідний залишок``), else the
oldest booked row's running balance minus its amount. Either is None when the
statement has rows in several currencies or accounts, or the row in question
shows no balance; never computed from a closing balance and the rows, since
banks differ on whether pending rows count. ING's preamble ``Saldo`` is the
balance when the file was made, not at the end of its period: not used.

Every bad value is a :class:`StatementError` (exit 2) of one line naming the
file, the record's first line, the column as the bank names it and the value::

    dkb.csv: line 7: Betrag (€) '12,3,4' is not an amount like -1.087,16 (a comma for decimals, at most cents)
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from ..values import CENT, MAX_DIGITS, MAX_YEAR, MIN_YEAR, InputError, parse_currency, parse_ref
from .layouts import DATE_FORMATS, LAYOUTS, Col, Layout, Numbers, Order, Side, Status

MAX_BYTES = 64 * 1024 * 1024  # larger than any statement a bank exports
DESCRIPTION_JOIN = " | "


class StatementError(InputError):
    """The file is not a statement in a known layout, or a value is bad (exit 2); one line."""


@dataclass(frozen=True)
class Row:
    """One transaction of a statement; money in > 0, money out < 0."""

    line: int  # the line of the file where the record starts, for messages
    date: datetime.date  # the booking date: the date of what is written
    value_date: datetime.date | None
    ref: str  # the bank's transaction id, or one made from the row (ref_from_bank False)
    counterparty: str
    description: str
    amount: Decimal  # signed, in cents; a fee charged with the row is included
    currency: str
    balance: Decimal | None  # the account's balance after the row, when the bank shows it
    fee: Decimal | None = None  # a fee charged with the row: positive, same currency
    status: Status = "booked"
    is_fee: bool = False  # the whole row is a bank fee (money out)
    ref_from_bank: bool = True
    time: datetime.time | None = None
    kind: str = ""  # the bank's type of the row: Buchungstext, ACH_CREDIT, an MCC...
    iban: str = ""  # the counterparty's IBAN or account number
    tax_id: str = ""  # the counterparty's tax id (Ukrainian ЄДРПОУ/ІПН)
    account: str = ""  # the partner's own account, for statements of several accounts

    @property
    def skipped(self) -> bool:
        """Not booked (pending, cancelled, refunded): listed by an import, never booked."""
        return self.status != "booked"


@dataclass(frozen=True)
class Statement:
    """A statement read by :func:`read_statement`: rows oldest first, skipped ones included."""

    layout: str
    rows: list[Row]
    currency: str | None  # the statement's currency when all its rows have one
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    account_hint: str | None  # the IBAN or account number the file names
    encoding: str = "utf-8"

    @property
    def booked(self) -> list[Row]:
        """The rows to book: the booked ones, oldest first."""
        return [row for row in self.rows if not row.skipped]


def read_statement(
    path: Path,
    *,
    layout: str | None = None,
    currency: str | None = None,
    account_currency: str | None = None,
) -> Statement:
    """The statement in `path`, in `layout` (a name of LAYOUTS) or in the layout that fits.

    A row's currency is the file's (its column, the layout's, the title lines'),
    else `account_currency` (the one currency of the bank account the statement is
    said to be of), else, in the tool's own layout only, `currency` (an empty
    Currency cell is the operating currency). A bank's file that names no currency
    is refused rather than read in a currency it may not be in. StatementError,
    one line, for anything else: a file that fits no layout, a bad value,
    unreadable bytes.
    """
    name = path.name
    layouts = _candidates(name, layout)
    raw = _read_bytes(path, name)
    others: dict[str, str] = {}  # why the file is in none of the structured formats
    for fmt in _formats_of(layout).values():
        reason = fmt.sniff(raw) if layout is None else None  # a named format reads it anyway
        if reason is None:
            return fmt.read(name, raw)
        others[fmt.name] = reason
    data = _Bytes(raw)
    found, why = _identify(name, data, layouts)
    if not found:
        raise StatementError(_refusal(name, data, layouts, why, others))
    chosen = _choose(found, name)
    fallback = account_currency or (currency if chosen.layout.exact_header else None)
    return _Reader(name, chosen, fallback).statement()


def identify(path: Path, *, layout: str | None = None) -> str | None:
    """The name of the layout `path` is in (None when none fits or it cannot be read). Never raises."""
    try:
        layouts = _candidates(path.name, layout)
        raw = _read_bytes(path, path.name)
    except StatementError:
        return None
    for fmt in _formats_of(layout).values():
        if fmt.sniff(raw) is None:
            return fmt.name
    data = _Bytes(raw)
    found, _ = _identify(path.name, data, layouts)
    return _choose(found, path.name).layout.name if found else None


# ---------------------------------------------------------------- bytes, text, records


@dataclass(frozen=True)
class Format:
    """A statement format with a reader of its own (XML, SWIFT), offered beside the CSV layouts.

    `sniff` says from a file's bytes why it is not in the format (None: it is,
    by its content, never its name); `read` reads it (StatementError, one line,
    for anything bad), as :func:`read_statement` does a CSV layout.
    """

    name: str
    title: str
    sniff: Callable[[bytes], str | None]
    read: Callable[[str, bytes], Statement]


def formats() -> Mapping[str, Format]:
    """The structured formats (``camt053``, ``mt940``), consulted before the CSV layouts."""
    # imported here, not above: their readers build this module's Rows and Statements
    from .formats import FORMATS

    return FORMATS


def layout_names() -> list[str]:
    """Every name ``--layout`` takes: the CSV layouts, then the structured formats."""
    return [*LAYOUTS, *formats()]


def _formats_of(layout: str | None) -> Mapping[str, Format]:
    """The structured formats to try: all of them (`layout` None), the one named, or none."""
    known = formats()
    if layout is None:
        return known
    return {layout: known[layout]} if layout in known else {}


def _candidates(name: str, layout: str | None) -> list[Layout]:
    if layout is None:
        return list(LAYOUTS.values())
    if layout in formats():
        return []
    if layout not in LAYOUTS:
        raise StatementError(
            f"{name}: unknown layout {_show(layout)}; the layouts are {', '.join(layout_names())}"
        )
    return [LAYOUTS[layout]]


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise StatementError(f"{name}: cannot read it: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise StatementError(f"{name}: not a bank statement: larger than {MAX_BYTES // 2**20} MB")
    if not data.strip():
        raise StatementError(f"{name}: not a bank statement: the file is empty")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StatementError(f"{name}: not a bank statement: a binary file, not text")
    return data


class _Bytes:
    """A file's bytes and their Unicode text, decoded once: UTF-8, or UTF-16 with its mark."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        self.encoding = "utf-16" if utf16 else "utf-8"
        try:
            self.text: str | None = data.decode("utf-16" if utf16 else "utf-8-sig")
        except UnicodeDecodeError:
            self.text = None

    def texts(self, layout: Layout) -> Iterator[tuple[str, str]]:
        """(encoding, text): UTF-8 if it decodes, else each single-byte encoding of the layout."""
        if self.text is not None:
            yield self.encoding, self.text
            return
        for encoding in layout.encodings:
            try:
                yield encoding, self.data.decode(encoding)
            except UnicodeDecodeError:
                continue


class _CsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each CSV record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise _CsvError(line, str(err)) from None
        yield line, fields
        line = reader.line_num + 1


def _clean(text: str) -> str:
    """Text as one line: control and format characters and whitespace runs become one space."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    kept = (
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else char
        for char in text
    )
    return " ".join("".join(kept).split())


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LONE_I = re.compile(r"(?<![a-z])i(?![a-z])")


def _key(text: str) -> str:
    """A header name as compared: one line, casefolded, a lone Latin i in a Cyrillic name as і."""
    key = _clean(unicodedata.normalize("NFC", text)).casefold()
    return _LONE_I.sub("і", key) if _CYRILLIC.search(key) else key


def _blank(fields: Sequence[str]) -> bool:
    return not any(field.strip() for field in fields)


# ---------------------------------------------------------------- the header


@dataclass(frozen=True)
class _Found:
    """Where a layout's header is in a file, and what the file says before it."""

    layout: Layout
    encoding: str
    text: str
    delimiter: str
    record: int  # the header's index among the file's records
    cells: tuple[str, ...]  # the header's names as written (one line each)
    index: Mapping[Col, int]  # each column of the layout the header has -> its position
    currency: str | None  # a currency the header names (Сума в валюті картки (UAH))
    preamble: tuple[tuple[int, tuple[str, ...]], ...]  # (line, fields) before the header


def _columns(layout: Layout) -> list[Col]:
    out: list[Col] = []
    for mapping in (layout.columns, layout.money_in, layout.money_out):
        for cols in mapping.values():
            out.extend(c for c in cols if c not in out)
    out.extend(c for c in layout.overflow if c not in out)
    return out


def _position(keys: Sequence[str], column: Col) -> tuple[int, str | None] | None:
    start = 0
    if column.after:
        after = _key(column.after)
        if after not in keys:
            return None
        start = keys.index(after) + 1
    names = {_key(name) for name in column.names}
    for index in range(start, len(keys)):
        if keys[index] in names:
            return index, None
        if column.pattern:
            match = re.fullmatch(column.pattern, keys[index])
            if match:
                currency = match.groupdict().get("currency")
                return index, currency.upper() if currency else None
    return None


def _header(fields: Sequence[str], layout: Layout) -> tuple[dict[Col, int], str | None] | None:
    """The columns of `layout` in a header record, or None if the record is not its header."""
    keys = [_key(field) for field in fields]
    while keys and not keys[-1]:
        keys.pop()
    if layout.exact_header and keys != [_key(name) for name in layout.header]:
        return None
    index: dict[Col, int] = {}
    currency = None
    for column in _columns(layout):
        found = _position(keys, column)
        if found is None:
            if column.required:
                return None
            continue
        index[column] = found[0]
        currency = currency or found[1]
    return index, currency


def _locate(encoding: str, text: str, layout: Layout) -> _Found | None:
    for delimiter in layout.delimiters:
        preamble: list[tuple[int, tuple[str, ...]]] = []
        try:
            for number, (line, fields) in enumerate(_records(text, delimiter)):
                if _blank(fields):
                    continue
                hit = _header(fields, layout)
                if hit is not None:
                    cells = [_clean(field) for field in fields]
                    while cells and not cells[-1]:
                        cells.pop()
                    return _Found(
                        layout, encoding, text, delimiter, number, tuple(cells), hit[0], hit[1],
                        tuple(preamble),
                    )  # fmt: skip
                preamble.append((line, tuple(fields)))
                if len(preamble) > layout.preamble_lines:
                    break
        except _CsvError:
            continue
    return None


def _identify(
    name: str, data: _Bytes, layouts: Sequence[Layout]
) -> tuple[list[_Found], dict[str, str]]:
    found: list[_Found] = []
    why: dict[str, str] = {}
    for layout in layouts:
        near: str | None = None
        decoded = False
        for encoding, text in data.texts(layout):
            decoded = True
            hit = _locate(encoding, text, layout)
            if hit is not None:
                found.append(hit)
                break
            near = near or _near_miss(text, layout)
        else:
            why[layout.name] = near or ("header not found" if decoded else "not UTF-8 text")
    return found, why


def _near_miss(text: str, layout: Layout) -> str | None:
    """Why the record that comes closest to the layout's header is not it: the required columns
    it lacks ('line 6 lacks Status, Umsatztyp'); None when no record has any of them."""
    required = [c for c in _columns(layout) if c.required]
    best: tuple[int, int, list[Col]] | None = None  # (columns found, line, columns missing)
    for delimiter in layout.delimiters:
        try:
            seen = 0
            for line, fields in _records(text, delimiter):
                if _blank(fields):
                    continue
                keys = [_key(field) for field in fields]
                while keys and not keys[-1]:
                    keys.pop()
                missing = [c for c in required if _position(keys, c) is None]
                hits = len(required) - len(missing)
                if hits and (best is None or hits > best[0]):
                    best = (hits, line, missing)
                seen += 1
                if seen > layout.preamble_lines:
                    break
        except _CsvError:
            continue
    if best is None:
        return None
    _, line, missing = best
    if not missing:  # every column, but not the exact header the layout wants
        return f"line {line} is not exactly the header {_show(layout.header_text(), 40)}"
    names = [_label(layout, column) for column in missing]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"line {line} lacks {shown}"


def _label(layout: Layout, column: Col) -> str:
    """A column as the bank names it: its first name, or the header name its pattern matches."""
    if column.names:
        return column.names[0]
    return next((h for h in layout.header if re.fullmatch(column.pattern, _key(h))), "?")


def _choose(found: Sequence[_Found], filename: str) -> _Found:
    """One of the layouts that fit: the bank's file name decides, then the most columns."""
    hinted = [f for f in found if f.layout.filename and re.search(f.layout.filename, filename)]
    return max(hinted or found, key=lambda f: len(f.index))


def _refusal(
    name: str,
    data: _Bytes,
    layouts: Sequence[Layout],
    why: Mapping[str, str],
    others: Mapping[str, str],
) -> str:
    if len(layouts) > 1:
        reasons = [f"{layout.name}: {why[layout.name]}" for layout in layouts]
        reasons += [f"{fmt}: {reason}" for fmt, reason in others.items()]
        return f"{name}: not a statement in any known layout ({'; '.join(reasons)})"
    layout = layouts[0]
    if why[layout.name] == "not UTF-8 text":
        return f"{name}: not a bank statement: not UTF-8 text"
    expected = layout.header_text()
    if layout.preamble_lines:
        return (
            f"{name}: not a bank statement in the expected layout ({layout.name}):"
            f" no header line like {_show(expected, 80)} in its first lines"
        )
    return (
        f"{name}: not a bank statement in the expected layout: its header is"
        f" {_show(_first_line(data, layout))}, expected '{expected}'"
    )


def _first_line(data: _Bytes, layout: Layout) -> str:
    for _, text in data.texts(layout):
        try:
            for _, fields in _records(text, layout.delimiters[0]):
                if not _blank(fields):
                    return layout.delimiters[0].join(field.strip() for field in fields)
        except _CsvError:
            return next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ""


# ---------------------------------------------------------------- values


def _show(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


@functools.lru_cache(maxsize=32)
def _number_re(numbers: Numbers) -> re.Pattern[str]:
    integer = rf"[0-9]{{1,{MAX_DIGITS}}}"
    if numbers.thousands:
        seps = "|".join(re.escape(sep) for sep in numbers.thousands)
        groups = MAX_DIGITS // 3 - 1
        integer = rf"(?:{integer}|[0-9]{{1,3}}(?P<sep>{seps})[0-9]{{3}}(?:(?P=sep)[0-9]{{3}}){{0,{groups}}})"
    marks = "".join(re.escape(mark) for mark in numbers.decimal)
    return re.compile(rf"(?P<sign>[+-]?)(?P<int>{integer})(?:[{marks}](?P<frac>[0-9]{{1,2}}))?")


def parse_money(text: str, numbers: Numbers) -> Decimal | None:
    """An amount as `numbers` writes it, in cents; None if it is not one.

    >>> from onebox_ledger.importers import layouts
    >>> parse_money("-1.234,5", layouts.COMMA_DOT), parse_money("1 234,56", layouts.SPACED)
    (Decimal('-1234.50'), Decimal('1234.56'))
    """
    value = text.strip().replace("\u2212", "-")
    for suffix in numbers.suffixes:
        if value.endswith(suffix):
            value = value[: -len(suffix)].rstrip()
            break
    match = _number_re(numbers).fullmatch(value)
    if match is None:
        return None
    digits = re.sub("[^0-9]", "", match["int"])
    return Decimal(f"{match['sign']}{digits}.{match['frac'] or '0'}").quantize(CENT)


_TIME = (
    r"(?:[ T](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_CLOCK = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?")


class _Bad(ValueError):
    """A value that is not what its column needs; the message completes '<column> <value> ...'."""


def parse_when(text: str, layout: Layout) -> tuple[datetime.date, datetime.time | None]:
    """A date (and the time, if the bank writes one) in one of the layout's formats."""
    value = text.strip()
    for name in layout.dates:
        strptime, shape = DATE_FORMATS[name]
        match = re.fullmatch(f"(?P<day>{shape}){_TIME if layout.times else ''}", value)
        if match is None:
            continue
        try:
            date = datetime.datetime.strptime(match["day"], strptime).date()
            time = _time(match) if layout.times and match["hour"] else None
        except ValueError:
            break
        if not MIN_YEAR <= date.year <= MAX_YEAR:
            raise _Bad(f"is outside the years {MIN_YEAR} to {MAX_YEAR}")
        return date, time
    when = " or ".join(layout.dates) + (" [HH:MM[:SS]]" if layout.times else "")
    raise _Bad(f"is not a date ({when})")


def _time(match: re.Match[str]) -> datetime.time:
    return datetime.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class _Value:
    title: str  # the column as the bank names it
    text: str


class _Reader:
    """Reads the records after a found header into a Statement."""

    def __init__(self, name: str, found: _Found, currency: str | None) -> None:
        self.name = name
        self.found = found
        self.layout = found.layout
        self.fallback = currency
        self.width = len(found.cells)
        self.overflow = next(
            (found.index[c] for c in self.layout.overflow if c in found.index), None
        )
        self.empty = frozenset(self.layout.empty)
        self.preamble = self._preamble()
        self.dates: dict[str, tuple[datetime.date, datetime.time | None]] = {}  # text -> read
        self.places: dict[tuple[str, Side | None], tuple[tuple[int, str], ...]] = {}

    # ------------------------------------------------------------ the statement

    def statement(self) -> Statement:
        groups: list[list[Row]] = []
        records = _records(self.found.text, self.found.delimiter)
        try:
            for number, (line, fields) in enumerate(records):
                if number > self.found.record and not _blank(fields):
                    groups.append(self._rows(line, fields))
        except _CsvError as err:
            raise StatementError(
                f"{self.name}: line {err.line}: not readable as CSV: {err}"
            ) from None
        self._check_refs([row for group in groups for row in group])
        if self._order() == "newest-first":
            groups.reverse()
        rows = [row for group in groups for row in group]
        rows.sort(key=lambda row: (row.date, row.time or datetime.time.min))
        rows = _referenced(self.name, rows)
        return self._summary(rows)

    def _order(self) -> Order:
        said = self.preamble.get("order")
        if said is not None:
            return "newest-first" if said[1].casefold() == "absteigend" else "oldest-first"
        return self.layout.order

    def _check_refs(self, rows: Sequence[Row]) -> None:
        """The tool's own layout: each row needs its own bank reference (in file order)."""
        if not self.layout.refs_required:
            return
        seen: dict[str, int] = {}
        for row in rows:
            if row.ref in seen:
                raise StatementError(
                    f"{self.name}: line {row.line}: reference {row.ref!r} is already on line"
                    f" {seen[row.ref]} (each row needs its own bank reference)"
                )
            seen[row.ref] = row.line

    def _summary(self, rows: list[Row]) -> Statement:
        currencies = {row.currency for row in rows}
        accounts = {row.account for row in rows}
        single = len(currencies) <= 1 and len(accounts) <= 1
        booked = [row for row in rows if not row.skipped]
        closing = self._balance("closing")
        if closing is None and single and booked:
            closing = booked[-1].balance
        opening = self._balance("opening")
        if opening is None and single and booked and booked[0].balance is not None:
            opening = booked[0].balance - booked[0].amount
        if currencies:
            currency = next(iter(currencies)) if len(currencies) == 1 else None
        else:
            currency = self._statement_currency()
        said = self.preamble.get("account")
        hint = said[1].replace(" ", "") if said else None
        if hint is None and len(accounts) == 1 and "" not in accounts:
            hint = next(iter(accounts))
        return Statement(
            self.layout.name, rows, currency, opening, closing, hint, self.found.encoding
        )

    # ------------------------------------------------------------ the preamble

    def _preamble(self) -> dict[str, tuple[int, str]]:
        said: dict[str, tuple[int, str]] = {}
        for line, fields in self.found.preamble:
            cells = [_clean(field) for field in fields]
            while cells and not cells[-1]:
                cells.pop()
            text = "|".join(cells)
            for key, pattern in self.layout.preamble:
                match = re.search(pattern, text, re.IGNORECASE)
                if key not in said and match:
                    said[key] = (line, match["value"].strip())
        return said

    def _balance(self, key: str) -> Decimal | None:
        said = self.preamble.get(key)
        if said is None:
            return None
        line, text = said
        number = parse_money(text, self.layout.numbers)
        if number is None:
            raise StatementError(
                f"{self.name}: line {line}: {key} balance {_show(text)} is not an amount like"
                f" {self.layout.numbers.example} ({self.layout.numbers.rule})"
            )
        return number

    def _statement_currency(self) -> str | None:
        said = self.preamble.get("currency")
        return (
            self.found.currency
            or self.layout.currency
            or (said[1].upper() if said else None)
            or self.fallback
            or self._unconverted()
        )

    @functools.cached_property
    def _unconverted_currency(self) -> tuple[str | None]:
        """The operations' one currency when no row converts (its amount in the operation's
        currency is its amount on the account): then the account is in it too. A file with
        no such column, a row in another currency, or a converted row: None."""
        if "op_currency" not in self.layout.columns:
            return (None,)
        seen: set[str] = set()
        records = _records(self.found.text, self.found.delimiter)
        try:
            for number, (line, raw) in enumerate(records):
                if number <= self.found.record or _blank(raw):
                    continue
                fields = self._align(line, raw)
                code, own = self._first(fields, "op_currency"), self._first(fields, "op_amount")
                amount = self._first(fields, "amount")
                if code is None or own is None or amount is None:
                    return (None,)
                if parse_money(own.text, self.layout.numbers) != parse_money(
                    amount.text, self.layout.numbers
                ):
                    return (None,)
                seen.add(code.text.upper())
        except (_CsvError, StatementError):
            return (None,)
        return (seen.pop(),) if len(seen) == 1 else (None,)

    def _unconverted(self) -> str | None:
        return self._unconverted_currency[0]

    # ------------------------------------------------------------ one record

    def _fail(self, line: int, value: _Value, why: str) -> StatementError:
        return StatementError(f"{self.name}: line {line}: {value.title} {_show(value.text)} {why}")

    def _align(self, line: int, fields: list[str]) -> list[str]:
        layout, width = self.layout, self.width
        given = len(fields)
        if layout.trailing_delimiter and given > width and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) > width and self.overflow is not None:
            start, extra = self.overflow, len(fields) - width
            joined = self.found.delimiter.join(fields[start : start + extra + 1])
            fields = [*fields[:start], joined, *fields[start + extra + 1 :]]
        if len(fields) < width and not layout.strict_fields:
            fields = fields + [""] * (width - len(fields))
        if len(fields) != width:
            header = self.found.delimiter.join(self.found.cells)
            raise StatementError(
                f"{self.name}: line {line}: {given} fields, expected {width} ({header})"
            )
        return fields

    def _where(self, name: str, side: Side | None) -> tuple[tuple[int, str], ...]:
        """(position, title) of the columns a field is read from, for a side; found once."""
        known = self.places.get((name, side))
        if known is None:
            mapping: Mapping[str, tuple[Col, ...]] = self.layout.columns
            if side == "in" and name in self.layout.money_in:
                mapping = self.layout.money_in
            elif side == "out" and name in self.layout.money_out:
                mapping = self.layout.money_out
            index = self.found.index
            known = self.places[(name, side)] = tuple(
                (index[column], self.found.cells[index[column]])
                for column in mapping.get(name, ())
                if column in index
            )
        return known

    def _values(self, fields: Sequence[str], name: str, side: Side | None) -> list[_Value]:
        out = []
        for index, title in self._where(name, side):
            text = fields[index].strip()
            if text and text not in self.empty:
                out.append(_Value(title, text))
        return out

    def _first(self, fields: Sequence[str], name: str, side: Side | None = None) -> _Value | None:
        for index, title in self._where(name, side):
            text = fields[index].strip()
            if text and text not in self.empty:
                return _Value(title, text)
        return None

    def _text(self, fields: Sequence[str], name: str, side: Side | None = None) -> str:
        values = self._values(fields, name, side)
        if name == "description":
            return DESCRIPTION_JOIN.join(_clean(value.text) for value in values)
        return _clean(values[0].text) if values else ""

    def _required(self, line: int, fields: Sequence[str], name: str, side: Side | None) -> _Value:
        value = self._first(fields, name, side)
        if value is None:
            mapping = self.layout.columns
            if side == "in" and name in self.layout.money_in:
                mapping = self.layout.money_in
            elif side == "out" and name in self.layout.money_out:
                mapping = self.layout.money_out
            columns = [self.found.index[c] for c in mapping.get(name, ()) if c in self.found.index]
            title = " or ".join(self.found.cells[i] for i in columns) or name
            raise StatementError(f"{self.name}: line {line}: {title} is empty")
        return value

    def _money(self, line: int, value: _Value) -> Decimal:
        number = parse_money(value.text, self.layout.numbers)
        if number is None:
            numbers = self.layout.numbers
            raise self._fail(
                line, value, f"is not an amount like {numbers.example} ({numbers.rule})"
            )
        return number

    def _when(self, line: int, value: _Value) -> tuple[datetime.date, datetime.time | None]:
        known = self.dates.get(value.text)  # a statement repeats its dates: read each once
        if known is not None:
            return known
        try:
            known = self.dates[value.text] = parse_when(value.text, self.layout)
        except _Bad as err:
            raise self._fail(line, value, str(err)) from None
        return known

    def _rows(self, line: int, raw: list[str]) -> list[Row]:
        layout = self.layout
        fields = self._align(line, raw)
        for name, pattern in layout.ignore:
            if re.search(pattern, self._text(fields, name).casefold()):
                return []
        status = self._status(line, fields)
        date, time = self._when(line, self._required(line, fields, "date", None))
        clock = self._first(fields, "time")
        if clock is not None:
            match = _CLOCK.fullmatch(clock.text)
            try:
                time = _time(match) if match else None
            except ValueError:
                time = None
            if time is None:
                raise self._fail(line, clock, "is not a time (HH:MM:SS)")
        value = self._first(fields, "value_date")
        value_date = self._when(line, value)[0] if value is not None else None
        legs = self._legs(line, fields)
        bank_ref = self._first(fields, "ref")
        if bank_ref is None and layout.refs_required:
            self._required(line, fields, "ref", None)
        out = []
        for side, amount, fee in legs:
            description = self._text(fields, "description", side)
            counterparty = self._text(fields, "counterparty", side) or self._named(description)
            kind = self._text(fields, "kind", side)
            ref = ""
            if bank_ref is not None:
                ref = bank_ref.text if len(legs) == 1 else f"{bank_ref.text}:{side}"
                try:
                    ref = parse_ref(ref)
                except InputError as err:
                    raise StatementError(f"{self.name}: line {line}: {err}") from None
            balance = self._first(fields, "balance", side) if len(legs) == 1 else None
            out.append(
                Row(
                    line=line,
                    date=date,
                    value_date=value_date,
                    ref=ref,
                    counterparty=counterparty,
                    description=description,
                    amount=amount,
                    currency=self._currency(line, fields, side),
                    balance=self._money(line, balance) if balance is not None else None,
                    fee=fee,
                    status=status,
                    is_fee=amount < 0 and self._is_fee(kind, description),
                    ref_from_bank=bank_ref is not None,
                    time=time,
                    kind=kind,
                    iban=self._text(fields, "iban", side).replace(" ", ""),
                    tax_id=self._text(fields, "tax_id", side).replace(" ", ""),
                    account=self._text(fields, "account", side).replace(" ", ""),
                )
            )
        return out

    def _status(self, line: int, fields: Sequence[str]) -> Status:
        value = self._first(fields, "status")
        if value is None:
            return "booked"
        status = self.layout.statuses.get(_key(value.text))
        if status is None:
            known = ", ".join(sorted(self.layout.statuses))
            raise self._fail(line, value, f"is not a status this layout knows ({known})")
        return status

    def _legs(self, line: int, fields: Sequence[str]) -> list[tuple[Side, Decimal, Decimal | None]]:
        """(side, signed amount, fee) of each leg: one, or two for a move between own balances."""
        layout = self.layout
        said = self._first(fields, "direction")
        declared: Side | None = None
        if said is not None:
            declared = layout.directions.get(_key(said.text))
            if declared is None:
                known = ", ".join(sorted(layout.directions))
                raise self._fail(line, said, f"is not a direction this layout knows ({known})")
        if "debit" in layout.columns:
            way, amount = self._debit_credit(line, fields)
            if said is not None and declared != way:
                raise self._fail(line, said, f"disagrees with the amount {amount}")
            return [(way, amount, self._fee(line, fields, way))]
        sides: list[Side | None] = ["out", "in"] if declared == "both" else [declared]
        legs: list[tuple[Side, Decimal, Decimal | None]] = []
        for wanted in sides:
            value = self._required(line, fields, "amount", wanted)
            number = self._money(line, value)
            if wanted is None:
                side: Side = "out" if number < 0 else "in"
            elif wanted == "in" and number < 0 and said is not None:
                raise self._fail(line, value, f"is money out, but {said.title} is {said.text!r}")
            else:
                side = wanted
            amount = -abs(number) if side == "out" else abs(number)
            fee = self._fee(line, fields, side)
            if fee is not None and side in layout.fee_outside:
                amount -= fee
            legs.append((side, amount, fee))
        return legs

    def _debit_credit(self, line: int, fields: Sequence[str]) -> tuple[Side, Decimal]:
        debit, credit = self._first(fields, "debit"), self._first(fields, "credit")
        out = abs(self._money(line, debit)) if debit is not None else None
        into = abs(self._money(line, credit)) if credit is not None else None
        if debit is not None and credit is not None and out and into:
            raise StatementError(
                f"{self.name}: line {line}: both {debit.title} {debit.text!r} and"
                f" {credit.title} {credit.text!r} are filled"
            )
        if out:
            return "out", -out
        if into is not None:
            return "in", into
        if out is not None:
            return "out", -out
        names = [
            self.found.cells[self.found.index[c]]
            for c in (*self.layout.columns["debit"], *self.layout.columns["credit"])
        ]
        raise StatementError(f"{self.name}: line {line}: {' and '.join(names)} are both empty")

    def _fee(self, line: int, fields: Sequence[str], side: Side) -> Decimal | None:
        value = self._first(fields, "fee", side)
        if value is None:
            return None
        currency = self._first(fields, "fee_currency", side)
        if currency is not None and currency.text.upper() != self._currency(line, fields, side):
            return None  # charged in the other side's currency: not on this account
        fee = abs(self._money(line, value))
        return fee or None

    def _currency(self, line: int, fields: Sequence[str], side: Side) -> str:
        value = self._first(fields, "currency", side)
        code = value.text if value is not None else self._statement_currency()
        if code is None:
            raise StatementError(
                f"{self.name}: line {line}: no currency: the row names none and the statement"
                " names none (name the bank account it is of with --account)"
            )
        try:
            return parse_currency(code)
        except InputError as err:
            raise StatementError(f"{self.name}: line {line}: {err}") from None

    def _named(self, description: str) -> str:
        for pattern in self.layout.counterparty_patterns:
            match = re.search(pattern, description, re.IGNORECASE)
            if match:
                return _clean(match["name"])
        return ""

    def _is_fee(self, kind: str, description: str) -> bool:
        layout = self.layout
        if kind.casefold() in layout.fee_kinds:
            return True
        text = description.casefold()
        if _CYRILLIC.search(text):  # PrivatBank writes Latin i for і in its rows: Комiсiя
            text = _LONE_I.sub("і", text)
        return bool(layout.fee_pattern) and re.search(layout.fee_pattern, text) is not None


def _referenced(name: str, rows: Sequence[Row]) -> list[Row]:
    """Rows (oldest first) with unique references: see the module docstring."""
    out: list[Row] = []
    bank: dict[str, int] = {}
    made: dict[str, int] = {}
    for row in rows:
        if row.ref_from_bank:
            count = bank[row.ref] = bank.get(row.ref, 0) + 1
            if count == 1:
                out.append(row)
                continue
            try:
                out.append(replace(row, ref=parse_ref(f"{row.ref}.{count}")))
            except InputError as err:
                raise StatementError(
                    f"{name}: line {row.line}: repeated reference: {err}"
                ) from None
            continue
        material = "\x1f".join(
            (
                row.date.isoformat(),
                row.time.isoformat() if row.time else "",
                f"{row.amount:.2f}",
                row.currency,
                " ".join(row.counterparty.casefold().split()),
                " ".join(row.description.casefold().split()),
                row.account,
            )
        )
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:12]
        ref = f"row-{row.date:%Y%m%d}-{digest}"
        count = made[ref] = made.get(ref, 0) + 1
        out.append(replace(row, ref=ref if count == 1 else f"{ref}-{count}"))
    return out
