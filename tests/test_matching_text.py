"""Who a bank row is from: names in any legal form and script, ids as banks mangle them."""

from __future__ import annotations

import pytest

from onebox_ledger.matching_text import (
    CustomerNames,
    KnownIds,
    core_name,
    find_bill_ids,
    find_invoice_ids,
    is_onebox,
    mentions_customer,
    names_onebox,
    same_name,
)

# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        'ТОВ "BETA HOMES"',
        "Beta Homes LLC",
        "BETA HOMES, ТОВ",
        "ВЕТА НОМЕS",  # В, Е, Т, А, Н, О, М, Е are Cyrillic; S is Latin
        "«Beta Homes» Ltd.",
        "„Beta Homes“ GmbH & Co. KG",
        "beta   homes, inc",
        "BETA HOMES S.A.",
        "Beta Homes Sp. z o.o.",
        "Товариство з обмеженою відповідальністю 'BETA HOMES'",
    ],
)
def test_one_company_however_a_bank_writes_it(name: str) -> None:
    assert core_name(name) == "beta homes"


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("Товариство з обмеженою відповідальністю «Бета Хоумс»", "бета хоумс"),
        ('ТОВ "КОМЕТА"', "комета"),  # a Cyrillic word of look-alikes only, no Latin: kept
        ("ФОП Петренко Олена Іванівна", "петренко олена іванівна"),
        ("ПрАТ «Київстар»", "київстар"),
        ("ООО «Ромашка»", "ромашка"),
        ("Müller Bürobedarf GmbH", "müller bürobedarf"),
        ("Otto e.K.", "otto"),
        ("O'Neil & Sons plc", "oneil sons"),
        ("Casa Verde Inmobiliaria S.A.", "casa verde inmobiliaria"),
        ("LLC", "llc"),  # legal forms only: kept, so the name is not empty
        ("", ""),
    ],
)
def test_core_names(name: str, core: str) -> None:
    assert core_name(name) == core


def test_look_alikes_fold_only_where_latin_was_meant() -> None:
    assert core_name("HАRBOR CLINIC") == "harbor clinic"  # one Cyrillic А in a Latin word
    assert core_name("КОМЕТА Group") == "kometa group"  # a Latin word beside it
    assert core_name("КОМЕТА") == "комета"
    assert core_name("ВАНБОКС") == "ванбокс"  # Б and Н: a real word, never transliterated
    assert same_name("ТОВ КОМЕТА", "Kometa LLC")  # folded, it equals the Latin name
    assert same_name("Beta Homes LLC", 'ТОВ "BETA HOMES"')
    assert not same_name("ТОВ ВАНБОКС", "Vanboks LLC")
    assert not same_name("Kometa", "Comet")
    assert not same_name("LLC", "")


# ---------------------------------------------------------------- OneBox


@pytest.mark.parametrize(
    ("counterparty", "onebox"),
    [
        ("ONEBOX INC", True),
        ("OneBox LLC", True),
        ("OneBox Inc.", True),
        ("One Box Corp", True),
        ('ТОВ "ONEBOX"', True),
        ("ТОВ «ВАНБОКС»", True),  # the Ukrainian spelling, listed
        ("ОNЕВОХ", True),  # О, Е, В, О, Х Cyrillic around a Latin N
        ("OneBox Payments Europe B.V.", True),
        ("ONEBOXING CLUB", False),
        ("Harbor OneBox Reseller", False),
        ("", False),
    ],
)
def test_onebox_as_counterparty(counterparty: str, onebox: bool) -> None:
    assert is_onebox(counterparty) is onebox


@pytest.mark.parametrize(
    ("description", "onebox"),
    [
        ("ONEBOX LLC", True),  # Monobank's card payment: the merchant is the description
        ("Sent money to ONEBOX INC", True),  # Wise
        ('Оплата ТОВ "ONEBOX", рахунок 2026-10', True),
        ("Card payment ONEBOX LLC San Francisco", True),  # with its legal form inside a text
        ("Оплата послуг OneBox Inc.", True),
        ("Покупка: ONEBOX.COM", True),  # its web address
        ("Kartenzahlung bei OneBox", True),
        ("Harbor OneBox Reseller", False),  # another company with OneBox in its name
        ("Harbor OneBox Reseller Inc", False),
        ("ONEBOXING CLUB", False),
        ("Card transaction of 35.50 USD issued by Notion Labs", False),
        ("boxone llc", False),
        ("", False),
    ],
)
def test_onebox_named_in_a_description(description: str, onebox: bool) -> None:
    assert names_onebox(description) is onebox


# ---------------------------------------------------------------- customers


