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
