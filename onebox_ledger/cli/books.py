"""Commands over the books: close, report, verify."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import click
from beancount.core import data

from .. import actions, agents, beans, month_end, reports, summaries
from ..beans import STREAMS
from ..clock import today
from ..close import Summary
from ..model import parse_book
from ..money import Rates
from ..quote import QuoteError
from ..quote import quote as quote_table
from ..render import render
from ..reports import ReportError
from ..store import LedgerError, paused_gc
from ..values import ZERO, Money, Month, round_money, show_money
from . import cli
from .common import (
    FORMATS,
    MONTH,
    Command,
    DateType,
    IdType,
    MoneyType,
    WholeType,
    echo,
    ledger,
)

AS_OF = DateType("--as-of")


@cli.command(short_help="Close a month: invoice, buy from OneBox, seal it.")
@click.argument("month", metavar="YYYY-MM", type=MONTH)
@click.option("--dry-run", is_flag=True, help="Show what the close would write; write nothing.")
@click.option("--force", is_flag=True, help="Close a month that has not ended yet.")
def close(month: Month, dry_run: bool, force: bool) -> None:
    """Close the month YYYY-MM: invoice customers, buy OneBox infrastructure, seal the month.

    \b
    Example:
      onebox-ledger close 2026-11
      onebox-ledger close 2026-11 --dry-run
    """
    done = actions.close(ledger(), month, today=today(), dry_run=dry_run, force=force)
    result = done.result
    if result.already_closed:
        echo(f"{result.month} already closed, nothing changed")
    elif dry_run:
        echo(done.text.rstrip())
        echo("")
    s = result.summary
    rate = f"{s.rate}" if s.rate is not None else "-"
    verb = "closed" if result.already_closed else "would close" if dry_run else "closed"
    echo(f"{verb} {s.month}: {s.boxes} active box(es), cost rate {rate}")
    rows, notes = _summary_rows(s)
    head = ("stream", "invoiced", "recognised", "onebox cost", "kept", "kept %")
    echo("  {:<9} {:>12} {:>12} {:>12} {:>12} {:>7}".format(*head))
    for stream, (invoiced, recognised, cost) in rows:
        kept = recognised - cost
        pct = f"{kept * 100 / recognised:.1f}" if recognised else "-"
        echo(f"  {stream:<9} {invoiced:>12} {recognised:>12} {cost:>12} {kept:>12} {pct:>7}")
    for cur, total in sorted(s.bill.items()):
        vat = s.bill_vat.get(cur, ZERO)
        gross = f" + VAT {show_money(vat, cur)} = {show_money(total + vat, cur)}" if vat else ""
        echo(f"  OneBox bill onebox-{s.month}: {show_money(total, cur)}{gross}, due {s.due}")
    if s.output_vat:
        echo(f"  VAT on the month's invoices: {show_money(s.output_vat, s.currency)}")
    if s.single_tax:
        echo(f"  single tax on the month's receipts: {show_money(s.single_tax, s.currency)}")
    if s.bad_debt:
        echo(f"  bad debt written off in the month: {show_money(s.bad_debt, s.currency)}")
    if s.single_tax or s.bad_debt:
        kept = sum((t.recognised - t.cost for t in s.streams.values()), ZERO)
        kept -= s.single_tax + s.bad_debt
        echo(f"  kept after them: {show_money(round_money(kept), s.currency)}")
    unrealized, assets = month_end.booked(result.entries, s.currency)
    if unrealized is not None:
        echo(
            f"  unrealized exchange difference at the closing rates:"
            f" {show_money(unrealized, s.currency)} (reversed on {s.month.next().first})"
        )
    if assets:
        echo(f"  contract assets (recognised beyond billed): {show_money(assets, s.currency)}")
    commission = agents.closed_commission(result.entries)
    if commission:
        echo(f"  commission to agents: {show_money(*commission)}")
    for note in notes:
        echo(f"  note: {note}")
    if not dry_run and not result.already_closed:
        echo(f"  written to {done.path.relative_to(ledger().root)}")


def _summary_rows(
    s: Summary,
) -> tuple[list[tuple[str, tuple[Decimal, Decimal, Decimal]]], list[str]]:
    """Per stream, in the operating currency: what the close booked and the month's sales."""
    rows = [
        (stream, (round_money(t.invoiced), round_money(t.recognised), round_money(t.cost)))
        for stream, t in sorted(s.streams.items())
    ]
    notes = [f"amounts in {s.currency}"]
    credit = _amounts(s.credit)
    if credit:
        notes.append(f"customer credit applied to open invoices: {credit}")
    prepaid = _amounts(s.prepaid)
    if prepaid:
        notes.append(f"OneBox prepaid applied to this month's bill: {prepaid}")
    return rows, notes


