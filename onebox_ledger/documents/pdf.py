"""Documents as PDF (fpdf2): an invoice, a credit note or a reminder as a PDF/A-3 with its
EN 16931 XML embedded (``factur-x.xml``, relationship Data, the Factur-X XMP schema) and, on
EUR documents with the partner's IBAN, the EPC QR code (GiroCode, segno) for the amount due
with the invoice's number as remittance text. Pure: a Document in, bytes out.

The same Document always gives the same bytes: the PDF's dates are the document's date, its
font (DejaVu Sans, shipped in fonts/) is embedded as a subset, and the QR code is drawn as
vector squares.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from .cii import xml
from .content import Document, Statement

if TYPE_CHECKING:
    import segno

    from .page import Page

FONTS = Path(__file__).parent / "fonts"
FACTURX = "factur-x.xml"
PRODUCER = "onebox-ledger"

_FX_SCHEMA = """\
    <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
      <fx:DocumentType>INVOICE</fx:DocumentType>
      <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
      <fx:Version>1.0</fx:Version>
      <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
        xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
      <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
        <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
        <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
        <pdfaSchema:prefix>fx</pdfaSchema:prefix>
        <pdfaSchema:property><rdf:Seq>
          <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>name of the embedded XML invoice file</pdfaProperty:description></rdf:li>
          <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description></rdf:li>
          <rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The actual version of the Factur-X XML schema</pdfaProperty:description></rdf:li>
          <rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded Factur-X data</pdfaProperty:description></rdf:li>
        </rdf:Seq></pdfaSchema:property>
      </rdf:li></rdf:Bag></pdfaExtension:schemas>
    </rdf:Description>
"""


def _xmp(title: str, created: datetime.datetime, facturx: bool) -> str:
    stamp = created.isoformat(timespec="seconds")
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        f' xmp:CreatorTool="{PRODUCER}" xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}"'
        f' xmp:MetadataDate="{stamp}" pdf:Producer="{PRODUCER}">\n'
        "      <pdfaid:part>3</pdfaid:part>\n"
        "      <pdfaid:conformance>B</pdfaid:conformance>\n"
        '      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(title)}</rdf:li></rdf:Alt></dc:title>\n"
        "    </rdf:Description>\n" + (_FX_SCHEMA if facturx else "") + "  </rdf:RDF>\n"
        "</x:xmpmeta>"
    )


def epc_qr(doc: Document) -> segno.QRCode | None:
    """The EPC QR code (GiroCode): EUR, the partner's IBAN, the amount due, the number."""
    amount = doc.payable
    if doc.currency != "EUR" or not doc.seller.iban or doc.kind == "credit-note" or amount <= 0:
        return None
    from segno import helpers  # imported when a code is made: the reports never need it

    return helpers.make_epc_qr(
        name=doc.seller.name[:70], iban=doc.seller.iban, amount=amount, text=doc.reference,
        bic=doc.seller.bic, encoding="utf-8",
    )  # fmt: skip


def _page(title: str, date: datetime.date, language: str) -> Page:
    """A new page (fpdf2 is imported here, when a document is made: a report's start-up does
    not pay for it)."""
    from .page import Page

    return Page(title, date, language)


