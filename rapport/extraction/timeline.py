"""Timelines: when a lead wants to start, buy, launch or decide, as a date.

Dates are resolved relative to the message's own timestamp, so a message imported a year
later still reads "next month" as the month after it was sent. Catches: asap / right away /
this week; today, tomorrow, by <weekday>; next week / month / year (and es/pt/fr/de/it forms);
in / within N days, weeks, months; end of the month / quarter / year; Q1-Q4; seasons; month
names with an optional day and early/mid/late ("by March", "mid-April", "June 15"); numeric
dates and ordinals after "by", "before", "on" ... ("by 15/04", "before the 28th"), read by
dateparser (day first, as most of our leads write them). Vague
expressions land mid-period (next month -> the 15th). A date counts as a timeline only when
its clause talks about starting or deciding ("start", "launch", "go live", "need it", "ready",
"decide", "by", "within" ...) and not about meeting ("call", "demo", "meet", "available"):
"can we talk tomorrow at 3" is scheduling, not a timeline. Past dates are ignored.
"""

from __future__ import annotations

import calendar
import datetime
import re

import dateparser

from rapport.extraction.base import Finding

_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "couple": 2, "few": 3, "couple of": 2, "eight": 8, "ten": 10, "twelve": 12}  # fmt: skip
_SEASONS = {"spring": (4, 15), "summer": (7, 15), "fall": (10, 15), "autumn": (10, 15),
            "winter": (1, 15)}  # fmt: skip

_START = re.compile(
    r"start|begin|launch|go live|going live|roll ?out|kick ?off|implement|onboard|sign|buy|"
    r"purchas|order|decid|decision|ready|need (?:it|this|them|something)|have it|done|"
    r"open|move forward|get going|set up|by\b|within|before|until|deadline|timeline|"
    r"asap|plan|looking to|hoping to|want to|would like|empezar|comenzar|começar|iniciar|"
    r"lanzar|lançar|commencer|lancer|anfangen|starten|iniziare|cerrar|fechar|para\b|pour\b|bis\b",
    re.IGNORECASE,
)
_MEETING = re.compile(
    r"\bcall\b|\bmeet|demo|zoom|chat\b|talk|appointment|visit|available|free\b|catch up|"
    r"ring me|phone me|llamada|reunión|ligação|reunião|appel|rendez|anruf|termin|chiamata",
    re.IGNORECASE,
)

_UNITS = r"(?P<unit>days?|weeks?|months?|years?|días|dias|semanas|meses|jours|semaines|mois|" \
         r"tagen|wochen|monaten|giorni|settimane|mesi)"  # fmt: skip
_COUNT = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|eight|ten|twelve|couple(?: of)?|few)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("asap", r"\basap\b|as soon as possible|right away|immediately|urgent(?:ly)?|"
                 r"right now|lo antes posible|o quanto antes|urgente|dès que possible|sofort"),
        ("relative", rf"\b(?:in|within|next|inside of|en|em|dans|in den nächsten|tra|entro)\s+"
                     rf"(?:the\s+)?(?:next\s+)?{_COUNT}\s+{_UNITS}"),
        ("end_of", r"\b(?:end of|by the end of|fin de|final de|fim d[eo]|fin du|ende|fine)\s+"
                   r"(?:the\s+|este\s+|esse\s+|del?\s+|do\s+|das\s+)?"
                   r"(?P<what>month|quarter|year|mes|mês|año|ano|mois|année|monats|jahres|mese|anno)"),
        ("next", r"\b(?:next|this coming|próxim[oa]|la semana que viene|semana que vem|"
                 r"prochaine?|nächste[nrs]?|prossim[oa])\s*(?P<what>week|month|year|quarter|"
                 r"semana|mes|mês|año|ano|semaine|mois|année|woche|monat|jahr|settimana|mese|anno)?"),
        ("quarter", r"\b(?P<q>q[1-4])\b"),
        ("season", r"\b(?:this\s+|next\s+|by\s+|in\s+)?"
                   r"(?P<season>spring|summer|fall|autumn|winter)\b"),
        ("month", r"\b(?P<part>early|mid|late|beginning of|end of)?[- ]?"
                  r"(?P<month>january|february|march|april|may|june|july|august|september|"
                  r"october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
                  r"\b\.?(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b)?"),
        ("weekday", r"\b(?:by|before|on|this|next)\s+(?P<weekday>monday|tuesday|wednesday|"
                    r"thursday|friday|saturday|sunday)\b"),
        ("day", r"\b(?P<word>today|tonight|tomorrow|hoy|mañana|hoje|amanhã|demain|morgen|"
                r"domani)\b"),
        ("numeric", r"\b(?:by|before|until|on|for|starting|from|till|para|avant|bis|entro)\s+"
                    r"(?:the\s+)?(?P<date>\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\d{1,2}(?:st|nd|rd|th))\b"),
    ]
]  # fmt: skip
_NEXT_WORDS = {"week": "week", "semana": "week", "semaine": "week", "woche": "week",
               "settimana": "week", "month": "month", "mes": "month", "mês": "month",
               "mois": "month", "monat": "month", "mese": "month", "year": "year", "año": "year",
               "ano": "year", "année": "year", "jahr": "year", "anno": "year",
               "quarter": "quarter", "monats": "month", "jahres": "year"}  # fmt: skip


