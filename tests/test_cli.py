"""Every command through the CLI on tmp ledgers: exit code, exact output, a valid ledger after.

Amounts are those of the README seed (5 cloud users x 25 USD at 65% of list, a
2,000 USD implementation)::

    cloud     sold 125.00   OneBox cost 81.25   kept 43.75 (35.0%)
    services  sold 2000.00  OneBox cost 0.00    kept 2000.00 (100%)
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data

D = Decimal


def journal(main: Path, month: str) -> str:
    return (main.parent / "ledger" / "journal" / f"{month}.beancount").read_text(encoding="utf-8")


def by_id(entries: list[Any], entry_id: str) -> Any:
    found = [e for e in entries if e.meta.get("id") == entry_id]
    assert len(found) == 1, entry_id
    return found[0]


def postings(entry: Any) -> list[tuple[str, Decimal, str, str | None]]:
    """(account, number, currency, invoice-or-bill of the posting) of a transaction."""
    return [
        (
            p.account,
            p.units.number,
            p.units.currency,
            (p.meta or {}).get("invoice") or (p.meta or {}).get("bill"),
        )
        for p in entry.postings
    ]


def balances(entries: list[Any]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                out[p.account] += p.units.number
    return dict(out)


def money_tokens(line: str) -> list[str]:
    """The amounts with cents printed on a line, in order."""
    return [t for t in line.split() if re.fullmatch(r"-?[0-9]+\.[0-9]{2}", t)]


def parse_json(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


# ---------------------------------------------------------------- init


@pytest.mark.parametrize(
    ("directory", "cd"), [("books", "books"), ("my books", "'my books'")], ids=["plain", "space"]
)
def test_init_hints_the_walkthroughs_next_step(
    tmp_path, monkeypatch, run, ok, directory: str, cd: str
):
    """The README: `init books --start 2026-01-01 && cd books`, then `terms item cloud-user`."""
    monkeypatch.chdir(tmp_path)
    main = (tmp_path / directory / "main.beancount").resolve()
    out = ok(run(main, "init", directory, "--start", "2026-01-01"))
    assert out == [
        f"new ledger in {main}; next: cd {cd} &&"
        ' onebox-ledger terms item cloud-user "25 USD" --date 2026-01-01'
    ]
    monkeypatch.chdir(tmp_path / directory)
    ok(run(Path("main.beancount"), "terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"))


def test_init_writes_a_valid_ledger_with_the_chart_of_accounts(
    tmp_path, run, ok, bean_check, entries
):
    root = (tmp_path / "books").resolve()
    main = root / "main.beancount"

    out = ok(run(main, "init", str(root), "--start", "2026-01-01"))

    assert out == [
        f"new ledger in {main}; next: cd {root} &&"
        ' onebox-ledger terms item cloud-user "25 USD" --date 2026-01-01'
    ]
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*.beancount")) == [
        "ledger/accounts.beancount",
        "ledger/customers.beancount",
        "ledger/journal/opening.beancount",
        "ledger/prices.beancount",
        "ledger/terms.beancount",
        "main.beancount",
    ]
    assert bean_check(main) == []
    # the bank in the operating currency; every other account opens with its first posting
    assert (
        (root / "ledger" / "accounts.beancount")
        .read_text(encoding="utf-8")
        .endswith("2026-01-01 commodity USD\n\n2026-01-01 open Assets:Bank USD\n  bank: TRUE\n")
    )
    opens = {e.account: e.date for e in entries(main) if isinstance(e, data.Open)}
    assert opens == {"Assets:Bank": datetime.date(2026, 1, 1)}
    main_text = main.read_text(encoding="utf-8")
    assert 'option "operating_currency" "USD"\n' in main_text
    assert 'plugin "onebox_ledger.plugins.seal"\n' in main_text
    assert 'include "ledger/journal/*.beancount"\n' in main_text


def test_close_refuses_before_terms_exist(new_ledger, run, refused, snapshot, bean_check):
    before = snapshot(new_ledger.parent)

    message = refused(run(new_ledger, "close", "2026-11"), 1)

    assert message == (
        "no OneBox terms yet: set a cost rate and payment terms first"
        " (onebox-ledger terms rate 1 0.65; onebox-ledger terms payment 30)"
    )
    assert snapshot(new_ledger.parent) == before
    assert bean_check(new_ledger) == []


def test_init_refuses_a_directory_that_holds_a_ledger(new_ledger, run, refused, snapshot):
    before = snapshot(new_ledger.parent)

    message = refused(run(new_ledger, "init", str(new_ledger.parent)), 1)

    assert message == f"{new_ledger} already exists; choose an empty directory"
    assert snapshot(new_ledger.parent) == before


# ---------------------------------------------------------------- terms


def test_terms_item_rate_payment_and_show(new_ledger, run, ok, bean_check):
    main = new_ledger
    steps = [
        (
            ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
            "item cloud-user: 25.00 USD per unit-month from 2026-01-01",
        ),
        (
            ("terms", "item", "data-records", "1.99 USD", "--per", "1000", "--date", "2026-01-01"),
            "item data-records: 1.99 USD per block of 1000 units from 2026-01-01",
        ),
        (
            ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
            "rate from 1 box(es): 0.65 of list from 2026-01-01",
        ),
        (
            ("terms", "rate", "10", "0.60", "--date", "2026-06-01"),
            "rate from 10 box(es): 0.60 of list from 2026-06-01",
        ),
        (
            ("terms", "payment", "30", "--date", "2026-01-01"),
            "OneBox bills due 30 days after month end from 2026-01-01",
        ),
    ]
    for args, expected in steps:
        assert ok(run(main, *args)) == [expected]
        assert bean_check(main) == []

    terms = (main.parent / "ledger" / "terms.beancount").read_text(encoding="utf-8")
    assert terms.endswith(
        '2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD\n'
        "\n"
        '2026-01-01 custom "onebox-item" "data-records" 1.99 USD\n'
        "  per: 1000\n"
        "\n"
        '2026-01-01 custom "onebox-rate" 1 0.65\n'
        "\n"
        '2026-06-01 custom "onebox-rate" 10 0.60\n'
        "\n"
        '2026-01-01 custom "onebox-payment" 30\n'
    )
    assert ok(run(main, "terms", "show", "--as-of", "2026-05-31")) == [
        "OneBox terms as of 2026-05-31",
        "  item cloud-user: 25.00 USD per unit-month, since 2026-01-01",
        "  item data-records: 1.99 USD per 1000 units (metered), since 2026-01-01",
        "  rate from 1 box(es): 0.65",
        "  payment: 30 days after month end",
    ]
    assert ok(run(main, "terms", "show")) == [
        "OneBox terms as of 2026-12-15",
        "  item cloud-user: 25.00 USD per unit-month, since 2026-01-01",
        "  item data-records: 1.99 USD per 1000 units (metered), since 2026-01-01",
        "  rate from 1 box(es): 0.65",
        "  rate from 10 box(es): 0.60",
        "  payment: 30 days after month end",
    ]


def test_terms_show_before_any_terms(new_ledger, run, ok):
    assert ok(run(new_ledger, "terms", "show")) == [
        "OneBox terms as of 2026-12-15",
        "  payment: not set",
    ]


# ---------------------------------------------------------------- customers


def test_customer_add_declares_its_currency_and_list_shows_it(
    seed_ledger, run, ok, bean_check, entries
):
    main = seed_ledger
    out = ok(
        run(
            main, "customer", "add", "berlin-immo", "--name", "Berlin Immo GmbH",
            "--currency", "EUR", "--payment", "14", "--date", "2026-12-01",
        )
    )  # fmt: skip

    assert out == ["customer berlin-immo: Berlin Immo GmbH, billed in EUR"]
    assert bean_check(main) == []
    customers = (main.parent / "ledger" / "customers.beancount").read_text(encoding="utf-8")
    assert customers.endswith(
        '2026-12-01 custom "onebox-customer" "berlin-immo"\n'
        '  name: "Berlin Immo GmbH"\n'
        '  currency: "EUR"\n'
        "  payment: 14\n"
    )
    # EUR is declared (pedantic Beancount wants it); its accounts open with their first posting
    accounts = (main.parent / "ledger" / "accounts.beancount").read_text(encoding="utf-8")
    assert accounts.endswith("\n2026-12-01 commodity EUR\n")
    opened = {e.account for e in entries(main) if isinstance(e, data.Open)}
    assert "Assets:Receivable:Berlin-Immo" not in opened
    assert ok(run(main, "customer", "list")) == [
        "acme  Acme Realty  USD  since 2026-11-01  contracts: acme-cloud, acme-impl",
        "berlin-immo  Berlin Immo GmbH  EUR  since 2026-12-01  contracts: -",
    ]


def test_customer_name_with_quotes_is_written_escaped_and_reads_back(
    seed_ledger, run, ok, bean_check, entries
):
    name = 'O"Brien \\ Sons "Realty"'
    assert ok(run(seed_ledger, "customer", "add", "obrien", "--name", name, "--date", "2026-12-01"))
    assert bean_check(seed_ledger) == []
    [directive] = [
        e
        for e in entries(seed_ledger)
        if isinstance(e, data.Custom)
        and e.type == "onebox-customer"
        and e.values[0].value == "obrien"
    ]
    assert directive.meta["name"] == name


# ---------------------------------------------------------------- contracts


def test_contract_add_change_end_and_list(seed_ledger, run, ok, bean_check):
    main = seed_ledger
    assert ok(run(main, "contract", "list", "--as-of", "2026-11-15")) == [
        "Contracts as of 2026-11-15",
        "",
        "contract    customer  stream    billing  quantity  price        item        from        to          status",
        "----------  --------  --------  -------  --------  -----------  ----------  ----------  ----------  ------",
        "acme-cloud  acme      cloud     monthly  5         25.00 USD    cloud-user  2026-11-01              active",
        "acme-impl   acme      services  once     1         2000.00 USD  -           2026-11-01  2026-11-30  active",
    ]
    assert ok(run(main, "contract", "list", "--as-of", "2026-10-31")) == [
        "Contracts as of 2026-10-31",
        "",
        "contract  customer  stream  billing  quantity  price  item  from  to  status",
        "--------  --------  ------  -------  --------  -----  ----  ----  --  ------",
    ]

    steps = [
        (
            ("contract", "change", "acme-cloud", "--date", "2026-12-16", "--quantity", "8"),
            "contract acme-cloud changed from 2026-12-16",
        ),
        (
            ("contract", "change", "acme-cloud", "--date", "2026-12-20", "--price", "27 USD"),
            "contract acme-cloud changed from 2026-12-20",
        ),
        (
            ("contract", "end", "acme-cloud", "--date", "2026-12-31"),
            "contract acme-cloud ends on 2026-12-31 (last day of service)",
        ),
    ]
    for args, expected in steps:
        assert ok(run(main, *args)) == [expected]
        assert bean_check(main) == []

    customers = (main.parent / "ledger" / "customers.beancount").read_text(encoding="utf-8")
    assert customers.endswith(
        '2026-12-16 custom "onebox-change" "acme-cloud"\n'
        "  quantity: 8\n"
        "\n"
        '2026-12-20 custom "onebox-change" "acme-cloud"\n'
        "  price: 27.00 USD\n"
        "\n"
        '2026-12-31 custom "onebox-end" "acme-cloud"\n'
    )
    cloud = "acme-cloud  acme      cloud     monthly  {}  cloud-user  2026-11-01  2026-12-31  {}"
    impl = "acme-impl   acme      services  once     1         2000.00 USD  -           2026-11-01  2026-11-30  ended"
    for as_of, terms, status in [
        ("2026-12-15", "5         25.00 USD  ", "active"),
        ("2026-12-16", "8         25.00 USD  ", "active"),
        ("2026-12-31", "8         27.00 USD  ", "active"),
        ("2027-01-01", "8         27.00 USD  ", "ended"),
    ]:
        assert ok(run(main, "contract", "list", "--as-of", as_of))[4:] == [
            cloud.format(terms, status),
            impl,
        ], as_of


def test_contract_add_writes_the_directive(seed_ledger, run, ok, bean_check):
    out = ok(
        run(
            seed_ledger, "contract", "add", "acme-hours", "--customer", "acme",
            "--stream", "services", "--price", "90 USD", "--quantity", "12",
            "--start", "2026-12-01", "--end", "2027-05-31",
        )
    )  # fmt: skip
    assert out == ["contract acme-hours: acme, services, 12 x 90.00 USD monthly from 2026-12-01"]
    customers = (seed_ledger.parent / "ledger" / "customers.beancount").read_text("utf-8")
    assert customers.endswith(
        '2026-12-01 custom "onebox-contract" "acme-hours"\n'
        '  customer: "acme"\n'
        '  stream: "services"\n'
        '  billing: "monthly"\n'
        "  price: 90.00 USD\n"
        "  quantity: 12\n"
        "  end: 2027-05-31\n"
    )
    assert bean_check(seed_ledger) == []


# ---------------------------------------------------------------- usage + metered close


def test_usage_and_close_of_a_metered_contract(new_ledger, run, ok, refused, bean_check, entries):
    main = new_ledger
    for args in [
        ("terms", "item", "data-records", "1.99 USD", "--per", "1000", "--date", "2026-01-01"),
        ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
        ("terms", "payment", "30", "--date", "2026-01-01"),
        ("customer", "add", "acme", "--name", "Acme Realty", "--date", "2026-11-01"),
        (
            "contract", "add", "acme-data", "--customer", "acme", "--stream", "data",
            "--price", "3 USD", "--start", "2026-11-01", "--billing", "metered",
            "--item", "data-records",
        ),
    ]:  # fmt: skip
        ok(run(main, *args))

    assert ok(run(main, "usage", "acme-data", "1500", "--month", "2026-11")) == [
        "usage of acme-data for 2026-11: 1500 units"
    ]
    assert bean_check(main) == []
    assert ok(run(main, "usage", "acme-data", "1500", "--month", "2026-11")) == [
        "usage of acme-data for 2026-11 already recorded"
    ]
    assert (
        refused(run(main, "usage", "acme-data", "1499", "--month", "2026-11"), 1)
        == "usage of acme-data for 2026-11 is already recorded as 1500"
    )

    out = ok(run(main, "close", "2026-11"))

    # 1500 records = round_half_up(1.5) = 2 blocks; 2 x 3.00 sold, 2 x 1.99 x 0.65 = 2.587 -> 2.59
    assert out[0] == "closed 2026-11: 1 active box(es), cost rate 0.65"
    [data_row] = [line for line in out if line.split()[:1] == ["data"]]
    assert money_tokens(data_row) == ["6.00", "6.00", "2.59", "3.41"]
    assert "  OneBox bill onebox-2026-11: 2.59 USD, due 2026-12-30" in out
    assert out[-1] == "  written to ledger/journal/2026-11.beancount"
    assert bean_check(main) == []
    loaded = entries(main)
    assert postings(by_id(loaded, "close/2026-11/acme-data/invoice")) == [
        ("Assets:Receivable:Acme", D("6.00"), "USD", None),
        ("Income:Data", D("-6.00"), "USD", None),
    ]
    assert postings(by_id(loaded, "close/2026-11/acme-data/cost")) == [
        ("Expenses:OneBox:Data", D("2.59"), "USD", None),
        ("Liabilities:OneBox:Payable", D("-2.59"), "USD", None),
    ]
    assert '2026-11-30 custom "onebox-usage" "acme-data" 1500\n' in journal(main, "2026-11")


# ---------------------------------------------------------------- close


def assert_seed_summary(out: list[str], verb: str) -> None:
    assert out[0] == f"{verb} 2026-11: 1 active box(es), cost rate 0.65"
    rows = {line.split()[0]: line for line in out[2:] if line.startswith("  ") and line.split()}
    assert money_tokens(rows["cloud"]) == ["125.00", "125.00", "81.25", "43.75"]
    assert money_tokens(rows["services"]) == ["2000.00", "2000.00", "0.00", "2000.00"]
    assert "  OneBox bill onebox-2026-11: 81.25 USD, due 2026-12-30" in out


def test_close_the_seed(seed_ledger, seed_close, run, ok, bean_check, entries):
    out = ok(run(seed_ledger, "close", "2026-11"))

    assert_seed_summary(out, "closed")
    assert out[-1] == "  written to ledger/journal/2026-11.beancount"
    assert bean_check(seed_ledger) == []
    text = journal(seed_ledger, "2026-11")
    assert text.startswith(
        "; 2026-11: written by onebox-ledger. The close seals this month; edit nothing by hand.\n"
        "\n" + seed_close + "\n" + '2026-11-30 custom "onebox-close" "2026-11" "sha256:'
    )
    assert text.endswith('"\n  boxes: 1\n  rate: 0.65\n  previous: "none"\n')
    loaded = entries(seed_ledger)
    assert postings(by_id(loaded, "close/2026-11/acme-cloud/invoice")) == [
        ("Assets:Receivable:Acme", D("125.00"), "USD", None),
        ("Income:Cloud", D("-125.00"), "USD", None),
    ]
    assert postings(by_id(loaded, "close/2026-11/acme-cloud/cost")) == [
        ("Expenses:OneBox:Cloud", D("81.25"), "USD", None),
        ("Liabilities:OneBox:Payable", D("-81.25"), "USD", None),
    ]
    assert balances(loaded) == {
        "Assets:Receivable:Acme": D("2125.00"),
        "Income:Cloud": D("-125.00"),
        "Income:Services": D("-2000.00"),
        "Expenses:OneBox:Cloud": D("81.25"),
        "Liabilities:OneBox:Payable": D("-81.25"),
    }


def test_close_again_changes_nothing(closed_seed, run, ok, snapshot, bean_check):
    before = snapshot(closed_seed.parent)

    out = ok(run(closed_seed, "close", "2026-11"))

    assert out[0] == "2026-11 already closed, nothing changed"
    assert not any(line.startswith("  written to") for line in out)
    assert snapshot(closed_seed.parent) == before
    assert bean_check(closed_seed) == []


def test_close_dry_run_writes_nothing_and_shows_what_close_writes(
    seed_ledger, seed_close, run, ok, snapshot, bean_check
):
    before = snapshot(seed_ledger.parent)

    dry = run(seed_ledger, "close", "2026-11", "--dry-run")

    out = ok(dry)
    assert snapshot(seed_ledger.parent) == before
    assert not (seed_ledger.parent / "ledger" / "journal" / "2026-11.beancount").exists()
    shown = dry.stdout.partition("\n\nwould close ")[0]
    assert shown.startswith(seed_close + "\n" + '2026-11-30 custom "onebox-close" "2026-11"')
    [start] = [i for i, line in enumerate(out) if line.startswith("would close ")]
    assert_seed_summary(out[start:], "would close")
    assert not any(line.startswith("  written to") for line in out)

    ok(run(seed_ledger, "close", "2026-11"))
    written = journal(seed_ledger, "2026-11").split("\n\n", 1)[1]
    assert written.rstrip("\n") == shown.rstrip("\n")
    assert bean_check(seed_ledger) == []


def test_close_the_next_month_bills_only_the_recurring_contract(
    closed_seed, run, ok, entries, monkeypatch
):
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-15")

    out = ok(run(closed_seed, "close", "2026-12"))

    assert out[0] == "closed 2026-12: 1 active box(es), cost rate 0.65"
    assert "  OneBox bill onebox-2026-12: 81.25 USD, due 2027-01-30" in out
    assert not any(line.split()[:1] == ["services"] for line in out)
    loaded = entries(closed_seed)
    assert postings(by_id(loaded, "close/2026-12/acme-cloud/invoice")) == [
        ("Assets:Receivable:Acme", D("125.00"), "USD", None),
        ("Income:Cloud", D("-125.00"), "USD", None),
    ]
    assert not [e for e in loaded if e.meta.get("id") == "close/2026-12/acme-impl/invoice"]


# ---------------------------------------------------------------- sell, receive


def test_sell_writes_a_one_time_invoice(closed_seed, run, ok, bean_check):
    out = ok(
        run(
            closed_seed, "sell", "acme", "300 USD", "--date", "2026-12-05",
            "--memo", "Training", "--ref", "INV-104",
        )
    )  # fmt: skip

    assert out == ["invoice inv-2026-12-05-acme: 300.00 USD services to acme"]
    assert bean_check(closed_seed) == []
    assert journal(closed_seed, "2026-12") == (
        "; 2026-12: written by onebox-ledger. The close seals this month; edit nothing by hand.\n"
        "\n"
        '2026-12-05 * "Acme Realty" "Training"\n'
        '  id: "sell/INV-104"\n'
        '  customer: "acme"\n'
        '  invoice: "inv-2026-12-05-acme"\n'
        "  amount: 300.00 USD\n"
        '  ref: "INV-104"\n'
        "  due: 2027-01-04\n"
        "  Assets:Receivable:Acme        300.00 USD\n"
        "  Income:Services              -300.00 USD\n"
    )


def test_sell_twice_on_one_day_gives_two_invoices(closed_seed, run, ok, bean_check, entries):
    ok(run(closed_seed, "sell", "acme", "10 USD", "--date", "2026-12-05", "--memo", "A"))
    out = ok(
        run(closed_seed, "sell", "acme", "20 USD", "--date", "2026-12-05", "--memo", "B",
            "--stream", "cloud", "--item", "cloud-user", "--quantity", "1")
    )  # fmt: skip
    assert out == ["invoice inv-2026-12-05-acme.2: 20.00 USD cloud to acme"]
    assert bean_check(closed_seed) == []
    second = by_id(entries(closed_seed), "sell/2026-12-05/acme/2")
    assert postings(second) == [
        ("Assets:Receivable:Acme", D("20.00"), "USD", None),
        ("Income:Cloud", D("-20.00"), "USD", None),
    ]
    assert second.meta["invoice"] == "inv-2026-12-05-acme.2"
    # a cloud sale books what it consumes: 1 x 25.00 x 65% = 16.25 on December's bill
    cost = by_id(entries(closed_seed), "sell/2026-12-05/acme/2/cost")
    assert postings(cost) == [
        ("Expenses:OneBox:Cloud", D("16.25"), "USD", None),
        ("Liabilities:OneBox:Payable", D("-16.25"), "USD", None),
    ]
    assert (cost.meta["bill"], str(cost.meta["due"])) == ("onebox-2026-12", "2027-01-30")


def test_receive_applies_to_the_oldest_open_invoices_first(closed_seed, run, ok, bean_check):
    main = closed_seed
    ok(run(main, "sell", "acme", "300 USD", "--date", "2026-12-05", "--memo", "Training"))

    out = ok(run(main, "receive", "acme", "2200 USD", "--date", "2026-12-10"))

    assert out == [
        "received 2200.00 USD from acme: 2125.00 USD to inv-2026-11-acme, 75.00 USD to inv-2026-12-05-acme"
    ]
    assert bean_check(main) == []
    assert journal(main, "2026-12").endswith(
        '2026-12-10 * "Acme Realty" "Payment received"\n'
        '  id: "receive/2026-12-10/acme/1"\n'
        '  customer: "acme"\n'
        "  amount: 2200.00 USD\n"
        "  Assets:Bank                  2200.00 USD\n"
        "  Assets:Receivable:Acme      -2125.00 USD\n"
        '    invoice: "inv-2026-11-acme"\n'
        "  Assets:Receivable:Acme        -75.00 USD\n"
        '    invoice: "inv-2026-12-05-acme"\n'
    )


def test_receive_with_invoice_applies_to_that_invoice(closed_seed, run, ok, bean_check, entries):
    main = closed_seed
    ok(run(main, "sell", "acme", "300 USD", "--date", "2026-12-05", "--memo", "Training"))

    out = ok(
        run(main, "receive", "acme", "100 USD", "--date", "2026-12-11",
            "--invoice", "inv-2026-12-05-acme", "--ref", "B1")
    )  # fmt: skip

    assert out == ["received 100.00 USD from acme: 100.00 USD to inv-2026-12-05-acme"]
    assert bean_check(main) == []
    assert journal(main, "2026-12").endswith(
        '2026-12-11 * "Acme Realty" "Payment received"\n'
        '  id: "receive/B1"\n'
        '  customer: "acme"\n'
        "  amount: 100.00 USD\n"
        '  ref: "B1"\n'
        "  Assets:Bank                   100.00 USD\n"
        "  Assets:Receivable:Acme       -100.00 USD\n"
        '    invoice: "inv-2026-12-05-acme"\n'
    )
    assert balances(entries(main))["Assets:Receivable:Acme"] == D("2325.00")
    rows = parse_json(run(main, "report", "receivables", "--format", "json").stdout)["rows"]
    assert [(r["invoice"], D(r["open"])) for r in rows] == [
        ("inv-2026-11-acme", D("2125.00")),
        ("inv-2026-12-05-acme", D("200.00")),
    ]


# ---------------------------------------------------------------- onebox pay, grace


@pytest.fixture
def two_bills(closed_seed, run, ok, monkeypatch):
    """onebox-2026-11 (81.25, due 2026-12-30) and onebox-2026-12 (81.25, due 2027-01-30)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-15")
    ok(run(closed_seed, "close", "2026-12"))
    return closed_seed


