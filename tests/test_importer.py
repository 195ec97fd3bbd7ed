"""The bank-statement importer: golden file, identify, classification, and `onebox-ledger import`.

The sample ``tests/importers/bank-2026-11.csv`` is November 2026 on the demo
ledger (``build_demo(customers=10, months=10, seed=1)``, the shipped demo), whose
open items at the end of October are, among others::

    inv-2026-08-harbor-clinic  504.00 USD     inv-2026-10-acme-realty      200.00 USD
    inv-2026-09-harbor-clinic  504.00 USD     inv-2026-10-casa-verde       158.71 USD
    inv-2026-10-25-granite-law 950 USD        inv-2026-10-juniper-schools  319.98 USD
    inv-2026-10-fjord-marine    66.95 USD     inv-2026-10-iris-travel      192.00 USD
    inv-2026-10-berlin-immo     92.00 EUR     onebox-2026-10 (bill)       1193.36 USD

The golden ``bank-2026-11.csv.beancount`` (beangulp's format: account, date and
name lines, then the extracted entries) holds what the importer extracts with
that ledger as the existing entries. beangulp's own ``test`` command passes no
existing entries (nothing would match), so the comparison runs here; regenerate
it after a deliberate change with::

    python -c "from tests.test_importer import regenerate; regenerate()"
"""

from __future__ import annotations

import datetime
import json
import logging
import shlex
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beangulp import extract, testing
from beangulp.importers.csvbase import Order
from click.testing import Result

from onebox_ledger import beans, planner
from onebox_ledger.demo import build_demo
from onebox_ledger.importers import BankImporter, Recognised, Row, StatementError, recognise
from onebox_ledger.model import Book, Customer
from onebox_ledger.money import Rates
from onebox_ledger.openitems import OpenItem
from onebox_ledger.values import InputError

D = Decimal
HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "importers" / "bank-2026-11.csv"
GOLDEN = HERE / "importers" / "bank-2026-11.csv.beancount"
HEADER = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance"
JOURNAL = Path("ledger/journal/2026-11.beancount")

# The fixtures of conftest.py
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Refused = Callable[[Result, int], str]
Snapshot = Callable[[Path], dict[str, bytes]]
Check = Callable[[Path], list[Any]]


def demo_ledger(root: Path) -> Path:
    build_demo(root, customers=10, months=10, seed=1, fast=True)
    return (root / "main.beancount").resolve()


def loaded(main: Path) -> list[Any]:
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(main))
    assert errors == []
    return list(entries)


def extracted(importer: BankImporter, document: Path, existing: list[Any]) -> tuple[Any, ...]:
    """What beangulp's test command compares (testing.run_importer), with existing entries."""
    doc = str(document)
    entries = extract.extract_from_file(importer, doc, existing)
    return importer.account(doc), importer.date(doc), importer.filename(doc), entries


def regenerate() -> None:  # pragma: no cover - run by hand, see the module docstring
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        existing = loaded(demo_ledger(Path(tmp) / "demo"))
        found = extracted(BankImporter("Assets:Bank", "USD"), SAMPLE, existing)
        testing.write_expected_file(str(GOLDEN), *found, force=True)


