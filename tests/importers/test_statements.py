"""Bank statements as banks export them: one fixture per layout, read to exact values.

Each fixture in ``fixtures/`` is written in the bank's own encoding with its
quirks (see the comment at the top of each test). The expected values below are
read off the fixture text by hand: amounts with the bank's decimal mark turned
into Decimal, dates turned into ISO, newest-first files turned around. Running
balances were checked by hand against the amounts, e.g. Monobank card::

    1000.00 + 12000.00 = 13000.00   (Від: ТОВ "BETA HOMES")
    13000.00 - 431.09  = 12568.91   (Google)
    12568.91 - 2020.00 = 10548.91   (cash, 20.00 of it the fee)
    10548.91 + 249.50  = 10798.41   (ROZETKA.UA KYIV gives part of a purchase back)
    10798.41 - 45.00   = 10753.41   (commission row)
    10753.41 - 1249.50 =  9503.91   (ROZETKA.UA KYIV)
"""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from onebox_ledger.importers import (
    LAYOUTS,
    Layout,
    Row,
    Statement,
    StatementError,
    identify,
    read_statement,
)
from onebox_ledger.importers.layouts import COMMA_DOT, col
from onebox_ledger.values import parse_ref

D = Decimal
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DERIVED = r"row-[0-9]{8}-[0-9a-f]{12}(-[0-9]+)?"


def read(name: str, **options: str) -> Statement:
    return read_statement(FIXTURES / name, **options)  # type: ignore[arg-type]


def brief(rows: list[Row]) -> list[tuple[object, ...]]:
    """(line, date, amount, currency, status, is_fee, counterparty) of each row."""
    return [
        (r.line, r.date.isoformat(), str(r.amount), r.currency, r.status, r.is_fee, r.counterparty)
        for r in rows
    ]


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def derived_ref(row: Row) -> str:
    """The documented formula, written out again: sha256 of the row's own fields."""
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
    return f"row-{row.date:%Y%m%d}-{hashlib.sha256(material.encode()).hexdigest()[:12]}"


# ---------------------------------------------------------------- identification


@pytest.mark.parametrize(
    ("name", "layout", "encoding"),
    [
        ("generic.csv", "generic", "utf-8"),
        ("monobank-card.csv", "monobank-card", "utf-8"),
        ("monobank-fop.csv", "monobank-fop", "utf-8"),
        ("monobank-fop-2.csv", "monobank-fop", "utf-8"),  # 20.11-10.12: overlaps November's
        ("privatbank.csv", "privatbank", "cp1251"),
        ("privatbank-sum.csv", "privatbank-sum", "cp1251"),
        ("dkb.csv", "dkb", "utf-8"),
        ("dkb-legacy.csv", "dkb-legacy", "iso-8859-1"),
        ("ing.csv", "ing", "iso-8859-1"),
        ("chase.csv", "chase", "utf-8"),
        ("wise.csv", "wise", "utf-8"),
        ("wise-balance.csv", "wise-balance", "utf-8"),
    ],
)
def test_each_fixture_is_identified_by_its_content(name: str, layout: str, encoding: str) -> None:
    path = FIXTURES / name
    assert identify(path) == layout
    statement = read_statement(path, currency="USD")
    assert (statement.layout, statement.encoding) == (layout, encoding)
    assert all(parse_ref(row.ref) == row.ref for row in statement.rows)
    assert all(row.ref_from_bank or re.fullmatch(DERIVED, row.ref) for row in statement.rows)


def test_the_fixtures_cover_every_layout() -> None:
    assert {identify(path) for path in FIXTURES.glob("*.csv")} == set(LAYOUTS)
    assert list(LAYOUTS) == [
        "generic", "monobank-card", "monobank-fop", "privatbank", "privatbank-sum", "dkb",
        "dkb-legacy", "ing", "chase", "wise", "wise-balance",
    ]  # fmt: skip


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_declared_header_identifies_its_layout(tmp_path: Path, layout: str) -> None:
    """A file that is only the header a layout declares is an empty statement of that layout."""
    declared = LAYOUTS[layout]
    path = tmp_path / "statement.csv"
    path.write_text(declared.header_text() + "\n", encoding="utf-8")
    statement = read_statement(path, currency="USD")
    assert (statement.layout, statement.rows) == (layout, [])


