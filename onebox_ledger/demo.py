"""The demo partners: deterministic ledgers of any size, written by the code a user runs.

``build_demo(dir, customers=10, months=10, seed=1)`` gives the shipped demo (``profile``
"default"):
ten customers over January to October 2026 (every demo ends in October 2026)
using all four streams, with a seat change in mid-month, a contract ending
mid-month, an annual contract paid before its first invoice (held as credit,
applied by the close), a tier crossing (the 8th box moves every box from 65%
to 60% of list), a late payer, a OneBox bill under grace, a OneBox bill that
OneBox billed 0.03 off its accrual, a customer billed in EUR who pays a month
later at another rate (the realized difference is booked), an overpayment held
as credit and applied by the next close, a credit note, a written-off invoice,
metered data and hours sold as services. Every month is closed by the close of
``close.py``.

Customers follow ten roles (customer i has role i % 10), so any size keeps
the same mix; start months are spread over the first `ramp` months (default:
60% of the span).

A :class:`Profile` is the partner the same scenario runs for: its operating
currency, OneBox's prices, its customers' names, currencies and tax details,
its foreign currency (bank account and rates) and its taxes (``PROFILES``):

- ``default``: the shipped demo, a partner in USD with no tax regime;
- ``de``: Spree Cloud GmbH, Berlin, in EUR under VAT (19%; OneBox Europe bills
  EUR with 19% VAT, reclaimed as input VAT): German customers at 19%, a French
  SARL under reverse charge (role 5), a US customer billed in USD (exempt,
  role 1); the annual year is prepaid gross, and the VAT payable of each month
  is paid on the 10th of the next (``tax pay vat``);
- ``ua``: FOP Kovalenko, Kyiv, in UAH under the single tax (5% of money
  received, at the day's NBU rate for USD: a ``price`` every weekday); its
  customers pay UAH, one USD (role 1), into a USD account that also pays
  OneBox's USD bills, with dollars bought on the day at 0.5% over the rate; the quarter's single tax is paid on the 20th of the next
  quarter's first month (``tax pay single``).

Every money event is planned by :mod:`onebox_ledger.planner`, as the commands
plan it, over an :class:`Ops`'s state. Two ways to write the same ledger,
chosen by ``fast``:

- ``SlowOps`` loads and validates the whole ledger for every step and writes
  through ``actions`` exactly as the CLI does (fine for the shipped demo,
  quadratic at scale);
- ``FastOps`` keeps the planner's state and the files in memory and writes each
  file once per month. ``tests/test_demo.py`` proves both write byte-identical files.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from beancount.core import data
from beancount.parser import parser

from . import actions, agents, beans, events, month_end, planner, reconcile, seals, taxes
from .close import carried, close_month, invoice_month
from .model import parse_book
from .money import Rates
from .openitems import OpenItem
from .store import JOURNAL_HEADER, Ledger, appended, create_ledger, read_exact, write_atomic
from .values import ZERO, Money, Month, round_money

END = Month(2026, 10)  # every demo ends with October 2026, whatever its length
D = Decimal
OPERATING = "USD"
EUR_BANK = "Assets:Wise:EUR"  # the partner's EUR balance at Wise


@dataclass(frozen=True)
class Role:
    """One of the ten customers the scenario gives a part to (`details`: its country, VAT id,
    address and language, as ``customer add`` writes them)."""

    stem: str
    name: str
    currency: str
    contracts: tuple[tuple[str, str, str, str, int, str | None], ...]
    # (suffix, stream, billing, price, quantity, item)
    details: tuple[tuple[str, str], ...] = ()


def _details(country: str, address: str, language: str) -> tuple[tuple[str, str], ...]:
    return (("country", country), ("address", address), ("language", language))


DEFAULT_ROLES = (
    Role("acme-realty", "Acme Realty", "USD", (
        ("cloud", "cloud", "monthly", "25.00", 5, "cloud-user"),
        ("implementation", "services", "once", "2000.00", 1, None),
    ), _details("US", "1200 Market Street, San Francisco, CA 94102", "en")),
    Role("berlin-immo", "Berlin Immo GmbH", "EUR", (
        ("cloud", "cloud", "monthly", "23.00", 4, "cloud-user"),
    ), _details("DE", "Kastanienallee 12, 10435 Berlin", "de")),
    Role("casa-verde", "Casa Verde Inmobiliaria", "USD", (
        ("product", "product", "monthly", "40.00", 6, "cloud-user"),
        ("cloud", "cloud", "annual", "20.00", 3, "cloud-user"),
    ), _details("MX", "Avenida Reforma 250, 06600 Ciudad de Mexico", "en")),
    Role("delta-logistics", "Delta Logistics", "USD", (
        ("cloud", "cloud", "annual", "22.00", 10, "cloud-user"),
    ), _details("US", "400 Harbor Drive, Baltimore, MD 21230", "en")),
    Role("everest-dental", "Everest Dental", "USD", (
        ("cloud", "cloud", "monthly", "25.00", 3, "cloud-user"),
    ), _details("US", "88 Summit Road, Denver, CO 80202", "en")),
    Role("fjord-marine", "Fjord Marine", "USD", (
        ("cloud", "cloud", "monthly", "26.00", 2, "cloud-user"),
        ("data", "data", "metered", "2.99", 1, "data-records"),
    ), _details("NO", "Strandkaien 3, 5013 Bergen", "en")),
    Role("granite-law", "Granite Law LLP", "USD", (
        ("cloud", "cloud", "monthly", "27.00", 7, "cloud-user"),
    ), _details("US", "1 Granite Plaza, Boston, MA 02108", "en")),
    Role("harbor-clinic", "Harbor Clinic", "USD", (
        ("product", "product", "monthly", "42.00", 12, "cloud-user"),
    ), _details("US", "17 Pier Street, Seattle, WA 98101", "en")),
    Role("iris-travel", "Iris Travel", "USD", (
        ("cloud", "cloud", "monthly", "24.00", 8, "cloud-user"),
    ), _details("UA", "vul. Sahaidachnoho 15, Kyiv 04070", "uk")),
    Role("juniper-schools", "Juniper Schools", "USD", (
        ("cloud", "cloud", "monthly", "21.00", 15, "cloud-user"),
        ("data", "data", "metered", "2.49", 1, "data-records"),
    ), _details("US", "500 Juniper Way, Austin, TX 78701", "en")),
)  # fmt: skip


def _de(city: str, street: str, country: str = "DE") -> tuple[tuple[str, str], ...]:
    return (("country", country), ("address", f"{street}, {city}"), ("language", "de"))


DE_ROLES = (
    Role("spreeblick-immobilien", "Spreeblick Immobilien GmbH", "EUR", (
        ("cloud", "cloud", "monthly", "25.00", 5, "cloud-user"),
        ("implementation", "services", "once", "1800.00", 1, None),
    ), _de("10999 Berlin", "Oranienstrasse 25")),
    Role("hudson-realty", "Hudson Realty Inc.", "USD", (
        ("cloud", "cloud", "monthly", "27.00", 4, "cloud-user"),
    ), (("country", "US"), ("address", "350 Fifth Avenue, New York, NY 10118"),
        ("language", "en"))),
    Role("elbe-dental", "Elbe Dental MVZ GmbH", "EUR", (
        ("product", "product", "monthly", "38.00", 6, "cloud-user"),
        ("cloud", "cloud", "annual", "19.00", 3, "cloud-user"),
    ), _de("20457 Hamburg", "Am Sandtorkai 50")),
    Role("rheinfracht", "Rheinfracht Logistik GmbH", "EUR", (
        ("cloud", "cloud", "annual", "21.00", 10, "cloud-user"),
    ), _de("50678 Koeln", "Rheinauhafen 7")),
    Role("isar-zahnklinik", "Isar Zahnklinik GmbH", "EUR", (
        ("cloud", "cloud", "monthly", "24.00", 3, "cloud-user"),
    ), _de("80469 Muenchen", "Erhardtstrasse 10")),
    Role("marine-atlantique", "Marine Atlantique SARL", "EUR", (
        ("cloud", "cloud", "monthly", "25.00", 2, "cloud-user"),
        ("data", "data", "metered", "2.79", 1, "data-records"),
    ), (("country", "FR"), ("vat-id", "FR40303265045"),
        ("address", "12 Quai de la Fosse, 44000 Nantes"), ("language", "fr"))),
    Role("kanzlei-brandt", "Kanzlei Brandt & Partner", "EUR", (
        ("cloud", "cloud", "monthly", "26.00", 7, "cloud-user"),
    ), _de("10117 Berlin", "Friedrichstrasse 68")),
    Role("havelland-klinik", "Havelland Klinik GmbH", "EUR", (
        ("product", "product", "monthly", "40.00", 12, "cloud-user"),
    ), _de("14467 Potsdam", "Breite Strasse 3")),
    Role("ostsee-reisen", "Ostsee Reisen GmbH", "EUR", (
        ("cloud", "cloud", "monthly", "23.00", 8, "cloud-user"),
    ), _de("18055 Rostock", "Lange Strasse 12")),
    Role("lernwerk-schulen", "Lernwerk Schulen gGmbH", "EUR", (
        ("cloud", "cloud", "monthly", "20.00", 15, "cloud-user"),
        ("data", "data", "metered", "2.29", 1, "data-records"),
    ), _de("04109 Leipzig", "Markt 1")),
)  # fmt: skip

UA = (("country", "UA"), ("language", "uk"))

UA_ROLES = (
    Role("dnipro-realty", "Dnipro Realty LLC", "UAH", (
        ("cloud", "cloud", "monthly", "1100.00", 5, "cloud-user"),
        ("implementation", "services", "once", "80000.00", 1, None),
    ), UA),
    Role("harbor-analytics", "Harbor Analytics Inc.", "USD", (
        ("cloud", "cloud", "monthly", "27.00", 4, "cloud-user"),
    ), (("country", "US"), ("language", "en"))),
    Role("kyiv-dental", "Kyiv Dental Clinic LLC", "UAH", (
        ("product", "product", "monthly", "1700.00", 6, "cloud-user"),
        ("cloud", "cloud", "annual", "850.00", 3, "cloud-user"),
    ), UA),
    Role("karpaty-logistics", "Karpaty Logistics LLC", "UAH", (
        ("cloud", "cloud", "annual", "950.00", 10, "cloud-user"),
    ), UA),
    Role("odesa-marine", "Odesa Marine Services", "UAH", (
        ("cloud", "cloud", "monthly", "1050.00", 3, "cloud-user"),
    ), UA),
    Role("lviv-it-park", "Lviv IT Park", "UAH", (
        ("cloud", "cloud", "monthly", "1100.00", 2, "cloud-user"),
        ("data", "data", "metered", "120.00", 1, "data-records"),
    ), UA),
    Role("kharkiv-law", "Kharkiv Law Firm", "UAH", (
        ("cloud", "cloud", "monthly", "1150.00", 7, "cloud-user"),
    ), UA),
    Role("poltava-clinic", "Poltava Clinic", "UAH", (
        ("product", "product", "monthly", "1750.00", 12, "cloud-user"),
    ), UA),
    Role("zakarpattia-travel", "Zakarpattia Travel", "UAH", (
        ("cloud", "cloud", "monthly", "1000.00", 8, "cloud-user"),
    ), UA),
    Role("chernihiv-schools", "Chernihiv Schools", "UAH", (
        ("cloud", "cloud", "monthly", "900.00", 15, "cloud-user"),
        ("data", "data", "metered", "100.00", 1, "data-records"),
    ), UA),
)  # fmt: skip

LATE = 7  # harbor-clinic pays three months late
ANNUAL = 3  # delta-logistics pays its year on its first day, before the close invoices it,
UPGRADE = 5  # and adds 5 seats on the first day of its 6th month (the rest of the year billed)
ADVANCE = 6  # granite-law is invoiced in advance on each 1st and pays on the 10th;
ADVANCE_CHANGE = 4  # from the 16th of its 5th month it has 2 more seats (next invoice adjusts)
ANNUAL_END = 6  # casa-verde's annual cloud ends on the 20th of its 7th month, the rest credited
ENDING = 4  # everest-dental ends mid-month, overpays once and never pays its last invoice
CREDITED = 2  # casa-verde gets a credit note for an outage
GRACE_MONTH = 3  # the OneBox bill of the 4th month goes under grace
BILLED_OFF = 4  # OneBox bills the 5th month 0.03 more than the close accrued
BANK_MARGIN = D("1.005")  # what a bank charges over the day's rate to sell foreign currency
TIERS = ((1, "0.65"), (8, "0.60"), (50, "0.55"), (200, "0.50"))


class Ops(Protocol):
    """What the demo scenario does to a ledger; SlowOps and FastOps write the same bytes."""

    ledger: Ledger

    def static(self, path: Path, entries: list[data.Directive]) -> None: ...
    def state(self) -> planner.State: ...
    def write(self, plan: planner.Plan) -> None: ...
    def invoice(self, month: Month) -> None: ...
    def close(self, month: Month) -> None: ...
    def flush(self) -> None: ...
    def owed(self, accounts: tuple[str, ...], until: datetime.date) -> Decimal: ...
    def month_entries(self, month: Month) -> list[data.Directive]: ...


class SlowOps:
    """Every step through ``actions``, as the CLI runs it (full validation each time)."""

    def __init__(self, ledger: Ledger, currency: str = OPERATING) -> None:
        self.ledger = ledger
        self.currency = currency

    def static(self, path: Path, entries: list[data.Directive]) -> None:
        with self.ledger.locked():
            actions.write_static(self.ledger, self.ledger.load_valid(), path, entries)

    def state(self) -> planner.State:
        return planner.State.of(self.ledger.load_valid().entries, self.currency)

    def write(self, plan: planner.Plan) -> None:
        with self.ledger.locked():
            loaded = self.ledger.load_valid()
            state = planner.State.of(loaded.entries, self.currency)
            actions.write_events(self.ledger, loaded, state, plan.entries)

    def invoice(self, month: Month) -> None:
        actions.invoice(self.ledger, month, today=month.first, dry_run=False, force=False)

    def close(self, month: Month) -> None:
        actions.close(self.ledger, month, today=month.next().first, dry_run=False, force=False)

    def flush(self) -> None:
        pass

    def owed(self, accounts: tuple[str, ...], until: datetime.date) -> Decimal:
        """What the ledger owes on `accounts` (in the operating currency) at the end of `until`."""
        return _owed(self.ledger.load_valid().entries, accounts, until)

    def month_entries(self, month: Month) -> list[data.Directive]:
        return [e for e in self.ledger.load_valid().entries if month.first <= e.date <= month.last]


@dataclass
class FastOps:
    """The same entries from the same planner and builders, with state kept in memory."""

    ledger: Ledger
    currency: str = OPERATING
    files: dict[Path, str | None] = field(default_factory=dict)
    dirty: set[Path] = field(default_factory=set)
    static_entries: list[data.Directive] = field(default_factory=list)
    credit_entries: list[data.Transaction] = field(default_factory=list)
    history: list[data.Transaction] = field(default_factory=list)  # month_end.concerns
    previous: str = seals.FIRST  # the newest seal's digest
    tax_entries: list[data.Transaction] = field(default_factory=list)
    # the transactions of customers an agent is assigned to: what commissions are computed on
    agent_entries: list[data.Transaction] = field(default_factory=list)
    _state: planner.State | None = None

    def __post_init__(self) -> None:
        self.static_entries = self.ledger.static_entries()  # what init wrote

    def _append(self, path: Path, text: str, header: str = "") -> None:
        if path not in self.files:
            self.files[path] = read_exact(path)
        self.files[path] = appended(self.files[path], text, header)
        self.dirty.add(path)

    def _declared(self) -> tuple[set[str], set[str]]:
        opened = {e.account for e in self.static_entries if isinstance(e, data.Open)}
        declared = {e.currency for e in self.static_entries if isinstance(e, data.Commodity)}
        return opened, declared

    def static(self, path: Path, entries: list[data.Directive]) -> None:
        _, declared = self._declared()
        news = events.commodities(entries, declared, min(e.date for e in entries))
        if news:
            self._append(self.ledger.accounts_path, beans.format_entries(news))
        self._append(path, beans.format_entries(entries))
        self.static_entries.extend([*news, *entries])
        if self._state is not None:
            self._state.book = parse_book(self.static_entries)[0]
            self._state.rates = Rates.of(self.static_entries, self.currency)
            for entry in entries:
                if isinstance(entry, data.Open) and (entry.meta or {}).get("bank") is True:
                    self._state.banks[entry.account] = tuple(entry.currencies or ())

    def state(self) -> planner.State:
        if self._state is None:
            self._state = planner.State.of(self.static_entries, self.currency)
        return self._state

    def _track(self, entries: list[data.Transaction]) -> None:
        state = self.state()
        assigned = self._assigned()
        for entry in entries:
            state.add(entry)
            if beans.touches_credit(entry):
                self.credit_entries.append(entry)
            if month_end.concerns(entry):
                self.history.append(entry)
            if any(p.account in TAX_ACCOUNTS for p in entry.postings):
                self.tax_entries.append(entry)
            if entry.meta.get("customer") in assigned or entry.meta.get("agent"):
                self.agent_entries.append(entry)

    def _assigned(self) -> set[str]:
        """The customers an agent is assigned to (from the static files)."""
        found, _ = agents.parse_agents(e for e in self.static_entries if isinstance(e, data.Custom))
        return {a.customer for a in found.assignments}

    def _commissions(self, entries: Sequence[data.Transaction]) -> list[data.Transaction]:
        """What `entries` accrue to agents, as actions.write_events adds it: computed on the
        static files and the assigned customers' transactions only."""
        assigned = self._assigned()
        if not any(e.meta.get("customer") in assigned for e in entries):
            return []
        state = self.state()
        return agents.accrue(
            [*self.static_entries, *self.agent_entries], entries, state.book, state.rates
        )

    def month_entries(self, month: Month) -> list[data.Directive]:
        path = self.ledger.month_path(month)
        text = self.files[path] if path in self.files else read_exact(path)
        parsed, _, _ = parser.parse_string(text or "")
        return list(parsed)

    def write(self, plan: planner.Plan) -> None:
        if not plan.entries:
            return
        if self._assigned():  # as actions.write_events writes them: the commissions after
            plan = replace(plan, entries=(*plan.entries, *self._commissions(plan.entries)))
        opened, declared = self._declared()
        first = self.ledger.open_date(self.static_entries, self.state().sealed)
        news: list[data.Directive] = [
            *events.commodities(plan.entries, declared, first),
            *events.opens(plan.entries, opened, first),
        ]
        if news:
            self._append(self.ledger.accounts_path, beans.format_entries(news))
            self.static_entries.extend(news)
        by_month: dict[Month, list[data.Transaction]] = {}
        for entry in plan.entries:
            by_month.setdefault(Month.of(entry.date), []).append(entry)
        for month, entries in sorted(by_month.items()):
            self._append(
                self.ledger.month_path(month),
                beans.format_entries(entries),
                JOURNAL_HEADER.format(month=month),
            )
        self._track(list(plan.entries))

    def invoice(self, month: Month) -> None:
        state = self.state()
        entries = invoice_month(
            state.book, month, state.rates, carried(self.credit_entries, month, invoicing=True)
        )
        if not entries:
            return
        opened, _ = self._declared()
        opens = events.opens(entries, opened, self.ledger.open_date(self.static_entries,
                                                                    state.sealed))  # fmt: skip
        if opens:
            self._append(self.ledger.accounts_path, beans.format_entries(opens))
            self.static_entries.extend(opens)
        self._append(
            self.ledger.month_path(month), beans.format_entries(entries),
            JOURNAL_HEADER.format(month=month),
        )  # fmt: skip
        self._track(entries)

    def close(self, month: Month) -> None:
        path = self.ledger.month_path(month)
        if path not in self.files:
            self.files[path] = None
        month_entries, errors, _ = parser.parse_string(self.files[path] or "")
        assert not errors, errors
        static = self.static_entries
        first = self.previous == seals.FIRST
        opened, _ = self._declared()
        state = self.state()
        result = close_month(
            state.book, month,
            [*month_entries, *(e for e in static if month.first <= e.date <= month.last)],
            previous=self.previous, currency=self.currency, rates=state.rates,
            credit_entries=self.credit_entries,
            before=[e for e in static if first and e.date < month.first],
            opened=opened, open_date=self.ledger.open_date(static, state.sealed),
            receivables=[
                e for e in state.by_id.values()
                if any(p.account.startswith(beans.RECEIVABLE + ":") for p in e.postings)
            ],
            history=[*self.history, *(e for e in static if isinstance(e, data.Transaction)
                                      and month_end.concerns(e))],
            banks=month_end.banks_of(static),
        )  # fmt: skip
        if result.opens:
            self._append(self.ledger.accounts_path, beans.format_entries(result.opens))
            self.static_entries.extend(result.opens)
        self._append(path, beans.format_entries(result.entries), JOURNAL_HEADER.format(month=month))
        self._track([e for e in result.entries if isinstance(e, data.Transaction)])
        for entry in result.entries:
            if isinstance(entry, data.Custom) and entry.type == seals.SEAL:
                self.previous = entry.values[1][0]
        state.sealed = month

    def flush(self) -> None:
        for path in sorted(self.dirty):
            text = self.files[path]
            assert text is not None
            write_atomic(path, text)
        self.dirty.clear()

    def owed(self, accounts: tuple[str, ...], until: datetime.date) -> Decimal:
        return _owed(self.tax_entries, accounts, until)