def test_onebox_pay_applies_to_the_oldest_bills_first(two_bills, run, ok, bean_check):
    out = ok(run(two_bills, "onebox", "pay", "100 USD", "--date", "2027-01-05"))

    assert out == [
        "paid 100.00 USD to OneBox: 81.25 USD to onebox-2026-11, 18.75 USD to onebox-2026-12"
    ]
    assert bean_check(two_bills) == []
    assert journal(two_bills, "2027-01").endswith(
        '2027-01-05 * "OneBox" "Payment to OneBox"\n'
        '  id: "pay/2027-01-05/1"\n'
        "  amount: 100.00 USD\n"
        "  Assets:Bank                      -100.00 USD\n"
        "  Liabilities:OneBox:Payable         81.25 USD\n"
        '    bill: "onebox-2026-11"\n'
        "  Liabilities:OneBox:Payable         18.75 USD\n"
        '    bill: "onebox-2026-12"\n'
    )


def test_onebox_pay_with_bill_applies_to_that_bill(two_bills, run, ok, bean_check, entries):
    out = ok(
        run(two_bills, "onebox", "pay", "10 USD", "--date", "2027-01-06",
            "--bill", "onebox-2026-12", "--ref", "P2")
    )  # fmt: skip

    assert out == ["paid 10.00 USD to OneBox: 10.00 USD to onebox-2026-12"]
    assert bean_check(two_bills) == []
    assert postings(by_id(entries(two_bills), "pay/P2")) == [
        ("Assets:Bank", D("-10.00"), "USD", None),
        ("Liabilities:OneBox:Payable", D("10.00"), "USD", "onebox-2026-12"),
    ]
    rows = parse_json(run(two_bills, "report", "payables", "--format", "json").stdout)["rows"]
    assert [(r["bill"], D(r["billed"]), D(r["paid"]), D(r["open"]), r["status"]) for r in rows] == [
        ("onebox-2026-11", D("81.25"), D("0"), D("81.25"), "overdue"),
        ("onebox-2026-12", D("81.25"), D("10.00"), D("71.25"), "open"),
    ]


