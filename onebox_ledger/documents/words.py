"""The words and formats of a document, in English, German or Ukrainian. Pure.

The customer's ``language:`` chooses (none: English). Numbers and dates are formatted by
Babel for the language (CLDR data), amounts with two decimals and the currency's code::

    >>> Words("de").money(Decimal("2058.33"), "EUR")
    '2.058,33 EUR'
    >>> Words("en").date(datetime.date(2026, 11, 30))
    'November 30, 2026'
    >>> Words("uk").days(14, 30)
    '14 з 30 днів'
"""

from __future__ import annotations

import datetime
from decimal import Decimal

LANGUAGES = ("en", "de", "uk")

_TEXT: dict[str, dict[str, str]] = {
    "invoice": {"en": "Invoice", "de": "Rechnung", "uk": "Рахунок-фактура"},
    "credit-note": {"en": "Credit note", "de": "Gutschrift", "uk": "Кредит-нота"},
    "reminder": {"en": "Payment reminder", "de": "Zahlungserinnerung", "uk": "Нагадування про оплату"},
    "statement": {"en": "Statement of account", "de": "Kontoauszug", "uk": "Виписка з рахунку"},
    "number": {"en": "Number", "de": "Nummer", "uk": "Номер"},
    "date": {"en": "Date", "de": "Datum", "uk": "Дата"},
    "due": {"en": "Due", "de": "Fällig am", "uk": "Сплатити до"},
    "customer": {"en": "Customer", "de": "Kunde", "uk": "Клієнт"},
    "vat-id": {"en": "VAT id", "de": "USt-IdNr.", "uk": "ПДВ номер"},
    "line": {"en": "Description", "de": "Beschreibung", "uk": "Опис"},
    "quantity": {"en": "Qty", "de": "Menge", "uk": "К-сть"},
    "price": {"en": "Unit price", "de": "Einzelpreis", "uk": "Ціна"},
    "amount": {"en": "Amount", "de": "Betrag", "uk": "Сума"},
    "net": {"en": "Net total", "de": "Nettobetrag", "uk": "Сума без ПДВ"},
    "vat": {"en": "VAT", "de": "USt.", "uk": "ПДВ"},
    "total": {"en": "Total", "de": "Gesamtbetrag", "uk": "Всього"},
    "pay": {"en": "Please pay", "de": "Zu zahlen", "uk": "До сплати"},
    "reference": {
        "en": "Payment reference (please quote)",
        "de": "Verwendungszweck (bitte angeben)",
        "uk": "Призначення платежу (вкажіть)",
    },
    "iban": {"en": "IBAN", "de": "IBAN", "uk": "IBAN"},
    "reverse-charge": {
        "en": "Reverse charge: VAT is due by the recipient (Art. 196 Directive 2006/112/EC).",
        "de": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 MwStSystRL).",
        "uk": "Зворотне оподаткування: ПДВ сплачує отримувач (ст. 196 Директиви 2006/112/ЄС).",
    },
    "exempt": {
        "en": "Not subject to VAT here: service supplied outside the EU.",
        "de": "Nicht im Inland steuerbare Leistung (Leistungsort außerhalb der EU).",
        "uk": "Не є об'єктом ПДВ: послуга надана за межами ЄС.",
    },
    "outside": {
        "en": "No VAT charged: the seller is not registered for VAT.",
        "de": "Keine Umsatzsteuer: der Verkäufer ist nicht umsatzsteuerpflichtig registriert.",
        "uk": "Без ПДВ: продавець не зареєстрований платником ПДВ.",
    },
    "kind-reverse-charge": {"en": "reverse charge", "de": "Reverse Charge", "uk": "зворотне оподаткування"},
    "kind-exempt": {"en": "not taxable here", "de": "nicht steuerbar", "uk": "не оподатковується"},
    "refers": {"en": "Refers to invoice", "de": "Bezieht sich auf Rechnung", "uk": "До рахунку"},
    "prepaid": {"en": "Your credit applied", "de": "Ihr Guthaben verrechnet", "uk": "Зараховано аванс"},
    "credited": {"en": "Credited to you", "de": "Ihnen gutgeschrieben", "uk": "Зараховано вам"},
    "as-of": {"en": "As of", "de": "Stand", "uk": "Станом на"},
    "opening": {"en": "Opening balance", "de": "Anfangssaldo", "uk": "Початкове сальдо"},
    "closing": {"en": "Closing balance", "de": "Endsaldo", "uk": "Кінцеве сальдо"},
    "payment": {"en": "Payment", "de": "Zahlung", "uk": "Оплата"},
    "write-off": {"en": "Written off", "de": "Ausgebucht", "uk": "Списано"},
    "credit": {"en": "Credit held", "de": "Guthaben", "uk": "Аванс"},
    "debit": {"en": "Charged", "de": "Belastung", "uk": "Нараховано"},
    "paid": {"en": "Paid", "de": "Bezahlt", "uk": "Сплачено"},
    "balance": {"en": "Balance", "de": "Saldo", "uk": "Сальдо"},
    "open": {"en": "Open", "de": "Offen", "uk": "Не сплачено"},
    "aging": {"en": "Aging", "de": "Fälligkeitsstruktur", "uk": "Строки заборгованості"},
    "not-due": {"en": "not yet due", "de": "noch nicht fällig", "uk": "строк не настав"},
    "days-over": {"en": "days overdue", "de": "Tage überfällig", "uk": "днів прострочено"},
    "level": {"en": "Reminder level", "de": "Mahnstufe", "uk": "Рівень нагадування"},
    "remind": {
        "en": "Our records show the invoice below still open. Please pay the open amount.",
        "de": "Nach unseren Unterlagen ist die folgende Rechnung noch offen. Bitte begleichen Sie den offenen Betrag.",
        "uk": "За нашими даними рахунок нижче ще не сплачено. Просимо сплатити залишок.",
    },
    "qr": {
        "en": "Scan with your banking app to pay",
        "de": "Mit der Banking-App scannen und bezahlen",
        "uk": "Скануйте в банківському застосунку",
    },
    "of-days": {"en": "{days} of {total} days", "de": "{days} von {total} Tagen", "uk": "{days} з {total} днів"},
}  # fmt: skip


class Words:
    """One language's words, numbers and dates."""

    def __init__(self, language: str | None) -> None:
        self.language = language if language in LANGUAGES else "en"

    def __getitem__(self, key: str) -> str:
        return _TEXT[key][self.language]

    def number(self, value: Decimal) -> str:
        """Two decimals, grouped as the language groups them."""
        from babel.numbers import format_decimal  # babel: imported when a document is made

        return format_decimal(value, format="#,##0.00", locale=self.language)

    def money(self, value: Decimal, currency: str) -> str:
        return f"{self.number(value)} {currency}"

    def quantity(self, value: Decimal | int) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0.####", locale=self.language)

    def date(self, value: datetime.date) -> str:
        from babel.dates import format_date

        return format_date(value, format="long", locale=self.language)

    def days(self, days: int, total: int) -> str:
        return self["of-days"].format(days=days, total=total)
