"""One statement per layout, every row booked, reaches the bank's closing balance.

For each layout ``import`` reads (the CSV banks of ``importers.layouts`` and the formats of
``importers.formats``) one November statement in the bank's own shape and language is
imported into books made with the commands a partner runs::

    onebox-ledger init books --start 2026-10-01 --currency EUR
    onebox-ledger terms item cloud-user "25 EUR" ...; terms rate 1 0.65; terms payment 30
    onebox-ledger customer add berlin-immo --name "Berlin Immo GmbH" --currency EUR ...
    onebox-ledger contract add berlin-cloud ... --price "40 EUR" --quantity 5 ...
    onebox-ledger close 2026-10           # inv-2026-10-berlin-immo 200.00, onebox-2026-10 81.25
    onebox-ledger bank opening Assets:Bank "5000.00 EUR" --date 2026-11-01
    onebox-ledger rule add ...            # rent, the tax office, the owner, interest, a taxi

The month's rows, worked out by hand (the same in each currency, so one sum serves):

    opening                                5000.00
    customer's receipt of its invoice      +200.00  receipt
    rent                                  -1200.00  booked (rule)
    OneBox's bill onebox-2026-10             -81.25  onebox-payment
    the bank's fee for that payment           -1.50  fee (a row, or the payment's fee column)
    a taxi                                   -23.40  booked (rule)
    the tax office                          -350.00  booked (rule)
    the owner's own card                    -500.00  booked (rule)
    interest                                  +2.15  booked (rule)
    the account's monthly fee                 -5.00  fee
    closing                                3041.00

Every row must end with the outcome written beside it (none for review, none unrelated), the
books' bank account must hold the closing balance (read by Beancount's loader), bean-check
must pass, the import must write the statement's ``balance`` assertion, and a second import
must change no byte. Wise's transaction history carries no balance: its test checks the
balances reached without an assertion, and a conversion between the partner's own balances.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import Result
from conftest import load_entries, load_errors

D = Decimal
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Snapshot = Callable[[Path], dict[str, bytes]]

OPENING, CLOSING, ZERO = D("5000.00"), D("3041.00"), D(0)


@dataclass(frozen=True)
class Row:
    """One row of the month, as the bank shows it; what importing it must do."""

    day: int  # of November 2026
    amount: Decimal  # on the account, money in > 0, the fee included when the bank charges it
    party: str  # the counterparty
    text: str  # the description / purpose
    outcome: str
    account: str | None = None  # where a rule books it
    fee: Decimal = ZERO  # a fee the bank writes beside the amount (kept of it)

    @property
    def date(self) -> str:
        return f"2026-11-{self.day:02d}"


@dataclass(frozen=True)
class Locale:
    """A partner's books: currency, customer, rules, and the month's rows in its language."""

    currency: str
    customer: tuple[str, str]  # id, name
    rules: tuple[tuple[str, ...], ...]
    rows: tuple[Row, ...]  # the OneBox fee as a row of its own (the third)


def _locale_rows(
    *, receipt: tuple[str, str], rent: tuple[str, str], onebox: tuple[str, str],
    fee: tuple[str, str], taxi: tuple[str, str], tax: tuple[str, str], owner: tuple[str, str],
    interest: tuple[str, str], monthly: tuple[str, str],
) -> tuple[Row, ...]:  # fmt: skip
    return (
        Row(2, D("200.00"), *receipt, "receipt"),
        Row(3, D("-1200.00"), *rent, "booked", "Expenses:Rent"),
        Row(5, D("-81.25"), *onebox, "onebox-payment"),
        Row(5, D("-1.50"), *fee, "fee", "Expenses:Bank-Fees"),
        Row(9, D("-23.40"), *taxi, "booked", "Expenses:Travel"),
        Row(16, D("-350.00"), *tax, "booked", "TAX"),
        Row(20, D("-500.00"), *owner, "booked", "Equity:Owner"),
        Row(30, D("2.15"), *interest, "booked", "Income:Interest"),
        Row(30, D("-5.00"), *monthly, "fee", "Expenses:Bank-Fees"),
    )


UA = Locale(
    "UAH",
    ("beta-homes", "Beta Homes"),
    (
        ("Єдиний податок", "Liabilities:Tax:Single", "--direction", "out"),
        ("Оренда", "Expenses:Rent", "--direction", "out"),
        ("Переказ на власну картку", "Equity:Owner", "--direction", "out"),
        ("Відсотки", "Income:Interest", "--direction", "in"),
        ("Uklon", "Expenses:Travel", "--direction", "out"),
    ),
    _locale_rows(
        receipt=('ТОВ "BETA HOMES"', "Оплата згідно рахунку inv-2026-10-beta-homes, без ПДВ"),
        rent=("ФОП Коваленко Ігор Петрович", "Оренда офісу за листопад 2026, без ПДВ"),
        onebox=('ТОВ "ONEBOX"', "Оплата рахунку onebox-2026-10 згідно договору"),
        fee=('АТ "УНІВЕРСАЛ БАНК"', "Комісія за переказ onebox-2026-10"),
        taxi=("Uklon", "Uklon *Trip Kyiv"),
        tax=("ГУ ДПС у м. Києві", "*;101;3123456789;Єдиний податок за III квартал 2026"),
        owner=("Петренко Олена", "Переказ на власну картку 4441 **** 1234"),
        interest=('АТ "УНІВЕРСАЛ БАНК"', "Відсотки на залишок за листопад"),
        monthly=('АТ "УНІВЕРСАЛ БАНК"', "Комісія за обслуговування рахунку за листопад"),
    ),
)

DE = Locale(
    "EUR",
    ("berlin-immo", "Berlin Immo GmbH"),
    (
        ("Büro Vermietung", "Expenses:Rent", "--field", "counterparty", "--direction", "out"),
        ("Finanzamt", "Liabilities:VAT:Output", "--field", "counterparty", "--direction", "out"),
        ("Privatentnahme", "Equity:Owner", "--direction", "out"),
        ("Zinsen", "Income:Interest", "--direction", "in"),
        ("Taxi", "Expenses:Travel", "--direction", "out"),
    ),
    _locale_rows(
        receipt=("Berlin Immo GmbH", "Rechnung INV-2026-10-BERLIN-IMMO Cloud Oktober"),
        rent=("Büro Vermietung Schmidt KG", "Miete November 2026 Büro 3. OG"),
        onebox=("ONEBOX INC", "Partner bill onebox-2026-10"),
        fee=("DKB AG", "Entgelt Auslandsüberweisung onebox-2026-10"),
        taxi=("Taxi Berlin GmbH", "Taxi Flughafen BER 09.11."),
        tax=("Finanzamt Berlin-Mitte", "USt-VA 10/2026 St.-Nr. 30/123/45678"),
        owner=("Olena Petrenko", "Privatentnahme November"),
        interest=("DKB AG", "Zinsen 11/2026"),
        monthly=("DKB AG", "Kontoführungsentgelt 11/2026"),
    ),
)

US = Locale(
    "USD",
    ("acme-realty", "Acme Realty"),
    (
        ("Office Rent", "Expenses:Rent", "--direction", "out"),
        ("IRS USATAXPYMT", "Liabilities:Tax:Federal", "--direction", "out"),
        ("Owner draw", "Equity:Owner", "--direction", "out"),
        ("Interest payment", "Income:Interest", "--direction", "in"),
        ("Uber", "Expenses:Travel", "--direction", "out"),
    ),
    _locale_rows(
        receipt=("ACME REALTY LLC", "Invoice inv-2026-10-acme-realty"),
        rent=("Office Rent LLC", "Office Rent November 2026"),
        onebox=("ONEBOX INC", "Partner bill onebox-2026-10"),
        fee=("", "Wire transfer fee onebox-2026-10"),
        taxi=("Uber", "UBER *TRIP SAN FRANCISCO CA"),
        tax=("IRS", "IRS USATAXPYMT 270655512345678"),
        owner=("Olena Petrenko", "Owner draw to personal checking"),
        interest=("", "Interest payment"),
        monthly=("", "Monthly service fee"),
    ),
)


def tax_account(locale: Locale) -> str:
    return next(
        rule[1]
        for rule in locale.rules
        if rule[1].startswith(("Liabilities:Tax", "Liabilities:VAT"))
    )


def with_fee_column(rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """The OneBox payment's fee in the bank's fee column of its row (no fee row): the row's
    amount is what left the account, 82.75, of which 1.50 the fee."""
    payment = rows[2]
    merged = Row(
        payment.day, payment.amount + rows[3].amount, payment.party, payment.text,
        payment.outcome, fee=-rows[3].amount,
    )  # fmt: skip
    return (*rows[:2], merged, *rows[4:])


def running(rows: tuple[Row, ...]) -> list[Decimal]:
    """The balance after each row, oldest first."""
    balances, balance = [], OPENING
    for row in rows:
        balance += row.amount
        balances.append(balance)
    assert balance == CLOSING
    return balances


def de(number: Decimal, *, plain: bool = False) -> str:
    """German: 1.234,50 (plain: 1234,50)."""
    text = f"{number:,.2f}" if not plain else f"{number:.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", "" if plain else ".")


def q(*cells: str, sep: str = ";") -> str:
    return sep.join('"' + cell.replace('"', '""') + '"' for cell in cells)


def ua_date(row: Row) -> str:
    return f"{row.day:02d}.11.2026"


# ---------------------------------------------------------------- the statements, per layout


def generic(rows: tuple[Row, ...]) -> str:
    lines = ["Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance"]
    for n, (row, bal) in enumerate(zip(rows, running(rows), strict=True), 1):
        lines.append(
            q(row.date, row.date, f"TX-{n:04d}", row.party, row.text, f"{row.amount:.2f}",
              "USD", f"{bal:,.2f}", sep=",")
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def monobank_card(rows: tuple[Row, ...]) -> str:
    header = (
        "Дата i час операції,Деталі операції,MCC,Сума в валюті картки (UAH),Сума в валюті"
        " операції,Валюта,Курс,Сума комісій (UAH),Сума кешбеку (UAH),Залишок після операції"
    )
    lines = []
    for row, bal in zip(rows, running(rows), strict=True):
        text = f"Від: {row.party}" if row.outcome == "receipt" else row.text
        if row.outcome == "onebox-payment":
            text = f"{row.party}, {row.text}"
        op = row.amount + row.fee
        fee = f"{row.fee:.2f}" if row.fee else "—"
        lines.append(
            q(f"{ua_date(row)} 10:{row.day:02d}:00", text, "4829", f"{row.amount:.2f}",
              f"{op:.2f}", "UAH", "—", fee, "—", f"{bal:.2f}", sep=",")
        )  # fmt: skip
    return header + "\n" + "\n".join(reversed(lines)) + "\n"


def monobank_fop(rows: tuple[Row, ...]) -> str:
    title = (
        "ФОП Петренко Олена Іванівна, Виписка за рахунком UA683220010000026004340012345 (UAH)"
        " за період з 01.11.2026 по 30.11.2026"
    )
    header = q(
        "Дата\nоперації", "Час\nоперації", "Вид операції\n(дебет/кредит)", "Деталі\nоперації",
        "Контрагент", "ЄДРПОУ\nконтрагента", "IBAN\nконтрагента", "Сума в валюті\nрахунку",
        "Сума в валюті\nоперації", "Валюта\nоперації", "Курс", "Сума комісій в\nвалюті рахунку",
        "Залишок після операції\nв валюті рахунку", sep=",",
    )  # fmt: skip
    lines = []
    for row, bal in zip(rows, running(rows), strict=True):
        way = "Кредит" if row.amount > 0 else "Дебет"
        fee = f"{row.fee:.2f}" if row.fee else "-"
        lines.append(
            q(ua_date(row), f"10:{row.day:02d}:00", way, row.text, row.party, "-", "-",
              f"{row.amount:.2f}", f"{row.amount + row.fee:.2f}", "UAH", "-", fee,
              f"{bal:,.2f}".replace(",", " "), sep=",")
        )  # fmt: skip
    return q(title, sep=",") + "\n" + header + "\n" + "\n".join(reversed(lines)) + "\n"


def privatbank(rows: tuple[Row, ...], *, signed: bool) -> str:
    iban = "UA213052990000026007233566001"
    preamble = [
        f"Виписка з рахунку {iban} (UAH) за період 01.11.2026 - 30.11.2026;",
        f"Вхідний залишок;{OPENING:,.2f};".replace(",", " "),
        f"Вихідний залишок;{CLOSING:,.2f};".replace(",", " "),
        ";",
    ]
    if signed:
        header = (
            "ЄДРПОУ;МФО;Рахунок;Валюта;Номер документу;Дата операції;МФО банку;Назва банку;"
            "Рахунок кореспондента;ЄДРПОУ кореспондента;Кореспондент;Сума;Призначення платежу;"
        )
    else:
        header = (
            "ЄДРПОУ;МФО;Рахунок;Валюта;Дата операції;Код операції;МФО банку;Назва банку;"
            "Рахунок кореспондента;ЄДРПОУ кореспондента;Кореспондент;Номер документа;"
            "Дата документа;Дебет;Кредит;Призначення платежу;Гривневе покриття;"
        )
    lines = []
    for n, row in enumerate(rows, 1):
        party = row.party.replace('"', '""')
        party = f'"{party}"' if '"' in row.party else party
        own = f"3123456789;305299;{iban};UAH"
        bank = f"305299;АТ КБ ПРИВАТБАНК;UA75305299000002902480000{n:04d};1436057{n}"
        if signed:
            lines.append(
                f"{own};P-{n:05d};{ua_date(row)};{bank};{party};{row.amount:.2f};{row.text};"
            )
        else:
            debit, credit = (
                (f"{-row.amount:.2f}", "") if row.amount < 0 else ("", f"{row.amount:.2f}")
            )
            code = "D" if row.amount < 0 else "C"
            lines.append(
                f"{own};{ua_date(row)} 1{n % 10}:00;{code};{bank};{party};P-{n:05d};"
                f"{ua_date(row)};{debit};{credit};{row.text};{abs(row.amount):.2f};"
            )
    return "\n".join([*preamble, header, *reversed(lines)]) + "\n"


def dkb(rows: tuple[Row, ...]) -> str:
    head = [
        q("Girokonto", "DE02120300000000202051"), q(""), q("Zeitraum:", "01.11.2026 - 30.11.2026"),
        q("Kontostand vom 30.11.2026:", de(CLOSING) + " €"), q(""),
        q("Buchungsdatum", "Wertstellung", "Status", "Zahlungspflichtige*r",
          "Zahlungsempfänger*in", "Verwendungszweck", "Umsatztyp", "IBAN", "Betrag (€)",
          "Gläubiger-ID", "Mandatsreferenz", "Kundenreferenz"),
    ]  # fmt: skip
    me = "ONEBOX PARTNER GMBH"
    lines = []
    for n, row in enumerate(rows, 1):
        payer, payee = (row.party, me) if row.amount > 0 else (me, row.party)
        way = "Eingang" if row.amount > 0 else "Ausgang"
        date = f"{row.day:02d}.11.26"
        lines.append(
            q(date, date, "Gebucht", payer, payee, row.text, way,
              f"DE8937040044053201{n:04d}", de(row.amount), "", "", "")
        )  # fmt: skip
    return "\n".join([*head, *reversed(lines)]) + "\n"


def dkb_legacy(rows: tuple[Row, ...]) -> str:
    head = [
        '"Kontonummer:";"DE44120300001005558888 / Girokonto";',
        "",
        '"Von:";"01.11.2026";',
        '"Bis:";"30.11.2026";',
        f'"Kontostand vom 30.11.2026:";"{de(CLOSING)} EUR";',
        "",
        '"Buchungstag";"Wertstellung";"Buchungstext";"Auftraggeber / Begünstigter";'
        '"Verwendungszweck";"Kontonummer";"BLZ";"Betrag (EUR)";"Gläubiger-ID";'
        '"Mandatsreferenz";"Kundenreferenz";',
    ]
    lines = []
    for n, row in enumerate(rows, 1):
        kind = "Gutschrift" if row.amount > 0 else "Überweisung"
        if row.outcome == "fee":
            kind = "Entgelt"
        date = f"{row.day:02d}.11.2026"
        lines.append(
            q(date, date, kind, row.party, row.text, f"DE8937040044053201{n:04d}", "12030000",
              de(row.amount, plain=True), "", "", "") + ";"
        )  # fmt: skip
    return "\n".join([*head, *reversed(lines)]) + "\n"


def ing(rows: tuple[Row, ...]) -> str:
    head = [
        "Umsatzanzeige;Datei erstellt am: 01.12.2026 09:14",
        ";Letztes Update: aktuell",
        "",
        "IBAN;DE10 5001 0517 0648 4898 90",
        "Kontoname;Girokonto",
        "Bank;ING",
        "Kunde;Olena Petrenko",
        "Zeitraum;01.11.2026 - 30.11.2026",
        f"Saldo;{de(CLOSING)};EUR",
        "",
        "Sortierung;Datum absteigend",
        "",
        "In der CSV-Datei finden Sie alle bereits gebuchten Umsätze.",
        "",
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Saldo;Währung;"
        "Betrag;Währung",
    ]
    lines = []
    for row, bal in zip(rows, running(rows), strict=True):
        kind = {"receipt": "Gutschrift", "fee": "Entgelt"}.get(row.outcome, "Überweisung")
        if row.account == "Income:Interest":
            kind = "Zins/Dividende"
        date = f"{row.day:02d}.11.2026"
        lines.append(
            f"{date};{date};{row.party};{kind};{row.text};{de(bal)};EUR;{de(row.amount)};EUR"
        )
    return "\n".join([*head, *reversed(lines)]) + "\n"


def chase(rows: tuple[Row, ...]) -> str:
    lines = []
    for row, bal in zip(rows, running(rows), strict=True):
        details = "CREDIT" if row.amount > 0 else "DEBIT"
        kind = {"receipt": "ACH_CREDIT", "fee": "FEE_TRANSACTION"}.get(row.outcome, "ACH_DEBIT")
        text = row.text
        if row.outcome == "receipt":
            text = (
                f"ORIG CO NAME:{row.party}       ORIG ID:1234567890 DESC DATE:261102 CO ENTRY"
                " DESCR:PAYMENT   SEC:CCD    TRACE#:021000021234567 EED:261102   IND"
                " ID:INV-2026-10-ACM              IND NAME:ONEBOX PARTNER LLC TRN: 3341234567TC"
            )
        elif row.outcome == "onebox-payment":
            text, kind = f"{row.party} WIRE {row.text}", "WIRE_OUTGOING"
        lines.append(
            q(details, f"11/{row.day:02d}/2026", text, f"{row.amount:.2f}", kind, f"{bal:,.2f}",
              "", sep=",") + ","
        )  # fmt: skip
    header = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #"
    return header + "\n" + "\n".join(reversed(lines)) + "\n"


def wise_balance(rows: tuple[Row, ...]) -> str:
    header = (
        '"TransferWise ID",Date,"Date Time",Amount,Currency,Description,"Payment Reference",'
        '"Running Balance","Exchange From","Exchange To","Exchange Rate","Payer Name",'
        '"Payee Name","Payee Account Number",Merchant,"Card Last Four Digits",'
        '"Card Holder Full Name",Attachment,Note,"Total fees","Exchange To Amount",'
        '"Transaction Type","Transaction Details Type"'
    )
    lines = []
    for n, (row, bal) in enumerate(zip(rows, running(rows), strict=True), 1):
        way = "CREDIT" if row.amount > 0 else "DEBIT"
        payer = row.party if row.amount > 0 else ""
        payee = row.party if row.amount < 0 and row.outcome != "booked" else ""
        merchant = row.party if row.amount < 0 and row.outcome == "booked" else ""
        description = (
            f"Received money from {row.party} with reference {row.text}" if row.amount > 0
            else "Wise Charges for: CARD_ORDER_CHECKOUT-55512" if row.outcome == "fee"
            else f"Sent money to {row.party}" if payee
            else f"Card transaction of {-row.amount:.2f} USD issued by {row.party}"
        )  # fmt: skip
        lines.append(
            q(f"TRANSFER-14000000{n:02d}", f"{row.day:02d}-11-2026",
              f"{row.day:02d}-11-2026 10:00:00.000", f"{row.amount:.2f}", "USD", description,
              row.text, f"{bal:.2f}", "USD", "USD", "", payer, payee, "", merchant, "", "",
              "", "", f"{row.fee:.2f}", "", way, "TRANSFER", sep=",")
        )  # fmt: skip
    return header + "\n" + "\n".join(reversed(lines)) + "\n"


def camt053(rows: tuple[Row, ...]) -> str:
    def bal(code: str, amount: Decimal, day: str) -> str:
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="EUR">{amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<Dt><Dt>{day}</Dt></Dt></Bal>"
        )

    entries = []
    for n, row in enumerate(rows, 1):
        way = "CRDT" if row.amount > 0 else "DBIT"
        side = "Dbtr" if row.amount > 0 else "Cdtr"
        charges = (
            f'<Chrgs><Rcrd><Amt Ccy="EUR">{row.fee:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd>'
            "<ChrgInclInd>true</ChrgInclInd></Rcrd></Chrgs>"
            if row.fee else ""
        )  # fmt: skip
        party = (
            f"<RltdPties><{side}><Pty><Nm>{row.party}</Nm></Pty></{side}></RltdPties>"
            if row.party else ""
        )  # fmt: skip
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{abs(row.amount):.2f}</Amt><CdtDbtInd>{way}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{row.date}</Dt></BookgDt>"
            f"<ValDt><Dt>{row.date}</Dt></ValDt><AcctSvcrRef>AT-202611-{n:04d}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
            f"</Domn></BkTxCd>{charges}<NtryDtls><TxDtls>"
            f'<Amt Ccy="EUR">{abs(row.amount):.2f}</Amt><CdtDbtInd>{way}</CdtDbtInd>{party}'
            f"<RmtInf><Ustrd>{row.text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>STMT-202611</MsgId><CreDtTm>2026-12-01T05:00:00+01:00</CreDtTm>"
        "</GrpHdr><Stmt><Id>202611-EUR-1</Id><CreDtTm>2026-12-01T05:00:00+01:00</CreDtTm>"
        "<Acct><Id><IBAN>AT611904300234573201</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + bal("OPBD", OPENING, "2026-11-01") + bal("CLBD", CLOSING, "2026-11-30")
        + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n"
    )  # fmt: skip


def mt940(rows: tuple[Row, ...]) -> str:
    lines = [
        ":20:STARTUMSE", ":25:12030000/1005558888", ":28C:00011/001",
        f":60F:C261031EUR{de(OPENING, plain=True)}",
    ]  # fmt: skip
    for n, row in enumerate(rows, 1):
        way = "C" if row.amount > 0 else "D"
        code = "NCHG" if row.outcome == "fee" else "NTRF"
        lines.append(
            f":61:2611{row.day:02d}11{row.day:02d}{way}{de(abs(row.amount), plain=True)}{code}"
            f"NONREF//20261100{n:04d}"
        )
        booking = "ENTGELTABSCHLUSS" if row.outcome == "fee" else "UEBERWEISUNG"
        purpose = row.text[:27], row.text[27:54]
        subfields = "".join(f"?2{i}{part}" for i, part in enumerate(purpose) if part)
        name = f"?32{row.party[:27]}" if row.party else ""
        lines.append(f":86:166?00{booking}?1093{n}{subfields}{name}")
    lines += [f":62F:C261130EUR{de(CLOSING, plain=True)}", "-"]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Case:
    layout: str
    locale: Locale
    filename: str
    render: Callable[[tuple[Row, ...]], str]
    encoding: str = "utf-8"
    fee_column: bool = False  # the OneBox payment's fee is in its row
    rules: tuple[tuple[str, ...], ...] = ()  # what this bank needs beyond the locale's rules
    fee_rule: bool = False  # the month's fee row is booked by a rule, not recognised as a fee


CASES = [
    Case("generic", US, "statement.csv", generic),
    Case("monobank-card", UA, "monobank-card.csv", monobank_card, fee_column=True),
    Case("monobank-fop", UA, "monobank-fop.csv", monobank_fop, fee_column=True),
    Case("privatbank", UA, "privat.csv", lambda r: privatbank(r, signed=False), "cp1251"),
    Case("privatbank-sum", UA, "privat.csv", lambda r: privatbank(r, signed=True), "cp1251"),
    Case("dkb", DE, "Umsatzliste_Girokonto.csv", dkb),
    Case("dkb-legacy", DE, "1005558888.csv", dkb_legacy, "iso-8859-1"),
    Case("ing", DE, "Umsatzanzeige_DE10500105170648489890.csv", ing, "iso-8859-1"),
    Case("chase", US, "Chase1234_Activity_20261201.CSV", chase),
    Case(
        "wise-balance",
        US,
        "statement_123_USD.csv",
        wise_balance,
        fee_column=True,
        rules=(("Wise Charges", "Expenses:Bank-Fees", "--direction", "out"),),
        fee_rule=True,
    ),
    Case("camt053", DE, "camt053.xml", camt053, fee_column=True),
    Case("mt940", DE, "statement.sta", mt940, "iso-8859-1"),
]


def books(root: Path, run: Run, ok: Ok, locale: Locale, *more: tuple[str, ...]) -> Path:
    """The partner's books as the commands make them: October closed, the bank's opening
    balance on 2026-11-01, the rules the partner writes."""
    main = root / "main.beancount"
    cur = locale.currency
    cid, name = locale.customer
    ok(run(main, "init", str(root), "--start", "2026-10-01", "--currency", cur))
    for step in (
        ("terms", "item", "cloud-user", f"25 {cur}", "--date", "2026-10-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-10-01"),
        ("terms", "payment", "30", "--date", "2026-10-01"),
        ("customer", "add", cid, "--name", name, "--currency", cur, "--date", "2026-10-01"),
        ("contract", "add", f"{cid}-cloud", "--customer", cid, "--stream", "cloud", "--price",
         f"40 {cur}", "--quantity", "5", "--start", "2026-10-01", "--item", "cloud-user"),
        ("close", "2026-10"),
    ):  # fmt: skip
        ok(run(main, *step))
    assert ok(run(main, "bank", "opening", "Assets:Bank", f"{OPENING} {cur}", "--date",
                  "2026-11-01")) == [
        f"bank account Assets:Bank: opening balance {OPENING} {cur} on 2026-11-01"
    ]  # fmt: skip
    for rule in (*locale.rules, *more):
        ok(run(main, "rule", "add", *rule))
    return main.resolve()


def bank_balance(main: Path, account: str) -> dict[str, Decimal]:
    """The account's units per currency after every entry, read with Beancount's loader."""
    held: dict[str, Decimal] = {}
    for entry in load_entries(main):
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if posting.account == account:
                    cur = posting.units.currency
                    held[cur] = held.get(cur, D(0)) + posting.units.number
    return held


def expected(case: Case) -> list[tuple[str, str, str | None]]:
    """(amount, outcome, account) of each row as the JSON shows them, oldest first."""
    rows = with_fee_column(case.locale.rows) if case.fee_column else case.locale.rows
    tax = tax_account(case.locale)
    found = [
        (f"{row.amount:.2f}", row.outcome,
         tax if row.account == "TAX" else row.account if row.outcome == "booked" else None)
        for row in rows
    ]  # fmt: skip
    if case.fee_rule:  # the month's fee, the last row
        found[-1] = (found[-1][0], "booked", "Expenses:Bank-Fees")
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.layout for case in CASES])
def test_every_row_booked_reaches_the_closing_balance(
    case: Case, fixed_today: None, tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    main = books(tmp_path / "books", run, ok, case.locale, *case.rules)
    rows = with_fee_column(case.locale.rows) if case.fee_column else case.locale.rows
    statement = tmp_path / case.filename
    statement.write_bytes(case.render(rows).encode(case.encoding))
    cur = case.locale.currency

    result = run(main, "import", str(statement), "--format", "json")
    found = json.loads(ok(result) and result.stdout)
    assert {row["currency"] for row in found} == {cur}
    assert all(row["outcome"] not in ("review", "unrelated", "skipped") for row in found)
    got = sorted(
        ((r["date"], r["amount"], r["outcome"], r["account"]) for r in found),
        key=lambda r: (r[0], D(r[1])),
    )
    want = sorted(
        ((row.date, *e) for row, e in zip(rows, expected(case), strict=True)),
        key=lambda r: (r[0], D(r[1])),
    )
    assert got == want
    customer = case.locale.customer[0]
    assert [(r["customer"], r["invoice"]) for r in found if r["outcome"] == "receipt"] == [
        (customer, f"inv-2026-10-{customer}")
    ]
    assert [r["bill"] for r in found if r["outcome"] == "onebox-payment"] == ["onebox-2026-10"]

    assert load_errors(main) == []
    assert bank_balance(main, "Assets:Bank") == {cur: CLOSING}
    assertions = [e for e in load_entries(main) if isinstance(e, data.Balance)]
    assert [(a.date.isoformat(), a.account, a.amount.number, a.amount.currency)
            for a in assertions] == [("2026-12-01", "Assets:Bank", CLOSING, cur)]  # fmt: skip
    held = bank_balance(main, "Expenses:Bank-Fees")
    assert held == {cur: D("6.50")}  # the payment's 1.50 and the month's 5.00
    assert bank_balance(main, tax_account(case.locale)) == {cur: D("350.00")}
    assert bank_balance(main, "Liabilities:OneBox:Payable") == {cur: D("0.00")}  # -81.25 + 81.25

    before = snapshot(main.parent)
    again = ok(run(main, "import", str(statement)))
    assert again[-1] == (
        f"books: Assets:Bank holds {CLOSING} {cur} on 2026-12-01, the statement's closing"
        " balance: asserted already"
    )
    assert snapshot(main.parent) == before


def test_every_layout_has_its_whole_statement() -> None:
    """A new layout fails here until a statement of it is booked whole above (Wise's own
    transaction history below)."""
    from onebox_ledger.importers import LAYOUTS
    from onebox_ledger.importers.formats import FORMATS

    assert sorted({*LAYOUTS, *FORMATS}) == sorted([*(case.layout for case in CASES), "wise"])


WISE_HISTORY = """\
"ID","Status","Direction","Created on","Finished on","Source fee amount","Source fee currency",\
"Target fee amount","Target fee currency","Source name","Source amount (after fees)",\
"Source currency","Target name","Target amount (after fees)","Target currency","Exchange rate",\
"Reference","Batch","Created by","Category","Note"
"TRANSFER-1500000007","COMPLETED","OUT","2026-11-25 10:00:00","2026-11-25 10:02:11","0.00",\
"USD","","","Olena Petrenko","500.00","USD","Olena Petrenko","500.00","USD","1.0","Owner draw\
 November","","Olena Petrenko","General",""
