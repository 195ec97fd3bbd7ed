"""SWIFT MT940 (customer statement message) read into the rows of ``statements``.

The layout ``mt940``, identified by its content: a line starting ``:20:`` and
one starting ``:61:`` (or ``:60F:``, a statement without transactions). The
file is parsed by Tryton's ``mt940`` package; before that, every field is
checked here, so a bad value is refused with its line (the package reports
none) and what the package does not read is read here (``:60M:``/``:62M:``,
the year of an entry date in January for a value date in December)::

    :20:STARTUMSE                                      statement reference
    :25:37040044/0532013000                            account_hint "37040044/0532013000"
    :28C:00011/001
    :60F:C261031EUR1500,00                             opening balance 1500.00 EUR
    :61:2611031103CR92,00NTRFNONREF//2026110300012001  value 2026-11-03, entry 2026-11-03, +92.00,
                                                       type NTRF, ref "2026110300012001"
    :86:166?00GUTSCHR. UEBERWEISUNG?100931?20EREF+BI-  kind "GUTSCHR. UEBERWEISUNG",
    2026-11-0042?21SVWZ+Rechnung INV-2026-10-BERLIN-   description "EREF+BI-2026-11-0042 SVWZ+Rechnung
    IMMO?30BYLADEM1001?31DE02120300000000202051?32Berl INV-2026-10-BERLIN-IMMO",
    in Immo GmbH                                       iban DE02..., counterparty "Berlin Immo GmbH"
    ...                                                (the month's other :61: and :86: lines)
    :62F:C261130EUR284,50                              closing balance 284.50 EUR

- **:61:** (the statement line): the value date ``YYMMDD``, the entry (booking)
  date ``MMDD`` (its year the value date's, or the next or previous one
  across a new year), the mark ``C`` credit, ``D`` debit, ``RC`` reversal of
  a credit (money out), ``RD`` reversal of a debit (money in), an optional
  funds code, the amount with a decimal comma (``92,`` is 92.00; at most
  cents), the transaction type (``NTRF``, ``NMSC``...), the reference for the
  account owner, ``//`` and the bank's reference, and on a second line the
  supplementary details. The row's date is the entry date, else the value date.
- **Reference**: the bank's reference, else the account owner's, ``NONREF``
  being none, else one made from the row as for the CSV layouts.
- **:86:** (the information to the account owner): German banks write it in
  subfields, a three-digit business transaction code then ``?00`` the
  booking text (the row's kind), ``?20``..``?29`` and ``?60``..``?63`` the
  purpose (joined as written, since a subfield is cut every 27 characters
  even inside a word, with a space before each SEPA keyword such as
  ``EREF+`` or ``SVWZ+``), ``?31`` the counterparty's IBAN or account
  number, ``?32``/``?33`` the counterparty's name. Any other ``:86:`` is free
  text, its lines joined with a space. The supplementary details of ``:61:``
  follow it in the description. The kind is ``?00``, else the ``:61:`` type.
- **Balances**: ``:60F:`` (or ``:60M:``, a statement's later page) of the first
  message is the opening balance, ``:62F:`` (or ``:62M:``) of the last the
  closing one, signed by ``C``/``D``, and their currency the rows'. ``:64:``
  (the available balance) and ``:65:`` are not used. ``:25:`` is the account
  hint (each row's account when a file holds several accounts' messages).
- A message needs ``:20:``, ``:25:``, ``:28C:``, an opening balance before its
  ``:61:`` lines and a closing balance after them; a file cut short is
  refused, never read as far as it goes.
- A row is a bank fee when it is money out whose booking text or purpose
  reads like one (``Entgelt``, ``Abschluss``, ``Account fee``) or whose
  business transaction code is 805 or 808 (closing, fees).

Every bad value is a StatementError of one line naming the file, the line of
the field and the value::

    mt940.sta: line 7: :61: amount '92.00' is not an amount like 1087,16 (a comma for decimals, at most cents)
"""

from __future__ import annotations

import datetime
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import mt940

from ..values import CENT, InputError, parse_currency, parse_ref
from .layouts import DE_FEE, EN_FEE
from .statements.decoding import _clean
from .statements.refs import _referenced
from .statements.rows import (
    DESCRIPTION_JOIN,
    Format,
    Row,
    Statement,
    StatementError,
)
from .statements.values import _show