# ---------------------------------------------------------------- generic


def test_generic_spreadsheet_export_with_bom_and_crlf() -> None:
    # generic.csv: UTF-8 with a byte-order mark, CRLF line ends, thousands commas in quotes,
    # an empty Currency (the caller's) and an empty Value date.
    statement = read("generic.csv", currency="USD")
    assert brief(statement.rows) == [
        (2, "2026-12-01", "125.00", "USD", "booked", False, "ACME REALTY LLC"),
        (3, "2026-12-01", "317.49", "USD", "booked", False, "J. Patel"),
        (4, "2026-12-03", "-1087.16", "USD", "booked", False, "ONEBOX INC"),
        (5, "2026-12-04", "50.00", "USD", "booked", False, "Everest Dental"),
        (6, "2026-12-08", "192.00", "USD", "booked", False, "IRIS TRAVEL"),
        (7, "2026-12-31", "-12.00", "USD", "booked", True, ""),
    ]
    assert statement.rows[2] == Row(
        line=4,
        date=day("2026-12-03"),
        value_date=None,
        ref="TX-9003",
        counterparty="ONEBOX INC",
        description="Partner bill onebox-2026-11",
        amount=D("-1087.16"),
        currency="USD",
        balance=D("17636.66"),
    )
    # 18406.33 - 125.00 before the first row; the last row's balance after:
    # 17636.66 + 50.00 + 192.00 - 12.00 = 17866.66
    assert (statement.opening_balance, statement.closing_balance) == (D("18281.33"), D("17866.66"))
    assert (statement.currency, statement.account_hint) == ("USD", None)


# ---------------------------------------------------------------- Monobank


def test_monobank_card_statement() -> None:
    # monobank-card.csv: newest first, "Дата i час" with a Latin i, "—" for no value,
    # the card currency only in the column names, a fee column, a commission row, a merchant
    # giving money back (line 4).
    statement = read("monobank-card.csv")
    assert brief(statement.rows) == [
        (7, "2026-11-02", "12000.00", "UAH", "booked", False, 'ТОВ "BETA HOMES"'),
        (6, "2026-11-05", "-431.09", "UAH", "booked", False, ""),
        (5, "2026-11-20", "-2020.00", "UAH", "booked", False, ""),
        (4, "2026-11-25", "249.50", "UAH", "booked", False, ""),
        (3, "2026-11-28", "-45.00", "UAH", "booked", True, ""),
        (2, "2026-11-30", "-1249.50", "UAH", "booked", False, ""),
    ]
    cash = statement.rows[2]
    assert (cash.time, cash.fee, cash.balance, cash.kind) == (
        at("11:05:31"),
        D("20.00"),
        D("10548.91"),
        "6011",
    )
    assert cash.description == "Зняття готівки: Банкомат ПриватБанк"
    assert [row.fee for row in statement.rows] == [None, None, D("20.00"), None, None, None]
    assert statement.rows[3].description == "ROZETKA.UA KYIV"
    assert (statement.opening_balance, statement.closing_balance) == (D("1000.00"), D("9503.91"))
    assert (statement.currency, statement.account_hint) == ("UAH", None)
    assert not any(row.ref_from_bank for row in statement.rows)
    assert [row.ref for row in statement.rows] == [derived_ref(row) for row in statement.rows]


