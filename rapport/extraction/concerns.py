"""Objections raised, and objections settled, read from a lead's message.

Each type is caught by phrases (English, with common es/pt/fr/de/it forms):
- price: too expensive, can't afford, out of our budget, cheaper, pricey, "$X is a lot",
  "way more than I thought", "more than we were expecting", "$X??", money is tight, "not
  sure my budget fits", "can you match / do better on the price / get down to", "I can
  stretch to 1.2k but that's it", "our budget's more like", es un poco caro, zu teuer;
- timing: not now, not the right time, busy season, maybe later, next year, after the
  holidays, no time / capacity right now, let's pause, revisit, circle back, "I'm away most
  of January";
- trust: is this legit / a scam, reviews?, guarantee, refund policy, burned before, bad
  experience, "spent 8k for nothing", never heard of you, certified? insured?, lock-in,
  "want to see results or I'm out", "if I'm not happy with the results", "not sure it works";
- competitor: already use / work with / been with / currently with / staying with another
  provider, "the guy I'm using now", found another place, comparing, a named alternative
  ("we use HubSpot", "as good as Klaviyo", "Rippling came in cheaper"), someone cheaper;
- authority: must ask, talk to, check with or show a boss / partner / spouse / board before
  committing, "I need my wife's approval", not my decision (in five languages);
- need: don't (think we) need it, we're fine, already have one, not a priority, not sure we
  need, no problem with that, closed the business, we do it in-house, "our current system
  works fine", "we just use a spreadsheet".
A phrase preceded by a negation ("price isn't an issue", "not worried about the cost") does
not count, nor does a competitor the lead is leaving ("on Klaviyo but the bill is killing
us"), nor a question about discounts (a pricing question, not pushback).

Settling phrases resolve open objections: the types they name ("the guarantee makes me feel
better", "the case studies helped": trust, "my boss approved / is fine with it", "die
Geschäftsführung hat zugestimmt": authority, "after comparing, yours is the best", "you're
cheaper than our agency", "can we switch": competitor, "the $129 plan works": price), or
every open one for a plain yes to buying ("let's do it", "I'm in", "I'm convinced", "ready
to move forward", "me apunto": "*"). A type the message settles is not also raised by it.
"""

from __future__ import annotations

import re

from rapport.extraction.base import Concern
from rapport.extraction.text import fold

