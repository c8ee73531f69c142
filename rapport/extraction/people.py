"""Authority, needs and preferences: who decides, what the lead wants, how they like it.

Authority: "I'm the owner / founder / CEO", "it's my call", "I decide", "I sign it today",
"I run the budget", "I run a small agency", "I own a gym", "tengo un gimnasio", "sou a dona"
make the lead the decision maker; someone else deciding or approving makes them not: "check
with / talk to / show it to my boss / partner / wife / CFO", "not the one who decides",
"needs approval", "I need my wife's approval", "our CEO wants to see a demo first", "our CFO
has the final sign off / approved that / reviewed it", "we'd both have to agree", "my mum
said she'll pay", and the same in es/pt/fr/de/it ("devo sentire mio marito", "mit unserer
Geschäftsführerin absprechen"). Signing up ("if I sign up") says nothing about authority.
The title is the role they give themselves, in English ("I'm the marketing manager", "as
head of sales"; dueño / dona / Inhaber: owner); a title alone leaves ``decision_maker`` None.

Need: the phrase after "we need" / "we'd need", "need ..." opening a clause, "I'm looking
for", "we want to", "we're looking at / evaluating / hoping to", "help us with",
"struggling with", "trying to", "interested in", "we're not getting new patients", "can you
build / migrate / print ...", "how much for ...", "do you do ...", and necesito / quiero /
busco / preciso / procuro / on a besoin de / on cherche / brauchen / suchen / cerco /
vorrei; cut where the sentence moves on (a new clause after a comma, "asap", "by Friday",
"in October", a question), unless negated ("we don't need", "not sure I need") or not a
need at all ("need to talk to my wife", "want to start in two weeks", "need it done by
Friday", "payment plans").

Preference: "I prefer ...", "I'd rather ...", "please only ...", "best to reach me ...".
"""

from __future__ import annotations

import re

from rapport.extraction.base import Finding
from rapport.extraction.text import fold

