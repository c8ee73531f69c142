"""Authority, needs and preferences: who decides, what the lead wants, how they like it.

Authority: "I'm the owner / founder / CEO", "it's my call", "I decide", "I sign off", "I run
the budget" make the lead the decision maker; "check with my boss / partner / wife / CFO",
"not the one who decides", "needs approval", "my manager decides" make them not. The title
is the role they give themselves ("I'm the marketing manager", "as head of sales").

Need: the clause after "we need", "I'm looking for", "we want to", "help us with",
"struggling with", "trying to", "interested in" (and necesito / busco / preciso /
procuro / besoin de / brauchen / suchen / cerco), unless negated ("we don't need").

Preference: "I prefer ...", "I'd rather ...", "please only ...", "best to reach me ...".
"""

from __future__ import annotations

import re

from rapport.extraction.base import Finding

_TITLES = (
    r"owner|co-?owner|founder|co-?founder|ceo|cto|cfo|coo|cmo|president|director|"
    r"managing director|general manager|gm|partner|principal|head of [a-z]+|vp of [a-z]+|"
    r"vp [a-z]+|[a-z]+ manager|manager|[a-z]+ director|[a-z]+ lead|lead [a-z]+|assistant|"
    r"intern|coordinator|consultant|doctor|dentist|realtor|broker|chef|"
    r"dono|dona|dueño|dueña|gerente|directeur|propriétaire|inhaber|geschäftsführer|titolare"
)
_SELF_TITLE = re.compile(
    rf"\b(?:i'?m|i am|im|as|soy|sou|je suis|ich bin|sono)\s+(?:the\s+|a\s+|an\s+|our\s+|el\s+|"
    rf"la\s+|o\s+|a\s+|le\s+|der\s+|die\s+|il\s+)?(?P<title>{_TITLES})\b",
    re.IGNORECASE,
)
_DECIDER_TITLES = re.compile(
    r"^(?:owner|co-?owner|founder|co-?founder|ceo|president|managing director|general manager|"
    r"principal|dono|dona|dueño|dueña|propriétaire|inhaber|geschäftsführer|titolare|partner)$",
    re.IGNORECASE,
)
_DECIDES = re.compile(
    r"\b(?:it'?s my (?:call|decision|business|company)|i (?:make|take) the (?:final )?decisions?|"
    r"i decide|i'?m the (?:one who|decision maker|one that) (?:decides|signs)?|"
    r"i sign(?: off)?|i have (?:the )?final say|i own (?:the|this|my)|"
    r"my own (?:business|company|shop)|"
    r"i run (?:the|our|my)|i'?m in charge|i approve|i handle the budget|i control the budget|"
    r"yo decido|eu decido|la decisión es mía|a decisão é minha|c'est moi qui décide|"
    r"ich entscheide|decido io)\b",
    re.IGNORECASE,
)
_DEFERS = re.compile(
    r"\b(?:(?:check|talk|speak|discuss|run it by|run this by|ask|consult|confirm)\s+"
    r"(?:it\s+|this\s+)?"
    r"(?:with|by|past)?\s*(?:my|our|the)\s+(?:boss|partner|wife|husband|manager|team|cfo|ceo|"
    r"owner|director|board|co-?founder|business partner|accountant|finance|procurement|"
    r"legal|head of|supervisor|spouse|family|dad|father|mum|mom)|"
    r"not (?:the one who|the one that|the person who) (?:decides|signs|makes)|"
    r"(?:isn'?t|is not|not) my (?:call|decision)|need(?:s)? (?:approval|sign-?off|to get approval)|"
    r"(?:boss|partner|manager|cfo|ceo|owner|board|director|wife|husband) (?:decides|has to approve|"
    r"needs to approve|signs off|makes the call|has the final say|will decide)|"
    r"(?:hablar|consultar) con mi (?:jefe|socio|esposa|marido)|"
    r"falar com (?:meu|minha) (?:chefe|sócio|sócia|esposa|marido)|"
    r"demander à mon (?:patron|associé|chef)|mit meinem (?:chef|partner|geschäftspartner))",
    re.IGNORECASE,
)