_AMOUNT = r"(?:[$€£]\s?\d|\d[\d.,]*\s?(?:k\b|€|euros?|dollars|bucks|pounds|reais)|r\$\s?\d)"
_PARTIES = (
    r"boss|partner|wife|husband|manager|team|cfo|ceo|owner|director|board|co-?founder|"
    r"accountant|supervisor|md|mum|mom|dad|parents|family|spouse"
)
_PATTERNS: dict[str, str] = {
    "price": r"too (?:expensive|pricey|much|high|steep)|can'?t afford|cannot afford|"
    r"out of (?:our|my) (?:budget|price range)|over (?:our|my) budget|"
    r"(?<!you're )(?<!youre )(?<!you are )(?<!yours is )cheaper|"
    r"expensive|pricey|overpriced|costs? too|a lot of money|price is (?:a bit |too )?high|"
    r"not in (?:the|our) budget|(?:is|'s|thats|that'?s) (?:a lot|a bit much)\b(?! of)|"
    r"way more|more than (?:i|we) (?:were |was )?(?:thought|expected|expecting|planned|"
    r"budgeted|wanted)|above what we pay|"
    r"\d[\d.,]*\s*(?:k\b|[€$£]|euros?|each|per \w+|a month|/mo)?\s*\?\?|"
    r"money(?:'s| is) tight|tight (?:on )?(?:money|budget|cash)|budget is (?:tight|limited|small)|"
    r"(?:can|could) (?:you|u) (?:match|beat|do better|go lower|come down)|"
    r"if (?:you|u) can (?:get|go|come) (?:down )?to|(?:can|could) (?:only )?stretch to|"
    r"but that'?s it|budget'?s (?:more like|only|just)|my max is|"
    r"(?:do|go) (?:any )?better on (?:the )?price|(?:a )?(?:better|lower) price|"
    r"\b(?:es|é|è|un poco|muy|bastante|meio|bem|um pouco|un po'?|piuttosto) car[oa]\b|"
    r"not sure (?:my|our|the) budget (?:fits|covers|stretches)|"
    r"budget (?:doesn'?t|won'?t|wouldn'?t) (?:fit|cover|stretch)|"
    r"muy caro|demasiado caro|es (?:mucho|demasiado)\b|muito caro|caro demais|achei caro|"
    r"é muito|trop cher|c'est (?:beaucoup|trop)|zu teuer|mehr als geplant|troppo caro|"
    r"più del previsto|más de lo que",
    "timing": r"not (?:right )?now|not the right time|bad time|maybe later|"
    r"(?:check|get|come) back (?:to (?:you|u) )?(?:later|next|in (?:a|\d|two|three|some))\b|"
    r"next year|after the holidays|no time|too busy|not a good time|later this year|"
    r"hold off|on hold|wait (?:until|till|a bit)|not ready|let'?s pause|pause (?:it|this)|"
    r"postpone|(?:i'?m|we'?re|i am|we are) away|on (?:vacation|holiday|leave)\b|"
    r"no (?:capacity|bandwidth)|(?:we'?re|i'?m) (?:swamped|slammed)|revisit|circle back|"
    r"(?:reach|get|come) back to (?:me|us|you|u) (?:in|next|after)\b|"
    r"(?:it'?s|we'?re in|in the middle of|during) (?:our |the )?busy season|"
    r"busy season(?! (?:starts|begins))|"
    r"ahora no|agora não|pas maintenant|nicht jetzt|non ora|más adelante|mais tarde|"
    r"plus tard|später",
    "trust": r"legit|scam|\breviews?\b(?!ed)|testimonials?|guarantee|garant[ií]a|garantia|"
    r"garantie|burn(?:ed|t) (?:before|by)|been burned|got burned|bad experience|ripped off|"
    r"for nothing|waste of (?:money|time)|didn'?t work|never heard of|how do i know|"
    r"how can i trust|refund (?:policy|if)|refunds? if|money[- ]back|track record|proof|"
    r"case stud(?:y|ies)|sounds too good|skeptical|sceptical|sketchy|lock-?in|locked in|"
    r"tied (?:in|into)|long contract|"
    r"not sure (?:it|this) works|references|certified\?|licen[sc]ed\?|qualified\?|insured\?|"
    r"accredited|(?:if|what if) (?:i'?m|we'?re|i am|we are) not (?:happy|satisfied)|"
    r"(?:i'?d|i would|we'?d|we would) (?:want|need) to see (?:some )?results|or i'?m out|"
    r"no me sirvi|não funcionou|"
    r"n'a pas marché|hat nicht funktioniert|estafa|confiable|golpe|confiável|arnaque|"
    r"betrug|truffa",
    "competitor": r"already (?:use|using|work with|working with|signed with|with another)|"
    r"already have a (?:supplier|provider|vendor|agency|company|guy|person|partner)|"
    r"(?:another|other) (?:agency|provider|company|vendor|supplier|tool|option|place)s?|"
    r"compar(?:e|ing)|shopping around|someone cheaper|quote from|"
    r"(?:the )?(?:guy|company|agency|one|place|supplier|vendor|provider|person) "
    r"(?:i'?m|we'?re|i am|we are|im) (?:using|with)|(?:i'?m|we'?re|im) using (?:now|currently)|"
    r"what we pay now|(?:we'?ve|i'?ve) been with|switching would be|"
    r"(?:we'?re|i'?m|we are|i am) currently (?:with|on|using)|currently (?:use|using|work with)|"
    r"found (?:another|someone|a different|a cheaper|other)|"
    r"(?:went|go|going|decided to go) with (?:another|someone|a different)|"
    r"(?:we|i) use (?:hubspot|salesforce|mailchimp|shopify|wix|squarespace|canva)|"
    r"your competitor|current (?:provider|supplier|agency|vendor)|aktuellen anbieter|"
    r"bleiben bei|nos quedamos con|ficamos com|nous restons avec|restiamo con|"
    r"otra agencia|outra agência|autre agence|andere agentur|altra agenzia",
    "authority": r"(?:check|talk|speak|discuss|run (?:it|this) by|ask|consult)\s+(?:it\s+)?"
    rf"(?:with\s+|w\s+|to\s+)?(?:my|our|the)\s+(?:business\s+)?(?:{_PARTIES})|"
    r"not my (?:decision|call)|"
    r"not the one who decides|need(?:s)? approval|has to approve|needs to approve|"
    rf"(?:{_PARTIES}) (?:has|have|needs?) to (?:see|approve|look at|sign off|ok|okay|agree)|"
    rf"need (?:my|our) (?:{_PARTIES})'?s? (?:approval|ok|okay|sign[- ]?off|blessing|go-ahead)|"
    r"(?:need|have|got|gotta) to (?:show|ask|run it by) (?:her|him|them)\b|"
    r"(?:hablar|consultar|hablarlo|consultarlo)(?: con)? mi (?:jefe|socio|esposa|marido)|"
    r"falar com (?:o |a )?(?:meu|minha) (?:chefe|sócio|sócia|esposa|marido)|"
    r"demander à mon (?:patron|associé)|(?:mit|bei) (?:meinem|meiner|unserem|unserer) "
    r"\w+ (?:absprechen|besprechen|nachfragen)|(?:sentire|chiedere a|parlare con) "
    r"(?:il |la )?(?:mio|mia) (?:marito|moglie|socio|capo)",
    "need": r"(?:don'?t|do not|doesn'?t) (?:think (?:we|i) )?(?:really )?need|"
    r"we'?re (?:fine|good|ok) (?:for now|as is|with|on)?|"
    r"already have (?:one|a|an|something)\b(?! (?:supplier|provider|vendor|agency|company|guy|"
    r"person|partner))|not a priority|not sure (?:we|i) need|"
    r"there'?s no need|no need for (?:it|this|that)|not interested in (?:that|this)|"
    r"don'?t see the (?:point|value)|in-?house|(?:we|i) (?:do|handle|manage) (?:it|that|this|"
    r"\w+) (?:ourselves|myself)|current (?:system|setup|process|solution|tool)[^.!?]{0,20}"
    r"(?:works|is fine|does the job)|works (?:fine|well) for (?:us|me)|does the job|"
    r"(?:don'?t|do not) (?:really )?have (?:a|any) problem with (?!(?:the )?(?:price|cost|that))|"
    r"closed (?:the|our|my) (?:business|shop|store|company)|shut(?:ting)? down|"
    r"out of business|(?:we|i) (?:just )?use (?:a |an )?(?:spreadsheet|excel|google sheets?|"
    r"paper|notebook)|planilha|hoja de cálculo|tableur|funciona (?:bien|bem|mais ou menos)|"
    r"no lo necesito|não preciso|pas besoin|brauchen (?:das|wir) nicht|non mi serve",
}
_COMPILED = {name: re.compile(p) for name, p in _PATTERNS.items()}  # on text.fold(message)
_RIVAL = re.compile(  # a named alternative, told by its capital letter: on the message itself
    r"\b(?:[Ww]e|I) use [A-Z][a-z]+|\bas good as [A-Z]\w+|\b[A-Z]\w+ came in cheaper"
)
_NEGATION = re.compile(r"(?:not|n'?t|no|never|isn'?t|aren'?t|wasn'?t|without)\s+(?:\w+\s+){0,2}$")
_NOT_AN_ISSUE = re.compile(
    r"(?:isn'?t|is not|not|no|aren'?t)\s+(?:a|an|really an?|the)?\s*(?:issue|problem|concern)|"
    r"(?:price|cost|money|budget)(?:'s|\s+is|\s+isn'?t)\s+(?:fine|ok|okay|not a problem|"
    r"not the problem|not an issue)|il prezzo va bene|el precio está bien|o preço está bom|"
    r"le prix (?:est|me) (?:bien|va)|der preis (?:passt|ist ok)",
)
_LEAVING = re.compile(
    r"killing us|fed up|unhappy with|want to (?:leave|switch|move)|switch(?:ing)? from|"
    r"move away from|migrate (?:our|from)|the bill (?:jumped|went up)|getting nothing|"
    r"not getting|no results|not (?:happy|great|good)|terrible|useless|awful",
)

