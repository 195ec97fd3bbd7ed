"""Reading statements: identification, refusals of one line, any bytes, stable references.

Every refusal is a StatementError (an InputError: exit 2) of one line naming the
file, the record's first line, the column as the bank names it and the value.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from pathlib import Path

import pytest

from onebox_ledger import planner
from onebox_ledger.importers import LAYOUTS, BankImporter, Row, StatementError, plan, read_statement
from onebox_ledger.importers.layouts import COMMA_DOT, POINT, POINT_PLAIN, SPACED, Numbers
from onebox_ledger.importers.statements import parse_money, parse_when
from onebox_ledger.values import InputError

D = Decimal
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EVERY_LAYOUT = (
    "generic: {g}; monobank-card: header not found; monobank-fop: header not found;"
    " privatbank: header not found; privatbank-sum: header not found; dkb: header not found;"
    " dkb-legacy: header not found; ing: header not found; chase: header not found; wise: {w};"
    " wise-balance: {w}; camt053: not XML; mt940: no SWIFT :20: and :61: lines"
)


def refused(path: Path, **options: str | None) -> str:
    with pytest.raises(StatementError) as error:
        read_statement(path, **options)  # type: ignore[arg-type]
    message = str(error.value)
    assert "\n" not in message
    assert isinstance(error.value, InputError)
    return message


def fixture_lines(name: str, encoding: str = "utf-8") -> list[str]:
    return (FIXTURES / name).read_bytes().decode(encoding).splitlines()


def written(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# ---------------------------------------------------------------- identification


def test_a_random_csv_is_refused_naming_every_layout_tried(tmp_path: Path) -> None:
    path = written(tmp_path, "bank.csv", ["name,age", "bob,3"])
    assert refused(path) == (
        "bank.csv: not a statement in any known layout ("
        + EVERY_LAYOUT.format(g="header not found", w="header not found")
        + ")"
    )


def test_a_header_near_a_layouts_says_which_columns_it_lacks(tmp_path: Path) -> None:
    """DKB renamed Status to Zustand: the refusal names the column, and the line it looked at;
    the tool's own header with two columns swapped is not exactly its header."""
    lines = fixture_lines("dkb.csv", "utf-8-sig")
    lines[5] = lines[5].replace('"Status"', '"Zustand"')
    message = refused(written(tmp_path, "umsatzliste.csv", lines))
    assert message == (
        "umsatzliste.csv: not a statement in any known layout (generic: header not found;"
        " monobank-card: header not found; monobank-fop: header not found; privatbank: header"
        " not found; privatbank-sum: header not found; dkb: line 6 lacks Status; dkb-legacy: line 6 lacks Buchungstag,"
        " Buchungstext, Auftraggeber / Begünstigter and 1 more; ing: line 6 lacks"
        " Auftraggeber/Empfänger, Buchungstext, Betrag and 1 more; chase: header not found;"
        " wise: header not found; wise-balance: header not found; camt053: not XML; mt940: no"
        " SWIFT :20: and :61: lines)"
    )
    swapped = written(
        tmp_path, "bank.csv",
        ["Date,Value date,Reference,Counterparty,Description,Currency,Amount,Balance"],
    )  # fmt: skip
    assert refused(swapped).startswith(
        "bank.csv: not a statement in any known layout (generic: line 1 is not exactly the"
        " header 'Date,Value date,Reference,Counterpart...'; monobank-card: line 1 lacks"
        " Дата і час операції, MCC, Сума в валюті картки (UAH); "
    )


def test_bytes_that_are_no_utf8_are_tried_in_each_layouts_own_encodings(tmp_path: Path) -> None:
    path = tmp_path / "statement.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert refused(path) == (
        "statement.csv: not a statement in any known layout ("
        + EVERY_LAYOUT.format(g="not UTF-8 text", w="not UTF-8 text")
        + ")"
    )
    assert refused(path, layout="generic") == "statement.csv: not a bank statement: not UTF-8 text"


