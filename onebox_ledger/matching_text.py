"""Who a bank row is from, as pure text rules: names, invoice and bill ids, OneBox.

Banks write the same payer many ways; these functions compare what is the
same and nothing more. Pure: no ledger, no files::

    core_name('ТОВ "BETA HOMES"') == core_name("Beta Homes LLC") == "beta homes"
    find_invoice_ids("IND ID:INV-2026-10-ACM", ["inv-2026-10-acme-realty"])
        == ["inv-2026-10-acme-realty"]
    is_onebox("ОNЕВОХ")  # Cyrillic О, Е, В, О, Х among Latin N: True
    mentions_customer("ROZETKA.UA KYIV", "kyiv", "Kyiv Estates")  # False

**Names** (:func:`core_name`). Casefolded (NFKC first), dots and apostrophes
dropped inside words (``S.A.`` is ``sa``, ``O'Neil`` is ``oneil``), every other
punctuation and quote (``«»``, ``„“``, ``""``, ``''``) a word break, legal
forms dropped in any position and language (``LLC``, ``GmbH``, ``ТОВ``,
``ФОП``, ``Sp. z o.o.``, ``Товариство з обмеженою відповідальністю``...; a
name made of legal forms only keeps them).

**Look-alike letters.** Cyrillic letters drawn like Latin ones (А В Е К М Н О
Р С Т Х І У Ј Ѕ, casefolded) are folded to those Latin letters only where the
writer evidently meant Latin: in a word mixing the two scripts (``НОМЕS``), and
in a word of look-alikes only (``ВЕТА``) when the name has Latin letters
elsewhere. Real Cyrillic words are never transliterated: ``ТОВ «КОМЕТА»``
stays ``комета``, ``ВАНБОКС`` stays ``ванбокс``. :func:`same_name` also folds
a look-alike-only word when that makes it equal to the other name
(``ТОВ КОМЕТА`` and ``Kometa LLC``).

**Ids** (:func:`find_invoice_ids`, :func:`find_bill_ids`). An id is found in
any case, its parts joined by any run of ``-`` ``_`` ``/`` ``.`` or spaces, or
by nothing (``INV-2026-10-ACME-REALTY``, ``inv 2026 10 acme realty``,
``INV_2026_10_ACME_REALTY``, ``INV202610ACMEREALTY``); any other character ends
it. Only known ids are returned. A text cut short (an ACH reference keeps 15
characters: ``INV-2026-10-ACM``) names the known ids it is the start of, if it
reaches past the month (``inv-2026-10-a``, ``onebox-2026-1``); several such
ids are all returned, for the caller to send the row to review.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Single-word legal forms, after dots are dropped (e.K. -> ek, S.A.R.L. -> sarl).
# fmt: off
LEGAL_WORDS = frozenset({
    "ab", "ag", "as", "bv", "co", "corp", "corporation", "company", "ek", "gbr", "gmbh", "inc",
    "incorporated", "kg", "kgaa", "limited", "llc", "llp", "lp", "ltd", "ltda", "mbh", "nv",
    "ohg", "oy", "oü", "plc", "pty", "sa", "sarl", "sas", "se", "sl", "spa", "srl", "ug",
    "ао", "дп", "зао", "ип", "оао", "ооо", "пао", "пат", "пп", "прат", "спд", "тзов", "тов",
    "флп", "фоп", "чп",
})
LEGAL_PHRASES = tuple(tuple(phrase.split()) for phrase in (
    "товариство з обмеженою відповідальністю",
    "товариство з додатковою відповідальністю",
    "публічне акціонерне товариство",
    "приватне акціонерне товариство",
    "акціонерне товариство",
    "приватне підприємство",
    "фізична особа підприємець",
    "общество с ограниченной ответственностью",
    "индивидуальный предприниматель",
    "limited liability company",
    "limited liability partnership",
    "gesellschaft mit beschränkter haftung",
    "sp z oo",
    "spółka z ograniczoną odpowiedzialnością",
))
# Cyrillic letters (casefolded) whose capital or small glyph is a Latin letter's.
LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
}
# fmt: on
# OneBox's name as Ukrainian registers write it: listed, not transliterated.
ONEBOX_NAMES = frozenset({"onebox", "one box", "ванбокс"})

_LATIN = re.compile("[a-z]")
_CYRILLIC = re.compile("[\u0400-\u04ff\u0500-\u052f]")
_DROPPED = re.compile("[.'’ʼ`´]")  # inside a word: S.A. -> sa, O'Neil -> oneil
_BREAK = re.compile(r"[\W_]+")
_JOIN = re.compile(r"[-_/.\s]+")
_ID_TOKEN = re.compile("[a-z0-9]+")


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [word for word in _BREAK.split(_DROPPED.sub("", folded)) if word]


def _without_legal(words: list[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(words):
        phrase = next((p for p in LEGAL_PHRASES if tuple(words[index : index + len(p)]) == p), None)
        if phrase is not None:
            index += len(phrase)
            continue
        if words[index] not in LEGAL_WORDS:
            kept.append(words[index])
        index += 1
    return kept or words


def _lookalikes_only(word: str) -> bool:
    return all(char in LOOKALIKES for char in word if char.isalpha()) and bool(
        _CYRILLIC.search(word)
    )


def _fold(word: str) -> str:
    return "".join(LOOKALIKES.get(char, char) for char in word)


def _folded_words(words: list[str], *, all_lookalikes: bool) -> list[str]:
    latin = any(_LATIN.search(word) for word in words)
    out = []
    for word in words:
        mixed = bool(_LATIN.search(word)) and bool(_CYRILLIC.search(word))
        foldable = all(char in LOOKALIKES for char in word if _CYRILLIC.match(char))
        if (mixed and foldable) or (_lookalikes_only(word) and (latin or all_lookalikes)):
            word = _fold(word)
        out.append(word)
    return out


@functools.lru_cache(maxsize=1 << 16)  # a statement names the same payees again and again
def core_name(text: str) -> str:
    """A name as compared: casefolded words, no punctuation, no legal form (module docstring).

    >>> core_name('ТОВ "BETA HOMES"'), core_name("BETA HOMES, ТОВ"), core_name("ВЕТА НОМЕS")
    ('beta homes', 'beta homes', 'beta homes')
    >>> core_name("Товариство з обмеженою відповідальністю «Бета Хоумс»")
    'бета хоумс'
    """
    return " ".join(_folded_words(_without_legal(_words(text)), all_lookalikes=False))


def same_name(one: str, other: str) -> bool:
    """Two names are one: equal cores, or equal once look-alike-only words are folded too.

    >>> same_name("ТОВ КОМЕТА", "Kometa LLC"), same_name("Kometa", "Comet")
    (True, False)
    """
    first, second = core_name(one), core_name(other)
    if not first or not second:
        return False
    if first == second:
        return True
    return _fold_all(first) == _fold_all(second)


@functools.lru_cache(maxsize=1 << 16)
def _fold_all(core: str) -> str:
    return " ".join(_folded_words(core.split(), all_lookalikes=True))


def is_onebox(counterparty: str) -> bool:
    """OneBox in any legal form and script: the name starts with the word OneBox.

    ``ONEBOX INC``, ``OneBox LLC``, ``One Box Corp``, ``ТОВ "ONEBOX"``,
    ``ОNЕВОХ`` (look-alikes) and Ukrainian ``ТОВ «ВАНБОКС»`` are OneBox;
    ``ONEBOXING CLUB`` and ``Harbor OneBox Reseller`` are not.
    """
    words = core_name(counterparty).split()
    return bool(words) and (words[0] in ONEBOX_NAMES or " ".join(words[:2]) in ONEBOX_NAMES)


# Where a description's parts begin: punctuation, a dash between spaces, and the little words
# that come before a payee ("Sent money to ONEBOX INC", "Kartenzahlung bei OneBox").
_PARTS = re.compile(
    r"[,;|:/()\[\]«»\"]+|\s[-–]\s|(?i:\b(?:to|from|by|at|for|an|bei|für|von|на|для|від|до)\b)"
)


# OneBox with its legal form or web address inside a longer text ("Card payment ONEBOX LLC San
# Francisco", "Оплата послуг OneBox Inc.", "ONEBOX.COM"): the company, not a word of a name.
_ONEBOX_PAYEE = re.compile(
    r"(?<!\w)(?:one\s?box|ванбокс)(?:\.com\b|\s*,?\s*(?:inc|llc|ltd|corp|co|gmbh|ag|sa|bv|тов)\b\.?)"
)


# Anything that could spell OneBox, look-alike Cyrillic letters included (ОNЕВОХ): a text
# without it names no OneBox.
_MAY_NAME_ONEBOX = re.compile(r"[oо]\W*n\W*[eе]\W*[bв]\W*[oо]\W*[xх]|ванбокс")


def names_onebox(description: str) -> bool:
    """A description that names OneBox as the payee: one of its parts is OneBox.

    ``ONEBOX LLC`` (a card payment), ``Sent money to ONEBOX INC``, ``Оплата ТОВ
    "ONEBOX", рахунок 2026-10`` name OneBox (:func:`is_onebox` on each part), and so
    does OneBox with its legal form or web address anywhere (``Card payment ONEBOX
    LLC San Francisco``, ``ONEBOX.COM``); ``Harbor OneBox Reseller`` and ``ONEBOXING
    CLUB`` do not.

    >>> names_onebox("Sent money to ONEBOX INC"), names_onebox("Harbor OneBox Reseller")
    (True, False)
    """
    folded = unicodedata.normalize("NFKC", description).casefold()
    if _MAY_NAME_ONEBOX.search(folded) is None:  # most descriptions: no OneBox, one search
        return False
    if any(is_onebox(part) for part in _PARTS.split(description) if part and part.strip()):
        return True
    return _ONEBOX_PAYEE.search(folded) is not None


def mentions_customer(text: str, customer_id: str, customer_name: str) -> bool:
    """Whether `text` (a counterparty or a description) names the customer. Pure.

    The rule, from the strongest evidence:

    1. the whole text is the customer: its core name (:func:`same_name`) is the
       customer's name or id (``ACME REALTY LLC`` for ``acme-realty`` "Acme
       Realty"; ``KYIV`` for ``kyiv``);
    2. the text holds the customer's id when the id has a hyphen, as a whole
       id (``juniper-schools October``; never inside ``xjuniper-schools-2``);
    3. the text holds the customer's full name when the name has two words or
       more, as whole words (``Payment for services, Kyiv Estates``).

    A one-word id or name never matches a single word of a longer text: the
    card purchase ``ROZETKA.UA KYIV`` does not mention customer ``kyiv`` (Kyiv
    Estates), and ``Acme`` in ``Acme Tools invoice`` does not mention ``acme``.
    """
    core = core_name(text)
    if not core:
        return False
    if same_name(text, customer_name) or same_name(text, customer_id.replace("-", " ")):
        return True
    if "-" in customer_id:
        pattern = rf"(?<![0-9a-z-]){re.escape(customer_id.casefold())}(?![0-9a-z-])"
        if re.search(pattern, unicodedata.normalize("NFKC", text).casefold()):
            return True
    name = core_name(customer_name).split()
    if len(name) < 2:
        return False
    return f" {' '.join(name)} " in f" {core} " or f" {_fold_all(' '.join(name))} " in (
        f" {_fold_all(core)} "
    )


_ID_RUN = re.compile("[0-9a-z-]+")


@dataclass(frozen=True)
class CustomerNames:
    """The customers' names and ids, read once, to tell which customers each of many texts
    names: :meth:`same` is :func:`same_name` against every customer's name and id,
    :meth:`mentioned` is :func:`mentions_customer` against every customer, and both cost
    a lookup per word of the text instead of a comparison per customer::

        names = CustomerNames.of([("kyiv", "Kyiv Estates"), ("acme-realty", "Acme Realty")])
        names.same('ТОВ "KYIV ESTATES"') == ["kyiv"]
        names.mentioned("Payment acme-realty October") == ["acme-realty"]
        names.mentioned("ROZETKA.UA KYIV") == []

    Names compare by their cores with every look-alike word folded (``_fold_all``): two
    cores are :func:`same_name` exactly when those are equal, and a customer's name of two
    words or more is in a text's core exactly when its folded words are among the text's.
    """

    whole: Mapping[str, frozenset[str]]  # folded core of a name or of an id -> customer ids
    ids: Mapping[str, str]  # an id with a hyphen, as found in casefolded text -> the id
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (words, id)

    @classmethod
    def of(cls, customers: Iterable[tuple[str, str]]) -> CustomerNames:
        """From (id, name) pairs."""
        whole: dict[str, set[str]] = {}
        ids: dict[str, str] = {}
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for customer_id, name in customers:
            for text in (name, customer_id.replace("-", " ")):
                core = core_name(text)
                if core:
                    whole.setdefault(_fold_all(core), set()).add(customer_id)
            if "-" in customer_id:
                ids[customer_id.casefold()] = customer_id
            words = core_name(name).split()
            if len(words) >= 2:
                folded = tuple(_fold_all(" ".join(words)).split())
                phrases.setdefault(folded[0], []).append((folded, customer_id))
        return cls(
            {key: frozenset(value) for key, value in whole.items()},
            ids,
            {key: tuple(value) for key, value in phrases.items()},
        )

    def same(self, text: str) -> list[str]:
        """The customers whose name or id `text` is (:func:`same_name`), sorted."""
        core = core_name(text)
        return sorted(self.whole.get(_fold_all(core), ())) if core else []

    def named(self, text: str) -> list[str]:
        """The customers `text` names (:meth:`mentioned`), less those whose name is only found
        inside another customer's id that the text holds, sorted: with customers Harbor Clinic
        and harbor-clinic-12, ``harbor-clinic-12 services`` names only harbor-clinic-12. An id
        is an identifier; a name inside a longer name stays ambiguous (``Iris Travel Group``
        may be the group paying for Iris Travel)."""
        core = core_name(text)
        if not core:
            return []
        words = _fold_all(core).split()
        found = set(self.whole.get(" ".join(words), ()))
        held: list[tuple[int, int]] = []  # where the ids the text holds are, among its words
        low = unicodedata.normalize("NFKC", text).casefold()
        for run in _ID_RUN.findall(low):
            if run in self.ids:
                found.add(self.ids[run])
                held += _places(words, tuple(_fold_all(core_name(run.replace("-", " "))).split()))
        for start, word in enumerate(words):
            for phrase, customer_id in self.phrases.get(word, ()):
                end = start + len(phrase)
                inside = any(s <= start and end <= e and e - s > end - start for s, e in held)
                if tuple(words[start:end]) == phrase and not inside:
                    found.add(customer_id)
        return sorted(found)

    def mentioned(self, text: str) -> list[str]:
        """The customers `text` names (:func:`mentions_customer`), sorted."""
        core = core_name(text)
        if not core:
            return []
        found = set(self.whole.get(_fold_all(core), ()))
        low = unicodedata.normalize("NFKC", text).casefold()
        found.update(self.ids[run] for run in _ID_RUN.findall(low) if run in self.ids)
        words = _fold_all(core).split()
        for start, word in enumerate(words):
            for phrase, customer_id in self.phrases.get(word, ()):
                if tuple(words[start : start + len(phrase)]) == phrase:
                    found.add(customer_id)
        return sorted(found)


def _places(words: list[str], phrase: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each place `phrase` is among `words`."""
    size = len(phrase)
    return [
        (start, start + size)
        for start in range(len(words) - size + 1)
        if size and tuple(words[start : start + size]) == phrase
    ]