def test_onebox_grace_moves_the_open_amount_to_grace(closed_seed, run, ok, bean_check, entries):
    main = closed_seed
    assert ok(run(main, "onebox", "pay", "20 USD", "--date", "2026-12-05")) == [
        "paid 20.00 USD to OneBox: 20.00 USD to onebox-2026-11"
    ]

    out = ok(
        run(main, "onebox", "grace", "onebox-2026-11", "--until", "2027-02-28",
            "--date", "2026-12-10")
    )  # fmt: skip

    assert out == ["bill onebox-2026-11: 61.25 USD deferred until 2027-02-28 (was due 2026-12-30)"]
    assert bean_check(main) == []
    assert journal(main, "2026-12").endswith(
        '2026-12-10 * "OneBox" "Grace period for onebox-2026-11 until 2027-02-28"\n'
        '  id: "grace/onebox-2026-11/2026-12-10"\n'
        '  bill: "onebox-2026-11"\n'
        "  until: 2027-02-28\n"
        "  Liabilities:OneBox:Payable         61.25 USD\n"
        "  Liabilities:OneBox:Grace          -61.25 USD\n"
    )
    assert {k: v for k, v in balances(entries(main)).items() if k.startswith("Liabilities:")} == {
        "Liabilities:OneBox:Payable": D("0.00"),
        "Liabilities:OneBox:Grace": D("-61.25"),
    }
    assert ok(run(main, "report", "payables")) == [
        "OneBox bills as of 2026-12-15",
        "",
        "bill            date        currency  accrued  billed  difference   paid   open  due"
        "         status",
        "--------------  ----------  --------  -------  ------  ----------  -----  -----  ----------"
        "  --------",
        "onebox-2026-11  2026-11-30  USD         81.25   81.25        0.00  20.00  61.25  2027-02-28"
        "  in grace",
        "",
        "status    currency   open",
        "--------  --------  -----",
        "in grace  USD       61.25",
    ]

    assert ok(run(main, "onebox", "pay", "61.25 USD", "--date", "2026-12-14")) == [
        "paid 61.25 USD to OneBox: 61.25 USD to onebox-2026-11"
    ]

    assert bean_check(main) == []
    loaded = entries(main)
    assert postings(by_id(loaded, "pay/2026-12-14/1")) == [
        ("Assets:Bank", D("-61.25"), "USD", None),
        ("Liabilities:OneBox:Grace", D("61.25"), "USD", "onebox-2026-11"),
    ]
    assert {k: v for k, v in balances(loaded).items() if k.startswith("Liabilities:")} == {
        "Liabilities:OneBox:Payable": D("0.00"),
        "Liabilities:OneBox:Grace": D("0.00"),
    }
    [row] = parse_json(run(main, "report", "payables", "--format", "json").stdout)["rows"]
    assert (D(row["paid"]), D(row["open"]), row["status"]) == (D("81.25"), D("0"), "paid")