def test_monobank_card_statement_in_english(tmp_path: Path) -> None:
    path = tmp_path / "statement.csv"
    path.write_text(
        'Date and time,Description,MCC,"Card currency amount, (USD)","Operation amount",'
        '"Operation currency","Exchange rate","Commission, (USD)","Cashback amount, (USD)",Balance\n'
        "01.12.2026 08:00:00,From: Harbor Clinic,4829,504.0,504.0,USD,—,—,—,1504.0\n",
        encoding="utf-8",
    )
    (row,) = read_statement(path).rows
    assert (row.amount, row.currency, row.counterparty, row.balance) == (
        D("504.00"),
        "USD",
        "Harbor Clinic",
        D("1504.00"),
    )


def test_monobank_fop_statement() -> None:
    # monobank-fop.csv: a title line naming the IBAN and currency, header names broken over
    # two lines inside quotes (the header spans lines 2-13), date and time apart, Кредит/Дебет,
    # "-" for no value, balances with a no-break space in the thousands, newest first.
    statement = read("monobank-fop.csv")
    assert brief(statement.rows) == [
        (18, "2026-11-03", "317.49", "USD", "booked", False, "JUNIPER SCHOOLS"),
        (17, "2026-11-07", "150.00", "USD", "booked", False, 'ТОВ "BETA HOMES"'),
        (16, "2026-11-12", "199.00", "USD", "booked", False, "ACME REALTY LLC"),
        (15, "2026-11-20", "-5.00", "USD", "booked", True, 'АТ "УНІВЕРСАЛ БАНК"'),
        (14, "2026-11-25", "-1087.16", "USD", "booked", False, "ONEBOX INC"),
    ]
    beta = statement.rows[1]
    assert (beta.tax_id, beta.iban, beta.time, beta.description) == (
        "43123456",
        "UA213052990000026007233566001",
        at("13:00:00"),
        "Оплата за консультації, рахунок 17",
    )
    acme = statement.rows[2]
    assert (acme.fee, acme.balance, acme.tax_id, acme.iban) == (D("1.00"), D("1166.49"), "", "")
    # 817.49 - 317.49 before the first row
    assert (statement.opening_balance, statement.closing_balance) == (D("500.00"), D("74.33"))
    assert (statement.currency, statement.account_hint) == ("USD", "UA683220010000026004340012345")


def test_monobank_fop_layout_with_one_date_time_column(tmp_path: Path) -> None:
    """The column names of the brief's variant, Windows-1251, ';', decimal commas."""
    path = tmp_path / "vypyska.csv"
    path.write_bytes(
        (
            "Дата та час операції;Деталі операції;Контрагент;ЄДРПОУ/ІПН контрагента;"
            "IBAN контрагента;Сума операції;Валюта;Курс;Сума комісій;Залишок після операції\n"
            "02.12.2026 10:11:12;Оплата згідно рахунку;ТОВ «КОМЕТА»;40000001;"
            "UA213052990000026007233566001;1 234,56;UAH;—;—;10 234,56\n"
        ).encode("cp1251")
    )
    statement = read_statement(path)
    assert statement.layout == "monobank-fop"
    (row,) = statement.rows
    assert (row.date, row.time, row.amount, row.currency, row.balance, row.tax_id) == (
        day("2026-12-02"),
        at("10:11:12"),
        D("1234.56"),
        "UAH",
        D("10234.56"),
        "40000001",
    )


# ---------------------------------------------------------------- Privat24


