"""Objections raised, and objections settled, read from a lead's message.

Each type is caught by phrases (English, with common es/pt/fr/de/it forms):
- price: too expensive, can't afford, out of our budget, cheaper, discount?, pricey, "$X is
  too much";
- timing: not now, not the right time, busy season, maybe later, next year, after the
  holidays, no time right now;
- trust: is this legit / a scam, reviews, guarantee, burned before, never heard of you,
  how do I know it works, refund;
- competitor: already use / work with / signed with another provider, comparing, a named
  alternative ("we use HubSpot"), someone cheaper;
- authority: must ask or check with a boss / partner / board, not my decision;
- need: don't need it, we're fine, already have one, not a priority, not sure we need.
A phrase preceded by a negation ("price isn't an issue", "not worried about the cost") does
not count. Settling phrases ("that works", "makes sense", "fair enough", "let's do it", "you
convinced me", "my boss approved", "price is fine") resolve open objections: the types they
name, or every open one for a plain yes to buying ("*").
"""

from __future__ import annotations

import re

from rapport.extraction.base import Concern

_PATTERNS: dict[str, str] = {
    "price": r"too (?:expensive|pricey|much|high|steep)|can'?t afford|cannot afford|"
    r"out of (?:our|my) (?:budget|price range)|over (?:our|my) budget|cheaper|"
    r"(?:any|a) discount|expensive|pricey|overpriced|costs? too|a lot of money|"
    r"price is (?:a bit |too )?high|not in (?:the|our) budget|muy caro|demasiado caro|"
    r"muito caro|caro demais|trop cher|zu teuer|troppo caro|is a lot for",
    "timing": r"not (?:right )?now|not the right time|bad time|busy season|maybe later|"
    r"(?:check|get) back (?:to you )?(?:later|in|next)|next year|after the holidays|"
    r"no time|too busy|not a good time|a few months|later this year|hold off|on hold|"
    r"wait (?:until|till|a bit)|not ready|ahora no|agora não|pas maintenant|"
    r"nicht jetzt|non ora|más adelante|mais tarde|plus tard|später",
    "trust": r"legit|scam|reviews?|testimonials?|guarantee|burn(?:ed|t) before|"
    r"never heard of|how do i know|how can i trust|refund|track record|proof|"
    r"case stud(?:y|ies)|sounds too good|skeptical|sceptical|not sure (?:it|this) works|"
    r"references|estafa|confiable|golpe|confiável|arnaque|betrug|truffa",
    "competitor": r"already (?:use|using|work with|working with|have a|signed with|with another)|"
    r"(?:another|other) (?:agency|provider|company|vendor|supplier|tool|option)s?|"
    r"compar(?:e|ing)|shopping around|someone cheaper|quote from|"
    r"(?:we|i) use (?:hubspot|salesforce|mailchimp|shopify|wix|squarespace|canva|[A-Z][a-z]+)|"
    r"your competitor|otra agencia|outra agência|autre agence|andere agentur|altra agenzia",
    "authority": r"(?:check|talk|speak|discuss|run (?:it|this) by|ask|consult)\s+(?:it\s+)?"
    r"(?:with\s+)?(?:my|our|the)\s+(?:boss|partner|wife|husband|manager|team|cfo|ceo|owner|"
    r"director|board|co-?founder|accountant|supervisor)|not my (?:decision|call)|"
    r"not the one who decides|need(?:s)? approval|has to approve|needs to approve|"
    r"hablar con mi (?:jefe|socio)|falar com (?:meu|minha) (?:chefe|sócio|sócia)|"
    r"demander à mon (?:patron|associé)|mit meinem chef",
    "need": r"(?:don'?t|do not|doesn'?t) (?:really )?need|"
    r"we'?re (?:fine|good|ok) (?:for now|as is)?|"
    r"already have (?:one|a|an|something)|not a priority|not sure (?:we|i) need|"
    r"no need|not interested in (?:that|this)|don'?t see the (?:point|value)|"
    r"no lo necesito|não preciso|pas besoin|brauchen (?:das|wir) nicht|non mi serve",
}
_COMPILED = {name: re.compile(p, re.IGNORECASE) for name, p in _PATTERNS.items()}
_NEGATION = re.compile(
    r"(?:not|n'?t|no|never|isn'?t|aren'?t|wasn'?t|without)\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)
_NOT_AN_ISSUE = re.compile(
    r"(?:isn'?t|is not|not|no|aren'?t)\s+(?:a|an|really an?|the)?\s*(?:issue|problem|concern)|"
    r"(?:price|cost|money|budget)\s+(?:is|'s)\s+(?:fine|ok|okay|not a problem)",
    re.IGNORECASE,
)

_RESOLVES: dict[str, str] = {
    "price": r"price (?:is |works|sounds)(?:fine|good|ok|okay|fair|reasonable)?|"
    r"fits (?:our|the) budget|"
    r"worth (?:it|the (?:money|price|investment))|that'?s (?:a )?(?:fair|reasonable) price|"
    r"(?:we|i) can (?:make|find) (?:it|the money) work|discount works|affordable now",
    "timing": r"(?:now|this) is a good time|ready (?:now|to go|to start)|timing works|"
    r"we can start (?:now|sooner)|let'?s not wait",
    "trust": r"(?:reviews|testimonials|case stud(?:y|ies)|references) (?:look|looks|are|were) "
    r"(?:good|great|solid|convincing)|that reassures|i trust you|feel (?:better|more comfortable)|"
    r"(?:the )?guarantee (?:helps|works)",
    "competitor": r"(?:switch|switching|cancel(?:l?ing)?) (?:from|our|with) |"
    r"better than (?:what|our)|"
    r"(?:you'?re|you are) better|go with you",
    "authority": r"(?:boss|partner|manager|cfo|ceo|board|wife|husband|owner) "
    r"(?:approved|said yes|agreed|is on board|signed off|gave (?:the|us the) green light)|"
    r"got (?:the )?(?:approval|green light|sign-?off)|approved it",
    "need": r"actually (?:we|i) (?:do )?need|(?:we|i) do need|makes sense for us",
}
_RESOLVES_COMPILED = {name: re.compile(p, re.IGNORECASE) for name, p in _RESOLVES.items()}
_YES = re.compile(
    r"\b(?:let'?s do it|let'?s go(?: ahead)?|let'?s move forward|go ahead|i'?m in\b|we'?re in\b|"
    r"sounds good|that works|makes sense|fair enough|you convinced me|deal\b|sign me up|"
    r"send (?:me |us )?the (?:contract|invoice|payment link|link)|ok let'?s|okay let'?s|"
    r"where do i (?:pay|sign)|vamos|fechado|trato hecho|d'accord|einverstanden|affare fatto)",
    re.IGNORECASE,
)


def concerns(text: str) -> list[Concern]:
    """Each objection type raised in ``text`` (at most one per type)."""
    price_is_fine = bool(_NOT_AN_ISSUE.search(text))
    found = []
    for name, pattern in _COMPILED.items():
        if name == "price" and price_is_fine:
            continue
        for match in pattern.finditer(text):
            if name != "need" and _NEGATION.search(
                text[max(0, match.start() - 25) : match.start()]
            ):
                continue
            found.append(Concern(name, _sentence(text, match.start(), match.end()), 0.7))
            break
    return found


def resolutions(text: str) -> list[str]:
    """Objection types this message settles; ["*"] when it is a plain yes."""
    named = [name for name, pattern in _RESOLVES_COMPILED.items() if pattern.search(text)]
    if named:
        return named
    return ["*"] if _YES.search(text) else []


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left + 1 : (min(rights) + 1) if rights else len(text)].strip()[:500]
