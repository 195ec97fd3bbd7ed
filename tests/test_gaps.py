"""The last accounting gaps (issue 21), each with hand-computed figures through the real
commands and loader: a grace period extended, ..."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run


def journal(main: Path, month: str) -> str:
    return (main.parent / "ledger" / "journal" / f"{month}.beancount").read_text()


def test_a_grace_period_is_extended_by_a_second_agreement(run: Run, ok, refused, closed_seed):
    """The 2026-11 bill (81.25) in grace until 2027-02-28, extended to 2027-04-30: both
    agreements in the books, the bill due on the later date."""
    ok(run(closed_seed, "onebox", "grace", "onebox-2026-11", "--until", "2027-02-28", "--date",
           "2026-12-10"))  # fmt: skip
    lines = ok(run(closed_seed, "onebox", "grace", "onebox-2026-11", "--until", "2027-04-30",
                   "--date", "2026-12-14"))  # fmt: skip
    assert lines == [
        "bill onebox-2026-11: 81.25 USD deferred until 2027-04-30 (extended from 2027-02-28)"
    ]
    text = journal(closed_seed, "2026-12")
    assert (
        '2026-12-14 * "OneBox" "Grace period for onebox-2026-11 until 2027-04-30, extending'
        ' 2027-02-28"\n'
        '  id: "grace/onebox-2026-11/2026-12-14"\n'
        '  bill: "onebox-2026-11"\n'
        "  until: 2027-04-30\n"
        "  Liabilities:OneBox:Grace         81.25 USD\n"
        "  Liabilities:OneBox:Grace        -81.25 USD\n"
    ) in text
    assert 'id: "grace/onebox-2026-11/2026-12-10"' in text
    payables = ok(run(closed_seed, "report", "payables", "--as-of", "2026-12-15", "--format",
                      "csv"))  # fmt: skip
    assert any(
        line.startswith("onebox-2026-11,") and ",2027-04-30,in grace" in line for line in payables
    ), payables
    not_later = run(closed_seed, "onebox", "grace", "onebox-2026-11", "--until", "2027-04-30",
                    "--date", "2026-12-15")  # fmt: skip
    assert refused(not_later, 2) == (
        "bill onebox-2026-11 is in grace until 2027-04-30; an extension must agree a later date"
        " than 2027-04-30"
    )


def test_quotes_tier_note_counts_each_contracts_real_days(run: Run, ok, new_ledger: Path):
    """Bob's 10 seats end on 2026-12-10 (10 of 31 days): a new box that moves every box from
    65% to 60% saves 10 x 25.00 x 10/31 x 65% = 52.42 less 48.39 = 4.03 on Bob in December,
    not the 12.50 a whole month would."""
    for step in [
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "rate", "2", "0.60", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("customer", "add", "bob", "--name", "Bob", "--date", "2026-11-01"),
        ("contract", "add", "bob-cloud", "--customer", "bob", "--stream", "cloud", "--price",
         "25 USD", "--quantity", "10", "--item", "cloud-user", "--start", "2026-11-01", "--end",
         "2026-12-10"),
    ]:  # fmt: skip
        ok(run(new_ledger, *step))
    lines = ok(run(new_ledger, "quote", "--item", "cloud-user", "--quantity", "5", "--price",
                   "25 USD", "--as-of", "2026-12-01"))  # fmt: skip
    assert lines[-1] == (
        "note: this box moves every box from 65% to 60% of list: the OneBox cost of your other"
        " boxes changes by -4.03 USD a month"
    )


def _ids(main: Path, part: str) -> list[str]:
    from tests.conftest import load_entries

    return [str(e.meta["id"]) for e in load_entries(main) if part in str(e.meta.get("id", ""))]


def test_the_close_sets_credit_against_older_open_invoices_first(run: Run, ok, seed_ledger):
    """500.00 paid ahead on 11-10 (credit), a 300.00 sale on 11-20 (open): the close of November
    sets 300.00 against the sale's invoice, the older, then 200.00 against its own 2,125.00."""
    ok(run(seed_ledger, "receive", "acme", "500 USD", "--date", "2026-11-10"))
    ok(run(seed_ledger, "sell", "acme", "300 USD", "--stream", "services", "--date",
           "2026-11-20", "--memo", "Training"))  # fmt: skip
    ok(run(seed_ledger, "close", "2026-11"))
    text = journal(seed_ledger, "2026-11")
    assert (
        '2026-11-30 * "Acme Realty" "Credit applied to inv-2026-11-20-acme"\n'
        '  id: "close/2026-11/acme/credit/inv-2026-11-20-acme"\n'
        '  customer: "acme"\n'
        '  period: "2026-11"\n'
        '  invoice: "inv-2026-11-20-acme"\n'
        "  Liabilities:Customer-Credit:Acme        300.00 USD\n"
        '    credit: "receive/2026-11-10/acme/1"\n'
        "  Assets:Receivable:Acme                 -300.00 USD\n"
        '    invoice: "inv-2026-11-20-acme"\n'
    ) in text
    owed = ok(run(seed_ledger, "report", "receivables", "--as-of", "2026-11-30", "--format",
                  "csv"))  # fmt: skip
    assert owed[1:3] == ["acme,inv-2026-11-acme,2026-11-30,2026-12-30,USD,1925.00,0,current", ""]
    assert ok(run(seed_ledger, "verify"))[-1].endswith("0 finding(s), no drift")