def test_an_unknown_layout_name_lists_the_names(tmp_path: Path) -> None:
    assert refused(FIXTURES / "chase.csv", layout="sparkasse") == (
        "chase.csv: unknown layout 'sparkasse'; the layouts are generic, monobank-card,"
        " monobank-fop, privatbank, privatbank-sum, dkb, dkb-legacy, ing, chase, wise, wise-balance,"
        " camt053, mt940"
    )


def test_a_layout_that_does_not_fit_says_why(tmp_path: Path) -> None:
    assert refused(FIXTURES / "chase.csv", layout="wise") == (
        "chase.csv: not a bank statement in the expected layout: its header is"
        " 'Details,Posting Date,Description,Amount,Type,Balance,Chec...', expected"
        f" '{LAYOUTS['wise'].header_text()}'"
    )
    assert refused(FIXTURES / "chase.csv", layout="dkb") == (
        "chase.csv: not a bank statement in the expected layout (dkb): no header line like"
        " 'Buchungsdatum;Wertstellung;Status;Zahlungspflichtige*r;Zahlungsempfänger*in;V...'"
        " in its first lines"
    )


def test_the_file_name_breaks_a_tie_between_layouts_that_fit(tmp_path: Path) -> None:
    """A header holding the columns of two layouts: the bank's usual file name decides."""
    header = (
        "Дата операції;Деталі операції;Контрагент;Сума в валюті рахунку;"
        "Рахунок;Валюта;Кореспондент;Дебет;Кредит;Призначення платежу"
    )
    for name, layout in [
        ("monobank_fop.csv", "monobank-fop"),
        ("privat24_statement.csv", "privatbank"),
        ("export.csv", "privatbank"),  # no hint: the layout with more columns (7, not 5)
    ]:
        path = written(tmp_path, name, [header])
        assert read_statement(path).layout == layout


def test_the_importer_identifies_its_layout_or_any() -> None:
    anything, generic, dkb = BankImporter(layout=None), BankImporter(), BankImporter(layout="dkb")
    for path in FIXTURES.glob("*.csv"):
        assert anything.identify(str(path))
        assert generic.identify(str(path)) == (path.name == "generic.csv")
        assert dkb.identify(str(path)) == (path.name == "dkb.csv")
    assert not anything.identify(str(FIXTURES / "missing.csv"))
    assert not anything.identify(str(FIXTURES))
    with pytest.raises(ValueError, match="unknown layout 'hsbc'; the layouts are generic, "):
        BankImporter(layout="hsbc")


def test_fava_config_identifies_every_layout() -> None:
    from fava.core.ingest import load_import_config

    config = FIXTURES.parent.parent.parent / "importers" / "config.py"
    (importer,) = load_import_config(config).importers.values()
    assert all(importer.identify(str(path)) for path in FIXTURES.glob("*.csv"))


# ---------------------------------------------------------------- any bytes, one line


def test_files_that_are_no_statement(tmp_path: Path) -> None:
    cases = {
        "empty.csv": b"",
        "blank.csv": b"\r\n  \n",
        "binary.pdf": b"%PDF-1.7\n\x00\x01\x02",
    }
    messages = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        messages[name] = refused(tmp_path / name)
    assert messages == {
        "empty.csv": "empty.csv: not a bank statement: the file is empty",
        "blank.csv": "blank.csv: not a bank statement: the file is empty",
        "binary.pdf": "binary.pdf: not a bank statement: a binary file, not text",
    }
    assert refused(tmp_path / "missing.csv").startswith("missing.csv: cannot read it: ")
    assert refused(tmp_path).startswith(f"{tmp_path.name}: cannot read it: ")


def test_a_preamble_without_its_header_is_no_statement(tmp_path: Path) -> None:
    lines = fixture_lines("dkb.csv", "utf-8-sig")[:5]
    path = written(tmp_path, "dkb.csv", lines)
    assert refused(path, layout="dkb").startswith("dkb.csv: not a bank statement in the expected")


def test_a_header_without_rows_is_an_empty_statement(tmp_path: Path) -> None:
    lines = fixture_lines("dkb.csv", "utf-8-sig")[:6]
    statement = read_statement(written(tmp_path, "dkb.csv", lines))
    assert (statement.layout, statement.rows, statement.currency) == ("dkb", [], "EUR")
    assert (statement.closing_balance, statement.account_hint) == (
        D("4613.40"),
        "DE02120300000000202051",
    )


