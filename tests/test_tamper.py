"""The tamper catalogue: edits an attacker (or a careless hand) makes to sealed books.

Each case edits a copy of the shipped demo (ten months, 2026-01..2026-10, all
sealed) and asserts that ``onebox-ledger verify`` exits 1 with a line naming the
place (file and line, and the month), and that bean-check, which runs the
plugins named in main.beancount, reports it wherever a plugin can see it (a
deleted plugin line is visible only to ``verify``, which trusts no plugin line).
Files are left as the attack left them: verify only reads.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.core.amount import Amount
from conftest import ERROR, copy_demo, invoke, load_errors, take_snapshot

from onebox_ledger import beans, seals
from onebox_ledger.money import Rates
from onebox_ledger.store import Ledger

DEMO = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(fixed_today: None, tmp_path: Path) -> Path:
    """A copy of the shipped demo ledger; returns its main.beancount."""
    root = tmp_path / "demo"
    root.mkdir()
    copy_demo(root)
    return root / "main.beancount"


def journal(main: Path, name: str) -> Path:
    return main.parent / "ledger" / "journal" / f"{name}.beancount"


def edit(path: Path, pattern: str, replacement: str) -> int:
    """Replace the first match of `pattern` (a regex, multiline) in `path`; its line number."""
    text = path.read_text()
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{pattern!r} not in {path.name}"
    path.write_text(text[: match.start()] + match.expand(replacement) + text[match.end() :])
    return text.count("\n", 0, match.start()) + 1


def append(path: Path, text: str) -> int:
    """Append `text` after a blank line; the line number of its first line."""
    old = path.read_text() if path.exists() else ""
    path.write_text(old + "\n" + text)
    return old.count("\n") + 2


def seal_line(main: Path, month: str) -> int:
    text = journal(main, month).read_text()
    return text[: text.index(f'custom "onebox-close" "{month}"')].count("\n") + 1


def head(main: Path) -> str:
    text = journal(main, "2026-10").read_text()
    return text.split('custom "onebox-close" "2026-10" "', 1)[1].split('"', 1)[0]


@dataclass(frozen=True)
class Attack:
    mutate: Callable[[Path], str]  # edits the ledger; returns the regex a verify line must match
    plugin_sees: bool = True  # bean-check (the plugins of main.beancount) reports it too


def changed(month: str) -> Callable[[Path], str]:
    """The finding of a sealed month whose covered entries changed, at its seal."""

    def where(main: Path) -> str:
        return (
            rf"^error: ledger/journal/{month}\.beancount:{seal_line(main, month)}: {month} is"
            r" sealed but what its seal covers changed \(digest sha256:[0-9a-f]{12}\.\.\."
            r" instead of sha256:[0-9a-f]{12}\.\.\.\); restore it from git or re-open the month$"
        )

    return where


def _pad(main: Path) -> str:
    prices = main.parent / "ledger" / "prices.beancount"
    line = append(prices, "2026-05-10 pad Assets:Bank Income:Services\n")
    append(prices, "2026-05-20 balance Assets:Bank 99999.00 USD\n")
    return (
        rf"^error: ledger/prices\.beancount:{line}: pad dated 2026-05-10, in or before sealed month"
        r" 2026-05: a sealed month cannot be padded"
    )


def _price_in_sealed_march(main: Path) -> str:
    append(main.parent / "ledger" / "prices.beancount", "2026-03-02 price EUR 9.99 USD\n")
    return changed("2026-03")(main)


def _edit_amount_without_plugins(main: Path) -> str:
    edit(main, r'^plugin "onebox_ledger.plugins.seal"\n', "")
    edit(journal(main, "2026-05"), r"^(  Assets:Receivable:\S+ +)(\d+)(\.\d\d USD)$", r"\g<1>1\2\3")
    return changed("2026-05")(main)


def _added_without_plugins(main: Path) -> str:
    edit(main, r'^plugin "onebox_ledger.plugins.seal"\n', "")
    append(
        journal(main, "2026-04"),
        '2026-04-12 * "Cash" "A hand-written sale"\n'
        "  Assets:Bank       500.00 USD\n  Income:Services  -500.00 USD\n",
    )
    return changed("2026-04")(main)


def _plugin_line_deleted(main: Path) -> str:
    edit(main, r'^plugin "onebox_ledger.plugins.seal"\n', "")
    return (
        r'^error: main\.beancount:0: plugin "onebox_ledger.plugins.seal" is missing: bean-check'
        r" and Fava no longer run its checks"
    )


def _operating_currency(main: Path) -> str:
    line = edit(main, r'^option "operating_currency" "USD"$', 'option "operating_currency" "EUR"')
    assert line > 0
    return changed("2026-01")(main)


def _backdated_sale(main: Path) -> str:
    edit(main.parent / "ledger" / "accounts.beancount", r"^2026-01-01 open Assets:Bank USD$",
         "2025-12-01 open Assets:Bank USD")  # fmt: skip
    edit(main.parent / "ledger" / "accounts.beancount", r"^2026-01-01 open Income:Services$",
         "2025-12-01 open Income:Services")  # fmt: skip
    append(
        journal(main, "opening"),
        '2025-12-15 * "Cash" "Consulting"\n  Assets:Bank       50000.00 USD\n'
        "  Income:Services  -50000.00 USD\n",
    )
    return changed("2026-01")(main)


def _price_on_a_posting(main: Path) -> str:
    edit(journal(main, "2026-05"), r"^(  Assets:Wise:EUR +\d+\.\d\d EUR) @ [\d.]+ USD$",
         r"\1 @ 5.00 USD")  # fmt: skip
    return changed("2026-05")(main)


def _posting_flag(main: Path) -> str:
    edit(journal(main, "2026-06"), r"^  (Assets:Bank +\d)", r"  ! \1")
    return changed("2026-06")(main)


def _seal_boxes(main: Path) -> str:
    edit(journal(main, "2026-07"), r"^  boxes: (\d+)$", r"  boxes: 99")
    return changed("2026-07")(main)


def _seal_rate(main: Path) -> str:
    edit(journal(main, "2026-07"), r"^  rate: 0\.60$", "  rate: 0.50")
    return changed("2026-07")(main)


def _seal_previous(main: Path) -> str:
    edit(journal(main, "2026-08"), r'^  previous: "sha256:[0-9a-f]+"$', '  previous: "sha256:00"')
    return (
        rf"^error: ledger/journal/2026-08\.beancount:{seal_line(main, '2026-08')}: 2026-08's seal"
        r" follows sha256:00\.\.\., but the seal before it is sha256:[0-9a-f]{12}\.\.\.;"
        r" the chain is broken"
    )


def _transaction_in_main(main: Path) -> str:
    append(
        main,
        '2026-09-14 * "Fava" "Added through add-entry"\n'
        "  Assets:Bank       10.00 USD\n  Income:Services  -10.00 USD\n",
    )
    return changed("2026-09")(main)


def _adjustments_file(main: Path) -> str:
    append(
        journal(main, "adjustments"),
        '2026-02-14 * "Hand" "Adjustment"\n  Assets:Bank       10.00 USD\n'
        "  Income:Services  -10.00 USD\n",
    )
    return changed("2026-02")(main)


def _entry_in_another_months_file(main: Path) -> str:
    append(
        journal(main, "2026-10"),
        '2026-03-14 * "Hand" "Misfiled"\n  Assets:Bank       10.00 USD\n'
        "  Income:Services  -10.00 USD\n",
    )
    return changed("2026-03")(main)


def _contract_change(main: Path) -> str:
    append(
        main.parent / "ledger" / "customers.beancount",
        '2026-06-10 custom "onebox-change" "acme-realty-cloud"\n  quantity: 50\n',
    )
    return changed("2026-06")(main)


def _retroactive_list_price(main: Path) -> str:
    edit(main.parent / "ledger" / "terms.beancount",
         r'^2026-01-01 custom "onebox-item" "cloud-user" 25\.00 USD$',
         '2026-01-01 custom "onebox-item" "cloud-user" 20.00 USD')  # fmt: skip
    return changed("2026-01")(main)


def _tier_in_sealed_month(main: Path) -> str:
    append(main.parent / "ledger" / "terms.beancount", '2026-04-01 custom "onebox-rate" 2 0.10\n')
    return changed("2026-04")(main)


def _open_moved(main: Path) -> str:
    edit(main.parent / "ledger" / "accounts.beancount",
         r"^2026-01-01 open Income:Cloud$", "2026-01-02 open Income:Cloud")  # fmt: skip
    return changed("2026-01")(main)


def _account_closed(main: Path) -> str:
    append(
        main.parent / "ledger" / "accounts.beancount", "2026-08-31 close Assets:Prepaid:OneBox\n"
    )
    return changed("2026-08")(main)


def _tag_added(main: Path) -> str:
    edit(journal(main, "2026-05"), r'^(2026-05-\d\d \* "[^"]*" "Payment received")$', r"\1 #x")
    return changed("2026-05")(main)


def _invoice_meta(main: Path) -> str:
    edit(journal(main, "2026-06"), r'^(    invoice: "inv-2026-05-[a-z-]+)"$', r'\1.9"')
    return changed("2026-06")(main)


def _narration(main: Path) -> str:
    edit(journal(main, "2026-09"), r'"Payment received"$', '"Payment receivedX"')
    return changed("2026-09")(main)


def _date_moved_within(main: Path) -> str:
    edit(journal(main, "2026-05"), r'^2026-05-(\d\d) \* "[^"]*" "Payment received"$',
         r'2026-05-28 * "Moved" "Payment received"')  # fmt: skip
    return changed("2026-05")(main)


def _date_moved_out(main: Path) -> str:
    edit(journal(main, "2026-05"), r'^2026-05-\d\d (\* "[^"]*" "Payment received")$',
         r"2026-11-02 \1")  # fmt: skip
    return changed("2026-05")(main)


def _usage(main: Path) -> str:
    edit(journal(main, "2026-05"), r'^(2026-05-31 custom "onebox-usage" "[a-z-]+" )(\d+)$',
         r"\g<1>1\2")  # fmt: skip
    return changed("2026-05")(main)


def _extra_include(main: Path) -> str:
    (main.parent / "extra.beancount").write_text("; nothing\n")
    line = append(main, 'include "extra.beancount"\n')
    return (
        rf'^error: main\.beancount:{line}: include "extra\.beancount" is not one onebox-ledger'
        r" writes"
    )


def _foreign_plugin(main: Path) -> str:
    line = edit(main, r'^(plugin "onebox_ledger.plugins.seal")$',
                r'\1\nplugin "beancount.plugins.implicit_prices"') + 1  # fmt: skip
    return (
        rf'^error: main\.beancount:{line}: plugin "beancount\.plugins\.implicit_prices" is not'
        r" allowed: a plugin runs code"
    )


def _option(main: Path) -> str:
    line = append(main, 'option "booking_method" "FIFO"\n')
    return rf'^error: main\.beancount:{line}: option "booking_method" is set'


def _fava_extension(main: Path) -> str:
    line = append(main.parent / "ledger" / "terms.beancount",
                  '2026-11-01 custom "fava-extension" "evil_module"\n')  # fmt: skip
    return rf"^error: ledger/terms\.beancount:{line}: Fava extension 'evil_module' is not allowed"


def _include_in_prices(main: Path) -> str:
    """The issue's attack: an include appended to a file of ledger/ adds a November sale that
    neither the seals (November is open) nor main.beancount's lines show."""
    elsewhere = main.parent.parent / "elsewhere.beancount"
    elsewhere.write_text(
        '2026-11-10 * "Cash" "A sale from elsewhere"\n'
        "  Assets:Bank       1000000.00 USD\n  Income:Services  -1000000.00 USD\n"
    )
    line = append(main.parent / "ledger" / "prices.beancount", f'include "{elsewhere}"\n')
    return (
        rf'^error: ledger/prices\.beancount:{line}: include "{re.escape(str(elsewhere))}" is not'
        r" allowed here: only main\.beancount names includes, options and plugins$"
    )


