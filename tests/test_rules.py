"""Rules for the bank rows that are no customer's, OneBox's or fee: the rule, the command, the
import that books by them, and the suggestion for a row no rule matches."""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from click.testing import Result
from conftest import load_entries, load_errors

from onebox_ledger import rules

D = Decimal
HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "importers" / "bank-2026-11.csv"
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Refused = Callable[[Result, int], str]
Snapshot = Callable[[Path], dict[str, bytes]]
NOV = datetime.date(2026, 11, 1)


def rule(pattern: str, account: str, **kw: Any) -> rules.Rule:
    return rules.Rule(kw.pop("date", NOV), pattern, account, **kw)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("counterparty", "description", "amount", "expected"),
    [
        ("Office Rent LLC", "Rent November 2026", "-1500.00", "Expenses:Rent"),
        ("OFFICE   RENT llc", "", "-1500.00", "Expenses:Rent"),  # any case, spaces as one
        ("Office Rent LLC", "Refund of deposit", "500.00", None),  # money in: the rule is out
        ("Landlord", "office rent November", "-1500.00", None),  # the counterparty only
        ("Bolt", "Taxi ride 12.11", "-14.20", "Expenses:Travel"),
        ("ДПС", "Єдиний податок, 3 квартал", "-2400.00", "Liabilities:Tax:Single"),
        ("", "ЄДИНИЙ ПОДАТОК за жовтень", "-800.00", "Liabilities:Tax:Single"),
        ("Bank", "Zinsen 11/2026", "1.37", "Income:Interest"),
        ("Bank", "Zinsen storniert", "-1.37", None),  # out: the interest rule is in
    ],
)
def test_a_row_matches_the_rule_whose_text_it_holds(
    counterparty: str, description: str, amount: str, expected: str | None
) -> None:
    known = [
        rule("office rent", "Expenses:Rent", field="counterparty", direction="out"),
        rule("taxi", "Expenses:Travel", direction="out"),
        rule("єдиний податок", "Liabilities:Tax:Single", direction="out"),
        rule("Zinsen", "Income:Interest", direction="in"),
    ]
    found = rules.match(known, counterparty, description, D(amount), datetime.date(2026, 11, 20))
    assert (found.account if found else None) == expected


def test_the_latest_rule_then_the_longest_pattern_wins() -> None:
    known = [
        rule("rent", "Expenses:Rent"),
        rule("office rent", "Expenses:Office"),  # more specific
        rule("rent", "Expenses:Premises", date=datetime.date(2026, 12, 1)),  # replaces "rent"
    ]

    def at(day: datetime.date, text: str) -> str | None:
        found = rules.match(known, "", text, D("-1"), day)
        return found.account if found else None

    assert at(datetime.date(2026, 11, 20), "Rent November") == "Expenses:Rent"
    assert at(datetime.date(2026, 11, 20), "Office rent November") == "Expenses:Office"
    assert at(datetime.date(2026, 12, 20), "Rent December") == "Expenses:Premises"
    assert at(datetime.date(2026, 10, 20), "Rent October") is None  # before every rule


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ("Income:Cloud", "Income:Cloud is where onebox-ledger books revenue; a rule books to an"
         " account of your own (like Expenses:Rent, Liabilities:Tax:Single, Equity:Owner)"),
        ("Assets:Receivable:Acme", "Assets:Receivable:Acme is where onebox-ledger books customers'"
         " invoices; a rule books to an account of your own (like Expenses:Rent,"
         " Liabilities:Tax:Single, Equity:Owner)"),
        ("Expenses:OneBox:Cloud", "Expenses:OneBox:Cloud is where onebox-ledger books OneBox"
         " cost; a rule books to an account of your own (like Expenses:Rent,"
         " Liabilities:Tax:Single, Equity:Owner)"),
        ("expenses:rent", "'expenses:rent' is not an account name (like Expenses:Rent)"),
    ],
)  # fmt: skip
def test_a_rule_never_books_to_what_onebox_ledger_books(account: str, message: str) -> None:
    with pytest.raises(rules.RuleError) as refused:
        rules.check_account(account)
    assert str(refused.value) == message


def test_a_suggestion_is_the_account_of_the_booked_row_sharing_most_words() -> None:
    history = [
        ("Uber Taxi ride", "Expenses:Travel"),
        ("Office Rent LLC Rent November", "Expenses:Rent"),
        ("Hetzner Online GmbH server", "Expenses:Hosting"),
    ]
    assert rules.suggest(history, "Bolt Taxi ride 12.11") == "Expenses:Travel"
    assert rules.suggest(history, "Rent December 2026") == "Expenses:Rent"
    assert rules.suggest(history, "Notion Labs subscription") is None  # no word in common
    assert rules.suggest(history, "12.11") is None  # no word at all


