"""Documents as one HTML page each (no script, no external resource; the EPC QR code inline as
SVG). Pure: a Document or Statement in, text out. Every amount is in an element whose
``data-amount`` holds the ledger's number (``2449.41``), so a test or a script reads the
figures back without parsing the language's formats.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from .content import Document, Party, Statement

_STYLE = (
    "body{font-family:'DejaVu Sans',sans-serif;max-width:50em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;width:100%}td,th{padding:.2em .5em;text-align:left}"
    "td.n,th.n{text-align:right}tr.total td{font-weight:bold;border-top:1px solid #444}"
    ".parties{display:flex;justify-content:space-between}"
)


def _money(value: Decimal, text: str) -> str:
    return f'<span data-amount="{value}">{escape(text)}</span>'


def _party(party: Party, vat_label: str, css: str) -> str:
    parts = [f"<strong>{escape(party.name)}</strong>"]
    parts += [escape(text) for text in (party.address, party.country) if text]
    if party.vat_id:
        parts.append(f"{escape(vat_label)}: {escape(party.vat_id)}")
    return f'<div class="{css}">' + "<br>".join(parts) + "</div>"


def _page(title: str, language: str, body: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def document_html(doc: Document) -> str:
    w = doc.words
    cur = doc.currency
    body = [
        '<div class="parties">',
        _party(doc.seller, w["vat-id"], "seller"),
        _party(doc.buyer, w["vat-id"], "buyer"),
        "</div>",
        f'<h1>{escape(w[doc.kind])} <span class="number">{escape(doc.id)}</span></h1>',
        "<p>",
        f'{escape(w["date"])}: <time datetime="{doc.date}">{escape(w.date(doc.date))}</time>',
    ]
    if doc.refers:
        body.append(f'<br>{escape(w["refers"])}: <span class="refers">{escape(doc.refers)}</span>')
    if doc.due is not None:
        body.append(f'<br>{escape(w["due"])}: <time class="due" datetime="{doc.due}">'
                    f"{escape(w.date(doc.due))}</time>")  # fmt: skip
    if doc.level is not None and doc.as_of is not None:
        body.append(f'<br>{escape(w["as-of"])}: {escape(w.date(doc.as_of))}'
                    f'<br>{escape(w["level"])}: <span class="level">{doc.level}</span>')  # fmt: skip
    body.append("</p>")
    if doc.kind == "reminder":
        body.append(f"<p>{escape(w['remind'])}</p>")
    body.append(
        f"<table><tr><th>{escape(w['line'])}</th><th class=n>{escape(w['quantity'])}</th>"
        f"<th class=n>{escape(w['price'])}</th><th class=n>{escape(w['amount'])}</th></tr>"
    )
    for line in doc.lines:
        price = _money(line.price, w.money(line.price, cur)) if line.price is not None else ""
        body.append(
            f'<tr class="line"><td>{escape(line.description)}</td>'
            f"<td class=n>{escape(w.quantity(line.quantity))}</td><td class=n>{price}</td>"
            f"<td class=n>{_money(line.amount, w.money(line.amount, cur))}</td></tr>"
        )
    body.append(f'<tr class="net"><td colspan=3>{escape(w["net"])}</td>'
                f"<td class=n>{_money(doc.net, w.money(doc.net, cur))}</td></tr>")  # fmt: skip
    for tax in doc.taxes:
        if tax.kind == "outside":  # a seller outside VAT shows no VAT row, only its note
            continue
        rate = (
            f" {w.quantity(tax.rate)}%" if tax.rate is not None else f" ({w['kind-' + tax.kind]})"
        )
        body.append(
            f'<tr class="vat"><td colspan=3>{escape(w["vat"] + rate)} /'
            f" {_money(tax.net, w.money(tax.net, cur))}</td>"
            f"<td class=n>{_money(tax.vat, w.money(tax.vat, cur))}</td></tr>"
        )
    body.append(f'<tr class="total"><td colspan=3>{escape(w["total"])}</td>'
                f"<td class=n>{_money(doc.total, w.money(doc.total, cur))}</td></tr>")  # fmt: skip
    if doc.prepaid:
        body.append(f'<tr class="prepaid"><td colspan=3>{escape(w["prepaid"])}</td>'
                    f"<td class=n>{_money(-doc.prepaid, w.money(-doc.prepaid, cur))}</td></tr>")  # fmt: skip
    if doc.open is not None:
        body.append(f'<tr class="open total"><td colspan=3>{escape(w["open"])}</td>'
                    f"<td class=n>{_money(doc.open, w.money(doc.open, cur))}</td></tr>")  # fmt: skip
    body.append("</table>")
    for tax in doc.taxes:
        if tax.kind in ("reverse-charge", "exempt", "outside"):
            body.append(f'<p class="note">{escape(w[tax.kind])}</p>')
    if doc.kind == "credit-note":
        body.append(f"<p><strong>{escape(w['credited'])}: "
                    f"{_money(doc.total, w.money(doc.total, cur))}</strong></p>")  # fmt: skip
    else:
        body.append(
            f"<p><strong>{escape(w['pay'])}: {_money(doc.payable, w.money(doc.payable, cur))}"
            f'</strong><br>{escape(w["reference"])}: <span class="reference">'
            f"{escape(doc.reference)}</span>"
            + (f"<br>{escape(w['iban'])}: {escape(doc.seller.iban)}" if doc.seller.iban else "")
            + (f", BIC: {escape(doc.seller.bic)}" if doc.seller.bic else "")
            + "</p>"
        )
    from .pdf import epc_qr  # the PDF stack (fpdf, fonts), loaded when a QR code is drawn

    code = epc_qr(doc)
    if code is not None:
        body.append(f'<figure class="epc">{code.svg_inline(scale=3)}'
                    f"<figcaption>{escape(w['qr'])}</figcaption></figure>")  # fmt: skip
    return _page(f"{w[doc.kind]} {doc.id}", w.language, body)


def statement_html(report: Statement) -> str:
    w = report.words
    cur = report.currency
    body = [
        '<div class="parties">',
        _party(report.seller, w["vat-id"], "seller"),
        _party(report.buyer, w["vat-id"], "buyer"),
        "</div>",
        f"<h1>{escape(w['statement'])}</h1>",
        f'<p>{escape(w["as-of"])}: <time datetime="{report.as_of}">'
        f"{escape(w.date(report.as_of))}</time></p>",
        f"<table><tr><th>{escape(w['date'])}</th><th>{escape(w['number'])}</th>"
        f"<th class=n>{escape(w['debit'])}</th><th class=n>{escape(w['paid'])}</th>"
        f"<th class=n>{escape(w['balance'])}</th></tr>",
        f'<tr class="opening"><td>{escape(w.date(report.start))}</td><td>{escape(w["opening"])}'
        f"</td><td></td><td></td><td class=n>"
        f"{_money(report.opening, w.money(report.opening, cur))}</td></tr>",
    ]
    for row in report.rows:
        label = w[row.kind] if row.kind in ("invoice", "payment", "credit-note", "write-off",
                                            "credit") else row.kind  # fmt: skip
        debit = _money(row.debit, w.money(row.debit, cur)) if row.debit else ""
        credit = _money(row.credit, w.money(row.credit, cur)) if row.credit else ""
        body.append(
            f'<tr class="{row.kind}"><td>{escape(w.date(row.date))}</td>'
            f"<td>{escape(label)} {escape(row.reference)}</td><td class=n>{debit}</td>"
            f"<td class=n>{credit}</td><td class=n>{_money(row.balance, w.money(row.balance, cur))}"
            "</td></tr>"
        )
    body.append(f'<tr class="closing total"><td colspan=4>{escape(w["closing"])}</td><td class=n>'
                f"{_money(report.closing, w.money(report.closing, cur))}</td></tr></table>")  # fmt: skip
    body.append(f"<h2>{escape(w['aging'])}</h2><table>")
    for bucket, amount in report.aging.items():
        name = w["not-due"] if bucket == "current" else f"{bucket} {w['days-over']}"
        body.append(f'<tr class="aging"><td>{escape(name)}</td>'
                    f"<td class=n>{_money(amount, w.money(amount, cur))}</td></tr>")  # fmt: skip
    body.append("</table>")
    return _page(f"{w['statement']} {report.customer}", w.language, body)