def with_lines(tmp_path: Path, replace: dict[int, str] | None = None, *extra: str) -> Path:
    """The sample with lines replaced (1 is the header) and rows appended, as a new file."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    path = tmp_path / "bank-2026-11.csv"
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- the importer (beangulp)


def test_extract_matches_the_golden_file(tmp_path: Path) -> None:
    existing = loaded(demo_ledger(tmp_path / "demo"))
    found = extracted(BankImporter("Assets:Bank", "USD"), SAMPLE, existing)
    assert found[:3] == ("Assets:Bank", datetime.date(2026, 11, 30), "bank-statement.csv")
    # the open of Expenses:Bank-Fees, 6 receipts, 1 payment, 1 fee, and the commission Acme
    # Realty's receipt earns its agent (10% of 200.00)
    assert len(found[3]) == 10
    assert testing.compare_expected(str(GOLDEN), *found) == []


def test_extract_warns_of_each_row_it_leaves_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    existing = loaded(demo_ledger(tmp_path / "demo"))
    with caplog.at_level(logging.WARNING, logger="onebox_ledger.importers.bank"):
        BankImporter().extract(str(SAMPLE), existing)
    assert caplog.messages == [
        "bank-2026-11.csv: line 8 (ref 20261118-0007): -1500.00 USD, unrelated: money out, not to"
        " OneBox",
        "bank-2026-11.csv: line 10 (ref 20261123-0009): 350.00 USD, unrelated: no customer,"
        " invoice id or customer name recognised",
    ]


def test_without_a_ledger_nothing_matches(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="onebox_ledger.importers.bank"):
        account, date, name, entries = testing.run_importer(BankImporter(), str(SAMPLE))
    assert (account, date, name, entries) == (
        "Assets:Bank",
        datetime.date(2026, 11, 30),
        "bank-statement.csv",
        [],
    )
    assert len(caplog.messages) == 10


def test_identify_by_the_header_line(tmp_path: Path) -> None:
    importer = BankImporter()
    other = tmp_path / "other.csv"
    other.write_text("Date,Description,Amount\n2026-11-02,Rent,-1500.00\n", encoding="utf-8")
    reordered = tmp_path / "reordered.csv"
    reordered.write_text(
        "Date,Value date,Reference,Counterparty,Description,Currency,Amount,Balance\n",
        encoding="utf-8",
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    binary = tmp_path / "statement.pdf"
    binary.write_bytes(b"%PDF-1.7\n\xff\xfe\x00\x81" * 100)
    assert importer.identify(str(SAMPLE))
    assert importer.identify(str(bom))
    assert not importer.identify(str(GOLDEN))
    assert not importer.identify(str(other))
    assert not importer.identify(str(reordered))
    assert not importer.identify(str(binary))
    assert not importer.identify(str(tmp_path / "missing.csv"))
    assert not importer.identify(str(tmp_path))


def test_same_day_rows_follow_the_declared_order() -> None:
    day = datetime.date(2026, 11, 9)

    def row(line: int, ref: str, date: datetime.date = day) -> Row:
        return Row(line, date, None, ref, "Harbor Clinic", "", D("504.00"), "USD", None)

    rows = [row(2, "A", day + datetime.timedelta(days=1)), row(3, "B"), row(4, "C")]
    ascending = BankImporter().chronological(rows)
    descending = BankImporter(order=Order.DESCENDING).chronological(rows)
    assert [r.ref for r in ascending] == ["B", "C", "A"]
    assert [r.ref for r in descending] == ["C", "B", "A"]


def test_a_newest_first_statement_extracts_the_same_entries(tmp_path: Path) -> None:
    existing = loaded(demo_ledger(tmp_path / "demo"))
    header, *rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    newest_first = tmp_path / "newest-first.csv"
    newest_first.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    oldest = BankImporter().extract(str(SAMPLE), existing)
    newest = BankImporter(order=Order.DESCENDING).extract(str(newest_first), existing)
    assert beans.format_entries(newest) == beans.format_entries(oldest)


# ---------------------------------------------------------------- reading a statement


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        pytest.param(
            {3: '2026-11-04,2026-11-04,20261104-0002,Casa Verde,Oct,"240,0",USD,'},
            "line 3: Amount '240,0' is not an amount like -1087.16 (a point for decimals, at most cents)",
            id="amount-comma",
        ),
        pytest.param(
            {3: "2026-11-04,2026-11-04,20261104-0002,Casa Verde,Oct,1e3,USD,"},
            "line 3: Amount '1e3' is not an amount like -1087.16 (a point for decimals, at most cents)",
            id="amount-exponent",
        ),
        pytest.param(
            {3: "2026-11-04,2026-11-04,20261104-0002,Casa Verde,Oct,240.001,USD,"},
            "line 3: Amount '240.001' is not an amount like -1087.16 (a point for decimals, at most cents)",
            id="amount-mills",
        ),
        pytest.param(
            {3: "2026-11-04,2026-11-04,20261104-0002,Casa Verde,Oct,,USD,"},
            "line 3: Amount is empty",
            id="amount-empty",
        ),
        pytest.param(
            {4: "2026-11-31,2026-11-05,20261106-0003,J. Patel,juniper-schools,317.49,USD,"},
            "line 4: Date '2026-11-31' is not a date (YYYY-MM-DD)",
            id="date-impossible",
        ),
        pytest.param(
            {4: "06/11/2026,2026-11-05,20261106-0003,J. Patel,juniper-schools,317.49,USD,"},
            "line 4: Date '06/11/2026' is not a date (YYYY-MM-DD)",
            id="date-format",
        ),
        pytest.param(
            {4: "2026-11-06,2026-11-05,,J. Patel,juniper-schools,317.49,USD,"},
            "line 4: Reference is empty",
            id="reference-empty",
        ),
        pytest.param(
            {4: "2026-11-06,2026-11-05,TX 1,J. Patel,juniper-schools,317.49,USD,"},
            "line 4: ref 'TX 1' must be letters, digits and . _ : - (at most 64)",
            id="reference-space",
        ),
        pytest.param(
            {4: "2026-11-06,2026-11-05,20261104-0002,J. Patel,juniper-schools,317.49,USD,"},
            "line 4: reference '20261104-0002' is already on line 3 (each row needs its own bank reference)",
            id="reference-twice",
        ),
        pytest.param(
            {4: "2026-11-06,2026-11-05,20261106-0003,J. Patel,juniper-schools,317.49,usd,"},
            "line 4: currency 'usd' is not a currency code (like USD or EUR)",
            id="currency",
        ),
        pytest.param(
            {4: "2026-11-06,2026-11-05,20261106-0003,J. Patel,juniper-schools,317.49,USD"},
            f"line 4: 7 fields, expected 8 ({HEADER})",
            id="fields",
        ),
        pytest.param(
            {1: "Booking date,Text,Amount"},
            "not a bank statement in the expected layout: its header is 'Booking date,Text,Amount',"
            f" expected '{HEADER}'",
            id="header",
        ),
    ],
)
def test_a_bad_statement_is_refused_naming_line_and_value(
    tmp_path: Path, replace: dict[int, str], message: str
) -> None:
    with pytest.raises(StatementError) as refused:
        BankImporter().rows(str(with_lines(tmp_path, replace)))
    assert str(refused.value) == f"bank-2026-11.csv: {message}"


def test_rows_are_read_exactly() -> None:
    rows = BankImporter().rows(str(SAMPLE))
    assert len(rows) == 10
    assert rows[3] == Row(
        line=5,
        date=datetime.date(2026, 11, 9),
        value_date=datetime.date(2026, 11, 9),
        ref="20261109-0004",
        counterparty="HARBOR CLINIC",
        description="Payment August and September",
        amount=D("1008.00"),
        currency="USD",
        balance=D("19686.69"),
    )
    assert rows[9].counterparty == ""
    assert rows[9].amount == D("-12.00")


def test_a_spreadsheet_export_with_bom_and_crlf_reads_the_same(tmp_path: Path) -> None:
    exported = tmp_path / "export.csv"
    exported.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    assert BankImporter().rows(str(exported)) == BankImporter().rows(str(SAMPLE))


def test_an_empty_currency_is_the_importers(tmp_path: Path) -> None:
    path = with_lines(tmp_path, {2: "2026-11-02,,20261102-0001,ACME,x,200,,"})
    row = BankImporter(currency="EUR").rows(str(path))[0]
    assert (row.amount, row.currency, row.value_date, row.balance) == (
        D("200.00"),
        "EUR",
        None,
        None,
    )


# ---------------------------------------------------------------- classification


BOOK = Book(
    customers={
        c.id: c
        for c in (
            Customer("acme", datetime.date(2026, 1, 1), "Acme Realty", "USD"),
            Customer("berlin-immo", datetime.date(2026, 1, 1), "Berlin Immo GmbH", "EUR"),
            Customer("casa-verde", datetime.date(2026, 1, 1), "Casa Verde Inmobiliaria", "USD"),
            Customer("iris", datetime.date(2026, 1, 1), "Iris Travel", "USD"),
            Customer("iris-group", datetime.date(2026, 1, 1), "Iris Travel Group", "USD"),
            Customer("kyiv", datetime.date(2026, 1, 1), "Kyiv Estates", "USD"),
            Customer("beta-homes", datetime.date(2026, 1, 1), "Beta Homes", "USD"),
        )
    }
)
KNOWN = [
    OpenItem("inv-2026-10-acme", "invoice", datetime.date(2026, 10, 31), "USD", "acme"),
    OpenItem("inv-2026-09-acme", "invoice", datetime.date(2026, 9, 30), "USD", "acme"),
    OpenItem("inv-2026-10-casa-verde", "invoice", datetime.date(2026, 10, 31), "USD", "casa-verde"),
    OpenItem("inv-2026-10-25-casa-verde.2", "invoice", datetime.date(2026, 10, 25), "USD", "casa-verde"),
]  # fmt: skip
BILLS = [OpenItem("onebox-2026-11", "bill", datetime.date(2026, 11, 30), "USD")]


def state() -> planner.State:
    return planner.State(
        BOOK, Rates.of([], "USD"), invoices={i.id: i for i in KNOWN},
        bills={b.id: b for b in BILLS},
    )  # fmt: skip


def bank_row(amount: str, counterparty: str, description: str) -> Row:
    return Row(2, datetime.date(2026, 11, 2), None, "R1", counterparty, description, D(amount), "USD", None)  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "counterparty", "description", "expected"),
    [
        pytest.param(
            "125.00", "J. Patel", "Payment INV-2026-10-ACME/Oct",
            Recognised("customer", "invoice inv-2026-10-acme in the text", "acme", "inv-2026-10-acme"),
            id="customer-by-known-invoice-id",
        ),
        pytest.param(
            "125.00", "J. Patel", "INV-2026-10-CAS",  # an ACH reference cut to 15 characters
            Recognised("customer", "invoice inv-2026-10-casa-verde in the text", "casa-verde", "inv-2026-10-casa-verde"),
            id="customer-by-truncated-invoice-id",
        ),
        pytest.param(
            "125.00", "Acme Realty", "inv-2026-11-acme",
            Recognised("none", "", review="a reference to an unknown invoice ('inv-2026-11')"),
            id="unknown-invoice-id-is-a-review",
        ),
        pytest.param(
            "80.00", "", "hours inv-2026-10-25-casa-verde.2 thanks",
            Recognised("customer", "invoice inv-2026-10-25-casa-verde.2 in the text", "casa-verde", "inv-2026-10-25-casa-verde.2"),
            id="customer-by-sell-invoice-id",
        ),
        pytest.param(
            "250.00", "Acme", "inv-2026-09-acme, inv-2026-10-acme",
            Recognised("customer", "invoices inv-2026-09-acme, inv-2026-10-acme in the text", "acme"),
            id="customer-by-two-invoice-ids",
        ),
        pytest.param(
            "365.00", "", "inv-2026-10-acme inv-2026-10-casa-verde",
            Recognised("none", "", review="invoices of several customers (inv-2026-10-acme, inv-2026-10-casa-verde)"),
            id="invoices-of-two-customers",
        ),
        pytest.param(
            "125.00", "ACME REALTY, LLC", "October",
            Recognised("customer", "counterparty is the customer", "acme"),
            id="customer-by-name",
        ),
        pytest.param(
            "92.00", "BERLIN IMMO", "Oktober",
            Recognised("customer", "counterparty is the customer", "berlin-immo"),
            id="customer-by-name-without-legal-form",
        ),
        pytest.param(
            "120.00", 'ТОВ "BETA HOMES"', "Оплата за послуги",
            Recognised("customer", "counterparty is the customer", "beta-homes"),
            id="customer-with-a-ukrainian-legal-form",
        ),
        pytest.param(
            "240.00", "casa-verde", "",
            Recognised("customer", "counterparty is the customer", "casa-verde"),
            id="customer-by-id-as-counterparty",
        ),
        pytest.param(
            "125.00", "J. Patel", "for ACME october",
            Recognised("none", "no customer, invoice id or customer name recognised"),
            id="a-one-word-id-inside-a-text-is-no-match",
        ),
        pytest.param(
            "240.00", "J. Patel", "on behalf of Casa Verde Inmobiliaria, October",
            Recognised("customer", "customer named in the description", "casa-verde"),
            id="customer-by-name-in-description",
        ),
        pytest.param(
            "100.00", "Iris Travel", "",
            Recognised("customer", "counterparty is the customer", "iris"),
            id="customer-by-exact-name-among-similar",
        ),
        pytest.param(
            "100.00", "Card settlement", "Iris Travel Group",
            Recognised("none", "", review="customer named in the description: several customers (iris, iris-group)"),
            id="ambiguous-names",
        ),
        pytest.param(
            "-81.25", "ONE BOX CORP", "Bill onebox-2026-11",
            Recognised("onebox", "bill onebox-2026-11 in the text", bill="onebox-2026-11"),
            id="onebox-by-bill-id",
        ),
        pytest.param(
            "-81.25", 'ТОВ "ONEBOX"', "Оплата рахунку",
            Recognised("onebox", "counterparty is OneBox"),
            id="onebox-by-counterparty-in-any-legal-form",
        ),
        pytest.param(
            "-200.00", "", "ONEBOX LLC",
            Recognised("onebox", "OneBox named in the description"),
            id="onebox-named-in-a-card-payments-description",
        ),
        pytest.param(
            "-200.00", "Harbor OneBox Reseller", "Harbor OneBox Reseller",
            Recognised("none", "money out, not to OneBox"),
            id="a-company-with-onebox-in-its-name-is-not-onebox",
        ),
        pytest.param(
            "-81.25", "OneBox Inc.", "Bill onebox-2026-03",
            Recognised("none", "", review="a reference to an unknown bill ('onebox-2026-03')"),
            id="unknown-bill-is-a-review",
        ),
        pytest.param(
            "-34.99", "ROZETKA.UA KYIV", "Card purchase",
            Recognised("none", "money out, not to OneBox"),
            id="a-card-purchase-is-not-customer-kyiv",
        ),
        pytest.param(
            "-1500.00", "Office Rent LLC", "Rent November",
            Recognised("none", "money out, not to OneBox"),
            id="unrelated-payment",
        ),
        pytest.param(
            "50.00", "Stripe Payments", "Payout 55512",
            Recognised("none", "no customer, invoice id or customer name recognised"),
            id="unrelated-receipt",
        ),
        pytest.param(
            "-125.00", "Acme Realty", "Refund",
            Recognised("none", "", review="money out to customer acme (a refund? record it with onebox-ledger refund)"),
            id="refund-to-a-customer",
        ),
        pytest.param(
            "10.00", "OneBox", "Credit note",
            Recognised("none", "", review="money in from OneBox (a refund or a credit?)"),
            id="money-from-onebox",
        ),
        pytest.param(
            "0.00", "Acme Realty", "",
            Recognised("none", "zero amount"),
            id="zero",
        ),
    ],
)  # fmt: skip
def test_recognise(amount: str, counterparty: str, description: str, expected: Recognised) -> None:
    assert recognise(bank_row(amount, counterparty, description), state()) == expected


# ---------------------------------------------------------------- onebox-ledger import


IMPORTED = [
    "line 2  2026-11-02  20261102-0001  +200.00 USD  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty",
    "line 3  2026-11-04  20261104-0002  +158.71 USD  receipt: counterparty is the customer; received 158.71 USD from casa-verde: 158.71 USD to inv-2026-10-casa-verde",
    "line 4  2026-11-06  20261106-0003  +319.98 USD  receipt: customer named in the description; received 319.98 USD from juniper-schools: 319.98 USD to inv-2026-10-juniper-schools",
    "line 5  2026-11-09  20261109-0004  +1008.00 USD  receipt: counterparty is the customer; received 1008.00 USD from harbor-clinic: 504.00 USD to inv-2026-08-harbor-clinic, 504.00 USD to inv-2026-09-harbor-clinic",
    "line 6  2026-11-12  20261112-0005  +950.00 USD  receipt: invoice inv-2026-10-25-granite-law in the text; received 950.00 USD from granite-law: 950.00 USD to inv-2026-10-25-granite-law",
    "line 7  2026-11-16  20261116-0006  -1193.36 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1193.36 USD to OneBox: 1193.36 USD to onebox-2026-10",
    "line 8  2026-11-18  20261118-0007  -1500.00 USD  unrelated: money out, not to OneBox ('Office Rent LLC', 'Rent November 2026'); to book it: onebox-ledger rule add 'Office Rent LLC' ACCOUNT --field counterparty --direction out --date 2026-11-18",
    "line 9  2026-11-20  20261120-0008  +100.00 USD  receipt: counterparty is the customer; received 100.00 USD from iris-travel: 100.00 USD to inv-2026-10-iris-travel",
    "line 10  2026-11-23  20261123-0009  +350.00 USD  unrelated: no customer, invoice id or customer name recognised ('Stripe Payments', 'Payout PO-88213'); to book it: onebox-ledger rule add 'Stripe Payments' ACCOUNT --field counterparty --direction in --date 2026-11-23",
    "line 11  2026-11-30  20261130-0010  -12.00 USD  fee: a bank fee (Account maintenance fee); 12.00 USD to Expenses:Bank-Fees",
    "booked: 6 receipt (in 2736.69 USD), 1 onebox-payment (out 1193.36 USD), 1 fee (out 12.00 USD); listed: 2 unrelated (in 350.00 USD, out 1500.00 USD)",
    # 18,200.00 - 200.00 before the first row; + 2,736.69 + 350.00 - 1,193.36 - 1,500.00 - 12.00
    "balance: 18000.00 USD opening +381.33 USD booked by the bank = 18381.33 USD; the statement's closing balance is 18381.33 USD: reconciled",
]  # fmt: skip
# The demo's bank held 12,191.77 before the statement, the sample's bank 18,000.00: the books do
# not hold the sample's history, so no assertion of its closing balance could hold.
BOOKS = "books: Assets:Bank held 12191.77 USD before 2026-11-02, the bank 18000.00 USD (+5808.23 USD): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)"  # fmt: skip

WRITTEN = """\
; 2026-11: written by onebox-ledger. The close seals this month; edit nothing by hand.