def test_utf16_tab_separated_spreadsheet_text_reads_like_the_csv(tmp_path: Path) -> None:
    text = (FIXTURES / "wise-balance.csv").read_text(encoding="utf-8")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    tabbed = "\r\n".join("\t".join(row) for row in rows) + "\r\n"
    path = tmp_path / "statement_USD.txt"
    path.write_bytes(b"\xff\xfe" + tabbed.encode("utf-16-le"))
    statement = read_statement(path)
    original = read_statement(FIXTURES / "wise-balance.csv")
    assert (statement.layout, statement.encoding) == ("wise-balance", "utf-16")
    assert statement.rows == original.rows


def test_any_bytes_give_a_statement_or_one_line(tmp_path: Path) -> None:
    """Cut and damaged fixtures and random bytes: a statement or a StatementError, never more."""
    rng = random.Random(20261201)
    path = tmp_path / "statement.csv"
    samples = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(60)]
    for fixture in sorted(FIXTURES.glob("*.csv")):
        data = fixture.read_bytes()
        for _ in range(12):
            cut = data[: rng.randrange(len(data))]
            damaged = bytearray(data)
            for _ in range(3):
                damaged[rng.randrange(len(damaged))] = rng.choice(b'";,\n\r0-9.x\xff\xd0')
            samples += [cut, bytes(damaged)]
    outcomes = {"read": 0, "refused": 0}
    for data in samples:
        path.write_bytes(data)
        try:
            read_statement(path, currency="USD")
            outcomes["read"] += 1
        except StatementError as error:
            assert "\n" not in str(error) and str(error).startswith("statement.csv: ")
            outcomes["refused"] += 1
    assert outcomes["read"] > 0 and outcomes["refused"] > 0


# ---------------------------------------------------------------- bad values


DKB_ROW_9 = '"28.11.26";"28.11.26";"Gebucht";"Berlin Immo GmbH";"ONEBOX PARTNER GMBH";"Rechnung INV-2026-10-BERLIN-IMMO";"Eingang";"DE89370400440532013000";"{amount}";"";"";"NOTPROVIDED"'


