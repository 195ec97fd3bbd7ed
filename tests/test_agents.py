"""Agents' commissions, through the CLI on the closed seed (inv-2026-11-acme: cloud 125.00 +
services 2000.00 = 2125.00, open), figures worked by hand:

- 10% on collected money: a 125.00 receipt earns 12.50; the unpaid rest earns nothing;
- 2100.00 more (2000.00 to the invoice, 100.00 held as credit) earns 210.00, the refund of
  the 100.00 credit gives back 10.00;
- an agent of the cloud stream only earns on the cloud share of what a receipt settles:
  125.00 x 125/2125 = 7.35 (7.3529... rounded), x 10% = 0.735 -> 0.74 (half up);
- paying more than is owed is refused; verify re-derives every commission and names drift.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_entries
from test_fava_ext import client, get, parse

from onebox_ledger.agents import commission_base

COMMISSION_125 = """\
2026-12-10 * "Nadia Koval" "Commission 10% of 125.00 USD from acme (receive/BANK-1)"
  id: "commission/receive/BANK-1/nadia"
  agent: "nadia"
  customer: "acme"
  source: "receive/BANK-1"
  base: 125.00 USD
  rate: 0.10
  Expenses:Commission                  12.50 USD
  Liabilities:Commission:Nadia        -12.50 USD