_TITLES = (
    r"owner|co-?owner|founder|co-?founder|ceo|cto|cfo|coo|cmo|president|director|"
    r"managing director|general manager|gm|partner|principal|head of [a-z]+|vp of [a-z]+|"
    r"vp [a-z]+|[a-z]+ manager|manager|[a-z]+ director|[a-z]+ lead|lead [a-z]+|assistant|"
    r"intern|coordinator|consultant|doctor|dentist|realtor|broker|chef|"
    r"dono|dona|dueño|dueña|propietari[oa]|gerente|gérante?|directeur|directrice|"
    r"propriétaire|inhaber(?:in)?|geschäftsführer(?:in)?|titolare|fundador[a]?|fondateur|"
    r"fondatrice|gründer(?:in)?"
)
_IN_ENGLISH = {
    "dono": "owner", "dona": "owner", "dueño": "owner", "dueña": "owner",
    "propietario": "owner", "propietaria": "owner", "propriétaire": "owner",
    "inhaber": "owner", "inhaberin": "owner", "titolare": "owner", "gerente": "manager",
    "gérant": "manager", "gérante": "manager", "directeur": "director",
    "directrice": "director", "geschäftsführer": "managing director",
    "geschäftsführerin": "managing director", "fundador": "founder", "fundadora": "founder",
    "fondateur": "founder", "fondatrice": "founder", "gründer": "founder",
    "gründerin": "founder",
}  # fmt: skip
_SELF_TITLE = re.compile(
    rf"\b(?:i'?m|i am|im|as|soy|sou|je suis|ich bin|sono)\s+(?:the\s+|a\s+|an\s+|our\s+|el\s+|"
    rf"la\s+|o\s+|a\s+|le\s+|der\s+|die\s+|il\s+)?(?P<title>{_TITLES})\b"
)
_DECIDER_TITLES = re.compile(
    r"^(?:owner|co-?owner|founder|co-?founder|ceo|president|managing director|general manager|"
    r"principal|partner)$"
)
_BUSINESS = (
    r"business|company|agency|shop|store|studio|gym|salon|clinic|practice|restaurant|bakery|"
    r"bakeries|caf[eé]|bar|firm|startup|brand|boutique|spa|school|hotel|franchise"
)
_DECIDES = re.compile(
    r"\b(?:it'?s my (?:call|decision|business|company)|i (?:make|take) the (?:final )?decisions?|"
    r"i (?:make|take) the call|i decide|i'?m the (?:one who|decision maker|one that)"
    r"(?: decides| signs)?|i (?:can |will |'ll )?sign\b(?! up)|i have (?:the )?final say|"
    r"i own (?:the|this|my)|my own (?:business|company|shop)|i'?m in charge|i approve|"
    r"i (?:handle|control|run|own) the budget|"
    rf"i (?:run|own|have|started|founded|opened|manage) (?:a|an|my|our|the|this|two|three)\s+"
    rf"(?:[\w-]+\s+){{0,3}}?(?:{_BUSINESS})|"
    r"tengo (?:un|una|dos) (?:\w+\s+)?(?:negocio|empresa|gimnasio|tienda|restaurante|"
    r"cl[ií]nica|estudio|sal[oó]n|agencia|panader[ií]a|peluquer[ií]a|caf[eé])|"
    r"tenho (?:um|uma|duas|dois) (?:\w+\s+)?(?:neg[oó]cio|empresa|academia|loja|restaurante|"
    r"cl[ií]nica|est[uú]dio|sal[aã]o|ag[eê]ncia|padaria)|"
    r"j'ai (?:un|une) (?:\w+\s+)?(?:entreprise|boutique|restaurant|salon|agence|"
    r"boulangerie|cabinet|salle)|je dirige|ich (?:habe|führe) (?:ein|eine|einen) |"
    r"yo decido|eu decido|la decisión es mía|a decisão é minha|c'est moi qui décide|"
    r"ich entscheide|decido io)"
)
_AUTHORITY = (
    r"boss|manager|cfo|ceo|coo|cto|md|owner|owners|director|board|partners?|co-?founder|"
    r"business partner|wife|husband|spouse|mum|mom|dad|father|mother|parents|family|"
    r"accountant|finance(?: team)?|procurement|legal|management|head of \w+|supervisor|gm|"
    r"president|team lead|principal"
)
_DEFERS = re.compile(
    r"\b(?:(?:check|talk|speak|discuss|run it by|run this by|ask|consult|confirm|show (?:it|this)"
    r"(?: to)?)\s+(?:it\s+|this\s+)?(?:with|by|past|to)?\s*(?:my|our|the)\s+"
    rf"(?:{_AUTHORITY})\b|"
    r"not (?:the one who|the one that|the person who|the decision maker)|"
    r"(?:isn'?t|is not|not) my (?:call|decision)|need(?:s)? (?:approval|sign-?off|to get approval)|"
    rf"need (?:my|our) (?:{_AUTHORITY})'?s? (?:approval|ok|okay|sign[- ]?off|blessing|go-ahead)|"
    rf"(?<!i'm )(?<!im )(?<!i am )(?<!as )(?:my|our|the) (?:{_AUTHORITY})\b"
    r"(?:\s+(?!so\b|but\b|and\b|no\b)\w+){0,3}?\s+(?:decides|has to|have to|needs? to|"
    r"must|will (?:decide|need|have to|want)|wants to|approved|approves|reviewed|signs|said|"
    r"agreed|(?:is|'s) (?:happy|fine|ok|okay) with|(?:has|have) (?:the )?final|makes the call|"
    r"handles the|"
    r"(?:is|are) (?:paying|the one))|"
    r"(?:she|he|they) (?:has|have) the final (?:say|word|sign[- ]?off)|"
    r"(?:she|he|they) (?:handles|controls) the (?:money|budget|\$\$|finances)|"
    r"(?:both|all|each) (?:have|need|has) to (?:agree|approve|sign|decide|say yes)|"
    r"(?:need|have|got|gotta) to (?:show|ask|check with|take it to|run it by) "
    r"(?:her|him|them|my|our)\b|take it to (?:him|her|them|the board)|"
    r"showed (?:it|this|the \w+) to (?:my|our|the) |"
    r"(?:hablar|consultar|hablarlo|consultarlo|preguntar(?:le)?)(?: con| a)? mi "
    r"(?:jefe|jefa|socio|socia|esposa|esposo|marido|mujer)|"
    r"(?:falar|conversar|consultar|ver) com (?:o |a )?(?:meu|minha) (?:chefe|s[oó]cio|s[oó]cia|"
    r"esposa|marido|mulher)|"
    r"(?:demander à|en parler à|voir avec|consulter) (?:mon|ma) "
    r"(?:patron|associée?|chef|femme|mari)|"
    r"mit (?:meinem|meiner|unserem|unserer) (?:chef(?:in)?|partner(?:in)?|"
    r"geschäftsführer(?:in)?|geschäftsführung|frau|mann)|(?:sie|er) entscheidet|"
    r"(?:geschäftsführung|chef(?:in)?|geschäftsführer(?:in)?) (?:hat zugestimmt|entscheidet|muss)|"
    r"(?:sentire|chiedere a|parlare con|consultare) (?:il |la )?(?:mio|mia) "
    r"(?:marito|moglie|socio|socia|capo|titolare)|(?:él|ella|ele|ela|lui|lei) decide)"
)