@pytest.mark.parametrize(
    ("fixture", "encoding", "number", "line", "message"),
    [
        pytest.param(
            "dkb.csv", "utf-8-sig", 9, DKB_ROW_9.format(amount="12,3,4"),
            "line 9: Betrag (€) '12,3,4' is not an amount like -1.087,16 (a comma for decimals,"
            " at most cents)",
            id="dkb-amount",
        ),
        pytest.param(
            "dkb.csv", "utf-8-sig", 9, DKB_ROW_9.format(amount="92,001"),
            "line 9: Betrag (€) '92,001' is not an amount like -1.087,16 (a comma for decimals,"
            " at most cents)",
            id="dkb-mills",
        ),
        pytest.param(
            "dkb.csv", "utf-8-sig", 9, DKB_ROW_9.replace("Gebucht", "Storniert").format(amount="92"),
            "line 9: Status 'Storniert' is not a status this layout knows (gebucht, vorgemerkt)",
            id="dkb-status",
        ),
        pytest.param(
            "dkb.csv", "utf-8-sig", 10, '"31.11.26";"15.11.26";"Gebucht";"ONEBOX PARTNER GMBH";"Office',
            "line 10: Buchungsdatum '31.11.26' is not a date (DD.MM.YY or DD.MM.YYYY)",
            id="dkb-date-of-a-record-over-two-lines",
        ),
        pytest.param(
            "monobank-card.csv", "utf-8", 2,
            "30.11.2026 18:45:10,ROZETKA.UA KYIV,5732,-1249.555,-1249.5,UAH,—,—,12.49,9254.41",
            "line 2: Сума в валюті картки (UAH) '-1249.555' is not an amount like -1087.16"
            " (a point for decimals, at most cents)",
            id="monobank-mills",
        ),
        pytest.param(
            "monobank-card.csv", "utf-8", 3,
            "28.11.1899 09:12:44,Комісія,4829,-45.0,-45.0,UAH,—,—,—,10503.91",
            "line 3: Дата i час операції '28.11.1899 09:12:44' is outside the years 1900 to 9000",
            id="monobank-year",
        ),
        pytest.param(
            "monobank-card.csv", "utf-8", 3,
            "28.11.2026 29:12:44,Комісія,4829,-45.0,-45.0,UAH,—,—,—,10503.91",
            "line 3: Дата i час операції '28.11.2026 29:12:44' is not a date"
            " (DD.MM.YYYY [HH:MM[:SS]])",
            id="monobank-time",
        ),
        pytest.param(
            "monobank-fop.csv", "utf-8-sig", 18,
            "03.11.2026,10:15:00,Кредит,Оплата,JUNIPER SCHOOLS,-,-,-317.49,-317.49,USD,-,-,817.49",
            "line 18: Сума в валюті рахунку '-317.49' is money out, but Вид операції (дебет/кредит)"
            " is 'Кредит'",
            id="fop-sign-against-direction",
        ),
        pytest.param(
            "monobank-fop.csv", "utf-8-sig", 18,
            "03.11.2026,25:15:00,Кредит,Оплата,JUNIPER SCHOOLS,-,-,317.49,317.49,USD,-,-,817.49",
            "line 18: Час операції '25:15:00' is not a time (HH:MM:SS)",
            id="fop-time",
        ),
        pytest.param(
            "monobank-fop.csv", "utf-8-sig", 18,
            "03.11.2026,10:15:00,Повернення,Оплата,JUNIPER SCHOOLS,-,-,317.49,317.49,USD,-,-,817.49",
            "line 18: Вид операції (дебет/кредит) 'Повернення' is not a direction this layout"
            " knows (credit, debit, дебет, кредит)",
            id="fop-direction",
        ),
        pytest.param(
            "privatbank.csv", "cp1251", 7,
            "3123456789;305299;UA213052990000026007233566001;USD;16.11.2026 14:40;D;;;UA1;;ONEBOX"
            " INC;77;16.11.2026;1 087.16;5.00;Partner bill;0;",
            "line 7: both Дебет '1 087.16' and Кредит '5.00' are filled",
            id="privat-both",
        ),
        pytest.param(
            "privatbank.csv", "cp1251", 7,
            "3123456789;305299;UA213052990000026007233566001;USD;16.11.2026 14:40;D;;;UA1;;ONEBOX"
            " INC;77;16.11.2026;;;Partner bill;0;",
            "line 7: Дебет and Кредит are both empty",
            id="privat-neither",
        ),
        pytest.param(
            "privatbank.csv", "cp1251", 7,
            "3123456789;305299;UA213052990000026007233566001;usd;16.11.2026 14:40;D;;;UA1;;ONEBOX"
            " INC;77;16.11.2026;1087.16;;Partner bill;0;",
            "line 7: currency 'usd' is not a currency code (like USD or EUR)",
            id="privat-currency",
        ),
        pytest.param(
            "chase.csv", "utf-8", 4,
            'DEBIT,11/16/2026,"ONEBOX INC WIRE",-1087.16,WIRE_OUTGOING,"20,331.33",,extra,more',
            "line 4: 9 fields, expected 7 (Details,Posting Date,Description,Amount,Type,Balance,"
            "Check or Slip #)",
            id="chase-fields",
        ),
        pytest.param(
            "chase.csv", "utf-8", 4,
            'DEBIT,16/11/2026,"ONEBOX INC WIRE",-1087.16,WIRE_OUTGOING,"20,331.33",,',
            "line 4: Posting Date '16/11/2026' is not a date (MM/DD/YYYY)",
            id="chase-date",
        ),
        pytest.param(
            "chase.csv", "utf-8", 4,
            'DEBIT,11/16/2026,"ONEBOX INC WIRE",,WIRE_OUTGOING,"20,331.33",,',
            "line 4: Amount is empty",
            id="chase-amount-empty",
        ),
        pytest.param(
            "wise.csv", "utf-8", 2,
            '"TRANSFER 1","COMPLETED","OUT","2026-11-27 10:00:00","","1.06","USD","","","O","10","USD","X","10","USD","1","","","","",""',
            "line 2: ref 'TRANSFER 1' must be letters, digits and . _ : - (at most 64)",
            id="wise-ref",
        ),
        pytest.param(
            "wise.csv", "utf-8", 2,
            '"T-1","COMPLETED","SIDEWAYS","2026-11-27 10:00:00","","1.06","USD","","","O","10","USD","X","10","USD","1","","","","",""',
            "line 2: Direction 'SIDEWAYS' is not a direction this layout knows (in, neutral, out)",
            id="wise-direction",
        ),
        pytest.param(
            "wise.csv", "utf-8", 8,
            '"T-1","COMPLETED","OUT","2026-11-27 10:00:00","","1.06","USD","","","O","10","USD","X","10","USD","1","ref',
            "line 8: not readable as CSV: unexpected end of data",
            id="wise-open-quote-at-the-end",
        ),
        pytest.param(
            "ing.csv", "iso-8859-1", 19,
            "10.11.2026;10.11.2026;Stadtwerke Berlin;Lastschrift;Strom 11/2026;4.480,30;EUR;-119.70;EUR",
            "line 19: Betrag '-119.70' is not an amount like -1.087,16 (a comma for decimals,"
            " at most cents)",
            id="ing-point",
        ),
    ],
)  # fmt: skip
def test_a_bad_value_is_refused_naming_line_column_and_value(
    tmp_path: Path, fixture: str, encoding: str, number: int, line: str, message: str
) -> None:
    lines = fixture_lines(fixture, encoding)
    lines[number - 1] = line
    path = written(tmp_path, fixture, lines, "utf-8" if encoding == "utf-8-sig" else encoding)
    assert refused(path) == f"{fixture}: {message}"