# ---------------------------------------------------------------- the commands


def test_rule_add_writes_a_dated_directive_and_rule_list_shows_it(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    terms = demo.parent / "ledger" / "terms.beancount"
    before = terms.read_text(encoding="utf-8")
    args = ["Office Rent", "Expenses:Rent", "--field", "counterparty", "--direction", "out"]
    assert ok(run(demo, "rule", "add", *args)) == [
        "rule: money out whose counterparty holds 'Office Rent' goes to Expenses:Rent from"
        " 2026-11-01"  # the first day after the sealed months
    ]
    ok(run(demo, "rule", "add", "Єдиний податок", "Liabilities:Tax:Single", "--date", "2026-12-01"))
    assert terms.read_text(encoding="utf-8") == before + (
        '\n2026-11-01 custom "onebox-rule" "Office Rent" "Expenses:Rent"\n'
        '  field: "counterparty"\n  direction: "out"\n'
        '\n2026-12-01 custom "onebox-rule" "Єдиний податок" "Liabilities:Tax:Single"\n'
        '  field: "text"\n  direction: "any"\n'
    )
    assert load_errors(demo) == []
    assert ok(run(demo, "rule", "list")) == [
        "date        pattern         field         direction  account",
        "2026-11-01  Office Rent     counterparty  out        Expenses:Rent",
        "2026-12-01  Єдиний податок  text          any        Liabilities:Tax:Single",
    ]
    assert ok(run(demo, "rule", "list", "--as-of", "2026-11-30"))[1:] == [
        "2026-11-01  Office Rent  counterparty  out        Expenses:Rent",
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("  ", "Expenses:Rent"), 2, "the pattern is empty: give the words a row's text holds,"
         " like 'rent'"),
        (("rent", "Income:Services"), 2, "Income:Services is where onebox-ledger books revenue; a"
         " rule books to an account of your own (like Expenses:Rent, Liabilities:Tax:Single,"
         " Equity:Owner)"),
        (("rent", "Expenses:Rent", "--date", "2026-10-15"), 1, "date 2026-10-15 is in sealed"
         " month 2026-10; the books are closed through 2026-10 (use a date from 2026-11-01 on)"),
        (("rent", "Expenses:Rent", "--direction", "sideways"), 2, "Invalid value for"
         " '--direction': 'sideways' is not one of 'in', 'out', 'any'."),
    ],
)  # fmt: skip
def test_a_bad_rule_is_one_line_and_changes_nothing(
    demo: Path, run: Run, refused: Refused, snapshot: Snapshot,
    args: tuple[str, ...], code: int, message: str,
) -> None:  # fmt: skip
    before = snapshot(demo.parent)
    assert refused(run(demo, "rule", "add", *args), code) == message
    assert snapshot(demo.parent) == before


def test_a_malformed_rule_written_by_hand_is_a_bean_check_error(demo: Path) -> None:
    terms = demo.parent / "ledger" / "terms.beancount"
    text = terms.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    terms.write_text(text + '\n2026-11-01 custom "onebox-rule" "rent" "Income:Cloud"\n')
    assert [(e.source["lineno"], e.message) for e in load_errors(demo)] == [
        (line, "Income:Cloud is where onebox-ledger books revenue; a rule books to an account of"
               " your own (like Expenses:Rent, Liabilities:Tax:Single, Equity:Owner)")
    ]  # fmt: skip


# ---------------------------------------------------------------- the import