_RESOLVES: dict[str, str] = {
    "price": r"price (?:is|sounds|looks) (?:fine|good|ok|okay|fair|reasonable)|price works|"
    r"fits (?:our|the) budget|"
    r"worth (?:it|the (?:money|price|investment))|that'?s (?:a )?(?:fair|reasonable) price|"
    r"(?:we|i) can (?:make|find) (?:it|the money) work|discount works|affordable now|"
    rf"{_AMOUNT}[^.!?]{{0,40}}\b(?:works|is fine|passt|serve|va bene|me va|está bien)\b",
    "timing": r"(?:now|this) is a good time|ready (?:now|to go|to start)|timing works|"
    r"we can start (?:now|sooner)|let'?s not wait",
    "trust": r"(?:reviews|testimonials|case stud(?:y|ies)|references|numbers|results|"
    r"before/afters?)[^.!?]{0,40}(?:look|looks|are|were|seem) (?:good|great|solid|convincing|"
    r"legit|natural|impressive)|(?:looked at|checked|read|saw|went through)[^.!?]{0,60}"
    r"(?:look|looks|seem|seems) (?:good|great|solid|convincing|legit|real|natural)|"
    r"that reassures|i trust you|feel (?:a lot |much )?(?:better|more comfortable)|"
    r"(?:the )?guarantee (?:helps|works)|(?:case stud(?:y|ies)|reviews|testimonials|references|"
    r"guarantee)[^.!?]{0,20}\b(?:helped|help|helps)\b|me quedo (?:más )?tranquil|"
    r"me da (?:más )?confianza|"
    r"fico mais tranquil|ça me rassure|beruhigt mich|mi tranquillizza",
    "competitor": r"(?:switch|switching|cancel(?:l?ing)?) (?:from|our|with) |"
    r"(?:can we|we'?ll|let'?s|ready to|happy to) switch|"
    r"better than (?:what|our|the others)|yours is (?:the )?best|after comparing|"
    r"(?:you'?re|you are) (?:better|the best)|go with you|"
    r"(?:you'?re|you are|yours is) (?:cheaper|better|faster) than",
    "authority": rf"(?:{_PARTIES})\b[^.!?]{{0,20}}\b(?:approved|said yes|agreed|is on board|"
    r"signed off|gave (?:the|us the) green light|(?:is|'s) (?:happy|fine|ok|okay|good) with it|"
    r"loves it|likes it)|"
    r"got (?:the )?(?:approval|green light|sign-?off)|approved it|hat zugestimmt|"
    r"hat es genehmigt|aprobó|aprovou|a approuvé|a validé|ha approvato",
    "need": r"actually (?:we|i) (?:do )?need|(?:we|i) do need|makes sense for us",
}
_RESOLVES_COMPILED = {name: re.compile(p) for name, p in _RESOLVES.items()}
_YES = re.compile(
    r"\b(?:let'?s (?:just )?do it|let'?s go(?: ahead)?|let'?s get started|let'?s move forward|"
    r"go ahead|go on then|i'?m sold|sounds good|that works|makes sense|"
    r"(?:i'?m|we'?re) in\b(?=\s*(?:[.!,)]|$|for |on (?:it|this)))|"
    r"fair enough|(?:you'?ve |you )?convinced me|i'?m convinced|"
    r"ready to (?:move forward|go ahead|start|sign|buy)|(?<!big )deal\b(?! with)|sign me up|"
    r"i'?ll sign up|"
    r"send (?:me |us )?the (?:contract|invoice|payment link|link|order form)|ok let'?s|"
    r"okay let'?s|where do i (?:pay|sign)|vamos|fechado|trato hecho|me apunto|d'accord|"
    r"einverstanden|affare fatto|ci sto)",
)


