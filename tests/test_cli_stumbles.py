"""What a new user trips over, each fixed: the ledger found from any folder inside it, a bank
account that opens when the books do, a paid invoice named again, the close's summary with the
month's sales, the contract list as a table, ``--version``.

On the README seed (today 2026-12-15)::

    $ cd books/ledger/journal && onebox-ledger customer list       # finds books/main.beancount
    $ onebox-ledger bank add Assets:Bank-EUR --currency EUR          # opens 2026-01-01, as init --start
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import SEED_STEPS

from onebox_ledger import __version__
from onebox_ledger.cli import cli


def test_version_prints_the_package_version():
    result = CliRunner().invoke(cli, ["--version"], catch_exceptions=False)

    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"onebox-ledger {__version__}\n",
        "",
    )
    assert __version__ == "0.1.0"


# ---------------------------------------------------------------- finding the books


def test_ledger_may_name_the_folder_of_main_beancount(seed_ledger, run, ok):
    listed = ok(run(seed_ledger.parent, "customer", "list"))

    assert listed == ["acme  Acme Realty  USD  since 2026-11-01  contracts: acme-cloud, acme-impl"]


@pytest.mark.parametrize("inside", [".", "ledger", "ledger/journal"])
def test_the_books_are_found_from_any_folder_inside_them(
    seed_ledger, fixed_today, monkeypatch, inside
):
    monkeypatch.chdir(seed_ledger.parent / inside)

    result = CliRunner().invoke(cli, ["customer", "list"], catch_exceptions=False)

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "acme  Acme Realty  USD  since 2026-11-01  contracts: acme-cloud, acme-impl\n"
    )


def test_onebox_ledger_env_wins_over_the_folder(seed_ledger, tmp_path, fixed_today, monkeypatch):
    """$ONEBOX_LEDGER names the books, as --ledger does, wherever the command runs."""
    other = tmp_path / "other"
    CliRunner().invoke(cli, ["init", str(other), "--start", "2026-01-01"], catch_exceptions=False)
    monkeypatch.chdir(other)
    monkeypatch.setenv("ONEBOX_LEDGER", str(seed_ledger.parent))

    result = CliRunner().invoke(cli, ["customer", "list"], catch_exceptions=False)

    assert result.stdout.startswith("acme  Acme Realty  USD")


def test_outside_any_books_the_missing_ledger_is_the_one_of_this_folder(
    tmp_path, fixed_today, monkeypatch, refused
):
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, ["customer", "list"], catch_exceptions=False)

    assert refused(result, 1) == (
        f"ledger {tmp_path.resolve() / 'main.beancount'} does not exist"
        " (create one: onebox-ledger init DIR)"
    )


# ---------------------------------------------------------------- bank add


def test_bank_add_without_date_opens_on_the_ledgers_first_day(seed_ledger, run, ok, bean_check):
    """The hint 'add one: onebox-ledger bank add Assets:Bank-EUR --currency EUR' then works
    for a receipt of any open day (here 2026-11-20, before today's 2026-12-15)."""
    main = seed_ledger
    ok(run(main, "customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR",
           "--date", "2026-11-01"))  # fmt: skip
    ok(run(main, "price", "EUR", "1.08 USD", "--date", "2026-11-01"))

    out = ok(run(main, "bank", "add", "Assets:Bank-EUR", "--currency", "EUR"))

    assert out == ["bank account Assets:Bank-EUR: EUR from 2026-01-01"]
    accounts = (main.parent / "ledger" / "accounts.beancount").read_text(encoding="utf-8")
    assert "2026-01-01 open Assets:Bank-EUR EUR\n  bank: TRUE\n" in accounts
    assert ok(run(main, "receive", "berlin", "90 EUR", "--date", "2026-11-20")) == [
        "received 90.00 EUR from berlin: 90.00 EUR held as credit"
    ]
    assert bean_check(main) == []


def test_bank_add_without_date_after_a_close_opens_after_the_sealed_month(closed_seed, run, ok):
    out = ok(run(closed_seed, "bank", "add", "Assets:Bank-EUR", "--currency", "EUR"))

    assert out == ["bank account Assets:Bank-EUR: EUR from 2026-12-01"]


# ---------------------------------------------------------------- receive --invoice, paid


def test_receive_naming_a_paid_invoice_says_where_it_was_paid(
    closed_seed, run, ok, refused, snapshot
):
    main = closed_seed
    ok(run(main, "receive", "acme", "2125 USD", "--date", "2026-12-05", "--ref", "BANK-1"))
    before = snapshot(main.parent)

    result = run(main, "receive", "acme", "100 USD", "--date", "2026-12-06",
                 "--invoice", "inv-2026-11-acme")  # fmt: skip

    assert refused(result, 1) == (
        "invoice inv-2026-11-acme is paid (receive/BANK-1 on 2026-12-05); to apply this payment"
        " to the oldest open invoices, or hold it as credit, leave out --invoice"
    )
    assert snapshot(main.parent) == before


def test_receive_naming_a_partly_paid_invoice_pays_its_rest(closed_seed, run, ok):
    main = closed_seed
    ok(run(main, "receive", "acme", "2000 USD", "--date", "2026-12-05"))

    out = ok(run(main, "receive", "acme", "200 USD", "--date", "2026-12-06",
                 "--invoice", "inv-2026-11-acme"))  # fmt: skip

    assert out == ["received 200.00 USD from acme: 125.00 USD to inv-2026-11-acme, 75.00 USD"
                   " held as credit"]  # fmt: skip


# ---------------------------------------------------------------- the close's summary


def test_the_close_summary_counts_the_months_sales(seed_ledger, run, ok, bean_check):
    """Services 2000.00 (the implementation) + 300.00 sold; cloud 125.00 + a sale of 4 seats
    for 100.00 costing 4 x 25.00 x 65% = 65.00, on the month's bill: 81.25 + 65.00 = 146.25."""
    main = seed_ledger
    ok(run(main, "sell", "acme", "300 USD", "--date", "2026-11-05", "--memo", "Training"))
    ok(run(main, "sell", "acme", "100 USD", "--stream", "cloud", "--item", "cloud-user",
           "--quantity", "4", "--date", "2026-11-06", "--memo", "4 seats"))  # fmt: skip

    out = ok(run(main, "close", "2026-11"))

    assert out == [
        "closed 2026-11: 1 active box(es), cost rate 0.65",
        "  stream        invoiced   recognised  onebox cost         kept  kept %",
        "  cloud           225.00       225.00       146.25        78.75    35.0",
        "  services       2300.00      2300.00         0.00      2300.00   100.0",
        "  OneBox bill onebox-2026-11: 146.25 USD, due 2026-12-30",
        "  note: amounts in USD",
        "  written to ledger/journal/2026-11.beancount",
    ]
    assert bean_check(main) == []
    keep = ok(run(main, "report", "keep", "--from", "2026-11-01", "--to", "2026-11-30"))
    assert keep[4:6] == [
        "cloud      225.00       146.25    78.75      35.0",
        "services  2300.00         0.00  2300.00     100.0",
    ]


def test_the_close_summary_shows_a_stream_only_a_sale_has(new_ledger, run, ok):
    main = new_ledger
    for step in SEED_STEPS[:4]:
        ok(run(main, *step))
    ok(run(main, "sell", "acme", "500 USD", "--date", "2026-11-05", "--memo", "Workshop"))

    out = ok(run(main, "close", "2026-11"))

    assert out[1:3] == [
        "  stream        invoiced   recognised  onebox cost         kept  kept %",
        "  services        500.00       500.00         0.00       500.00   100.0",
    ]


# ---------------------------------------------------------------- contract list


def test_contract_list_shows_metered_contracts_as_metered(seed_ledger, run, ok):
    main = seed_ledger
    ok(run(main, "terms", "item", "data-records", "1.99 USD", "--per", "1000",
           "--date", "2026-01-01"))  # fmt: skip
    added = ok(run(main, "contract", "add", "acme-data", "--customer", "acme", "--stream",
                   "data", "--price", "2.50 USD", "--billing", "metered", "--item",
                   "data-records", "--start", "2026-11-01"))  # fmt: skip

    listed = ok(run(main, "contract", "list", "--as-of", "2026-12-01", "--format", "csv"))

    assert added == [
        "contract acme-data: acme, data, 2.50 USD per block of data-records metered from 2026-11-01"
    ]
    assert listed == [
        "contract,customer,stream,billing,quantity,price,item,from,to,status",
        "acme-cloud,acme,cloud,monthly,5,25.00 USD,cloud-user,2026-11-01,,active",
        "acme-data,acme,data,metered,metered,2.50 USD,data-records,2026-11-01,,active",
        "acme-impl,acme,services,once,1,2000.00 USD,-,2026-11-01,2026-11-30,ended",
    ]