def _loaded_file_outside(main: Path) -> str:
    """Backing up the text scan: whatever included it, a foreign file loaded is named."""
    elsewhere = main.parent.parent / "elsewhere.beancount"
    elsewhere.write_text("; nothing\n")
    append(main.parent / "ledger" / "prices.beancount", f'include "{elsewhere}"\n')
    return (
        rf"^error: {re.escape(str(elsewhere))}:0: this file is loaded but is none of the books'"
        r" own"
    )


def _indented_include(main: Path) -> str:
    (main.parent / "ledger" / "extra.beancount").write_text("; nothing\n")
    line = append(main.parent / "ledger" / "terms.beancount", '  include "extra.beancount"\n')
    return (
        rf'^error: ledger/terms\.beancount:{line}: include "extra\.beancount" is not allowed here'
    )


def _option_in_prices(main: Path) -> str:
    line = append(
        main.parent / "ledger" / "prices.beancount", 'option "operating_currency" "EUR"\n'
    )
    return (
        rf'^error: ledger/prices\.beancount:{line}: option "operating_currency" is not allowed'
        r" here"
    )


def _operating_currency_merged(main: Path) -> str:
    append(main.parent / "ledger" / "prices.beancount", 'option "operating_currency" "EUR"\n')
    return (
        r'^error: main\.beancount:4: option "operating_currency" must name exactly one currency'
        r" \(in all files together\), not 2: USD, EUR$"
    )