def _amounts(by_currency: dict[str, Decimal]) -> str:
    """'25.00 USD, 10.00 EUR': the amounts that are not zero, by currency."""
    return ", ".join(show_money(n, cur) for cur, n in sorted(by_currency.items()) if n)


@click.command(
    "issue", cls=Command, short_help="Issue a month's advance invoices, dated its first day."
)
@click.argument("month", metavar="YYYY-MM", type=MONTH)
@click.option("--dry-run", is_flag=True, help="Show what would be issued; write nothing.")
@click.option("--force", is_flag=True, help="Issue a month that has not begun yet.")
def invoice_issue(month: Month, dry_run: bool, force: bool) -> None:
    """Issue the advance invoices of the month YYYY-MM (contracts with --timing advance),
    dated its first day: the month in advance, and what last month's changes made it worth
    beyond (or short of) its invoice. Issuing again changes nothing; the close of the month
    issues them if you have not.

    \b
    Example:
      onebox-ledger invoice 2026-12          (or: invoice issue 2026-12)
    """
    done = actions.invoice(ledger(), month, today=today(), dry_run=dry_run, force=force)
    if done.already:
        echo(f"{done.month} already invoiced, nothing changed")
        return
    if not done.entries:
        echo(f"{done.month}: no contract is billed in advance; nothing to invoice")
        return
    if dry_run:
        echo(done.text.rstrip())
        echo("")
    totals: dict[tuple[str, str], Decimal] = {}
    for entry in done.entries:  # what each invoice bills (the credit applied to it aside)
        if str(entry.meta.get("id", "")).endswith("/credit"):
            continue
        for post in entry.postings:
            if post.account.startswith("Assets:Receivable:"):
                number, currency = beans.units(post)
                key = (str(entry.meta.get("invoice")), currency)
                totals[key] = totals.get(key, ZERO) + number
    verb = "would issue" if dry_run else "issued"
    for (invoice_id, currency), total in sorted(totals.items()):
        echo(f"{verb} {invoice_id}: {show_money(total, currency)} dated {done.month.first}")
    if not dry_run:
        echo(f"written to {done.path.relative_to(ledger().root)}")


@cli.command(short_help="What a sale would earn, before you quote it.")
@click.option(
    "--item",
    type=IdType("item"),
    metavar="ID",
    help="The OneBox item each unit consumes (cloud-user); none for services.",
)
@click.option(
    "--quantity", required=True, type=WholeType("--quantity"), metavar="N",
    help="Units (users, seats).",
)  # fmt: skip
@click.option(
    "--price", required=True, type=MoneyType("--price"), metavar="AMOUNT",
    help='Price per unit and month, "25.00 USD".',
)  # fmt: skip
@click.option(
    "--once", type=MoneyType("--once"), metavar="AMOUNT",
    help='A one-time part (implementation), "2000.00 USD".',
)  # fmt: skip
@click.option(
    "--stream", type=click.Choice(STREAMS), default="cloud", show_default=True,
    help="What is sold; services consume no OneBox item.",
)  # fmt: skip
@click.option(
    "--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD",
    help="Terms and boxes of (default today).",
)  # fmt: skip
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def quote(
    item: str | None,
    quantity: int,
    price: Money,
    once: Money | None,
    stream: str,
    as_of: datetime.date | None,
    fmt: str,
) -> None:
    """I sell this for X: how much will I keep? Per month, what the customer pays, what OneBox
    costs at the tier you would then be in, and what you keep; the one-time part kept 100%;
    and, when this box moves you to another tier, what your other boxes then cost. Amounts
    in the operating currency (a foreign price at the ledger's rate). Writes nothing.

    \b
    Example:
      onebox-ledger quote --item cloud-user --quantity 5 --price "25 USD" --once "2000 USD"
    """
    book_ledger = ledger()
    book, entries = book_ledger.book()
    try:
        table = quote_table(
            book, Rates.of(entries, book_ledger.operating_currency()),
            item=item, quantity=quantity, price=price, once=once, as_of=as_of or today(),
            stream=stream,
        )  # fmt: skip
    except QuoteError as err:
        raise LedgerError(str(err)) from None
    click.echo(render(table, fmt), nl=False)