def test_a_row_without_currency_in_a_statement_that_names_none(tmp_path: Path) -> None:
    path = FIXTURES / "generic.csv"
    assert refused(path) == (
        "generic.csv: line 7: no currency: the row names none and the statement names none"
        " (name the bank account it is of with --account)"
    )
    assert read_statement(path, currency="EUR").rows[-1].currency == "EUR"


def test_a_repeated_bank_reference(tmp_path: Path) -> None:
    lines = fixture_lines("wise-balance.csv")
    lines[2] = lines[2].replace("CARD-1400000002", "TRANSFER-1400000001")
    statement = read_statement(written(tmp_path, "statement_1.csv", lines))
    assert [r.ref for r in statement.rows] == [
        "TRANSFER-1400000000",
        "TRANSFER-1400000001",
        "TRANSFER-1400000001.2",
        "TRANSFER-1400000003",
    ]
    generic = fixture_lines("generic.csv", "utf-8-sig")
    generic[2] = generic[2].replace("TX-9002", "TX-9001")
    assert refused(written(tmp_path, "generic.csv", generic), currency="USD") == (
        "generic.csv: line 3: reference 'TX-9001' is already on line 2 (each row needs its own"
        " bank reference)"
    )


# ---------------------------------------------------------------- order and references


def test_overlapping_statements_give_a_row_the_same_reference(tmp_path: Path) -> None:
    """Chase lists newest first: 11/30 ACME, 11/30 fee, 11/20 Harbor Group, 11/16 OneBox,
    11/09 and 11/09 Harbor Clinic (identical), 11/05 check. Two statements that overlap, one
    holding only one of the identical rows, give every row the reference the whole statement
    gives it."""
    header, *rows = fixture_lines("chase.csv")
    whole = [r.ref for r in read_statement(FIXTURES / "chase.csv").rows]  # oldest first
    later = read_statement(written(tmp_path, "Chase1_Activity.csv", [header, *rows[:5]]))
    earlier = read_statement(written(tmp_path, "Chase2_Activity.csv", [header, *rows[3:]]))
    assert [r.ref for r in earlier.rows] == whole[:4]  # check, Harbor, Harbor -2, OneBox
    assert [r.ref for r in later.rows] == [whole[1], *whole[3:]]  # one Harbor: the first ref
    assert whole[2] == whole[1] + "-2"

    lines = fixture_lines("dkb.csv", "utf-8-sig")  # only the fee (line 8) and Kyiv (line 12)
    dkb = [r.ref for r in read_statement(FIXTURES / "dkb.csv").rows]
    part = read_statement(written(tmp_path, "dkb.csv", [*lines[:6], lines[7], lines[11]]))
    assert [(r.line, r.ref) for r in part.rows] == [(8, dkb[0]), (7, dkb[3])]


