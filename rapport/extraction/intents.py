"""Intent: what the lead wants from this message, with a confidence.

The built-in intents, checked in this order (the first that matches wins):
1. greeting: the whole message is a hello ("hi", "heyyy 👋", "Hi, good morning", "Hallo
   zusammen", "Hi there, is this Sunrise Dental?") with nothing else to answer;
2. not_interested: a clear no (stop, unsubscribe, no thanks, not interested, we closed the
   business, we went with / found / are staying with another, going another direction,
   hired someone), or an objection that ends in a sign-off with no question ("We already
   have a supplier for that, thanks");
3. support: a problem with an existing order or account (my order, refund I'm waiting on,
   broken, not working, keeps crashing, can't access my account, charged twice, missing
   items, never received, nobody showed up, cancel my ...);
4. purchase_intent: let's do it, let's start, I'm in, I'm sold, sign me up, "I
   want the starter kit", send the contract (in five languages: "pode mandar o contrato"),
   how do I pay, sent the payment, I'll sign today, put in an offer, need it asap, me
   apunto, quero fechar, on y va, wir machen das ...;
5. scheduling: book / move / push a call, demo, visit or table, book me in, any slots, are
   you free, a day and a time ("tonight at 8", "7:30", "next Monday after lunch", "call me
   after 6");
6. objection: any objection ``concerns`` finds, unless the message asks about price ("What's
   your cheapest option? money is tight" is a pricing inquiry) or only compares while asking
   about the product;
7. purchase_intent again for a price or approval accepted without an objection ("the $129
   plan works", "that price works for us", "das Modell für 149 € passt");
8. pricing_inquiry: how much, price, cost, quote, fees, discounts, payment plans, or a
   plan or amount in a question ("is it $50 a month or a year?"); a sentence that opens
   like a question counts as one without its question mark ("do u do payment plans");
9. product_question: a question about what or how, or a stated need ("need a receptionist
   AI that answers WhatsApp at night");
10. other: thanks, ok, small talk, "calling back about your voicemail", and statements.

An org adds its own in settings: ``{"intents": {"order_status": ["where is my order",
"tracking"]}}``; a phrase of the org's own intents wins over the built-in ones.
Confidence is 0.9 for an org phrase, 0.55-0.95 for built-ins by how many cues agree, and
0.3 for "other".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapport.extraction.base import Concern
from rapport.extraction.text import fold

_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?"
_GREETING = re.compile(
    r"(?:h+i+y*a*|he+y+|hel+o+|yo|howdy|good (?:morning|afternoon|evening|day)|hola|buenas|"
    r"buenos d[ií]as|oi+|ol[áa]|bom dia|boa (?:tarde|noite)|bonjour|salut|hallo|guten (?:morgen|"
    r"tag)|moin|servus|ciao|buongiorno|there|guys|team|all|everyone|folks|girl|zusammen|yes|"
    r"yeah|um+|uh+|again)",
    re.IGNORECASE,
)
_IDENTITY = re.compile(
    r"(?:is this|am i (?:speaking|talking) (?:to|with)|c'est bien)\s+(?:the right number for\W+)?"
    r"(?:(?:for|the|uh|um|er)\W+)*(?-i:[A-Z][\w'&-]*(?:\s+[A-Z][\w'&-]*){0,3})\W*$",
    re.IGNORECASE,
)
_CUES: dict[str, str] = {
    "not_interested": r"not interested|no thanks|no thank you|"
    r"stop (?:messaging|texting|contacting)|unsubscribe|leave me alone|"
    r"don'?t (?:contact|message|text) me|remove me|not for us|"
    r"we'?ll pass|i'?ll pass|closed (?:the|our|my) (?:business|shop|store)|"
    r"(?:went|decided to go|going|gone) with (?:another|someone|a different)|"
    r"found (?:another|someone)|(?:go|going|gone|went) (?:in )?(?:another|a different) direction|"
    r"hired someone|chose (?:another|someone)|decided (?:against|not to)|"
    r"(?:stay|staying|bleiben|quedamos|ficamos|restons|restiamo) (?:with|bei|con|com|avec) "
    r"(?:our|unserem|nuestro|nosso|notre|il nostro)|no gracias|não,? obrigad|pas intéressé|"
    r"kein interesse|non mi interessa|no me interesa|não tenho interesse",
    "support": r"my order|our order|order (?:#|no\.? ?)?\d|we ordered|i ordered|"
    r"(?:hasn'?t|has not|never|didn'?t) arrived|where is my|(?:my|our|the) refund|"
    r"waiting (?:on|for) (?:my|a|the) refund|broken|not working|(?<!if it )doesn'?t work|"
    r"(?<!if it )doesnt work|isn'?t working|stopped working|keeps? crashing|crash(?:es|ed)|"
    r"(?:is|been|went) down\b|tracking (?:number|link)|wrong (?:item|size|colou?r)|damaged|"
    r"blurry|can'?t (?:log ?in|access|sign in|get into)|locked out|password|invoice is wrong|"
    r"keeps? (?:logging|kicking) me out|charged (?:twice|me|us|for|my)|missing (?:\w+ ){0,2}items?|"
    r"never (?:received|got)|still hasn'?t|"
    r"i was charged|double charged|cancel my|nobody (?:showed|came)|no one (?:showed|came)|"
    r"didn'?t show|was supposed to|mi pedido|meu pedido|ma commande|meine bestellung|"
    r"il mio ordine",
    "purchase_intent": r"let'?s (?:just )?do (?:it|the)\b|let'?s go+\b(?! back)|let'?s go ahead|"
    r"(?:let'?s|i'?ll|we'?ll) go with|"
    r"let'?s get started|let'?s move forward|let'?s place|place (?:an|the|my|our) (?:full )?order|"
    r"sign (?:me|us) up|i'?ll sign|i can sign|sign (?:it )?today|i'?m sold|"
    r"(?:i'?m|we'?re) in\b(?=\s*(?:[.!,)]|$|for |on (?:it|this)))|"
    r"how (?:do|can) (?:i|we) (?:sign up|buy|order|get started)|"
    r"(?:i|we) (?:want|'?d like|would like|'?ll have) the (?:[\w-]+ ){0,3}?(?:plan|package|kit|"
    r"option|one|tier|membership|program|programme|bundle|offer|proposal|deal)\b|"
    r"go ahead with|lo quiero|la quiero|quiero (?:el|la) |quero (?:o|a) |je prends|"
    r"(?:ich nehme|wir nehmen)|nehmen das angebot|lo prendo|c[oó]mo pago|como faço o pagamento|"
    r"ready to (?:buy|start|sign|go|order|move forward)|send (?:me |us |over )?(?:the )?"
    r"(?:contract|invoice|payment link|link to pay|paperwork|order form)|"
    r"how (?:do|can) (?:i|we) pay|where do i pay|take my money|sent the payment|"
    r"(?:i'?ll|we'?ll) (?:transfer|pay)\b|i'?ll take|we'?ll take|"
    r"i want to (?:buy|order|book|sign up)|go ahead|go on then|move forward|(?<!big )deal\b|"
    r"put in an offer|make an offer|when can (?:you|u) start|can we (?:get started|kick off)|"
    r"get it going|need (?:[\w-]+\s+){0,5}?(?:asap|right away|immediately)|"
    r"(?:start|begin) (?:asap|right away|immediately)|quiero (?:comprar|empezar)|"
    r"quero (?:comprar|fechar|começar)|vamos fechar|fechado|me apunto|je veux acheter|"
    r"(?:on|je|nous) (?:voudrait|voudrais|voudrions|veut|veux)\W+(?:euh\W+)?commencer|"
    r"ich möchte bestellen|lo compro|ci sto|convinced|(?:let'?s|ready to) switch|"
    r"let'?s (?:start|begin|get going|kick off)|on y va|vamos all[áa]|\bbora\b|los geht|"
    r"andiamo|wir machen das|machen wir das|lo hacemos|on le fait|facciamolo|"
    r"(?:mandar|manda|env[ií]a|enviar|envoyez|envoie|schicken|senden|mandami|inviami)\w*\s+"
    r"(?:\w+\s+)?(?:o |el |le |den |il |la )?(?:contrato|contrat|vertrag|contratto|fatura|"
    r"factura|facture|rechnung|fattura)",
    "scheduling": r"(?:book|schedule|set up|arrange|reschedule|move|push|shift|bump|postpone|"
    r"change) (?:a |the |our |my )?(?:call|demo|meeting|appointment|visit|consultation|time|"
    r"table|session)|table for (?:\d|two|three|four|five|six|eight|ten)|slots?\b|"
    r"availability|any openings|\b\d{1,2}:\d\d\b|"
    r"are you (?:free|available)|(?:i'?m|i am|we'?re) (?:free|available)|"
    r"what time (?:works|suits|is good|are you|can|should|would)|"
    rf"(?:tomorrow|today|tonight|{_WEEKDAY}) (?:at|around|morning|afternoon|evening|maybe)|"
    r"book (?:me|us) in\b|\b\d{1,2}(?::\d\d)? ?(?:am|pm)\b|\btonight at|"
    r"call me (?:at|after|back|on|tomorrow)|"
    r"after lunch|can'?t do (?:this|that|today|tomorrow)|ok for the (?:visit|call|meeting)|"
    rf"anything (?:on )?(?:{_WEEKDAY}|today|tomorrow|this|next)|does {_WEEKDAY} work|"
    r"calendly|hop on a call|jump on a call|quick call|agendar|marcar uma|prendre rendez|"
    r"einen termin|appuntamento",
    "pricing_inquiry": r"\b(?:how much|price|pricing|prices|cost|costs|coûte|cuesta|custa|"
    r"rates?|quote|fees?|"
    r"charge|cheapest|discounts?|payment plans?|installments?|cuotas|parcelas|ballpark|"
    r"what are we talking|cuánto|cuanto|precio|quanto|preço|valor|combien|prix|tarifs?|"
    r"wie viel|preis|kosten|kostet|prezzo)\b",
    "product_question": r"how does|how do|does it|do you|do u|can you|can u|can it|is it|"
    r"what is|what'?s included|what do you|which|do you offer|do you ship|delivery|deliver|"
    r"¿|cómo|como funciona|comment|wie funktioniert|come funziona|integrat|wondering|"
    r"curious (?:if|about|whether)",
    "other": r"calling back|returning (?:your|a) call|voicemail|missed (?:a |your )?call|"
    r"you (?:called|messaged|texted) me",
}
_COMPILED = {name: re.compile(pattern) for name, pattern in _CUES.items()}
_PRICE_IN_QUESTION = re.compile(
    rf"{_CUES['pricing_inquiry']}|\b(?:plans?|plano|the monthly|per month|a month|"
    r"a year)\b|\d\s*(?:k\b|€|bucks|dollars|euros|pounds)|[$€£]\s?\d",
)
_REQUEST = re.compile(
    r"\b(?:need|needs|looking for|looking at|interested in|evaluating|searching for|"
    r"in the market for|not getting|getting (?:no|zero)|struggl|necesit|busc|precis|procur|"
    r"besoin|cherch|brauch|such|bisogno|cerc)",
)
_ASKS = re.compile(
    r"\W*(?:(?:hi|hey|hello|ok|so|and|also|but)\W+)?(?:do|does|did|is|are|can|could|how|what|"
    r"what'?s|when|where|which|who|why|will|would|any)\b",
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_TAG = re.compile(r",\s*(?:ok|okay|right|yeah|yes|no|alright|thanks)\s*\?$")
_ACCEPTED = re.compile(
    r"(?:\d|[$€£]|price)[^.!?]{0,40}\b(?:works|is fine|passt|serve|va bene|me va|está bien)\b|"
    r"(?:approved|hat zugestimmt|happy with it|loves it)\b",
)
_SIGN_OFF = re.compile(
    r"(?:thanks|thank you|thx|cheers|gracias|obrigad[oa]|merci|danke|grazie)"
    r"(?: anyway| though| for your time| for (?:the|your) (?:help|offer))?\W*$",
)
_QUESTION = re.compile(r"[^.!?\n]*\?(?![?!])")


def _greeting(text: str) -> bool:
    if len(text) > 80:
        return False
    rest = _IDENTITY.sub("", text.strip())
    words = re.findall(r"[^\W\d_]+", _GREETING.sub(" ", rest))
    return not words and bool(_GREETING.search(text))


def intent(
    text: str,
    raised: Sequence[Concern] = (),
    has_need: bool = False,
    org_intents: dict[str, list[str]] | None = None,
) -> tuple[str, float]:
    """(intent, confidence) of one message, given the objections it raises and whether it
    states a need."""
    low = fold(text)
    for name, phrases in (org_intents or {}).items():
        if any(phrase.lower() in low for phrase in phrases):
            return name, 0.9
    if _greeting(text):
        return "greeting", 0.9
    hits: dict[str, int] = {}

    def hit(name: str) -> int:
        if name not in hits:
            hits[name] = len(_COMPILED[name].findall(low))
        return hits[name]

    def sure(name: str) -> tuple[str, float]:
        return name, min(0.95, 0.55 + 0.15 * max(hit(name), 1))

    types = {concern.type for concern in raised}
    questions = [q for q in _QUESTION.findall(low) if not _TAG.search(q)]
    # and sentences typed without the question mark: "do u do payment plans"
    asked = questions + [s for s in _SENTENCE.findall(low) if "?" not in s and _ASKS.match(s)]
    if hit("not_interested") or (
        types & {"competitor", "need", "price"} and _SIGN_OFF.search(low) and not questions
    ):
        return sure("not_interested")
    for name in ("support", "purchase_intent", "scheduling"):
        if hit(name):
            return sure(name)
    objected = [fold(c.description) for c in raised]
    pricing_question = any(
        _PRICE_IN_QUESTION.search(q) and not any(q.strip() in said for said in objected)
        for q in asked
    )  # "can you match 45k?" beside "X came in cheaper" is pushback, not a question
    requested = has_need and bool(_REQUEST.search(low))
    only_comparing = (
        types == {"competitor"}
        and (questions or requested)
        and re.search(r"compar|\bvs\b|versus|better|as good as", low)
    )
    if types and not pricing_question and not only_comparing:
        return "objection", 0.75
    if _ACCEPTED.search(low) and not pricing_question:
        return "purchase_intent", 0.6
    if pricing_question or (hit("pricing_inquiry") and not hit("product_question")):
        return sure("pricing_inquiry")
    if hit("other"):
        return "other", 0.5
    if hit("product_question") or requested:
        return sure("product_question")
    if questions:
        return "product_question", 0.55
    return "other", 0.3