@pytest.mark.parametrize(
    ("text", "customer_id", "name", "mentioned"),
    [
        ("ROZETKA.UA KYIV", "kyiv", "KYIV ESTATES", False),
        ("Payment for services, Kyiv Estates", "kyiv", "KYIV ESTATES", True),
        ("KYIV ESTATES LLC", "kyiv", "Kyiv Estates", True),
        ("Kyiv", "kyiv", "Kyiv Estates", True),  # the whole counterparty is the id
        ("Kyiv Estates Sp. z o.o.", "kyiv", "Kyiv Estates", True),
        ("Acme Tools invoice 17", "acme", "Acme", False),  # one-word name in a longer text
        ("ACME", "acme", "Acme", True),
        ("ACME REALTY LLC", "acme-realty", "Acme Realty", True),
        ("juniper-schools October", "juniper-schools", "Juniper Schools", True),
        ("xjuniper-schools-2", "juniper-schools", "Juniper Schools", False),
        ("on behalf of Casa Verde Inmobiliaria, October", "casa-verde", "Casa Verde Inmobiliaria", True),
        ("Casa del Verde", "casa-verde", "Casa Verde Inmobiliaria", False),
        ("Оплата від ТОВ КОМЕТА, рахунок 5", "kometa", "Kometa Group", False),
        ("Оплата від Kometa Group", "kometa", "ТОВ «КОМЕТА ГРУП»", False),
        ("Оплата від ТОВ «КОМЕТА ТРЕЙД»", "kometa-trade", "Kometa Trade LLC", False),
        ("КОМЕТА ТРЕЙД", "kometa-trade", "Kometa Trade LLC", False),  # Д, Й: a real word
        ("KОМЕТА TRADE LLC", "kometa-trade", "Kometa Trade", True),  # mixed: folded
        ("", "acme", "Acme", False),
    ],
)  # fmt: skip
def test_mentions_customer(text: str, customer_id: str, name: str, mentioned: bool) -> None:
    assert mentions_customer(text, customer_id, name) is mentioned


CUSTOMERS = [
    ("kyiv", "KYIV ESTATES"),
    ("acme", "Acme"),
    ("acme-realty", "Acme Realty"),
    ("juniper-schools", "Juniper Schools"),
    ("casa-verde", "Casa Verde Inmobiliaria"),
    ("kometa", "Kometa Group"),
    ("kometa-grup", "ТОВ «КОМЕТА ГРУП»"),
    ("kometa-trade", "Kometa Trade LLC"),
    ("beta-homes", "Beta Homes"),
    ("harbor-clinic", "Harbor Clinic"),
    ("harbor-clinic-12", "Harbor Clinic 12"),
    ("llc", "LLC"),
]
TEXTS = [
    "ROZETKA.UA KYIV", "Payment for services, Kyiv Estates", "KYIV ESTATES LLC", "Kyiv",
    "Kyiv Estates Sp. z o.o.", "Acme Tools invoice 17", "ACME", "ACME REALTY LLC",
    "Acme Realty", "juniper-schools October", "xjuniper-schools-2", "JUNIPER-SCHOOLS",
    "on behalf of Casa Verde Inmobiliaria, October", "Casa del Verde",
    "Оплата від ТОВ КОМЕТА, рахунок 5", "Оплата від Kometa Group", "КОМЕТА ГРУП",
    "Оплата від ТОВ «КОМЕТА ТРЕЙД»", "КОМЕТА ТРЕЙД", "KОМЕТА TRADE LLC", 'ТОВ "BETA HOMES"',
    "ВЕТА НОМЕS", "Від: ТОВ «ВЕТА HOMES»", "harbor-clinic-12 services", "Harbor Clinic 12",
    "HАRBOR CLINIC", "Payment harbor-clinic", "LLC", "Inc.", "", "  ", "—",
]  # fmt: skip


def test_the_customer_index_agrees_with_the_rules_for_every_customer() -> None:
    """CustomerNames answers what same_name and mentions_customer answer, customer by customer
    (the importer asks the index: one lookup per word instead of a test per customer)."""
    names = CustomerNames.of(CUSTOMERS)
    for text in TEXTS:
        same = [c for c, name in CUSTOMERS if same_name(text, name) or same_name(text, c.replace("-", " "))]  # fmt: skip
        mentioned = [c for c, name in CUSTOMERS if mentions_customer(text, c, name)]
        assert names.same(text) == sorted(same), text
        assert names.mentioned(text) == sorted(mentioned), text
    assert names.mentioned("harbor-clinic-12 services") == ["harbor-clinic", "harbor-clinic-12"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("harbor-clinic-12 services", ["harbor-clinic-12"]),  # Harbor Clinic is inside the id
        ("HARBOR-CLINIC-12", ["harbor-clinic-12"]),
        ("Payment Harbor Clinic 12, November", ["harbor-clinic", "harbor-clinic-12"]),  # names
        ("Harbor Clinic, November", ["harbor-clinic"]),
        ("harbor-clinic and Harbor Clinic 12", ["harbor-clinic", "harbor-clinic-12"]),
        ("acme-realty for Kyiv Estates", ["acme-realty", "kyiv"]),  # two places: ambiguous
        ("Acme Realty", ["acme-realty"]),
        ("ROZETKA.UA KYIV", []),
        ("", []),
    ],
)
def test_a_name_found_only_inside_another_customers_id_is_not_named(
    text: str, named: list[str]
) -> None:
    names = CustomerNames.of(CUSTOMERS)
    assert names.named(text) == named
    assert set(named) <= set(names.mentioned(text))
    assert names.same('ТОВ "BETA HOMES"') == ["beta-homes"]
    assert names.mentioned("ROZETKA.UA KYIV") == []