def test_apply_credit_sets_credit_against_open_invoices_now(run: Run, ok, refused, snapshot,
                                                            seed_ledger):  # fmt: skip
    before = snapshot(seed_ledger.parent)
    assert refused(run(seed_ledger, "apply-credit", "acme", "--date", "2026-11-21"), 1) == (
        "customer 'acme' holds no credit on 2026-11-21"
    )
    assert snapshot(seed_ledger.parent) == before
    ok(run(seed_ledger, "receive", "acme", "500 USD", "--date", "2026-11-10"))
    ok(run(seed_ledger, "sell", "acme", "300 USD", "--stream", "services", "--date",
           "2026-11-20", "--memo", "Training"))  # fmt: skip
    assert ok(run(seed_ledger, "apply-credit", "acme", "--date", "2026-11-21")) == [
        "credit of acme applied: 300.00 USD to inv-2026-11-20-acme"
    ]
    assert _ids(seed_ledger, "apply-credit/") == ["apply-credit/inv-2026-11-20-acme/2026-11-21/1"]
    assert refused(run(seed_ledger, "apply-credit", "acme", "--date", "2026-11-22"), 1) == (
        "customer 'acme' has no open invoice in the credit's currency (USD) issued by 2026-11-22"
    )


def test_a_credit_notes_excess_is_set_against_other_open_invoices(run: Run, ok, closed_seed):
    ok(run(closed_seed, "receive", "acme", "2125 USD", "--date", "2026-12-01"))
    ok(run(closed_seed, "sell", "acme", "300 USD", "--stream", "services", "--date",
           "2026-12-02", "--memo", "Training"))  # fmt: skip
    lines = ok(run(closed_seed, "credit-note", "inv-2026-11-acme", "100 USD", "--date",
                   "2026-12-03", "--memo", "Outage", "--stream", "cloud"))  # fmt: skip
    assert lines == [
        "credit note cn-2026-12-03-acme: 100.00 USD off inv-2026-11-acme (cloud), 100.00 USD held"
        " as credit, applied: 100.00 USD to inv-2026-12-02-acme"
    ]
    owed = ok(run(closed_seed, "report", "receivables", "--as-of", "2026-12-15", "--format",
                  "csv"))  # fmt: skip
    assert owed[1] == "acme,inv-2026-12-02-acme,2026-12-02,2027-01-01,USD,200.00,0,current"


def test_a_foreign_currency_contract_is_billed_in_advance(run: Run, ok, new_ledger: Path):
    """5 x 20.00 EUR in advance from November, 6 seats from 11-16; EUR at 1.10 on 11-01, 1.12
    on 11-30, 1.08 on 12-01. November's invoice: 100.00 EUR at 1.10 deferred; its close
    recognises what was served, 5 x 20 x 15/30 + 6 x 20 x 15/30 = 110.00 EUR, at the invoice's
    1.10 (121.00 USD), leaving 10.00 EUR owed for the month; December's invoice carries it at
    its own 1.08 (10.80 USD) and takes it out of Deferred-Revenue at the 1.10 it was recognised
    at: 0.20 USD realized, Deferred-Revenue at zero in both currencies."""
    from tests.conftest import load_entries

    for step in [
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("price", "EUR", "1.10 USD", "--date", "2026-11-01"),
        ("price", "EUR", "1.12 USD", "--date", "2026-11-30"),
        ("price", "EUR", "1.08 USD", "--date", "2026-12-01"),
        ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR", "--date",
         "2026-11-01"),
        ("contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud",
         "--price", "20 EUR", "--quantity", "5", "--start", "2026-11-01", "--item", "cloud-user",
         "--timing", "advance"),
        ("contract", "change", "berlin-cloud", "--date", "2026-11-16", "--quantity", "6"),
        ("close", "2026-11"),
        ("invoice", "2026-12"),
    ]:  # fmt: skip
        ok(run(new_ledger, *step))
    entries = {e.meta.get("id"): e for e in load_entries(new_ledger) if hasattr(e, "postings")}

    def shown(entry_id: str) -> list[str]:
        return [
            f"{p.account} {p.units.number} {p.units.currency}"
            + (f" @ {p.price.number}" if p.price else "")
            for p in entries[entry_id].postings
        ]

    assert shown("close/2026-11/berlin-cloud/recognise") == [
        "Liabilities:Deferred-Revenue:Berlin 110.00 EUR @ 1.10",
        "Income:Cloud -121.00 USD",
    ]
    assert shown("invoice/2026-12/berlin-cloud/adjust") == [
        "Assets:Receivable:Berlin 10.00 EUR @ 1.08",
        "Liabilities:Deferred-Revenue:Berlin -10.00 EUR @ 1.10",
        "Expenses:FX-Losses 0.20 USD",
    ]
    assert shown("invoice/2026-12/berlin-cloud/advance") == [
        "Assets:Receivable:Berlin 120.00 EUR @ 1.08",
        "Liabilities:Deferred-Revenue:Berlin -120.00 EUR @ 1.08",
    ]
    assert ok(run(new_ledger, "verify"))[-1].endswith("0 finding(s), no drift")


