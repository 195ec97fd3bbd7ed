"""The demo partners under a tax regime: ``init --demo --profile de`` (a German GmbH under VAT)
and ``--profile ua`` (a Ukrainian FOP under the single tax), each closed month by month by the
tool, rebuilt byte for byte, and with returns that tie to the books.

Figures worked by hand are from the seed-1 demo of each profile (10 customers, January to
October 2026); the rest are checked against bean-queries over the same accounts and against
the rule itself (19% of each invoice's net, 5% of each receipt)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from beanquery import query
from click.testing import CliRunner
from conftest import tree

from onebox_ledger import actions, beans
from onebox_ledger.cli import cli
from onebox_ledger.demo import PROFILES, build_demo
from onebox_ledger.store import Ledger

D = Decimal
CENT = D("0.01")
QUARTERS = [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"),
            ("2026-07-01", "2026-09-30"), ("2026-10-01", "2026-12-31")]  # fmt: skip


def cents(number: Decimal) -> Decimal:
    """Half up to cents, written here and not taken from onebox_ledger."""
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each tax profile's demo, built once for the module (fast path)."""
    root = tmp_path_factory.mktemp("profiles")
    return {name: build_demo(root / name, profile=name, fast=True).main for name in ("de", "ua")}


@pytest.fixture(scope="module")
def loaded(built: dict[str, Path]) -> dict[str, tuple[list[data.Directive], Any]]:
    loader.initialize(use_cache=False)
    out = {}
    for name, main in built.items():
        entries, errors, options = loader.load_file(str(main))
        assert errors == [], (name, errors)  # what bean-check reports
        out[name] = (entries, options)
    return out


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-15")
    yield


def bean_query(book: tuple[list[data.Directive], Any], sql: str) -> Decimal:
    """The one number a `SELECT sum(number) ...` gives, run by Beancount's own engine."""
    _, rows = query.run_query(book[0], book[1], sql)
    value = rows[0][0] if rows else None
    return D(0) if value is None else D(value)


def txns(book: tuple[list[data.Directive], Any]) -> list[data.Transaction]:
    return [e for e in book[0] if isinstance(e, data.Transaction)]


def by_id(book: tuple[list[data.Directive], Any]) -> dict[str | None, data.Transaction]:
    return {beans.entry_id(t): t for t in txns(book)}


def postings(txn: data.Transaction) -> list[tuple[str, Decimal]]:
    return [(p.account, p.units.number) for p in txn.postings if p.units.number is not None]


def report(main: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["--ledger", str(main), "report", *args, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def rows(table: dict[str, Any], key: str = "rows") -> list[list[Any]]:
    return [list(r.values()) if isinstance(r, dict) else list(r) for r in table[key]]


# -- the CLI, byte for byte ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["de", "ua"])
def test_init_demo_profile_rebuilds_the_same_bytes(
    tmp_path: Path, built: dict[str, Path], name: str
) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / name), "--demo", "--profile", name])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"demo ledger in {tmp_path / name / 'main.beancount'} (profile {name}):"
        " 10 customers, 10 months closed"
    )
    assert tree(tmp_path / name) == tree(built[name].parent)
    other = build_demo(tmp_path / "seed2", profile=name, seed=2, fast=True)
    assert tree(other.root) != tree(tmp_path / name)  # the seed does move it


def test_an_unknown_profile_is_refused_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--demo", "--profile", "fr"])
    assert result.exit_code == 2
    assert result.stderr == (
        "onebox-ledger: error: Invalid value for '--profile': 'fr' is not one of"
        " 'default', 'de', 'ua'.\n"
    )
    assert not (tmp_path / "x").exists()


def test_init_help_names_the_profiles() -> None:
    result = CliRunner().invoke(cli, ["init", "--help"])
    assert result.exit_code == 0
    assert "--profile [default|de|ua]" in result.stdout
    assert "onebox-ledger init demo-de --demo --profile de" in result.stdout
    assert sorted(PROFILES) == ["de", "default", "ua"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["de", "ua"])
def test_fast_path_writes_the_same_bytes_as_the_validated_path(tmp_path: Path, name: str) -> None:
    build_demo(tmp_path / "fast", profile=name, customers=13, months=8, seed=5, fast=True)
    build_demo(tmp_path / "slow", profile=name, customers=13, months=8, seed=5, fast=False)
    fast, slow = tree(tmp_path / "fast"), tree(tmp_path / "slow")
    assert sorted(fast) == sorted(slow)
    for path in fast:
        assert fast[path] == slow[path], path