def read(text: str) -> tuple[list[Concern], list[str]]:
    """The objections ``text`` raises and the types it settles, as ``concerns`` and
    ``resolutions`` say, reading the message once."""
    low = fold(text)
    settled = _named_resolutions(low)
    return _raised(text, low, set(settled)), [*settled, "*"] if _YES.search(low) else settled


def concerns(text: str) -> list[Concern]:
    """Each objection type raised in ``text`` (at most one per type); a type the message
    also settles ("after comparing three quotes yours is the best") is not raised."""
    return read(text)[0]


def resolutions(text: str) -> list[str]:
    """Objection types this message settles, plus "*" when it is a plain yes."""
    return read(text)[1]


def _raised(text: str, low: str, settled: set[str]) -> list[Concern]:
    price_is_fine = bool(_NOT_AN_ISSUE.search(low))
    leaving = bool(_LEAVING.search(low))
    found = []
    for name, pattern in _COMPILED.items():
        if name in settled or (name == "price" and price_is_fine):
            continue
        if name == "competitor" and leaving:
            continue
        matches = list(pattern.finditer(low))
        if name == "competitor":
            matches += _RIVAL.finditer(text)
        for match in matches:
            if name != "need" and _NEGATION.search(low[max(0, match.start() - 25) : match.start()]):
                continue
            found.append(Concern(name, _sentence(text, match.start(), match.end()), 0.7))
            break
    return found


def _named_resolutions(low: str) -> list[str]:
    return [name for name, pattern in _RESOLVES_COMPILED.items() if pattern.search(low)]


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left + 1 : (min(rights) + 1) if rights else len(text)].strip()[:500]