"""


@pytest.fixture
def agent_seed(closed_seed: Path, run, ok) -> Path:
    ok(run(closed_seed, "agent", "add", "nadia", "--name", "Nadia Koval", "--date", "2026-12-01"))
    return closed_seed


def _assign(run, ok, main: Path, *extra: str) -> list[str]:
    return ok(run(main, "agent", "assign", "acme", "nadia", "--rate", "10%",
                  "--from", "2026-12-01", *extra))  # fmt: skip


def test_add_and_assign_write_dated_directives(agent_seed, run, ok, bean_check):
    assert _assign(run, ok, agent_seed) == [
        "acme (Acme Realty) assigned to nadia: 10% of collected money, every stream,"
        " from 2026-12-01"
    ]
    text = (agent_seed.parent / "ledger" / "customers.beancount").read_text()
    assert text.endswith(
        '2026-12-01 custom "onebox-agent" "nadia"\n  name: "Nadia Koval"\n\n'
        '2026-12-01 custom "onebox-assign" "acme" "nadia"\n  rate: 0.10\n'
    )
    assert bean_check(agent_seed) == []


def test_collected_commission_on_receipt_and_refund(agent_seed, run, ok, bean_check):
    _assign(run, ok, agent_seed)
    report = ["report", "agents", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "csv"]
    assert ok(run(agent_seed, *report))[1] == "nadia,Nadia Koval,,0.00,0.00,0.00,0.00"
    assert ok(
        run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10", "--ref", "BANK-1")
    ) == [
        "received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme;"
        " commission 12.50 USD to nadia"
    ]
    journal = (agent_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert COMMISSION_125 in journal
    assert ok(run(agent_seed, "receive", "acme", "2100 USD", "--date", "2026-12-11")) == [
        "received 2100.00 USD from acme: 2000.00 USD to inv-2026-11-acme, 100.00 USD held as"
        " credit; commission 210.00 USD to nadia"
    ]
    assert ok(run(agent_seed, "refund", "acme", "100 USD", "--date", "2026-12-12")) == [
        "refunded 100.00 USD to acme: 100.00 USD to receive/2026-12-11/acme/1;"
        " commission 10.00 USD given back by nadia"
    ]
    assert bean_check(agent_seed) == []
    assert ok(run(agent_seed, *report)) == [
        "agent,name,customers,base,earned,paid,owed",
        "nadia,Nadia Koval,acme,2125.00,212.50,0.00,212.50",
        "total,,,2125.00,212.50,0.00,212.50",
    ]
    assert ok(
        run(
            agent_seed,
            "agent",
            "pay",
            "nadia",
            "200 USD",
            "--date",
            "2026-12-14",
            "--ref",
            "BANK-9",
        )
    ) == ["paid 200.00 USD to nadia (Nadia Koval) from Assets:Bank; still owed 12.50 USD"]
    assert ok(run(agent_seed, "report", "statement", "--agent", "nadia", "--month", "2026-12"))[
        2:
    ] == [
        "date        what        customer  source                        base  rate   amount",
        "----------  ----------  --------  -------------------------  -------  ----  -------",
        "2026-12-10  earned      acme      receive/BANK-1              125.00  0.10    12.50",
        "2026-12-11  earned      acme      receive/2026-12-11/acme/1  2100.00  0.10   210.00",
        "2026-12-12  given back  acme      refund/2026-12-12/acme/1   -100.00  0.10   -10.00",
        "2026-12-14  paid                  agent-pay/BANK-9                          -200.00",
        "",
        "total         amount",
        "-----------  -------",
        "owed before     0.00",
        "earned        212.50",
        "paid         -200.00",
        "owed after     12.50",
    ]
    verified = ok(run(agent_seed, "verify"))
    assert verified[-1].endswith(
        "3 generated entries re-derived, 3 commission(s) re-derived, 0 finding(s), no drift"
    )


def test_a_stream_agent_earns_on_its_share_of_the_invoice(agent_seed, run, ok):
    _assign(run, ok, agent_seed, "--streams", "cloud")
    assert ok(run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10"))[0].endswith(
        "; commission 0.74 USD to nadia"
    )
    journal = (agent_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert (
        "  base: 7.35 USD\n  rate: 0.10\n  Expenses:Commission                   0.74 USD"
        in journal
    )
    # credit held belongs to no stream: 2100.00 is 2000.00 to the invoice (125/2125 of it
    # cloud: 117.65) and 100.00 credit, which a cloud agent does not earn on
    assert ok(run(agent_seed, "receive", "acme", "2100 USD", "--date", "2026-12-11"))[0].endswith(
        "; commission 11.77 USD to nadia"  # 117.647... -> 117.65 x 10% = 11.765 -> 11.77
    )
    assert ok(run(agent_seed, "refund", "acme", "100 USD", "--date", "2026-12-12")) == [
        "refunded 100.00 USD to acme: 100.00 USD to receive/2026-12-11/acme/1"
    ]


def test_a_write_off_of_unpaid_money_gives_nothing_back(agent_seed, run, ok):
    _assign(run, ok, agent_seed)
    assert ok(run(agent_seed, "write-off", "inv-2026-11-acme", "--date", "2026-12-10")) == [
        "invoice inv-2026-11-acme: 2125.00 USD written off to Expenses:Bad-Debt"
    ]
    journal = (agent_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert "Commission" not in journal


def test_no_assignment_before_its_from_or_after_its_to(agent_seed, run, ok):
    _assign(run, ok, agent_seed, "--to", "2026-12-09")
    assert ok(run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10")) == [
        "received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme"
    ]


def test_an_imported_receipt_carries_its_commission(agent_seed, run, ok, tmp_path):
    _assign(run, ok, agent_seed)
    statement = tmp_path / "bank.csv"
    statement.write_text(
        "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
        "2026-12-10,2026-12-10,BANK-1,Acme Realty,inv-2026-11-acme,125.00,USD,\n"
    )
    ok(run(agent_seed, "import", str(statement)))
    journal = (agent_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert COMMISSION_125 in journal


def test_verify_names_a_commission_that_drifted(agent_seed, run, ok):
    _assign(run, ok, agent_seed)
    ok(run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10", "--ref", "BANK-1"))
    path = agent_seed.parent / "ledger" / "journal" / "2026-12.beancount"
    path.write_text(path.read_text().replace("12.50 USD", "13.50 USD"))
    result = run(agent_seed, "verify")
    assert result.exit_code == 1
    assert "-  Expenses:Commission                  13.50 USD" in result.stdout
    assert "+  Expenses:Commission                  12.50 USD" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 finding(s), DRIFT")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("agent", "assign", "acme", "nadia", "--rate", "150%", "--from", "2026-12-01"), 2,
         "--rate '150%' must be above 0 and at most 100% (10% or 0.10)"),
        (("agent", "assign", "acme", "nadia", "--rate", "ten", "--from", "2026-12-01"), 2,
         "--rate 'ten' is not a rate (write it like 10% or 0.10)"),
        (("agent", "assign", "acme", "nadja", "--rate", "10%", "--from", "2026-12-01"), 2,
         "unknown agent 'nadja' (did you mean 'nadia'?)"),
        (("agent", "assign", "acm", "nadia", "--rate", "10%", "--from", "2026-12-01"), 2,
         "unknown customer 'acm' (did you mean 'acme'?)"),
        (("agent", "assign", "acme", "nadia", "--rate", "10%", "--streams", "clowd",
          "--from", "2026-12-01"), 2,
         "stream 'clowd' is not one of cloud, data, product, services (give them like"
         " cloud,services)"),
        (("agent", "assign", "acme", "nadia", "--rate", "10%", "--from", "2026-12-10",
          "--to", "2026-12-01"), 2, "--to 2026-12-01 is before --from 2026-12-10"),
        (("agent", "assign", "acme", "nadia", "--rate", "10%", "--from", "2026-11-15"), 1,
         "agent 'nadia' was added on 2026-12-01, after --from 2026-11-15 (add the agent with an"
         " earlier --date)"),
        (("agent", "add", "nadia", "--name", "N", "--date", "2026-12-01"), 1,
         "agent 'nadia' already exists (Nadia Koval)"),
        (("agent", "add", "Nadia", "--name", "N", "--date", "2026-12-01"), 2,
         "agent id 'Nadia' must start with a lowercase letter, then lowercase letters, digits"
         " and single hyphens, at most 48 characters (like 'acme-realty')"),
        (("agent", "add", "olga", "--name", "Olga", "--date", "2026-11-20"), 1,
         "date 2026-11-20 is in sealed month 2026-11; the books are closed through 2026-11 (use a"
         " date from 2026-12-01 on)"),
        (("agent", "pay", "nadia", "5 USD", "--date", "2026-12-10"), 1,
         "paying 5.00 USD to nadia exceeds the 0.00 USD the books owe them"),
        (("agent", "pay", "nadia", "5 EUR", "--date", "2026-12-10"), 2,
         "commission is booked in USD, not EUR; pay it in USD"),
        (("report", "statement", "--agent", "olga", "--month", "2026-12"), 2,
         "unknown agent 'olga'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(
    agent_seed, run, refused, snapshot, args, code, message
):
    before = snapshot(agent_seed.parent)
    assert refused(run(agent_seed, *args), code) == message
    assert snapshot(agent_seed.parent) == before


def test_an_overlapping_assignment_is_refused(agent_seed, run, ok, refused, snapshot):
    _assign(run, ok, agent_seed)
    before = snapshot(agent_seed.parent)
    result = run(agent_seed, "agent", "assign", "acme", "nadia", "--rate", "5%", "--from",
                 "2026-12-05")  # fmt: skip
    assert refused(result, 1) == (
        "acme is already assigned to nadia from 2026-12-01; end that one first (--to)"
    )
    assert snapshot(agent_seed.parent) == before


def test_paying_more_than_owed_is_refused(agent_seed, run, ok, refused, snapshot):
    _assign(run, ok, agent_seed)
    ok(run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10"))
    before = snapshot(agent_seed.parent)
    assert refused(
        run(agent_seed, "agent", "pay", "nadia", "12.51 USD", "--date", "2026-12-11"), 1
    ) == ("paying 12.51 USD to nadia exceeds the 12.50 USD the books owe them")
    assert snapshot(agent_seed.parent) == before


def test_a_malformed_assignment_is_a_bean_check_error(agent_seed, bean_check):
    path = agent_seed.parent / "ledger" / "customers.beancount"
    path.write_text(
        path.read_text() + '\n2026-12-01 custom "onebox-assign" "acme" "nadia"\n  rate: 1.5\n'
    )
    errors = bean_check(agent_seed)
    assert [e.message for e in errors] == [
        "rate must be a share above 0 and at most 1 (0.10 is 10%), not Decimal('1.5')"
    ]


def test_the_base_is_what_is_settled_until_vat_exists():
    from decimal import Decimal

    assert commission_base(Decimal("125.00"), "USD") == Decimal("125.00")
    assert commission_base(Decimal("120.00"), "USD", vat=Decimal("20.00")) == Decimal("100.00")


def test_invoiced_basis_accrues_at_the_close_and_a_write_off_gives_it_back(
    seed_ledger, run, ok, bean_check
):
    """5% of the cloud part of acme's November invoice (125.00 of 2125.00): 6.25, written by
    the close under its seal; the write-off of the invoice gives the 6.25 back."""
    ok(run(seed_ledger, "agent", "add", "olga", "--name", "Olga Sub", "--date", "2026-11-01"))
    ok(run(seed_ledger, "agent", "assign", "acme", "olga", "--rate", "0.05", "--basis",
           "invoiced", "--streams", "cloud", "--from", "2026-11-01"))  # fmt: skip
    closed = ok(run(seed_ledger, "close", "2026-11"))
    assert "  commission to agents: 6.25 USD" in closed
    november = (seed_ledger.parent / "ledger" / "journal" / "2026-11.beancount").read_text()
    assert (
        '2026-11-30 * "Olga Sub" "Commission 5% of 125.00 USD from acme (inv-2026-11-acme)"\n'
        '  id: "close/2026-11/inv-2026-11-acme/olga/commission"\n'
    ) in november
    assert ok(run(seed_ledger, "write-off", "inv-2026-11-acme", "--date", "2026-12-10")) == [
        "invoice inv-2026-11-acme: 2125.00 USD written off to Expenses:Bad-Debt;"
        " commission 6.25 USD given back by olga"
    ]
    assert bean_check(seed_ledger) == []
    assert ok(run(seed_ledger, "verify"))[-1].endswith(
        "4 generated entries re-derived, 1 commission(s) re-derived, 0 finding(s), no drift"
    )
    assert ok(run(seed_ledger, "report", "agents", "--format", "csv"))[1] == (
        "olga,Olga Sub,acme,0.00,0.00,0.00,0.00"
    )


def test_keep_and_the_onebox_page_show_commission_as_its_own_row(agent_seed, run, ok):
    """November sold 2125.00 and cost 81.25 (kept 2043.75); the 12.50 commission on
    December's 125.00 receipt is its own row, and what is kept after it is 2031.25 (95.6%:
    2031.25 / 2125.00 = 0.9559)."""
    _assign(run, ok, agent_seed)
    ok(run(agent_seed, "receive", "acme", "125 USD", "--date", "2026-12-10", "--ref", "BANK-1"))
    assert ok(run(agent_seed, "report", "keep", "--format", "csv")) == [
        "stream,sold,onebox_cost,kept,kept_pct",
        "cloud,125.00,81.25,43.75,35.0",
        "services,2000.00,0.00,2000.00,100.0",
        "total,2125.00,81.25,2043.75,96.2",
        "commission,,,-12.50,",
        "kept after commission,2125.00,81.25,2031.25,95.6",
    ]
    # no "outside the streams" note any more: commission is no longer outside
    assert ok(run(agent_seed, "report", "keep"))[-3:] == [
        "total                  2125.00        81.25  2043.75      96.2",
        "commission                                    -12.50",
        "kept after commission  2125.00        81.25  2031.25      95.6",
    ]
    page = parse(get(client(agent_seed), "/onebox-partner/extension/OneBox/"))
    assert page.sections["onebox-keep-stream"][0][-3:] == [
        ["Total", "2,125.00", "81.25", "2,043.75", "96.2"],
        ["Commission", "", "", "-12.50", ""],
        ["Kept after commission", "2,125.00", "81.25", "2,031.25", "95.6"],
    ]
    assert page.texts["onebox-headline"] == (
        "Sold 2,125.00 USD; OneBox cost 81.25 USD; kept 2,043.75 USD (96.2%)."
        " Kept after commission 2,031.25 USD (95.6%)."
    )


def test_keep_shows_the_single_tax_and_commission_then_what_is_kept_after_both():
    """Sold 1000.00, cost 300.00: kept 700.00; 50.00 single tax and 70.00 commission leave
    580.00, 58.0% of what was sold."""
    from decimal import Decimal

    from onebox_ledger.reports import Converter, keep_table

    table = keep_table(
        {("cloud",): [Decimal("1000.00"), Decimal("300.00")]}, "UAH", start=None, end=None,
        by="stream", convert=Converter([], "UAH"),
        other={"Expenses:Tax:Single": Decimal("50.00"), "Expenses:Commission": Decimal("70.00"),
               "Income:FX": Decimal("-5.00")},
    )  # fmt: skip
    assert table.totals == [
        ["total", Decimal("1000.00"), Decimal("300.00"), Decimal("700.00"), Decimal("70.0")],
        ["single tax", None, None, Decimal("-50.00"), None],
        ["commission", None, None, Decimal("-70.00"), None],
        ["kept after tax and commission", Decimal("1000.00"), Decimal("300.00"),
         Decimal("580.00"), Decimal("58.0")],
    ]  # fmt: skip
    assert table.notes == ["outside the streams: Income:FX 5.00 UAH; net income 585.00 UAH"]


def test_a_credit_note_gives_back_the_invoiced_commission_of_its_net(run, ok, tmp_path, bean_check):
    """Under VAT at 19%: berlin's January invoice is 5 x 25.00 = 125.00 + 23.75 VAT; a 10%
    invoiced-basis agent earns 12.50 (on the net). A credit note of 10.00 (+ 1.90 VAT) gives
    back 1.00 (10% of the net 10.00, not of the 11.90 credited); verify re-derives both."""
    from test_taxes import DE_STEPS, _build

    main = _build(run, ok, tmp_path / "de", "EUR", DE_STEPS)
    ok(run(main, "agent", "add", "nadia", "--name", "Nadia Koval", "--date", "2026-01-01"))
    ok(run(main, "agent", "assign", "berlin", "nadia", "--rate", "10%", "--basis", "invoiced",
           "--from", "2026-01-01"))  # fmt: skip
    assert "  commission to agents: 12.50 EUR" in ok(run(main, "close", "2026-01"))
    assert ok(run(main, "credit-note", "inv-2026-01-berlin", "10 EUR", "--date", "2026-02-11",
                  "--memo", "Outage")) == [
        "credit note cn-2026-02-11-berlin: 10.00 EUR + VAT 1.90 EUR (19%) off inv-2026-01-berlin"
        " (cloud); commission 1.00 EUR given back by nadia"
    ]  # fmt: skip
    february = (main.parent / "ledger" / "journal" / "2026-02.beancount").read_text()
    assert (
        '2026-02-11 * "Nadia Koval" "Commission 10% given back on 10.00 EUR from berlin'
        ' (credit-note/inv-2026-01-berlin/2026-02-11/1)"\n'
        '  id: "commission/credit-note/inv-2026-01-berlin/2026-02-11/1/nadia"\n'
        '  agent: "nadia"\n'
        '  customer: "berlin"\n'
        '  source: "credit-note/inv-2026-01-berlin/2026-02-11/1"\n'
        "  base: -10.00 EUR\n"
        "  rate: 0.10\n"
        "  Expenses:Commission                  -1.00 EUR\n"
        "  Liabilities:Commission:Nadia          1.00 EUR\n"
    ) in february
    assert bean_check(main) == []
    assert ok(run(main, "verify"))[-1].endswith(
        "1 commission(s) re-derived, 0 finding(s), no drift"
    )
    assert ok(run(main, "report", "agents", "--format", "csv"))[1] == (
        "nadia,Nadia Koval,berlin,115.00,11.50,0.00,11.50"
    )


def test_a_credit_note_of_a_stream_the_agent_does_not_have_gives_nothing_back(seed_ledger, run, ok):
    """olga earns 5% of acme's cloud (6.25 on 125.00); a services credit note is not hers, a
    cloud one of 20.00 gives back 1.00; a credit note on a one-time sale (which earned no
    invoiced commission: the close pays on contracts' invoices) gives nothing back, even to
    an agent of every stream."""
    ok(run(seed_ledger, "agent", "add", "olga", "--name", "Olga Sub", "--date", "2026-11-01"))
    ok(run(seed_ledger, "agent", "assign", "acme", "olga", "--rate", "0.05", "--basis",
           "invoiced", "--streams", "cloud", "--from", "2026-11-01"))  # fmt: skip
    ok(run(seed_ledger, "agent", "add", "nadia", "--name", "Nadia Koval", "--date", "2026-12-01"))
    ok(run(seed_ledger, "close", "2026-11"))
    ok(run(seed_ledger, "agent", "assign", "acme", "nadia", "--rate", "0.10", "--basis",
           "invoiced", "--from", "2026-12-01"))  # fmt: skip
    assert ok(run(seed_ledger, "credit-note", "inv-2026-11-acme", "100 USD", "--date",
                  "2026-12-05", "--stream", "services", "--memo", "Less work"))[0].endswith(
        "(services)"
    )  # fmt: skip
    assert ok(run(seed_ledger, "credit-note", "inv-2026-11-acme", "20 USD", "--date",
                  "2026-12-06", "--stream", "cloud", "--memo", "Outage"))[0].endswith(
        "(cloud); commission 1.00 USD given back by olga"
    )  # fmt: skip
    ok(run(seed_ledger, "sell", "acme", "300 USD", "--stream", "services", "--date",
           "2026-12-07", "--memo", "Setup"))  # fmt: skip
    sold = [e for e in load_entries(seed_ledger) if str(e.meta.get("id", "")).startswith("sell/")]
    invoice = sold[0].meta["invoice"]
    assert "commission" not in ok(run(seed_ledger, "credit-note", invoice, "30 USD", "--date",
                                      "2026-12-08", "--memo", "Discount"))[0]  # fmt: skip
    assert ok(run(seed_ledger, "verify"))[-1].endswith(
        "1 commission(s) re-derived, 0 finding(s), no drift"
    )


STATEMENT = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"


def test_the_importer_pays_an_agent_named_as_counterparty(agent_seed, run, ok, tmp_path):
    """The 125.00 receipt accrues 12.50 (within the same import); rows paying 10.00 and 2.50
    to Nadia settle it; 1.00 more than is owed is left for review; a re-import changes
    nothing."""
    _assign(run, ok, agent_seed)
    statement = tmp_path / "bank.csv"
    statement.write_text(
        STATEMENT + "2026-12-10,2026-12-10,BANK-1,Acme Realty,inv-2026-11-acme,125.00,USD,\n"
        "2026-12-14,2026-12-14,BANK-7,NADIA KOVAL,Commission December,-10.00,USD,\n"
        "2026-12-14,2026-12-14,BANK-8,N. Koval,Commission for Nadia Koval,-2.50,USD,\n"
        "2026-12-15,2026-12-15,BANK-9,Nadia Koval,Commission,-1.00,USD,\n"
    )
    lines = ok(run(agent_seed, "import", str(statement)))
    assert lines[1:] == [
        "line 3  2026-12-14  BANK-7  -10.00 USD  agent: counterparty is agent nadia; paid 10.00"
        " USD to nadia (Nadia Koval); still owed 2.50 USD",
        "line 4  2026-12-14  BANK-8  -2.50 USD  agent: agent nadia named in the description;"
        " paid 2.50 USD to nadia (Nadia Koval); still owed 0.00 USD",
        "line 5  2026-12-15  BANK-9  -1.00 USD  review: counterparty is agent nadia, but 1.00"
        " USD exceeds the 0.00 USD the books owe nadia (record it with onebox-ledger agent pay)"
        " ('Nadia Koval', 'Commission')",
        "booked: 1 receipt (in 125.00 USD), 2 agent (out 12.50 USD); listed: 1 review (out 1.00"
        " USD)",
    ]
    journal = (agent_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert (
        '2026-12-14 * "NADIA KOVAL" "Commission paid"\n'
        '  id: "agent-pay/BANK-7"\n'
        '  agent: "nadia"\n'
        "  amount: 10.00 USD\n"
        '  ref: "BANK-7"\n'
        "  Liabilities:Commission:Nadia         10.00 USD\n"
        "  Assets:Bank                         -10.00 USD\n"
    ) in journal
    assert ok(run(agent_seed, "import", str(statement)))[-1] == (
        "booked: none; listed: 3 recorded (in 125.00 USD, out 12.50 USD), 1 review (out 1.00 USD)"
    )
    assert ok(run(agent_seed, "report", "agents", "--format", "csv"))[1] == (
        "nadia,Nadia Koval,acme,125.00,12.50,12.50,0.00"
    )


def test_a_late_row_paying_an_agent_is_booked_on_the_first_open_day(seed_ledger, run, ok, tmp_path):
    """Olga's 6.25 invoiced-basis commission is accrued by November's close; the bank paid
    her on 2026-11-30, in the sealed month: booked 2026-12-01 with value-date 2026-11-30."""
    ok(run(seed_ledger, "agent", "add", "olga", "--name", "Olga Sub", "--date", "2026-11-01"))
    ok(run(seed_ledger, "agent", "assign", "acme", "olga", "--rate", "0.05", "--basis",
           "invoiced", "--streams", "cloud", "--from", "2026-11-01"))  # fmt: skip
    ok(run(seed_ledger, "close", "2026-11"))
    statement = tmp_path / "bank.csv"
    statement.write_text(STATEMENT + "2026-11-30,2026-11-30,BANK-3,Olga Sub,,-6.25,USD,\n")
    assert ok(run(seed_ledger, "import", str(statement)))[0] == (
        "line 2  2026-11-30  BANK-3  -6.25 USD  agent: counterparty is agent olga; paid 6.25 USD"
        " to olga (Olga Sub); still owed 0.00 USD; booked on 2026-12-01, value date 2026-11-30"
        " (2026-11 is sealed)"
    )
    december = (seed_ledger.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert '2026-12-01 * "Olga Sub" "Commission paid"\n  id: "agent-pay/BANK-3"\n' in december
    assert "  value-date: 2026-11-30\n" in december
    assert ok(run(seed_ledger, "import", str(statement)))[0].endswith(
        "recorded: already recorded (agent-pay/BANK-3) ('Olga Sub')"
    )