@pytest.mark.parametrize("name", ["de", "ua"])
def test_every_month_closed_and_verify_finds_nothing(built: dict[str, Path], name: str) -> None:
    check = actions.verify(Ledger(built[name]))
    assert (check.errors, check.diffs) == ([], [])
    assert [str(m) for m in check.sealed] == [f"2026-{m:02d}" for m in range(1, 11)]
    assert check.generated > 190


# -- de: VAT -----------------------------------------------------------------------------------


def test_de_partner_and_customers_get_their_treatment(loaded: dict[str, Any]) -> None:
    book = loaded["de"]
    partner = [e for e in book[0] if isinstance(e, data.Custom) and e.type == "onebox-partner"]
    assert [(p.values[0].value, p.meta["country"], p.meta["vat-id"], p.meta["iban"], p.meta["tax"])
            for p in partner] == [("Spree Cloud GmbH", "DE", "DE136695976",
                                   "DE89370400440532013000", "vat")]  # fmt: skip
    kinds: dict[str, set[str]] = {}
    for txn in txns(book):
        if "invoice" in txn.meta and isinstance(txn.meta.get("vat"), str):
            kinds.setdefault(str(txn.meta["customer"]), set()).add(str(txn.meta["vat"]))
    assert kinds.pop("hudson-realty") == {"exempt"}  # a US customer: export of services
    assert kinds.pop("marine-atlantique") == {"reverse-charge"}  # a French SARL with its VAT id
    assert set(kinds) == {r.stem for r in PROFILES["de"].roles} - {
        "hudson-realty",
        "marine-atlantique",
    }
    assert all(k == {"standard"} for k in kinds.values())
    for txn in txns(book):  # no VAT is ever booked for either
        if txn.meta.get("customer") in ("hudson-realty", "marine-atlantique"):
            assert "Liabilities:VAT:Output" not in dict(postings(txn)), beans.entry_id(txn)
        if txn.meta.get("vat") == "reverse-charge":
            assert txn.meta["vat-id"] == "FR40303265045"


def test_de_figures_by_hand(loaded: dict[str, Any]) -> None:
    ids = by_id(loaded["de"])
    # 5 users x 25 EUR at 19%: receivable 148.75, income 125.00, VAT 23.75, paid gross
    invoice = ids["close/2026-02/spreeblick-immobilien-cloud/invoice"]
    assert postings(invoice) == [("Assets:Receivable:Spreeblick-Immobilien", D("125.00")),
                                 ("Income:Cloud", D("-125.00"))]  # fmt: skip
    vat = ids["close/2026-02/spreeblick-immobilien/vat"]
    assert postings(vat) == [("Assets:Receivable:Spreeblick-Immobilien", D("23.75")),
                             ("Liabilities:VAT:Output", D("-23.75"))]  # fmt: skip
    paid = ids["receive/bank-inv-2026-02-spreeblick-immobilien"]
    assert dict(postings(paid))["Assets:Bank"] == D("148.75")
    # January: the implementation (1,800.00) and 5 users (125.00): 19% of 1,925.00 is 365.75,
    # the only output VAT of the month (Hudson Realty is exempt)
    assert postings(ids["close/2026-01/spreeblick-immobilien/vat"])[1] == (
        "Liabilities:VAT:Output", D("-365.75"))  # fmt: skip
    # the annual year prepaid gross: 10 x 21.00 x 12 = 2,520.00 + 478.80
    assert dict(postings(ids["receive/bank-prepay-rheinfracht"]))["Assets:Bank"] == D("2998.80")
    # a 16.00 credit note returns 3.04 of VAT; a write-off of 48.00 net relieves 9.12
    note = ids["credit-note/inv-2026-05-elbe-dental/2026-06-03/1"]
    assert postings(note) == [("Income:Product", D("16.00")), ("Liabilities:VAT:Output",
                              D("3.04")), ("Assets:Receivable:Elbe-Dental", D("-19.04"))]  # fmt: skip
    off = ids["write-off/inv-2026-06-isar-zahnklinik"]
    assert postings(off) == [("Expenses:Bad-Debt", D("48.00")), ("Liabilities:VAT:Output",
                             D("9.12")), ("Assets:Receivable:Isar-Zahnklinik", D("-57.12"))]  # fmt: skip
    # January's payable, 365.75 output less 25.56 input on OneBox's bill, paid on 10 February:
    # the input set against the output, the rest paid
    tax = ids["tax/tax-vat-2026-01"]
    assert postings(tax) == [("Liabilities:VAT:Output", D("365.75")),
                             ("Assets:VAT:Input", D("-25.56")),
                             ("Assets:Bank", D("-340.19"))]  # fmt: skip
    bill_vat = [t for t in txns(loaded["de"]) if t.meta.get("bill") == "onebox-2026-01"
                and "Assets:VAT:Input" in dict(postings(t))]  # fmt: skip
    assert [dict(postings(t))["Assets:VAT:Input"] for t in bill_vat] == [D("25.56")]