FEE_CODES = frozenset({"805", "808"})  # German business transaction codes: closing, fees
NONE_REF = "NONREF"
SEPA_KEYWORDS = re.compile(r"(?<!^)(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_TAG = re.compile(r"^:(?P<tag>[0-9]{2}[A-Z]?):(?P<value>.*)$")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>[0-9]{6})(?P<currency>[A-Z]{3})(?P<amount>.*)")
_LINE = re.compile(
    r"(?P<date>[0-9]{6})(?P<entry>[0-9]{4})?(?P<mark>RC|RD|C|D)(?P<fund>[A-Z])?"
    r"(?P<amount>[^A-Z]*?)(?P<type>[SNF][A-Z0-9]{3})(?P<customer>.*?)(?://(?P<bank>.*))?"
)
_AMOUNT = re.compile(r"[0-9]{1,12},[0-9]{0,2}")  # 15 characters at most, the comma included
_SUBFIELD = re.compile(r"\?(?P<key>[0-9]{2})")
_STRUCTURED = re.compile(r"^[0-9]{3}\?")
_HEAD = 64 * 1024
_STARTS = re.compile(r"^:20:", re.MULTILINE)
_ENTRIES = re.compile(r"^:(61|60F|60M):", re.MULTILINE)


def sniff(data: bytes) -> str | None:
    """Why `data` is not an MT940 statement (None: it is one): its :20: and :61: lines decide."""
    text = data[:_HEAD].decode("iso-8859-1")
    if _STARTS.search(text) and _ENTRIES.search(text):
        return None
    return "no SWIFT :20: and :61: lines"


def read(name: str, data: bytes) -> Statement:
    """The statement of an MT940 file; StatementError, one line, for anything bad."""
    encoding, text = _decode(data)
    messages = _messages(name, text)
    try:
        parsed = mt940.MT940(io.StringIO("\n".join(_lines(text))))
    except (ArithmeticError, AttributeError, IndexError, TypeError, ValueError) as err:
        raise StatementError(f"{name}: the mt940 package cannot read it: {err}") from None
    return _Reader(name, encoding, messages, parsed.statements).statement()


FORMAT = Format("mt940", "SWIFT MT940 customer statement", sniff, read)


# ---------------------------------------------------------------- text and fields


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8, else Windows-1252 or ISO-8859-1, as German banks write MT940 files."""
    try:
        return "utf-8", data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        return "iso-8859-1", data.decode("iso-8859-1")  # every byte is a character


def _lines(text: str) -> list[str]:
    return text.splitlines()


@dataclass
class _Field:
    line: int
    tag: str
    value: str  # its lines joined with "\n"


@dataclass
class _Message:
    """One statement message (from :20: to its end), its fields checked."""

    line: int
    fields: list[_Field] = field(default_factory=list)

    @property
    def account(self) -> str:
        found = self.first("25")
        return found.value if found is not None else ""

    def first(self, *tags: str) -> _Field | None:
        return next((f for f in self.fields if f.tag in tags), None)

    def last(self, *tags: str) -> _Field | None:
        return next((f for f in reversed(self.fields) if f.tag in tags), None)


def _fields(text: str) -> Iterator[_Field]:
    current: _Field | None = None
    for number, raw in enumerate(_lines(text), 1):
        line = raw.rstrip()
        if line.startswith("{4:"):
            line = line[3:]
        match = _TAG.match(line)
        if match:
            if current is not None:
                yield current
            current = _Field(number, match["tag"], match["value"])
        elif line.startswith("-") or line.startswith("{") or not line:
            if current is not None:
                yield current
            current = None
        elif current is not None:
            current.value += "\n" + line
    if current is not None:
        yield current


def _messages(name: str, text: str) -> list[_Message]:
    messages: list[_Message] = []
    for found in _fields(text):
        if found.tag == "20":
            messages.append(_Message(found.line))
        if not messages:
            raise StatementError(
                f"{name}: line {found.line}: :{found.tag}: comes before the first :20:"
            )
        messages[-1].fields.append(found)
    if not messages:
        raise StatementError(f"{name}: not an MT940 statement: no :20: line")
    for message in messages:
        _check(name, message)
    return messages


def _check(name: str, message: _Message) -> None:
    """A message's structure and every value the package reads: refused here, with its line."""
    seen: set[str] = set()
    previous = ""
    for current in message.fields:
        tag = current.tag
        where = f"{name}: line {current.line}: :{tag}:"
        closed = bool(seen & {"62F", "62M"})
        if tag in ("60F", "60M", "62F", "62M", "64", "65"):
            _balance(where, current.value)
        elif tag == "61":
            if not seen & {"60F", "60M"}:
                raise StatementError(f"{where} comes before the opening balance (:60F:)")
            if closed:
                raise StatementError(f"{where} comes after the closing balance (:62F:)")
            if current.value.count("\n") > 1:
                raise StatementError(f"{where} has more than two lines")
            _statement_line(where, current.value.partition("\n")[0])
        elif tag == "86" and previous != "61" and not closed:
            raise StatementError(f"{where} follows no :61: line")
        seen.add(tag)
        previous = tag
    for tags, what in (
        ({"25"}, ":25: (the account)"),
        ({"28C", "28"}, ":28C: (the statement number)"),
        ({"60F", "60M"}, ":60F: (the opening balance)"),
    ):
        if not seen & tags:
            raise StatementError(f"{name}: line {message.line}: the statement has no {what}")
    if not seen & {"62F", "62M"}:
        raise StatementError(
            f"{name}: line {message.fields[-1].line}: the statement ends without its closing"
            " balance (:62F:): the file is cut short"
        )