# ---------------------------------------------------------------- reports


def test_report_keep_table_csv_json(closed_seed, run, ok):
    assert ok(run(closed_seed, "report", "keep")) == [
        "What you keep, start to end, in USD",
        "",
        "stream       sold  onebox_cost     kept  kept_pct",
        "--------  -------  -----------  -------  --------",
        "cloud      125.00        81.25    43.75      35.0",
        "services  2000.00         0.00  2000.00     100.0",
        "--------  -------  -----------  -------  --------",
        "total     2125.00        81.25  2043.75      96.2",
    ]
    assert ok(run(closed_seed, "report", "keep", "--format", "csv")) == [
        "stream,sold,onebox_cost,kept,kept_pct",
        "cloud,125.00,81.25,43.75,35.0",
        "services,2000.00,0.00,2000.00,100.0",
        "total,2125.00,81.25,2043.75,96.2",
    ]
    payload = parse_json(run(closed_seed, "report", "keep", "--format", "json").stdout)
    assert payload["columns"] == ["stream", "sold", "onebox_cost", "kept", "kept_pct"]
    assert [
        (r["stream"], D(r["sold"]), D(r["onebox_cost"]), D(r["kept"]), D(r["kept_pct"]))
        for r in payload["rows"] + payload["totals"]
    ] == [
        ("cloud", D("125.00"), D("81.25"), D("43.75"), D("35.0")),
        ("services", D("2000.00"), D("0.00"), D("2000.00"), D("100.0")),
        ("total", D("2125.00"), D("81.25"), D("2043.75"), D("96.2")),
    ]