def document_pdf(doc: Document) -> bytes:
    """An invoice, credit note or reminder as PDF/A-3 (the XML embedded for EUR documents)."""
    w = doc.words
    title = f"{w[doc.kind]} {doc.id}"
    page = _page(title, doc.as_of or doc.date, w.language)
    page.party(doc.seller, 20, 20, w["vat-id"])
    page.party(doc.buyer, 20, 55, w["vat-id"])
    page.set_xy(120, 55)
    page.heading(w[doc.kind], 14, 70, 7)
    facts = [(w["number"], doc.id), (w["date"], w.date(doc.date))]
    if doc.refers:
        facts.append((w["refers"], doc.refers))
    if doc.due is not None:
        facts.append((w["due"], w.date(doc.due)))
    if doc.as_of is not None:
        facts.append((w["as-of"], w.date(doc.as_of)))
    if doc.level is not None:
        facts.append((w["level"], str(doc.level)))
    for label, value in facts:
        page.multi_cell(70, 5, f"{label}: {value}", align="L", new_x="LEFT", new_y="NEXT")
    page.set_xy(20, max(page.get_y(), 90) + 6)
    if doc.kind == "reminder":
        page.text_line(w["remind"])
        if doc.days_over:
            page.text_line(f"{doc.days_over} {w['days-over']}")
        page.ln(2)
    widths = (95, 15, 30, 30)
    page.row([w["line"], w["quantity"], w["price"], w["amount"]], widths, bold=True)
    for line in doc.lines:
        price = w.money(line.price, doc.currency) if line.price is not None else ""
        page.row([line.description, w.quantity(line.quantity), price,
                  w.money(line.amount, doc.currency)], widths)  # fmt: skip
    page.ln(2)
    totals: list[tuple[str, Decimal]] = [(w["net"], doc.net)]
    for tax in doc.taxes:
        if tax.kind == "outside":  # a seller outside VAT shows no VAT row, only its note
            continue
        rate = f" {w.quantity(tax.rate)}%" if tax.rate is not None else ""
        name = (
            f"{w['vat']}{rate}"
            if tax.kind == "standard"
            else f"{w['vat']} ({w['kind-' + tax.kind]})"
        )
        totals.append((f"{name} / {w.money(tax.net, doc.currency)}", tax.vat))
    totals.append((w["total"], doc.total))
    for text, total in totals:
        page.row([text, "", "", w.money(total, doc.currency)], widths, bold=text == w["total"])
    if doc.prepaid:
        page.row([w["prepaid"], "", "", w.money(-doc.prepaid, doc.currency)], widths)
    if doc.open is not None:
        page.row([w["open"], "", "", w.money(doc.open, doc.currency)], widths, bold=True)
    page.ln(3)
    for tax in doc.taxes:
        if tax.kind in ("reverse-charge", "exempt", "outside"):
            page.text_line(w[tax.kind], size=9)
    if doc.kind == "credit-note":
        page.text_line(f"{w['credited']}: {w.money(doc.total, doc.currency)}", bold=True)
    else:
        page.text_line(f"{w['pay']}: {w.money(doc.payable, doc.currency)}", bold=True)
        if doc.due is not None:
            page.text_line(f"{w['due']}: {w.date(doc.due)}")
        page.text_line(f"{w['reference']}: {doc.reference}")
        if doc.seller.iban:
            bic = f", BIC: {doc.seller.bic}" if doc.seller.bic else ""
            page.text_line(f"{w['iban']}: {doc.seller.iban}{bic}")
    code = epc_qr(doc)
    if code is not None:
        y = page.get_y() + 4
        page.qr(code, 20, y, 35)
        page.set_xy(60, y + 14)
        page.text_line(w["qr"], size=8)
    attachment = xml(doc) if doc.currency == "EUR" and doc.kind != "reminder" else None
    return page.finish(attachment)


def statement_pdf(report: Statement) -> bytes:
    w = report.words
    page = _page(f"{w['statement']} {report.customer}", report.as_of, w.language)
    page.party(report.seller, 20, 20, w["vat-id"])
    page.party(report.buyer, 20, 55, w["vat-id"])
    page.set_xy(120, 55)
    page.heading(w["statement"], 14, 70, 7)
    page.multi_cell(70, 5, f"{w['as-of']}: {w.date(report.as_of)}", align="L", new_x="LEFT",
                    new_y="NEXT")  # fmt: skip
    page.set_xy(20, 95)
    cur = report.currency
    widths = (70, 30, 30, 40)
    page.row([f"{w['date']} / {w['number']}", w["debit"], w["paid"], w["balance"]], widths, True)
    page.row([f"{w.date(report.start)}  {w['opening']}", "", "", w.money(report.opening, cur)],
             widths)  # fmt: skip
    for row in report.rows:
        label = w[row.kind] if row.kind in ("invoice", "payment", "credit-note", "write-off",
                                            "credit") else row.kind  # fmt: skip
        page.row([f"{w.date(row.date)}  {label} {row.reference}",
                  w.money(row.debit, cur) if row.debit else "",
                  w.money(row.credit, cur) if row.credit else "",
                  w.money(row.balance, cur)], widths)  # fmt: skip
    page.row([w["closing"], "", "", w.money(report.closing, cur)], widths, bold=True)
    page.ln(4)
    page.text_line(w["aging"], bold=True)
    for bucket, amount in report.aging.items():
        name = w["not-due"] if bucket == "current" else f"{bucket} {w['days-over']}"
        page.row([name, "", "", w.money(amount, cur)], widths)
    return page.finish(None)