_NEED_VERBS = (
    r"need|needs|want|wanna|would like|'d like|are looking for|'re looking for|am looking for|"
    r"'m looking for|looking for|are looking at|'re looking at|are trying to|'re trying to|"
    r"am trying to|'m trying to|are hoping to|'re hoping to|hope to|are planning to|"
    r"'re planning to|plan to|are struggling with|'re struggling with|struggle with|"
    r"need help with|need help|are interested in|'re interested in|'m interested in|"
    r"am interested in|are evaluating|'re evaluating|are considering|'re considering|"
    r"are exploring|'re exploring|are shopping for|'re shopping for|'d need|would need|"
    r"'ll need|will need"
)
_NEED_VERBS = "|".join(sorted(_NEED_VERBS.split("|"), key=len, reverse=True))
_SERVICE_VERBS = (
    r"migrate|build|design|make|fix|set up|redo|create|run|manage|handle|print|install|repair|"
    r"clean|cater|integrate|translate|develop|write|shoot|film|organi[sz]e|deliver|host"
)
_NEED = re.compile(
    r"\b(?:we|i|our (?:team|company|business|clinic|shop|store|restaurant|practice))\s*"
    rf"(?:really\s+|urgently\s+|just\s+|also\s+|still\s+|desperately\s+)?(?:{_NEED_VERBS})"
    r"[\s,]+(?P<need>[^.!?\n]{3,120})"
    r"|(?:(?:^|[.!?,;:]\s*|\band\s+|\bso\s+)(?:um,?\s+|uh,?\s+|just\s+)?"
    r"(?:need|needs|trying to|hoping to|wanting to)|\blooking for|\bstruggling with|"
    r"\bin need of)\s+(?P<need2>[^.!?\n]{3,120})"
    r"|\b(?:we'?re|we are|i'?m|i am)\s+(?:just\s+)?(?:not getting[\s,]+(?:like,?\s+)?"
    r"(?P<need8>[^.!?\n]{3,100})|getting[\s,]+(?:like,?\s+)?"
    r"(?P<need9>(?:no|zero|hardly any|barely any)\b[^.!?\n]{3,100}))"
    r"|\b(?:help (?:us|me) (?:with|to|get)|struggling (?:with|to)|"
    r"necesito|necesitamos|busco|buscamos|quiero|queremos|preciso de|precisamos de|preciso|"
    r"precisamos|procuro|procuramos|quero|j'ai besoin d[e']|nous avons besoin d[e']|"
    r"on a besoin d[e']|on cherche|je cherche|nous cherchons|on voudrait|je voudrais|"
    r"wir brauchen|ich brauche|brauchen|wir suchen|ich suche|suchen|ho bisogno di|"
    r"abbiamo bisogno di|cerco|cerchiamo|vorrei|vorremmo)\s*(?P<need3>[^.!?\n]{3,120})"
    rf"|\b(?:can|could) (?:you|u|we)(?: guys)? (?:help (?:us|me) )?(?P<need4>(?:{_SERVICE_VERBS})\b"
    r"[^.!?\n]{3,120})"
    r"|\bhow much (?:is it |would it be |does it cost |do you charge )?(?:to|for) "
    r"(?P<need5>[^.!?\n]{3,120})"
    r"|\b(?:c'est combien pour|combien pour|cu[aá]nto (?:cobran )?por|quanto (?:é|e) para|"
    r"quanto per|wie viel für)\s+(?P<need6>[^.!?\n]{3,120})"
    r"|\bdo (?:you|u)(?: guys)? (?:do|make) (?P<need7>[^.!?\n]{3,120})"
)
_NOT_A_NEED = re.compile(
    r"^(?:(?:to\s+)?(?:know|ask|check|talk|think|see|confirm|understand|be|get started|show|"
    r"sign|pay|book|go|wait|decide|discuss|run|speak|get back to|call|meet|schedule|move|put|"
    r"keep|cancel|switch|hear|try|compare|stay|look|make sure|buy|order|close|proceed|take)\b|"
    r"\d[\d.,]*\s*(?:a|per|/)\s*(?:day|week|month|year)\b|"
    r"(?:to\s+)?(?:start|begin)\b(?!\s+\w+ing\b)|"
    r"(?:fechar|comprar|come[çc]ar|empezar|comenzar|contratar|pagar|commencer|acheter|kaufen|"
    r"bestellen|comprare|iniziare|iniciar|apuntarme|reservar|agendar|hablar|falar|parler)\b|"
    r"a (?:call|demo|meeting)|some time|time to|more time|more info|info\b|"
    r"you to|your (?:price|pricing)|the price|a discount|a quote|a refund|the details|"
    r"(?:payment|financing|discount|deal|refund|installment)s?\b|plans\b|"
    r"(?:it|this|that|them|these|those|das|esto|eso|isso|ça|cela|questo)\b|"
    r"(?:wir |das |ich )?nicht\b|"
    r"(?:about|around|like|maybe|end of|next|until)\b(?!\s+(?:\d|two|three|four|five|ten|"
    r"twenty|fifty|a hundred|hundred)))",
    re.IGNORECASE,
)
_NEGATED_NEED = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|no longer|never|not sure (?:if |whether )?(?:we|i)|no)\s+"
    r"(?:really\s+)?(?:need|want)"
)
_NEED_ENDS = re.compile(
    r"\s+(?:but|though|because|so|and we|and i|if|which|asap|right away|immediately|"
    r"to start|by (?:the|next|end|mid|early|\d)|(?:next|this) (?:week|month|year|quarter)|"
    r"tomorrow|today|in (?:like\s+)?(?:the next|a few|\d|two|three|"
    r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|q[1-4])|before (?:the )?\d|for (?:about|around) \d|how|what|can you|do you)\b"
    r"|\s*[?(]",
    re.IGNORECASE,
)
_FILLERS = re.compile(
    r"^(?:(?:um|uh|erm|euh|eh|ehm|äh|ähm|pues|bueno|tipo|like|so|just|really|,)\b\s*,?\s*)+",
    re.IGNORECASE,
)