def test_privatbank_statement() -> None:
    # privatbank.csv: Windows-1251, ';', a preamble with the opening and closing balance, a ';'
    # after every row, Дебет/Кредит apart, newest first, the bank's commission rows, and an
    # unquoted ';' inside a purpose (line 8), joined back.
    statement = read("privatbank.csv")
    assert brief(statement.rows) == [
        (10, "2026-11-04", "317.49", "USD", "booked", False, "JUNIPER SCHOOLS INC"),
        (9, "2026-11-04", "-3.17", "USD", "booked", True, 'АТ КБ "ПРИВАТБАНК"'),
        (8, "2026-11-10", "1008.00", "USD", "booked", False, "HARBOR CLINIC"),
        (7, "2026-11-16", "-1087.16", "USD", "booked", False, "ONEBOX INC"),
        (6, "2026-11-20", "-2.00", "USD", "booked", True, 'АТ КБ "ПРИВАТБАНК"'),
    ]
    harbor = statement.rows[2]
    assert harbor.description == "INV-2026-08-HARBOR-CLINIC; INV-2026-09-HARBOR-CLINIC"
    assert (harbor.time, harbor.kind, harbor.iban, harbor.account) == (
        at("09:05"),
        "C",
        "US000021000089000987654321",
        "UA213052990000026007233566001",
    )
    assert statement.rows[1].tax_id == "14360570"
    # 2500.00 + 317.49 - 3.17 + 1008.00 - 1087.16 - 2.00 = 2733.16, both from the preamble
    assert (statement.opening_balance, statement.closing_balance) == (D("2500.00"), D("2733.16"))
    assert (statement.currency, statement.account_hint) == ("USD", "UA213052990000026007233566001")


PRIVAT_HEADER = (
    "ЄДРПОУ;МФО;Рахунок;Валюта;Дата операції;Код операції;МФО банку;Назва банку;"
    "Рахунок кореспондента;ЄДРПОУ кореспондента;Кореспондент;Номер документа;Дата документа;"
    "Дебет;Кредит;Гривневе покриття;Призначення платежу"
)


def test_privatbank_unquoted_last_column_holding_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "privat.csv"
    path.write_bytes(
        (
            PRIVAT_HEADER + "\n"
            "1;305299;UA01;UAH;01.12.2026 09:00;C;;;UA02;40000001;ТОВ Клієнт;1;01.12.2026;;"
            "500.00;500.00;*;101;40000001;Оплата за послуги; без ПДВ\n"
        ).encode("cp1251")
    )
    (row,) = read_statement(path).rows
    assert (row.amount, row.description) == (
        D("500.00"),
        "*;101;40000001;Оплата за послуги; без ПДВ",
    )


def test_privatbank_statement_of_two_accounts_has_no_single_currency_or_balance(
    tmp_path: Path,
) -> None:
    path = tmp_path / "privat.csv"
    path.write_bytes(
        (
            PRIVAT_HEADER + "\n"
            "1;305299;UA01;UAH;01.12.2026 09:00;C;;;UA02;40000001;ТОВ Клієнт;1;01.12.2026;;"
            "500.00;500.00;Оплата\n"
            "1;305299;UA03;USD;01.12.2026 10:00;D;;;UA04;;ONEBOX INC;2;01.12.2026;10.00;;"
            "410.00;onebox-2026-11\n"
        ).encode("cp1251")
    )
    statement = read_statement(path)
    assert [(r.account, r.currency, r.amount) for r in statement.rows] == [
        ("UA01", "UAH", D("500.00")),
        ("UA03", "USD", D("-10.00")),
    ]
    assert (statement.currency, statement.account_hint) == (None, None)
    assert (statement.opening_balance, statement.closing_balance) == (None, None)


# ---------------------------------------------------------------- DKB


def test_dkb_statement() -> None:
    # dkb.csv: UTF-8 with BOM, ';', every field quoted, a preamble with the IBAN and the
    # closing balance, DD.MM.YY, "92" and "-1.250" and "1.234,5", a pending row, a
    # counterparty broken over lines 10-11, the counterparty by direction, newest first.
    statement = read("dkb.csv")
    assert brief(statement.rows) == [
        (12, "2026-11-02", "1234.50", "EUR", "booked", False, "Kyiv Estates Sp. z o.o."),
        (10, "2026-11-15", "-1250.00", "EUR", "booked", False, "Office Rent GmbH"),
        (9, "2026-11-28", "92.00", "EUR", "booked", False, "Berlin Immo GmbH"),
        (8, "2026-11-30", "-4.90", "EUR", "booked", True, "DKB AG"),
        (7, "2026-11-30", "-45.90", "EUR", "pending", False, "Hetzner Online GmbH"),
    ]
    kyiv = statement.rows[0]
    assert (kyiv.value_date, kyiv.iban, kyiv.kind, kyiv.time) == (
        day("2026-11-03"),
        "PL61109010140000071219812874",
        "Eingang",
        None,
    )
    assert statement.rows[4].skipped and statement.rows[4].value_date is None
    assert [row.line for row in statement.booked] == [12, 10, 9, 8]
    assert (statement.opening_balance, statement.closing_balance) == (None, D("4613.40"))
    assert (statement.currency, statement.account_hint) == ("EUR", "DE02120300000000202051")


