"""Intent: what the lead wants from this message, with a confidence.

The built-in intents, checked in this order (the first that matches wins, because a message
that both greets and asks for the price is a pricing inquiry):
not_interested (stop, unsubscribe, no thanks, not interested), support (my order, refund,
broken, not working, tracking), purchase_intent (let's do it, sign me up, send the invoice,
how do I pay, ready to buy), scheduling (book / schedule a call or demo, are you free, what
time, tomorrow at 3), objection (any objection ``concerns`` finds), pricing_inquiry (how
much, price, cost, plans, quote), product_question (a question about what or how), greeting
(hi / hello / hola / oi / bonjour alone), and other.

An org adds its own in settings: ``{"intents": {"order_status": ["where is my order",
"tracking"]}}``; a phrase of the org's own intents wins over the built-in ones.
Confidence is 0.9 for an org phrase, 0.55-0.95 for built-ins by how many cues agree, and
0.3 for "other".
"""

from __future__ import annotations

import re

_INTENTS: list[tuple[str, str]] = [
    (
        "not_interested",
        r"not interested|no thanks|no thank you|stop (?:messaging|texting|contacting)|"
        r"unsubscribe|leave me alone|don'?t (?:contact|message|text) me|remove me|not for us|"
        r"we'?ll pass|i'?ll pass|no gracias|não,? obrigad|pas intéressé|kein interesse|"
        r"non mi interessa|no me interesa|não tenho interesse",
    ),
    (
        "support",
        r"my order|our order|order (?:hasn'?t|has not|never) arrived|where is my|refund|"
        r"broken|not working|doesn'?t work|isn'?t working|stopped working|tracking|"
        r"wrong (?:item|size)|"
        r"damaged|can'?t log ?in|password|invoice is wrong|charged twice|cancel my|mi pedido|"
        r"meu pedido|ma commande|meine bestellung|il mio ordine",
    ),
    (
        "purchase_intent",
        r"let'?s do it|let'?s go(?: ahead)?|sign me up|sign us up|i'?m in\b|"
        r"we'?re in\b|ready to (?:buy|start|sign|go|order|move forward)|send (?:me |us )?(?:the )?"
        r"(?:contract|invoice|payment link|link to pay)|how (?:do|can) (?:i|we) pay|where do i pay|"
        r"i'?ll take|we'?ll take|i want to (?:buy|order|book|sign up)|place an order|"
        r"go ahead|move forward|deal\b|quiero comprar|quero comprar|fechado|vamos fechar|"
        r"je veux acheter|ich möchte bestellen|lo compro",
    ),
    (
        "scheduling",
        r"(?:book|schedule|set up|arrange|reschedule|move) (?:a |the |our )?"
        r"(?:call|demo|meeting|appointment|visit|consultation|time)|are you (?:free|available)|"
        r"(?:i'?m|i am|we'?re) (?:free|available)|what time|which time|"
        r"(?:tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday) "
        r"(?:at|around|morning|afternoon|evening)|\b\d{1,2} ?(?:am|pm)\b|calendly|"
        r"hop on a call|jump on a call|quick call|a call\b|agendar|marcar uma|prendre rendez|"
        r"einen termin|appuntamento",
    ),
    (
        "pricing_inquiry",
        r"how much|price|pricing|prices|cost|costs|rates?\b|quote|plans?\b|"
        r"packages?\b|fee|fees|charge|cuánto|cuanto|precio|quanto|preço|valor|combien|prix|tarif|"
        r"wie viel|preis|kosten|quanto costa|prezzo",
    ),
    (
        "product_question",
        r"\?|how does|how do|does it|do you|can you|can it|is it|what is|"
        r"what'?s included|what do you|which|do you offer|do you ship|delivery|deliver|"
        r"¿|cómo|como funciona|comment|wie funktioniert|come funziona",
    ),
    (
        "greeting",
        r"^\W*(?:hi|hey|hello|hiya|yo|good (?:morning|afternoon|evening)|hola|oi|olá|"
        r"bonjour|salut|hallo|ciao|buongiorno|buenos días|bom dia)(?:\s+(?:there|guys|team|all))?"
        r"\W*$",
    ),
]
_COMPILED = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _INTENTS]


def intent(
    text: str, has_objection: bool, org_intents: dict[str, list[str]] | None = None
) -> tuple[str, float]:
    """(intent, confidence) of one message."""
    lowered = text.lower()
    for name, phrases in (org_intents or {}).items():
        if any(phrase.lower() in lowered for phrase in phrases):
            return name, 0.9
    for name, pattern in _COMPILED:
        if name == "pricing_inquiry" and has_objection:
            return "objection", 0.75
        hits = len(pattern.findall(text))
        if hits:
            return name, min(0.95, 0.55 + 0.15 * hits)
    if has_objection:
        return "objection", 0.7
    return "other", 0.3
