"""Documents read back and compared with the books: the PDF's text (pypdf), the embedded
EN 16931 XML (factur-x finds it and validates it against its schema), the HTML's amounts,
the statement's JSON; bean-queries give the ledger's side. Hand-computed figures beside them:
5 x 25.00 for 14 of 30 days is 58.33; 19% VAT on 2,058.33 is 391.08; the invoice 2,449.41.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import facturx
import pypdf
import pytest
from beancount import loader
from beanquery import query as bq
from conftest import build_closed_seed, invoke, load_entries, succeeded, take_snapshot

from onebox_ledger.documents import content
from onebox_ledger.documents.words import Words
from onebox_ledger.model import parse_book

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

SETUP = [
    ["partner", "set", "--name", "Muster Cloud GmbH", "--country", "DE", "--vat-id", "DE136695976",
     "--address", "Hauptstr. 1, 10115 Berlin", "--iban", "DE89370400440532013000", "--bic",
     "cobadeffxxx", "--tax", "vat",
     "--rate", "19", "--date", "2026-01-01"],
    ["terms", "item", "cloud-user", "25 EUR", "--date", "2026-01-01"],
    ["terms", "rate", "1", "0.65", "--date", "2026-01-01"],
    ["terms", "payment", "30", "--date", "2026-01-01"],
    ["customer", "add", "berlin", "--name", "Berlin Immo GmbH", "--address",
     "Alexanderplatz 1, 10178 Berlin", "--currency", "EUR", "--language", "de", "--date",
     "2026-01-01"],
    ["customer", "add", "paris", "--name", "Paris Immo SARL", "--country", "FR", "--vat-id",
     "FR40303265045", "--currency", "EUR", "--date", "2026-01-01"],
    ["customer", "add", "kyiv", "--name", "ТОВ Київ Нерухомість", "--country", "UA", "--address",
     "вул. Хрещатик 1, Київ", "--currency", "EUR", "--language", "uk", "--date", "2026-01-01"],
    ["contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud", "--price",
     "25 EUR", "--quantity", "5", "--start", "2026-11-17", "--item", "cloud-user"],
    ["contract", "add", "berlin-impl", "--customer", "berlin", "--stream", "services", "--price",
     "2000 EUR", "--start", "2026-11-01", "--billing", "once"],
    ["contract", "add", "paris-cloud", "--customer", "paris", "--stream", "cloud", "--price",
     "25 EUR", "--quantity", "2", "--start", "2026-11-01", "--item", "cloud-user"],
    ["contract", "add", "kyiv-cloud", "--customer", "kyiv", "--stream", "cloud", "--price",
     "30 EUR", "--quantity", "3", "--start", "2026-11-01", "--item", "cloud-user"],
    ["close", "2026-11"],
    ["credit-note", "inv-2026-11-berlin", "10 EUR", "--date", "2026-12-05", "--memo",
     "Outage on 3 Dec", "--stream", "cloud"],
    ["receive", "berlin", "500 EUR", "--date", "2026-12-10", "--ref", "BANK-1"],
]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEBOX_TODAY", "2026-12-15")
    mp.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    root = tmp_path_factory.mktemp("docs") / "books"
    main = root / "main.beancount"
    succeeded(invoke(main, "init", str(root), "--start", "2026-01-01", "--currency", "EUR"))
    for step in SETUP:
        succeeded(invoke(main, *step))
    mp.undo()
    return root


@pytest.fixture
def books(built: Path, tmp_path: Path, fixed_today: None) -> Path:
    """A fresh copy of the built books: its main file."""
    root = tmp_path / "books"
    shutil.copytree(built, root)
    return root / "main.beancount"


def query(main: Path, sql: str, **params: str) -> list[tuple[Any, ...]]:
    """bean-query on the loaded books; `params` are ids (letters, digits, dashes) quoted in."""
    loader.initialize(use_cache=False)
    entries, errors, options = loader.load_file(str(main))
    assert errors == []
    for name, value in params.items():
        assert re.fullmatch(r"[a-z0-9-]+", value)
        sql = sql.replace(f"%({name})s", f"'{value}'")
    _, rows = bq.run_query(entries, options, sql)
    return [tuple(row) for row in rows]


def ledger_gross(main: Path, invoice: str) -> Decimal:
    """What the ledger bills on `invoice`: its positive receivable postings (lines and VAT)."""
    ((total,),) = query(
        main,
        "SELECT sum(number) WHERE account ~ '^Assets:Receivable:' AND number > 0"
        " AND entry_meta('invoice') = %(invoice)s",
        invoice=invoice,
    )
    return Decimal(total)


def ledger_lines(main: Path, invoice: str) -> list[Decimal]:
    rows = query(
        main,
        "SELECT number WHERE account ~ '^Income:' AND number < 0"
        " AND entry_meta('invoice') = %(invoice)s"
        " ORDER BY date, number",
        invoice=invoice,
    )
    return sorted(-Decimal(n) for (n,) in rows)


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def issued_pdf(main: Path, invoice: str) -> bytes:
    lines = succeeded(invoke(main, "invoice", "show", invoice))
    found = re.search(r": (documents/\S+\.pdf) ", lines[-1])
    assert found, lines
    return (main.parent / found.group(1)).read_bytes()


def xml_of(body: bytes) -> ET.Element:
    name, xml = facturx.get_xml_from_pdf(body, check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return ET.fromstring(xml)


def amounts(root: ET.Element, path: str) -> list[Decimal]:
    return [Decimal(e.text or "") for e in root.findall(path, NS)]


# ---------------------------------------------------------------- the invoice PDF and its XML


def test_german_invoice_pdf_states_the_ledgers_amounts(books: Path):
    body = issued_pdf(books, "inv-2026-11-berlin")
    text = pdf_text(body)
    gross = ledger_gross(books, "inv-2026-11-berlin")
    assert gross == Decimal("2449.41")  # 58.33 + 2000.00 + 19% of 2058.33 (391.08)
    assert ledger_lines(books, "inv-2026-11-berlin") == [Decimal("58.33"), Decimal("2000.00")]
    for shown in ("58,33 EUR", "2.000,00 EUR", "2.058,33 EUR", "391,08 EUR", "2.449,41 EUR"):
        assert shown in text, shown
    assert "Rechnung" in text and "inv-2026-11-berlin" in text
    assert "5 x 25,00 EUR, 14 von 30 Tagen" in text  # the proration in words
    assert "30. November 2026" in text and "Fällig am: 30. Dezember 2026" in text
    assert "IBAN: DE89370400440532013000, BIC: COBADEFFXXX" in text
    assert "USt-IdNr.: DE136695976" in text
    assert "Alexanderplatz 1, 10178 Berlin" in text


def test_the_embedded_xml_validates_and_equals_the_ledger(books: Path):
    root = xml_of(issued_pdf(books, "inv-2026-11-berlin"))
    assert root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == "inv-2026-11-berlin"
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    total = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert amounts(root, f"{total}/ram:GrandTotalAmount") == [
        ledger_gross(books, "inv-2026-11-berlin")
    ]
    assert amounts(root, f"{total}/ram:TaxTotalAmount") == [Decimal("391.08")]
    assert amounts(root, f"{total}/ram:DuePayableAmount") == [Decimal("2449.41")]
    lines = amounts(
        root, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    )
    assert sorted(lines) == ledger_lines(books, "inv-2026-11-berlin")
    ((vat,),) = query(
        books,
        "SELECT sum(number) WHERE account = 'Liabilities:VAT:Output'"
        " AND entry_meta('invoice') = 'inv-2026-11-berlin' AND number < 0 AND date = 2026-11-30",
    )
    assert amounts(root, f"{settlement}/ram:ApplicableTradeTax/ram:CalculatedAmount") == [-vat]
    due = root.findtext(f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/"
                        "udt:DateTimeString", namespaces=NS)  # fmt: skip
    assert due == "20261230"
    assert root.findtext(f"{settlement}/ram:PaymentReference", namespaces=NS) == (
        "inv-2026-11-berlin"
    )
    assert root.findtext(f"{settlement}//ram:IBANID", namespaces=NS) == "DE89370400440532013000"
    assert root.findtext(f"{settlement}//ram:BICID", namespaces=NS) == "COBADEFFXXX"


def test_the_pdf_is_pdf_a_3_with_the_xml_as_its_data(books: Path):
    body = issued_pdf(books, "inv-2026-11-paris")
    reader = pypdf.PdfReader(io.BytesIO(body))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode("utf-8")  # type: ignore[union-attr]
    assert "<pdfaid:part>3</pdfaid:part>" in raw
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in raw
    assert list(reader.attachments) == ["factur-x.xml"]
    assert "/AF" in reader.trailer["/Root"]


def test_reverse_charge_invoice_carries_the_note_and_no_vat(books: Path):
    body = issued_pdf(books, "inv-2026-11-paris")
    text = pdf_text(body)
    assert "Reverse charge" in text and "FR40303265045" in text
    assert "VAT (reverse charge) / 50.00 EUR 0.00 EUR" in text  # the kind in words, not its code
    assert "50.00 EUR" in text and ledger_gross(books, "inv-2026-11-paris") == Decimal("50.00")
    root = xml_of(body)
    tax = root.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert tax is not None
    assert tax.findtext("ram:CategoryCode", namespaces=NS) == "AE"
    assert tax.findtext("ram:CalculatedAmount", namespaces=NS) == "0.00"
    assert tax.findtext("ram:BasisAmount", namespaces=NS) == "50.00"


def test_ukrainian_invoice_in_ukrainian(books: Path):
    text = pdf_text(issued_pdf(books, "inv-2026-11-kyiv"))
    assert "Рахунок-фактура" in text and "ТОВ Київ Нерухомість" in text
    assert "30 листопада 2026" in text
    assert "90,00 EUR" in text  # 3 x 30.00, exempt: outside the EU
    assert ledger_gross(books, "inv-2026-11-kyiv") == Decimal("90.00")
    assert "Не є об'єктом ПДВ" in text


def test_credit_note_document_refers_to_its_invoice(books: Path):
    lines = succeeded(invoke(books, "invoice", "show", "cn-2026-12-05-berlin"))
    assert lines[0].startswith("issued cn-2026-12-05-berlin: documents/credit-notes/2026-12/")
    body = (books.parent / "documents/credit-notes/2026-12/cn-2026-12-05-berlin.pdf").read_bytes()
    text = pdf_text(body)
    assert "Gutschrift" in text and "inv-2026-11-berlin" in text
    assert "10,00 EUR" in text and "1,90 EUR" in text and "11,90 EUR" in text
    ((credited,),) = query(
        books,
        "SELECT sum(number) WHERE account ~ '^Assets:Receivable:'"
        " AND entry_meta('credit-note') = 'cn-2026-12-05-berlin'",
    )
    assert -credited == Decimal("11.90")
    root = xml_of(body)
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert root.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                         namespaces=NS) == "inv-2026-11-berlin"  # fmt: skip


def test_the_epc_qr_code_pays_the_gross_with_the_invoice_number(books: Path):
    entries = load_entries(books)
    book, _ = parse_book(entries)
    doc = content.document(entries, book, "inv-2026-11-berlin")
    from onebox_ledger.documents.pdf import epc_qr

    code = epc_qr(doc)
    assert code is not None and code.error == "M"  # EPC069-12: error correction M
    from segno import helpers

    expected = helpers.make_epc_qr(name="Muster Cloud GmbH", iban="DE89370400440532013000",
                                   amount=Decimal("2449.41"), text="inv-2026-11-berlin",
                                   bic="COBADEFFXXX", encoding="utf-8")  # fmt: skip
    assert code.matrix == expected.matrix
    assert content.document(entries, book, "cn-2026-12-05-berlin").kind == "credit-note"
    assert epc_qr(content.document(entries, book, "cn-2026-12-05-berlin")) is None


# ---------------------------------------------------------------- filed in the books


def test_issued_once_recorded_with_its_sha256(books: Path):
    first = issued_pdf(books, "inv-2026-11-berlin")
    journal = books.parent / "ledger/journal/2026-12.beancount"
    text = journal.read_text(encoding="utf-8")
    import hashlib

    assert f'sha256: "{hashlib.sha256(first).hexdigest()}"' in text
    assert (
        '2026-12-15 document Assets:Receivable:Berlin "../../documents/invoices/2026-11/'
        'inv-2026-11-berlin.pdf"' in text
    )
    assert 'option "documents" "documents"' in books.read_text(encoding="utf-8")
    before = take_snapshot(books.parent)
    lines = succeeded(invoke(books, "invoice", "show", "inv-2026-11-berlin"))
    assert lines[0].startswith("issued before inv-2026-11-berlin")
    assert take_snapshot(books.parent) == before
    verified = succeeded(invoke(books, "verify"))
    assert "1 document(s) checked, 0 finding(s)" in verified[-1]


def test_one_byte_changed_in_an_issued_pdf_fails_verify_naming_the_file(books: Path, refused):
    issued_pdf(books, "inv-2026-11-berlin")
    path = books.parent / "documents/invoices/2026-11/inv-2026-11-berlin.pdf"
    body = bytearray(path.read_bytes())
    body[len(body) // 2] ^= 0x01
    path.write_bytes(bytes(body))
    result = invoke(books, "verify")
    assert result.exit_code == 1
    (finding,) = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert finding.startswith("error: ledger/journal/2026-12.beancount:")
    assert "document documents/invoices/2026-11/inv-2026-11-berlin.pdf" in finding
    assert "was altered after it was issued" in finding
    assert "altered after it was issued" in refused(
        invoke(books, "invoice", "show", "inv-2026-11-berlin"), 1
    )
    path.unlink()
    result = invoke(books, "verify")
    assert result.exit_code == 1 and "inv-2026-11-berlin.pdf of inv-2026-11-berlin is missing" in (
        result.stdout
    )


def test_a_months_batch_issues_every_invoice_and_copies_them(books: Path, tmp_path: Path):
    out = tmp_path / "out"
    lines = succeeded(invoke(books, "invoice", "show", "--month", "2026-11", "-o", str(out)))
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "issued inv-2026-11-berlin", "issued inv-2026-11-kyiv", "issued inv-2026-11-paris",
    ]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "inv-2026-11-berlin.pdf", "inv-2026-11-kyiv.pdf", "inv-2026-11-paris.pdf",
    ]  # fmt: skip
    filed = books.parent / "documents/invoices/2026-11/inv-2026-11-kyiv.pdf"
    assert (out / "inv-2026-11-kyiv.pdf").read_bytes() == filed.read_bytes()
    assert succeeded(invoke(books, "verify"))[-1].endswith(
        "3 document(s) checked, 0 finding(s), no drift"
    )


def test_the_same_document_gives_the_same_bytes(books: Path, tmp_path: Path):
    first = succeeded(invoke(books, "invoice", "show", "inv-2026-11-paris", "--format", "xml"))
    again = succeeded(invoke(books, "invoice", "show", "inv-2026-11-paris", "--format", "xml"))
    assert first == again
    entries = load_entries(books)
    book, _ = parse_book(entries)
    from onebox_ledger.documents.pdf import document_pdf

    doc = content.document(entries, book, "inv-2026-11-kyiv")
    assert document_pdf(doc) == document_pdf(doc)


# ---------------------------------------------------------------- html, xml alone


def test_html_amounts_are_the_ledgers(books: Path):
    page = "\n".join(succeeded(invoke(books, "invoice", "show", "inv-2026-11-berlin",
                                      "--format", "html")))  # fmt: skip
    found = re.findall(r'<tr class="line">.*?data-amount="([0-9.]+)">[^<]*</span></td></tr>', page)
    assert sorted(Decimal(a) for a in found) == ledger_lines(books, "inv-2026-11-berlin")
    total = re.search(r'<tr class="total">.*?data-amount="([0-9.]+)"', page)
    assert total and Decimal(total.group(1)) == ledger_gross(books, "inv-2026-11-berlin")
    assert '<html lang="de">' in page and "<svg" in page  # the EPC QR code, inline
    assert not (books.parent / "documents").exists()  # html is a view: nothing filed


def test_xml_alone_validates(books: Path, tmp_path: Path):
    out = tmp_path / "inv.xml"
    succeeded(
        invoke(books, "invoice", "show", "inv-2026-11-kyiv", "--format", "xml", "-o", str(out))
    )
    xml = out.read_bytes()
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = ET.fromstring(xml)
    assert amounts(root, ".//ram:GrandTotalAmount") == [Decimal("90.00")]
    assert root.findtext(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                         "ram:CategoryCode", namespaces=NS) == "G"  # fmt: skip


# ---------------------------------------------------------------- statement, dunning, reminder


def test_statement_json_equals_the_ledger(books: Path):
    out = succeeded(invoke(books, "report", "statement", "berlin", "--as-of", "2026-12-31",
                           "--format", "json"))  # fmt: skip
    data = json.loads("\n".join(out), parse_float=Decimal)
    rows = [(r["date"], r["kind"], r["reference"], r["debit"], r["credit"], r["balance"])
            for r in data["rows"]]  # fmt: skip
    assert rows == [
        ("2026-01-01", "opening", "", "", "", "0.00"),
        ("2026-11-30", "invoice", "inv-2026-11-berlin", "2449.41", "", "2449.41"),
        ("2026-12-05", "credit-note", "cn-2026-12-05-berlin", "", "11.90", "2437.51"),
        ("2026-12-10", "payment", "BANK-1", "", "500.00", "1937.51"),
        ("2026-12-31", "closing", "", "", "", "1937.51"),
    ]  # 2449.41 - 11.90 - 500.00 = 1937.51
    ((balance,),) = query(books, "SELECT sum(number) WHERE account = 'Assets:Receivable:Berlin'")
    assert Decimal(rows[-1][-1]) == balance
    aging = {t["aging"]: t["open"] for t in data["totals"]}
    assert aging == {"current": "0.00", "1-30": "1937.51", "31-60": "0.00", "61-90": "0.00",
                     "90+": "0.00"}  # due 2026-12-30, one day past on 2026-12-31  # fmt: skip


def test_statement_pdf_and_html(books: Path, tmp_path: Path):
    out = tmp_path / "statement.pdf"
    succeeded(invoke(books, "report", "statement", "berlin", "--as-of", "2026-12-31",
                     "--format", "pdf", "-o", str(out)))  # fmt: skip
    text = pdf_text(out.read_bytes())
    assert "Kontoauszug" in text and "1.937,51 EUR" in text and "2.449,41 EUR" in text
    page = "\n".join(succeeded(invoke(books, "report", "statement", "berlin", "--as-of",
                                      "2026-12-31", "--format", "html")))  # fmt: skip
    closing = re.search(r'<tr class="closing total">.*?data-amount="([0-9.]+)"', page)
    assert closing and closing.group(1) == "1937.51"


def test_dunning_levels_by_days_past_due(books: Path):
    out = succeeded(invoke(books, "report", "dunning", "--as-of", "2027-01-20",
                           "--format", "json"))  # fmt: skip
    rows = json.loads("\n".join(out))["rows"]
    # due 2026-12-30: 21 days past due on 2027-01-20 -> level 2 (7 and 21 reached, 45 not)
    assert [(r["invoice"], r["days_past_due"], r["level"], r["open"]) for r in rows] == [
        ("inv-2026-11-berlin", "21", "2", "1937.51"),
        ("inv-2026-11-kyiv", "21", "2", "90.00"),
        ("inv-2026-11-paris", "21", "2", "50.00"),
    ]
    succeeded(invoke(books, "terms", "dunning", "10", "30", "--date", "2026-12-01"))
    out = succeeded(invoke(books, "report", "dunning", "--as-of", "2027-01-20", "--format", "json"))
    assert {r["level"] for r in json.loads("\n".join(out))["rows"]} == {"1"}
    out = succeeded(invoke(books, "report", "dunning", "--as-of", "2027-01-05", "--format", "json"))
    assert json.loads("\n".join(out))["rows"] == []  # 6 days past due: below level 1 (10)


def test_reminder_states_what_is_open(books: Path, tmp_path: Path):
    out = tmp_path / "reminder.pdf"
    lines = succeeded(invoke(books, "invoice", "remind", "inv-2026-11-berlin", "--as-of",
                             "2027-01-20", "-o", str(out)))  # fmt: skip
    assert lines == [f"reminder level 2 for inv-2026-11-berlin: 1937.51 EUR open, 21 day(s)"
                     f" past due; wrote {out}"]  # fmt: skip
    text = pdf_text(out.read_bytes())
    assert "Zahlungserinnerung" in text and "Offen 1.937,51 EUR" in text
    assert "Mahnstufe: 2" in text


def test_words_format_numbers_and_dates_per_language():
    day = datetime.date(2026, 11, 30)
    assert Words("en").money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert Words("de").money(Decimal("1234.5"), "EUR") == "1.234,50 EUR"
    assert Words("uk").money(Decimal("1234.5"), "EUR") == "1\xa0234,50 EUR"
    assert Words("de").date(day) == "30. November 2026"
    assert Words("uk").date(day).startswith("30 листопада 2026")
    assert Words("fr").language == "en"  # a language without documents: English


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("invoice", "show", "inv-2026-11-berlinn"),
         2, "unknown invoice 'inv-2026-11-berlinn' (did you mean 'inv-2026-11-berlin'?)"),
        (("invoice", "show"), 2, "give an INVOICE or --month YYYY-MM (one of them)"),
        (("invoice", "show", "inv-2026-11-berlin", "--month", "2026-11"),
         2, "give an INVOICE or --month YYYY-MM (one of them)"),
        (("invoice", "show", "inv-2026-11-berlin", "-o", "{tmp}/no/such/x.pdf"),
         2, "-o {tmp}/no/such/x.pdf: no folder {tmp}/no/such"),
        (("invoice", "show", "--month", "2026-11", "--format", "html"),
         2, "--month --format html needs -o DIR"),
        (("invoice", "remind", "inv-2026-11-berlin", "--as-of", "2026-12-20"),
         2, "invoice 'inv-2026-11-berlin' is not past due on 2026-12-20 (due 2026-12-30):"
            " nothing to remind"),
        (("report", "statement", "nobody"), 2, "unknown customer 'nobody'"),
        (("report", "statement", "berlin", "--agent", "nadia"),
         2, "give a CUSTOMER or --agent AGENT (one of them)"),
        (("report", "statement", "berlin", "--month", "2026-12"),
         2, "--month is for an agent's statement; a customer's takes --as-of"),
        (("terms", "dunning", "21", "7"), 2, "dunning days must rise, like 7 21 45, not 21 7"),
        (("terms", "dunning", "0"), 2, None),
        (("partner", "set", "--name", "X", "--country", "DE", "--tax", "none", "--bic", "COBA",
          "--date", "2026-01-01"), 2, None),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(
    books: Path, tmp_path: Path, refused, args: tuple[str, ...], code: int, message: str | None
):
    before = take_snapshot(books.parent)
    result = invoke(books, *(arg.format(tmp=tmp_path) for arg in args))
    line = refused(result, code)
    if message is not None:
        assert line == message.format(tmp=tmp_path)
    assert take_snapshot(books.parent) == before


def test_a_paid_invoice_needs_no_reminder(books: Path, refused):
    succeeded(invoke(books, "receive", "paris", "50 EUR", "--date", "2026-12-12"))
    before = take_snapshot(books.parent)
    assert refused(invoke(books, "invoice", "remind", "inv-2026-11-paris", "--as-of",
                          "2027-01-20"), 2) == (
        "invoice 'inv-2026-11-paris' is paid as of 2027-01-20: nothing to remind"
    )  # fmt: skip
    assert take_snapshot(books.parent) == before


def test_advance_invoices_are_still_issued_by_invoice_month(books: Path):
    assert succeeded(invoke(books, "invoice", "2026-12")) == [
        "2026-12: no contract is billed in advance; nothing to invoice"
    ]
    assert succeeded(invoke(books, "invoice", "issue", "2026-12", "--dry-run")) == [
        "2026-12: no contract is billed in advance; nothing to invoice"
    ]


def test_credit_applied_at_issue_lowers_what_is_due(books: Path, monkeypatch: pytest.MonkeyPatch):
    succeeded(invoke(books, "receive", "berlin", "2000 EUR", "--date", "2026-12-14"))
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-02")
    succeeded(invoke(books, "close", "2026-12"))
    # December: 5 x 25.00 = 125.00 + 19% = 148.75, paid from the 62.49 of credit
    # (2,000.00 received against 1,937.51 open)
    assert ledger_gross(books, "inv-2026-12-berlin") == Decimal("148.75")
    body = issued_pdf(books, "inv-2026-12-berlin")
    text = pdf_text(body)
    assert "Ihr Guthaben verrechnet -62,49 EUR" in text
    assert "Zu zahlen: 86,26 EUR" in text  # 148.75 - 62.49
    root = xml_of(body)
    assert amounts(root, ".//ram:TotalPrepaidAmount") == [Decimal("62.49")]
    assert amounts(root, ".//ram:DuePayableAmount") == [Decimal("86.26")]
    ((open_,),) = query(
        books,
        "SELECT sum(number) WHERE account = 'Assets:Receivable:Berlin'"
        " AND any_meta('invoice') = 'inv-2026-12-berlin'",
    )
    assert open_ == Decimal("86.26")


def test_a_one_time_sale_is_an_invoice_document(books: Path):
    succeeded(invoke(books, "sell", "paris", "300 EUR", "--date", "2026-12-11", "--memo",
                     "Training, 2 days", "--stream", "services"))  # fmt: skip
    (invoice,) = [i for i in content.invoice_ids(load_entries(books)) if "2026-12" in i]
    text = pdf_text(issued_pdf(books, invoice))
    assert "300.00 EUR" in text and ledger_gross(books, invoice) == Decimal("300.00")
    assert "Reverse charge" in text


def test_every_invoice_keeps_en16931s_arithmetic(books: Path, tmp_path: Path):
    """The business rules on totals the XSD cannot check (EN 16931 BR-CO-10, -13, -14, -15,
    -16, BR-S-08, BR-AE-08): each invoice's and credit note's XML, on hand-free sums."""
    out = tmp_path / "xml"
    succeeded(invoke(books, "invoice", "show", "--month", "2026-11", "--format", "xml", "-o",
                     str(out)))  # fmt: skip
    assert len(list(out.iterdir())) == 3
    for path in sorted(out.iterdir()):
        root = ET.fromstring(path.read_bytes())
        lines = amounts(root, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/"
                              "ram:LineTotalAmount")  # fmt: skip
        total = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        (line_total,) = amounts(root, total + "LineTotalAmount")
        (basis,) = amounts(root, total + "TaxBasisTotalAmount")
        (tax,) = amounts(root, total + "TaxTotalAmount")
        (grand,) = amounts(root, total + "GrandTotalAmount")
        (due,) = amounts(root, total + "DuePayableAmount")
        prepaid = sum(amounts(root, total + "TotalPrepaidAmount"), Decimal(0))
        assert sum(lines) == line_total == basis, path.name  # BR-CO-10, BR-CO-13
        breakdown = root.findall(
            ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS
        )
        assert sum(Decimal(t.findtext("ram:CalculatedAmount", namespaces=NS) or "")
                   for t in breakdown) == tax  # BR-CO-14  # fmt: skip
        assert grand == basis + tax and due == grand - prepaid  # BR-CO-15, BR-CO-16
        for t in breakdown:  # BR-S-08, BR-AE-08, BR-G-08: a category's basis is its lines'
            category = t.findtext("ram:CategoryCode", namespaces=NS)
            items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
            mine = [
                Decimal(i.findtext(".//ram:LineTotalAmount", namespaces=NS) or "")
                for i in items
                if i.findtext(".//ram:ApplicableTradeTax/ram:CategoryCode", namespaces=NS)
                == category
            ]
            assert sum(mine) == Decimal(t.findtext("ram:BasisAmount", namespaces=NS) or "")


def test_a_fop_charging_no_vat_issues_a_valid_e_invoice(tmp_path: Path, fixed_today: None):
    """A Ukrainian FOP on the single tax charges no VAT: category O (not subject to VAT), no
    rate, the note; the XML still validates."""
    root = tmp_path / "fop"
    main = root / "main.beancount"
    steps = [
        ["init", str(root), "--start", "2026-01-01", "--currency", "UAH"],
        ["partner", "set", "--name", "FOP Ivanenko", "--country", "UA", "--address",
         "вул. Сагайдачного 5, Київ", "--iban", "UA213223130000026007233566001", "--tax",
         "ua-single-tax", "--rate", "5", "--date", "2026-01-01"],
        ["terms", "item", "cloud-user", "25 EUR", "--date", "2026-01-01"],
        ["terms", "rate", "1", "0.65", "--date", "2026-01-01"],
        ["terms", "payment", "30", "--date", "2026-01-01"],
        ["price", "EUR", "45.00 UAH", "--date", "2026-11-01"],
        ["customer", "add", "wien", "--name", "Wien Immo GmbH", "--country", "AT", "--currency",
         "EUR", "--language", "de", "--date", "2026-01-01"],
        ["contract", "add", "wien-impl", "--customer", "wien", "--stream", "services", "--price",
         "1500 EUR", "--start", "2026-11-01", "--billing", "once"],
        ["close", "2026-11"],
    ]  # fmt: skip
    for step in steps:
        succeeded(invoke(main, *step))
    body = issued_pdf(main, "inv-2026-11-wien")
    text = pdf_text(body)
    assert "1.500,00 EUR" in text and "Keine Umsatzsteuer" in text
    assert "USt." not in text  # a seller outside VAT prints no VAT row, only the note
    assert "Nettobetrag 1.500,00 EUR Gesamtbetrag 1.500,00 EUR" in text
    assert "UA213223130000026007233566001" in text
    root_xml = xml_of(body)
    tax = root_xml.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert tax is not None and tax.findtext("ram:CategoryCode", namespaces=NS) == "O"
    assert tax.find("ram:RateApplicablePercent", NS) is None
    assert amounts(root_xml, ".//ram:GrandTotalAmount") == [Decimal("1500.00")]


def test_books_without_the_partners_details_refuse_documents(
    tmp_path: Path, fixed_today: None, refused
):
    main = build_closed_seed(tmp_path)  # the walkthrough's Acme, no `partner set`
    before = take_snapshot(tmp_path)
    assert refused(invoke(main, "invoice", "show", "inv-2026-11-acme"), 1) == (
        "a document needs the partner's details on 2026-11-30; record them with: onebox-ledger"
        ' partner set --name NAME --country CC --address "..." --iban IBAN --date YYYY-MM-DD'
    )
    assert take_snapshot(tmp_path) == before
