"""A CSV statement read, once its layout is found: records into rows (sides, fees, currencies,
status), the rows in date order, their references (the bank's, else one made from the row),
the balances the file shows, and :func:`read_statement`, the way in for every format.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...values import InputError, parse_currency, parse_ref
from ..layouts import Col, Order, Side, Status
from .decoding import (
    _CYRILLIC,
    _LONE_I,
    _blank,
    _Bytes,
    _clean,
    _CsvError,
    _key,
    _read_bytes,
    _records,
)
from .identification import _candidates, _choose, _formats_of, _Found, _identify, _refusal
from .refs import _referenced
from .rows import DESCRIPTION_JOIN, Row, Statement, StatementError
from .values import _CLOCK, _Bad, _show, _time, parse_money, parse_when


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
            or self._unconverted
        )

    @functools.cached_property
    def _unconverted(self) -> str | None:
        """The operations' one currency when no row converts (its amount in the operation's
        currency is its amount on the account): then the account is in it too. A file with
        no such column, a row in another currency, or a converted row: None."""
        if "op_currency" not in self.layout.columns:
            return None
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
                    return None
                if parse_money(own.text, self.layout.numbers) != parse_money(
                    amount.text, self.layout.numbers
                ):
                    return None
                seen.add(code.text.upper())
        except (_CsvError, StatementError):
            return None
        return seen.pop() if len(seen) == 1 else None

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
                    **self._operation(line, fields, amount, self._currency(line, fields, side)),
                )
            )
        return out

    def _operation(
        self, line: int, fields: Sequence[str], amount: Decimal, currency: str
    ) -> dict[str, Any]:
        """The operation's own amount and currency, when the bank converted it into the
        account's (Monobank's Сума в валюті операції and its Валюта); else nothing."""
        code, own = self._first(fields, "op_currency"), self._first(fields, "op_amount")
        if code is None or own is None or code.text.upper() == currency:
            return {}
        try:
            op_currency = parse_currency(code.text.upper())
        except InputError:
            return {}  # a code the bank writes that is no currency: the account's amount stands
        number = abs(self._money(line, own))
        return {"op_amount": number if amount > 0 else -number, "op_currency": op_currency}

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