def _trim_need(phrase: str) -> str:
    """The need phrase up to where the sentence moves on: a new clause after a comma ("a new
    booking system, and, uh, we've got ..."), a deadline, a question."""
    phrase = _FILLERS.sub("", phrase.strip(" ,;:-"))
    phrase = re.sub(r"^to\s+", "", phrase, flags=re.IGNORECASE)
    phrase = _NEED_ENDS.split(phrase, maxsplit=1)[0]
    head, comma, rest = phrase.partition(",")
    if comma and not re.fullmatch(r"\s*[\w-]+(?:\s+[\w-]+){0,2}\s+(?:and|or|y|e|et|und)\s+"
                                  r"[\w-]+(?:\s+[\w-]+)?\s*", rest):  # fmt: skip
        phrase = head  # keep "a full fit-out, furniture and signage"
    return phrase.strip(" ,;:-")


_PREFERENCE = re.compile(
    r"\b(?:i|we)(?:'d|\s+would)?\s+(?:prefer|rather)\s+(?P<pref>[^.!?\n]{3,100})"
    r"|\b(?P<pref2>(?:best|better) to (?:reach|contact|call|text|message) (?:me|us)[^.!?\n]{0,80})"
    r"|\bplease (?:only )?(?P<pref3>(?:text|whatsapp|email|call) (?:me|us)[^.!?\n]{0,60})"
)


def authority(text: str) -> Finding | None:
    """Whether the lead decides, and the title they give themselves."""
    text = fold(text)
    title_match = _SELF_TITLE.search(text)
    title = title_match["title"].lower() if title_match else None
    title = _IN_ENGLISH.get(title or "", title)
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
    low = fold(text)
    for match in _NEED.finditer(low):
        if _NEGATED_NEED.search(low[max(0, match.start() - 25) : match.start() + 20]):
            continue
        group = next(i for i, found in enumerate(match.groups(), 1) if found)
        phrase = _trim_need(text[match.start(group) : match.end(group)])
        if len(phrase) < 3 or _NOT_A_NEED.match(phrase):
            continue
        return Finding("need", {"summary": phrase}, f"Need: {phrase}", 0.6)
    return None


def preference(text: str) -> Finding | None:
    """How the lead likes to be contacted or served."""
    match = _PREFERENCE.search(fold(text))
    if match is None:
        return None
    group = next(i for i, found in enumerate(match.groups(), 1) if found)
    phrase = text[match.start(group) : match.end(group)].strip(" ,;:-")
    return Finding("preference", {"summary": phrase}, f"Prefers: {phrase}", 0.6)
