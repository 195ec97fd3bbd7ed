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
            '\n2026-11-01 * "Opening balance"\n  Assets:Bank  1000.00 USD\n'
            "  Equity:Opening-Balances  -1000.00 USD\n"
        )
    ok(run(seed_ledger, "close", "2026-11"))
    assert bean_check(seed_ledger) == []
    assert run(seed_ledger, "verify").stdout.splitlines()[-1].endswith("no drift")


def test_the_close_summary_without_a_rate_is_per_currency(new_ledger: Path, run, ok, bean_check):
    for step in (
        ["terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"],
        ["terms", "rate", "1", "0.65", "--date", "2026-01-01"],
        ["terms", "payment", "30", "--date", "2026-01-01"],
        ["customer", "add", "berlin", "--name", "Berlin", "--currency", "EUR", "--date", "2026-11-01"],
        ["contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud",
         "--price", "23 EUR", "--quantity", "4", "--start", "2026-11-01", "--item", "cloud-user"],
    ):  # fmt: skip
        ok(run(new_ledger, *step))
    out = ok(run(new_ledger, "close", "2026-11"))
    assert out[2:4] == [
        "  cloud EUR        92.00        92.00         0.00        92.00   100.0",
        "  cloud USD         0.00         0.00        65.00       -65.00       -",
    ]
    assert out[5] == (
        "  note: amounts per currency: no exchange rate EUR->USD on or before 2026-11-30"
        " (add one to ledger/prices.beancount: 2026-11-30 price EUR 1.00 USD)"
    )
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
