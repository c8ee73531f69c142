"""Timelines: when a lead wants to start, buy, launch, receive or decide, as a date.

Dates are resolved relative to the message's own timestamp, so a message imported a year
later still reads "next month" as the month after it was sent. Catches (English, and the
es/pt/fr/de/it forms of the month, weekday and "next" words):
- asap / right away / immediately / urgently, and "now" after a buying verb ("I'll sign up
  now", "need it now"): the message date (not when negated: "no rush", "not urgent");
- today, tomorrow; a weekday ("by friday", "monday", "el lunes"): the next such day;
- this week (its Friday), next week (its Wednesday), next month (the 15th), next year,
  next quarter ("la semana que viene", "mois prochain", "nächsten Monat" ...);
- in / within N days, weeks, months ("in like two weeks"); not "a few months", which is vague;
- end of the month / quarter / year, end of Q1-Q4; Q1-Q4 (15th of the middle month);
  seasons (spring Apr 15, summer Jul 15, fall Oct 15); "after the holidays" / "after
  christmas" (Jan 15), "after summer" (Sep 15); Black Friday, Christmas, New Year's Day
  after by / before / for / until;
- month names with early / mid / late / end of / first week of, and a day before or after
  ("by March", "mid-April", "June 15", "1 May", "the 1st of February", "Anfang Juni");
- numeric dates and ordinals after by / before / on / from ... ("by 15/04", "before the
  28th", "by the fifteenth"): day first, as most of our leads write them; a day of the month
  is this month's, or next month's once it has passed.
A month, quarter or season still running reads as today; one that has ended rolls into next
year; past dates are ignored, as are dates of the past ("we launched last March", "our call
in June"). A date counts only when its clause talks about starting, buying, deciding or
postponing ("start", "launch", "need", "sign", "ready", "decide", "by", "before", "after",
"call me back" ...), and not when it only books a meeting in the next two weeks ("can we
talk tomorrow at 3", "move our call to next week"; a board meeting is a decision date);
durations ("results within three months", "it's been 2 weeks") are not timelines. Of
several dates, the one closest after a start word wins ("I'm away in January, so thinking
of starting in February": February).
"""

from __future__ import annotations

import calendar
import datetime
import re

from rapport.extraction.base import Finding
from rapport.extraction.text import fold

_MONTH_WORDS = {
    1: "january|jan|enero|janeiro|janvier|januar|gennaio",
    2: "february|feb|febrero|fevereiro|février|fevrier|februar|febbraio",
    3: "march|mar|marzo|março|marco|mars|märz|marz",
    4: "april|apr|abril|avril|aprile",
    5: "may|mayo|maio|mai|maggio",
    6: "june|jun|junio|junho|juin|juni|giugno",
    7: "july|jul|julio|julho|juillet|juli|luglio",
    8: "august|aug|agosto|août|aout",
    9: "september|sept|sep|septiembre|setembro|septembre|settembre",
    10: "october|oct|octubre|outubro|octobre|oktober|ottobre",
    11: "november|nov|noviembre|novembro|novembre",
    12: "december|dec|diciembre|dezembro|décembre|decembre|dezember|dicembre",
}
_MONTHS = {word: n for n, words in _MONTH_WORDS.items() for word in words.split("|")}
_WEEKDAY_WORDS = {
    0: "monday|lunes|segunda(?:-feira)?|lundi|montag|lunedì|lunedi",
    1: "tuesday|martes|terça(?:-feira)?|mardi|dienstag|martedì|martedi",
    2: "wednesday|miércoles|miercoles|quarta(?:-feira)?|mercredi|mittwoch|mercoledì",
    3: "thursday|jueves|quinta(?:-feira)?|jeudi|donnerstag|giovedì|giovedi",
    4: "friday|viernes|sexta(?:-feira)?|vendredi|freitag|venerdì|venerdi",
    5: "saturday|sábado|sabado|samedi|samstag|sabato",
    6: "sunday|domingo|dimanche|sonntag|domenica",
}
_WEEKDAYS = {
    word.split("(")[0]: n for n, words in _WEEKDAY_WORDS.items() for word in words.split("|")
}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "couple": 2,
            "couple of": 2}  # fmt: skip