def test_dkb_legacy_statement() -> None:
    # dkb-legacy.csv: ISO-8859-1, ';' closing every line (header too), a preamble, a
    # Tagessaldo line (10) that is no transaction, "-312,4", newest first.
    statement = read("dkb-legacy.csv")
    assert brief(statement.rows) == [
        (12, "2022-10-03", "-312.40", "EUR", "booked", False, "ONEBOX INC"),
        (11, "2022-10-14", "-1250.00", "EUR", "booked", False, "Müller Bürobedarf GmbH"),
        (9, "2022-10-28", "92.00", "EUR", "booked", False, "Berlin Immo GmbH"),
        (8, "2022-10-31", "-7.50", "EUR", "booked", True, ""),
    ]
    assert [(r.kind, r.description) for r in statement.rows] == [
        ("Überweisung", "Partner bill onebox-2022-09"),
        ("Lastschrift", "Büromaterial Oktober"),
        ("Gutschrift", "Rechnung inv-2022-09-berlin-immo"),
        ("Abschluss", "Abrechnung 31.10.2022"),
    ]
    assert statement.rows[0].value_date == day("2022-10-04")
    assert (statement.opening_balance, statement.closing_balance) == (None, D("3210.55"))
    assert (statement.currency, statement.account_hint) == ("EUR", "DE44120300001005558888")


# ---------------------------------------------------------------- ING


def test_ing_statement() -> None:
    # ing.csv: ISO-8859-1, nothing quoted, a 13-line preamble, "Sortierung;Datum absteigend",
    # Saldo and Betrag each followed by its own Währung, an unquoted ';' in a Verwendungszweck.
    statement = read("ing.csv")
    assert brief(statement.rows) == [
        (19, "2026-11-10", "-119.70", "EUR", "booked", False, "Stadtwerke Berlin"),
        (18, "2026-11-25", "46.00", "EUR", "booked", False, "Berlin Immo GmbH"),
        (17, "2026-11-25", "92.00", "EUR", "booked", False, "Berlin Immo GmbH"),
        (16, "2026-11-30", "-4.90", "EUR", "booked", True, ""),
    ]
    assert [(r.description, r.balance, r.kind) for r in statement.rows] == [
        ("Strom 11/2026", D("4480.30"), "Lastschrift"),
        ("Abschlag Dezember", D("4526.30"), "Gutschrift"),
        ("Rechnung INV-2026-10-BERLIN-IMMO; Oktober", D("4618.30"), "Gutschrift"),
        ("Kontoführung November 2026", D("4613.40"), "Entgelt"),
    ]
    # 4480.30 + 119.70 before the oldest row; the preamble's Saldo is not the period's end
    assert (statement.opening_balance, statement.closing_balance) == (D("4600.00"), D("4613.40"))
    assert (statement.currency, statement.account_hint) == ("EUR", "DE10500105170648489890")


ING_PREAMBLE = (
    "Umsatzanzeige;Datei erstellt am: 01.12.2026 09:14\n\nIBAN;DE10 5001 0517 0648 4898 90\n"
)