def test_ing_sorted_oldest_first_says_so_in_its_preamble(tmp_path: Path) -> None:
    lines = fixture_lines("ing.csv", "iso-8859-1")
    ascending = [*lines[:10], "Sortierung;Datum aufsteigend", *lines[11:15], *reversed(lines[15:])]
    statement = read_statement(written(tmp_path, "ing.csv", ascending, "iso-8859-1"))
    original = read_statement(FIXTURES / "ing.csv")
    assert [(r.date, r.amount, r.ref) for r in statement.rows] == [
        (r.date, r.amount, r.ref) for r in original.rows
    ]
    assert [r.line for r in statement.rows] == [16, 17, 18, 19]


def test_the_importer_books_only_booked_rows() -> None:
    def row(line: int, status: str) -> Row:
        return Row(
            line, datetime.date(2026, 11, 2), None, f"R{line}", "Stripe", "", D("5.00"), "USD",
            None, status=status,  # type: ignore[arg-type]
        )  # fmt: skip

    rows = [row(2, "booked"), row(3, "pending"), row(4, "cancelled"), row(5, "refunded")]
    planned = plan(rows, planner.State.of([], "USD"))
    assert [(p.row.line, p.outcome, p.reason) for p in planned] == [
        (2, "unrelated", "no customer, invoice id or customer name recognised"),
        (3, "skipped", "pending at the bank; not booked"),
        (4, "skipped", "cancelled at the bank; not booked"),
        (5, "skipped", "refunded at the bank; not booked"),
    ]
    assert [r.skipped for r in rows] == [False, True, True, True]


# ---------------------------------------------------------------- numbers and dates


@pytest.mark.parametrize(
    ("text", "numbers", "value"),
    [
        ("1.250", COMMA_DOT, "1250.00"),
        ("-4,9", COMMA_DOT, "-4.90"),
        ("-1.234,5", COMMA_DOT, "-1234.50"),
        ("-8,67 €", COMMA_DOT, "-8.67"),
        ("1.234.567,89 EUR", COMMA_DOT, "1234567.89"),
        ("\u22125,00", COMMA_DOT, "-5.00"),
        ("1 234,56", SPACED, "1234.56"),
        ("1\u00a0234.56", SPACED, "1234.56"),
        ("-12 345 678,9", SPACED, "-12345678.90"),
        ("1,234.56", POINT, "1234.56"),
        ("+200", POINT, "200.00"),
        ("530.0", POINT_PLAIN, "530.00"),
        ("1.250", POINT, None),
        ("12,34", POINT, None),
        ("1.2.3", COMMA_DOT, None),
        ("12,3,4", COMMA_DOT, None),
        ("1,234.56", POINT_PLAIN, None),
        ("1 23,4", SPACED, None),
        ("1 234,567", SPACED, None),
        ("1e3", POINT, None),
        ("NaN", POINT, None),
        ("", POINT, None),
        ("--5", POINT, None),
        ("1234567890123456", POINT, None),
    ],
)
def test_amounts_as_each_layout_writes_them(text: str, numbers: Numbers, value: str | None) -> None:
    assert parse_money(text, numbers) == (D(value) if value is not None else None)