def _plugin_in_journal(main: Path) -> str:
    line = append(journal(main, "2026-10"), 'plugin "beancount.plugins.auto_accounts"\n')
    return (
        rf"^error: ledger/journal/2026-10\.beancount:{line}: plugin"
        r' "beancount\.plugins\.auto_accounts" is not allowed here'
    )


def _auto_accounts_in_main(main: Path) -> str:
    line = append(main, 'plugin "beancount.plugins.auto_accounts"\n')
    return (
        rf'^error: main\.beancount:{line}: plugin "beancount\.plugins\.auto_accounts" is not'
        r" allowed: a plugin runs code"
    )


def _precision(main: Path) -> str:
    line = edit(
        main.parent / "ledger" / "accounts.beancount",
        r"^2026-01-01 commodity USD$",
        "2026-01-01 commodity USD\n  precision: 0",
    )
    return (
        rf"^error: ledger/accounts\.beancount:{line}: commodity USD sets precision: 0: Fava would"
        r" round every USD figure on every page, sealed months included"
    )


def _commodity_named(main: Path) -> str:
    line = append(
        main.parent / "ledger" / "prices.beancount", '2026-11-01 commodity GBP\n  name: "EUR"\n'
    )
    return (
        rf"^error: ledger/prices\.beancount:{line}: commodity GBP is named 'EUR': Fava would show"
        r" GBP amounts as EUR"
    )