_ORDINALS = {word: i + 1 for i, word in enumerate((
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
    "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second", "twenty-third",
    "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh", "twenty-eighth",
    "twenty-ninth", "thirtieth", "thirty-first",
))}  # fmt: skip
_SEASONS = {"spring": (4, 15), "summer": (7, 15), "fall": (10, 15), "autumn": (10, 15),
            "winter": (1, 15)}  # fmt: skip
_PARTS = {"early": 5, "beginning of": 5, "start of": 5, "first week of": 5, "the start of": 5,
          "the beginning of": 5, "mid": 15, "middle of": 15, "late": 25, "end of": 31,
          "the end of": 31, "last week of": 28}  # fmt: skip
_FOREIGN_PARTS = {"anfang": 5, "principios de": 5, "início de": 5, "inicio de": 5,
                  "début": 5, "debut": 5, "inizio": 5, "mitte": 15, "mediados de": 15,
                  "meados de": 15, "mi-": 15, "metà": 15, "ende": 31, "finales de": 31,
                  "fim de": 31, "fin": 31, "fine": 31}  # fmt: skip

_START = re.compile(
    r"\b(?:start|begin|launch|go live|going live|be live|roll ?out|kick ?off|implement|onboard|"
    r"sign|buy|purchas|order|pay|transfer|switch|migrat|decid|decision|approv|ready|need|"
    r"have it|done\b|deliver|receiv|get (?:it |this |things )?going|get started|move forward|"
    r"set up|open(?:ing)?\b|close\b|by\b|within|before|until|till|after|from|deadline|"
    r"timeline|"
    r"asap|plan(?:s|ning)?\b|looking (?:to|at)|hoping|want|would like|thinking|aim|target|"
    r"expect|paperwork|contract|invoice|again|back\b|hit me up|reach out|follow up|"
    r"circle back|pause|postpone|hold off|revisit|wait|(?:call|ring|text|ping|message|try) me\b|"
    r"empez|empiez|comenz|comienz|come[çc]|inici|lanz|lan[çc]|commenc|lancer|anfang|fang|"
    r"starten|liefer|entreg|livr|consegn|cerrar|fechar|para\b|pour\b|partir|bis\b|ab\b|"
    r"desde|dès|entro|prima)",
)
_MEETING = re.compile(
    r"\bcall\b|\bmeet\b|\bmeeting\b|demo|zoom|\bchat\b|talk|appointment|visit|available|"
    r"free\b|catch up|ring me|phone me|after lunch|in the (?:morning|afternoon|evening)|"
    r"\bat \d|\d(?::\d\d)? ?(?:am|pm)\b|o'clock|can'?t do|llamada|reunión|ligação|reunião|"
    r"appel|rendez|anruf|termin|chiamata",
)
_DECISION = re.compile(r"board|committee|decid|decision|approv|sign[- ]?off")
_NOT_URGENT = re.compile(r"\b(?:no|not|any|isn'?t|in no)\s+(?:\w+\s+)?(?:rush|hurry|urgen)")

_ALL_MONTHS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ALL_WEEKDAYS = "|".join(w for ws in _WEEKDAY_WORDS.values() for w in ws.split("|"))
_ALL_ORDINALS = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_PART = "|".join(sorted([*_PARTS, *_FOREIGN_PARTS], key=len, reverse=True))
_FILLER = r"(?:(?:like|about|around|roughly|maybe|approximately|just)\s+)?"
_UNITS = r"(?P<unit>days?|weeks?|months?|years?|días|dias|semanas|meses|jours|semaines|mois|" \
         r"tagen|wochen|monaten|giorni|settimane|mesi)"  # fmt: skip
_COUNT = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|" \
         r"couple(?: of)?)"  # fmt: skip
