"""Billing as partners bill: invoices in advance, annual contracts that change, a quote.

Each case runs the commands on the seed's terms (cloud-user 25.00 USD a month at list,
65% of list from 1 box, 60% from 10, OneBox bills due 30 days after the month) and checks
the amounts worked out by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import invoke, load_entries, load_errors, succeeded

D = Decimal


def by_id(entries: list, entry_id: str):  # type: ignore[no-untyped-def]
    (entry,) = [e for e in entries if getattr(e, "meta", {}).get("id") == entry_id]
    return entry


def amounts(entry) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    return [(p.account, p.units.number) for p in entry.postings]


def advance_contract(terms: Path, start: str, *, quantity: int = 5, price: str = "25 USD") -> None:
    """acme-cloud: acme's cloud seats (cloud-user), invoiced in advance from `start`."""
    succeeded(
        invoke(terms, "contract", "add", "acme-cloud", "--customer", "acme", "--stream", "cloud",
               "--price", price, "--quantity", str(quantity), "--start", start, "--item",
               "cloud-user", "--timing", "advance")
    )  # fmt: skip


@pytest.fixture
def terms(fixed_today: None, tmp_path: Path) -> Path:
    main = (tmp_path / "books" / "main.beancount").resolve()
    for step in [
        ("init", str(main.parent), "--start", "2026-01-01"),
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "rate", "10", "0.60", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("customer", "add", "acme", "--name", "Acme Realty", "--date", "2026-01-01"),
    ]:
        succeeded(invoke(main, *step))
    return main