2026-11-02 * "Acme Realty" "Payment received"
  id: "receive/20261102-0001"
  customer: "acme-realty"
  amount: 200.00 USD
  ref: "20261102-0001"
  Assets:Bank                          200.00 USD
  Assets:Receivable:Acme-Realty       -200.00 USD
    invoice: "inv-2026-10-acme-realty"

2026-11-04 * "Casa Verde Inmobiliaria" "Payment received"
  id: "receive/20261104-0002"
  customer: "casa-verde"
  amount: 158.71 USD
  ref: "20261104-0002"
  Assets:Bank                         158.71 USD
  Assets:Receivable:Casa-Verde       -158.71 USD
    invoice: "inv-2026-10-casa-verde"

2026-11-06 * "Juniper Schools" "Payment received"
  id: "receive/20261106-0003"
  customer: "juniper-schools"
  amount: 319.98 USD
  ref: "20261106-0003"
  Assets:Bank                              319.98 USD
  Assets:Receivable:Juniper-Schools       -319.98 USD
    invoice: "inv-2026-10-juniper-schools"

2026-11-09 * "Harbor Clinic" "Payment received"
  id: "receive/20261109-0004"
  customer: "harbor-clinic"
  amount: 1008.00 USD
  ref: "20261109-0004"
  Assets:Bank                           1008.00 USD
  Assets:Receivable:Harbor-Clinic       -504.00 USD
    invoice: "inv-2026-08-harbor-clinic"
  Assets:Receivable:Harbor-Clinic       -504.00 USD
    invoice: "inv-2026-09-harbor-clinic"