def _fava_option(main: Path) -> str:
    line = append(
        main.parent / "ledger" / "terms.beancount",
        '2026-11-01 custom "fava-option" "invert-income-liabilities-equity" "true"\n',
    )
    return (
        rf"^error: ledger/terms\.beancount:{line}: fava-option 'invert-income-liabilities-equity'"
        r" is not allowed: it changes what Fava shows for every month, sealed ones included"
    )


def _import_dirs_outside(main: Path) -> str:
    line = append(main, '2026-01-01 custom "fava-option" "import-dirs" "/"\n')
    return (
        rf'^error: main\.beancount:{line}: fava-option "import-dirs" "/" is outside the books\''
        r" folder"
    )


def _include_dropped(main: Path) -> str:
    edit(main, r'^include "ledger/prices.beancount"\n', "")
    return r'^error: main\.beancount:0: include "ledger/prices\.beancount" is missing'


def _middle_seal_deleted(main: Path) -> str:
    edit(journal(main, "2026-04"), r'^2026-04-30 custom "onebox-close".*\n(  .*\n)*', "")
    return (
        rf"^error: ledger/journal/2026-05\.beancount:{seal_line(main, '2026-05')}: 2026-04 has no"
        r" seal although 2026-03 and 2026-05 are sealed"
    )


def _sealed_twice(main: Path) -> str:
    text = journal(main, "2026-02").read_text()
    seal = re.search(r'^2026-02-28 custom "onebox-close".*\n(  .*\n)*', text, re.MULTILINE)
    assert seal
    line = append(journal(main, "2026-03"), seal.group(0))
    return rf"^error: ledger/journal/2026-03\.beancount:{line}: 2026-02 is sealed twice$"