def test_an_advance_invoice_is_dated_the_first_and_the_close_trues_up_the_month(
    terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-01")
    advance_contract(terms, "2026-11-01")
    assert succeeded(invoke(terms, "invoice", "2026-11")) == [
        "issued inv-2026-11-01-acme: 125.00 USD dated 2026-11-01",
        "written to ledger/journal/2026-11.beancount",
    ]
    assert succeeded(invoke(terms, "invoice", "2026-11")) == [
        "2026-11 already invoiced, nothing changed"
    ]
    owed = succeeded(
        invoke(terms, "report", "receivables", "--as-of", "2026-11-01", "--format", "csv")
    )
    assert owed[1] == "acme,inv-2026-11-01-acme,2026-11-01,2026-12-01,USD,125.00,0,current"
    # paid during the month: the advance invoice is what it pays
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-10")
    assert succeeded(invoke(terms, "receive", "acme", "125 USD", "--date", "2026-11-10")) == [
        "received 125.00 USD from acme: 125.00 USD to inv-2026-11-01-acme"
    ]
    # a sixth seat from the 16th: changes dated on the invoice's first day are refused
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-16")
    result = invoke(terms, "contract", "change", "acme-cloud", "--date", "2026-11-01",
                    "--quantity", "6")  # fmt: skip
    assert result.exit_code == 2  # a change on the start day itself
    succeeded(invoke(terms, "contract", "change", "acme-cloud", "--date", "2026-11-16",
                     "--quantity", "6"))  # fmt: skip
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-01")
    out = succeeded(invoke(terms, "close", "2026-11"))
    # served: 5 x 25.00 x 15/30 + 6 x 25.00 x 15/30 = 62.50 + 75.00 = 137.50;
    # cost (5 x 15 + 6 x 15) / 30 x 25.00 x 65% = 5.5 x 16.25 = 89.375 -> 89.38
    assert out[2] == "  cloud             0.00       137.50        89.38        48.12    35.0"
    entries = load_entries(terms)
    assert amounts(by_id(entries, "close/2026-11/acme-cloud/recognise")) == [
        ("Liabilities:Deferred-Revenue:Acme", D("137.50")),
        ("Income:Cloud", D("-137.50")),
    ]
    # December: 6 x 25.00 in advance, and November's 137.50 served - 125.00 billed = 12.50
    assert succeeded(invoke(terms, "invoice", "2026-12")) == [
        "issued inv-2026-12-01-acme: 162.50 USD dated 2026-12-01",
        "written to ledger/journal/2026-12.beancount",
    ]
    adjust = by_id(load_entries(terms), "invoice/2026-12/acme-cloud/adjust")
    assert str(adjust.date) == "2026-12-01"
    assert adjust.narration == (
        "Cloud: adjustment for November 2026: served 5 x 25.00 USD for 15/30 days + 6 x 25.00"
        " USD for 15/30 days = 137.50, billed 125.00, December 2026"
    )
    assert amounts(adjust) == [
        ("Assets:Receivable:Acme", D("12.50")),
        ("Liabilities:Deferred-Revenue:Acme", D("-12.50")),
    ]
    assert load_errors(terms) == []
    assert succeeded(invoke(terms, "verify"))[-1].endswith(" 0 finding(s), no drift")


def test_an_advance_contract_ended_mid_month_credits_what_it_did_not_serve(
    terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-01")
    advance_contract(terms, "2026-11-01", quantity=4, price="30 USD")
    succeeded(invoke(terms, "invoice", "2026-11"))  # 4 x 30.00 = 120.00
    succeeded(invoke(terms, "contract", "end", "acme-cloud", "--date", "2026-11-20"))
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-01")
    succeeded(invoke(terms, "close", "2026-11"))
    entries = load_entries(terms)
    # served 4 x 30.00 x 20/30 = 80.00 of the 120.00 billed: 40.00 back to the customer
    assert amounts(by_id(entries, "close/2026-11/acme-cloud/settle")) == [
        ("Liabilities:Deferred-Revenue:Acme", D("40.00")),
        ("Liabilities:Customer-Credit:Acme", D("-40.00")),
    ]
    assert succeeded(invoke(terms, "invoice", "2026-12")) == [
        "2026-12: no contract is billed in advance; nothing to invoice"
    ]
    assert load_errors(terms) == []


def test_advance_billing_is_for_monthly_contracts(terms: Path, refused) -> None:  # type: ignore[no-untyped-def]
    """(A contract in another currency is billed in advance too: tests/test_gaps.py.)"""
    base = ("contract", "add", "x-1", "--customer", "acme", "--stream", "cloud", "--price",
            "25 USD", "--start", "2026-11-01", "--item", "cloud-user", "--timing", "advance")  # fmt: skip
    assert refused(invoke(terms, *base, "--billing", "annual"), 2) == (
        "only monthly contracts are billed in advance, not annual"
    )


def test_an_annual_upgrade_costs_the_new_seats_from_its_day(terms: Path) -> None:
    for step in [
        ("contract", "add", "acme-year", "--customer", "acme", "--stream", "cloud", "--price",
         "22 USD", "--quantity", "10", "--start", "2026-01-01", "--billing", "annual", "--item",
         "cloud-user"),
        ("contract", "change", "acme-year", "--date", "2026-03-01", "--quantity", "15"),
        ("close", "2026-01"), ("close", "2026-02"), ("close", "2026-03"),
    ]:  # fmt: skip
        succeeded(invoke(terms, *step))
    entries = load_entries(terms)
    # March's cost: 15 x 25.00 x 65% = 243.75 (10 seats would be 162.50)
    assert amounts(by_id(entries, "close/2026-03/acme-year/cost")) == [
        ("Expenses:OneBox:Cloud", D("243.75")),
        ("Liabilities:OneBox:Payable", D("-243.75")),
    ]
    # the 5 seats added: 5 x 22.00 x 12 = 1320.00 a year, for the 306 days from March 1 to
    # December 31 of the 365: 1320 x 306 / 365 = 1106.63.. -> 1106.63, invoiced in March
    change = by_id(entries, "close/2026-03/acme-year/change-2026-03-01")
    assert amounts(change) == [
        ("Assets:Receivable:Acme", D("1106.63")),
        ("Liabilities:Deferred-Revenue:Acme", D("-1106.63")),
    ]


def test_an_annual_contract_ended_early_costs_its_days_and_credits_on_request(
    terms: Path,
) -> None:
    succeeded(
        invoke(terms, "contract", "add", "acme-year", "--customer", "acme", "--stream", "cloud",
               "--price", "22 USD", "--quantity", "15", "--start", "2026-01-01", "--billing",
               "annual", "--item", "cloud-user")
    )  # fmt: skip
    for month in ("01", "02", "03", "04", "05", "06"):
        succeeded(invoke(terms, "close", f"2026-{month}"))
    succeeded(invoke(terms, "contract", "end", "acme-year", "--date", "2026-07-15",
                     "--unearned", "credit"))  # fmt: skip
    succeeded(invoke(terms, "close", "2026-07"))
    entries = load_entries(terms)
    # July: 15 of 31 days: 15 x 25.00 x 65% x 15/31 = 117.943.. -> 117.94
    assert amounts(by_id(entries, "close/2026-07/acme-year/cost"))[0] == (
        "Expenses:OneBox:Cloud", D("117.94"),
    )  # fmt: skip
    # the year 15 x 22.00 x 12 = 3960.00, a twelfth 330.00; Jan-Jun 6 x 330.00 = 1980.00;
    # July's days served 330.00 x 15/31 = 159.677.. -> 159.68; credited 3960.00 - 1980.00
    # - 159.68 = 1820.32
    assert amounts(by_id(entries, "close/2026-07/acme-year/recognise")) == [
        ("Liabilities:Deferred-Revenue:Acme", D("159.68")),
        ("Income:Cloud", D("-159.68")),
    ]
    assert amounts(by_id(entries, "close/2026-07/acme-year/unearned")) == [
        ("Liabilities:Deferred-Revenue:Acme", D("1820.32")),
        ("Liabilities:Customer-Credit:Acme", D("-1820.32")),
    ]
    assert load_errors(terms) == []


def test_two_changes_on_one_day_are_refused(terms: Path, refused) -> None:  # type: ignore[no-untyped-def]
    succeeded(
        invoke(terms, "contract", "add", "acme-cloud", "--customer", "acme", "--stream", "cloud",
               "--price", "25 USD", "--quantity", "5", "--start", "2026-11-01", "--item",
               "cloud-user")
    )  # fmt: skip
    succeeded(invoke(terms, "contract", "change", "acme-cloud", "--date", "2026-11-16",
                     "--quantity", "6"))  # fmt: skip
    assert refused(
        invoke(terms, "contract", "change", "acme-cloud", "--date", "2026-11-16", "--price",
               "27 USD"), 1,
    ) == (
        "contract 'acme-cloud' already changes on 2026-11-16; give the quantity and the price in"
        " one change"
    )  # fmt: skip


def test_a_quote_on_the_seed_example(terms: Path) -> None:
    out = succeeded(
        invoke(terms, "quote", "--item", "cloud-user", "--quantity", "5", "--price", "25 USD",
               "--once", "2000 USD", "--as-of", "2026-11-01")
    )  # fmt: skip
    assert out[2:9] == [
        "part            sold  onebox_cost     kept  kept_pct",
        "-----------  -------  -----------  -------  --------",
        "monthly       125.00        81.25    43.75      35.0",
        "once         2000.00         0.00  2000.00     100.0",
        "-----------  -------  -----------  -------  --------",
        "first month  2125.00        81.25  2043.75      96.2",
        "note: OneBox cost: 5 x 25.00 USD list x 65% (the tier of 1 active box(es) in 2026-11,"
        " this one included)",
    ]


def test_a_quote_that_crosses_a_tier_says_what_the_portfolio_saves(terms: Path) -> None:
    """Nine customers with 4 seats each run nine boxes; a tenth moves every box from 65% to
    60% of list: the nine boxes' 36 seats x 25.00 = 900.00 a month at list cost 585.00 at 65%
    and 540.00 at 60%, 45.00 less; the new box costs 5 x 25.00 x 60% = 75.00."""
    for n in range(9):
        succeeded(invoke(terms, "customer", "add", f"c{n}", "--name", f"C{n}", "--date",
                         "2026-01-01"))  # fmt: skip
        succeeded(invoke(terms, "contract", "add", f"c{n}-cloud", "--customer", f"c{n}",
                         "--stream", "cloud", "--price", "30 USD", "--quantity", "4", "--start",
                         "2026-01-01", "--item", "cloud-user"))  # fmt: skip
    out = succeeded(
        invoke(terms, "quote", "--item", "cloud-user", "--quantity", "5", "--price", "25 USD",
               "--as-of", "2026-11-01", "--format", "csv")
    )  # fmt: skip
    assert out[1] == "monthly,125.00,75.00,50.00,40.0"
    json_out = succeeded(
        invoke(terms, "quote", "--item", "cloud-user", "--quantity", "5", "--price", "25 USD",
               "--as-of", "2026-11-01", "--format", "json")
    )  # fmt: skip
    assert (
        '    "this box moves every box from 65% to 60% of list: the OneBox cost of your other'
        ' boxes changes by -45.00 USD a month"'
    ) in json_out


def test_an_issued_advance_invoice_is_not_changed_behind_its_back(
    terms: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused,
    snapshot,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-01")
    advance_contract(terms, "2026-10-01")
    succeeded(invoke(terms, "invoice", "2026-11"))
    before = snapshot(terms.parent)
    assert refused(
        invoke(terms, "contract", "change", "acme-cloud", "--date", "2026-11-01", "--quantity",
               "6"), 1,
    ) == (
        "contract 'acme-cloud' is invoiced in advance through 2026-11 (issued 2026-11-01): a"
        " change on 2026-11-01 would change an issued invoice; date it 2026-11-02 or later"
    )  # fmt: skip
    assert refused(invoke(terms, "contract", "end", "acme-cloud", "--date", "2026-10-31"), 1) == (
        "contract 'acme-cloud' is invoiced in advance through 2026-11 (issued 2026-11-01): an"
        " end on 2026-10-31 would change an issued invoice; date it 2026-11-01 or later"
    )
    assert snapshot(terms.parent) == before


def test_a_quote_of_services_and_of_a_price_in_another_currency(terms: Path) -> None:
    """Services consume no item: kept 100%, no box added. A price in EUR is converted at the
    ledger's rate on the day, as the close will convert the invoice: 5 x 23.00 EUR = 115.00
    EUR x 1.08 = 124.20 USD sold; 5 x 25.00 x 65% = 81.25 cost; 42.95 kept (34.6%);
    1,800.00 EUR once = 1,944.00 USD."""
    out = succeeded(
        invoke(terms, "quote", "--stream", "services", "--quantity", "10", "--price", "90 USD",
               "--as-of", "2026-11-01", "--format", "csv")
    )  # fmt: skip
    assert out == [
        "part,sold,onebox_cost,kept,kept_pct",
        "monthly,900.00,0.00,900.00,100.0",
        "first month,900.00,0.00,900.00,100.0",
    ]
    succeeded(invoke(terms, "price", "EUR", "1.08 USD", "--date", "2026-10-31"))
    out = succeeded(
        invoke(terms, "quote", "--item", "cloud-user", "--quantity", "5", "--price", "23 EUR",
               "--once", "1800 EUR", "--as-of", "2026-11-01")
    )  # fmt: skip
    assert out[0] == (
        "Quote: 5 x cloud-user at 23.00 EUR a month, 1800.00 EUR once, as of 2026-11-01 (USD)"
    )
    assert out[4:11] == [
        "monthly       124.20        81.25    42.95      34.6",
        "once         1944.00         0.00  1944.00     100.0",
        "-----------  -------  -----------  -------  --------",
        "first month  2068.20        81.25  1986.95      96.1",
        "note: sold: 5 x 23.00 EUR = 115.00 EUR at 1.08 USD on 2026-11-01",
        "note: once: 1800.00 EUR = 1944.00 USD",
        "note: OneBox cost: 5 x 25.00 USD list x 65% (the tier of 1 active box(es) in 2026-11,"
        " this one included)",
    ]


def test_the_credit_an_advance_invoice_applies_is_its_own_entry_dated_the_first(
    terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`invoice` applies the customer's credit as ``invoice/<month>/<customer>/credit`` dated
    the 1st (it wrote ``close/<month>/<customer>/credit`` dated the month's last day, and the
    close of the month then refused: its file already held a generated entry of the close)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-20")
    advance_contract(terms, "2026-12-01")
    assert succeeded(invoke(terms, "receive", "acme", "40 USD", "--date", "2026-11-20")) == [
        "received 40.00 USD from acme: 40.00 USD held as credit"
    ]
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-01")
    succeeded(invoke(terms, "close", "2026-11"))
    # December: 5 x 25.00 = 125.00 in advance, 40.00 of it paid by the credit
    assert succeeded(invoke(terms, "invoice", "2026-12")) == [
        "issued inv-2026-12-01-acme: 125.00 USD dated 2026-12-01",
        "written to ledger/journal/2026-12.beancount",
    ]
    applied = by_id(load_entries(terms), "invoice/2026-12/acme/credit")
    assert str(applied.date) == "2026-12-01"
    assert amounts(applied) == [
        ("Liabilities:Customer-Credit:Acme", D("40.00")),
        ("Assets:Receivable:Acme", D("-40.00")),
    ]
    assert [p.meta.get("credit") for p in applied.postings] == ["receive/2026-11-20/acme/1", None]
    assert applied.meta["invoice"] == "inv-2026-12-01-acme"
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-01")
    out = succeeded(invoke(terms, "close", "2026-12"))
    assert out[-1] == "  written to ledger/journal/2026-12.beancount"
    owed = succeeded(
        invoke(terms, "report", "receivables", "--as-of", "2026-12-31", "--format", "csv")
    )
    assert owed[1] == "acme,inv-2026-12-01-acme,2026-12-01,2026-12-31,USD,85.00,0,current"
    assert load_errors(terms) == []
    assert succeeded(invoke(terms, "verify"))[-1].endswith(" 0 finding(s), no drift")


def test_credit_recorded_after_the_advance_invoices_is_not_drift(
    terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """February is invoiced ahead (--force) in January; a receipt beyond what is open, dated
    in January, is recorded after. February's invoices applied the credit open when they were
    issued (none): issuing again, the close and verify take them as written (they refused:
    "the month's advance invoices no longer match the contracts (first difference: ...credit)",
    with verify showing no drift), and March's invoices apply the credit."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-01")
    advance_contract(terms, "2026-01-01")
    succeeded(invoke(terms, "invoice", "2026-01"))
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-20")
    assert succeeded(invoke(terms, "invoice", "2026-02", "--force")) == [
        "issued inv-2026-02-01-acme: 125.00 USD dated 2026-02-01",
        "written to ledger/journal/2026-02.beancount",
    ]
    assert succeeded(invoke(terms, "receive", "acme", "300 USD", "--date", "2026-01-20")) == [
        "received 300.00 USD from acme: 125.00 USD to inv-2026-01-01-acme, 175.00 USD held as credit"
    ]
    assert succeeded(invoke(terms, "invoice", "2026-02", "--force")) == [
        "2026-02 already invoiced, nothing changed"
    ]
    monkeypatch.setenv("ONEBOX_TODAY", "2026-03-01")
    succeeded(invoke(terms, "close", "2026-01"))
    succeeded(invoke(terms, "close", "2026-02"))
    assert succeeded(invoke(terms, "invoice", "2026-02")) == [
        "2026-02 already invoiced, nothing changed"
    ]
    succeeded(invoke(terms, "invoice", "2026-03"))
    entries = load_entries(terms)
    # February's close sets the credit against February's invoice, still open (issue 21),
    # and March's invoice takes the 50.00 left
    assert [e.meta["id"] for e in entries if "/credit" in str(e.meta.get("id", ""))] == [
        "close/2026-02/acme/credit/inv-2026-02-01-acme",
        "invoice/2026-03/acme/credit",
    ]
    assert amounts(by_id(entries, "close/2026-02/acme/credit/inv-2026-02-01-acme")) == [
        ("Liabilities:Customer-Credit:Acme", D("125.00")),
        ("Assets:Receivable:Acme", D("-125.00")),
    ]
    assert amounts(by_id(entries, "invoice/2026-03/acme/credit")) == [
        ("Liabilities:Customer-Credit:Acme", D("50.00")),
        ("Assets:Receivable:Acme", D("-50.00")),
    ]
    owed = succeeded(
        invoke(terms, "report", "receivables", "--as-of", "2026-03-01", "--format", "csv")
    )
    assert owed[1:2] == ["acme,inv-2026-03-01-acme,2026-03-01,2026-03-31,USD,75.00,0,current"]
    assert load_errors(terms) == []
    assert succeeded(invoke(terms, "verify"))[-1].endswith(" 0 finding(s), no drift")


def test_an_advance_invoice_applies_no_credit_a_later_refund_already_paid_back(
    terms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credit of 100.00 open on the 1st, 60.00 of it refunded on the 5th, the month invoiced on
    the 10th: the invoice applies the 40.00 left (it applied 100.00, using 60.00 twice and
    leaving the credit at +60.00, a debt of the partner's to nobody)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-20")
    advance_contract(terms, "2026-02-01")
    succeeded(invoke(terms, "receive", "acme", "100 USD", "--date", "2026-01-20"))
    monkeypatch.setenv("ONEBOX_TODAY", "2026-02-05")
    succeeded(invoke(terms, "close", "2026-01"))
    assert succeeded(invoke(terms, "refund", "acme", "60 USD", "--date", "2026-02-05")) == [
        "refunded 60.00 USD to acme: 60.00 USD to receive/2026-01-20/acme/1"
    ]
    monkeypatch.setenv("ONEBOX_TODAY", "2026-02-10")
    succeeded(invoke(terms, "invoice", "2026-02"))
    entries = load_entries(terms)
    assert amounts(by_id(entries, "invoice/2026-02/acme/credit")) == [
        ("Liabilities:Customer-Credit:Acme", D("40.00")),
        ("Assets:Receivable:Acme", D("-40.00")),
    ]
    balances = {}
    for entry in entries:
        for post in getattr(entry, "postings", ()):
            balances[post.account] = balances.get(post.account, D("0")) + post.units.number
    assert balances["Liabilities:Customer-Credit:Acme"] == D("0.00")
    assert balances["Assets:Receivable:Acme"] == D("85.00")
    monkeypatch.setenv("ONEBOX_TODAY", "2026-03-01")
    succeeded(invoke(terms, "close", "2026-02"))
    assert load_errors(terms) == []
    assert succeeded(invoke(terms, "verify"))[-1].endswith(" 0 finding(s), no drift")


def test_the_close_counts_all_it_applies_of_one_credit_against_what_is_left(
    terms: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused,
    snapshot,  # type: ignore[no-untyped-def]
) -> None:
    """Credit of 100.00; February's close issues the advance invoice (30.00, paid by the
    credit) and its own arrears invoice (50.00, paid by the 70.00 left on February 28); a
    refund of 40.00 dated in March, recorded before the close, left 60.00: 80.00 would be used.
    Each part alone fitted in the 60.00, so the close wrote both (the credit at +20.00)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-20")
    for cid, price, timing in (
        ("acme-cloud", "30 USD", "advance"),
        ("acme-hours", "50 USD", "arrears"),
    ):
        succeeded(
            invoke(terms, "contract", "add", cid, "--customer", "acme", "--stream", "services",
                   "--price", price, "--quantity", "1", "--start", "2026-02-01", "--timing",
                   timing)
        )  # fmt: skip
    succeeded(invoke(terms, "receive", "acme", "100 USD", "--date", "2026-01-20"))
    monkeypatch.setenv("ONEBOX_TODAY", "2026-03-03")
    succeeded(invoke(terms, "close", "2026-01"))
    succeeded(invoke(terms, "refund", "acme", "40 USD", "--date", "2026-03-03"))
    before = snapshot(terms.parent)
    assert refused(invoke(terms, "close", "2026-02"), 1) == (
        "cannot close 2026-02: receive/2026-01-20/acme/1 was partly used by an entry dated after"
        " 2026-02-28; record that after the close (remove it, close, record it)"
    )
    assert snapshot(terms.parent) == before


def test_an_advance_contract_cannot_start_in_a_month_already_invoiced(
    terms: Path,
    monkeypatch: pytest.MonkeyPatch,
    refused,
    snapshot,  # type: ignore[no-untyped-def]
) -> None:
    """November's advance invoices are issued; a new advance contract from November 15 would
    be billed on them. It was accepted, and the close of November then refused the month ("the
    month's advance invoices no longer match the contracts (first difference:
    invoice/2026-11/acme-extra/advance)"), with nothing the partner could do about it."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-11-01")
    advance_contract(terms, "2026-11-01")
    succeeded(invoke(terms, "invoice", "2026-11"))
    before = snapshot(terms.parent)
    extra = ("contract", "add", "acme-extra", "--customer", "acme", "--stream", "cloud",
             "--price", "25 USD", "--item", "cloud-user")  # fmt: skip
    assert refused(invoke(terms, *extra, "--start", "2026-11-15", "--timing", "advance"), 1) == (
        "contract 'acme-extra' would be invoiced in advance from 2026-11-15, but the advance"
        " invoices of 2026-11 are issued (2026-11-01); start it on 2026-12-01 or later, or bill"
        " it in arrears"
    )
    assert snapshot(terms.parent) == before
    assert succeeded(invoke(terms, *extra, "--start", "2026-11-15")) == [
        "contract acme-extra: acme, cloud, 1 x 25.00 USD monthly from 2026-11-15"
    ]
    assert succeeded(
        invoke(terms, "contract", "add", "acme-next", "--customer", "acme", "--stream",
               "services", "--price", "10 USD", "--start", "2026-12-01", "--timing", "advance")
    ) == ["contract acme-next: acme, services, 1 x 10.00 USD monthly in advance from 2026-12-01"]  # fmt: skip
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-01")
    succeeded(invoke(terms, "close", "2026-11"))
    assert load_errors(terms) == []


def test_a_foreign_customers_advance_and_monthly_invoices_have_their_own_ids(
    fixed_today: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Berlin (EUR, USD books) has 100.00 EUR of services a month in advance and 40.00 EUR a
    month in arrears. EUR 1.10 from 2026-11-01, 1.08 from 2026-11-30, 1.12 from 2026-12-10.
    November's advance invoice is the invoice of the 1st (inv-2026-11-01-berlin: 100.00 EUR
    at 1.10 = 110.00 USD), the close's the month's (inv-2026-11-berlin: 40.00 EUR at 1.08 =
    43.20 USD): two invoices, each with one rate (one id carried both before, and open items
    read the first rate). One payment of 140.00 EUR on 2026-12-10 at 1.12 (156.80 USD)
    settles both: realized 100.00 x (1.12 - 1.10) + 40.00 x (1.12 - 1.08) = 2.00 + 1.60 =
    3.60 USD to Income:FX-Gains. November's end revalues the 140.00 EUR open, booked at
    153.20, at 1.08: 151.20, -2.00 to Income:FX-Unrealized, reversed on December 1."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-15")
    root = tmp_path / "books"
    main = root / "main.beancount"
    steps: list[tuple[str, ...]] = [
        ("init", str(root), "--start", "2026-11-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-11-01"),
        ("terms", "payment", "30", "--date", "2026-11-01"),
        ("price", "EUR", "1.10 USD", "--date", "2026-11-01"),
        ("price", "EUR", "1.08 USD", "--date", "2026-11-30"),
        ("price", "EUR", "1.12 USD", "--date", "2026-12-10"),
        ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-11-01"),
        ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR", "--date",
         "2026-11-01"),
        ("contract", "add", "berlin-adv", "--customer", "berlin", "--stream", "services",
         "--price", "100 EUR", "--start", "2026-11-01", "--timing", "advance"),
        ("contract", "add", "berlin-care", "--customer", "berlin", "--stream", "services",
         "--price", "40 EUR", "--start", "2026-11-01"),
    ]  # fmt: skip
    for step in steps:
        succeeded(invoke(main, *step))
    assert succeeded(invoke(main, "invoice", "2026-11")) == [
        "issued inv-2026-11-01-berlin: 100.00 EUR dated 2026-11-01",
        "written to ledger/journal/2026-11.beancount",
    ]
    succeeded(invoke(main, "close", "2026-11"))
    entries = load_entries(main)
    advance = by_id(entries, "invoice/2026-11/berlin-adv/advance")
    monthly = by_id(entries, "close/2026-11/berlin-care/invoice")
    assert (str(advance.date), advance.meta["invoice"]) == ("2026-11-01", "inv-2026-11-01-berlin")
    assert (str(monthly.date), monthly.meta["invoice"]) == ("2026-11-30", "inv-2026-11-berlin")
    assert [(p.units.number, p.price.number) for p in advance.postings[:1]] == [
        (D("100.00"), D("1.10"))
    ]
    assert [(p.units.number, p.price.number) for p in monthly.postings[:1]] == [
        (D("40.00"), D("1.08"))
    ]
    assert amounts(by_id(entries, "close/2026-11/fx/revalue")) == [
        ("Assets:FX-Revaluation:Receivable", D("-2.00")),
        ("Income:FX-Unrealized", D("2.00")),
    ]
    owed = succeeded(
        invoke(main, "report", "receivables", "--as-of", "2026-11-30", "--format", "csv")
    )
    assert [line.split(",")[1] for line in owed[1:3]] == [
        "inv-2026-11-01-berlin",
        "inv-2026-11-berlin",
    ]
    assert succeeded(invoke(main, "receive", "berlin", "140 EUR", "--date", "2026-12-10")) == [
        "received 140.00 EUR from berlin: 100.00 EUR to inv-2026-11-01-berlin, 40.00 EUR to"
        " inv-2026-11-berlin"
    ]
    entries = load_entries(main)
    receipt = [e for e in entries if str(e.meta.get("id", "")).startswith("receive/")]
    assert len(receipt) == 1
    assert [
        (p.account, p.units.number, p.price.number if p.price else None)
        for p in receipt[0].postings
    ] == [
        ("Assets:Wise:EUR", D("140.00"), D("1.12")),
        ("Assets:Receivable:Berlin", D("-100.00"), D("1.10")),
        ("Assets:Receivable:Berlin", D("-40.00"), D("1.08")),
        ("Income:FX-Gains", D("-3.60"), None),
    ]
    assert load_errors(main) == []
    assert succeeded(invoke(main, "verify"))[-1].endswith(" 0 finding(s), no drift")