_PERIOD = r"week|month|year|quarter|semana|mes|mês|año|ano|semaine|mois|année|an|woche|" \
          r"monat|jahr|settimana|mese|anno"  # fmt: skip
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))  # all patterns match text.fold(message)
    for name, pattern in [
        ("asap", r"\basap\b|as soon as possible|right away|immediately|urgent(?:ly)?|"
                 r"needed it yesterday|lo antes posible|o quanto antes|urgente|"
                 r"dès que possible|sofort|"
                 r"(?:(?<='ll)|(?<=will)|(?<=can)|(?<=let's)|(?<=lets)|(?<=\bto))\s+(?:\w+\s+)?"
                 r"(?:start|sign(?: up)?|buy|"
                 r"order|begin|join|pay|get started|go ahead)\s+(?:\w+\s+)?(?:right\s+)?now\b|"
                 r"\b(?:need|want)\s+(?:\w+\s+){0,4}?(?:right\s+)?now\b"),
        ("end_of", r"\b(?:end of|by the end of|the end of|fin de|final de|fim d[eo]|fin du|"
                   r"ende|fine|la fin du)\s+(?:the\s+|este\s+|esse\s+|del?\s+|do\s+|das\s+)?"
                   r"(?P<what>month|quarter|year|q[1-4]|mes|mês|año|ano|mois|année|monats|"
                   r"jahres|mese|anno)\b"),
        ("relative", rf"\b(?:in|within|next|inside of|en|em|dans|in den nächsten|tra|entro)\s+"
                     rf"(?:the\s+)?(?:next\s+)?{_FILLER}{_COUNT}\s+{_UNITS}\b"),
        ("this_week", r"\bthis week\b|esta semana|cette semaine|diese woche|questa settimana"),
        ("next", rf"\b(?:next|this coming|próxim[oa]|proxim[oa]|prochaine?|nächste[nrs]?|"
                 rf"prossim[oa])\s+(?P<what>{_PERIOD})\b"
                 rf"|\b(?P<what2>{_PERIOD})\s+(?:que viene|que vem|prochaine?|prossim[oa])\b"),
        ("quarter", r"\b(?P<q>q[1-4])\b"),
        ("named", r"\b(?P<when>by|before|after|until|till|for|around|on)\s+(?:the\s+)?"
                  r"(?P<day>black friday|cyber monday|christmas|xmas|new year'?s?(?: day)?|"
                  r"thanksgiving|the holidays|holidays|summer|the summer)\b"),
        ("season", r"\b(?:this\s+|next\s+|by\s+|in\s+)?"
                   r"(?P<season>spring|summer|fall|autumn|winter)\b"),
        ("month", rf"\b(?:(?P<part>{_PART})[- ]?\s*)?(?:(?:the\s+)?(?P<day0>\d{{1,2}})"
                  rf"(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?)?"
                  rf"(?P<month>{_ALL_MONTHS})\b\.?(?:\s+(?:the\s+)?(?P<day>\d{{1,2}})"
                  rf"(?:st|nd|rd|th)?\b)?"),
        ("weekday", rf"\b(?:(?:by|before|on|this|next|el|la|le|am|il|na|no|o|ce|este|esta)\s+)?"
                    rf"(?P<weekday>{_ALL_WEEKDAYS})\b"),
        ("day", r"\b(?P<word>today|tonight|tomorrow|tmrw|hoy|mañana|hoje|amanhã|aujourd'hui|"
                r"demain|heute|morgen|oggi|domani)\b"),
        ("numeric", rf"\b(?:by|before|until|till|on|for|starting|from|para|avant|bis|entro)\s+"
                    rf"(?:the\s+)?(?P<date>\d{{1,2}}[/.]\d{{1,2}}(?:[/.]\d{{2,4}})?|"
                    rf"\d{{1,2}}(?:st|nd|rd|th)|{_ALL_ORDINALS})\b"),
    ]
]  # fmt: skip
_NEXT_WORDS = {"week": "week", "semana": "week", "semaine": "week", "woche": "week",
               "settimana": "week", "month": "month", "mes": "month", "mês": "month",
               "mois": "month", "monat": "month", "mese": "month", "year": "year", "año": "year",
               "ano": "year", "année": "year", "an": "year", "jahr": "year", "anno": "year",
               "quarter": "quarter", "monats": "month", "jahres": "year"}  # fmt: skip
_OF_A_MEETING = re.compile(
    r"\b(?:call|meeting|demo|chat|zoom|visit|appointment)\s+(?:in|on|at|for|last|this)?\s*$",
)
_PAST = re.compile(
    r"\b(?:last|since|back in|earlier|was|were|did|had|launched|started|opened|signed|bought|"
    r"began|moved|joined|ordered|paid|tried|used)\s+(?:in\s+|on\s+|this\s+|last\s+)?$",
)
_DURATION = re.compile(r"(?:results?|been|for|takes?|took|lasts?|ago|every|once)\s+(?:\w+\s+)?$")


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