@cli.group(short_help="Reports: keep (margins), payables, receivables, mrr.")
def report() -> None:
    """Reports: keep (margins), payables, receivables, mrr."""


def _report(
    build: Callable[[list[data.Directive], str], reports.Table],
    fmt: str,
    fast: Callable[[summaries.History], reports.Table] | None = None,
) -> None:
    """Build the report from the sealed months' summaries and the months after them when every
    summary is true to its files (`fast`), else from the whole ledger loaded, the archived
    years too (`build`, refused when invalid); print it. Both give the same table, and a report
    over any period gives the numbers of the unrolled books (with a year rolled forward, the
    archives' summaries answer its months: Ledger.history)."""
    book = ledger()
    book.check_exists()
    book.finish_pending()
    table = None
    try:
        history = book.history() if fast is not None else None
        if history is not None and fast is not None:
            try:
                table = fast(history)
            except summaries.SummaryError:
                table = None
        if table is None:
            loaded = book.load_history()
            with paused_gc():
                table = build(loaded.entries, book.operating_currency())
    except ReportError as err:
        raise LedgerError(str(err)) from None
    click.echo(render(table, fmt), nl=False)


@report.command("keep", short_help="What you keep: sold, OneBox cost, kept.")
@click.option(
    "--from", "start", type=DateType("--from"), metavar="YYYY-MM-DD",
    help="First day (default: the beginning).",
)  # fmt: skip
@click.option(
    "--to", "end", type=DateType("--to"), metavar="YYYY-MM-DD",
    help="Last day (default: the end).",
)  # fmt: skip
@click.option(
    "--by",
    type=click.Choice(["stream", "customer", "contract"]),
    default="stream",
    show_default=True,
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_keep(start: datetime.date | None, end: datetime.date | None, by: str, fmt: str) -> None:
    """I sold X: how much do I keep? Sold, OneBox cost, kept, kept % per stream/customer/contract.

    A note says how many transactions are dated after --to (not counted).

    \b
    Example:
      onebox-ledger report keep --from 2026-01-01 --to 2026-10-31 --by customer
    """
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}")
    _report(
        lambda entries, cur: reports.keep(entries, cur, start=start, end=end, by=by),
        fmt,
        lambda history: summaries.keep(history, start=start, end=end, by=by),
    )