"BALANCE_TRANSACTION-1500000006","COMPLETED","NEUTRAL","2026-11-20 08:00:00","2026-11-20\
 08:00:00","4.20","USD","","","Olena Petrenko","995.80","USD","Olena Petrenko","913.59","EUR",\
"0.91744","","","Olena Petrenko","Money added",""
"TRANSFER-1500000005","COMPLETED","OUT","2026-11-16 09:00:00","2026-11-16 09:01:00","0.00",\
"USD","","","Olena Petrenko","350.00","USD","IRS","350.00","USD","1.0","IRS USATAXPYMT\
 270655512345678","","Olena Petrenko","General",""
"TRANSFER-1500000004","COMPLETED","OUT","2026-11-05 10:00:00","2026-11-05 10:02:11","1.50",\
"USD","","","Olena Petrenko","81.25","USD","ONEBOX INC","81.25","USD","1.0","onebox-2026-10",\
"","Olena Petrenko","General",""
"TRANSFER-1500000003","COMPLETED","OUT","2026-11-03 09:00:00","2026-11-03 09:01:00","0.00",\
"EUR","","","Olena Petrenko","1200.00","EUR","Office Rent GmbH","1200.00","EUR","1.0","Office\
 Rent November 2026","","Olena Petrenko","General",""