def test_a_foreign_annual_contract_changes_during_the_year(run: Run, ok, new_ledger: Path):
    """10 x 20.00 EUR a month billed yearly from January (2,400.00 EUR, invoiced at 1.10), 15
    seats from 07-01: the upgrade bills 5 x 20 x 12 x 184/365 = 604.93 EUR with July's close
    (at 1.05); July recognises a twelfth of the year (200.00 EUR at 1.10 = 220.00 USD) and the
    upgrade's 31 of 184 days (101.92 EUR at 1.05 = 107.02 USD), each at the rate of the invoice
    that carried it."""
    from tests.conftest import load_entries

    for step in [
        ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("price", "EUR", "1.10 USD", "--date", "2026-01-01"),
        ("price", "EUR", "1.05 USD", "--date", "2026-07-01"),
        ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR", "--date",
         "2026-01-01"),
        ("contract", "add", "berlin-year", "--customer", "berlin", "--stream", "cloud",
         "--price", "20 EUR", "--quantity", "10", "--start", "2026-01-01", "--item",
         "cloud-user", "--billing", "annual"),
        ("contract", "change", "berlin-year", "--date", "2026-07-01", "--quantity", "15"),
        *[("close", f"2026-{m:02d}") for m in range(1, 8)],
    ]:  # fmt: skip
        ok(run(new_ledger, *step))
    entries = {e.meta.get("id"): e for e in load_entries(new_ledger) if hasattr(e, "postings")}

    def shown(entry_id: str) -> list[str]:
        return [
            f"{p.account} {p.units.number} {p.units.currency}"
            + (f" @ {p.price.number}" if p.price else "")
            for p in entries[entry_id].postings
        ]

    assert shown("close/2026-07/berlin-year/change-2026-07-01") == [
        "Assets:Receivable:Berlin 604.93 EUR @ 1.05",
        "Liabilities:Deferred-Revenue:Berlin -604.93 EUR @ 1.05",
    ]
    assert shown("close/2026-07/berlin-year/recognise") == [
        "Liabilities:Deferred-Revenue:Berlin 200.00 EUR @ 1.10",
        "Liabilities:Deferred-Revenue:Berlin 101.92 EUR @ 1.05",
        "Income:Cloud -220.00 USD",
        "Income:Cloud -107.02 USD",
        "Equity:Rounding 0.0040 USD",  # 101.92 x 1.05 = 107.016, booked to the cent
    ]
    assert ok(run(new_ledger, "verify"))[-1].endswith("0 finding(s), no drift")


def test_bad_debt_is_a_cost_row_in_keep_and_the_close_summary(run: Run, ok, closed_seed):
    """November's 2,125.00 written off in December: December's close keeps 125.00 - 81.25 =
    43.75 of its cloud, and after the bad debt -2,081.25; keep over both months shows it as
    its own row: 2,250.00 sold, 162.50 cost, 2,087.50 kept, -2,125.00 bad debt, -37.50 left."""
    ok(run(closed_seed, "write-off", "inv-2026-11-acme", "--date", "2026-12-12"))
    lines = ok(run(closed_seed, "close", "2026-12", "--force"))
    assert "  bad debt written off in the month: 2125.00 USD" in lines
    assert "  kept after them: -2081.25 USD" in lines
    keep = ok(run(closed_seed, "report", "keep", "--format", "csv"))
    assert keep[-3:] == [
        "total,2250.00,162.50,2087.50,92.8",
        "bad debt,,,-2125.00,",
        "kept after bad debt,2250.00,162.50,-37.50,-1.7",
    ]