@report.command("payables", short_help="Every OneBox bill and its status.")
@click.option("--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_payables(as_of: datetime.date | None, fmt: str) -> None:
    """Every OneBox bill: billed, paid, open, due, status (open, due soon, overdue, in grace).

    A note says how many transactions are dated after --as-of (not counted).

    \b
    Example:
      onebox-ledger report payables --as-of 2026-10-31
    """
    when = as_of or today()
    _report(
        lambda entries, cur: reports.payables(entries, cur, as_of=when),
        fmt,
        lambda history: summaries.payables(history, as_of=when),
    )


@report.command("receivables", short_help="Open customer invoices, aged.")
@click.option("--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_receivables(as_of: datetime.date | None, fmt: str) -> None:
    """Open customer invoices, days past due and aging buckets per customer.

    A note says how many transactions are dated after --as-of (not counted): a
    payment recorded ahead with --future shows as of its own day.

    \b
    Example:
      onebox-ledger report receivables --as-of 2026-10-31 --format csv
    """
    when = as_of or today()
    _report(
        lambda entries, cur: reports.receivables(entries, cur, as_of=when),
        fmt,
        lambda history: summaries.receivables(history, as_of=when),
    )


@report.command("mrr", short_help="Monthly recurring revenue per stream.")
@click.option("--as-of", "as_of", type=AS_OF, metavar="YYYY-MM-DD", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_mrr(as_of: datetime.date | None, fmt: str) -> None:
    """Monthly recurring revenue, quantity and customers per stream.

    A note says how many transactions are dated after --as-of (not counted).

    \b
    Example:
      onebox-ledger report mrr --as-of 2026-10-31
    """
    when = as_of or today()
    _report(
        lambda entries, cur: reports.mrr(parse_book(entries)[0], entries, cur, as_of=when),
        fmt,
        lambda history: summaries.mrr(history, as_of=when),
    )


@cli.command(short_help="Check every seal and its chain; re-derive every close.")
@click.option(
    "--head",
    metavar="DIGEST",
    help="The digest noted at the last audit (sha256:...); exit 1 if it is no longer in the chain.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="Check the seals' chain and every file against the month summaries; re-derive nothing.",
)
@click.option(
    "--all",
    "every_year",
    is_flag=True,
    help="The archived years too (ledger/archive/YYYY): each alone, the chain across the years,"
    " and each closing and opening re-derived from its archive.",
)
def verify(head: str | None, quick: bool, every_year: bool) -> None:
    """Check every seal and its chain, re-derive every generated entry, check main.beancount.

    Trusts no plugin line: it runs onebox-ledger's checks itself. Prints one line
    per finding (file, line, month), then the chain's head, which an auditor notes
    and passes back with --head at the next audit. Exit 1 on any finding.

    \b
    With --quick: only the chain of seals (read from each month file's seal) and every
    file's SHA-256 against the summary of each sealed month, which the close and the full
    verify write; a changed, added or deleted byte in a summarised file is a finding
    naming the file. The full verify rewrites the summaries when it finds nothing.

    \b
    Example:
      onebox-ledger verify
      onebox-ledger verify --quick
      onebox-ledger verify --head sha256:41a0...
      onebox-ledger verify --all
    """
    if quick and every_year:
        raise click.UsageError("--quick checks the open books' summaries; --all re-derives every"
                               " year: choose one")  # fmt: skip
    if quick:
        _verify_quick(head)
        return
    check = actions.verify_all if every_year else actions.verify
    result = check(ledger(), head=head)
    for line in result.errors:
        echo(f"error: {line}")
    for line in result.diffs:
        echo(line)
    if result.head is not None:
        echo(f"head: {result.head[0]} {result.head[1]}")
    months = f"{result.sealed[0]}..{result.sealed[-1]}" if result.sealed else "none"
    late = f" {result.late} booked late (value-date in a sealed month)," if result.late else ""
    taxed = f" {result.taxed} tax amounts re-derived," if result.taxed else ""
    if result.commissions:
        late += f" {result.commissions} commission(s) re-derived,"
    if result.documents:
        late += f" {result.documents} document(s) checked,"
    echo(
        f"verify: {len(result.sealed)} sealed month(s) ({months}), {result.generated} generated"
        f" entries re-derived,{taxed}{late} {len(result.errors)} finding(s),"
        f" {'no drift' if not result.diffs else 'DRIFT'}"
    )
    if not result.ok:
        raise click.exceptions.Exit(1)


def _verify_quick(head: str | None) -> None:
    book = ledger()
    book.check_exists()
    quick = book.quick_findings()
    months, findings = quick.months, quick.findings
    newest = f"{months[-1]} {quick.digests[-1]}" if months else "none"
    if head is not None and head not in quick.digests:
        findings.append(
            f"{book.main.name}: head {head} is not in the chain (its newest seal is {newest})"
        )
    for line in findings:
        echo(f"error: {line}")
    if months:
        echo(f"head: {newest}")
    span = f"{months[0]}..{months[-1]}" if months else "none"
    echo(
        f"verify --quick: {len(months)} sealed month(s) ({span}) against their summaries,"
        f" {len(findings)} finding(s); nothing re-derived (onebox-ledger verify does)"
    )
    if findings:
        raise click.exceptions.Exit(1)


@cli.command(short_help="Chain the seals of a ledger sealed by an older version.")
def upgrade() -> None:
    """Chain the seals of a ledger sealed by an older onebox-ledger.

    Checks every seal as it stands, then gives each one a `previous:` and the
    chained digest, in one atomic change. Note the new head for your next audit.

    \b
    Example:
      onebox-ledger upgrade && onebox-ledger verify
    """
    changes = actions.upgrade(ledger())
    if not changes:
        echo("nothing to upgrade: every seal is chained")
        return
    for month, old, new in changes:
        echo(f"{month}: {old} -> {new}")
    month, _, new = changes[-1]
    echo(f"upgraded {len(changes)} seal(s); head: {month} {new}")