TAX_ACCOUNTS = (taxes.VAT_OUTPUT, taxes.VAT_INPUT, taxes.SINGLE_TAX_OWED)


def _owed(entries: Sequence[data.Directive], accounts: tuple[str, ...],
          until: datetime.date) -> Decimal:  # fmt: skip
    """The credit balance of `accounts` at the end of `until` (their postings are in the
    operating currency: the VAT and single-tax entries book them so)."""
    return -sum(
        (beans.number(p.units) for e in entries
         if isinstance(e, data.Transaction) and e.date <= until
         for p in e.postings if p.account in accounts),
        ZERO,
    )  # fmt: skip


def _setup_default(ledger: Ledger, date: datetime.date) -> None:
    """A US partner outside VAT, paid in USD and, for its EUR customers, at Wise (its invoices
    carry its EUR IBAN, so a EUR invoice's GiroCode fills the transfer)."""
    actions.partner_set(
        ledger, name="Demo OneBox Partner LLC", country="US", tax="none", date=date,
        address="100 Pine Street, San Francisco, CA 94111", iban="BE71096123456769",
        bic="GKCCBEBB",
    )  # fmt: skip


def _setup_de(ledger: Ledger, date: datetime.date) -> None:
    """A German GmbH under VAT, billed by OneBox Europe with 19% VAT (what the commands write)."""
    actions.partner_set(
        ledger, name="Spree Cloud GmbH", country="DE", tax="vat", date=date,
        vat_id="DE136695976", address="Torstrasse 49, 10119 Berlin",
        iban="DE89370400440532013000", rate=D(19),
    )  # fmt: skip
    actions.terms_onebox_vat(ledger, D(19), date)