def test_readme_seed_numbers(closed_seed, run):
    """README: cloud sold 125.00, OneBox cost 81.25, kept 43.75 (35.0%); implementation
    2,000.00 kept 100%."""
    payload = parse_json(
        run(closed_seed, "report", "keep", "--by", "contract", "--format", "json").stdout
    )
    rows = {r["contract"]: r for r in payload["rows"]}
    cloud, impl = rows["acme-cloud"], rows["acme-impl"]
    assert (D(cloud["sold"]), D(cloud["onebox_cost"]), D(cloud["kept"])) == (
        D("125.00"),
        D("81.25"),
        D("43.75"),
    )
    assert cloud["kept_pct"] == "35.0"
    assert (D(impl["sold"]), D(impl["onebox_cost"]), D(impl["kept"])) == (
        D("2000.00"),
        D("0"),
        D("2000.00"),
    )
    assert D(impl["kept_pct"]) == 100


def test_report_keep_by_customer_for_a_period(closed_seed, run, ok):
    ok(run(closed_seed, "sell", "acme", "300 USD", "--date", "2026-12-05", "--memo", "Training"))
    assert ok(
        run(closed_seed, "report", "keep", "--by", "customer", "--format", "csv",
            "--from", "2026-11-01", "--to", "2026-11-30")
    ) == [
        "customer,sold,onebox_cost,kept,kept_pct",
        "acme,2125.00,81.25,2043.75,96.2",
        "total,2125.00,81.25,2043.75,96.2",
    ]  # fmt: skip