2026-11-12 * "Granite Law LLP" "Payment received"
  id: "receive/20261112-0005"
  customer: "granite-law"
  amount: 950.00 USD
  ref: "20261112-0005"
  Assets:Bank                          950.00 USD
  Assets:Receivable:Granite-Law       -950.00 USD
    invoice: "inv-2026-10-25-granite-law"

2026-11-16 * "OneBox" "Payment to OneBox"
  id: "pay/20261116-0006"
  amount: 1193.36 USD
  ref: "20261116-0006"
  Assets:Bank                     -1193.36 USD
  Liabilities:OneBox:Payable       1193.36 USD
    bill: "onebox-2026-10"

2026-11-20 * "Iris Travel" "Payment received"
  id: "receive/20261120-0008"
  customer: "iris-travel"
  amount: 100.00 USD
  ref: "20261120-0008"
  Assets:Bank                          100.00 USD
  Assets:Receivable:Iris-Travel       -100.00 USD
    invoice: "inv-2026-10-iris-travel"

2026-11-30 * "Account maintenance fee"
  id: "fee/20261130-0010"
  amount: 12.00 USD
  ref: "20261130-0010"
  Assets:Bank               -12.00 USD
  Expenses:Bank-Fees         12.00 USD

2026-11-02 * "Nadia Koval" "Commission 10% of 200.00 USD from acme-realty (receive/20261102-0001)"
  id: "commission/receive/20261102-0001/nadia"
  agent: "nadia"
  customer: "acme-realty"
  source: "receive/20261102-0001"
  base: 200.00 USD
  rate: 0.10
  Expenses:Commission                  20.00 USD
  Liabilities:Commission:Nadia        -20.00 USD