def test_de_each_invoice_vat_is_19_percent_of_its_net(loaded: dict[str, Any]) -> None:
    book = loaded["de"]
    net: dict[str, Decimal] = {}
    vat: dict[str, Decimal] = {}
    for txn in txns(book):
        invoice = txn.meta.get("invoice")
        if not isinstance(invoice, str) or txn.meta.get("vat") != "standard":
            continue
        if txn.meta.get("credit-note") or beans.entry_id(txn).startswith("write-off/"):  # type: ignore[union-attr]
            continue
        receivable = beans.receivable_account(str(txn.meta["customer"]))
        amount = sum((n for a, n in postings(txn) if a == receivable), D(0))
        if any(a == "Liabilities:VAT:Output" for a, _ in postings(txn)):
            assert txn.meta["net"].number == net[invoice]  # the VAT entry states its net
            vat[invoice] = amount
        else:
            net[invoice] = net.get(invoice, D(0)) + amount
    assert len(vat) > 50
    assert set(vat) <= set(net)
    for invoice, tax in vat.items():
        assert tax == cents(net[invoice] * 19 / 100), invoice
    # every standard invoice with a net carries its VAT entry
    assert {i for i, n in net.items() if cents(n * 19 / 100)} == set(vat)


@pytest.mark.parametrize("quarter", QUARTERS)
def test_de_report_vat_equals_bean_queries(
    today: None, built: dict[str, Path], loaded: dict[str, Any], quarter: tuple[str, str]
) -> None:
    start, end = quarter
    table = report(built["de"], "vat", "--from", start, "--to", end)
    book = loaded["de"]
    within = f"date >= {start} AND date <= {end}"
    output = -bean_query(book, "SELECT sum(number) WHERE account = 'Liabilities:VAT:Output'"
                         f" AND entry_meta('vat-rate') = 19 AND {within}")  # fmt: skip
    inputs = bean_query(book, "SELECT sum(number) WHERE account = 'Assets:VAT:Input'"
                        f" AND entry_meta('vat-rate') = 19 AND {within}")  # fmt: skip
    base = -bean_query(book, "SELECT sum(number) WHERE entry_meta('vat-rate') = 19 AND account ~"
                       " '^(Income:(Cloud|Data|Product|Services)|Liabilities:Deferred-Revenue"
                       f"|Expenses:Bad-Debt)' AND {within}")  # fmt: skip
    reverse = -bean_query(book, "SELECT sum(number) WHERE entry_meta('vat') = 'reverse-charge'"
                          " AND account ~ '^Income:' AND " + within)  # fmt: skip
    got = {(r[0], r[1]): (r[2], r[3]) for r in rows(table)}
    totals = {r[0]: r[3] for r in rows(table, "totals")}
    assert D(str(got[("output", "19%")][1])) == output
    assert D(str(got[("output", "19%")][0])) == base
    assert D(str(got[("input", "19%")][1])) == inputs
    assert D(str(totals["payable"])) == output - inputs
    if reverse:
        assert D(str(got[("reverse-charge", "FR40303265045")][0])) == reverse
    assert output and inputs


def test_de_q1_vat_return_by_hand(today: None, built: dict[str, Path]) -> None:
    table = report(built["de"], "vat", "--from", "2026-01-01", "--to", "2026-03-31")
    got = {(r[0], r[1]): (r[2], r[3]) for r in rows(table)}
    # output: 365.75 (January) + 675.83 (February) + 80.75 (March: 125.00 + 228.00 + 72.00 net)
    assert {k: tuple(D(v) if v != "" else None for v in vs) for k, vs in got.items()} == {
        ("output", "19%"): (D("5907.00"), D("1122.33")),
        ("exempt", "outside the EU"): (D("293.76"), D(0)),
        ("input", "19%"): (None, D("193.15")),
    }  # fmt: skip
    assert D("365.75") + D("675.83") + D("80.75") == D("1122.33")
    assert cents(D("425.00") * D("0.19")) == D("80.75")


