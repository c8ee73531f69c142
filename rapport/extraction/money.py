"""Budgets: how much a lead says they can or will spend, with currency and period.

Catches amounts written with a currency symbol or word ($2,500, €300, R$ 2.000, 500 bucks,
2000 euros, USD 1k), shorthand multipliers (5k, 2.5k, 10 grand, 1.5m, 3 mil, 2 lakh), ranges
("3-5k", "between 3k and 5k", "3 to 5 mil": ``min`` and ``amount`` = the upper bound) and the
period (per month, /mo, monthly, a year, weekly, one-off). An amount counts as a budget only
when its clause says the lead can spend it ("budget", "can do", "afford", "up to", "max",
"under", "willing to pay", "presupuesto", "orçamento" ...) and does not complain about it
("$500 is too much" is a price objection, not a budget). Bare numbers followed by a unit
(12 people, 10 inch, 400 boxes, 2 weeks) and years are never money. Thousands separators
follow the digits (price-parser): "2.000" and "2,000" are both two thousand; "2,5k" is
2,500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from price_parser import Price

from rapport.extraction.base import Finding

_SYMBOLS = {"r$": "BRL", "us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}
_WORDS = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "dólares": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "brl": "BRL", "reais": "BRL", "real": "BRL",
    "inr": "INR", "rupees": "INR", "rs": "INR",
    "mxn": "MXN", "pesos": "MXN", "cad": "CAD", "aud": "AUD", "chf": "CHF",
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1_000, "grand": 1_000, "thousand": 1_000, "mil": 1_000, "mille": 1_000,
    "m": 1_000_000, "million": 1_000_000, "mio": 1_000_000, "lakh": 100_000, "lakhs": 100_000,
}  # fmt: skip

_SYMBOL = r"(?:r\$|us\$|\$|€|£|₹|¥)"
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT = r"(?:k|grand|thousand|mil|mille|million|mio|m|lakhs?)\b"
_WORD = r"(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b"
_AMOUNT = (
    rf"(?P<sym>{_SYMBOL})?\s?(?P<num>{_NUMBER})\s?(?P<mult>{_MULT})?\s?(?P<sym2>{_SYMBOL})?"
    rf"\s?(?P<word>{_WORD})?"
)
AMOUNT = re.compile(_AMOUNT, re.IGNORECASE)

_UNIT_AFTER = re.compile(
    r"\s*(?:%|x\b|people|persons?|employees|staff|members|users|seats|clients|customers|"
    r"followers|locations|stores|shops|branches|inch|inches|cm|mm|kg|g\b|lbs?|boxes|units|"
    r"pieces|pcs|items|orders|pizzas|bottles|bags|cases|years?|yrs?|months?|weeks?|days?|"
    r"hours?|hrs?|minutes?|mins?|am\b|pm\b|o'clock|st\b|nd\b|rd\b|th\b|sq|m2|rooms?|beds?|"
    r"bedrooms?|leads|calls|posts|videos|reels|pessoas|personas|funcionários|empleados|"
    r"mitarbeiter|personnes|anos|años|meses|semanas)",
    re.IGNORECASE,
)
_BUDGET_CUES = re.compile(
    r"budget|spend|afford|invest|willing to pay|can pay|could pay|pay up to|can do|could do|"
    r"can go|could go|stretch|up to|max\b|maximum|at most|no more than|under\b|below|"
    r"less than|cap\b|capped|set aside|allocated|we have|i have|got about|around|about|"
    r"roughly|ballpark|range|presupuesto|gastar|pagar|orçamento|investir|posso|podemos|"
    r"budget|dépenser|payer|ausgeben|zahlen|spendere|pagare|hasta|até|jusqu",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"too (?:much|expensive|high|pricey|steep)|is a lot|expensive|overpriced|pricey|steep|"
    r"charg(?:e|ing)|quoted|you want|you're asking|costs? (?:me|us)?|"
    r"caro|cher|teuer|costoso|demasiado|muito",
    re.IGNORECASE,
)
_PERIODS = (
    ("month", r"/\s?mo\b|/\s?month|per month|a month|each month|every month|monthly|p/m|"
     r"al mes|por mes|por mês|ao mês|par mois|pro monat|im monat|al mese|mensual|mensal"),
    ("year", r"/\s?y(?:ea)?r\b|per year|a year|each year|annually|yearly|per annum|p\.?a\.?|"
     r"al año|por año|por ano|ao ano|par an|pro jahr|im jahr|all'anno|anual"),
    ("week", r"/\s?wk\b|/\s?week|per week|a week|weekly|por semana|par semaine|pro woche"),
    ("one_off", r"one[- ]off|one[- ]time|in total|total|upfront|lump sum"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Money:
    amount: float
    currency: str | None
    start: int
    end: int


def _number(text: str, multiplied: bool) -> float | None:
    """Digits with thousands separators or a decimal part, read by price-parser, which tells
    "2.000" (two thousand) from "1.5" and "2,5" (decimals) by the digit grouping."""
    if multiplied and re.fullmatch(r"\d+[.,]\d{3}", text):
        text = text.replace(",", ".")  # "2,500k" is rare; "1.500k" means 1.5k in shorthand
    amount = Price.fromstring(text).amount
    return None if amount is None else float(amount)


def mentions(text: str) -> list[Money]:
    """Amounts of money in ``text`` (with a currency or a multiplier), in order."""
    found = []
    for match in AMOUNT.finditer(text):
        sym = (match["sym"] or match["sym2"] or "").lower()
        word = (match["word"] or "").lower()
        mult = (match["mult"] or "").lower()
        currency = _SYMBOLS.get(sym) or _WORDS.get(word)
        if not (currency or mult):
            continue
        if mult == "m" and not currency:
            continue  # "5m" is as likely metres or minutes
        if not currency and _UNIT_AFTER.match(text, match.end()):
            continue
        value = _number(match["num"], bool(mult))
        if value is None or value == 0:
            continue
        value *= _MULTIPLIERS.get(mult, 1)
        found.append(Money(value, currency, match.start(), match.end()))
    return found


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?;\n")
    rights = [i for i in (text.find(c, end) for c in ".!?;\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]


def _period(clause: str) -> str | None:
    for name, pattern in _PERIODS:
        if re.search(pattern, clause, re.IGNORECASE):
            return name
    return None


def budget(text: str) -> Finding | None:
    """The budget the lead states, if any (the largest amount of a range is ``amount``)."""
    amounts = mentions(text)
    best: tuple[Money, Money | None, str] | None = None
    for index, money in enumerate(amounts):
        clause = _clause(text, money.start, money.end)
        nearby = text[max(0, money.start - 50) : money.end + 30]
        if not (_BUDGET_CUES.search(clause) or _BUDGET_CUES.search(nearby)):
            continue
        before = text[max(0, money.start - 40) : money.start]
        if _COMPLAINT.search(clause) and not re.search(r"budget|afford|presupuesto", clause, re.I):
            continue
        low = _range_low(text, amounts, index, before)
        best = (money, low, clause)
        if re.search(r"budget|presupuesto|orçamento", clause, re.IGNORECASE):
            break
    if best is None:
        return None
    money, low, clause = best
    currency = money.currency or (low.currency if low else None)
    value: dict[str, Any] = {
        "amount": money.amount,
        "currency": currency,
        "period": _period(clause),
    }
    if low is not None:
        value["min"] = low.amount
    shown = f"{currency + ' ' if currency else ''}{money.amount:,.0f}"
    if low is not None:
        shown = f"{currency + ' ' if currency else ''}{low.amount:,.0f}-{money.amount:,.0f}"
    per = {"month": " per month", "year": " per year", "week": " per week"}.get(
        value["period"] or "", ""
    )
    return Finding("budget", value, f"Budget: {shown}{per}", 0.85)


def _range_low(text: str, amounts: list[Money], index: int, before: str) -> Money | None:
    """The lower end when the amount closes a range ("3-5k", "between 3 and 5k")."""
    money = amounts[index]
    joined = re.search(
        rf"(?P<low>{_NUMBER})\s?(?P<mult>{_MULT})?\s?(?:-|\u2013|to|and|y|e|a)\s?$",
        before.rstrip(" $€£"),
        re.IGNORECASE,
    )
    if index > 0 and money.start - amounts[index - 1].end <= 6:
        low = amounts[index - 1]
        return low if low.amount < money.amount else None
    if joined is None:
        return None
    value = _number(joined["low"], bool(joined["mult"]))
    if value is None:
        return None
    scale = _MULTIPLIERS.get((joined["mult"] or "").lower(), 1)
    if scale == 1 and money.amount / 10 <= value * 1000 <= money.amount:
        scale = 1000  # "3-5k": the multiplier of the upper end applies to both
    low_amount = value * scale
    if low_amount >= money.amount:
        return None
    return Money(low_amount, money.currency, money.start - len(joined[0]), money.start)