def test_import_books_the_rows_rules_match_and_the_statement_is_booked_whole(
    demo: Path, run: Run, ok: Ok
) -> None:
    """The November sample on the demo: rent and the Stripe payout were unrelated; with the
    two rules the import prints for them, every row is booked."""
    lines = ok(run(demo, "import", str(SAMPLE), "--dry-run"))
    commands = [line.split("; to book it: ", 1)[1] for line in lines if "to book it" in line]
    assert commands == [
        "onebox-ledger rule add 'Office Rent LLC' ACCOUNT --field counterparty --direction out"
        " --date 2026-11-18",
        "onebox-ledger rule add 'Stripe Payments' ACCOUNT --field counterparty --direction in"
        " --date 2026-11-23",
    ]
    ok(run(demo, "rule", "add", "Office Rent LLC", "Expenses:Rent", "--field", "counterparty",
           "--direction", "out", "--date", "2026-11-18"))  # fmt: skip
    ok(run(demo, "rule", "add", "Stripe Payments", "Income:Stripe", "--field", "counterparty",
           "--direction", "in", "--date", "2026-11-23"))  # fmt: skip
    lines = ok(run(demo, "import", str(SAMPLE)))
    assert lines[6] == (
        "line 8  2026-11-18  20261118-0007  -1500.00 USD  booked: rule 'Office Rent LLC';"
        " 1500.00 USD to Expenses:Rent"
    )
    assert lines[8] == (
        "line 10  2026-11-23  20261123-0009  +350.00 USD  booked: rule 'Stripe Payments';"
        " 350.00 USD to Income:Stripe"
    )
    assert lines[-3] == (
        "booked: 6 receipt (in 2736.69 USD), 1 onebox-payment (out 1193.36 USD), 1 fee (out"
        " 12.00 USD), 2 booked (in 350.00 USD, out 1500.00 USD); listed: none"
    )
    rent = next(e for e in load_entries(demo) if e.meta.get("id") == "rule/20261118-0007")
    assert (rent.date, rent.payee, rent.narration, rent.meta["rule"]) == (
        datetime.date(2026, 11, 18),
        "Office Rent LLC",
        "Rent November 2026",
        "Office Rent LLC",
    )
    assert [(p.account, p.units.number, p.units.currency) for p in rent.postings] == [
        ("Assets:Bank", D("-1500.00"), "USD"), ("Expenses:Rent", D("1500.00"), "USD"),
    ]  # fmt: skip
    assert load_errors(demo) == []
    again = ok(run(demo, "import", str(SAMPLE)))
    assert again[6].endswith("recorded: already recorded (rule/20261118-0007) ('Office Rent LLC',"
                             " 'Rent November 2026')")  # fmt: skip


def test_a_foreign_row_is_booked_at_the_days_rate_and_json_names_the_account(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """1,250.00 EUR of rent from the Wise EUR account on 2026-11-15 at the demo's 1.08:
    1,350.00 USD of expense; the bank posting carries the rate."""
    statement = tmp_path / "wise-eur.csv"
    statement.write_text(
        "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
        "2026-11-15,2026-11-15,EUR-RENT-11,Büro Vermietung GmbH,Miete November,-1250.00,EUR,\n",
        encoding="utf-8",
    )
    ok(run(demo, "rule", "add", "Miete", "Expenses:Rent", "--direction", "out"))
    rows = json.loads("\n".join(ok(run(
        demo, "import", str(statement), "--account", "Assets:Wise:EUR", "--format", "json"
    ))))  # fmt: skip
    assert [(r["outcome"], r["account"], r["reason"]) for r in rows] == [
        ("booked", "Expenses:Rent", "rule 'Miete'")
    ]
    ok(run(demo, "import", str(statement), "--account", "Assets:Wise:EUR"))
    rent = next(e for e in load_entries(demo) if e.meta.get("id") == "rule/EUR-RENT-11")
    assert [(p.account, p.units.number, p.units.currency, p.price) for p in rent.postings] == [
        ("Assets:Wise:EUR", D("-1250.00"), "EUR", data.Amount(D("1.08"), "USD")),
        ("Expenses:Rent", D("1350.00"), "USD", None),
    ]
    assert load_errors(demo) == []


def test_a_row_no_rule_matches_gets_the_account_of_the_most_alike_booked_row(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    header = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
    first.write_text(header + "2026-11-03,2026-11-03,T-1,Uber,Taxi ride airport,-31.40,USD,\n")
    second.write_text(header + "2026-11-09,2026-11-09,T-2,Bolt,Taxi ride office,-12.90,USD,\n")
    ok(run(demo, "rule", "add", "uber", "Expenses:Travel", "--direction", "out"))
    ok(run(demo, "import", str(first)))
    rows = json.loads("\n".join(ok(run(demo, "import", str(second), "--format", "json",
                                        "--dry-run"))))  # fmt: skip
    assert [(r["outcome"], r["suggestion"]) for r in rows] == [("unrelated", "Expenses:Travel")]
    line = ok(run(demo, "import", str(second), "--dry-run"))[0]
    assert line.endswith(
        "; to book it: onebox-ledger rule add Bolt Expenses:Travel --field counterparty"
        " --direction out --date 2026-11-09"
    )


def test_the_printed_command_run_as_printed_books_the_row(
    demo: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    import shlex

    statement = tmp_path / "s.csv"
    shutil.copy(SAMPLE, statement)
    line = ok(run(demo, "import", str(statement), "--dry-run"))[6]
    command = shlex.split(line.split("; to book it: ", 1)[1].replace("ACCOUNT", "Expenses:Rent"))
    assert command[:3] == ["onebox-ledger", "rule", "add"]
    ok(run(demo, *command[1:]))
    assert ok(run(demo, "import", str(statement)))[6].endswith(
        "booked: rule 'Office Rent LLC'; 1500.00 USD to Expenses:Rent"
    )