def _amount(where: str, text: str) -> Decimal:
    if not _AMOUNT.fullmatch(text):
        raise StatementError(
            f"{where} amount {_show(text)} is not an amount like 1087,16 (a comma for decimals,"
            " at most cents)"
        )
    whole, _, cents = text.partition(",")
    return Decimal(f"{whole}.{cents or '0'}").quantize(CENT)


def _date(where: str, text: str, what: str = "date") -> datetime.date:
    date = _yymmdd(text)
    if date is None:
        raise StatementError(f"{where} {what} {_show(text)} is not a date (YYMMDD)")
    return date


@functools.lru_cache(maxsize=4096)  # a statement repeats its dates; strptime is slow
def _yymmdd(text: str) -> datetime.date | None:
    """YYMMDD as strptime's %y reads it (69-99: 1969-1999, 00-68: 2000-2068); None if no date."""
    if len(text) != 6 or not text.isdigit():
        return None
    year = int(text[:2])
    try:
        return datetime.date(year + (1900 if year >= 69 else 2000), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def _balance(where: str, text: str) -> tuple[Decimal, str, datetime.date]:
    match = _BALANCE.fullmatch(text.strip())
    if match is None:
        raise StatementError(
            f"{where} {_show(text)} is not a balance (C or D, YYMMDD, currency, amount)"
        )
    date = _date(where, match["date"])
    amount = _amount(where, match["amount"])
    try:
        currency = parse_currency(match["currency"])
    except InputError as err:
        raise StatementError(f"{where} {err}") from None
    return (amount if match["mark"] == "C" else -amount), currency, date


@dataclass(frozen=True)
class _Line:
    """What this module reads of a :61: line itself: its dates (the package guesses the year)."""

    value_date: datetime.date
    entry_date: datetime.date | None


def _statement_line(where: str, text: str) -> _Line:
    match = _LINE.fullmatch(text.strip())
    if match is None:
        raise StatementError(
            f"{where} {_show(text)} is not a statement line (YYMMDD[MMDD], C, D, RC or RD,"
            " amount, type, reference)"
        )
    value = _date(where, match["date"], "value date")
    _amount(where, match["amount"])
    entry = None
    if match["entry"]:
        entry = _entry_date(where, value, match["entry"])
    return _Line(value, entry)


def _entry_date(where: str, value: datetime.date, text: str) -> datetime.date:
    """MMDD in the value date's year, or the year next to it that puts it nearest."""
    found: list[datetime.date] = []
    for year in (value.year - 1, value.year, value.year + 1):
        try:
            found.append(datetime.date(year, int(text[:2]), int(text[2:])))
        except ValueError:
            continue
    if not found:
        raise StatementError(f"{where} entry date {_show(text)} is not a date (MMDD)")
    return min(found, key=lambda day: abs((day - value).days))


# ---------------------------------------------------------------- rows


class _Reader:
    def __init__(
        self, name: str, encoding: str, messages: Sequence[_Message], parsed: Sequence[object]
    ) -> None:
        self.name = name
        self.encoding = encoding
        self.messages = messages
        self.parsed = parsed

    def statement(self) -> Statement:
        if len(self.parsed) != len(self.messages):
            raise StatementError(
                f"{self.name}: the mt940 package read {len(self.parsed)} statements, the file has"
                f" {len(self.messages)} :20: lines"
            )
        accounts = [_clean(m.account) for m in self.messages]
        several = len(set(accounts)) > 1
        rows: list[Row] = []
        for message, parsed, account in zip(self.messages, self.parsed, accounts, strict=True):
            rows.extend(self.rows(message, parsed, account if several else ""))
        rows.sort(key=lambda row: row.date)
        rows = _referenced(self.name, rows)
        first, last = self.messages[0], self.messages[-1]
        opening = self.balance(first, ("60F", "60M"))
        closing = self.balance(last, ("62F", "62M"))
        currencies = {row.currency for row in rows} or {opening[1]}
        currency = next(iter(currencies)) if len(currencies) == 1 else None
        return Statement(
            "mt940",
            rows,
            currency,
            None if several else opening[0],
            None if several else closing[0],
            None if several else accounts[0] or None,
            self.encoding,
        )

    def balance(self, message: _Message, tags: tuple[str, ...]) -> tuple[Decimal, str]:
        found = message.first(*tags) if tags[0].startswith("60") else message.last(*tags)
        assert found is not None  # _check made sure
        amount, currency, _ = _balance("", found.value)
        return amount, currency

    def rows(self, message: _Message, parsed: object, account: str) -> list[Row]:
        currency = self.balance(message, ("60F", "60M"))[1]
        lines = [f for f in message.fields if f.tag == "61"]
        following = {  # each :61: line's :86:, when one follows it
            id(before): after.value
            for before, after in zip(message.fields, message.fields[1:], strict=False)
            if before.tag == "61" and after.tag == "86"
        }
        transactions = list(getattr(parsed, "transactions", []))
        if len(transactions) != len(lines):
            raise StatementError(
                f"{self.name}: line {message.line}: the mt940 package read {len(transactions)}"
                f" transactions, the statement has {len(lines)} :61: lines"
            )
        out = []
        for found, transaction in zip(lines, transactions, strict=True):
            where = f"{self.name}: line {found.line}: :61:"
            mine = _statement_line(where, found.value.partition("\n")[0])
            amount = Decimal(transaction.amount).quantize(CENT)
            said = following.get(id(found))
            info = _information(said) if said is not None else _Information()
            details = _clean(transaction.additional_data or "")
            description = DESCRIPTION_JOIN.join(p for p in (info.description, details) if p)
            kind = info.kind or _clean(transaction.id or "")
            ref, from_bank = "", False
            for candidate in (transaction.institution_reference, transaction.reference):
                text = (candidate or "").strip()
                if text and text.upper() != NONE_REF:
                    try:
                        ref, from_bank = parse_ref(text), True
                    except InputError as err:
                        raise StatementError(f"{where} {err}") from None
                    break
            out.append(
                Row(
                    line=found.line,
                    date=mine.entry_date or mine.value_date,
                    value_date=mine.value_date,
                    ref=ref,
                    counterparty=info.counterparty,
                    description=description,
                    amount=amount,
                    currency=currency,
                    balance=None,
                    is_fee=amount < 0 and _is_fee(info.code, kind, description),
                    ref_from_bank=from_bank,
                    kind=kind,
                    iban=info.iban,
                    account=account,
                )
            )
        return out


@dataclass(frozen=True)
class _Information:
    code: str = ""
    kind: str = ""
    description: str = ""
    counterparty: str = ""
    iban: str = ""


def _information(value: str) -> _Information:
    joined = "".join(value.split("\n"))
    if not _STRUCTURED.match(joined):
        return _Information(description=_clean(" ".join(value.split("\n"))))
    code, rest = joined[:3], joined[3:]
    parts: dict[str, str] = {}
    pieces = _SUBFIELD.split(rest)
    for key, text in zip(pieces[1::2], pieces[2::2], strict=True):
        parts[key] = parts.get(key, "") + text
    purpose = "".join(parts.get(f"{n}", "") for n in (*range(20, 30), *range(60, 64)))
    purpose = SEPA_KEYWORDS.sub(lambda m: " " + m.group(0), purpose)
    return _Information(
        code=code,
        kind=_clean(parts.get("00", "")),
        description=_clean(purpose),
        counterparty=_clean(parts.get("32", "") + parts.get("33", "")),
        iban=parts.get("31", "").replace(" ", ""),
    )


def _is_fee(code: str, kind: str, description: str) -> bool:
    if code in FEE_CODES:
        return True
    return any(
        re.search(pattern, text.casefold()) is not None
        for pattern in (DE_FEE, EN_FEE)
        for text in (kind, description)
    )