def _in_month(year: int, month: int, dom: int) -> datetime.date:
    return datetime.date(year, month, min(dom, calendar.monthrange(year, month)[1]))


def _period(mid: datetime.date, last: datetime.date, day: datetime.date) -> datetime.date:
    """A month, quarter or season: its ``mid`` date, or today while it is still running,
    or next year's once it has ended."""
    if last < day:
        return mid.replace(year=mid.year + 1)
    return max(mid, day)


def _ahead(candidate: datetime.date, day: datetime.date) -> datetime.date:
    """``candidate``, or the same date a year later once it has passed."""
    return candidate if candidate >= day else candidate.replace(year=candidate.year + 1)


def _end_of(day: datetime.date, what: str) -> datetime.date:
    what = what.lower()
    if re.fullmatch(r"q[1-4]", what):  # "end of Q3" (not "end of the quarter")
        month = int(what[1]) * 3
        return _ahead(_in_month(day.year, month, 31), day)
    unit = _NEXT_WORDS.get(what, "month")
    if unit == "year":
        return datetime.date(day.year, 12, 31)
    if unit == "quarter":
        return _in_month(day.year, ((day.month - 1) // 3 + 1) * 3, 31)
    return _in_month(day.year, day.month, 31)


def _day_of_month(day: datetime.date, dom: int) -> datetime.date | None:
    if not 1 <= dom <= 31:
        return None
    candidate = _in_month(day.year, day.month, dom)
    if candidate < day:
        following = _add(day.replace(day=1), "month", 1)
        candidate = _in_month(following.year, following.month, dom)
    return candidate


def _numeric(text: str, day: datetime.date) -> datetime.date | None:
    text = text.lower()
    if text in _ORDINALS:
        return _day_of_month(day, _ORDINALS[text])
    if text[-2:] in ("st", "nd", "rd", "th"):
        return _day_of_month(day, int(text[:-2]))
    parts = [int(p) for p in re.split(r"[/.]", text)]
    dom, month = parts[0], parts[1]
    if month > 12 >= dom:
        dom, month = month, dom  # "04/15" can only be month first
    if not 1 <= month <= 12:
        return None
    year = parts[2] if len(parts) > 2 else day.year
    year += 2000 if year < 100 else 0
    try:
        candidate = datetime.date(year, month, dom)
    except ValueError:
        return None
    return _ahead(candidate, day) if len(parts) == 2 else candidate


def _named(word: str, when: str, day: datetime.date) -> datetime.date:
    word = word.lower().removeprefix("the ")
    if word == "summer":
        return _ahead(datetime.date(day.year, 9 if when == "after" else 7, 15), day)
    if when == "after" and word in ("christmas", "xmas", "holidays", "new year", "new years",
                                    "new year's", "new year's day", "new years day"):  # fmt: skip
        return _ahead(datetime.date(day.year, 1, 15), day)
    if word in ("black friday", "cyber monday", "thanksgiving"):
        november = datetime.date(day.year, 11, 1)
        thursday = november + datetime.timedelta(days=(3 - november.weekday()) % 7 + 21)
        offset = {"thanksgiving": 0, "black friday": 1, "cyber monday": 4}[word]
        return _ahead(thursday + datetime.timedelta(days=offset), day)
    if word.startswith("new year"):
        return datetime.date(day.year + 1, 1, 1)
    return _ahead(datetime.date(day.year, 12, 25), day)  # christmas, the holidays


def _resolve(name: str, match: re.Match[str], day: datetime.date) -> datetime.date | None:
    if name == "asap":
        return day
    if name == "relative":
        n = match["n"].lower()
        count = int(n) if n.isdigit() else _NUMBERS.get(n, 1)
        return _add(day, _unit(match["unit"]), count)
    if name == "end_of":
        return _end_of(day, match["what"])
    if name == "this_week":
        return day + datetime.timedelta(days=max(0, 4 - day.weekday()))
    if name == "next":
        unit = _NEXT_WORDS.get((match["what"] or match["what2"] or "").lower())
        if unit == "week":
            return day + datetime.timedelta(days=7 - day.weekday() + 2)  # its Wednesday
        if unit == "month":
            return _add(day, "month", 1).replace(day=15)
        if unit == "quarter":
            return _add(day, "month", 3)
        return None if unit is None else _add(day, unit, 1)
    if name == "quarter":
        q = int(match["q"][1])
        return _period(datetime.date(day.year, q * 3 - 1, 15), _in_month(day.year, q * 3, 31), day)
    if name == "named":
        return _named(match["day"], match["when"].lower(), day)
    if name == "season":
        month, dom = _SEASONS[match["season"].lower()]
        mid = datetime.date(day.year, month, dom)
        return _period(mid, mid + datetime.timedelta(days=46), day)
    if name == "month":
        return _month(match, day)
    if name == "weekday":
        wanted = _WEEKDAYS[match["weekday"].lower().split("-")[0]]
        return day + datetime.timedelta(days=(wanted - day.weekday()) % 7 or 7)
    if name == "numeric":
        return _numeric(match["date"], day)
    if name == "day":
        word = match["word"].lower()
        later = word in ("tomorrow", "tmrw", "mañana", "amanhã", "demain", "morgen", "domani")
        return day + datetime.timedelta(days=1 if later else 0)
    return None


def _month(match: re.Match[str], day: datetime.date) -> datetime.date | None:
    word = match["month"].lower()
    preceding = match.string[max(0, match.start() - 8) : match.start()].lower()
    dated = match["part"] or match["day"] or match["day0"]
    after_a_preposition = re.search(
        r"\b(?:in|by|of|before|until|till|from|since|em|en|im|à|a)\s*$", preceding
    )
    if word in ("may", "mar", "jan", "mai", "sep", "fine", "an") and not (
        dated or after_a_preposition
    ):
        return None  # "we may start" is not May
    month = _MONTHS[word]
    if not dated:
        return _period(datetime.date(day.year, month, 15), _in_month(day.year, month, 31), day)
    part = (match["part"] or "").lower()
    dom = int(match["day"] or match["day0"] or 0) or {**_PARTS, **_FOREIGN_PARTS}.get(part, 15)
    return _ahead(_in_month(day.year, month, dom), day)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(c, 0, start) for c in ".!?;\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?;\n") if i != -1]
    return left, min(rights) if rights else len(text)