def test_ing_without_saldo_and_with_a_note_that_holds_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "Umsatzanzeige_DE10500105170648489890_20261201.csv"
    path.write_text(
        ING_PREAMBLE + "Sortierung;Datum aufsteigend\n\n"
        "Buchung;Valuta;Auftraggeber/Empfänger;Buchungstext;Verwendungszweck;Betrag;Währung;Notiz\n"
        "01.12.2026;01.12.2026;Berlin Immo GmbH;Gutschrift;Rechnung A;10,00;EUR;erste; zweite\n"
        "01.12.2026;01.12.2026;Berlin Immo GmbH;Gutschrift;Rechnung B;20,00;EUR;\n",
        encoding="utf-8",
    )
    statement = read_statement(path)
    assert [(r.line, r.description, r.amount, r.currency, r.balance) for r in statement.rows] == [
        (7, "Rechnung A", D("10.00"), "EUR", None),
        (8, "Rechnung B", D("20.00"), "EUR", None),
    ]
    assert (statement.opening_balance, statement.closing_balance) == (None, None)


# ---------------------------------------------------------------- Chase


def test_chase_statement() -> None:
    # chase.csv: a ',' after every row, MM/DD/YYYY, newest first, an ACH credit naming its
    # payer in ORIG CO NAME with the invoice id cut to 15 characters, a FEE_TRANSACTION row,
    # a blank balance, two identical rows on 11/09.
    statement = read("chase.csv")
    assert brief(statement.rows) == [
        (8, "2026-11-05", "-250.00", "USD", "booked", False, ""),
        (7, "2026-11-09", "504.00", "USD", "booked", False, ""),
        (6, "2026-11-09", "504.00", "USD", "booked", False, ""),
        (5, "2026-11-16", "-1087.16", "USD", "booked", False, ""),
        (4, "2026-11-20", "300.00", "USD", "booked", False, "HARBOR GROUP"),
        (3, "2026-11-30", "-15.00", "USD", "booked", True, ""),
        (2, "2026-11-30", "200.00", "USD", "booked", False, "ACME REALTY LLC"),
    ]
    assert "IND ID:INV-2026-10-HAR IND NAME" in statement.rows[4].description
    acme = statement.rows[-1]
    assert "IND ID:INV-2026-10-ACM IND NAME:ONEBOX PARTNER LLC" in acme.description
    assert (acme.kind, acme.balance) == ("ACH_CREDIT", None)
    refs = [row.ref for row in statement.rows]
    assert refs[2] == refs[1] + "-2"  # identical rows: the second of the day counts on
    assert [derived_ref(row) for row in statement.rows] == [*refs[:2], refs[1], *refs[3:]]
    assert (
        refs[0]
        == "row-20261105-"
        + hashlib.sha256(b"2026-11-05\x1f\x1f-250.00\x1fUSD\x1f\x1fcheck 1042\x1f").hexdigest()[:12]
    )
    # 20410.49 + 250.00 before the oldest row; the newest row shows no balance
    assert (statement.opening_balance, statement.closing_balance) == (D("20660.49"), None)


# ---------------------------------------------------------------- Wise


def test_wise_transaction_history() -> None:
    # wise.csv: all balances; COMPLETED/CANCELLED/REFUNDED; IN takes the target side, OUT the
    # source side plus its fee, NEUTRAL (between own balances) gives both legs; newest first.
    statement = read("wise.csv")
    assert [
        (r.line, r.date.isoformat(), r.ref, str(r.amount), r.currency, str(r.fee), r.status)
        for r in statement.rows
    ] == [
        (8, "2026-11-02", "TRANSFER-1300000000", "199.59", "USD", "0.41", "booked"),
        (7, "2026-11-03", "TRANSFER-1300000001", "92.00", "EUR", "None", "booked"),
        (6, "2026-11-12", "CARD_TRANSACTION-1300000005", "-180.00", "EUR", "None", "refunded"),
        (5, "2026-11-18", "TRANSFER-1300000002", "-500.00", "USD", "None", "cancelled"),
        (4, "2026-11-20", "BALANCE_TRANSACTION-1300000003:out", "-92.00", "EUR", "0.35", "booked"),
        (4, "2026-11-20", "BALANCE_TRANSACTION-1300000003:in", "99.50", "USD", "None", "booked"),
        (3, "2026-11-26", "TRANSFER-1300000006", "-1088.22", "USD", "1.06", "cancelled"),
        (2, "2026-11-27", "TRANSFER-1300000004", "-1088.22", "USD", "1.06", "booked"),
    ]
    assert [r.counterparty for r in statement.rows] == [
        "ACME REALTY LLC", "Berlin Immo GmbH", "Hotel Adlon", "Office Rent LLC", "Olena Petrenko",
        "Olena Petrenko", "ONEBOX INC", "ONEBOX INC",
    ]  # fmt: skip
    onebox = statement.rows[-1]
    assert (onebox.time, onebox.description, onebox.ref_from_bank) == (
        at("10:02:11"),
        "onebox-2026-10",
        True,
    )
    assert statement.rows[3].time == at("12:00:00")  # never finished: the day it was created
    assert [r.line for r in statement.rows if r.skipped] == [6, 5, 3]
    assert (statement.currency, statement.opening_balance, statement.closing_balance) == (
        None,
        None,
        None,
    )


