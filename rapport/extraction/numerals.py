"""English number words as digits, so the money rules read spoken amounts like written ones.

"forty-five" -> 45, "fifteen hundred" -> 1500, "five hundred and fifty" -> 550, "a hundred"
-> 100, "two to three grand" -> "2 to 3 grand", "fifty thousand" -> "50 thousand" (the scale
words thousand / million / grand / k stay, as the money rules read them as multipliers).
A number word followed by a tens word is the spoken shorthand of real estate and prices:
"four-fifty" -> 450, "one-twenty" -> 120. A lone "one" or "a" is left alone ("the one I
like", "one-off", "a month"), as are words inside other words.
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_SPOKEN = re.compile(
    rf"\b(?:a|{_WORD})(?:[\s-]+(?:{_WORD})|\s+hundred(?:\s+and(?=\s+(?:{_WORD})\b))?)*\b"
    rf"(?!-(?:off|time)\b)",
    re.IGNORECASE,
)


def _value(words: list[str]) -> int | None:
    """The number a run of number words says, or None when it is not one."""
    if words in (["a"], ["one"]):
        return None
    if words[0] == "a" and (len(words) == 1 or words[1] != "hundred"):
        return None
    if len(words) >= 2 and words[0] in _UNITS and words[1] in _TENS and _UNITS[words[0]] < 10:
        head = _UNITS[words[0]] * 100  # "four-fifty": 450
        rest = _value(words[1:])
        return None if rest is None or rest >= 100 else head + rest
    total = 0
    current = 0
    for word in words:
        if word == "hundred":
            current = max(current, 1) * 100
        elif word in _TENS:
            if current % 100 >= 10:
                return None  # "twenty thirty" is two numbers
            current += _TENS[word]
        elif word in _UNITS or word == "a":
            unit = _UNITS.get(word, 1)
            if current % 10 or (current % 100 >= 10 and unit >= 10):
                return None  # "five six", "twenty twelve"
            current += unit
    total += current
    return total


def digits(text: str) -> str:
    """``text`` with each run of English number words replaced by its digits."""

    def replace(match: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s-]+", match[0].lower()) if w and w != "and"]
        value = _value(words)
        return match[0] if value is None else str(value)

    return _SPOKEN.sub(replace, text)
