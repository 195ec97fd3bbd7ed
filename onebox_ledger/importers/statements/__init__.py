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

The reader in rooms: rows (Row, Statement, Format, StatementError), decoding (bytes to text and
records), values (amounts, dates), identification (which layout: the header, the refusal), refs
(a row's reference), reading (records to rows, balances, and read_statement). This package hands
their names on: ``from onebox_ledger.importers.statements import read_statement, Row``.
"""

from __future__ import annotations

from .identification import formats, identify, layout_names
from .reading import read_statement
from .rows import DESCRIPTION_JOIN, Format, Row, Statement, StatementError
from .values import parse_money, parse_when

__all__ = [
    "DESCRIPTION_JOIN",
    "Format",
    "Row",
    "Statement",
    "StatementError",
    "formats",
    "identify",
    "layout_names",
    "parse_money",
    "parse_when",
    "read_statement",
]
