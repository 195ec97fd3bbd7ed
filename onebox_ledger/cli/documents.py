"""``onebox-ledger invoice``: a month's advance invoices (``invoice YYYY-MM``, as before), the
documents a customer receives (``invoice show``, ``invoice remind``), ``report dunning``,
``terms dunning``, and the customer's ``report statement`` (beside the agent's).

    $ onebox-ledger invoice show inv-2026-11-berlin
    issued inv-2026-11-berlin: documents/invoices/2026-11/inv-2026-11-berlin.pdf (sha256 5f0c...)
    $ onebox-ledger invoice show inv-2026-11-berlin --format xml -o inv.xml
    $ onebox-ledger invoice show --month 2026-11 -o out/
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from ..actions import documents as actions
from ..clock import today
from ..documents import html
from ..documents.content import Statement
from ..render import render
from ..reports import Table
from ..store import write_atomic
from ..values import InputError, Month, round_money, show_money
from .books import invoice_issue, report
from .common import DATE, MONTH, DateType, TextType, WholeType, echo, ledger
from .setup import terms

DOC_ID = TextType("invoice", limit=100)
DOC_FORMATS = click.Choice(actions.FORMATS)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ledger().root.resolve()))
    except ValueError:
        return str(path)


def _check_output(path: Path) -> None:
    """-o names a file whose folder exists (checked before anything is issued or written)."""
    if path.is_dir():
        raise InputError(f"-o {path} is a folder; name a file")
    if not path.parent.is_dir():
        raise InputError(f"-o {path}: no folder {path.parent}")


def _write(path: Path, body: bytes) -> None:
    """Write an output file the person named (atomically)."""
    _check_output(path)
    write_atomic(path, body)


class InvoiceGroup(click.Group):
    """``invoice YYYY-MM`` (no subcommand) issues a month's advance invoices, as it always did;
    ``invoice show`` and ``invoice remind`` are the documents."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["issue", *args]
        return super().parse_args(ctx, args)


def _group() -> click.Group:
    from . import cli

    group = InvoiceGroup(
        "invoice",
        short_help="Invoices: issue a month's advance ones, show documents, remind.",
        help="Invoices: issue a month's advance invoices (invoice YYYY-MM), show an invoice or\n"
        "credit note as PDF, HTML or e-invoice XML (invoice show), write a reminder\n"
        "(invoice remind).\n\n\b\nExample:\n  onebox-ledger invoice 2026-12\n"
        "  onebox-ledger invoice show inv-2026-11-acme\n"
        "  onebox-ledger invoice remind inv-2026-11-acme --as-of 2027-01-20",
    )
    group.command_class = cli.command_class
    cli.add_command(group)
    group.add_command(invoice_issue, "issue")
    return group


invoice = _group()


@invoice.command("show", short_help="An invoice or credit note as PDF, HTML or XML.")
@click.argument("doc_id", metavar="[INVOICE]", type=DOC_ID, required=False)
@click.option(
    "--month", type=MONTH, metavar="YYYY-MM", help="Every invoice and credit note of the month."
)
@click.option("--format", "fmt", type=DOC_FORMATS, default="pdf", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
    help="Write it to FILE (with --month: a folder); a PDF is filed in the books anyway.",
)  # fmt: skip
def invoice_show(doc_id: str | None, month: Month | None, fmt: str, output: Path | None) -> None:
    """Show INVOICE (an invoice or a credit note, by its number), or every one of --month.

    A PDF is issued the first time: filed under documents/ with a `document` entry that
    records its SHA-256 (Fava shows it beside the invoice; verify checks it), and the same
    bytes every time after. EUR documents are PDF/A-3 with the EN 16931 (Factur-X) XML
    embedded and an EPC QR code; --format xml writes that XML alone, html a web page.

    \b
    Example:
      onebox-ledger invoice show inv-2026-11-acme
      onebox-ledger invoice show inv-2026-11-acme --format xml -o inv-2026-11-acme.xml
      onebox-ledger invoice show --month 2026-11 -o out/
    """
    if (doc_id is None) == (month is None):
        raise click.UsageError("give an INVOICE or --month YYYY-MM (one of them)")
    book = ledger()
    if month is not None:
        if output is not None and output.exists() and not output.is_dir():
            raise InputError(f"-o {output} is a file; --month writes into a folder")
        if fmt != "pdf" and output is None:
            raise click.UsageError(f"--month --format {fmt} needs -o DIR")
        if fmt == "pdf":
            issued = actions.issue_month(book, month, today=today())
            if not issued:
                echo(f"{month}: no invoice or credit note")
                return
            for item in issued:
                _report_issued(item)
            if output is not None:
                output.mkdir(parents=True, exist_ok=True)
                for item in issued:
                    _write(output / f"{item.id}.pdf", item.content)
                echo(f"copied {len(issued)} document(s) to {output}")
            return
        assert output is not None
        ids = actions.month_ids(book, month)
        if not ids:
            echo(f"{month}: no invoice or credit note")
            return
        output.mkdir(parents=True, exist_ok=True)
        for one in ids:
            _write(output / f"{one}.{fmt}", actions.show(book, one, fmt))
        echo(f"wrote {len(ids)} document(s) to {output}")
        return
    assert doc_id is not None
    if output is not None:
        _check_output(output)
    if fmt == "pdf":
        (item,) = actions.issue(book, [doc_id], today=today())
        _report_issued(item)
        if output is not None:
            _write(output, item.content)
            echo(f"copied to {output}")
        return
    body = actions.show(book, doc_id, fmt)
    if output is None:
        click.echo(body.decode("utf-8"), nl=False)
    else:
        _write(output, body)
        echo(f"wrote {output}")


