"""The same command twice changes nothing; a changed history shows as drift, never a duplicate.

    onebox-ledger sell acme "2000 USD" --date 2026-12-05 --memo Implementation --ref INV-104
    onebox-ledger sell acme "2000 USD" --date 2026-12-05 --memo Implementation --ref INV-104
    -> ref INV-104 already recorded; nothing changed        (files byte-identical)
    onebox-ledger sell acme "2001 USD" --date 2026-12-05 --memo Implementation --ref INV-104
    -> onebox-ledger: error: ref 'INV-104' was already used with amount 2000.00 USD
       (asked 2001.00 USD)                                   (exit 1)

A sealed month whose contracts change after the close (drift) makes ``close``
refuse and ``verify`` print the difference; an edited sealed entry is a
bean-check error from the seal plugin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SELL = ("sell", "acme", "--date", "2026-12-05", "--memo", "Implementation")
RECEIVE = ("receive", "acme", "--date", "2026-12-10")
PAY = ("onebox", "pay", "--date", "2026-12-14")


@pytest.mark.parametrize(
    ("command", "first", "again", "ref", "message"),
    [
        pytest.param(
            SELL, "2000 USD", "2001 USD", "INV-104",
            "ref 'INV-104' was already used with amount 2000.00 USD (asked 2001.00 USD)",
            id="sell",
        ),
        pytest.param(
            RECEIVE, "125 USD", "125.01 USD", "BANK-2026-12-10-7",
            "ref 'BANK-2026-12-10-7' was already used with amount 125.00 USD (asked 125.01 USD)",
            id="receive",
        ),
        pytest.param(
            PAY, "81.25 USD", "80 USD", "TX:55.1",
            "ref 'TX:55.1' was already used with amount 81.25 USD (asked 80.00 USD)",
            id="onebox-pay",
        ),
    ],
)  # fmt: skip
def test_same_ref_is_a_no_op_and_a_different_amount_is_refused(
    closed_seed, run, ok, refused, snapshot, bean_check, command, first, again, ref, message
):
    root = closed_seed.parent
    written = ok(run(closed_seed, *command, first, "--ref", ref))
    assert "nothing changed" not in written[0]
    after_first = snapshot(root)

    assert ok(run(closed_seed, *command, first, "--ref", ref)) == [
        f"ref {ref} already recorded; nothing changed"
    ]
    assert snapshot(root) == after_first

    assert refused(run(closed_seed, *command, again, "--ref", ref), 1) == message
    assert snapshot(root) == after_first
    assert bean_check(closed_seed) == []
    journal = (root / "ledger" / "journal" / "2026-12.beancount").read_text(encoding="utf-8")
    assert journal.count(f'  ref: "{ref}"\n') == 1


def test_same_ref_with_the_same_amount_in_another_form_is_a_no_op(closed_seed, run, ok, snapshot):
    ok(run(closed_seed, *SELL, "2000 USD", "--ref", "INV-104"))
    before = snapshot(closed_seed.parent)

    out = ok(run(closed_seed, *SELL, "2000.00 USD", "--ref", "INV-104"))

    assert out == ["ref INV-104 already recorded; nothing changed"]
    assert snapshot(closed_seed.parent) == before


def test_same_ref_on_another_date_is_refused(closed_seed, run, ok, refused, snapshot):
    ok(run(closed_seed, *SELL, "2000 USD", "--ref", "INV-104"))
    before = snapshot(closed_seed.parent)

    message = refused(
        run(closed_seed, "sell", "acme", "2000 USD", "--date", "2026-12-06",
            "--memo", "Implementation", "--ref", "INV-104"),
        1,
    )  # fmt: skip

    assert message == "ref 'INV-104' was already used with date 2026-12-05 (asked 2026-12-06)"
    assert snapshot(closed_seed.parent) == before


def test_without_ref_the_same_sale_twice_is_two_invoices(closed_seed, run, ok, entries):
    assert ok(run(closed_seed, *SELL, "2000 USD")) == [
        "invoice inv-2026-12-05-acme: 2000.00 USD services to acme"
    ]
    assert ok(run(closed_seed, *SELL, "2000 USD")) == [
        "invoice inv-2026-12-05-acme.2: 2000.00 USD services to acme"
    ]
    ids = sorted(
        e.meta["id"] for e in entries(closed_seed) if e.meta.get("id", "").startswith("sell/")
    )
    assert ids == ["sell/2026-12-05/acme/1", "sell/2026-12-05/acme/2"]


def test_close_is_idempotent_across_several_months(closed_seed, run, ok, snapshot, monkeypatch):
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-15")
    ok(run(closed_seed, "close", "2026-12"))
    before = snapshot(closed_seed.parent)

    assert ok(run(closed_seed, "close", "2026-11"))[0] == "2026-11 already closed, nothing changed"
    assert ok(run(closed_seed, "close", "2026-12"))[0] == "2026-12 already closed, nothing changed"

    assert snapshot(closed_seed.parent) == before


# ---------------------------------------------------------------- drift and seals


CHANGE_IN_NOVEMBER = '\n2026-11-10 custom "onebox-change" "acme-cloud"\n  quantity: 8\n'


def test_a_contract_changed_inside_a_sealed_month_is_drift(closed_seed, run, ok, refused, snapshot):
    customers = closed_seed.parent / "ledger" / "customers.beancount"
    with customers.open("a", encoding="utf-8") as handle:
        handle.write(CHANGE_IN_NOVEMBER)
    before = snapshot(closed_seed.parent)

    message = refused(run(closed_seed, "close", "2026-11"), 1)

    assert message == (
        "2026-11 is sealed but the contracts now give a different close"
        " (first difference: close/2026-11/acme-cloud/cost); run 'onebox-ledger verify'"
        " to see the drift"
    )
    assert snapshot(closed_seed.parent) == before

    result = run(closed_seed, "verify")

    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    # the change is dated inside sealed November, so the seal plugin reports it first
    assert lines[0].startswith("error: ")
    assert "2026-11 is sealed but what its seal covers changed" in lines[0]
    lines = lines[1:]
    assert lines[:2] == ["--- 2026-11 as written", "+++ 2026-11 as the contracts give it"]
    # 5 users for 9/30 days + 8 users for 21/30 days: 25 x 213 / 30 = 177.50;
    # at 65% of list: 115.375 -> 115.38
    for line in [
        "-  Expenses:OneBox:Cloud              81.25 USD",
        "-  Liabilities:OneBox:Payable        -81.25 USD",
        "+  Expenses:OneBox:Cloud             115.38 USD",
        "+  Liabilities:OneBox:Payable       -115.38 USD",
        "-  Assets:Receivable:Acme        125.00 USD",
        "-  Income:Cloud                 -125.00 USD",
        "+  Assets:Receivable:Acme        177.50 USD",
        "+  Income:Cloud                 -177.50 USD",
    ]:
        assert line in lines
    # the services invoice did not change: it is context, not a difference
    assert not any(line[:1] in "+-" and "2000.00" in line for line in lines[2:])
    assert lines[-1] == (
        "verify: 1 sealed month(s) (2026-11..2026-11), 3 generated entries re-derived,"
        " 1 finding(s), DRIFT"
    )
    assert snapshot(closed_seed.parent) == before


def _edit_sealed_invoice(main: Path) -> None:
    """125.00 -> 126.00 on both postings of the sealed cloud invoice: still balanced."""
    path = main.parent / "ledger" / "journal" / "2026-11.beancount"
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "  Assets:Receivable:Acme        125.00 USD\n  Income:Cloud                 -125.00 USD\n",
        "  Assets:Receivable:Acme        126.00 USD\n  Income:Cloud                 -126.00 USD\n",
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def _seal_line(main: Path) -> int:
    lines = (main.parent / "ledger" / "journal" / "2026-11.beancount").read_text().splitlines()
    [number] = [i + 1 for i, line in enumerate(lines) if '"onebox-close"' in line]
    return number


def test_an_edited_amount_in_a_sealed_month_is_a_seal_error(
    closed_seed, run, bean_check, refused, snapshot
):
    _edit_sealed_invoice(closed_seed)
    month_file = closed_seed.parent / "ledger" / "journal" / "2026-11.beancount"

    errors = bean_check(closed_seed)

    assert len(errors) == 1
    [error] = errors
    assert error.source["filename"] == str(month_file)
    assert error.source["lineno"] == _seal_line(closed_seed)
    assert error.message.startswith(
        "2026-11 is sealed but what its seal covers changed (digest sha256:"
    )
    assert error.message.endswith("...); restore it from git or re-open the month")
    assert "instead of sha256:" in error.message

    before = snapshot(closed_seed.parent)
    result = run(closed_seed, "verify")

    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"error: ledger/journal/2026-11.beancount:{_seal_line(closed_seed)}: 2026-11 is sealed"
        " but what its seal covers changed (digest sha256:"
    )
    assert "-  Assets:Receivable:Acme        126.00 USD" in lines
    assert "+  Assets:Receivable:Acme        125.00 USD" in lines
    assert lines[-1] == (
        "verify: 1 sealed month(s) (2026-11..2026-11), 3 generated entries re-derived,"
        " 1 finding(s), DRIFT"
    )
    assert snapshot(closed_seed.parent) == before

    message = refused(
        run(closed_seed, "sell", "acme", "1 USD", "--date", "2026-12-05", "--memo", "x"), 1
    )
    assert message.startswith(
        "the ledger already has 1 error(s); fix them first (bean-check main.beancount):"
        f" {month_file}:{_seal_line(closed_seed)}: 2026-11 is sealed but what its seal covers changed"
    )
    assert snapshot(closed_seed.parent) == before


def test_a_transaction_added_to_a_sealed_month_in_another_file_is_a_seal_error(
    closed_seed, run, bean_check
):
    opening = closed_seed.parent / "ledger" / "journal" / "opening.beancount"
    with opening.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-11-15 * "Acme Realty" "Cash sale"\n'
            "  Assets:Bank       50.00 USD\n"
            "  Income:Services  -50.00 USD\n"
        )

    errors = bean_check(closed_seed)

    assert [e.message.split(" (digest")[0] for e in errors] == [
        "2026-11 is sealed but what its seal covers changed"
    ]
    assert run(closed_seed, "verify").exit_code == 1


def test_a_transaction_deleted_from_a_sealed_month_is_a_seal_error(closed_seed, run, bean_check):
    path = closed_seed.parent / "ledger" / "journal" / "2026-11.beancount"
    text = path.read_text(encoding="utf-8")
    start = text.index('2026-11-30 * "Acme Realty" "Services:')
    end = text.index("2026-11-30 custom")
    path.write_text(text[:start] + text[end:], encoding="utf-8")

    errors = bean_check(closed_seed)

    assert [e.message.split(" (digest")[0] for e in errors] == [
        "2026-11 is sealed but what its seal covers changed"
    ]
    result = run(closed_seed, "verify")
    assert result.exit_code == 1
    assert '-  id: "close/2026-11/acme-impl/invoice"' not in result.stdout
    assert '+  id: "close/2026-11/acme-impl/invoice"' in result.stdout.splitlines()