_NEED = re.compile(
    r"\b(?:we|i|our (?:team|company|business|clinic|shop|store|restaurant))\s+"
    r"(?:really\s+|urgently\s+|just\s+|also\s+)?(?:need|needs|want|are looking for|am looking for|"
    r"'re looking for|'m looking for|looking for|are trying to|'re trying to|am trying to|"
    r"'m trying to|are struggling with|'re struggling with|struggle with|need help with|"
    r"would like|'d like|want to|are interested in|'m interested in|am interested in)\s+"
    r"(?P<need>[^.!?\n]{4,120})"
    r"|\b(?:looking for|need help with|help (?:us|me) (?:with|to|get)|struggling (?:with|to)|"
    r"necesito|necesitamos|busco|buscamos|preciso de|precisamos de|preciso|precisamos|procuro|"
    r"procuramos|j'ai besoin d[e']|nous avons besoin d[e']|on cherche|je cherche|"
    r"wir brauchen|ich brauche|wir suchen|ich suche|ho bisogno di|abbiamo bisogno di|cerco|"
    r"cerchiamo)\s+(?P<need2>[^.!?\n]{4,120})",
    re.IGNORECASE,
)
_NOT_A_NEED = re.compile(
    r"^(?:to (?:know|ask|check|talk|think|see|confirm|understand)|to (?:call|meet|book|schedule)|"
    r"a (?:call|demo|meeting)|some time|time to|more time|more info|info|"
    r"you to|your (?:price|pricing)|the price|a discount|a quote|a refund|to cancel)",
    re.IGNORECASE,
)
_NEGATED_NEED = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|no longer|never)\s+(?:really\s+)?need", re.IGNORECASE
)
_PREFERENCE = re.compile(
    r"\b(?:i|we)(?:'d|\s+would)?\s+(?:prefer|rather)\s+(?P<pref>[^.!?\n]{3,100})"
    r"|\b(?P<pref2>(?:best|better) to (?:reach|contact|call|text|message) (?:me|us)[^.!?\n]{0,80})"
    r"|\bplease (?:only )?(?P<pref3>(?:text|whatsapp|email|call) (?:me|us)[^.!?\n]{0,60})",
    re.IGNORECASE,
)


def authority(text: str) -> Finding | None:
    """Whether the lead decides, and the title they give themselves."""
    title_match = _SELF_TITLE.search(text)
    title = title_match["title"].lower() if title_match else None
    if _DEFERS.search(text):
        decider = False
    elif _DECIDES.search(text) or (title and _DECIDER_TITLES.match(title)):
        decider = True
    elif title:
        return Finding(
            "authority",
            {"decision_maker": None, "title": title},
            f"Authority: {title}",
            0.5,
        )
    else:
        return None
    role = "decision maker" if decider else "not the decision maker"
    shown = f"{role}{f' ({title})' if title else ''}"
    return Finding(
        "authority", {"decision_maker": decider, "title": title}, f"Authority: {shown}", 0.8
    )


def need(text: str) -> Finding | None:
    """The need the lead states, in their words."""
    for match in _NEED.finditer(text):
        if _NEGATED_NEED.search(text[max(0, match.start() - 20) : match.end()]):
            continue
        phrase = (match["need"] or match["need2"] or "").strip(" ,;:-")
        phrase = re.split(r"\s+(?:but|though|because|so|and we|if)\s+", phrase)[0]
        if len(phrase) < 4 or _NOT_A_NEED.match(phrase):
            continue
        return Finding("need", {"summary": phrase}, f"Need: {phrase}", 0.6)
    return None


def preference(text: str) -> Finding | None:
    """How the lead likes to be contacted or served."""
    match = _PREFERENCE.search(text)
    if match is None:
        return None
    phrase = (match["pref"] or match["pref2"] or match["pref3"]).strip(" ,;:-")
    return Finding("preference", {"summary": phrase}, f"Prefers: {phrase}", 0.6)
