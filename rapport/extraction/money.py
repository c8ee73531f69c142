"""Budgets: how much a lead says they can or will spend, with currency and period.

Amounts: written with a currency symbol or word ($2,500, €300, R$ 2.000, A$400, 500 bucks,
2000 euros, USD 1k, 2 millones de pesos), shorthand multipliers (5k, 2.5k, 10 grand, 1.5m,
3 mil, 2 lakh), spoken numbers ("fifteen hundred pounds", "forty-five a month", "two to three
grand": ``numerals``), ranges ("3-5k", "between 3k and 5k", "3 to 5 mil", "ten K, maybe
twelve", "four-fifty, four-sixty max": ``min`` and ``amount`` = the upper bound) and the
period (per month, /mo, monthly, a year, weekly, one-off, total, im Monat, al mes ...).
Thousands separators follow the digits (price-parser): "2.000" and "2,000" are both two
thousand; "2,5k" is 2,500. "pesos" take the country the text names (Medellín: COP, México:
MXN ...), else no currency; lakh and crore are INR. In a property conversation (house,
offer, listing, pre-approved) a bare 100-999 is thousands: "an offer at 465" is 465,000.

An amount counts as a budget only when its clause says the lead can spend it ("budget",
"can do", "could probably do", "afford", "up to", "max", "tops", "under", "willing to pay",
"we've got", "presupuesto", "orçamento", "invertir" ...) or accepts a price ("the $129 plan,
let's do it", "4.600 € per year works for us", "149 € passt", "our CFO approved that").
A bare number (no currency, no multiplier) needs such a cue right before it ("under 300",
"my max is like 1000", "could do like 200 a month") or a period after it and a cue in its
clause. Not budgets: a price the lead complains about ("$500 is too much", "180 € ist mehr
als geplant": a price objection), what they pay now or paid ("currently $350/mo with
Klaviyo", "spent 10k last year"), revenue ("300/month in sales"), approval thresholds
("anything over 5k"), numbers followed by a unit (12 people, 10 inch, 400 boxes, 2 weeks,
11am), years, phone and order numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from price_parser import Price

from rapport.extraction import numerals
from rapport.extraction.base import Finding
from rapport.extraction.text import fold

_SYMBOLS = {"r$": "BRL", "us$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD",
            "$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY"}  # fmt: skip
_WORDS = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "dólares": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "brl": "BRL", "reais": "BRL",
    "inr": "INR", "rupees": "INR", "rs": "INR",
    "mxn": "MXN", "cop": "COP", "ars": "ARS", "clp": "CLP", "pesos": "",
    "cad": "CAD", "aud": "AUD", "chf": "CHF", "aed": "AED", "dirhams": "AED",
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1_000, "grand": 1_000, "thousand": 1_000, "mil": 1_000, "mille": 1_000,
    "m": 1_000_000, "million": 1_000_000, "millions": 1_000_000, "mio": 1_000_000,
    "millones": 1_000_000, "millón": 1_000_000, "milhões": 1_000_000, "milhão": 1_000_000,
    "lakh": 100_000, "lakhs": 100_000, "crore": 10_000_000, "crores": 10_000_000,
}  # fmt: skip
_PESOS = tuple(
    (code, re.compile(where))
    for code, where in (
        ("COP", r"colombia|medell[ií]n|bogot[áa]|\bcali\b|cartagena|barranquilla"),
        ("MXN", r"m[eé]xico|\bcdmx\b|guadalajara|monterrey|canc[uú]n"),
        ("ARS", r"argentin|buenos aires|c[oó]rdoba|rosario"),
        ("CLP", r"\bchile|santiago"),
    )
)

_SYMBOL = r"(?:r\$|us\$|au\$|a\$|ca\$|c\$|\$|€|£|₹|¥)"
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT = r"(?:" + "|".join(sorted(_MULTIPLIERS, key=len, reverse=True)) + r")\b"
_WORD = r"(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b"
AMOUNT = re.compile(
    rf"(?<![\w.,/#:])(?P<sym>{_SYMBOL})?\s?(?P<num>{_NUMBER})(?![/:]\d)\s?(?P<mult>{_MULT})?"
    rf"\s?(?P<sym2>{_SYMBOL})?(?:\s?(?:de\s)?(?P<word>{_WORD}))?",
)
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")

_UNIT_AFTER = re.compile(
    r"\s*(?:%|x\b|people|persons?|ppl|guys|employees|staff|members|users|seats|agents|"
    r"clients|customers|patients|subscribers|followers|locations|stores|shops|branches|"
    r"inch|inches|cm|mm|kg|g\b|lbs?|tonnes|tons|boxes|units|pieces|pcs|items|orders|pizzas|"
    r"bottles|bags|cases|mugs|uniforms|years?|yrs?|months?|weeks?|days?|hours?|hrs?|"
    r"minutes?|mins?|am\b|pm\b|h\b|o'clock|st\b|nd\b|rd\b|th\b|sq|m2|rooms?|beds?|"
    r"bedrooms?|leads|calls|posts|videos|reels|sessions|classes|pessoas|personas|"
    r"funcionários|empleados|mitarbeiter|personnes|anos|años|meses|semanas|boîtes|cajas)",
)
_CUES = (
    r"budget|spend|afford|invest|invertir|investir|willing to pay|(?:can|could) pay|pay up to|"
    r"(?:can|could|would|will|i'?d|we'?d)\s+(?:\w+\s+)?(?:do|go|pay|manage|stretch|swing)\b|"
    r"stretch|up to|max\b|maximum|at most|no more than|not more than|under\b|below|less than|"
    r"limit|tops\b|cap\b|capped|ceiling|set aside|allocated|"
    r"(?:looking|thinking) at|ballpark|range|offer|pre-?approved|(?:you|u) (?:match|beat|do)\b|"
    r"presupuesto|gastar|pagar|orçamento|posso|podemos|puedo|podría|consigo|payer|dépenser|"
    r"ausgeben|zahlen|spendere|pagare|hasta|até|jusqu|bis zu|fino a"
)
_ACCEPTS = (
    r"(?<!how it )works(?! on)|is fine|'s fine|sounds (?:good|fine|fair|great)|"
    r"let'?s (?:do|go)|go with|i'?ll take|we'?ll take|approved|deal\b|passt|\bserve\b|"
    r"me quedo|fechado|va bene|"
    r"d'accord|(?:i'?m|we'?re) in\b(?=\s*(?:[.!,)]|$|for |on (?:it|this)))|sign me up"
)
_HAVE = r"(?:we|i)(?:'ve| have)? got\b|got (?:like|about|around|maybe|roughly)|we have|i have"
_BUDGET_CUES = re.compile(rf"{_CUES}|{_ACCEPTS}|{_HAVE}|around|about|roughly")
_HAVE_CUES = re.compile(rf"{_CUES}|{_ACCEPTS}|{_HAVE}")  # in a question
_STRONG_CUES = re.compile(rf"{_CUES}|{_ACCEPTS}")  # before a bare number
_BUDGET_WORD = re.compile(r"budget|presupuesto|orçamento|afford")
_COMPLAINT = re.compile(
    r"too (?:much|expensive|high|pricey|steep)|is a lot|expensive|overpriced|pricey|steep|"
    r"charg(?:e|ing)|quoted|you want|you're asking|costs? (?:me|us)?|way more|"
    r"more than (?:i|we) (?:thought|expected|planned)|above what|mehr als|más de lo|"
    r"mais do que|plus que|caro|cher\b|teuer|costoso|demasiado|muito|es mucho",
)
_NOT_SPEND = re.compile(
    r"currently|right now (?:we |i )?pay|(?:we|i) pay\b|(?:'re|'m| are| am) paying|"
    r"already pay|spent|used to|was paying|last (?:year|month)|in sales|revenue|turnover|"
    r"(?:we|i) (?:make|earn)|(?:we|i) (?:usually |normally )?spend\b|anything (?:over|above)|"
    r"listed at|asking price|quote|(?:they|he|she) offered|"
    r"(?:with|to) (?:our|my) (?:current|old|existing)|current (?:guy|"
    r"agency|provider|vendor|supplier)",
)
_PROPERTY = re.compile(
    r"\b(?:house|condo|apartment|property|listing|listed|offer|mortgage|pre-?approved|"
    r"bedrooms?|realtor)\b",
)
_PERIODS = (
    ("month", r"/\s?mo\b|/\s?month|per month|a month|each month|every month|monthly|p/m|"
     r"al mes|por mes|por mês|ao mês|par mois|pro monat|im monat|monatlich|al mese|mensual|"
     r"mensal"),
    ("year", r"/\s?y(?:ea)?r\b|per year|a year|each year|annually|yearly|per annum|p\.?a\.?|"
     r"al año|por año|por ano|ao ano|par an|pro jahr|im jahr|jährlich|all'anno|anual"),
    ("week", r"/\s?wk\b|/\s?week|per week|a week|weekly|por semana|par semaine|pro woche"),
    ("one_off", r"one[- ]off|one[- ]time|in total|total|upfront|lump sum|in tutto|en total|"
     r"au total|insgesamt|for the whole|for everything"),
)  # fmt: skip
_PERIOD_PATTERNS = [(name, re.compile(pattern)) for name, pattern in _PERIODS]


@dataclass(frozen=True, slots=True)
class Money:
    amount: float
    currency: str | None
    start: int
    end: int
    bare: bool = False  # no currency and no multiplier: "under 300", "200 a month"


def _number(text: str, multiplied: bool) -> float | None:
    """Digits with thousands separators or a decimal part, read by price-parser, which tells
    "2.000" (two thousand) from "1.5" and "2,5" (decimals) by the digit grouping."""
    if multiplied and re.fullmatch(r"\d+[.,]\d{3}", text):
        text = text.replace(",", ".")  # "2,500k" is rare; "1.500k" means 1.5k in shorthand
    amount = Price.fromstring(text).amount
    return None if amount is None else float(amount)


def _pesos(text: str) -> str | None:
    return next((code for code, where in _PESOS if where.search(text)), None)


def mentions(text: str) -> list[Money]:
    """Amounts in ``text``, in order: with a currency or a multiplier, or bare numbers that
    are not followed by a unit and are not years, times, dates or phone numbers."""
    text = fold(text)
    found = []
    phones = [m.span() for m in _PHONE.finditer(text) if len(re.sub(r"\D", "", m[0])) >= 8]
    property_talk = bool(_PROPERTY.search(text))
    for match in AMOUNT.finditer(text):
        sym = (match["sym"] or match["sym2"] or "").lower()
        word = (match["word"] or "").lower()
        mult = (match["mult"] or "").lower()
        currency = _SYMBOLS.get(sym) or _WORDS.get(word) or None
        if word == "pesos":
            currency = _pesos(text)
        if mult.startswith(("lakh", "crore")):
            currency = currency or "INR"
        named = bool(sym or word)
        if mult == "m" and not named:
            continue  # "5m" is as likely metres or minutes
        if not named and (
            _UNIT_AFTER.match(text, match.end("num")) or _UNIT_AFTER.match(text, match.end())
        ):
            continue
        value = _number(match["num"], bool(mult))
        if value is None or value == 0:
            continue
        bare = not (named or mult)
        if bare and (
            value < 10
            or re.fullmatch(r"(?:19|20)\d\d", match["num"])
            or any(start <= match.start() < end for start, end in phones)
        ):
            continue  # a year, or a phone or order number
        value *= _MULTIPLIERS.get(mult, 1)
        if bare and property_talk and 100 <= value < 1000:
            value *= 1000  # "an offer at 465", "four-sixty max"
        found.append(Money(value, currency, match.start(), match.end(), bare))
    return found


_CONTRAST = r"\b(?:but|though|however|pero|aber|mais|ma)\b"
_CLAUSE_END = re.compile(r"[!?;\n]|\.(?!\d)")
_SEGMENT_END = re.compile(rf"[!?;\n]|[.,](?!\d)|{_CONTRAST}")
_TURN = re.compile(rf"[!?;\n]|\.(?!\d)|{_CONTRAST}")


def _span(text: str, start: int, end: int, stops: re.Pattern[str]) -> str:
    """The stretch of ``text`` around ``start:end`` that no ``stops`` match crosses."""
    left = max((m.end() for m in stops.finditer(text, 0, start)), default=0)
    right = stops.search(text, end)
    return text[left : right.start() if right else len(text)]


def _period(*spans: str) -> str | None:
    for span in spans:
        for name, pattern in _PERIODS:
            if re.search(pattern, span):
                return name
    return None


def _spendable(text: str, money: Money) -> int:
    """0 when ``money`` is not a budget; else 2 when its own part of the sentence names the
    budget, 1 otherwise."""
    clause = _span(text, money.start, money.end, _CLAUSE_END)
    segment = _span(text, money.start, money.end, _SEGMENT_END)
    since = max(0, money.start - 30)
    since = max((m.end() for m in _TURN.finditer(text, since, money.start)), default=since)
    before = text[since : money.start]
    end = _CLAUSE_END.search(text, money.end)
    question = end is not None and end[0] == "?"
    budget_word = bool(_BUDGET_WORD.search(segment) or _BUDGET_WORD.search(before))
    if _NOT_SPEND.search(segment) or _NOT_SPEND.search(before[-15:]):
        return 0
    if _COMPLAINT.search(segment) or (_COMPLAINT.search(clause) and not budget_word):
        return 0
    if money.bare:
        right_after = text[money.end : money.end + 20]
        cued = _STRONG_CUES.search(before) or (_period(right_after) and _STRONG_CUES.search(clause))
        if not cued:
            return 0
    else:
        nearby = text[max(0, money.start - 50) : money.end + 30]
        cues = _HAVE_CUES if question else _BUDGET_CUES
        if not (cues.search(clause) or cues.search(nearby)):
            return 0
    return 2 if budget_word else 1


def _opens_range(text: str, amounts: list[Money], index: int) -> bool:
    """Whether the amount is the lower end of a range closed by the next one."""
    if index + 1 >= len(amounts):
        return False
    low, high = amounts[index], amounts[index + 1]
    between = text[low.end : high.start]
    joined = re.fullmatch(
        r"\s*(?:-|\u2013|to|and|or|y|e|a|à|bis|,)?\s*(?:maybe|perhaps|possibly|like)?\s*",
        between,
    )
    return joined is not None and low.amount < high.amount


def budget(text: str) -> Finding | None:
    """The budget the lead states, if any (the largest amount of a range is ``amount``)."""
    text = numerals.digits(fold(text))
    amounts = mentions(text)
    best: tuple[Money, Money | None, int] | None = None
    for index, money in enumerate(amounts):
        strength = _spendable(text, money)
        if strength == 0 or _opens_range(text, amounts, index):
            continue
        if best is not None and best[2] > strength:
            continue
        low = _range_low(text, amounts, index)
        best = (money, low, strength)
        if strength == 2:
            break
    if best is None:
        return None
    money, low, _strength = best
    currency = money.currency or (low.currency if low else None)
    value: dict[str, Any] = {
        "amount": money.amount,
        "currency": currency,
        "period": _period(
            _span(text, money.start, money.end, _SEGMENT_END),
            _span(text, money.start, money.end, _CLAUSE_END),
        ),
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


def _range_low(text: str, amounts: list[Money], index: int) -> Money | None:
    """The lower end when the amount closes a range ("3-5k", "between 3 and 5k")."""
    money = amounts[index]
    if index > 0 and _opens_range(text, amounts, index - 1):
        low = amounts[index - 1]
        if low.bare and money.amount / 10 <= low.amount * 1000 <= money.amount:
            return Money(low.amount * 1000, low.currency, low.start, low.end, low.bare)
        return low
    before = text[max(0, money.start - 40) : money.start]
    joined = re.search(
        rf"(?P<low>{_NUMBER})\s?(?P<mult>{_MULT})?\s?(?:-|\u2013|to|and|y|e|a)\s?$",
        before.rstrip(" $€£"),
    )
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