def _skeleton(text: str) -> str:
    return re.sub("[^a-z0-9]", "", text.casefold())


class KnownIds:
    """Known invoice or bill ids, indexed once for :func:`find_invoice_ids` and
    :func:`find_bill_ids` over many texts: by skeleton (lowercase letters and digits
    only), with the skeletons sorted so the ids a cut-off text starts are one range."""

    def __init__(self, known: Iterable[str]) -> None:
        by_skeleton: dict[str, list[str]] = {}
        for item in known:
            by_skeleton.setdefault(_skeleton(item), []).append(item)
        self.by_skeleton = by_skeleton
        self.keys = sorted(by_skeleton)
        self.longest = max(map(len, by_skeleton), default=0)

    def _range(self, skeleton: str) -> tuple[int, int]:
        # skeletons are [a-z0-9]: those that start with `skeleton` sort before skeleton + DEL
        return bisect.bisect_right(self.keys, skeleton), bisect.bisect_left(
            self.keys, skeleton + "\x7f"
        )

    def has_longer(self, skeleton: str) -> bool:
        """Whether a known id's skeleton starts with `skeleton` and is longer."""
        low, high = self._range(skeleton)
        return low < high

    def starting(self, skeleton: str) -> list[str]:
        """The ids whose skeleton starts with `skeleton` and is longer, sorted."""
        low, high = self._range(skeleton)
        return sorted(item for key in self.keys[low:high] for item in self.by_skeleton[key])