def timeline(text: str, sent_at: datetime.datetime) -> Finding | None:
    """The date the lead wants to act by, resolved from when the message was sent."""
    day = sent_at.date()
    original, text = text, fold(text)
    found: list[tuple[int, int, int, int, datetime.date]] = []
    for rank, (name, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            left, right = _clause(text, match.start(), match.end())
            clause = text[left:right]
            if name == "asap":
                if _NOT_URGENT.search(text[max(left, match.start() - 20) : match.end()]):
                    continue
                distance = 0
            else:
                cue = _cue_distance(text, left, right, match)
                preceding = text[left : match.start()]
                if cue is None or (name == "relative" and _DURATION.search(preceding)):
                    continue
                if _OF_A_MEETING.search(preceding) and not _DECISION.search(clause):
                    continue  # "our call in June"
                if _PAST.search(preceding):
                    continue  # "we launched last March"
                distance = cue
            when = _resolve(name, match, day)
            if when is None or when < day:
                continue
            if (
                name != "asap"
                and (when - day).days <= 14
                and _MEETING.search(clause)
                and not _DECISION.search(clause)
            ):
                continue  # booking a call, not buying
            found.append((distance, rank, match.start(), match.end(), when))
    # Of overlapping dates ("on the 1st" in "on the 1st of June"), the earlier pattern's.
    kept = [
        one
        for one in found
        if not any(o[1] < one[1] and o[2] < one[3] and one[2] < o[3] for o in found)
    ]
    if not kept:
        return None
    _distance, rank, start, end, when = min(kept)
    phrase = original[start:end].strip()
    return Finding(
        "timeline",
        {"date": when.isoformat(), "expression": phrase},
        f"Timeline: {phrase} (around {when.isoformat()})",
        0.7 if _PATTERNS[rank][0] in ("season", "next", "quarter") else 0.8,
    )


def _cue_distance(text: str, left: int, right: int, match: re.Match[str]) -> int | None:
    """Characters between the date and the nearest start word before it in its clause (a
    start word only after it counts 50 more); None when the clause has none."""
    before = [match.start() - m.end() for m in _START.finditer(text, left, match.end())]
    if before:
        return max(0, min(before))
    after = [m.start() - match.end() for m in _START.finditer(text, match.end(), right)]
    return 50 + min(after) if after else None
