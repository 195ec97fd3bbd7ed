"""The e-invoice: a document as UN/CEFACT Cross Industry Invoice XML, Factur-X / ZUGFeRD
profile EN 16931 (``urn:cen.eu:en16931:2017``). Pure: a Document in, bytes out.

Amounts are the ledger's: each line's net (BT-131), the VAT per category and rate (BG-23:
``S`` standard at its rate, ``AE`` reverse charge with the buyer's VAT id, ``G`` export
outside the EU), the totals (BT-106, BT-109, BT-110, BT-112) and what is due (BT-115). A
line whose quantity x price is its amount states them (BT-129, BT-146); a prorated line is
one unit at its amount, its days in its name. An invoice is type 380, a credit note 381
referring to its invoice (BT-25). The schema the ``factur-x`` library ships validates it
(tests/test_documents.py).
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

from .content import Document, Line, Party, Tax

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
GUIDELINE = "urn:cen.eu:en16931:2017"
CATEGORY = {"standard": "S", "reverse-charge": "AE", "exempt": "G", "outside": "O"}
EXEMPTION = {
    "reverse-charge": ("Reverse charge", "VATEX-EU-AE"),
    "exempt": ("Export outside the EU", "VATEX-EU-G"),
    "outside": ("Not subject to VAT", "VATEX-EU-O"),
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name), attrs)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _date(parent: ET.Element, name: str, value: datetime.date) -> None:
    _add(_add(parent, name), "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: ET.Element, name: str, party: Party, country: str) -> None:
    element = _add(parent, name)
    _add(element, "ram:Name", party.name)
    address = _add(element, "ram:PostalTradeAddress")
    if party.address:
        _add(address, "ram:LineOne", party.address)
    _add(address, "ram:CountryID", party.country or country)
    if party.vat_id:
        _add(_add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def _category(parent: ET.Element, kind: str | None, rate: Decimal | None) -> None:
    """A line's VAT category: its rate (0 for AE and G; none for O, BR-O-05)."""
    kind = kind or "outside"
    _add(parent, "ram:TypeCode", "VAT")
    _add(parent, "ram:CategoryCode", CATEGORY[kind])
    if kind != "outside":
        _add(parent, "ram:RateApplicablePercent", format(rate or Decimal(0), "f"))


def _line(parent: ET.Element, number: int, line: Line) -> None:
    item = _add(parent, "ram:IncludedSupplyChainTradeLineItem")
    _add(_add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(number))
    _add(_add(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    exact = line.exact and line.price is not None
    price = line.price if exact and line.price is not None else line.amount
    agreement = _add(item, "ram:SpecifiedLineTradeAgreement")
    _add(_add(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _amount(price))
    quantity = format(line.quantity, "f") if exact else "1"
    delivery = _add(item, "ram:SpecifiedLineTradeDelivery")
    _add(delivery, "ram:BilledQuantity", quantity, unitCode="C62")
    settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
    _category(_add(settlement, "ram:ApplicableTradeTax"), line.vat, line.rate)
    summation = _add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _add(summation, "ram:LineTotalAmount", _amount(line.amount))


def _tax(parent: ET.Element, tax: Tax, currency: str) -> None:
    element = _add(parent, "ram:ApplicableTradeTax")
    _add(element, "ram:CalculatedAmount", _amount(tax.vat))
    _add(element, "ram:TypeCode", "VAT")
    if tax.kind in EXEMPTION:
        _add(element, "ram:ExemptionReason", EXEMPTION[tax.kind][0])
    _add(element, "ram:BasisAmount", _amount(tax.net))
    _add(element, "ram:CategoryCode", CATEGORY[tax.kind])
    if tax.kind in EXEMPTION:
        _add(element, "ram:ExemptionReasonCode", EXEMPTION[tax.kind][1])
    if tax.kind != "outside":
        _add(element, "ram:RateApplicablePercent", format(tax.rate or Decimal(0), "f"))


def xml(doc: Document) -> bytes:
    """The document as EN 16931 CII XML (UTF-8, with its declaration)."""
    root = ET.Element(_q("rsm:CrossIndustryInvoice"))
    context = _add(root, "rsm:ExchangedDocumentContext")
    _add(_add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)
    header = _add(root, "rsm:ExchangedDocument")
    _add(header, "ram:ID", doc.id)
    _add(header, "ram:TypeCode", "381" if doc.kind == "credit-note" else "380")
    _date(header, "ram:IssueDateTime", doc.date)
    for tax in doc.taxes:
        if tax.kind in EXEMPTION:
            _add(_add(header, "ram:IncludedNote"), "ram:Content", doc.words[tax.kind])
    trade = _add(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(doc.lines, 1):
        _line(trade, number, line)
    agreement = _add(trade, "ram:ApplicableHeaderTradeAgreement")
    country = doc.seller.country or "DE"
    _party(agreement, "ram:SellerTradeParty", doc.seller, country)
    _party(agreement, "ram:BuyerTradeParty", doc.buyer, country)
    _add(trade, "ram:ApplicableHeaderTradeDelivery")
    settlement = _add(trade, "ram:ApplicableHeaderTradeSettlement")
    _add(settlement, "ram:PaymentReference", doc.reference)
    _add(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    if doc.seller.iban and doc.kind != "credit-note":
        means = _add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _add(means, "ram:TypeCode", "58")  # SEPA credit transfer
        account = _add(means, "ram:PayeePartyCreditorFinancialAccount")
        _add(account, "ram:IBANID", doc.seller.iban)
        if doc.seller.bic:
            bank = _add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _add(bank, "ram:BICID", doc.seller.bic)
    for tax in doc.taxes:
        _tax(settlement, tax, doc.currency)
    if doc.due is not None:
        terms = _add(settlement, "ram:SpecifiedTradePaymentTerms")
        _date(terms, "ram:DueDateDateTime", doc.due)
    total = _add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _add(total, "ram:LineTotalAmount", _amount(doc.net))
    _add(total, "ram:TaxBasisTotalAmount", _amount(doc.net))
    _add(total, "ram:TaxTotalAmount", _amount(doc.vat), currencyID=doc.currency)
    _add(total, "ram:GrandTotalAmount", _amount(doc.total))
    if doc.prepaid:
        _add(total, "ram:TotalPrepaidAmount", _amount(doc.prepaid))
    _add(total, "ram:DuePayableAmount", _amount(doc.total - doc.prepaid))
    if doc.refers:
        referenced = _add(settlement, "ram:InvoiceReferencedDocument")
        _add(referenced, "ram:IssuerAssignedID", doc.refers)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