@pytest.mark.parametrize(
    ("layout", "text", "when"),
    [
        ("dkb", "02.11.26", ("2026-11-02", None)),
        ("dkb", "02.11.2026", ("2026-11-02", None)),
        ("chase", "11/02/2026", ("2026-11-02", None)),
        ("wise-balance", "02-11-2026 08:15:30.500", ("2026-11-02", "08:15:30")),
        ("wise", "2026-11-02T08:15:30Z", ("2026-11-02", "08:15:30")),
        ("wise", "2026-11-02 08:15:30+02:00", ("2026-11-02", "08:15:30")),
        ("wise", "2026-11-02 08:15", ("2026-11-02", "08:15:00")),
        ("privatbank", "04.11.2026 11:20", ("2026-11-04", "11:20:00")),
        ("generic", "2026-11-02", ("2026-11-02", None)),
    ],
)
def test_dates_as_each_layout_writes_them(
    layout: str, text: str, when: tuple[str, str | None]
) -> None:
    date, time = parse_when(text, LAYOUTS[layout])
    assert (date.isoformat(), time.isoformat() if time else None) == when


@pytest.mark.parametrize(
    ("layout", "text", "why"),
    [
        ("generic", "2026-11-02 08:15", "is not a date (YYYY-MM-DD)"),
        ("generic", "2026-02-29", "is not a date (YYYY-MM-DD)"),
        ("chase", "2/11/2026", "is not a date (MM/DD/YYYY)"),
        ("dkb", "2026-11-02", "is not a date (DD.MM.YY or DD.MM.YYYY)"),
        ("dkb-legacy", "01.01.9001", "is outside the years 1900 to 9000"),
        ("dkb-legacy", "31.12.1899", "is outside the years 1900 to 9000"),
    ],
)
def test_dates_a_layout_refuses(layout: str, text: str, why: str) -> None:
    with pytest.raises(ValueError, match=r"^" + why.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_when(text, LAYOUTS[layout])


# ---------------------------------------------------------------- through the importer


def test_a_bank_layout_extracts_on_the_demo_ledger(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The Wise balance statement on the shipped demo: the two invoice receipts become what
    ``receive`` writes, with Wise's ids as refs; the card payment is left for a person."""
    import logging

    from beancount import loader

    from onebox_ledger.demo import build_demo

    build_demo(tmp_path / "demo", customers=10, months=10, seed=1, fast=True)
    loader.initialize(use_cache=False)
    existing, errors, _ = loader.load_file(str(tmp_path / "demo" / "main.beancount"))
    assert errors == []
    importer = BankImporter("Assets:Bank", "USD", layout=None)
    with caplog.at_level(logging.WARNING, logger="onebox_ledger.importers.bank"):
        extracted = importer.extract(str(FIXTURES / "wise-balance.csv"), existing)
    entries = [e for e in extracted if "customer" in e.meta]
    assert [(e.date.isoformat(), e.meta["id"], e.meta["customer"]) for e in entries] == [
        ("2026-11-02", "receive/TRANSFER-1400000000", "juniper-schools"),
        ("2026-11-06", "receive/TRANSFER-1400000001", "iris-travel"),
    ]
    assert [(p.account, p.units.number) for p in entries[1].postings] == [
        ("Assets:Bank", D("192.00")),
        ("Assets:Receivable:Iris-Travel", D("-192.00")),
    ]
    assert caplog.messages[0] == (
        "wise-balance.csv: line 3 (ref CARD-1400000002): -35.50 USD, unrelated: money out, not"
        " to OneBox"
    )

    caplog.clear()
    pending = read_statement(FIXTURES / "dkb.csv").rows[-1]
    with caplog.at_level(logging.WARNING, logger="onebox_ledger.importers.bank"):
        # the EUR statement on the bank account of its currency (Assets:Bank holds USD: the
        # importer refuses it as ``import --account Assets:Bank`` does)
        BankImporter(None, "USD", layout="dkb").extract(str(FIXTURES / "dkb.csv"), existing)
    with pytest.raises(InputError, match=r"^--account Assets:Bank holds USD, but the statement"):
        BankImporter(layout="dkb").extract(str(FIXTURES / "dkb.csv"), existing)
    assert [m for m in caplog.messages if "line 7 " in m] == [
        f"dkb.csv: line 7 (ref {pending.ref}): -45.90 EUR, skipped: pending at the bank; not booked"
    ]