"TRANSFER-1500000001","COMPLETED","IN","2026-11-02 15:12:00","2026-11-02 15:14:27","","","0.41",\
"USD","ACME REALTY LLC","200.00","USD","Olena Petrenko","199.59","USD","1.0",\
"INV-2026-10-ACME-REALTY","","","General",""
"""


def test_wise_history_every_row_booked_reaches_each_balance(
    fixed_today: None, tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    """Wise's transaction history of all balances, which shows no balance (so no assertion
    can be written): a USD and an EUR balance from 2026-11-01 with 5,000.00 USD and 1,000.00
    EUR. USD: 5000.00 + 199.59 (200.00 less Wise's 0.41) - 82.75 (OneBox 81.25 and its 1.50
    fee) - 350.00 (tax) - 1000.00 (995.80 converted and its 4.20 fee) - 500.00 (owner) =
    3266.84; EUR: 1000.00 - 1200.00 (rent) + 913.59 (converted) = 713.59."""
    root = tmp_path / "books"
    main = root / "main.beancount"
    ok(run(main, "init", str(root), "--start", "2026-10-01"))
    for step in (
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-10-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-10-01"),
        ("terms", "payment", "30", "--date", "2026-10-01"),
        ("customer", "add", "acme-realty", "--name", "Acme Realty", "--date", "2026-10-01"),
        ("contract", "add", "acme-realty-cloud", "--customer", "acme-realty", "--stream",
         "cloud", "--price", "40 USD", "--quantity", "5", "--start", "2026-10-01", "--item",
         "cloud-user"),
        ("price", "EUR", "1.08 USD", "--date", "2026-10-01"),
        ("close", "2026-10"),
        ("price", "EUR", "1.09 USD", "--date", "2026-11-20"),
        ("bank", "add", "Assets:Wise:USD", "--currency", "USD", "--opening", "5000 USD"),
        ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--opening", "1000 EUR"),
        *(("rule", "add", *rule) for rule in US.rules),
    ):  # fmt: skip
        ok(run(main, *step))
    statement = tmp_path / "transaction-history.csv"
    statement.write_text(WISE_HISTORY, encoding="utf-8")
    result = run(main, "import", str(statement), "--account", "Assets:Wise", "--format", "json")
    found = json.loads(ok(result) and result.stdout)
    assert [(r["date"], r["amount"], r["currency"], r["outcome"], r["account"]) for r in found] == [
        ("2026-11-02", "199.59", "USD", "receipt", None),
        ("2026-11-03", "-1200.00", "EUR", "booked", "Expenses:Rent"),
        ("2026-11-05", "-82.75", "USD", "onebox-payment", None),
        ("2026-11-16", "-350.00", "USD", "booked", "Liabilities:Tax:Federal"),
        ("2026-11-20", "-1000.00", "USD", "transfer", "Assets:Wise:EUR"),
        ("2026-11-20", "913.59", "EUR", "transfer", None),
        ("2026-11-25", "-500.00", "USD", "booked", "Equity:Owner"),
    ]
    assert load_errors(main) == []
    assert bank_balance(main, "Assets:Wise:USD") == {"USD": D("3266.84")}
    assert bank_balance(main, "Assets:Wise:EUR") == {"EUR": D("713.59")}
    assert bank_balance(main, "Expenses:Bank-Fees") == {"USD": D("6.11")}  # 0.41 + 1.50 + 4.20
    assert [e for e in load_entries(main) if isinstance(e, data.Balance)] == []
    before = snapshot(main.parent)
    ok(run(main, "import", str(statement), "--account", "Assets:Wise"))
    assert snapshot(main.parent) == before


def test_a_customer_who_pays_twice_and_a_row_repeated_are_not_booked_twice(
    fixed_today: None, tmp_path: Path, run: Run, ok: Ok
) -> None:
    """Berlin Immo pays its 200.00 invoice on the 2nd (DKB-1) and again on the 9th (DKB-2);
    the second statement overlaps the first and repeats DKB-1. DKB-1 is booked once, DKB-2
    goes to review (the invoice is paid), and nothing becomes credit unasked."""
    main = books(tmp_path / "books", run, ok, DE)
    header = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
    row = "2026-11-{day},2026-11-{day},{ref},Berlin Immo GmbH,Rechnung INV-2026-10-BERLIN-IMMO,200.00,EUR,\n"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(header + row.format(day="02", ref="DKB-1"), encoding="utf-8")
    second.write_text(
        header + row.format(day="02", ref="DKB-1") + row.format(day="09", ref="DKB-2"),
        encoding="utf-8",
    )
    ok(run(main, "import", str(first), "--no-balance"))
    result = run(main, "import", str(second), "--no-balance", "--format", "json")
    found = json.loads(ok(result) and result.stdout)
    assert [(r["ref"], r["outcome"], r["reason"]) for r in found] == [
        ("DKB-1", "recorded", "already recorded (receive/DKB-1)"),
        ("DKB-2", "review", "invoice inv-2026-10-berlin-immo is already paid in full (paid"
         ' twice? to hold it as credit: onebox-ledger receive berlin-immo "200.00 EUR" --date'
         " 2026-11-09 --ref DKB-2)"),
    ]  # fmt: skip
    assert bank_balance(main, "Assets:Bank") == {"EUR": OPENING + D("200.00")}
    assert bank_balance(main, "Assets:Receivable:Berlin-Immo") == {"EUR": D("0.00")}