# ---------------------------------------------------------------- invoice and bill ids


KNOWN = [
    "inv-2026-10-acme-realty",
    "inv-2026-10-casa-verde",
    "inv-2026-10-25-granite-law",
    "inv-2026-10-25-granite-law.2",
    "inv-2026-09-harbor-clinic",
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("INVOICE INV-2026-10-ACME-REALTY", ["inv-2026-10-acme-realty"]),
        ("inv 2026 10 acme realty", ["inv-2026-10-acme-realty"]),
        ("INV_2026_10_ACME_REALTY thanks", ["inv-2026-10-acme-realty"]),
        ("Ref:INV/2026/10/ACME.REALTY", ["inv-2026-10-acme-realty"]),
        ("INV202610ACMEREALTY", ["inv-2026-10-acme-realty"]),
        ("IND ID:INV-2026-10-ACM              IND NAME:ONEBOX PARTNER", ["inv-2026-10-acme-realty"]),
        ("INV-2026-10-ACM", ["inv-2026-10-acme-realty"]),
        ("Ref inv-2026-10-25-granite-law hours", ["inv-2026-10-25-granite-law"]),
        ("Ref INV-2026-10-25-GRANITE-LAW.2", ["inv-2026-10-25-granite-law.2"]),
        ("inv-2026-10-25-gran", ["inv-2026-10-25-granite-law", "inv-2026-10-25-granite-law.2"]),
        ("inv-2026-10-acme-realty, INV-2026-09-HARBOR-CLINIC", ["inv-2026-10-acme-realty", "inv-2026-09-harbor-clinic"]),
        ("INV-2026-10-CASA-VERDE/INV-2026-10-ACME-REALTY", ["inv-2026-10-casa-verde", "inv-2026-10-acme-realty"]),
        ("inv-2026-10-acme-realty inv-2026-10-acme-realty", ["inv-2026-10-acme-realty"]),
        ("INV-2026-10", []),  # cut before any customer: says nothing
        ("INV-2026-10-ACME-TOOLS", []),  # goes on where no known id does
        ("invoice 2026-10 acme realty", []),
        ("inv-2026-11-acme-realty", []),  # not a known id
        ("xinv-2026-10-acme-realty", []),
        ("", []),
    ],
)  # fmt: skip
def test_invoice_ids_in_free_text(text: str, found: list[str]) -> None:
    assert find_invoice_ids(text, KNOWN) == found
    assert find_invoice_ids(text, KnownIds(KNOWN)) == found  # the index the importer keeps


def test_a_cut_id_that_starts_several_known_ids_names_them_all() -> None:
    known = ["inv-2026-10-acme", "inv-2026-10-acme-realty", "inv-2026-10-casa-verde"]
    assert find_invoice_ids("IND ID:INV-2026-10-ACM IND NAME:X", known) == [
        "inv-2026-10-acme",
        "inv-2026-10-acme-realty",
    ]
    # a whole known id wins over the longer ids it starts
    assert find_invoice_ids("Payment INV-2026-10-ACME", known) == ["inv-2026-10-acme"]
    assert find_invoice_ids("Payment INV-2026-10-ACME-REA", known) == ["inv-2026-10-acme-realty"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Partner bill onebox-2026-10", ["onebox-2026-10"]),
        ("ONEBOX INC WIRE ONEBOX 2026 10", ["onebox-2026-10"]),
        ("bills onebox-2026-10 and ONEBOX-2026-11", ["onebox-2026-10", "onebox-2026-11"]),
        ("ONEBOX-2026-1", ["onebox-2026-10", "onebox-2026-11"]),  # cut: either of them
        ("ONEBOX 2026", []),  # cut before the month: says nothing
        ("ONEBOX INC", []),
        ("onebox-2026-09", []),
    ],
)
def test_bill_ids_in_free_text(text: str, found: list[str]) -> None:
    assert find_bill_ids(text, ["onebox-2026-10", "onebox-2026-11"]) == found
