"""Bank statement layouts: one small declaration per bank export, read by ``statements``.

A layout says where each field of a row is (a column found by its header name,
never by position), how the bank writes dates and amounts, which encodings and
delimiters its files use, which order its rows are in, and what its preamble
(the lines before the header) tells. ``statements.read_statement`` is the one
reader; nothing here reads a file. For example, the DKB export (2023 on)::

    "Girokonto";"DE02120300000000202051"
    "Kontostand vom 30.11.2026:";"4.613,40 €"
    "Buchungsdatum";"Wertstellung";"Status";...;"Betrag (€)";...
    "28.11.26";"28.11.26";"Gebucht";"Berlin Immo GmbH";"ONEBOX PARTNER GMBH";...;"92";...

is declared as dates ``DD.MM.YY``, a decimal comma with ``.`` thousands
(``"92"`` is 92.00, ``"-1.234,5"`` is -1234.50), EUR, newest first, status
``Gebucht`` booked and ``Vorgemerkt`` pending, the counterparty in
``Zahlungspflichtige*r`` for money in and ``Zahlungsempfänger*in`` for money
out, the closing balance and the account from the preamble.

The fields a layout can name (``Layout.columns``): ``date`` (and ``time`` when
the bank writes it apart), ``value_date``, ``ref`` (the bank's own transaction
id), ``counterparty``, ``description``, ``kind`` (the bank's type of the
transaction: Buchungstext, ACH_CREDIT, an MCC...), the money as ``amount``
(signed, money in > 0) or ``debit`` and ``credit`` (two unsigned columns) with
an optional ``direction`` column (IN/OUT, Кредит/Дебет, S/H), ``currency``,
``balance`` (after the row), ``fee`` (charged with the row; ``fee_currency``: a fee
in another currency than the row's is not the partner's), ``status``,
``iban`` and ``tax_id`` (the counterparty's account and ЄДРПОУ/ІПН) and
``account`` (the partner's own account, for statements of several accounts).
A field given several columns takes the first that is filled, except
``description``, which joins every filled one with `` | ``. ``money_in`` and
``money_out`` name the columns that differ with the direction (Wise's source
and target sides).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

Status = Literal["booked", "pending", "cancelled", "refunded", "info"]  # info: camt.053 INFO
Side = Literal["in", "out", "both"]
Order = Literal["oldest-first", "newest-first"]

FIELDS = frozenset(
    {
        "date", "time", "value_date", "ref", "counterparty", "description", "kind", "amount",
        "debit", "credit", "direction", "currency", "balance", "fee", "fee_currency", "status",
        "iban", "tax_id", "account", "op_currency", "op_amount",
    }
)  # fmt: skip
PREAMBLE_KEYS = frozenset({"account", "opening", "closing", "currency", "order"})

# Date formats a layout may declare, as people write them, with the strptime format and shape.
DATE_FORMATS: Mapping[str, tuple[str, str]] = {
    "YYYY-MM-DD": ("%Y-%m-%d", r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "DD.MM.YYYY": ("%d.%m.%Y", r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}"),
    "DD.MM.YY": ("%d.%m.%y", r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}"),
    "MM/DD/YYYY": ("%m/%d/%Y", r"[0-9]{2}/[0-9]{2}/[0-9]{4}"),
    "DD-MM-YYYY": ("%d-%m-%Y", r"[0-9]{2}-[0-9]{2}-[0-9]{4}"),
}

NBSP, NNBSP = "\u00a0", "\u202f"


@dataclass(frozen=True)
class Col:
    """A header column, found by any of its names or by a pattern; never by its position.

    Names compare with whitespace runs (line breaks in a quoted header cell
    too) as one space, in any case, and a lone Latin ``i`` in a Cyrillic name
    read as ``і``: ``"Дата i час\\nоперації"`` is ``Дата і час операції``.
    `pattern` fully matches the name the same way and may capture the
    ``currency`` the bank writes into it (``Сума в валюті картки (UAH)``).
    `after` takes the first such column after the column of that name, for a
    name the header repeats (ING's two ``Währung``). A `required` column must be
    in the header for the layout to fit.
    """

    names: tuple[str, ...] = ()
    pattern: str = ""
    after: str = ""
    required: bool = True


def col(*names: str, after: str = "", pattern: str = "") -> Col:
    """A column the header must have."""
    return Col(names, pattern, after, True)


def opt(*names: str, after: str = "", pattern: str = "") -> Col:
    """A column read when the header has it."""
    return Col(names, pattern, after, False)


@dataclass(frozen=True)
class Numbers:
    """How a layout writes amounts: the decimal mark(s) and thousands separators.

    At most two decimals, dropped zeros allowed (``-4,9`` is -4.90); a
    thousands separator must group by three (``1.250`` is 1250 with ``.``
    thousands). Two decimal marks are declared only when the thousands
    separators are spaces, so each value reads one way. `suffixes` are
    currency signs a bank writes after the number (``-8,67 €``).
    """

    decimal: tuple[str, ...]
    thousands: tuple[str, ...]
    example: str
    suffixes: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        marks = " or ".join({".": "a point", ",": "a comma"}[mark] for mark in self.decimal)
        return f"{marks} for decimals, at most cents"


POINT = Numbers((".",), (",",), "-1087.16")
POINT_PLAIN = Numbers((".",), (), "-1087.16")
COMMA_DOT = Numbers((",",), (".",), "-1.087,16", (" €", "€", " EUR"))
SPACED = Numbers((".", ","), (" ", NBSP, NNBSP), "-1 087.16")


@dataclass(frozen=True)
class Layout:
    """One bank's export, declared; see the module docstring for the fields."""

    name: str
    title: str
    header: tuple[str, ...]  # a header line of the bank, for messages (and the exact header)
    columns: Mapping[str, tuple[Col, ...]]
    money_in: Mapping[str, tuple[Col, ...]] = field(default_factory=dict)
    money_out: Mapping[str, tuple[Col, ...]] = field(default_factory=dict)
    directions: Mapping[str, Side] = field(default_factory=dict)  # direction value -> side
    fee_outside: frozenset[Side] = frozenset()  # sides whose fee is charged on top of the amount
    dates: tuple[str, ...] = ("YYYY-MM-DD",)
    times: bool = False  # a time may follow the date: 30.11.2026 18:45:10, 2026-11-30T18:45
    numbers: Numbers = POINT
    delimiters: tuple[str, ...] = (",",)
    encodings: tuple[str, ...] = ()  # single-byte encodings tried when the file is not UTF-8
    order: Order = "oldest-first"  # the order of the bank's rows (the preamble may say otherwise)
    preamble_lines: int = 0  # records before the header at most (0: the header is first)
    exact_header: bool = False  # the header is exactly `header` (the tool's own layout)
    strict_fields: bool = False  # every row has exactly the header's fields
    trailing_delimiter: bool = False  # rows end with the delimiter (one more, empty, field)
    refs_required: bool = False  # every row carries the bank's unique reference
    statuses: Mapping[str, Status] = field(default_factory=dict)  # casefolded value -> status
    empty: tuple[str, ...] = ()  # what the bank writes for "no value" (Monobank's "—")
    currency: str | None = None  # the currency of every row, when the layout fixes it
    preamble: tuple[tuple[str, str], ...] = ()  # (key, regex over a preamble record's cells)
    counterparty_patterns: tuple[str, ...] = ()  # regexes with a "name" group, over descriptions
    fee_kinds: frozenset[str] = frozenset()  # casefolded kinds of a row that is a bank fee
    fee_pattern: str = ""  # regex (casefolded description) of a row that is a bank fee
    ignore: tuple[tuple[str, str], ...] = ()  # (field, regex): records that are no transaction
    overflow: tuple[Col, ...] = ()  # free-text column that takes unquoted delimiters
    filename: str = ""  # regex of the bank's usual file name: an identification tiebreak

    def __post_init__(self) -> None:
        for mapping in (self.columns, self.money_in, self.money_out):
            unknown = set(mapping) - FIELDS
            if unknown:
                raise ValueError(f"layout {self.name}: unknown fields {sorted(unknown)}")
        if not set(key for key, _ in self.preamble) <= PREAMBLE_KEYS:
            raise ValueError(f"layout {self.name}: unknown preamble keys")
        if not set(self.dates) <= set(DATE_FORMATS):
            raise ValueError(f"layout {self.name}: unknown date formats")
        for pattern in (self.fee_pattern, self.filename, *self.counterparty_patterns):
            re.compile(pattern)

    def header_text(self, delimiter: str | None = None) -> str:
        return (delimiter or self.delimiters[0]).join(self.header)


# Ukrainian bank commission rows: "Комісія за ...", "Сплата комісії ...", "Списання комісії ...".
UA_FEE = r"^(сплата |списання |утримання |оплата )?комісі"


def _names(line: str) -> tuple[str, ...]:
    """A header line's names, written ';'-separated."""
    return tuple(line.split(";"))


# German bank fees: a text that starts with Entgelt (Kontoführungsentgelt, Auslandseinsatzentgelt),
# Gebühr, Kontoführung or Abschluss (the quarterly closing of the account).
DE_FEE = r"^\S*(entgelt|gebühr|gebuehr)\b|^(kontoführung|kontofuehrung|abschluss)"
# English bank fees: Account fee, Monthly service fee, Wire charges, Outgoing wire transfer fee.
EN_FEE = (
    r"^((account|monthly|service|maintenance|bank|wire|transfer|outgoing|incoming|international"
    r"|domestic)\s+)*(fee|fees|charge|charges)\b"
)
IBAN_RE = r"(?P<value>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30})"
DE_BALANCE = r"^kontostand vom [0-9.]+:?\|(?P<value>[-+]?[0-9.]+,[0-9]{1,2}) ?(?:€|eur)?$"

GENERIC = Layout(
    name="generic",
    title="onebox-ledger's own CSV (Date,Value date,Reference,...)",
    header=_names("Date;Value date;Reference;Counterparty;Description;Amount;Currency;Balance"),
    columns={
        "date": (col("Date"),),
        "value_date": (col("Value date"),),
        "ref": (col("Reference"),),
        "counterparty": (col("Counterparty"),),
        "description": (col("Description"),),
        "amount": (col("Amount"),),
        "currency": (col("Currency"),),
        "balance": (col("Balance"),),
    },
    exact_header=True,
    strict_fields=True,
    refs_required=True,
    fee_pattern=EN_FEE,
)

MONOBANK_CARD = Layout(
    name="monobank-card",
    title="Monobank card statement (Ukrainian or English headers)",
    header=_names(
        "Дата i час операції;Деталі операції;MCC;Сума в валюті картки (UAH);"
        "Сума в валюті операції;Валюта;Курс;Сума комісій (UAH);Сума кешбеку (UAH);"
        "Залишок після операції"
    ),
    columns={
        "date": (col("Дата і час операції", "Date and time"),),
        "description": (col("Деталі операції", "Description"),),
        "kind": (col("MCC"),),
        "amount": (
            col(
                pattern=r"(?:сума в валюті картки|card currency amount,?) \((?P<currency>[a-z]{3})\)"
            ),
        ),
        "fee": (opt(pattern=r"(?:сума комісій|commission,?) \([a-z]{3}\)"),),
        "balance": (opt("Залишок після операції", "Balance"),),
        "op_amount": (opt("Сума в валюті операції", "Operation amount"),),
        "op_currency": (opt("Валюта", "Operation currency", "Currency"),),
    },
    dates=("DD.MM.YYYY",),
    times=True,
    numbers=POINT_PLAIN,
    delimiters=(",", ";", "\t"),
    encodings=("cp1251",),
    order="newest-first",
    empty=("—", "-"),
    counterparty_patterns=(r"^(?:від|from):\s*(?P<name>.+)$",),
    fee_pattern=UA_FEE + r"|^commission\b",
    filename=r"(?i)^mono",
)

MONOBANK_FOP = Layout(
    name="monobank-fop",
    title="Monobank FOP (sole proprietor) account statement",
    header=_names(
        "Дата операції;Час операції;Вид операції (дебет/кредит);Деталі операції;"
        "Контрагент;ЄДРПОУ контрагента;IBAN контрагента;Сума в валюті рахунку;"
        "Сума в валюті операції;Валюта операції;Курс;Сума комісій в валюті рахунку;"
        "Залишок після операції в валюті рахунку"
    ),
    columns={
        "date": (col("Дата та час операції", "Дата і час операції", "Дата операції", "Date"),),
        "time": (opt("Час операції", "Time"),),
        "direction": (opt("Вид операції (дебет/кредит)", "Вид операції", "Type"),),
        "description": (col("Деталі операції", "Призначення платежу", "Details"),),
        "counterparty": (col("Контрагент", "Counterparty"),),
        "tax_id": (
            opt(
                "ЄДРПОУ/ІПН контрагента",
                "ЄДРПОУ контрагента",
                "ЄДРПОУ/РНОКПП контрагента",
                "Counterparty EDRPOU",
            ),
        ),
        "iban": (opt("IBAN контрагента", "Counterparty IBAN"),),
        "amount": (col("Сума в валюті рахунку", "Сума операції", "Amount"),),
        "currency": (opt("Валюта", "Валюта рахунку", "Currency"),),
        "fee": (opt("Сума комісій в валюті рахунку", "Сума комісій", "Commission"),),
        "balance": (
            opt("Залишок після операції в валюті рахунку", "Залишок після операції", "Balance"),
        ),
        # the operation's own amount and currency: the account's, where no row converts
        "op_amount": (opt("Сума в валюті операції", "Operation amount"),),
        "op_currency": (opt("Валюта операції", "Operation currency"),),
    },
    directions={"кредит": "in", "дебет": "out", "credit": "in", "debit": "out"},
    dates=("DD.MM.YYYY",),
    times=True,
    numbers=SPACED,
    delimiters=(",", ";", "\t"),
    encodings=("cp1251",),
    order="newest-first",
    preamble_lines=5,
    empty=("—", "-"),
    preamble=(
        ("account", IBAN_RE),
        ("currency", r"\b(?P<value>UAH|USD|EUR|GBP|PLN)\b"),
    ),
    fee_pattern=UA_FEE,
    filename=r"(?i)^mono",
)

PRIVATBANK = Layout(
    name="privatbank",
    title="Privat24 for business statement",
    header=_names(
        "ЄДРПОУ;МФО;Рахунок;Валюта;Дата операції;Код операції;МФО банку;Назва банку;"
        "Рахунок кореспондента;ЄДРПОУ кореспондента;Кореспондент;Номер документа;"
        "Дата документа;Дебет;Кредит;Призначення платежу;Гривневе покриття"
    ),
    columns={
        "account": (col("Рахунок"),),
        "currency": (col("Валюта"),),
        "date": (col("Дата операції"),),
        "kind": (opt("Код операції"),),
        "iban": (opt("Рахунок кореспондента"),),
        "tax_id": (opt("ЄДРПОУ кореспондента"),),
        "counterparty": (col("Кореспондент"),),
        "debit": (col("Дебет"),),
        "credit": (col("Кредит"),),
        "description": (col("Призначення платежу"),),
    },
    dates=("DD.MM.YYYY",),
    times=True,
    numbers=SPACED,
    delimiters=(";", "\t"),
    trailing_delimiter=True,
    encodings=("cp1251",),
    order="newest-first",
    preamble_lines=10,
    preamble=(
        ("account", IBAN_RE),
        ("opening", r"^вхідний залишок\|(?P<value>[-+]?[0-9 .,\u00a0]+)$"),
        ("closing", r"^вихідний залишок\|(?P<value>[-+]?[0-9 .,\u00a0]+)$"),
    ),
    fee_pattern=UA_FEE,
    overflow=(col("Призначення платежу"),),
    filename=r"(?i)(privat|виписка|vypyska)",
)

# Privat24's other export: one signed Сума where the first has Дебет and Кредит, and
# Номер документу; the rest as PRIVATBANK.
PRIVATBANK_SUM = replace(
    PRIVATBANK,
    name="privatbank-sum",
    title="Privat24 for business statement, one signed Сума column",
    header=_names(
        "ЄДРПОУ;МФО;Рахунок;Валюта;Номер документу;Дата операції;МФО банку;Назва банку;"
        "Рахунок кореспондента;ЄДРПОУ кореспондента;Кореспондент;Сума;Призначення платежу"
    ),
    columns={
        **{k: v for k, v in PRIVATBANK.columns.items() if k not in ("kind", "debit", "credit")},
        "amount": (col("Сума"),),
    },
)

DKB = Layout(
    name="dkb",
    title="DKB online banking export (2023 on)",
    header=_names(
        "Buchungsdatum;Wertstellung;Status;Zahlungspflichtige*r;Zahlungsempfänger*in;"
        "Verwendungszweck;Umsatztyp;IBAN;Betrag (€);Gläubiger-ID;Mandatsreferenz;"
        "Kundenreferenz"
    ),
    columns={
        "date": (col("Buchungsdatum"),),
        "value_date": (opt("Wertstellung"),),
        "status": (col("Status"),),
        "description": (col("Verwendungszweck"),),
        "kind": (opt("Umsatztyp"),),
        "iban": (opt("IBAN"),),
        "amount": (col("Betrag (€)", "Betrag (EUR)", "Betrag"),),
    },
    money_in={"counterparty": (col("Zahlungspflichtige*r"),)},
    money_out={"counterparty": (col("Zahlungsempfänger*in"),)},
    dates=("DD.MM.YY", "DD.MM.YYYY"),
    numbers=COMMA_DOT,
    delimiters=(";", ",", "\t"),
    encodings=("cp1252",),
    order="newest-first",
    preamble_lines=12,
    statuses={"gebucht": "booked", "vorgemerkt": "pending"},
    currency="EUR",
    preamble=(
        ("account", r"^(?:girokonto|tagesgeld|[^|]*konto[^|]*)\|" + IBAN_RE),
        ("closing", DE_BALANCE),
    ),
    fee_pattern=DE_FEE,
    filename=r"(?i)umsatzliste",
)

DKB_LEGACY = Layout(
    name="dkb-legacy",
    title="DKB online banking export (before 2023)",
    header=_names(
        "Buchungstag;Wertstellung;Buchungstext;Auftraggeber / Begünstigter;"
        "Verwendungszweck;Kontonummer;BLZ;Betrag (EUR);Gläubiger-ID;Mandatsreferenz;"
        "Kundenreferenz"
    ),
    columns={
        "date": (col("Buchungstag"),),
        "value_date": (opt("Wertstellung"),),
        "kind": (col("Buchungstext"),),
        "counterparty": (col("Auftraggeber / Begünstigter"),),
        "description": (col("Verwendungszweck"),),
        "iban": (opt("Kontonummer"),),
        "amount": (col("Betrag (EUR)"),),
    },
    dates=("DD.MM.YYYY",),
    numbers=COMMA_DOT,
    delimiters=(";", "\t"),
    trailing_delimiter=True,
    encodings=("iso-8859-1",),
    order="newest-first",
    preamble_lines=12,
    currency="EUR",
    preamble=(
        ("account", r"^kontonummer:\|" + IBAN_RE),
        ("closing", DE_BALANCE),
    ),
    fee_kinds=frozenset({"abschluss", "entgelt", "kontoführung"}),
    fee_pattern=DE_FEE,
    ignore=(("description", r"^tagessaldo$"),),
    filename=r"^(DE[0-9]{20}|[0-9]{10})\.csv$",
)

ING = Layout(
    name="ing",
    title="ING Germany Umsatzanzeige",
    header=_names(
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;"
        "Währung;Betrag;Währung"
    ),
    columns={
        "date": (col("Buchung", "Buchungsdatum"),),
        "value_date": (opt("Valuta", "Wertstellungsdatum"),),
        "counterparty": (col("Auftraggeber/Empfänger"),),
        "kind": (col("Buchungstext"),),
        "description": (col("Verwendungszweck"),),
        "balance": (opt("Saldo"),),
        "amount": (col("Betrag"),),
        "currency": (col("Währung", after="Betrag"),),
    },
    dates=("DD.MM.YYYY",),
    numbers=COMMA_DOT,
    delimiters=(";", "\t"),
    encodings=("iso-8859-1",),
    order="newest-first",
    preamble_lines=20,
    preamble=(
        ("account", r"^iban\|" + IBAN_RE),
        ("order", r"^sortierung\|datum (?P<value>absteigend|aufsteigend)$"),
    ),
    fee_kinds=frozenset({"entgelt", "abschluss"}),
    fee_pattern=DE_FEE,
    overflow=(opt("Notiz"), col("Verwendungszweck")),
    filename=r"^Umsatzanzeige_",
)

CHASE = Layout(
    name="chase",
    title="Chase checking account activity",
    header=_names("Details;Posting Date;Description;Amount;Type;Balance;Check or Slip #"),
    columns={
        "date": (col("Posting Date"),),
        "description": (col("Description"),),
        "amount": (col("Amount"),),
        "kind": (col("Type"),),
        "balance": (opt("Balance"),),
    },
    dates=("MM/DD/YYYY",),
    numbers=POINT,
    trailing_delimiter=True,
    encodings=("cp1252",),
    delimiters=(",", "\t"),
    order="newest-first",
    currency="USD",
    counterparty_patterns=(
        r"orig co name:\s*(?P<name>.+?)\s+orig id:",
        r"online transfer \d+ (?:to|from) (?P<name>.+?)\s+transaction #",
    ),
    fee_kinds=frozenset({"fee_transaction"}),
    filename=r"(?i)^chase.*activity.*\.csv$",
)

WISE = Layout(
    name="wise",
    title="Wise transaction history (all balances)",
    header=_names(
        "ID;Status;Direction;Created on;Finished on;Source fee amount;"
        "Source fee currency;Target fee amount;Target fee currency;Source name;"
        "Source amount (after fees);Source currency;Target name;"
        "Target amount (after fees);Target currency;Exchange rate;Reference;Batch"
    ),
    columns={
        "ref": (col("ID"),),
        "status": (col("Status"),),
        "direction": (col("Direction"),),
        "date": (col("Finished on"), col("Created on")),
        "description": (col("Reference"), opt("Note")),
        "kind": (opt("Category"),),
    },
    money_in={
        "amount": (col("Target amount (after fees)"),),
        "currency": (col("Target currency"),),
        # Wise's fee on money received is written on either side (a USD wire's 4.14 as the
        # source fee); the sender's own fee in another currency is not ours
        "fee": (col("Target fee amount"), col("Source fee amount")),
        "fee_currency": (col("Target fee currency"), col("Source fee currency")),
        "counterparty": (col("Source name"),),
    },
    money_out={
        "amount": (col("Source amount (after fees)"),),
        "currency": (col("Source currency"),),
        "fee": (col("Source fee amount"),),
        "fee_currency": (col("Source fee currency"),),
        "counterparty": (col("Target name"),),
    },
    directions={"in": "in", "out": "out", "neutral": "both"},
    fee_outside=frozenset({"out"}),
    dates=("YYYY-MM-DD",),
    times=True,
    numbers=POINT_PLAIN,
    delimiters=(",", "\t"),
    order="newest-first",
    statuses={
        "completed": "booked",
        "cancelled": "cancelled",
        "refunded": "refunded",
        "funds_refunded": "refunded",
        "bounced_back": "refunded",
        "charged_back": "refunded",
        "pending": "pending",
        "processing": "pending",
    },
    filename=r"(?i)^transaction-history",
)

WISE_BALANCE = Layout(
    name="wise-balance",
    title="Wise balance statement (one currency)",
    header=_names(
        "TransferWise ID;Date;Amount;Currency;Description;Payment Reference;"
        "Running Balance;Exchange From;Exchange To;Exchange Rate;Payer Name;Payee Name;"
        "Payee Account Number;Merchant;Card Last Four Digits;Card Holder Full Name;"
        "Attachment;Note;Total fees;Exchange To Amount"
    ),
    columns={
        "ref": (col("TransferWise ID", "Wise ID"),),
        "date": (opt("Date Time"), col("Date")),
        "amount": (col("Amount"),),
        "currency": (col("Currency"),),
        "description": (opt("Payment Reference"), col("Description")),
        "balance": (col("Running Balance"),),
        "fee": (opt("Total fees"),),
        "kind": (opt("Transaction Details Type"),),
    },
    money_in={"counterparty": (col("Payer Name"), col("Merchant"))},
    money_out={
        "counterparty": (col("Payee Name"), col("Merchant")),
        "iban": (col("Payee Account Number"),),
    },
    dates=("DD-MM-YYYY",),
    times=True,
    numbers=POINT_PLAIN,
    delimiters=(",", "\t"),
    order="newest-first",
    filename=r"(?i)^statement_",
)

_ALL = (
    GENERIC, MONOBANK_CARD, MONOBANK_FOP, PRIVATBANK, PRIVATBANK_SUM, DKB, DKB_LEGACY, ING, CHASE,
    WISE,
)  # fmt: skip
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (*_ALL, WISE_BALANCE)}