def test_de_vat_paid_is_each_month_s_payable(loaded: dict[str, Any]) -> None:
    book = loaded["de"]
    paid = {str(t.meta["ref"]): t for t in txns(book) if t.meta.get("tax-payment") == "vat"}
    assert len(paid) >= 6
    for ref, txn in paid.items():
        month = ref.removeprefix("tax-vat-")
        year, mm = (int(x) for x in month.split("-"))
        end = f"{year}-{mm:02d}-{[31, 28, 31, 30, 31, 30, 31, 31, 30, 31][mm - 1]}"
        owed = -bean_query(book, "SELECT sum(number) WHERE account ~ '^(Liabilities:VAT:Output"
                           f"|Assets:VAT:Input)$' AND date <= {end}")  # fmt: skip
        reclaimed = bean_query(book, "SELECT sum(number) WHERE account = 'Assets:VAT:Input'"
                               f" AND date <= {end}")  # fmt: skip
        assert -dict(postings(txn))["Assets:Bank"] == owed, ref
        assert -dict(postings(txn))["Assets:VAT:Input"] == reclaimed, ref
        assert dict(postings(txn))["Liabilities:VAT:Output"] == owed + reclaimed, ref
        assert txn.date.day == 10


# -- ua: the single tax --------------------------------------------------------------------------


def test_ua_partner_is_a_fop_in_uah(loaded: dict[str, Any]) -> None:
    book = loaded["ua"]
    assert book[1]["operating_currency"] == ["UAH"]
    partner = [e for e in book[0] if isinstance(e, data.Custom) and e.type == "onebox-partner"]
    assert [(p.meta["country"], p.meta["tax"], p.meta["rate"]) for p in partner] == [
        ("UA", "ua-single-tax", D(5))
    ]
    prices = [e for e in book[0] if isinstance(e, data.Price)]
    assert {(p.currency, p.amount.currency) for p in prices} == {("USD", "UAH")}
    assert all(D(41) <= p.amount.number <= D(42) and p.date.weekday() < 5 for p in prices)
    assert len(prices) == 217  # every weekday of January to October 2026


def test_ua_each_receipt_accrues_5_percent_of_the_money_received(loaded: dict[str, Any]) -> None:
    book = loaded["ua"]
    receipts = [t for t in txns(book) if beans.entry_id(t).startswith("receive/")]  # type: ignore[union-attr]
    assert len(receipts) > 50
    usd = 0
    for txn in receipts:
        received = D(0)  # the bank's side in UAH: UAH as is, USD at the day's rate
        for post in txn.postings:
            if post.account == "Assets:Bank":
                received += post.units.number
            elif post.account == "Assets:Bank:USD":
                assert post.price is not None
                received += post.units.number * post.price.number
                usd += 1
        amounts = dict(postings(txn))
        assert amounts["Expenses:Tax:Single"] == cents(received * 5 / 100), beans.entry_id(txn)
        assert amounts["Liabilities:Tax:Single"] == -cents(received * 5 / 100)
    assert usd >= 8
    ids = by_id(book)
    # by hand: the annual year prepaid, 10 x 950.00 x 12 = 114,000.00 UAH -> 5,700.00
    assert dict(postings(ids["receive/bank-prepay-karpaty-logistics"]))["Expenses:Tax:Single"] == (
        D("5700.00")
    )
    # the USD customer's March invoice, 108.00 USD received at 41.40 = 4,471.20 UAH -> 223.56
    usd_receipt = ids["receive/bank-inv-2026-03-harbor-analytics"]
    bank = usd_receipt.postings[0]
    assert (bank.account, bank.units.number) == ("Assets:Bank:USD", D("108.00"))
    assert bank.price is not None and bank.price.number == D("41.40")
    assert dict(postings(usd_receipt))["Expenses:Tax:Single"] == D("223.56")


