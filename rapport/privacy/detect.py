"""Finding personal data in a message, offline: emails, phone numbers, card numbers, IBANs,
IP addresses and common national ids.

Each detector is a pattern that finds candidates and a checksum or parser that confirms them,
as Presidio's pattern recognizers do: ``phonenumbers`` (Google's libphonenumber) for phone
numbers in the org's region, the Luhn check for cards, ``python-stdnum`` for IBANs and the
national ids of the languages our users' conversations are in (US SSN, Spanish DNI/NIE,
Portuguese NIF, French NIR, German tax id, Italian codice fiscale, Brazilian CPF). A
candidate that fails its check (an order number, a date) is left alone.

Why not presidio-analyzer itself: offline it works only with its ``NoOpNlpEngine``, which
leaves exactly these pattern recognizers, and it still installs spaCy and its model
machinery (hundreds of MB) for nothing; the libraries above are what those recognizers use.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.pt import nif
from stdnum.us import ssn

KINDS = ("email", "phone", "card", "iban", "ip", "national_id")


@dataclass(frozen=True, slots=True)
class Found:
    """One piece of personal data: what it is, and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{3,39}(?![\w:])")
_NATIONAL: tuple[tuple[re.Pattern[str], Callable[[str], bool]], ...] = (
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), ssn.is_valid),
    (re.compile(r"\b\d{8}-?[A-Za-z]\b"), dni.is_valid),
    (re.compile(r"\b[XYZxyz]-?\d{7}-?[A-Za-z]\b"), nie.is_valid),
    (re.compile(r"\b[1-3]\d{2}(?: ?\d{2}){2} ?\d{3} ?\d{3} ?\d{2}\b"), nir.is_valid),
    (re.compile(r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b"), idnr.is_valid),
    (re.compile(r"\b[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]\b"), codicefiscale.is_valid),
    (re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), cpf.is_valid),
    (re.compile(r"\b[1-35689]\d{8}\b"), nif.is_valid),
)


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _candidates(text: str, region: str) -> Iterator[Found]:
    for match in _EMAIL.finditer(text):
        yield Found("email", match.start(), match.end(), match.group())
    for match in _IBAN.finditer(text):
        if iban.is_valid(match.group()):
            yield Found("iban", match.start(), match.end(), match.group())
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield Found("card", match.start(), match.end(), match.group())
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if _ip(match.group()):
                yield Found("ip", match.start(), match.end(), match.group())
    for pattern, valid in _NATIONAL:
        for match in pattern.finditer(text):
            if valid(match.group()):
                yield Found("national_id", match.start(), match.end(), match.group())
    for number in phonenumbers.PhoneNumberMatcher(text, region):
        yield Found("phone", number.start, number.end, number.raw_string)


def find(text: str, region: str = "US") -> list[Found]:
    """The personal data in ``text``, in order, without overlaps (the longest wins: a card
    number is not also read as a phone number)."""
    found = sorted(_candidates(text, region), key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Found] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def mask(kind: str, text: str) -> str:
    """``text`` with all but what identifies it to its owner hidden: an email's first letter
    and domain, a number's last four digits."""
    if kind == "email":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"\W", "", text)
    return "*" * max(len(digits) - 4, 4) + digits[-4:]