def test_report_payables_table_csv_json(closed_seed, run, ok):
    assert ok(run(closed_seed, "report", "payables")) == [
        "OneBox bills as of 2026-12-15",
        "",
        "bill            date        currency  accrued  billed  difference  paid   open  due"
        "         status",
        "--------------  ----------  --------  -------  ------  ----------  ----  -----  ----------"
        "  ------",
        "onebox-2026-11  2026-11-30  USD         81.25   81.25        0.00  0.00  81.25  2026-12-30"
        "  open",
        "",
        "status  currency   open",
        "------  --------  -----",
        "open    USD       81.25",
    ]
    assert ok(run(closed_seed, "report", "payables", "--format", "csv")) == [
        "bill,date,currency,accrued,billed,difference,paid,open,due,status",
        "onebox-2026-11,2026-11-30,USD,81.25,81.25,0.00,0.00,81.25,2026-12-30,open",
        "",
        "status,currency,open",
        "open,USD,81.25",
    ]
    payload = parse_json(run(closed_seed, "report", "payables", "--format", "json").stdout)
    [row] = payload["rows"]
    assert (row["bill"], D(row["billed"]), D(row["paid"]), D(row["open"])) == (
        "onebox-2026-11",
        D("81.25"),
        D("0"),
        D("81.25"),
    )
    assert (row["date"], row["due"], row["status"]) == ("2026-11-30", "2026-12-30", "open")
    assert [(t["status"], t["currency"], D(t["open"])) for t in payload["totals"]] == [
        ("open", "USD", D("81.25"))
    ]