@pytest.mark.parametrize("quarter", ["2026-Q1", "2026-Q2", "2026-Q3"])
def test_ua_report_single_tax_equals_bean_queries(
    today: None, built: dict[str, Path], loaded: dict[str, Any], quarter: str
) -> None:
    book = loaded["ua"]
    table = report(built["ua"], "single-tax", "--quarter", quarter)
    first = (int(quarter[-1]) - 1) * 3 + 1
    for row, month in zip(rows(table), range(first, first + 3), strict=True):
        accrued = bean_query(book, "SELECT sum(number) WHERE account = 'Expenses:Tax:Single'"
                             f" AND year = 2026 AND month = {month}")  # fmt: skip
        # what reached the banks from customers: UAH as is, USD at the price the entry states
        received = bean_query(book, "SELECT sum(number) WHERE account = 'Assets:Bank' AND"
                              f" entry_meta('customer') IS NOT NULL AND year = 2026 AND month = {month}"
                              )  # fmt: skip
        received += bean_query(book, "SELECT sum(number * number(price)) WHERE account ="
                               " 'Assets:Bank:USD' AND entry_meta('customer') IS NOT NULL AND"
                               f" year = 2026 AND month = {month}")  # fmt: skip
        assert row[0] == f"2026-{month:02d}"
        assert D(str(row[1])) == received
        assert D(str(row[2])) == accrued
        # accrued per receipt, rounded once each: within half a cent a receipt of 5% of the sum
        assert abs(accrued - D(str(row[1])) * 5 / 100) < D("0.005") * 40


def test_ua_q1_single_tax_by_hand_and_paid_in_april(
    today: None, built: dict[str, Path], loaded: dict[str, Any]
) -> None:
    table = report(built["ua"], "single-tax", "--quarter", "2026-Q1")
    assert [[str(v) for v in r] for r in rows(table)] == [
        ["2026-01", "0.00", "0.00", "0.00", "0.00"],
        ["2026-02", "203952.84", "10197.64", "0.00", "10197.64"],
        ["2026-03", "50790.64", "2539.53", "0.00", "12737.17"],
    ]
    paid = by_id(loaded["ua"])["tax/tax-single-2026-Q1"]
    assert str(paid.date) == "2026-04-20"
    assert postings(paid) == [("Liabilities:Tax:Single", D("12737.17")),
                              ("Assets:Bank", D("-12737.17"))]  # fmt: skip
    q2 = report(built["ua"], "single-tax", "--quarter", "2026-Q2")
    assert [str(v) for v in rows(q2)[0]] == ["2026-04", "31381.20", "1569.06", "12737.17",
                                             "1569.06"]  # fmt: skip


def test_ua_keep_shows_the_single_tax_as_a_cost(
    today: None, built: dict[str, Path], loaded: dict[str, Any]
) -> None:
    table = report(built["ua"], "keep", "--from", "2026-01-01", "--to", "2026-10-31")
    accrued = bean_query(loaded["ua"], "SELECT sum(number) WHERE account = 'Expenses:Tax:Single'")
    assert accrued == D("42696.85")
    lines = {r[0]: r for r in rows(table, "totals")}
    assert D(str(lines["single tax"][3])) == -accrued
    total = lines["total"]
    bad = -D(str(lines["bad debt"][3])) if "bad debt" in lines else D(0)
    after = rows(table, "totals")[-1]
    assert str(after[0]) == ("kept after tax and bad debt" if bad else "kept after tax")
    assert D(str(after[3])) == D(str(total[3])) - accrued - bad


def test_ua_buys_the_dollars_its_onebox_bills_need(loaded: dict[str, Any]) -> None:
    bought = [t for t in txns(loaded["ua"]) if str(beans.entry_id(t)).startswith("transfer/buy-")]
    paid = [t for t in txns(loaded["ua"]) if str(beans.entry_id(t)).startswith("pay/")]
    assert len(bought) == len(paid) == 9  # the bills of January to September (due a month on)
    balance = D(0)
    for txn in sorted(txns(loaded["ua"]), key=lambda t: t.date):
        balance += sum((n for a, n in postings(txn) if a == "Assets:Bank:USD"), D(0))
        assert balance >= 0, beans.entry_id(txn)
    # March's bill, 503.75 USD at 41.41 plus the bank's 0.5%: 20,964.59 UAH, 104.30 of it a loss
    march = by_id(loaded["ua"])["transfer/buy-onebox-2026-03"]
    assert dict(postings(march))["Assets:Bank"] == D("-20964.59")
    assert dict(postings(march))["Expenses:FX-Losses"] == D("104.30")
    assert cents(D("503.75") * D("41.41") * D("1.005")) == D("20964.59")