def _unit(word: str) -> str:
    word = word.lower()
    for unit, stems in (("day", ("day", "día", "dia", "jour", "tag", "giorn")),
                        ("week", ("week", "seman", "woch", "settiman")),
                        ("month", ("month", "mes", "mois", "monat")),
                        ("year", ("year", "año", "ano", "jahr", "anno"))):  # fmt: skip
        if word.startswith(stems):
            return unit
    return "day"


def _add(day: datetime.date, unit: str, n: int) -> datetime.date:
    if unit == "day":
        return day + datetime.timedelta(days=n)
    if unit == "week":
        return day + datetime.timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, 28))


def _end_of(day: datetime.date, what: str) -> datetime.date:
    unit = _NEXT_WORDS.get(what.lower(), "month")
    if unit == "year":
        return datetime.date(day.year, 12, 31)
    if unit == "quarter":
        month = ((day.month - 1) // 3 + 1) * 3
        return datetime.date(day.year, month, calendar.monthrange(day.year, month)[1])
    return datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _resolve(name: str, match: re.Match[str], day: datetime.date) -> datetime.date | None:
    if name == "asap":
        return day
    if name == "relative":
        n = match["n"].lower()
        count = int(n) if n.isdigit() else _NUMBERS.get(n, 1)
        return _add(day, _unit(match["unit"]), count)
    if name == "end_of":
        return _end_of(day, match["what"])
    if name == "next":
        unit = _NEXT_WORDS.get((match["what"] or "").lower())
        if unit is None:
            return None
        if unit == "month":
            return _add(day, "month", 1).replace(day=15)
        if unit == "quarter":
            return _add(day, "month", 3)
        return _add(day, unit, 1)
    if name == "quarter":
        q = int(match["q"][1])
        year = day.year + (1 if q * 3 < day.month else 0)
        return datetime.date(year, q * 3 - 1, 15)
    if name == "season":
        month, dom = _SEASONS[match["season"].lower()]
        candidate = datetime.date(day.year, month, dom)
        return candidate if candidate >= day else candidate.replace(year=day.year + 1)
    if name == "month":
        word = match["month"].lower()
        preceding = match.string[max(0, match.start() - 8) : match.start()].lower()
        if word == "may" and not (
            match["part"]
            or match["day"]
            or re.search(r"\b(?:in|by|of|before|until)\s*$", preceding)
        ):
            return None  # "we may start" is not May
        month = _MONTHS[word if word in _MONTHS else word[:3]]
        part = (match["part"] or "").lower()
        dom = (
            int(match["day"])
            if match["day"]
            else {"early": 5, "beginning of": 5, "late": 25, "end of": 28}.get(part, 15)
        )
        dom = min(dom, calendar.monthrange(day.year, month)[1])
        candidate = datetime.date(day.year, month, dom)
        return candidate if candidate >= day else candidate.replace(year=day.year + 1)
    if name == "weekday":
        ahead = (_WEEKDAYS[match["weekday"].lower()] - day.weekday()) % 7
        return day + datetime.timedelta(days=ahead or 7)
    if name == "numeric":
        parsed = dateparser.parse(
            match["date"],
            settings={"RELATIVE_BASE": datetime.datetime.combine(day, datetime.time()),
                      "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"},
        )  # fmt: skip
        return parsed.date() if parsed else None
    if name == "day":
        word = match["word"].lower()
        return day if word in ("today", "tonight", "hoy", "hoje") else day + datetime.timedelta(1)
    return None


def timeline(text: str, sent_at: datetime.datetime) -> Finding | None:
    """The date the lead wants to act by, resolved from when the message was sent."""
    day = sent_at.date()
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            left = max(text.rfind(c, 0, match.start()) for c in ".!?;\n")
            rights = [i for i in (text.find(c, match.end()) for c in ".!?;\n") if i != -1]
            clause = text[left + 1 : min(rights) if rights else len(text)]
            if name != "asap" and (_MEETING.search(clause) or not _START.search(clause)):
                continue
            if name == "day" and not re.search(r"\bby\b|need|before|until", clause, re.I):
                continue
            when = _resolve(name, match, day)
            if when is None or when < day:
                continue
            phrase = match[0].strip()
            return Finding(
                "timeline",
                {"date": when.isoformat(), "expression": phrase},
                f"Timeline: {phrase} (around {when.isoformat()})",
                0.7 if name in ("season", "next") else 0.8,
            )
    return None
