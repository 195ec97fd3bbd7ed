"""Taxes through the real commands, loader and bean-query: a German GmbH charging VAT (standard,
reverse charge, export), reclaiming OneBox's VAT, and a Ukrainian FOP under the single tax.

Figures are computed by hand: 5 users x 25.00 EUR at 19% is 125.00 net, 23.75 VAT, 148.75 gross;
a 10.00 credit note returns 1.90; a 48,000.00 UAH receipt accrues 2,400.00 of single tax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beanquery import query

from onebox_ledger import taxes
from onebox_ledger.model import Customer
from tests.conftest import Run

D = Decimal
VAT_ID = "DE136695976"
FR_VAT_ID = "FR40303265045"

DE_STEPS: list[tuple[str, ...]] = [
    ("partner", "set", "--name", "Muster Cloud GmbH", "--country", "DE", "--vat-id", VAT_ID,
     "--tax", "vat", "--rate", "19", "--date", "2026-01-01", "--address",
     "Hauptstr. 1, 10115 Berlin", "--iban", "DE89 3704 0044 0532 0130 00"),
    ("terms", "item", "cloud-user", "25 EUR", "--date", "2026-01-01"),
    ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
    ("terms", "payment", "30", "--date", "2026-01-01"),
    ("terms", "onebox-vat", "19", "--date", "2026-01-01"),
    ("customer", "add", "berlin", "--name", "Berlin Immo GmbH", "--date", "2026-01-01"),
    ("customer", "add", "paris", "--name", "Paris Immo SARL", "--country", "FR", "--vat-id",
     "FR 403 032 650 45", "--date", "2026-01-01"),
    ("customer", "add", "nyc", "--name", "NYC Realty", "--country", "US", "--date", "2026-01-01"),
    ("contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud", "--price",
     "25 EUR", "--quantity", "5", "--item", "cloud-user", "--start", "2026-01-01"),
    ("contract", "add", "paris-cloud", "--customer", "paris", "--stream", "cloud", "--price",
     "25 EUR", "--quantity", "4", "--item", "cloud-user", "--start", "2026-01-01"),
    ("contract", "add", "nyc-svc", "--customer", "nyc", "--stream", "services", "--price",
     "100 EUR", "--start", "2026-01-01"),
]  # fmt: skip

UA_STEPS: list[tuple[str, ...]] = [
    ("partner", "set", "--name", "FOP Ivanenko", "--country", "UA", "--tax", "ua-single-tax",
     "--rate", "5", "--date", "2026-01-01"),
    ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
    ("terms", "payment", "30", "--date", "2026-01-01"),
    ("price", "USD", "41.50 UAH", "--date", "2026-01-01"),
    ("price", "USD", "42.00 UAH", "--date", "2026-02-10"),
    ("customer", "add", "kyiv", "--name", "Kyiv Realty", "--date", "2026-01-01"),
    ("customer", "add", "acme", "--name", "Acme Inc", "--currency", "USD", "--country", "US",
     "--date", "2026-01-01"),
    ("bank", "add", "Assets:Bank-USD", "--currency", "USD", "--date", "2026-01-01"),
    ("contract", "add", "kyiv-svc", "--customer", "kyiv", "--stream", "services", "--price",
     "48000 UAH", "--start", "2026-01-01"),
    ("contract", "add", "acme-cloud", "--customer", "acme", "--stream", "cloud", "--price",
     "25 USD", "--quantity", "10", "--item", "cloud-user", "--start", "2026-01-01"),
]  # fmt: skip


def _build(run: Run, ok: Callable[..., list[str]], root: Path, currency: str,
           steps: list[tuple[str, ...]]) -> Path:  # fmt: skip
    main = root / "main.beancount"
    ok(run(main, "init", str(root), "--start", "2026-01-01", "--currency", currency))
    for step in steps:
        ok(run(main, *step))
    return main


@pytest.fixture
def de(run: Run, ok: Callable[..., list[str]], tmp_path: Path) -> Path:
    """The German GmbH, January 2026 closed."""
    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS)
    ok(run(main, "close", "2026-01"))
    return main


@pytest.fixture
def ua(run: Run, ok: Callable[..., list[str]], tmp_path: Path) -> Path:
    """The Ukrainian FOP, January 2026 closed."""
    main = _build(run, ok, tmp_path / "ua", "UAH", UA_STEPS)
    ok(run(main, "close", "2026-01"))
    return main


def bq(main: Path, sql: str) -> list[Any]:
    loader.initialize(use_cache=False)
    entries, errors, options = loader.load_file(str(main))
    assert errors == []
    _, rows = query.run_query(entries, options, sql)
    return list(rows)


def balance(main: Path, account: str) -> Decimal:
    rows = bq(main, f"SELECT sum(number) AS n WHERE account = '{account}'")
    return rows[0][0] if rows and rows[0][0] is not None else D(0)


def journal(main: Path, month: str) -> str:
    return (main.parent / "ledger" / "journal" / f"{month}.beancount").read_text()


# ---------------------------------------------------------------- VAT on invoices


VAT_ENTRY = """\
2026-01-31 * "Berlin Immo GmbH" "VAT 19% on inv-2026-01-berlin (net 125.00 EUR)"
  id: "close/2026-01/berlin/vat"
  customer: "berlin"
  period: "2026-01"
  invoice: "inv-2026-01-berlin"
  due: 2026-03-02
  vat: "standard"
  vat-rate: 19
  net: 125.00 EUR
  Assets:Receivable:Berlin         23.75 EUR
  Liabilities:VAT:Output          -23.75 EUR
