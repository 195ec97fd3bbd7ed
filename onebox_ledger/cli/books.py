"""Commands over the books: close, report, verify."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import click
from beancount.core import data

from .. import actions, reports
from ..clock import today
from ..close import Summary
from ..model import parse_book
from ..reports import ReportError
from ..store import LedgerError, paused_gc
from ..values import ZERO, parse_date, parse_month, round_money
from . import cli
from .common import date_or_today, echo, ledger
from .render import render

FORMATS = click.Choice(["table", "csv", "json"])


@cli.command(short_help="Close a month: invoice, buy from OneBox, seal it.")
@click.argument("month")
@click.option("--dry-run", is_flag=True, help="Show what the close would write; write nothing.")
@click.option("--force", is_flag=True, help="Close a month that has not ended yet.")
def close(month: str, dry_run: bool, force: bool) -> None:
    """Close MONTH (YYYY-MM): invoice customers, buy OneBox infrastructure, seal the month.

    \b
    Example:
      onebox-ledger close 2026-11
      onebox-ledger close 2026-11 --dry-run
    """
    done = actions.close(ledger(), parse_month(month), today=today(), dry_run=dry_run, force=force)
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
        echo(f"  OneBox bill onebox-{s.month}: {total} {cur}, due {s.due}")
    for note in notes:
        echo(f"  note: {note}")
    if not dry_run and not result.already_closed:
        echo(f"  written to {done.path.relative_to(ledger().root)}")


def _summary_rows(
    s: Summary,
) -> tuple[list[tuple[str, tuple[Decimal, Decimal, Decimal]]], list[str]]:
    """Per stream in the operating currency, at the rates in force on the month's last day.

    Printed after the close is written, so it never fails: without a rate the rows
    stay per currency and a note says which rate is missing.
    """
    book = ledger()
    operating = book.operating_currency()
    convert = reports.Converter(book.static_entries(), operating)
    totals: dict[str, list[Decimal]] = {}
    try:
        for (stream, cur), t in sorted(s.streams.items()):
            row = totals.setdefault(stream, [ZERO, ZERO, ZERO])
            for i, value in enumerate((t.invoiced, t.recognised, t.cost)):
                row[i] += convert(value, cur, s.month.last) if value else ZERO
        notes = [f"amounts in {operating}", *convert.notes()]
    except ReportError as err:
        totals = {}
        for (stream, cur), t in sorted(s.streams.items()):
            totals[f"{stream} {cur}"] = [t.invoiced, t.recognised, t.cost]
        notes = [f"amounts per currency: {err}"]
    rows = [
        (k, (round_money(v[0]), round_money(v[1]), round_money(v[2]))) for k, v in totals.items()
    ]
    return rows, notes


@cli.group()
def report() -> None:
    """Reports: keep (margins), payables, receivables, mrr."""


def _report(build: Callable[[list[data.Directive], str], reports.Table], fmt: str) -> None:
    """Load the whole ledger (refused when invalid), build the report, print it."""
    book = ledger()
    loaded = book.load_valid()
    try:
        with paused_gc():
            table = build(loaded.entries, book.operating_currency())
    except ReportError as err:
        raise LedgerError(str(err)) from None
    click.echo(render(table, fmt), nl=False)


@report.command("keep", short_help="What you keep: sold, OneBox cost, kept.")
@click.option("--from", "start", help="First day (default: the beginning).")
@click.option("--to", "end", help="Last day (default: the end).")
@click.option(
    "--by",
    type=click.Choice(["stream", "customer", "contract"]),
    default="stream",
    show_default=True,
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_keep(start: str | None, end: str | None, by: str, fmt: str) -> None:
    """I sold X: how much do I keep? Sold, OneBox cost, kept, kept % per stream/customer/contract.

    \b
    Example:
      onebox-ledger report keep --from 2026-01-01 --to 2026-10-31 --by customer
    """
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    if first and last and first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}")
    _report(lambda entries, cur: reports.keep(entries, cur, start=first, end=last, by=by), fmt)


@report.command("payables", short_help="Every OneBox bill and its status.")
@click.option("--as-of", "as_of", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_payables(as_of: str | None, fmt: str) -> None:
    """Every OneBox bill: billed, paid, open, due, status (open, due soon, overdue, in grace).

    \b
    Example:
      onebox-ledger report payables --as-of 2026-10-31
    """
    when = date_or_today(as_of, "--as-of")
    _report(lambda entries, cur: reports.payables(entries, cur, as_of=when), fmt)


@report.command("receivables", short_help="Open customer invoices, aged.")
@click.option("--as-of", "as_of", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_receivables(as_of: str | None, fmt: str) -> None:
    """Open customer invoices, days past due and aging buckets per customer.

    \b
    Example:
      onebox-ledger report receivables --as-of 2026-10-31 --format csv
    """
    when = date_or_today(as_of, "--as-of")
    _report(lambda entries, cur: reports.receivables(entries, cur, as_of=when), fmt)


@report.command("mrr")
@click.option("--as-of", "as_of", help="Date (default today).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def report_mrr(as_of: str | None, fmt: str) -> None:
    """Monthly recurring revenue, quantity and customers per stream.

    \b
    Example:
      onebox-ledger report mrr --as-of 2026-10-31
    """
    when = date_or_today(as_of, "--as-of")
    _report(lambda entries, cur: reports.mrr(parse_book(entries)[0], entries, cur, as_of=when), fmt)


@cli.command(short_help="Check every seal and its chain; re-derive every close.")
@click.option(
    "--head",
    metavar="DIGEST",
    help="The digest noted at the last audit (sha256:...); exit 1 if it is no longer in the chain.",
)
def verify(head: str | None) -> None:
    """Check every seal and its chain, re-derive every generated entry, check main.beancount.

    Trusts no plugin line: it runs onebox-ledger's checks itself. Prints one line
    per finding (file, line, month), then the chain's head, which an auditor notes
    and passes back with --head at the next audit. Exit 1 on any finding.

    \b
    Example:
      onebox-ledger verify
      onebox-ledger verify --head sha256:41a0...
    """
    result = actions.verify(ledger(), head=head)
    for line in result.errors:
        echo(f"error: {line}")
    for line in result.diffs:
        echo(line)
    if result.head is not None:
        echo(f"head: {result.head[0]} {result.head[1]}")
    months = f"{result.sealed[0]}..{result.sealed[-1]}" if result.sealed else "none"
    echo(
        f"verify: {len(result.sealed)} sealed month(s) ({months}), {result.generated} generated"
        f" entries re-derived, {len(result.errors)} finding(s),"
        f" {'no drift' if not result.diffs else 'DRIFT'}"
    )
    if not result.ok:
        raise click.exceptions.Exit(1)


@cli.command()
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