def test_report_payables_shows_overdue_after_the_due_date(closed_seed, run):
    payload = parse_json(
        run(closed_seed, "report", "payables", "--as-of", "2027-01-05", "--format", "json").stdout
    )
    assert [(r["bill"], D(r["open"]), r["status"]) for r in payload["rows"]] == [
        ("onebox-2026-11", D("81.25"), "overdue")
    ]


def test_report_receivables_table_csv_json(closed_seed, run, ok):
    assert ok(run(closed_seed, "report", "receivables", "--as-of", "2027-01-10")) == [
        "Open invoices and customer credit as of 2027-01-10, aged; totals per customer in USD at"
        " the rate of 2027-01-10",
        "",
        "customer  invoice           date        due         currency"
        "     open  days_past_due  bucket",
        "--------  ----------------  ----------  ----------  --------"
        "  -------  -------------  ------",
        "acme      inv-2026-11-acme  2026-11-30  2026-12-30  USD     "
        "  2125.00             11  1-30",
        "",
        "customer  current     1-30  31-60  61-90   90+  credit    total",
        "--------  -------  -------  -----  -----  ----  ------  -------",
        "acme         0.00  2125.00   0.00   0.00  0.00    0.00  2125.00",
        "total        0.00  2125.00   0.00   0.00  0.00    0.00  2125.00",
    ]
    assert ok(run(closed_seed, "report", "receivables", "--format", "csv")) == [
        "customer,invoice,date,due,currency,open,days_past_due,bucket",
        "acme,inv-2026-11-acme,2026-11-30,2026-12-30,USD,2125.00,0,current",
        "",
        "customer,current,1-30,31-60,61-90,90+,credit,total",
        "acme,2125.00,0.00,0.00,0.00,0.00,0.00,2125.00",
        "total,2125.00,0.00,0.00,0.00,0.00,0.00,2125.00",
    ]
    payload = parse_json(run(closed_seed, "report", "receivables", "--format", "json").stdout)
    [row] = payload["rows"]
    assert (row["invoice"], D(row["open"]), row["days_past_due"], row["bucket"]) == (
        "inv-2026-11-acme",
        D("2125.00"),
        "0",
        "current",
    )
    totals = {t["customer"]: t for t in payload["totals"]}
    buckets = ("current", "1-30", "31-60", "61-90", "90+", "total")
    assert [D(totals["acme"][k]) for k in buckets] == [
        D("2125.00"), D("0"), D("0"), D("0"), D("0"), D("2125.00"),
    ]  # fmt: skip
    assert D(totals["total"]["total"]) == D("2125.00")