def _find_ids(text: str, known: Iterable[str] | KnownIds, prefix: str, shortest: int) -> list[str]:
    index = known if isinstance(known, KnownIds) else KnownIds(known)
    low = unicodedata.normalize("NFKC", text).casefold()
    tokens = list(_ID_TOKEN.finditer(low))
    found: list[str] = []
    start = 0
    while start < len(tokens):
        hit = (
            _id_at(low, tokens, start, index, shortest)
            if (tokens[start].group().startswith(prefix))
            else None
        )
        if hit is None:
            start += 1
            continue
        found.extend(item for item in hit[1] if item not in found)
        start = hit[0] + 1
    return found


def _id_at(
    low: str, tokens: list[re.Match[str]], start: int, index: KnownIds, shortest: int
) -> tuple[int, list[str]] | None:
    """(last token, ids) of the id that starts at token `start`: the longest reading.

    An exact id may be followed by more text; a cut-off one must end there: at
    the end of the text, a space or another character, but not a joiner such as
    ``-`` followed by more of an id no known id has (``INV-2026-10-ACME-X``).
    """
    exact_hit: tuple[int, list[str]] | None = None
    prefix_hit: tuple[int, list[str]] | None = None
    skeleton = ""
    end = start
    while end < len(tokens):
        gap = low[tokens[end - 1].end() : tokens[end].start()] if end > start else ""
        if end > start and not _JOIN.fullmatch(gap):
            break
        skeleton += tokens[end].group()
        exact = index.by_skeleton.get(skeleton) if len(skeleton) <= index.longest else None
        longer = index.has_longer(skeleton)
        if exact:
            exact_hit = (end, sorted(exact))
        elif longer and len(skeleton) >= shortest:
            prefix_hit = (end, index.starting(skeleton))
        if not exact and not longer:
            if prefix_hit is not None and gap.strip():
                prefix_hit = None
            break
        end += 1
    if prefix_hit is not None and (exact_hit is None or prefix_hit[0] > exact_hit[0]):
        return prefix_hit
    return exact_hit


def find_invoice_ids(text: str, known_ids: Iterable[str] | KnownIds) -> list[str]:
    """The known invoice ids (``inv-YYYY-MM-<customer>``, ``inv-YYYY-MM-DD-<customer>[.n]``)
    in `text`, in order; a cut-off id gives every id it starts (module docstring).

    >>> find_invoice_ids("inv 2026 10 acme realty", ["inv-2026-10-acme-realty"])
    ['inv-2026-10-acme-realty']
    """
    return _find_ids(text, known_ids, "inv", len("inv") + 7)


def find_bill_ids(text: str, known_ids: Iterable[str] | KnownIds) -> list[str]:
    """The known OneBox bill ids (``onebox-YYYY-MM``) in `text`; same rules as invoices.

    >>> find_bill_ids("Partner bill ONEBOX-2026-1", ["onebox-2026-10", "onebox-2026-11"])
    ['onebox-2026-10', 'onebox-2026-11']
    """
    return _find_ids(text, known_ids, "onebox", len("onebox") + 5)