ATTACKS = {
    "pad-in-prices": Attack(_pad),
    "price-in-sealed-march": Attack(_price_in_sealed_march),
    "amount-edited-plugin-deleted": Attack(_edit_amount_without_plugins, plugin_sees=False),
    "transaction-added-plugin-deleted": Attack(_added_without_plugins, plugin_sees=False),
    "plugin-line-deleted": Attack(_plugin_line_deleted, plugin_sees=False),
    "operating-currency-changed": Attack(_operating_currency),
    "backdated-sale-before-first-seal": Attack(_backdated_sale),
    "price-added-to-a-posting": Attack(_price_on_a_posting),
    "posting-flag": Attack(_posting_flag),
    "seal-boxes": Attack(_seal_boxes),
    "seal-rate": Attack(_seal_rate),
    "seal-previous": Attack(_seal_previous),
    "transaction-in-main": Attack(_transaction_in_main),
    "adjustments-file": Attack(_adjustments_file),
    "entry-in-another-months-file": Attack(_entry_in_another_months_file),
    "contract-change-in-sealed-month": Attack(_contract_change),
    "retroactive-list-price": Attack(_retroactive_list_price),
    "tier-in-sealed-month": Attack(_tier_in_sealed_month),
    "open-date-moved": Attack(_open_moved),
    "account-closed-in-sealed-month": Attack(_account_closed),
    "tag-added": Attack(_tag_added),
    "invoice-metadata-changed": Attack(_invoice_meta),
    "narration-changed": Attack(_narration),
    "date-moved-within-month": Attack(_date_moved_within),
    "date-moved-out-of-month": Attack(_date_moved_out),
    "usage-changed": Attack(_usage),
    "extra-include": Attack(_extra_include),
    "foreign-plugin": Attack(_foreign_plugin),
    "extra-option": Attack(_option),
    "foreign-fava-extension": Attack(_fava_extension),
    "include-dropped": Attack(_include_dropped),
    "include-in-prices": Attack(_include_in_prices),
    "loaded-file-outside": Attack(_loaded_file_outside),
    "indented-include": Attack(_indented_include),
    "option-in-prices": Attack(_option_in_prices),
    "operating-currency-merged": Attack(_operating_currency_merged),
    "plugin-in-journal": Attack(_plugin_in_journal),
    "auto-accounts-in-main": Attack(_auto_accounts_in_main),
    "commodity-precision": Attack(_precision),
    "commodity-named-as-another": Attack(_commodity_named),
    "fava-option": Attack(_fava_option),
    "import-dirs-outside": Attack(_import_dirs_outside),
    "middle-seal-deleted": Attack(_middle_seal_deleted),
    "sealed-twice": Attack(_sealed_twice),
}


def test_the_demo_is_clean(demo: Path) -> None:
    result = invoke(demo, "verify")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-2] == f"head: 2026-10 {head(demo)}"
    assert load_errors(demo) == []


@pytest.mark.parametrize("name", list(ATTACKS))
def test_verify_catches(name: str, demo: Path) -> None:
    attack = ATTACKS[name]
    expected = attack.mutate(demo)
    before = take_snapshot(demo.parent)

    result = invoke(demo, "verify")

    assert result.exit_code == 1, result.stdout
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert any(re.search(expected, line) for line in lines), "\n".join([expected, *lines])
    assert lines[-1].endswith(("finding(s), no drift", "finding(s), DRIFT"))
    assert take_snapshot(demo.parent) == before  # verify only reads
    root = f"{demo.parent}/"
    messages = [
        f"error: {e.source.get('filename', '').removeprefix(root)}:{e.source.get('lineno', 0)}:"
        f" {' '.join(e.message.split())}"
        for e in load_errors(demo)
    ]
    found = [m for m in messages if re.search(expected, m)]
    if attack.plugin_sees:
        assert found, "\n".join([expected, *messages])
    else:
        assert found == []