def test_wise_keeps_a_receive_fee_written_on_the_source_side(tmp_path: Path) -> None:
    """Wise writes the fee it keeps on an incoming USD wire as the source fee (the target fee
    is empty): 200.00 sent, 4.14 kept, 195.86 arrived. The row's fee is 4.14, so the receipt
    pays the invoice's 200.00. A source fee in another currency than what arrived is the
    sender's own (a conversion on their side), not on this account."""
    path = tmp_path / "transaction-history.csv"
    path.write_text(
        "ID,Status,Direction,Created on,Finished on,Source fee amount,Source fee currency,"
        "Target fee amount,Target fee currency,Source name,Source amount (after fees),"
        "Source currency,Target name,Target amount (after fees),Target currency,Exchange rate,"
        "Reference,Batch,Created by,Category,Note\n"
        "TRANSFER-2,COMPLETED,IN,2026-11-21 10:00:00,2026-11-21 10:00:30,1.50,EUR,,,"
        "BERLIN IMMO GMBH,98.50,EUR,Olena Petrenko,106.38,USD,1.08,Rechnung,,,Money added,\n"
        "TRANSFER-1,COMPLETED,IN,2026-11-20 15:02:11,2026-11-20 15:02:30,4.14,USD,,,"
        "ACME REALTY LLC,195.86,USD,Olena Petrenko,195.86,USD,1.0,INV-2026-10-ACME-REALTY,,,"
        "Money added,\n",
        encoding="utf-8",
    )
    statement = read_statement(path)
    assert [(r.ref, str(r.amount), r.currency, str(r.fee)) for r in statement.rows] == [
        ("TRANSFER-1", "195.86", "USD", "4.14"),
        ("TRANSFER-2", "106.38", "USD", "None"),
    ]


def test_wise_balance_statement() -> None:
    # wise-balance.csv: one currency, DD-MM-YYYY and "Date Time" with milliseconds, a running
    # balance, fees inside the amount, the payer or payee (else the merchant), newest first.
    statement = read("wise-balance.csv")
    assert brief(statement.rows) == [
        (5, "2026-11-02", "317.49", "USD", "booked", False, "JUNIPER SCHOOLS"),
        (4, "2026-11-06", "192.00", "USD", "booked", False, "IRIS TRAVEL"),
        (3, "2026-11-14", "-35.50", "USD", "booked", False, "Notion Labs"),
        (2, "2026-11-25", "-1088.22", "USD", "booked", False, "ONEBOX INC"),
    ]
    iris = statement.rows[1]
    assert (iris.ref, iris.time, iris.description) == (
        "TRANSFER-1400000001",
        at("09:45:00"),
        "inv-2026-10-iris-travel | Received money from IRIS TRAVEL with reference"
        " inv-2026-10-iris-travel",
    )
    onebox = statement.rows[-1]
    assert (onebox.fee, onebox.iban, onebox.kind) == (D("1.06"), "000123456789", "TRANSFER")
    # 2293.71 - 317.49 before the oldest row
    assert (statement.opening_balance, statement.closing_balance) == (D("1976.22"), D("1361.99"))
    assert statement.currency == "USD"