def _setup_ua(ledger: Ledger, date: datetime.date) -> None:
    """A Ukrainian FOP on the single tax, group 3: 5% of money received."""
    actions.partner_set(
        ledger, name="FOP Kovalenko Olena", country="UA", tax="ua-single-tax", date=date,
        address="vul. Khreshchatyk 22, Kyiv 01001", iban="UA743052990000026007233566001",
        rate=D(5),
    )  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """A demo partner the scenario runs for (``init --demo --profile NAME``).

    `items`: OneBox's list prices of cloud-user and data-records (per 1000); `foreign`: the
    currency other than the operating one, held in `foreign_bank`, priced at `rate` plus up to
    `spread` cents either way, on each 1st (or each weekday when `daily`); `hourly`, `outage`
    and `overpay` are the services' hourly price, the credit note and the overpayment in their
    customer's currency; `setup` records the partner's tax regime through the commands; `pays`
    the tax paid to the tax office ("vat": each month's payable on the 10th of the next;
    "single": each quarter's on the 20th of the next quarter's first month); a partner that
    `buys` pays OneBox's foreign bills with foreign currency bought on the day."""

    name: str
    title: str
    currency: str
    items: tuple[Money, Money]
    roles: tuple[Role, ...]
    foreign: str
    foreign_bank: str
    rate: Decimal
    spread: int
    daily: bool = False
    hourly: int = 95
    outage: str = "16.00"
    overpay: str = "10.00"
    setup: Callable[[Ledger, datetime.date], None] | None = None
    pays: str | None = None
    buys: bool = False

    def prices(self, month: Month, rng: random.Random) -> list[data.Directive]:
        """This month's rates of the foreign currency."""
        days = [month.first]
        if self.daily:
            days = [_day(month, d) for d in range(1, month.days + 1)]
            days = [d for d in days if d.weekday() < 5]
        return [
            beans.price(day, self.foreign, self.rate + D(rng.randint(-self.spread, self.spread))
                        / 100, self.currency)
            for day in days
        ]  # fmt: skip