"""


def test_import_records_each_matched_row_as_receive_and_onebox_pay_would(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot, bean_check: Check
) -> None:
    before = snapshot(demo.parent)
    existing = loaded(demo)
    assert ok(run(demo, "import", str(SAMPLE))) == [*IMPORTED, BOOKS]
    after = snapshot(demo.parent)
    assert set(after) == set(before)  # November's journal holds the documents the demo issued
    accounts = "ledger/accounts.beancount"
    assert all(
        after[name] == before[name] for name in before if name not in (accounts, str(JOURNAL))
    )
    # the first fee opens the fee account, dated the first day after the sealed months
    assert after[accounts] == before[accounts] + b"\n2026-11-01 open Expenses:Bank-Fees\n"
    # the rows are appended after the demo's nine document entries, the header written once
    header, rows = WRITTEN.split("\n\n", 1)
    assert before[str(JOURNAL)].startswith(header.encode() + b"\n\n2026-11-01 document ")
    assert after[str(JOURNAL)] == before[str(JOURNAL)] + b"\n" + rows.encode()
    # exactly what the importer extracts for Fava, as `receive` and `onebox pay` write it
    extracted = BankImporter().extract(str(SAMPLE), existing)
    assert [type(e).__name__ for e in extracted[:1]] == ["Open"]
    entries = extracted[1:]
    header = WRITTEN.split("\n\n", 1)[0]
    assert header + "\n\n" + beans.format_entries(entries) == WRITTEN
    assert bean_check(demo) == []
    # and Fava's import page now has nothing left to import
    assert BankImporter().extract(str(SAMPLE), loaded(demo)) == []


def test_import_again_changes_nothing(demo: Path, run: Run, ok: Ok, snapshot: Snapshot) -> None:
    ok(run(demo, "import", str(SAMPLE)))
    before = snapshot(demo.parent)
    lines = ok(run(demo, "import", str(SAMPLE)))
    assert snapshot(demo.parent) == before
    assert lines[0] == "line 2  2026-11-02  20261102-0001  +200.00 USD  recorded: already recorded (receive/20261102-0001) ('ACME REALTY LLC', 'INVOICE INV-2026-10-ACME-REALTY')"  # fmt: skip
    assert lines[5] == "line 7  2026-11-16  20261116-0006  -1193.36 USD  recorded: already recorded (pay/20261116-0006) ('ONEBOX INC', 'Partner bill onebox-2026-10')"  # fmt: skip
    assert lines[-3] == (
        "booked: none; listed: 8 recorded (in 2736.69 USD, out 1205.36 USD),"
        " 2 unrelated (in 350.00 USD, out 1500.00 USD)"
    )
    assert lines[-1] == BOOKS


def test_import_dry_run_writes_nothing(demo: Path, run: Run, ok: Ok, snapshot: Snapshot) -> None:
    before = snapshot(demo.parent)
    lines = ok(run(demo, "import", str(SAMPLE), "--dry-run"))
    assert snapshot(demo.parent) == before
    assert lines == [
        *IMPORTED[:-2],
        IMPORTED[-2].replace("booked:", "to book:") + "; dry run, nothing written",
        IMPORTED[-1],
        BOOKS,
    ]


def test_import_dry_run_as_json_is_one_object_per_row(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    before = snapshot(demo.parent)
    result = run(demo, "import", str(SAMPLE), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert snapshot(demo.parent) == before
    assert len(rows) == 10
    assert rows[3] == {
        "line": 5, "date": "2026-11-09", "ref": "20261109-0004", "amount": "1008.00",
        "currency": "USD", "outcome": "receipt", "customer": "harbor-clinic",
        "invoice": "inv-2026-08-harbor-clinic", "bill": None, "account": None,
        "suggestion": None, "reason": "counterparty is the customer",
    }  # fmt: skip
    assert rows[5]["outcome"] == "onebox-payment" and rows[5]["bill"] == "onebox-2026-10"
    assert [r["outcome"] for r in rows] == [
        "receipt", "receipt", "receipt", "receipt", "receipt", "onebox-payment", "unrelated",
        "receipt", "unrelated", "fee",
    ]  # fmt: skip


def test_bank_fees_are_booked_to_the_account_given(
    demo: Path, run: Run, ok: Ok, entries: Check, bean_check: Check
) -> None:
    lines = ok(run(demo, "import", str(SAMPLE), "--fees", "Expenses:Bank-Fees"))
    assert lines[9] == (
        "line 11  2026-11-30  20261130-0010  -12.00 USD  fee: a bank fee (Account maintenance"
        " fee); 12.00 USD to Expenses:Bank-Fees"
    )
    (fee,) = [e for e in entries(demo) if e.meta.get("id") == "fee/20261130-0010"]
    assert [(p.account, p.units.number) for p in fee.postings] == [
        ("Assets:Bank", D("-12.00")),
        ("Expenses:Bank-Fees", D("12.00")),
    ]
    assert bean_check(demo) == []


def test_a_payment_recorded_by_hand_with_the_bank_ref_is_not_recorded_again(
    demo: Path, run: Run, ok: Ok, bean_check: Check
) -> None:
    ok(run(demo, "receive", "acme-realty", "200 USD", "--date", "2026-11-02", "--ref", "20261102-0001"))  # fmt: skip
    lines = ok(run(demo, "import", str(SAMPLE)))
    assert lines[0].startswith(
        "line 2  2026-11-02  20261102-0001  +200.00 USD  recorded: already recorded"
        " (receive/20261102-0001)"
    )
    assert lines[1:-3] == IMPORTED[1:-2]
    assert lines[-1] == BOOKS
    assert bean_check(demo) == []


def test_a_row_dated_before_a_recorded_payment_goes_to_review_not_twice_to_the_invoice(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot, bean_check: Check
) -> None:
    """Acme paid October by hand on 2026-11-20; the bank's row of 2026-11-02 for the same
    invoice finds nothing open: a person decides (a second payment is the customer's credit)."""
    ok(run(demo, "receive", "acme-realty", "200 USD", "--date", "2026-11-20", "--ref", "HAND-1"))
    lines = ok(run(demo, "import", str(SAMPLE)))
    assert lines[0] == (
        "line 2  2026-11-02  20261102-0001  +200.00 USD  review: invoice inv-2026-10-acme-realty"
        " is already paid in full (paid twice? to hold it as credit: onebox-ledger receive"
        " acme-realty \"200.00 USD\" --date 2026-11-02 --ref 20261102-0001) ('ACME REALTY LLC',"
        " 'INVOICE INV-2026-10-ACME-REALTY')"
    )
    assert lines[1:-3] == IMPORTED[1:-2]
    assert lines[-1] == BOOKS
    assert bean_check(demo) == []


def test_a_row_in_another_currency_is_paid_in_that_currency(
    demo: Path, run: Run, ok: Ok, entries: Check
) -> None:
    """Berlin Immo's October invoice, 92.00 EUR at 1.06 (October's rate): paid on 2026-11-02,
    when the latest rate is still October's 1.06: no exchange difference."""
    path = with_lines(
        demo.parent, {2: "2026-11-02,2026-11-02,20261102-0001,Berlin Immo GmbH,Oktober,92.00,EUR,"}
    )
    assert ok(run(demo, "import", str(path)))[0] == (
        "line 2  2026-11-02  20261102-0001  +92.00 EUR  receipt: counterparty is the customer;"
        " received 92.00 EUR from berlin-immo: 92.00 EUR to inv-2026-10-berlin-immo"
    )
    (entry,) = [e for e in entries(demo) if e.meta.get("id") == "receive/20261102-0001"]
    assert [(p.account, p.units.number, p.units.currency) for p in entry.postings] == [
        ("Assets:Wise:EUR", D("92.00"), "EUR"),
        ("Assets:Receivable:Berlin-Immo", D("-92.00"), "EUR"),
    ]


def test_a_row_in_another_currency_than_the_customers_is_listed_with_the_command_that_records_it(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot, entries: Check, bean_check: Check
) -> None:
    """Acme Realty, billed in USD, pays its October invoice (200.00 USD) from a EUR account:
    185.19 EUR on the Wise EUR account. What that counts for is the partner's to say (the
    rate agreed), so the row waits for review, with the command that records it at the day's
    rate (October's 1.08: 185.19 x 1.08 = 200.0052 -> 200.01 USD). The partner counts it as
    the invoice's 200.00 USD; once recorded, the row is recorded."""
    path = with_lines(
        demo.parent,
        {2: "2026-11-02,2026-11-02,20261102-0001,ACME REALTY LLC,INVOICE INV-2026-10-ACME-REALTY,185.19,EUR,"},
    )  # fmt: skip
    command = (
        'onebox-ledger receive acme-realty "200.01 USD" --paid "185.19 EUR" --account'
        " Assets:Wise:EUR --date 2026-11-02 --ref 20261102-0001"
    )
    lines = ok(run(demo, "import", str(path)))
    assert lines[0] == (
        "line 2  2026-11-02  20261102-0001  +185.19 EUR  review: customer 'acme-realty' is billed"
        f" in USD, not EUR; record what it counts for: {command} ('ACME REALTY LLC', 'INVOICE"
        " INV-2026-10-ACME-REALTY')"
    )
    assert lines[1:-1] == IMPORTED[1:-2]  # the rest as before; no balance line: two currencies
    assert lines[-1] == (
        "booked: 5 receipt (in 2536.69 USD), 1 onebox-payment (out 1193.36 USD), 1 fee"
        " (out 12.00 USD); listed: 1 review (in 185.19 EUR), 2 unrelated (in 350.00 USD, out"
        " 1500.00 USD)"
    )
    words = shlex.split(command)  # the partner's own count: the invoice's 200.00 USD
    ok(run(demo, *words[1:3], "200.00 USD", *words[4:]))
    (entry,) = [e for e in entries(demo) if e.meta.get("id") == "receive/20261102-0001"]
    assert [(p.account, p.units.number, p.units.currency) for p in entry.postings][:2] == [
        ("Assets:Wise:EUR", D("185.19"), "EUR"),
        ("Assets:Receivable:Acme-Realty", D("-200.00"), "USD"),
    ]
    before = snapshot(demo.parent)
    assert ok(run(demo, "import", str(path)))[0] == (
        "line 2  2026-11-02  20261102-0001  +185.19 EUR  recorded: already recorded"
        " (receive/20261102-0001) ('ACME REALTY LLC', 'INVOICE INV-2026-10-ACME-REALTY')"
    )
    assert snapshot(demo.parent) == before
    assert bean_check(demo) == []


def test_an_overpaid_row_imports_whole_with_the_excess_as_credit(
    demo: Path, run: Run, ok: Ok, entries: Check, bean_check: Check
) -> None:
    """Fjord Marine owes 66.95 and sends 100.00: 66.95 pays October, 33.05 is its credit."""
    path = with_lines(
        demo.parent, None, "2026-11-25,2026-11-25,20261125-0011,Fjord Marine,November,100.00,USD,"
    )
    lines = ok(run(demo, "import", str(path)))
    assert [line for line in lines if line.startswith("line 12 ")] == [
        "line 12  2026-11-25  20261125-0011  +100.00 USD  receipt: counterparty is the customer;"
        " received 100.00 USD from fjord-marine: 66.95 USD to inv-2026-10-fjord-marine, 33.05 USD held"
        " as credit"
    ]
    assert [line for line in lines[:-3] if not line.startswith("line 12 ")] == IMPORTED[:-2]
    (entry,) = [e for e in entries(demo) if e.meta.get("id") == "receive/20261125-0011"]
    assert [(p.account, p.units.number) for p in entry.postings] == [
        ("Assets:Bank", D("100.00")),
        ("Assets:Receivable:Fjord-Marine", D("-66.95")),
        ("Liabilities:Customer-Credit:Fjord-Marine", D("-33.05")),
    ]
    assert bean_check(demo) == []


BAD_FILES = [
    pytest.param(
        {7: '2026-11-16,2026-11-16,20261116-0006,ONEBOX INC,Partner bill onebox-2026-10,"-1.087,16",USD,'},
        "bank-2026-11.csv: line 7: Amount '-1.087,16' is not an amount like -1087.16"
        " (a point for decimals, at most cents)",
        id="bad-amount",
    ),
    pytest.param(
        {11: "2026-11-31,2026-11-30,20261130-0010,,Account maintenance fee,-12.00,USD,"},
        "bank-2026-11.csv: line 11: Date '2026-11-31' is not a date (YYYY-MM-DD)",
        id="bad-date-on-the-last-row",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("replace", "message"), BAD_FILES)
def test_a_bad_file_changes_nothing(
    demo: Path,
    run: Run,
    refused: Refused,
    snapshot: Snapshot,
    replace: dict[int, str],
    message: str,
) -> None:
    path = with_lines(demo.parent, replace)
    before = snapshot(demo.parent)
    assert refused(run(demo, "import", str(path), "--layout", "generic"), 2) == message
    assert snapshot(demo.parent) == before


def test_a_file_in_no_known_layout_says_what_was_tried(
    demo: Path, run: Run, refused: Refused, snapshot: Snapshot
) -> None:
    path = demo.parent / "statement.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    before = snapshot(demo.parent)
    message = refused(run(demo, "import", str(path)), 2)
    assert message.startswith("statement.csv: not a statement in any known layout (generic: ")
    assert all(f"{name}: " in message for name in ("dkb", "ing", "chase", "wise", "privatbank"))
    assert snapshot(demo.parent) == before


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        pytest.param(
            "2026-11-25,2026-11-25,20261125-0011,Berlin Immo GmbH,Oktober,92.00,USD,",
            "line 12  2026-11-25  20261125-0011  +92.00 USD  review: customer 'berlin-immo' is"
            " billed in EUR, not USD; record what it counts for: onebox-ledger receive"
            ' berlin-immo "85.19 EUR" --paid "92.00 USD" --account Assets:Bank --date 2026-11-25'
            " --ref 20261125-0011 ('Berlin Immo GmbH', 'Oktober')",  # 92.00 / 1.08 = 85.185..
            id="currency",
        ),
        pytest.param(
            "2026-11-25,2026-11-25,20261125-0011,ONEBOX INC,Partner bill onebox-2026-11,-500.00,USD,",
            "line 12  2026-11-25  20261125-0011  -500.00 USD  review: a reference to an unknown"
            " bill ('onebox-2026-11') ('ONEBOX INC', 'Partner bill onebox-2026-11')",
            id="bill-not-in-the-books",
        ),
        pytest.param(
            "2026-11-25,2026-11-25,20261125-0011,Acme Realty,inv-2025-12-acme-realty,200.00,USD,",
            "line 12  2026-11-25  20261125-0011  +200.00 USD  review: a reference to an unknown"
            " invoice ('inv-2025-12') ('Acme Realty', 'inv-2025-12-acme-realty')",
            id="invoice-not-in-the-books",
        ),
        pytest.param(
            "2026-11-25,2026-11-25,20261125-0011,Acme Realty,inv-2026-03-acme-realty,165.00,USD,",
            "line 12  2026-11-25  20261125-0011  +165.00 USD  review: invoice"
            " inv-2026-03-acme-realty is already paid in full (paid twice? to hold it as credit:"
            ' onebox-ledger receive acme-realty "165.00 USD" --date 2026-11-25 --ref'
            " 20261125-0011) ('Acme Realty', 'inv-2026-03-acme-realty')",
            id="invoice-paid-twice",
        ),
        pytest.param(
            "2026-11-25,2026-11-25,20261125-0011,Everest Dental,Last invoice,50.00,USD,",
            "line 12  2026-11-25  20261125-0011  +50.00 USD  review: everest-dental has nothing"
            " open on 2026-11-25 (counterparty is the customer); to hold it as credit:"
            ' onebox-ledger receive everest-dental "50.00 USD" --date 2026-11-25 --ref'
            " 20261125-0011 ('Everest Dental', 'Last invoice')",
            id="a-customer-who-owes-nothing",
        ),
    ],
)  # fmt: skip
def test_a_row_the_ledger_cannot_take_is_listed_and_the_rest_imports(
    demo: Path, run: Run, ok: Ok, extra: str, line: str, bean_check: Check
) -> None:
    path = with_lines(demo.parent, None, extra)
    lines = ok(run(demo, "import", str(path)))  # rows are booked oldest first
    assert [text for text in lines if text.startswith("line 12 ")] == [line]
    assert [text for text in lines if text.startswith("line ") and not text.startswith(
        "line 12 ")] == IMPORTED[:-2]  # fmt: skip
    assert bean_check(demo) == []