# ---------------------------------------------------------------- a new bank: one declaration


VOLKSBANK = Layout(
    name="volksbank",
    title="Volksbank (Fiducia) Umsätze",
    header=tuple(
        [
            "Buchungstag",
            "Valuta",
            "Auftraggeber/Zahlungsempfänger",
            "Empfänger/Zahlungspflichtiger",
            "IBAN",
            "Vorgang/Verwendungszweck",
            "Währung",
            "Umsatz",
            "Soll/Haben",
        ]
    ),
    columns={
        "date": (col("Buchungstag"),),
        "value_date": (col("Valuta"),),
        "counterparty": (col("Auftraggeber/Zahlungsempfänger"),),
        "iban": (col("IBAN"),),
        "description": (col("Vorgang/Verwendungszweck"),),
        "currency": (col("Währung"),),
        "amount": (col("Umsatz"),),
        "direction": (col("Soll/Haben"),),
    },
    directions={"s": "out", "h": "in"},
    dates=("DD.MM.YYYY",),
    numbers=COMMA_DOT,
    delimiters=(";",),
    encodings=("cp1252",),
    preamble_lines=12,
)


def test_a_new_bank_is_one_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unsigned amounts with Soll/Haben (S: money out, H: money in), read by the same reader."""
    monkeypatch.setitem(LAYOUTS, "volksbank", VOLKSBANK)
    path = tmp_path / "Umsaetze_DE12345678901234567890_2026.12.01.csv"
    path.write_bytes(
        (
            "Volksbank Musterstadt eG;;;;;;;;\n"
            "Umsatzanzeige;;;;;;;;\n" + ";".join(VOLKSBANK.header) + "\n"
            "01.12.2026;01.12.2026;Berlin Immo GmbH;;DE89370400440532013000;"
            "Rechnung INV-2026-11-BERLIN-IMMO;EUR;92,00;H\n"
            "01.12.2026;01.12.2026;Stadtwerke;;DE02100500000054540402;Strom;EUR;1.119,70;S\n"
        ).encode("cp1252")
    )
    statement = read_statement(path)
    assert statement.layout == "volksbank"
    assert [(r.line, r.amount, r.currency, r.counterparty) for r in statement.rows] == [
        (4, D("92.00"), "EUR", "Berlin Immo GmbH"),
        (5, D("-1119.70"), "EUR", "Stadtwerke"),
    ]


def test_a_debit_credit_flag_beside_an_unsigned_amount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flagged = Layout(
        name="flagged",
        title="a bank writing D and C",
        header=("Date", "Text", "Amount", "D/C"),
        columns={
            "date": (col("Date"),),
            "description": (col("Text"),),
            "amount": (col("Amount"),),
            "direction": (col("D/C"),),
        },
        directions={"d": "out", "c": "in"},
        currency="GBP",
    )
    monkeypatch.setitem(LAYOUTS, "flagged", flagged)
    path = tmp_path / "export.csv"
    path.write_text(
        "Date,Text,Amount,D/C\n2026-12-01,Fee,2.50,D\n2026-12-01,Refund,-3.00,C\n",
        encoding="utf-8",
    )
    assert refused_message(path) == (
        "export.csv: line 3: Amount '-3.00' is money out, but D/C is 'C'"
    )
    path.write_text("Date,Text,Amount,D/C\n2026-12-01,Fee,2.50,D\n", encoding="utf-8")
    (row,) = read_statement(path).rows
    assert (row.amount, row.currency, row.ref_from_bank) == (D("-2.50"), "GBP", False)


def refused_message(path: Path) -> str:
    with pytest.raises(StatementError) as error:
        read_statement(path)
    return str(error.value)
