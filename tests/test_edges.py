"""Edge cases found in review: each was a traceback, a silent loss or an unsealed change."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_an_item_in_a_second_currency_is_refused(seed_ledger, run, refused, snapshot):
    before = snapshot(seed_ledger.parent)
    message = refused(
        run(seed_ledger, "terms", "item", "storage", "10 EUR", "--date", "2026-01-01"), 1
    )
    assert message.startswith("refused: the change would make the ledger invalid: ")
    # which of the two the checker names depends on the load order of same-day directives
    assert message.endswith(
        (
            "OneBox bills in one currency: item 'storage' is priced in EUR, item 'cloud-user' in USD",
            "OneBox bills in one currency: item 'cloud-user' is priced in USD, item 'storage' in EUR",
        )
    )
    assert snapshot(seed_ledger.parent) == before


def test_a_metered_item_keeps_its_per_when_repriced(seed_ledger, run, ok, refused, snapshot):
    ok(
        run(
            seed_ledger,
            "terms",
            "item",
            "data-records",
            "1.99 USD",
            "--per",
            "1000",
            "--date",
            "2026-01-01",
        )
    )
    before = snapshot(seed_ledger.parent)
    message = refused(
        run(seed_ledger, "terms", "item", "data-records", "2.10 USD", "--date", "2026-11-01"), 1
    )
    assert message.endswith(
        "item 'data-records' is metered (per:) since 2026-01-01; a new price must keep that"
    )
    assert snapshot(seed_ledger.parent) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["customer", "add", "zed", "--name", "Zed", "--payment", "999999999"],
            "--payment '999999999' must be a whole number from 0 to 3650",
        ),
        (["close", "9999-12"], "month '9999-12' is outside the years 1900 to 9000"),
        (["terms", "payment", "²"], "days '²' must be a whole number from 0 to 3650"),
        (
            [
                "sell",
                "acme",
                "10 USD",
                "--date",
                "2026-12-05",
                "--memo",
                "x",
                "--ref",
                "2026-12-05/acme/1",
            ],
            "ref '2026-12-05/acme/1' must be letters, digits and . _ : - (at most 64)",
        ),
    ],
)
def test_out_of_range_values_are_one_line_errors(
    seed_ledger, run, refused, snapshot, args, message
):
    before = snapshot(seed_ledger.parent)
    result = run(seed_ledger, *args)
    assert refused(result, 2) == message
    assert snapshot(seed_ledger.parent) == before


def test_a_sale_ref_reused_with_another_memo_is_refused(seed_ledger, run, ok, refused):
    sell = ["sell", "acme", "10 USD", "--date", "2026-12-05", "--ref", "R1"]
    ok(run(seed_ledger, *sell, "--memo", "first"))
    assert ok(run(seed_ledger, *sell, "--memo", "first")) == [
        "ref R1 already recorded; nothing changed"
    ]
    assert refused(run(seed_ledger, *sell, "--memo", "something else"), 1) == (
        "ref 'R1' was already used with memo first (asked something else)"
    )


def _digest(main: Path, month: str) -> str:
    """The digest written in `month`'s seal line."""
    text = (main.parent / "ledger" / "journal" / f"{month}.beancount").read_text()
    return text.split(f'custom "onebox-close" "{month}" "', 1)[1].split('"', 1)[0]


def test_a_deleted_sealed_month_between_two_is_reported(closed_seed, run, ok, bean_check):
    ok(run(closed_seed, "close", "2026-12", "--force"))
    ok(run(closed_seed, "close", "2027-01", "--force"))
    november, december = _digest(closed_seed, "2026-11"), _digest(closed_seed, "2026-12")
    (closed_seed.parent / "ledger" / "journal" / "2026-12.beancount").unlink()
    errors = bean_check(closed_seed)
    assert [e.message for e in errors] == [
        "2026-12 has no seal although 2026-11 and 2027-01 are sealed (was its journal file"
        " deleted?); restore it from git",
        # 2027-01's seal names December's digest as the one before it, now gone
        f"2027-01's seal follows {december[:19]}..., but the seal before it is"
        f" {november[:19]}...; the chain is broken (a seal was edited or removed)",
    ]


def test_a_customer_dated_in_a_sealed_month_is_refused(closed_seed, run, refused):
    result = run(closed_seed, "customer", "add", "late", "--name", "Late", "--date", "2026-11-15")
    assert refused(result, 1) == (
        "date 2026-11-15 is in sealed month 2026-11; the books are closed through 2026-11"
        " (use a date from 2026-12-01 on)"
    )


def test_opening_balances_are_sealed_with_their_month(seed_ledger, run, ok, bean_check):
    opening = seed_ledger.parent / "ledger" / "journal" / "opening.beancount"
    with opening.open("a", encoding="utf-8") as handle:
        handle.write(
            "\n2026-01-01 open Equity:Opening-Balances\n"
            '\n2026-11-01 * "Opening balance"\n  Assets:Bank  1000.00 USD\n'
            "  Equity:Opening-Balances  -1000.00 USD\n"
        )
    ok(run(seed_ledger, "close", "2026-11"))
    assert bean_check(seed_ledger) == []
    assert run(seed_ledger, "verify").stdout.splitlines()[-1].endswith("no drift")