def test_a_deleted_newest_month_is_caught_with_the_noted_head(demo: Path) -> None:
    noted = head(demo)
    journal(demo, "2026-10").unlink()

    clean = invoke(demo, "verify")  # a shorter chain is a valid chain ...
    assert clean.exit_code == 0, clean.stdout
    newest = clean.stdout.splitlines()[-2]
    assert newest.startswith("head: 2026-09 sha256:")

    result = invoke(demo, "verify", "--head", noted)  # ... but not the one the auditor noted
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"error: main.beancount:0: head {noted} is not in the chain (its newest seal is"
        f" {newest.removeprefix('head: ')}): a month sealed since the last audit was removed,"
        " or a seal rewritten"
    )
    assert invoke(demo, "verify", "--head", newest.split()[-1]).exit_code == 0


def test_a_resealed_chain_passes_only_without_the_noted_head(demo: Path) -> None:
    """The attacker who edits March and recomputes every seal from March on with our own code
    gets a consistent chain; only the head an auditor wrote down shows it."""
    noted = head(demo)
    edit(journal(demo, "2026-03"), r'"Payment received"$', '"Payment received twice"')
    ledger = Ledger(demo)
    entries = ledger.load().entries
    previous = seals.FIRST
    chain, _ = seals.findings(entries, "USD")
    found = seals.buckets(entries, [s.month for s in chain])
    for seal in chain:
        meta = {**seals.seal_meta(seal.entry), "previous": previous}
        digest = seals.digest(seal.month, previous, "USD", meta, found[seal.month])
        path = journal(demo, str(seal.month))
        text = path.read_text().replace(seal.digest, digest)
        if seal.previous is not None:
            text = text.replace(f'previous: "{seal.previous}"', f'previous: "{previous}"')
        path.write_text(text)
        previous = digest

    assert load_errors(demo) == []
    assert invoke(demo, "verify").exit_code == 0
    result = invoke(demo, "verify", "--head", noted)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"error: main.beancount:0: head {noted} is not in the chain")


def test_price_into_a_sealed_month_is_refused(demo: Path) -> None:
    before = take_snapshot(demo.parent)
    result = invoke(demo, "price", "EUR", "9.99 USD", "--date", "2026-03-02")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{ERROR}date 2026-03-02 is in sealed month 2026-03; the books are closed through"
        " 2026-10 (use a date from 2026-11-01 on)\n"
    )
    assert take_snapshot(demo.parent) == before


def test_inverse_quotes_are_no_drift_and_rates_keep_their_digits(demo: Path) -> None:
    """Thirty hand-written quotes the other way (USD in EUR) in an open month: Beancount's
    price map would serve EUR->USD from them, twice inverted (1.060000000000000000000000000),
    and verify reported DRIFT in every EUR month. Rates are the direct quotes, digit for digit."""
    prices = demo.parent / "ledger" / "prices.beancount"
    for day in range(1, 31):
        append(prices, f"2026-11-{day:02d} price USD 0.9 EUR\n")

    result = invoke(demo, "verify")

    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == (
        "verify: 10 sealed month(s) (2026-01..2026-10), 216 generated entries re-derived,"
        " 9 commission(s) re-derived, 9 document(s) checked, 0 finding(s), no drift"
    )
    rates = Rates.of(Ledger(demo).load().entries, "USD")
    assert str(rates.need("EUR", datetime.date(2026, 2, 15), "a test")) == "1.05"
    assert str(rates.need("EUR", datetime.date(2026, 11, 15), "a test")) == "1.08"


def test_verify_compares_a_rate_by_its_value() -> None:
    """A rate written 1.06 and re-derived 1.060000000000000000000000000 is the same rate."""
    written = beans.posting("Assets:Receivable:Acme", Decimal("92.00"), "EUR")
    written = written._replace(price=Amount(Decimal("1.06"), "USD"))
    derived = written._replace(price=Amount(Decimal("1.060000000000000000000000000"), "USD"))
    other = written._replace(price=Amount(Decimal("1.07"), "USD"))
    entry = data.Transaction(
        {}, datetime.date(2026, 2, 28), "*", None, "x", frozenset(), frozenset(), [written]
    )
    assert beans.identity(entry) != beans.identity(entry._replace(postings=[derived]))
    assert beans.identity(entry, rates_by_value=True) == beans.identity(
        entry._replace(postings=[derived]), rates_by_value=True
    )
    assert beans.identity(entry, rates_by_value=True) != beans.identity(
        entry._replace(postings=[other]), rates_by_value=True
    )