PROFILES = {
    "default": Profile(
        "default", "Demo OneBox partner", "USD",
        (Money(D("25.00"), "USD"), Money(D("1.99"), "USD")), DEFAULT_ROLES,
        "EUR", EUR_BANK, D("1.08"), 4, setup=_setup_default,
    ),
    "de": Profile(
        "de", "Demo OneBox partner: Spree Cloud GmbH", "EUR",
        (Money(D("23.00"), "EUR"), Money(D("1.85"), "EUR")), DE_ROLES,
        "USD", "Assets:Wise:USD", D("0.92"), 3, hourly=110, setup=_setup_de, pays="vat",
    ),
    "ua": Profile(
        "ua", "Demo OneBox partner: FOP Kovalenko", "UAH",
        (Money(D("25.00"), "USD"), Money(D("1.99"), "USD")), UA_ROLES,
        "USD", "Assets:Bank:USD", D("41.60"), 40, daily=True, hourly=3900,
        outage="650.00", overpay="400.00", setup=_setup_ua, pays="single", buys=True,
    ),
}  # fmt: skip


def _day(month: Month, day: int) -> datetime.date:
    return datetime.date(month.year, month.month, min(day, month.days))


def build_demo(
    root: Path,
    *,
    customers: int = 10,
    months: int = 10,
    seed: int = 1,
    ramp: int | None = None,
    fast: bool = False,
    progress: Callable[[Month], None] | None = None,
    before_close: Callable[[Month], None] | None = None,
    profile: str = "default",
    documents: bool = True,
) -> Ledger:
    """Create `root` and fill it with the demo partner `profile` (PROFILES), closing every month;
    with `documents`, the last month's invoices and credit notes are issued (their PDFs filed
    under ``documents/`` on the next month's first day, as `invoice show --month` does).

    `before_close(month)` is called with the files on disk just before each
    close (the benchmarks copy the ledger there); `progress(month)` after it.
    """
    partner = PROFILES[profile]
    rng = random.Random(seed)
    start_month = END.plus(1 - months)
    first = start_month.first
    ledger = create_ledger(root, title=partner.title, currency=partner.currency, start=first)
    if partner.setup is not None:
        partner.setup(ledger, first)  # before the Ops: FastOps reads what it wrote
    ops: Ops = (FastOps(ledger, partner.currency) if fast
                else SlowOps(ledger, partner.currency))  # fmt: skip
    cloud, records = partner.items
    ops.static(ledger.terms_path, [
        events.item_entry("cloud-user", cloud, first, None),
        events.item_entry("data-records", records, first, D(1000)),
        *(events.rate_entry(boxes, D(rate), first) for boxes, rate in TIERS),
        events.payment_entry(30, first),
    ])  # fmt: skip

    spread = max(1, min(months, ramp if ramp is not None else (months * 6) // 10))
    plan: dict[int, list[int]] = {}
    for i in range(customers):
        # role 8 (the tier-crossing box) starts last, in the middle of its month
        start = spread - 1 if i % 10 == 8 else (i * spread) // max(customers, 1)
        plan.setdefault(start, []).append(i)
    uses_foreign = cloud.currency == partner.foreign or any(
        partner.roles[i % 10].currency == partner.foreign for i in range(customers)
    )
    if uses_foreign:
        bank = data.Open({"bank": True}, first, partner.foreign_bank, [partner.foreign], None)
        ops.static(ledger.accounts_path, [bank])

    ids: dict[int, str] = {}
    started: dict[int, int] = {}  # customer -> the month index it started
    for index in range(months):
        month = start_month.plus(index)
        if uses_foreign:
            ops.static(ledger.prices_path, partner.prices(month, rng))
        for i in plan.get(index, []):
            ids[i] = _start_customer(ops, partner, i, month)
            started[i] = index
        if any(i % 10 == ADVANCE for i in ids):
            ops.invoice(month)  # on the 1st: the advance invoices, before anything is paid
        _month_events(ops, partner, ids, month, index, months, rng, started)
        _pay_taxes(ops, partner, month, index)
        ops.flush()
        if before_close:
            before_close(month)
        ops.close(month)
        ops.flush()
        if progress:
            progress(month)
    if documents and months:
        from .actions.documents import issue_month  # the PDF stack, loaded when documents are made

        issue_month(ledger, END, today=END.next().first)
    return ledger


def _start_customer(ops: Ops, partner: Profile, i: int, month: Month) -> str:
    role = partner.roles[i % 10]
    cid = role.stem if i < 10 else f"{role.stem}-{i // 10}"
    name = role.name if i < 10 else f"{role.name} {i // 10}"
    start = _day(month, 15 if i % 10 == 8 else 1)
    entries = events.customer_entries(cid, name, role.currency, 30, start, dict(role.details))
    for suffix, stream, billing, price, quantity, item in role.contracts:
        entries.append(events.contract_entry(
            f"{cid}-{suffix}", customer=cid, stream=stream, billing=billing,
            price=Money(D(price), role.currency), quantity=quantity, start=start, item=item, end=None,
            timing="advance" if i % 10 == ADVANCE and billing == "monthly" else "arrears",
        ))  # fmt: skip
    if partner.name == "default" and i == 0:  # an agent brought the first customer: 10%,
        # accrued at each of its receipts and owed (report agents; agent pay settles it)
        entries += agents.demo_entries(cid, start)
    ops.static(ops.ledger.customers_path, entries)
    if i % 10 == ANNUAL:  # pays the year on its first day: credit until the close invoices it
        year = D(role.contracts[0][3]) * role.contracts[0][4] * 12
        state = ops.state()
        vat = taxes.treatment(state.book, state.book.customers[cid], start)
        if vat is not None and vat.rate is not None:  # the year's gross, as the invoice bills it
            year += taxes.of_net(year, vat.rate)
        ops.write(
            planner.receipt(ops.state(), cid, Money(year, role.currency), start,
                            ref=f"bank-prepay-{cid}")
        )  # fmt: skip
    return cid


def _reconciled(ops: Ops, bill: OpenItem, date: datetime.date) -> planner.Plan:
    """OneBox's bill as its lines (``onebox reconcile --record``): each accrual billed as the
    books accrued it, the first 0.03 more (OneBox's rounding), each line its own adjustment."""
    state = ops.state()
    period = Month(int(bill.id[-7:-3]), int(bill.id[-2:]))
    accrued = reconcile.expected(ops.month_entries(period), state.book, bill.id)
    lines = [
        reconcile.BillLine(
            n + 2, period, f"bx-{1001 + n}", e.customer or e.contract or "", e.item or "",
            e.quantity if e.quantity is not None else D(1), e.list_price, e.rate,
            e.amount + (D("0.03") if n == 0 else ZERO), e.currency,
        )
        for n, e in enumerate(accrued)
    ]  # fmt: skip
    findings = reconcile.classify(lines, accrued)
    entries = reconcile.adjustments(findings, bill, state.book, date=date, rates=state.rates)
    return planner.Plan(tuple(entries), f"bill {bill.id} reconciled line by line")


def _pay_taxes(ops: Ops, partner: Profile, month: Month, index: int) -> None:
    """VAT: last month's payable on the 10th; the single tax: last quarter's on the 20th of the
    quarter's first month. Each is what the books owe at the end of the period paid for."""
    if partner.pays is None or index == 0 or (partner.pays == "single" and month.month % 3 != 1):
        return
    accounts = ((taxes.VAT_OUTPUT, taxes.VAT_INPUT) if partner.pays == "vat"
                else (taxes.SINGLE_TAX_OWED,))  # fmt: skip
    owed = ops.owed(accounts, month.prev().last)
    if owed <= 0:
        return
    date = _day(month, 10 if partner.pays == "vat" else 20)
    ops.write(planner.tax_payment(
        ops.state(), partner.pays, Money(owed, partner.currency), date,
        ref=f"tax-{partner.pays}-{month.prev() if partner.pays == 'vat' else _quarter(month.prev())}",
    ))  # fmt: skip


def _quarter(month: Month) -> str:
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def _month_events(
    ops: Ops,
    partner: Profile,
    ids: dict[int, str],
    month: Month,
    index: int,
    months: int,
    rng: random.Random,
    started: dict[int, int],
) -> None:
    def currency(cid: str) -> str:
        return ops.state().book.customers[cid].currency

    changes: list[data.Directive] = []
    for i, cid in sorted(ids.items()):
        role = i % 10
        age = index - started[i]
        if role == 0 and index == 3:  # seat change in mid-month: 5 -> 8 users from the 15th
            changes.append(events.change_entry(f"{cid}-cloud", _day(month, 15), 8, None))
        if role == ENDING and index == min(5, months - 1):  # contract ends mid-month
            changes.append(events.end_entry(f"{cid}-cloud", _day(month, 20)))
        if role == ANNUAL and age == UPGRADE:  # 10 -> 15 seats during the contract year
            changes.append(events.change_entry(f"{cid}-cloud", month.first, 15, None))
        if role == ADVANCE and age == ADVANCE_CHANGE:  # 7 -> 9 seats after the invoice
            changes.append(events.change_entry(f"{cid}-cloud", _day(month, 16), 9, None))
        if role == CREDITED and age == ANNUAL_END:  # the year ends early, the rest credited
            changes.append(events.end_entry(f"{cid}-cloud", _day(month, 20), "credit"))
    if changes:
        ops.static(ops.ledger.customers_path, changes)
    for i, cid in sorted(ids.items()):
        role = i % 10
        if role in (5, 9):  # metered data usage
            _usage(ops, cid, D(rng.randint(400, 5200)), month)
        if role == 6:  # hours sold as services
            hours = rng.randint(4, 12)
            date = _day(month, 25)
            ops.write(planner.sale(
                ops.state(), cid, Money(D(hours * partner.hourly), currency(cid)), stream="services",
                date=date, memo=f"Consulting, {hours} hours at {partner.hourly:.2f} {currency(cid)}",
            ))  # fmt: skip
        if role == CREDITED and index == 5:  # an outage: a credit note on last month's invoice
            invoice = f"inv-{month.prev()}-{cid}"
            if invoice in ops.state().invoices:
                ops.write(planner.credit_note(
                    ops.state(), invoice, Money(D(partner.outage), currency(cid)), date=_day(month, 3),
                    memo="Service outage, 2 days", stream="product",
                ))  # fmt: skip
        if role == ENDING and index == min(8, months - 1):  # the last invoice never paid
            for item in ops.state().customer_invoices(cid, month.first):
                if item.open > 0:
                    ops.write(planner.write_off(
                        ops.state(), item.id, date=_day(month, 5),
                        memo="customer closed; uncollectable",
                    ))  # fmt: skip
    _collect(ops, partner, month, index, rng)
    _pay_onebox(ops, partner, month, index)


def _usage(ops: Ops, cid: str, units: Decimal, month: Month) -> None:
    """Metered usage lives in the month's file (a directive, not a money event)."""
    entry = events.usage_entry(f"{cid}-data", units, month)
    if isinstance(ops, FastOps):
        ops._append(
            ops.ledger.month_path(month), beans.format_entries([entry]),
            JOURNAL_HEADER.format(month=month),
        )  # fmt: skip
    else:
        actions.usage(ops.ledger, f"{cid}-data", units, month)


def _collect(ops: Ops, partner: Profile, month: Month, index: int, rng: random.Random) -> None:
    """Customers pay last month's invoices; the late payer pays what is three months old; the
    ending customer overpays once and never pays after its contract ends. A customer pays the
    invoices of one month on one day (an annual invoice dated its anniversary, the month's
    invoice its last day): one draw of the day each."""
    state = ops.state()
    days: dict[tuple[str, Month], datetime.date] = {}
    due: list[OpenItem] = [
        item
        for item in state.invoices.values()
        if item.date <= month.first and item.open > 0 and item.customer
    ]
    for item in sorted(due, key=lambda i: (str(i.customer), i.date, i.id)):
        customer = str(item.customer)
        who = state.book.customers[customer]
        role = next(i for i, r in enumerate(partner.roles) if who.name.startswith(r.name))
        age = month.minus(Month.of(item.date))
        if age == 0 and item.date == month.first:  # invoiced in advance: paid on the 10th
            ops.write(planner.receipt(
                ops.state(), customer, Money(item.open, item.currency), _day(month, 10),
                invoice=item.id, ref=f"bank-{item.id}",
            ))  # fmt: skip
            continue
        if age < (3 if role == LATE else 1):
            continue
        contract = state.book.contracts.get(f"{customer}-cloud")
        if role == ENDING and contract and contract.end and item.date > contract.end:
            continue  # it never pays what it owes after leaving: written off later
        key = (customer, Month.of(item.date))
        date = days[key] if key in days else days.setdefault(key, _day(month, rng.randint(5, 20)))
        extra = D("10.00") if role == ENDING and index == 3 else D(0)
        ops.write(planner.receipt(
            ops.state(), customer, Money(item.open + extra, item.currency), date, invoice=item.id,
            ref=f"bank-{item.id}",
        ))  # fmt: skip


def _pay_onebox(ops: Ops, partner: Profile, month: Month, index: int) -> None:
    """Pay each OneBox bill on its due date; the bill of GRACE_MONTH goes under grace for two
    months; OneBox bills the BILLED_OFF month a few cents off what the close accrued. A partner
    that `buys` its foreign currency buys what the bill needs on the day it pays."""
    start = month.plus(-index)
    grace_bill = f"onebox-{start.plus(GRACE_MONTH)}"
    off_bill = f"onebox-{start.plus(BILLED_OFF)}"
    for bill in ops.state().open_bills(month.last):
        if bill.open <= 0:
            continue
        if bill.id == grace_bill and bill.in_grace == 0:
            agreed = _day(month, 10)
            if bill.due and agreed <= bill.due:
                until = bill.due + datetime.timedelta(days=61)
                entry = events.grace_entry(bill, until, agreed)
                ops.write(planner.Plan((entry,), f"grace for {bill.id}"))
                continue
        if bill.id == off_bill and bill.billed == bill.accrued and bill.due:
            if partner.name == "default":  # its lines reconciled and recorded one by one
                ops.write(_reconciled(ops, bill, _day(month, 3)))
            else:
                billed = bill.accrued + D("0.03")
                ops.write(planner.onebox_bill(ops.state(), bill.id, Money(billed, bill.currency),
                                              _day(month, 3), ref=f"onebox-invoice-{bill.id}"))  # fmt: skip
        if month.first <= bill.due_date <= month.last:
            current = ops.state().bills[bill.id]
            if partner.buys and current.currency == partner.foreign:
                _buy(ops, partner, Money(current.open, current.currency), current.due_date,
                     f"buy-{bill.id}")  # fmt: skip
            ops.write(planner.onebox_payment(
                ops.state(), Money(current.open, current.currency), current.due_date, bill=bill.id,
                ref=f"bank-{bill.id}",
            ))  # fmt: skip


def _buy(ops: Ops, partner: Profile, amount: Money, date: datetime.date, ref: str) -> None:
    """Buy `amount` of the foreign currency with the operating one, at the day's rate plus the
    bank's margin of 0.5% (the difference an exchange loss)."""
    state = ops.state()
    rate = state.rates.need(amount.currency, date, "the purchase of foreign currency")
    paid = Money(-round_money(amount.number * rate * BANK_MARGIN), partner.currency)
    entry = events.transfer_entry(
        [(beans.BANK, paid), (partner.foreign_bank, amount)], date,
        state.entry_id("transfer", ref, str(date)), ref, payee=None,
        memo=f"{amount.currency} bought for OneBox's bill", fee=None, rates=state.rates,
    )  # fmt: skip
    ops.write(planner.Plan((entry,), f"bought {amount.number} {amount.currency}"))