def test_report_mrr_table_csv_json(closed_seed, run, ok):
    assert ok(run(closed_seed, "report", "mrr")) == [
        "Monthly recurring revenue as of 2026-12-15, in USD",
        "",
        "stream     mrr  quantity  customers",
        "------  ------  --------  ---------",
        "cloud   125.00         5          1",
        "------  ------  --------  ---------",
        "total   125.00                    1",
        "note: active boxes in 2026-12: 1",
    ]
    assert ok(run(closed_seed, "report", "mrr", "--format", "csv")) == [
        "stream,mrr,quantity,customers",
        "cloud,125.00,5,1",
        "total,125.00,,1",
    ]
    payload = parse_json(run(closed_seed, "report", "mrr", "--format", "json").stdout)
    assert [(r["stream"], D(r["mrr"]), r["quantity"]) for r in payload["rows"]] == [
        ("cloud", D("125.00"), "5")
    ]
    assert D(payload["totals"][0]["mrr"]) == D("125.00")


# ---------------------------------------------------------------- verify, python -m


def test_verify_a_clean_ledger(closed_seed, run, ok, snapshot, entries):
    before = snapshot(closed_seed.parent)
    seal = next(e for e in entries(closed_seed) if getattr(e, "type", None) == "onebox-close")
    assert ok(run(closed_seed, "verify")) == [
        f"head: 2026-11 {seal.values[1].value}",
        "verify: 1 sealed month(s) (2026-11..2026-11), 3 generated entries re-derived,"
        " 0 finding(s), no drift",
    ]
    assert snapshot(closed_seed.parent) == before


def test_verify_before_any_close(seed_ledger, run, ok):
    assert ok(run(seed_ledger, "verify")) == [
        "verify: 0 sealed month(s) (none), 0 generated entries re-derived, 0 finding(s), no drift"
    ]


@pytest.mark.slow  # three Python processes: about 1 s
def test_python_dash_m_runs_the_cli(closed_seed, tmp_path):
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    helped = subprocess.run(
        [sys.executable, "-m", "onebox_ledger", "--help"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    assert helped.stderr == ""
    assert helped.stdout.startswith("Usage: onebox-ledger [OPTIONS] COMMAND [ARGS]...\n")
    commands = helped.stdout.split("Commands:\n", 1)[1]
    listed = [line.split()[0] for line in commands.splitlines() if line.startswith("  ")]
    for name in [
        "close", "contract", "customer", "init", "onebox", "receive", "report", "sell",
        "terms", "usage", "verify",
    ]:  # fmt: skip
        assert name in listed

    checked = subprocess.run(
        [sys.executable, "-m", "onebox_ledger", "--ledger", str(closed_seed), "verify"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout.endswith("0 finding(s), no drift\n")

    missing = subprocess.run(
        [sys.executable, "-m", "onebox_ledger", "--ledger", str(tmp_path / "no.beancount"),
         "verify"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr == (
        f"onebox-ledger: error: ledger {tmp_path / 'no.beancount'} does not exist"
        " (create one: onebox-ledger init DIR)\n"
    )
