"""PII detectors on labelled sentences: each kind found where it is, with its checksum or
parser confirming it, and look-alikes (order numbers, dates, amounts, prices) left alone."""

from __future__ import annotations

import pytest

from rapport.privacy.detect import find, mask

FOUND = [
    ("write to jane.doe+crm@example.co.uk today", "email", "jane.doe+crm@example.co.uk"),
    ("call me on +1 415 555 0132 after six", "phone", "+1 415 555 0132"),
    ("mi número es +34 612 34 56 78", "phone", "+34 612 34 56 78"),
    ("card 4111 1111 1111 1111 exp 12/27", "card", "4111 1111 1111 1111"),
    ("pay to DE89 3704 0044 0532 0130 00 please", "iban", "DE89 3704 0044 0532 0130 00"),
    ("my IP is 203.0.113.7, blocked?", "ip", "203.0.113.7"),
    ("v6 2001:db8:85a3::8a2e:370:7334 here", "ip", "2001:db8:85a3::8a2e:370:7334"),
    ("SSN 536-90-4399 on file", "national_id", "536-90-4399"),
    ("mi DNI es 12345678Z", "national_id", "12345678Z"),
    ("CPF 390.533.447-05 do cliente", "national_id", "390.533.447-05"),
    ("codice fiscale RCCMNL83S18D969H", "national_id", "RCCMNL83S18D969H"),
]

LEFT_ALONE = [
    "order 1234567 shipped on 2025-03-04",
    "budget is $30k, about 400 boxes",
    "card 4111 1111 1111 1112 (a typo: Luhn fails)",
    "version 1.2.3.4567 of the app",
    "we met at 10:30 on 12/05",
    "IBAN DE89 3704 0044 0532 0130 01 is mistyped",
]


@pytest.mark.parametrize(("text", "kind", "value"), FOUND)
def test_each_kind_is_found(text: str, kind: str, value: str) -> None:
    [found] = [f for f in find(text) if f.kind == kind]
    assert found.text == value
    assert text[found.start : found.end] == value


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert find(text) == []


def test_overlaps_keep_the_longest_and_masks_keep_the_last_digits() -> None:
    text = "card 4111-1111-1111-1111 or mail a@b.io"
    assert [f.kind for f in find(text)] == ["card", "email"]
    assert mask("card", "4111-1111-1111-1111") == "************1111"
    assert mask("email", "jane@example.com") == "j***@example.com"