def test_a_changed_row_with_a_recorded_ref_is_listed_for_review(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    ok(run(demo, "import", str(SAMPLE)))
    changed = with_lines(
        demo.parent, {2: "2026-11-02,2026-11-02,20261102-0001,ACME REALTY LLC,x,150.00,USD,"}
    )
    before = snapshot(demo.parent)
    assert ok(run(demo, "import", str(changed)))[0] == (
        "line 2  2026-11-02  20261102-0001  +150.00 USD  review: ref '20261102-0001' was already"
        " used with amount 200.00 USD (asked 150.00 USD) ('ACME REALTY LLC', 'x')"
    )
    assert snapshot(demo.parent) == before


def test_import_a_missing_file(demo: Path, run: Run, refused: Refused, snapshot: Snapshot) -> None:
    before = snapshot(demo.parent)
    message = refused(run(demo, "import", str(demo.parent / "nope.csv")), 2)
    assert message.startswith("Invalid value for 'FILE': File ")
    assert message.endswith("nope.csv' does not exist.")
    assert snapshot(demo.parent) == before


# ---------------------------------------------------------------- Fava and beangulp config


def test_the_import_config_loads_in_fava_and_extracts_what_import_writes(
    demo: Path, run: Run, ok: Ok
) -> None:
    from fava.core import FavaLedger
    from fava.core.ingest import load_import_config

    config = demo.parent / "config.py"  # copied next to main.beancount, as its docs say
    config.write_bytes((HERE.parent / "importers" / "config.py").read_bytes())
    loaded_config = load_import_config(config)
    assert list(loaded_config.importers) == ["onebox_ledger.importers.bank.BankImporter"]
    statements = demo.parent / "statements"
    statements.mkdir()
    (statements / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    with demo.open("a", encoding="utf-8") as main:
        main.write(
            '\n2026-01-01 custom "fava-option" "import-config" "config.py"\n'
            '2026-01-01 custom "fava-option" "import-dirs" "statements"\n'
        )
    fava = FavaLedger(str(demo))
    assert fava.errors == []
    name = "onebox_ledger.importers.bank.BankImporter"
    document = str(statements / SAMPLE.name)
    offered = [e for e in fava.ingest.extract(document, name) if hasattr(e, "postings")]
    assert [e.meta["id"] for e in offered] == [
        "receive/20261102-0001",
        "commission/receive/20261102-0001/nadia",
        "receive/20261104-0002",
        "receive/20261106-0003",
        "receive/20261109-0004",
        "receive/20261112-0005",
        "pay/20261116-0006",
        "receive/20261120-0008",
        "fee/20261130-0010",
    ]
    assert not any("__duplicate__" in e.meta for e in offered)
    ok(run(demo, "import", document))
    assert FavaLedger(str(demo)).ingest.extract(document, name) == []


MONOBANK_FOP_UAH = (
    '\ufeff"Дата \nоперації";"Час \nоперації";"Вид \nоперації (дебет/кредит)";"Деталі \nоперації";'
    'Контрагент;"ЄДРПОУ \nконтрагента";"IBAN \nконтрагента";"Сума \nв валюті рахунку";'
    '"Сума \nв валюті операції";"Валюта \nоперації";Курс;"Сума \nкомісій в валюті рахунку";'
    '"Залишок \nпісля операції в валюті рахунку"\n'
    '20.11.2026;09:00:00;Дебет;Комісія за обслуговування рахунку;"АТ ""УНІВЕРСАЛ БАНК""";'
    "21133352;UA903220010000026001000012345;-50.00;-50.00;UAH;1.00;0.00;8 190.00\n"
    "12.11.2026;15:30:05;Кредит;Оплата за послуги згідно рахунку INV-2026-10-ACME-REALTY;"
    '"ТОВ ""ACME REALTY""";43210987;UA213052990000026007233566001;8240.00;8240.00;UAH;1.00;'
    "0.00;8 240.00\n"
)


def test_a_statement_whose_operations_are_all_in_one_currency_is_read_in_it(
    demo: Path,
    run: Run,
    ok: Ok,
    snapshot: Snapshot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Monobank FOP export without its title line names its account's currency nowhere;
    every row says UAH in its Валюта операції and converts nothing (its amount in the
    operation's currency is its amount on the account), so the account is in UAH: read so
    without --account (it was refused). It was once read in the ledger's USD: 8240.00 USD
    from Acme. What the ledger cannot take yet waits for review, with what to do."""
    path = demo.parent / "mono.csv"
    path.write_text(MONOBANK_FOP_UAH, encoding="utf-8")
    before = snapshot(demo.parent)
    lines = ok(run(demo, "import", str(path)))
    assert snapshot(demo.parent) == before
    assert lines[0].endswith(
        "  +8240.00 UAH  review: no bank account holds UAH (add one: onebox-ledger bank add"
        " Assets:Bank-UAH --currency UAH) ('ТОВ \"ACME REALTY\"', 'Оплата за послуги згідно"
        " рахунку INV-2026-10-ACME-REALTY')"
    )
    assert lines[2:] == [
        "booked: none; listed: 2 review (in 8240.00 UAH, out 50.00 UAH)",
        "balance: 0.00 UAH opening +8190.00 UAH booked by the bank = 8190.00 UAH; the"
        " statement's closing balance is 8190.00 UAH: reconciled",
    ]
    ok(run(demo, "bank", "add", "Assets:Monobank:UAH", "--currency", "UAH", "--date", "2026-11-01"))
    lines = ok(run(demo, "import", str(path)))
    assert lines[0].startswith(
        "line 14  2026-11-12  row-20261112-"
    ) and lines[0].endswith(
        "  +8240.00 UAH  review: customer 'acme-realty' is billed in USD, not UAH; record what it"
        ' counts for: onebox-ledger receive acme-realty "AMOUNT USD" --paid "8240.00 UAH"'
        f" --account Assets:Monobank:UAH --date 2026-11-12 --ref {lines[0].split()[3]}"
        " ('ТОВ \"ACME REALTY\"', 'Оплата за послуги згідно рахунку INV-2026-10-ACME-REALTY')"
    )  # fmt: skip
    fee = lines[1].split()[3]
    assert lines[1] == (
        f"line 13  2026-11-20  {fee}  -50.00 UAH  review: no exchange rate UAH->USD on or before"
        f' 2026-11-20 for the fee fee/{fee} (add one: onebox-ledger price UAH "1.00 USD" --date'
        " 2026-11-20) ('АТ \"УНІВЕРСАЛ БАНК\"', 'Комісія за обслуговування рахунку')"
    )
    assert lines[2] == ("booked: none; listed: 2 review (in 8240.00 UAH, out 50.00 UAH)")
    # Fava's import page and beangulp read it so too, with or without the account
    for account in ("Assets:Monobank:UAH", None):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert BankImporter(account, "USD", layout=None).extract(str(path), loaded(demo)) == []
        assert f"mono.csv: line 13 (ref {fee}): -50.00 UAH, review: no exchange rate" in caplog.text


def test_a_statement_that_converts_names_no_currency_and_is_refused(
    demo: Path, run: Run, refused: Refused, snapshot: Snapshot
) -> None:
    """One row converts (8240.00 UAH were 199.00 on the account): the account's currency is
    not the operations', and the file names it nowhere: refused, as before."""
    converted = MONOBANK_FOP_UAH.replace("8240.00;8240.00;UAH;1.00;", "199.00;8240.00;UAH;41.41;")
    path = demo.parent / "mono.csv"
    path.write_text(converted, encoding="utf-8")
    before = snapshot(demo.parent)
    assert refused(run(demo, "import", str(path)), 2) == (
        "mono.csv: line 13: no currency: the row names none and the statement names none (name"
        " the bank account it is of with --account)"
    )
    assert snapshot(demo.parent) == before


@pytest.mark.parametrize(
    ("fees", "message"),
    [
        (
            "Income:Cloud",
            "--fees Income:Cloud must be an expense account (like Expenses:Bank-Fees)",
        ),
        (
            "Expenses:OneBox:Cloud",
            "--fees Expenses:OneBox:Cloud is where onebox-ledger books OneBox cost; name an"
            " expense account of your own (like Expenses:Bank-Fees)",
        ),
        (
            "Expenses:Bad-Debt",
            "--fees Expenses:Bad-Debt is where onebox-ledger books bad debt; name an expense"
            " account of your own (like Expenses:Bank-Fees)",
        ),
    ],
)
def test_the_fava_importer_refuses_the_fee_accounts_import_refuses(fees: str, message: str) -> None:
    """importers/config.py's FEES goes through the check of ``import --fees``: Fava's import
    page can no longer book a bank fee to income or to OneBox's cost."""
    with pytest.raises(InputError) as refused:
        BankImporter("Assets:Bank", "USD", fees=fees)
    assert str(refused.value) == message


def test_the_fava_importer_refuses_an_account_that_is_no_bank_account(tmp_path: Path) -> None:
    existing = loaded(demo_ledger(tmp_path / "demo"))
    importer = BankImporter("Assets:Receivable:Acme", "USD")
    with pytest.raises(InputError) as refused:
        importer.extract(str(SAMPLE), existing)
    assert str(refused.value) == (
        "--account Assets:Receivable:Acme is not a bank account of this ledger"
        " (Assets:Bank, Assets:Wise:EUR)"
    )