"""


def test_a_domestic_invoice_is_gross_on_the_receivable_net_in_income(de: Path):
    assert VAT_ENTRY in journal(de, "2026-01")
    assert balance(de, "Assets:Receivable:Berlin") == D("148.75")
    assert balance(de, "Liabilities:VAT:Output") == D("-23.75")
    # income: Berlin 125.00 and Paris 100.00 net, NYC's 100.00 services
    assert balance(de, "Income:Cloud") == D("-225.00")
    assert balance(de, "Income:Services") == D("-100.00")


def test_reverse_charge_and_export_carry_their_treatment_and_no_vat(de: Path):
    text = journal(de, "2026-01")
    assert '  invoice: "inv-2026-01-paris"\n  due: 2026-03-02\n  vat: "reverse-charge"\n' \
        f'  vat-id: "{FR_VAT_ID}"\n' in text  # fmt: skip
    assert '  invoice: "inv-2026-01-nyc"\n  due: 2026-03-02\n  vat: "exempt"\n' in text
    assert balance(de, "Assets:Receivable:Paris") == D("100.00")
    assert balance(de, "Assets:Receivable:Nyc") == D("100.00")
    assert "close/2026-01/paris/vat" not in text
    assert "close/2026-01/nyc/vat" not in text


def test_the_close_summary_shows_the_vat_and_the_gross_bill(run: Run, ok, tmp_path: Path):
    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS)
    lines = ok(run(main, "close", "2026-01"))
    assert "  OneBox bill onebox-2026-01: 146.25 EUR + VAT 27.79 EUR = 174.04 EUR, due 2026-03-02" \
        in lines  # fmt: skip
    assert "  VAT on the month's invoices: 23.75 EUR" in lines


def test_vat_is_rounded_once_on_the_invoice_sum(run: Run, ok, tmp_path: Path):
    """Three lines of 2.50: 0.475 each would round to 0.48 (1.44); on the sum 7.50 it is 1.43."""
    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS[:6])
    for n in (1, 2, 3):
        ok(run(main, "contract", "add", f"berlin-svc{n}", "--customer", "berlin", "--stream",
               "services", "--price", "2.50 EUR", "--start", "2026-01-01"))  # fmt: skip
    ok(run(main, "close", "2026-01"))
    assert balance(main, "Liabilities:VAT:Output") == D("-1.43")
    assert balance(main, "Assets:Receivable:Berlin") == D("8.93")


def test_a_payment_settles_the_gross(run: Run, ok, de: Path):
    lines = ok(run(de, "receive", "berlin", "148.75 EUR", "--date", "2026-02-10"))
    assert lines == ["received 148.75 EUR from berlin: 148.75 EUR to inv-2026-01-berlin"]
    assert balance(de, "Assets:Receivable:Berlin") == D("0")


def test_a_credit_note_returns_the_vat_of_its_net(run: Run, ok, de: Path):
    lines = ok(run(de, "credit-note", "inv-2026-01-berlin", "10 EUR", "--date", "2026-02-11",
                   "--memo", "Outage"))  # fmt: skip
    assert lines == [
        "credit note cn-2026-02-11-berlin: 10.00 EUR + VAT 1.90 EUR (19%) off inv-2026-01-berlin"
        " (cloud)"
    ]
    assert balance(de, "Assets:Receivable:Berlin") == D("136.85")  # 148.75 - 11.90
    assert balance(de, "Liabilities:VAT:Output") == D("-21.85")  # 23.75 - 1.90
    # at most the net not credited yet: 125.00 - 10.00
    result = run(de, "credit-note", "inv-2026-01-berlin", "115.01 EUR", "--date", "2026-02-11",
                 "--memo", "More")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        "onebox-ledger: error: a credit note of 115.01 EUR exceeds what invoice"
        " inv-2026-01-berlin billed net of VAT and was not credited yet (115.00 EUR)\n"
    )


def test_a_write_off_relieves_the_vat_inside_it(run: Run, ok, de: Path):
    lines = ok(run(de, "write-off", "inv-2026-01-berlin", "--date", "2026-03-15"))
    assert lines == [
        "invoice inv-2026-01-berlin: 148.75 EUR written off to Expenses:Bad-Debt,"
        " VAT 23.75 EUR relieved"
    ]
    assert balance(de, "Expenses:Bad-Debt") == D("125.00")
    assert balance(de, "Liabilities:VAT:Output") == D("0")


def test_a_one_time_sale_carries_its_vat(run: Run, ok, de: Path):
    lines = ok(run(de, "sell", "berlin", "1000 EUR", "--stream", "services", "--date",
                   "2026-02-12", "--memo", "Implementation"))  # fmt: skip
    assert lines == [
        "invoice inv-2026-02-12-berlin: 1000.00 EUR services + VAT 190.00 EUR (19%) to berlin"
    ]
    assert 'id: "sell/2026-02-12/berlin/1/vat"' in journal(de, "2026-02")
    assert balance(de, "Assets:Receivable:Berlin") == D("1338.75")


def test_a_customers_treatment_changes_from_a_date(run: Run, ok, de: Path):
    ok(run(de, "customer", "tax", "paris", "--tax", "standard", "--date", "2026-02-01"))
    ok(run(de, "close", "2026-02"))
    assert 'id: "close/2026-02/paris/vat"' in journal(de, "2026-02")
    assert balance(de, "Assets:Receivable:Paris") == D("219.00")  # 100.00 + 119.00


def test_advance_invoices_carry_vat_when_issued(run: Run, ok, de: Path):
    ok(run(de, "contract", "add", "berlin-adv", "--customer", "berlin", "--stream", "services",
           "--price", "40 EUR", "--start", "2026-02-01", "--timing", "advance"))  # fmt: skip
    ok(run(de, "invoice", "2026-02"))
    text = journal(de, "2026-02")
    assert '2026-02-01 * "Berlin Immo GmbH" "VAT 19% on inv-2026-02-01-berlin (net 40.00 EUR)"\n' \
        '  id: "invoice/2026-02/berlin/vat"\n' in text  # fmt: skip
    assert balance(de, "Liabilities:Deferred-Revenue:Berlin") == D("-40.00")
    assert balance(de, "Liabilities:VAT:Output") == D("-31.35")  # 23.75 + 7.60


def test_a_foreign_currency_invoice_owes_vat_in_the_operating_currency(run: Run, ok, tmp_path):
    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS[:5])
    for step in [
        ("price", "USD", "0.90 EUR", "--date", "2026-01-01"),
        ("customer", "add", "hamburg", "--name", "Hamburg Inc", "--currency", "USD", "--date",
         "2026-01-01"),
        ("contract", "add", "hamburg-svc", "--customer", "hamburg", "--stream", "services",
         "--price", "100 USD", "--start", "2026-01-01"),
        ("close", "2026-01"),
    ]:  # fmt: skip
        ok(run(main, *step))
    assert "  Assets:Receivable:Hamburg         19.00 USD @ 0.90 EUR\n" \
        "  Liabilities:VAT:Output           -17.10 EUR\n" in journal(main, "2026-01")  # fmt: skip


def test_onebox_vat_is_input_vat_and_a_gross_bill_splits(run: Run, ok, de: Path):
    assert balance(de, "Assets:VAT:Input") == D("27.79")  # 19% of 146.25
    lines = ok(run(de, "onebox", "bill", "onebox-2026-01", "180.00 EUR", "--date", "2026-02-02"))
    # accrued gross 174.04; 5.96 more, 0.95 of it VAT (5.96 x 19/119)
    assert lines == [
        "bill onebox-2026-01: billed 180.00 EUR, accrued 174.04 EUR, difference +5.96 EUR to"
        " Expenses:OneBox:Adjustment (5.01 EUR) and Assets:VAT:Input (0.95 EUR)"
    ]
    assert balance(de, "Assets:VAT:Input") == D("28.74")
    assert balance(de, "Expenses:OneBox:Adjustment") == D("5.01")
    assert balance(de, "Liabilities:OneBox:Payable") == D("-180.00")


# ---------------------------------------------------------------- refusals


def test_a_missing_vat_rate_refuses_the_close(run: Run, ok, refused, snapshot, tmp_path: Path):
    partner = ("partner", "set", "--name", "Muster Cloud GmbH", "--country", "DE", "--vat-id",
               VAT_ID, "--tax", "vat", "--date", "2026-01-01")  # fmt: skip
    steps = [partner, *DE_STEPS[1:]]  # no --rate: no VAT rate for DE
    main = _build(run, ok, tmp_path / "de", "EUR", steps)
    before = snapshot(main.parent)
    assert refused(run(main, "close", "2026-01"), 1) == (
        "cannot close 2026-01: no VAT rate for DE on 2026-01-31; record it with: onebox-ledger"
        " terms vat DE PERCENT --date 2026-01-31"
    )
    assert snapshot(main.parent) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--vat-id", "DE123456789"), "--vat-id 'DE123456789' is not a valid VAT id: The"
         " number's checksum or check digit is invalid."),
        (("--country", "XX"), "--country 'XX' is not an ISO 3166 country code (like DE, UA)"),
        (("--country", "DE", "--vat-id", FR_VAT_ID), f"--vat-id '{FR_VAT_ID}' is not a VAT id of"
         " DE (it starts FR)"),
        (("--tax", "reverse-charge"), "reverse charge needs the customer's VAT id (--vat-id)"),
        (("--country", "US", "--vat-id", "12-3456789", "--tax", "reverse-charge"),
         "reverse charge is between EU states; US is not one (use exempt)"),
    ],
)  # fmt: skip
def test_bad_tax_details_are_refused_with_one_line(
    run: Run, refused, snapshot, de: Path, args: tuple[str, ...], message: str
):
    before = snapshot(de.parent)
    result = run(de, "customer", "add", "zed", "--name", "Zed", "--date", "2026-02-01", *args)
    assert refused(result, 2) == message
    assert snapshot(de.parent) == before


def test_a_partner_without_vat_id_or_single_tax_outside_uah_is_refused(
    run: Run, refused, snapshot, de: Path
):
    before = snapshot(de.parent)
    no_id = run(de, "partner", "set", "--name", "X", "--country", "DE", "--tax", "vat",
                "--date", "2026-02-01")  # fmt: skip
    assert refused(no_id, 2) == (
        "a VAT-registered partner needs its --vat-id (printed on every invoice)"
    )
    single = run(de, "partner", "set", "--name", "X", "--country", "UA", "--tax",
                 "ua-single-tax", "--date", "2026-02-01")  # fmt: skip
    assert refused(single, 1) == (
        "the single tax is accrued in UAH: a FOP's books need UAH as their operating currency,"
        " not EUR"
    )
    assert snapshot(de.parent) == before


def test_the_treatment_follows_from_country_and_vat_id():
    def kind(country: str | None, vat_id: str | None = None) -> str:
        who = Customer("c", None, "C", "EUR", country=country, vat_id=vat_id)  # type: ignore[arg-type]
        return taxes.default_kind("DE", who)

    assert kind(None) == "standard"
    assert kind("DE", VAT_ID) == "standard"
    assert kind("FR", FR_VAT_ID) == "reverse-charge"
    assert kind("FR") == "standard"  # a consumer in another EU state
    assert kind("US") == "exempt"
    assert kind("CH", "CHE123456788MWST") == "exempt"


# ---------------------------------------------------------------- the VAT return


def test_report_vat_ties_to_bean_queries(run: Run, ok, de: Path):
    ok(run(de, "credit-note", "inv-2026-01-paris", "10 EUR", "--date", "2026-02-11", "--memo",
           "Outage"))  # fmt: skip
    ok(run(de, "sell", "berlin", "1000 EUR", "--stream", "services", "--date", "2026-02-12",
           "--memo", "Implementation"))  # fmt: skip
    ok(run(de, "close", "2026-02"))
    ok(run(de, "write-off", "inv-2026-02-nyc", "--date", "2026-03-15"))
    ok(run(de, "write-off", "inv-2026-02-berlin", "--date", "2026-03-15"))
    assert ok(run(de, "tax", "pay", "vat", "100 EUR", "--date", "2026-03-20")) == [
        "vat paid: 100.00 EUR from Assets:Bank (input VAT 55.58 EUR through 2026-02-28 set"
        " against output)"
    ]
    lines = ok(run(de, "report", "vat", "--from", "2026-01-01", "--to", "2026-03-31"))
    assert lines == [
        "VAT, 2026-01-01 to 2026-03-31, in EUR",
        "",
        "line            detail              net     vat",
        "--------------  --------------  -------  ------",
        "output          19%             1125.00  213.75",
        f"reverse-charge  {FR_VAT_ID}    190.00       0",
        "exempt          outside the EU   100.00       0",
        "input           19%                       55.58",
        "--------------  --------------  -------  ------",
        "output VAT                               213.75",
        "input VAT                                 55.58",
        "payable                                  158.17",
        "note: VAT paid in the period 100.00 EUR; owed at 2026-03-31: 58.17 EUR",
    ]
    where = "date >= 2026-01-01 AND date <= 2026-03-31"
    out = bq(de, "SELECT sum(number) AS n WHERE account = 'Liabilities:VAT:Output'"
                 f" AND entry_meta('vat-rate') = 19 AND {where}")  # fmt: skip
    assert -out[0][0] == D("213.75")
    base = bq(de, "SELECT sum(number) AS n WHERE entry_meta('vat-rate') = 19 AND account ~"
                  " '^(Income:(Cloud|Data|Product|Services)|Liabilities:Deferred-Revenue|"
                  f"Expenses:Bad-Debt)' AND {where}")  # fmt: skip
    assert -base[0][0] == D("1125.00")  # Berlin 125 + 125 + 1000, less the 125 written off
    esl = bq(de, "SELECT entry_meta('vat-id') AS id, sum(number) AS n WHERE entry_meta('vat')"
                 " = 'reverse-charge' AND account ~ '^Income:' GROUP BY id")  # fmt: skip
    assert [(r[0], -r[1]) for r in esl] == [(FR_VAT_ID, D("190.00"))]
    assert balance(de, "Assets:VAT:Input") == D("0")  # set against output by the payment
    assert balance(de, "Liabilities:VAT:Output") == D("-58.17")  # 213.75 - 55.58 - 100.00
    json_out = "\n".join(ok(run(de, "report", "vat", "--from", "2026-01-01", "--to",
                                "2026-03-31", "--format", "json")))  # fmt: skip
    assert '"line": "payable",' in json_out and '"vat": "158.17"' in json_out


# ---------------------------------------------------------------- the single tax


def test_a_receipt_accrues_the_single_tax(run: Run, ok, ua: Path):
    ok(run(ua, "receive", "kyiv", "48000 UAH", "--date", "2026-02-05"))
    assert balance(ua, "Expenses:Tax:Single") == D("2400.00")
    assert balance(ua, "Liabilities:Tax:Single") == D("-2400.00")
    # 250.00 USD at the day's 42.00: 10,500.00 UAH received, 525.00 of tax
    ok(run(ua, "receive", "acme", "250 USD", "--date", "2026-02-10"))
    assert "  Expenses:Tax:Single           525.00 UAH\n    single-tax: 5\n" \
        "    received: 10500.00 UAH\n" in journal(ua, "2026-02")  # fmt: skip
    assert balance(ua, "Expenses:Tax:Single") == D("2925.00")


def test_a_refund_gives_its_share_back(run: Run, ok, ua: Path):
    ok(run(ua, "receive", "kyiv", "50000 UAH", "--date", "2026-02-05"))  # 2,000.00 as credit
    ok(run(ua, "refund", "kyiv", "2000 UAH", "--date", "2026-02-06"))
    assert balance(ua, "Expenses:Tax:Single") == D("2400.00")  # 2,500.00 - 100.00


def test_report_single_tax_and_keep_tie_to_bean_queries(run: Run, ok, ua: Path):
    ok(run(ua, "receive", "kyiv", "48000 UAH", "--date", "2026-02-05"))
    ok(run(ua, "receive", "acme", "250 USD", "--date", "2026-02-10"))
    ok(run(ua, "tax", "pay", "single", "2400 UAH", "--date", "2026-02-20"))
    lines = ok(run(ua, "report", "single-tax", "--quarter", "2026-Q1"))
    assert lines == [
        "Single tax, 2026-Q1, in UAH",
        "",
        "month    received  accrued     paid    owed",
        "-------  --------  -------  -------  ------",
        "2026-01      0.00     0.00     0.00    0.00",
        "2026-02  58500.00  2925.00  2400.00  525.00",
        "2026-03      0.00     0.00     0.00  525.00",
        "-------  --------  -------  -------  ------",
        "total    58500.00  2925.00  2400.00  525.00",
    ]
    feb = bq(ua, "SELECT sum(number) AS n WHERE account = 'Expenses:Tax:Single' AND year = 2026"
                 " AND month = 2")  # fmt: skip
    assert feb[0][0] == D("2925.00")
    assert balance(ua, "Liabilities:Tax:Single") == D("-525.00")
    keep = ok(run(ua, "report", "keep", "--from", "2026-01-01", "--to", "2026-03-31"))
    assert "single tax                             -2925.00" in keep
    assert "kept after tax  58375.00      6743.75  48706.25      83.4" in keep


# ---------------------------------------------------------------- verify


def test_verify_re_derives_every_tax_amount(run: Run, ok, de: Path, ua: Path):
    ok(run(de, "sell", "berlin", "1000 EUR", "--stream", "services", "--date", "2026-02-12",
           "--memo", "Implementation"))  # fmt: skip
    assert ok(run(de, "verify"))[-1] == (
        "verify: 1 sealed month(s) (2026-01..2026-01), 7 generated entries re-derived,"
        " 3 tax amounts re-derived, 0 finding(s), no drift"
    )
    path = de.parent / "ledger" / "journal" / "2026-02.beancount"
    text = path.read_text()
    path.write_text(text.replace("  Assets:Receivable:Berlin        190.00 EUR\n"
                                 "  Liabilities:VAT:Output         -190.00 EUR",
                                 "  Assets:Receivable:Berlin        180.00 EUR\n"
                                 "  Liabilities:VAT:Output         -180.00 EUR"))  # fmt: skip
    result = run(de, "verify")
    assert result.exit_code == 1
    assert "error: ledger/journal/2026-02.beancount:14: VAT 180.00 is not 190.00 (19% of 1000.00)" \
        in result.stdout.splitlines()  # fmt: skip

    ok(run(ua, "receive", "kyiv", "1000 UAH", "--date", "2026-02-05"))
    path = ua.parent / "ledger" / "journal" / "2026-02.beancount"
    text = path.read_text()
    path.write_text(text.replace("50.00 UAH", "40.00 UAH"))
    result = run(ua, "verify")
    assert "error: ledger/journal/2026-02.beancount:3: single tax 40.00 is not 50.00 (5% of"\
        " 1000.00 received)" in result.stdout.splitlines()  # fmt: skip


# ---------------------------------------------------------------- agents


def test_an_agents_commission_is_earned_net_of_vat(run: Run, ok, de: Path):
    """10% on a receipt of 148.75 that settles a 19% invoice: 10% of 125.00, not of 148.75."""
    ok(run(de, "agent", "add", "nadia", "--name", "Nadia Koval", "--date", "2026-02-01"))
    ok(run(de, "agent", "assign", "berlin", "nadia", "--rate", "10%", "--from", "2026-02-01"))
    ok(run(de, "receive", "berlin", "148.75 EUR", "--date", "2026-02-10"))
    assert balance(de, "Expenses:Commission") == D("12.50")
    ok(run(de, "agent", "assign", "paris", "nadia", "--rate", "10%", "--from", "2026-02-01",
           "--basis", "invoiced"))  # fmt: skip
    ok(run(de, "customer", "tax", "paris", "--tax", "standard", "--date", "2026-02-01"))
    ok(run(de, "close", "2026-02"))  # Paris: 100.00 net + 19.00 VAT invoiced
    assert balance(de, "Expenses:Commission") == D("22.50")
    assert ok(run(de, "verify"))[-1].endswith("0 finding(s), no drift")


def test_the_onebox_page_shows_the_single_tax_row(run: Run, ok, ua: Path):
    from fava.application import create_app

    ok(run(ua, "receive", "kyiv", "48000 UAH", "--date", "2026-02-05"))
    fava = create_app([str(ua)], read_only=True, poll_watcher=True).test_client()
    response = fava.get("/onebox-partner/extension/OneBox/", query_string={"time": "2026"})
    assert response.status_code == 200
    cells = [
        " ".join(cell.split())
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", response.data.decode(), re.S)
    ]
    at = cells.index("Single tax")
    assert cells[at : at + 5] == ["Single tax", "", "", "-2,400.00", ""]
    # January's invoices: 48,000.00 + 250.00 USD at 41.50; OneBox 162.50 USD at 41.50
    assert cells[at + 5 : at + 10] == [
        "Kept after tax", "58,375.00", "6,743.75", "49,231.25", "84.3"
    ]  # fmt: skip


def test_an_annual_contracts_unearned_credit_returns_its_vat(run: Run, ok, tmp_path: Path):
    """120.00 a year (1 x 10.00 a month) invoiced in January with 22.80 of VAT; ended on
    2026-03-31 with the unserved rest credited: 90.00 net and its 17.10 of VAT are the
    customer's (107.10), and Liabilities:VAT:Output keeps 5.70, the VAT on what was served."""
    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS[:6])
    ok(
        run(
            main,
            "contract",
            "add",
            "berlin-year",
            "--customer",
            "berlin",
            "--stream",
            "services",
            "--price",
            "10 EUR",
            "--start",
            "2026-01-01",
            "--billing",
            "annual",
        )
    )
    ok(run(main, "contract", "end", "berlin-year", "--date", "2026-03-31", "--unearned", "credit"))
    for month in ("2026-01", "2026-02", "2026-03"):
        ok(run(main, "close", month))
    assert balance(main, "Liabilities:VAT:Output") == D("-5.70")
    assert balance(main, "Liabilities:Customer-Credit:Berlin") == D("-107.10")
    assert balance(main, "Income:Services") == D("-30.00")
    assert ok(run(main, "verify"))[-1].endswith("0 finding(s), no drift")
