"""ISO 20022 camt.053 (BankToCustomerStatement, XML) read into the rows of ``statements``.

The layout ``camt053``: any version ``urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN``
from .02 (the German banks' DFÜ-Abkommen) to .08 and later, identified by the
namespace of its root ``Document``. Each ``Stmt`` is one account's statement;
each ``Ntry`` in it one row, or, for a batch entry carrying several ``TxDtls``,
one row per ``TxDtls`` (whose amounts must add up to the entry's)::

    <Ntry>                                                   Row(
      <Amt Ccy="EUR">92.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>    amount=Decimal("92.00"), currency="EUR",
      <Sts>BOOK</Sts>                                          status="booked",
      <BookgDt><Dt>2026-11-03</Dt></BookgDt>                   date=2026-11-03,
      <ValDt><Dt>2026-11-03</Dt></ValDt>                       value_date=2026-11-03,
      <AcctSvcrRef>2026110300012001</AcctSvcrRef>              ref="2026110300012001",
      <BkTxCd>...<Cd>PMNT</Cd>...<Cd>RCDT</Cd>                 kind="PMNT/RCDT/ESCT",
        <SubFmlyCd>ESCT</SubFmlyCd>...</BkTxCd>
      <NtryDtls><TxDtls>
        <RltdPties><Dbtr><Nm>Berlin Immo GmbH</Nm></Dbtr>      counterparty="Berlin Immo GmbH",
          <DbtrAcct><Id><IBAN>DE02...</IBAN></Id></DbtrAcct>   iban="DE02...",
        </RltdPties>
        <RmtInf><Ustrd>Rechnung INV-2026-10-BERLIN-IMMO</Ustrd> description="Rechnung INV-2026-10-...")
      ...

- **Amount**: ``Amt`` (a point for decimals, at most cents; ``92.000`` is
  92.00, ``92.005`` is refused) in the currency of its ``Ccy``, signed by
  ``CdtDbtInd``: ``CRDT`` money in (> 0), ``DBIT`` money out. A reversal
  (``RvslInd``) is booked the other way round by the bank, so its
  ``CdtDbtInd`` already says which way the money moved.
- **Dates**: ``BookgDt`` (``Dt``, or ``DtTm`` whose time is kept), else, for an
  entry not yet booked, ``ValDt``; ``ValDt`` is the value date.
- **Status**: ``Sts`` (``Sts/Cd`` from .07 on): ``BOOK`` booked, ``PDNG`` and
  ``FUTR`` pending, ``INFO`` info; the rows not booked are listed, never booked.
- **Reference**: the entry's ``AcctSvcrRef``, else its ``NtryRef``, else the
  transaction's ``Refs/AcctSvcrRef``, else its ``Refs/EndToEndId`` (not
  ``NOTPROVIDED``, and only when it is a valid reference: it is the payer's
  id, not the bank's), else a reference made from the row as for the CSV
  layouts. A batch's transactions take their ``Refs/AcctSvcrRef``, else the
  entry's reference with ``:1``, ``:2``..., else their ``EndToEndId``.
- **Counterparty**: the other side of the money: for money in the debtor
  (``RltdPties/Dbtr/Nm``, ``Dbtr/Pty/Nm`` from .08 on, else ``UltmtDbtr``) and
  its account ``DbtrAcct/Id/IBAN`` (else ``Othr/Id``); for money out the
  creditor (``Cdtr``, ``CdtrAcct``).
- **Description**: the ``RmtInf/Ustrd`` lines joined with a space, then the
  structured creditor references ``RmtInf/Strd/CdtrRefInf/Ref``, the
  transaction's ``AddtlTxInf`` and the entry's ``AddtlNtryInf``, joined with
  `` | ``.
- **Fee**: ``Chrgs`` of the entry (of the transaction, in a batch) in the
  row's currency: ``Rcrd/Amt`` of the records whose ``ChrgInclInd`` is not
  false (.04 on), else ``TtlChrgsAndTaxAmt``, else ``Amt`` (.02): the part of
  the amount the bank kept. A row is itself a bank fee (``Row.is_fee``) when
  it is money out with the bank transaction sub-family ``CHRG``, ``FEES`` or
  ``COMM``, or a text like ``Kontoführungsentgelt`` or ``Account fee``.
- **Kind**: ``BkTxCd/Domn``'s ``Cd/Fmly/Cd/SubFmlyCd`` (``PMNT/RCDT/ESCT``),
  else ``BkTxCd/Prtry/Cd`` (``NTRF+166``).
- **Statement**: ``Stmt/Acct/Id/IBAN`` is the account hint (and each row's
  account when a file holds several accounts' statements); the opening
  balance is the ``Bal`` of type ``OPBD`` (else ``PRCD``) of the first
  statement, the closing one the ``CLBD`` of the last, signed by ``CdtDbtInd``.

The XML is parsed by the standard library's expat through ``defusedxml``: a
document declaring an entity (billion laughs, an external entity reading a
file) is refused before anything is expanded; an external DTD is never
fetched (expat reads none). Every bad value is a StatementError of one line naming the file, the
line of the element, the entry's number in the file and the value::

    camt.xml: line 41: entry 2: Amt '12,50' is not an amount like 1087.16 (a point for decimals, at most cents)
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser

from ..values import CENT, MAX_DIGITS, MAX_YEAR, MIN_YEAR, InputError, parse_currency, parse_ref
from .layouts import DE_FEE, EN_FEE, Status
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

NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(?P<version>[0-9]{2})")
_ANY_ISO = re.compile(
    r"urn:iso:std:iso:20022:tech:xsd:(?P<message>[a-z]{4}\.[0-9]{3}\.[0-9]{3}\.[0-9]{2})"
)
STATUSES: dict[str, Status] = {
    "BOOK": "booked",
    "PDNG": "pending",
    "FUTR": "pending",
    "INFO": "info",
}
OPENING, CLOSING = ("OPBD", "PRCD"), "CLBD"
FEE_FAMILIES = frozenset({"CHRG", "FEES", "COMM"})  # ISO bank transaction sub-families of fees
_AMOUNT = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,5}})?")
_DATE = re.compile(r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_HEAD = 16 * 1024  # bytes looked at to identify a file


def sniff(data: bytes) -> str | None:
    """Why `data` is not a camt.053 statement (None: it is one): its root's namespace decides."""
    head = data[:_HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return "not XML"
    if NAMESPACE.search(text):
        return None
    other = _ANY_ISO.search(text)
    if other:
        return f"an ISO 20022 {other['message']} message, not a camt.053 statement"
    return "XML, but not in a camt.053 namespace"


def read(name: str, data: bytes) -> Statement:
    """The statement of a camt.053 file; StatementError, one line, for anything bad."""
    root, lines = _parse(name, data)
    match = (
        NAMESPACE.fullmatch(root.tag[1:].partition("}")[0]) if root.tag.startswith("{") else None
    )
    if match is None or not root.tag.endswith("}Document"):
        raise StatementError(
            f"{name}: not a camt.053 statement: its root element is {_show(root.tag)}, not a"
            " Document in a namespace urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN"
        )
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return _Reader(name, lines).statement(root)


FORMAT = Format("camt053", "ISO 20022 camt.053 bank-to-customer statement (XML)", sniff, read)


# ---------------------------------------------------------------- XML, with lines


_PLACES = ("}Document", "}Stmt", "}Bal", "}Ntry", "}TxDtls")  # the elements messages name


class _Lines(TreeBuilder):
    """A tree builder that notes the line each element a message may name starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: Any = None  # the XMLParser feeding it: its expat parser knows the line

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        if tag.endswith(_PLACES):
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse(name: str, data: bytes) -> tuple[Element, dict[Element, int]]:
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.parser = parser
    try:
        parser.feed(data)
        root: Element = parser.close()
    except EntitiesForbidden as err:
        if err.sysid or err.pubid:
            raise StatementError(
                f"{name}: refused: the XML declares the external entity {_show(str(err.name))}"
                f" ({_show(str(err.sysid or err.pubid))}), which would read another file or"
                " address; a bank statement has none"
            ) from None
        raise StatementError(
            f"{name}: refused: the XML declares the entity {_show(str(err.name))} (entities can"
            " expand a few bytes into gigabytes; a bank statement has none)"
        ) from None
    except (ExternalReferenceForbidden, DTDForbidden) as err:
        raise StatementError(
            f"{name}: refused: the XML refers to an external document"
            f" {_show(str(err.sysid or err.pubid or ''))} (a bank statement needs none)"
        ) from None
    except DefusedXmlException as err:
        raise StatementError(f"{name}: refused: {err}") from None
    except LookupError as err:  # the XML declaration names an encoding Python does not know
        raise StatementError(f"{name}: not readable XML: {err}") from None
    except ParseError as err:
        line = err.position[0] if err.position else 0
        why = str(err).partition(":")[0]
        raise StatementError(f"{name}: line {line}: not well-formed XML: {why}") from None
    return root, builder.lines


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class _Place:
    """Where a value is, for messages: '<file>: line 41: entry 2'."""

    text: str

    def fail(self, why: str) -> StatementError:
        return StatementError(f"{self.text}: {why}")


def _text(element: Element | None, path: str = "") -> str:
    found = element.find(path) if element is not None and path else element
    return _clean(found.text or "") if found is not None else ""


def _texts(element: Element | None, path: str) -> list[str]:
    if element is None:
        return []
    return [text for found in element.findall(path) if (text := _clean(found.text or ""))]


def _money(place: _Place, element: Element, what: str) -> tuple[Decimal, str]:
    """An unsigned amount of an element like <Amt Ccy="EUR">92.00</Amt>, in cents."""
    text = (element.text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise place.fail(
            f"{what} {_show(text)} is not an amount like 1087.16 (a point for decimals, at most"
            " cents)"
        )
    number = Decimal(text)
    if number != number.quantize(CENT):
        raise place.fail(f"{what} {_show(text)} has fractions of a cent")
    code = element.get("Ccy", "")
    try:
        currency = parse_currency(code)
    except InputError as err:
        raise place.fail(f"{what}: {err}") from None
    return number.quantize(CENT), currency


def _sign(place: _Place, element: Element, path: str = "CdtDbtInd") -> int:
    said = _text(element, path)
    if said == "CRDT":
        return 1
    if said == "DBIT":
        return -1
    raise place.fail(f"{path} {_show(said)} is neither CRDT nor DBIT")


def _when(
    place: _Place, element: Element | None, what: str
) -> tuple[datetime.date, datetime.time | None] | None:
    """The date (and time) of an element holding <Dt> or <DtTm>; None without it."""
    if element is None:
        return None
    day, clock = element.find("Dt"), element.find("DtTm")
    text = _text(clock if clock is not None else day)
    if day is None and clock is None:
        return None
    match = (_DATETIME if clock is not None else _DATE).fullmatch(text)
    try:
        if match is None:
            raise ValueError
        date = datetime.date.fromisoformat(match["date"])
        time = datetime.time.fromisoformat(match["time"]) if clock is not None else None
    except ValueError:
        tag = "DtTm" if clock is not None else "Dt"
        shape = "YYYY-MM-DDThh:mm:ss" if clock is not None else "YYYY-MM-DD"
        raise place.fail(f"{what}/{tag} {_show(text)} is not a date ({shape})") from None
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise place.fail(f"{what} {_show(text)} is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return date, time


def _kind(element: Element | None) -> str:
    """The bank transaction code: domain/family/sub-family, else the proprietary code."""
    if element is None:
        return ""
    codes = [_text(element, path) for path in ("Domn/Cd", "Domn/Fmly/Cd", "Domn/Fmly/SubFmlyCd")]
    if all(codes):
        return "/".join(codes)
    return _text(element, "Prtry/Cd")


def _account(element: Element | None) -> str:
    """An account's IBAN, else its other id."""
    return (_text(element, "Id/IBAN") or _text(element, "Id/Othr/Id")).replace(" ", "")


# ---------------------------------------------------------------- the statement


class _Reader:
    def __init__(self, name: str, lines: dict[Element, int]) -> None:
        self.name = name
        self.lines = lines
        self.entries = 0  # entries read so far: an entry's number in the file

    def place(self, element: Element, entry: int | None = None) -> _Place:
        line = self.lines.get(element, 0)
        return _Place(f"{self.name}: line {line}" + (f": entry {entry}" if entry else ""))

    def statement(self, root: Element) -> Statement:
        statements = root.findall("BkToCstmrStmt/Stmt")
        if not statements:
            raise self.place(root).fail("not a bank statement: Document/BkToCstmrStmt has no Stmt")
        accounts = [_account(stmt.find("Acct")) for stmt in statements]
        several = len(set(accounts)) > 1
        rows: list[Row] = []
        currencies: list[str] = []
        for stmt, account in zip(statements, accounts, strict=True):
            currencies.append(_text(stmt, "Acct/Ccy"))
            for entry in stmt.findall("Ntry"):
                self.entries += 1
                rows.extend(self.rows(entry, self.entries, account if several else ""))
        rows.sort(key=lambda row: row.date)  # stable: a day's entries in the bank's order
        rows = _referenced(self.name, rows)
        opening = self.balance(statements[0], OPENING) if not several else None
        closing = self.balance(statements[-1], (CLOSING,)) if not several else None
        used = {row.currency for row in rows} or {c for c in currencies if c}
        currency = next(iter(used)) if len(used) == 1 else None
        if currency is not None:
            try:
                currency = parse_currency(currency)
            except InputError as err:
                raise self.place(statements[0]).fail(f"Acct/Ccy: {err}") from None
        hint = accounts[0] or None if not several else None
        return Statement("camt053", rows, currency, opening, closing, hint, "xml")

    def balance(self, stmt: Element, codes: Iterable[str]) -> Decimal | None:
        """The balance of the first of `codes` the statement has, signed; None without one."""
        found: dict[str, Element] = {}
        for bal in stmt.findall("Bal"):
            code = _text(bal, "Tp/CdOrPrtry/Cd") or _text(bal, "Tp/CdOrPrtry/Prtry")
            found.setdefault(code, bal)
        for code in codes:
            said = found.get(code)
            if said is None:
                continue
            place = self.place(said)
            amount = said.find("Amt")
            if amount is None:
                raise place.fail(f"balance {code} has no Amt")
            number, _ = _money(place, amount, f"balance {code} Amt")
            return number * _sign(place, said)
        return None

    # ------------------------------------------------------------ one entry

    def rows(self, entry: Element, number: int, account: str) -> list[Row]:
        place = self.place(entry, number)
        amount_element = entry.find("Amt")
        if amount_element is None:
            raise place.fail("Ntry has no Amt")
        amount, currency = _money(place, amount_element, "Amt")
        amount *= _sign(place, entry)
        status = self.status(place, entry)
        booked = _when(place, entry.find("BookgDt"), "BookgDt")
        value = _when(place, entry.find("ValDt"), "ValDt")
        when = booked or value
        if when is None:
            raise place.fail("Ntry has neither BookgDt nor ValDt")
        ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        details = entry.findall("NtryDtls/TxDtls")
        if len(details) == 1:
            ref = ref or _text(details[0], "Refs/AcctSvcrRef")
        common = {
            "date": when[0],
            "time": when[1],
            "value_date": value[0] if value else None,
            "currency": currency,
            "status": status,
            "account": account,
        }
        notes = _texts(entry, "AddtlNtryInf")
        kind = _kind(entry.find("BkTxCd"))
        if len(details) <= 1:
            detail = details[0] if details else None
            fee = self.fee(place, entry, currency) or (
                self.fee(place, detail, currency) if detail is not None else None
            )
            return [
                self.row(
                    place, self.lines.get(entry, 0), detail, amount, fee, ref, kind, notes, common
                )
            ]
        out = []
        for index, detail in enumerate(details, 1):
            where = _Place(f"{place.text}: transaction {index} of {len(details)}")
            part = detail.find("AmtDtls/TxAmt/Amt")
            if part is None:
                part = detail.find("Amt")
            if part is None:
                raise where.fail("TxDtls has no amount (AmtDtls/TxAmt/Amt or Amt)")
            share, share_currency = _money(where, part, "Amt")
            if share_currency != currency:
                raise where.fail(f"Amt is in {share_currency}, the entry in {currency}")
            if detail.find("CdtDbtInd") is not None:
                share *= _sign(where, detail)
            else:
                share *= 1 if amount > 0 else -1
            own = _text(detail, "Refs/AcctSvcrRef") or (f"{ref}:{index}" if ref else "")
            fee = self.fee(where, detail, currency)
            line = self.lines.get(detail, 0)
            row = self.row(
                where, line, detail, share, fee, own, _kind(detail.find("BkTxCd")) or kind,
                notes, common,
            )  # fmt: skip
            out.append(row)
        total = sum((row.amount for row in out), Decimal(0))
        if total != amount:
            raise place.fail(
                f"its {len(details)} transactions (TxDtls) add up to {total}, not the entry's"
                f" {amount}"
            )
        return out

    def status(self, place: _Place, entry: Element) -> Status:
        said = _text(entry, "Sts/Cd") or _text(entry, "Sts/Prtry") or _text(entry, "Sts")
        status = STATUSES.get(said)
        if status is None:
            raise place.fail(f"Sts {_show(said)} is not BOOK, PDNG, FUTR or INFO")
        return status

    def fee(self, place: _Place, element: Element | None, currency: str) -> Decimal | None:
        """The charges the bank kept of the amount, in its currency; None without any."""
        if element is None:
            return None
        total = Decimal(0)
        for charges in element.findall("Chrgs"):
            records = charges.findall("Rcrd")
            if records:
                amounts = [
                    r.find("Amt") for r in records if _text(r, "ChrgInclInd").lower() != "false"
                ]
            elif charges.find("TtlChrgsAndTaxAmt") is not None:
                amounts = [charges.find("TtlChrgsAndTaxAmt")]
            else:
                amounts = [charges.find("Amt")]
            for found in amounts:
                if found is None:
                    continue
                number, code = _money(place, found, "Chrgs amount")
                if code == currency:  # charged in another currency: not on this account
                    total += number
        return total or None

    def row(
        self,
        place: _Place,
        line: int,
        detail: Element | None,
        amount: Decimal,
        fee: Decimal | None,
        ref: str,
        kind: str,
        notes: list[str],
        common: dict[str, Any],
    ) -> Row:
        role = "Dbtr" if amount > 0 else "Cdtr"
        counterparty = ""
        for path in (f"{role}/Nm", f"{role}/Pty/Nm", f"Ultmt{role}/Nm", f"Ultmt{role}/Pty/Nm"):
            counterparty = _text(detail, f"RltdPties/{path}") if detail is not None else ""
            if counterparty:
                break
        iban = _account(detail.find(f"RltdPties/{role}Acct")) if detail is not None else ""
        remittance = " ".join(_texts(detail, "RmtInf/Ustrd"))
        parts = [
            remittance,
            *_texts(detail, "RmtInf/Strd/CdtrRefInf/Ref"),
            *_texts(detail, "AddtlTxInf"),
            *notes,
        ]
        description = DESCRIPTION_JOIN.join(part for part in parts if part)
        from_bank = bool(ref)
        if not ref and detail is not None:
            end_to_end = _text(detail, "Refs/EndToEndId")
            try:
                if end_to_end and end_to_end.upper() != "NOTPROVIDED":
                    ref, from_bank = parse_ref(end_to_end), True
            except InputError:
                pass  # the payer's id, not the bank's: a made reference instead
        elif ref:
            try:
                ref = parse_ref(ref)
            except InputError as err:
                raise place.fail(str(err)) from None
        return Row(
            line=line,
            ref=ref,
            counterparty=counterparty,
            description=description,
            amount=amount,
            balance=None,
            fee=fee,
            is_fee=amount < 0 and _is_fee(kind, description),
            ref_from_bank=from_bank,
            kind=kind,
            iban=iban,
            **common,
        )


def _is_fee(kind: str, description: str) -> bool:
    if kind.rpartition("/")[2] in FEE_FAMILIES:
        return True
    text = description.casefold()
    return re.search(DE_FEE, text) is not None or re.search(EN_FEE, text) is not None