def test_a_close_without_the_rate_of_a_foreign_invoice_is_refused(
    new_ledger: Path, run, ok, refused, snapshot, bean_check
):
    for step in (
        ["terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"],
        ["terms", "rate", "1", "0.65", "--date", "2026-01-01"],
        ["terms", "payment", "30", "--date", "2026-01-01"],
        ["customer", "add", "berlin", "--name", "Berlin", "--currency", "EUR", "--date", "2026-11-01"],
        ["contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud",
         "--price", "23 EUR", "--quantity", "4", "--start", "2026-11-01", "--item", "cloud-user"],
    ):  # fmt: skip
        ok(run(new_ledger, *step))
    before = snapshot(new_ledger.parent)
    assert refused(run(new_ledger, "close", "2026-11"), 1) == (
        "cannot close 2026-11: no exchange rate EUR->USD on or before 2026-11-30 for invoice"
        ' inv-2026-11-berlin (add one: onebox-ledger price EUR "1.00 USD" --date 2026-11-30)'
    )
    assert snapshot(new_ledger.parent) == before

    ok(run(new_ledger, "price", "EUR", "1.10 USD", "--date", "2026-11-01"))
    out = ok(run(new_ledger, "close", "2026-11"))
    # 4 x 23.00 = 92.00 EUR at 1.10 = 101.20 USD; cost 4 x 25.00 x 65% = 65.00 USD
    assert out[2:3] == [
        "  cloud           101.20       101.20        65.00        36.20    35.8",
    ]
    assert out[4] == "  note: amounts in USD"
    assert bean_check(new_ledger) == []


# ---------------------------------------------------------------- the close sees every file

HAND = '{date} * "Hand" "Entered outside the month file"\n  Assets:Bank  10.00 USD\n  Income:Services  -10.00 USD\n'


@pytest.mark.parametrize(
    "where",
    [
        "main.beancount",  # where Fava's add-entry writes
        "ledger/journal/adjustments.beancount",  # a file of its own, in the journal glob
        "ledger/journal/2026-11.beancount",  # the (sealed) month before: not its seal's business
    ],
)
def test_the_close_seals_entries_of_its_month_in_any_file(closed_seed, run, ok, bean_check, where):
    path = closed_seed.parent / where
    old = path.read_text() if path.exists() else ""
    path.write_text(old + "\n" + HAND.format(date="2026-12-05"))
    assert bean_check(closed_seed) == []

    ok(run(closed_seed, "close", "2026-12", "--force"))

    assert bean_check(closed_seed) == []
    assert ok(run(closed_seed, "verify"))[-1].endswith(" 0 finding(s), no drift")
    # and the seal covers it: moving it to another day of December breaks December's seal
    path.write_text(old + "\n" + HAND.format(date="2026-12-06"))
    assert [e.message.split(" (digest")[0] for e in bean_check(closed_seed)] == [
        "2026-12 is sealed but what its seal covers changed"
    ]


def test_the_first_close_seals_what_came_before_it_in_a_later_month_file(
    seed_ledger, run, ok, bean_check
):
    """The first seal covers every entry dated before its month, even one a person wrote into
    a later month's file (which the close reads only when a line of it starts with such a date)."""
    path = seed_ledger.parent / "ledger" / "journal" / "2026-12.beancount"
    opened = "2026-10-01 open Income:Other USD\n"
    hand = HAND.replace("Income:Services", "Income:Other")
    path.write_text(opened + hand.format(date="2026-10-05"))
    assert bean_check(seed_ledger) == []

    ok(run(seed_ledger, "close", "2026-11"))

    assert ok(run(seed_ledger, "verify"))[-1].endswith(" 0 finding(s), no drift")
    path.write_text(opened + hand.format(date="2026-10-06"))
    assert [e.message.split(" (digest")[0] for e in bean_check(seed_ledger)] == [
        "2026-11 is sealed but what its seal covers changed"
    ]


def test_the_close_refuses_to_open_an_account_a_month_file_opens(
    seed_ledger, run, refused, snapshot, bean_check
):
    """Month files are read as bytes, not parsed: an `open` written into one by hand is named,
    not duplicated by the close's own (which would leave the ledger invalid)."""
    path = seed_ledger.parent / "ledger" / "journal" / "2026-12.beancount"
    path.write_text("\n2026-10-01 open Income:Services USD\n" + HAND.format(date="2026-10-05"))
    assert bean_check(seed_ledger) == []
    before = snapshot(seed_ledger.parent)
    assert refused(run(seed_ledger, "close", "2026-11"), 1) == (
        f"{path}:2: Income:Services is opened in a month file; onebox-ledger opens accounts in"
        " ledger/accounts.beancount: move it there"
    )
    assert snapshot(seed_ledger.parent) == before


def test_the_close_refuses_an_amount_left_to_infer(closed_seed, run, refused, snapshot):
    path = closed_seed.parent / "ledger" / "journal" / "adjustments.beancount"
    path.write_text('2026-12-05 * "Hand" "Inferred"\n  Assets:Bank  10.00 USD\n  Income:Services\n')
    before = snapshot(closed_seed.parent)
    assert refused(run(closed_seed, "close", "2026-12", "--force"), 1) == (
        f"{path}:1: cannot seal 2026-12-05: a posting's amount, cost or price is left for"
        " Beancount to infer; write each in full"
    )
    assert snapshot(closed_seed.parent) == before


def test_the_close_refuses_a_contract_in_a_month_file(closed_seed, run, refused, snapshot):
    path = closed_seed.parent / "ledger" / "journal" / "2026-12.beancount"
    path.write_text(
        '2026-12-01 custom "onebox-contract" "acme-more"\n  customer: "acme"\n'
        '  stream: "services"\n  price: 10.00 USD\n'
    )
    before = snapshot(closed_seed.parent)
    assert refused(run(closed_seed, "close", "2026-12", "--force"), 1) == (
        f'{path}:1: a "onebox-contract" directive in a month file; the close reads it only from'
        " ledger/customers.beancount or ledger/terms.beancount: move it there"
    )
    assert snapshot(closed_seed.parent) == before