def _report_issued(item: actions.Issued) -> None:
    verb = "issued" if item.new else "issued before"
    echo(f"{verb} {item.id}: {_shown(item.path)} (sha256 {item.sha256[:16]}...)")


@invoice.command("remind", short_help="A payment reminder for an open invoice.")
@click.argument("doc_id", metavar="INVOICE", type=DOC_ID)
@click.option("--as-of", "as_of", type=DateType("--as-of"), metavar="YYYY-MM-DD",
              help="The day of the reminder (default today).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf",
              show_default=True)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
    help="Where to write it (default: INVOICE-reminder-DATE.pdf in this folder).",
)  # fmt: skip
def invoice_remind(doc_id: str, as_of: datetime.date | None, fmt: str, output: Path | None) -> None:
    """A reminder for INVOICE: what is open on --as-of, days past due and the reminder level
    (terms dunning), in the customer's language; written to a file, not filed in the books.

    \b
    Example:
      onebox-ledger invoice remind inv-2026-11-acme --as-of 2027-01-20
    """
    day = as_of or today()
    if output is not None:
        _check_output(output)
    doc = actions.reminder(ledger(), doc_id, as_of=day)
    from ..documents import pdf  # the PDF stack (about 1 s), loaded when used

    body = pdf.document_pdf(doc) if fmt == "pdf" else html.document_html(doc).encode("utf-8")
    target = output or Path(f"{doc_id}-reminder-{day}.{fmt}")
    _write(target, body)
    open_text = show_money(doc.payable, doc.currency)
    echo(f"reminder level {doc.level} for {doc_id}: {open_text} open, {doc.days_over} day(s)"
         f" past due; wrote {target}")  # fmt: skip


@report.command("dunning", short_help="The invoices to chase today, with their reminder level.")
@click.option("--as-of", "as_of", type=DateType("--as-of"), metavar="YYYY-MM-DD",
              help="The day (default today).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)  # fmt: skip
def report_dunning(as_of: datetime.date | None, fmt: str) -> None:
    """Open invoices at least the first level's days past due, each with its reminder level
    (levels by days past due: terms dunning; default 7, 21 and 45).

    \b
    Example:
      onebox-ledger report dunning --as-of 2027-01-20
    """
    day = as_of or today()
    levels, chase = actions.dunning(ledger(), as_of=day)
    table = Table(
        f"Invoices to chase as of {day} (levels at {', '.join(map(str, levels))} days past due)",
        ["invoice", "customer", "due", "days_past_due", "level", "currency", "open"],
        [[c.invoice, c.customer, c.due, c.days_over, c.level, c.currency, c.open] for c in chase],
    )
    click.echo(render(table, fmt), nl=False)


@terms.command("dunning", short_help="Set the days past due of each reminder level.")
@click.argument("days", nargs=-1, required=True, type=WholeType("days", 1, 3650))
@click.option("--date", type=DATE, metavar="YYYY-MM-DD", help="From when (default today).")
def terms_dunning(days: tuple[int, ...], date: datetime.date | None) -> None:
    """Reminder levels by DAYS past due: level 1 from the first, level 2 from the second...

    \b
    Example:
      onebox-ledger terms dunning 7 21 45 --date 2026-01-01
    """
    written = actions.terms_dunning(ledger(), days, date=date or today())
    echo(written.message)


def customer_statement(
    customer: str,
    as_of: datetime.date | None,
    start: datetime.date | None,
    fmt: str,
    output: Path | None,
) -> None:
    """``report statement CUSTOMER``: the statement of account (called by the agents' command)."""
    day = as_of or today()
    if output is not None:
        _check_output(output)
    report_data = actions.statement(ledger(), customer, as_of=day, start=start)
    if fmt in ("pdf", "html"):
        from ..documents import pdf  # the PDF stack, loaded when used

        body = (
            pdf.statement_pdf(report_data)
            if fmt == "pdf"
            else html.statement_html(report_data).encode("utf-8")
        )
        if output is None and fmt == "pdf":
            output = Path(f"statement-{customer}-{day}.pdf")
        if output is None:
            click.echo(body.decode("utf-8"), nl=False)
            return
        _write(output, body)
        echo(f"statement of {customer} as of {day}: closing balance"
             f" {report_data.closing} {report_data.currency}; wrote {output}")  # fmt: skip
        return
    text = render(statement_table(report_data), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text.encode("utf-8"))


def statement_table(s: Statement) -> Table:
    rows: list[list[Any]] = [[s.start, "opening", "", None, None, s.opening]]
    rows += [[r.date, r.kind, r.reference, r.debit or None, r.credit or None, r.balance]
             for r in s.rows]  # fmt: skip
    rows.append([s.as_of, "closing", "", None, None, s.closing])
    table = Table(
        f"Statement of account: {s.buyer.name} ({s.customer}), {s.start} to {s.as_of}, in"
        f" {s.currency}",
        ["date", "kind", "reference", "debit", "credit", "balance"],
        rows,
    )
    table.totals = [[bucket, round_money(amount)] for bucket, amount in s.aging.items()]
    table.total_columns = ["aging", "open"]
    return table
