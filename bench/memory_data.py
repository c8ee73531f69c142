"""The memory bench's sales messages and questions: varied enough for a real ANN test.

``rapport.synthetic`` draws each message from 16 lines that differ only by a number, so its
texts cluster into 16 near-identical groups: a nearest-neighbour search over them finds the
same template every time and says little about the index. This module composes messages
from a few dozen sales intents (budget, price worries, timelines, demos, authority, needs,
integrations, competitors, orders, support, billing), each with several slots (amounts,
dates, competitors, tools, roles, industries, pains, products, cities) and optional openers
and closers, so 100k messages have tens of thousands of distinct texts that differ in
meaning, not only in a number. A data set draws its messages from a pool of ``distinct``
texts, as real traffic repeats short turns, so the bench embeds each text once.

Questions are what a sales agent asks its memory: "who mentioned a budget around 5k",
"leads worried about price", "when do they want to start", ...
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "September")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
COMPETITORS = ("HubSpot", "Salesforce", "Zendesk", "Intercom", "Pipedrive", "Freshdesk",
               "Zoho", "ManyChat", "Gorgias", "Drift")  # fmt: skip
TOOLS = ("WhatsApp Business", "Instagram DMs", "Shopify", "Slack", "Google Sheets", "Zapier",
         "Stripe", "QuickBooks", "Calendly", "Facebook Messenger", "our website chat")  # fmt: skip
ROLES = ("manager", "CFO", "co-founder", "head of sales", "procurement team", "boss",
         "business partner", "finance team", "CEO", "IT lead", "legal team")  # fmt: skip
INDUSTRIES = ("restaurant", "dental clinic", "real estate agency", "gym", "online store",
              "law firm", "hotel", "coffee shop chain", "car dealership", "beauty salon",
              "logistics company", "language school", "pizza place", "bakery")  # fmt: skip
PAINS = (
    "slow replies to leads on weekends",
    "losing track of follow-ups",
    "too many DMs to answer by hand",
    "no-shows for booked appointments",
    "leads going cold after the first message",
    "answering the same questions all day",
    "missing messages across WhatsApp and Instagram",
    "not knowing which ads bring real customers",
    "long wait times on the phone",
    "abandoned carts",
)
FEATURES = ("automated follow-ups", "the analytics dashboard", "multi-language replies",
            "appointment booking", "the CRM sync", "lead scoring", "the shared inbox",
            "voice note transcription", "broadcast campaigns", "the mobile app")  # fmt: skip
PLANS = ("starter", "pro", "growth", "business", "enterprise")
PRODUCTS = ("10 inch pizza boxes", "paper cups", "delivery bags", "branded napkins",
            "kraft takeaway boxes", "coffee lids", "salad bowls", "menu cards")  # fmt: skip
CITIES = ("Jakarta", "Singapore", "Austin", "Lisbon", "Manila", "Sydney", "Denver", "Madrid",
          "Toronto", "Kuala Lumpur", "Dublin", "Bandung")  # fmt: skip
NAMES = ("Maria", "Budi", "Alex", "Priya", "Tom", "Sofia", "Kenji", "Ana", "David", "Lina")
PAYMENTS = ("credit card", "bank transfer", "PayPal", "invoice with 30-day terms")
BILLING = ("annual billing", "a two-year contract", "paying upfront", "nonprofits", "startups")

OPENERS = ("", "", "", "", "Hi! ", "Hey there. ", "Hello! ", "Thanks. ", "Ok. ",
           "Sorry for the late reply. ", "Quick question: ", "Good morning! ")  # fmt: skip
CLOSERS = ("", "", "", "", " Thanks!", " Let me know.", " Is that possible?",
           " What do you think?", " Cheers.", " Talk soon.")  # fmt: skip
AGENT_OPENERS = ("", "", "", "Sure! ", "Great question. ", "Of course. ", "Thanks for asking. ",
                 "Hi {name}! ", "Good news: ")  # fmt: skip
AGENT_CLOSERS = ("", "", "", " Let me know!", " Happy to help.", " Does that work for you?",
                 " Any other questions?", " Have a great day!")  # fmt: skip

# What leads write (inbound, role "user").
LEAD = (
    "Our budget is around {money} a month",
    "We can't go above {money} per year for this",
    "{money} is the most we can spend right now",
    "Budget-wise we were thinking {money} for the first year",
    "Honestly {money} is more than we expected to pay",
    "That's a bit steep for a {industry} like ours, is there anything cheaper?",
    "The price is the main thing holding us back",
    "{competitor} quoted us {money}, can you beat that?",
    "We'd like to start {when}",
    "Could we go live {when}?",
    "Our contract with {competitor} ends {when}",
    "No rush on our side, probably {when}",
    "We need this up and running before {month}",
    "Can you do a demo {when}?",
    "Could you show {feature} to our {role}?",
    "I'd love a quick call {when} to see {feature}",
    "I need to check with our {role} before we sign anything",
    "Our {role} makes the final call on tools like this",
    "I'm the {role}, so I can sign off on this myself",
    "We are a {industry} with {n} staff and our main problem is {pain}",
    "Our biggest issue right now is {pain}",
    "We keep struggling with {pain}",
    "We need it for a team of {n} people",
    "Does it integrate with {tool}?",
    "We use {tool} for everything, can you sync with it?",
    "Is {feature} included in the {plan} plan?",
    "We're comparing you with {competitor} at the moment",
    "We tried {competitor} last year and it didn't work out",
    "Please send {n} {product} to our {city} office",
    "We'd like to order {n} {product}, delivered every week",
    "Can you deliver {product} to {city} {when}?",
    "{feature} stopped working after the last update",
    "How do I export my contacts to {tool}?",
    "Please send the invoice to our finance team",
    "Can we pay by {payment}?",
    "Is there a discount for {billing}?",
    "I saw your ad on Instagram and wanted to ask about the {plan} plan",
    "{name} from our {industry} recommended you",
    "We have {n} locations in {city}, does the price change?",
    "What happens to our data if we cancel?",
    "Let's do it, send me the contract for the {plan} plan",
    "We're not ready yet, can you follow up {when}?",
)

# What the sales agent answers (outbound, role "agent").
AGENT = (
    "Thanks {name}! Could you tell me a bit about your team?",
    "Our {plan} plan is {money} per month and includes {feature}.",
    "Totally understand the budget concern; many {industry} teams start on the {plan} plan.",
    "I can book a demo for you {when}, what time works best?",
    "Happy to loop in your {role}, shall I send a one-page summary?",
    "Yes, we integrate with {tool} out of the box.",
    "Great, I've noted {n} {product} for delivery to {city}.",
    "We can offer {percent}% off if you go with {billing}.",
    "Compared with {competitor}, we include {feature} at no extra cost.",
    "Got it, I'll follow up {when} then.",
    "Sorry to hear about {pain}; that's exactly what {feature} solves.",
    "The invoice is on its way, you can pay by {payment}.",
    "For a team of {n}, the {plan} plan would come to {money} a year.",
    "I've sent the contract for the {plan} plan, let me know if anything is unclear.",
    "Our support team will look into {feature} today.",
    "Most {industry} customers see results within {n} days.",
    "You can cancel anytime and export everything to {tool}.",
    "{feature} is included from the {plan} plan upwards.",
    "We have customers in {city} using it for {pain}.",
    "I'll ask our product team about {feature} and get back to you {when}.",
)

# What an agent asks its memory ({slots} as above).
QUESTIONS = (
    "who mentioned a budget around {money}",
    "leads worried about price",
    "when do they want to start",
    "who wants to start {when}",
    "which leads said it is too expensive",
    "who compared us with {competitor}",
    "leads whose contract with {competitor} ends soon",
    "who needs approval from their {role}",
    "who can sign off without their {role}",
    "who asked for a demo {when}",
    "leads interested in {feature}",
    "does anyone use {tool}",
    "customers asking about {tool} integration",
    "{industry} leads struggling with {pain}",
    "who complained about {pain}",
    "leads interested in the {plan} plan",
    "who asked for a discount for {billing}",
    "orders of {product} for {city}",
    "who wants {product} delivered weekly",
    "prospects with a team of about {n}",
    "who wants to pay by {payment}",
    "what budget did the {industry} mention",
    "leads that are ready to sign",
    "who asked us to follow up {when}",
    "which {industry} leads have several locations",
    "problems with {feature} after the update",
    "who was referred by a friend",
    "leads that need it live before {month}",
)


@dataclass(frozen=True)
class Message:
    role: str  # "user" (the lead) or "agent"
    content: str


def _money(rng: random.Random) -> str:
    amount = rng.choice((300, 500, 800, 1200, 1500, 2000, 2500, 3000, 4500, 5000, 7500, 10000,
                         12000, 15000, 20000, 25000, 40000, 60000))  # fmt: skip
    style = rng.randrange(5)
    if style == 0:
        return f"${amount:,}"
    if style == 1 and amount >= 1000:
        return f"{amount // 1000}k"
    if style == 2 and amount >= 1000:
        return f"around {amount // 1000}k"
    if style == 3:
        return f"{amount:,} dollars"
    return f"€{amount:,}"


def _when(rng: random.Random) -> str:
    return rng.choice((
        "next week", "next month", "in two weeks", "by the end of the quarter", "by the end of Q3",
        "after the holidays", f"in {rng.choice(MONTHS)}", "before Q3", f"on {rng.choice(WEEKDAYS)}",
        f"this {rng.choice(WEEKDAYS)}", "as soon as possible", f"in {rng.randint(3, 8)} weeks",
        "early next year", "after our board meeting", f"in {rng.randint(2, 6)} months",
    ))  # fmt: skip


SLOTS: dict[str, Callable[[random.Random], str]] = {
    "money": _money,
    "when": _when,
    "month": lambda g: g.choice(MONTHS),
    "competitor": lambda g: g.choice(COMPETITORS),
    "tool": lambda g: g.choice(TOOLS),
    "role": lambda g: g.choice(ROLES),
    "industry": lambda g: g.choice(INDUSTRIES),
    "pain": lambda g: g.choice(PAINS),
    "feature": lambda g: g.choice(FEATURES),
    "plan": lambda g: g.choice(PLANS),
    "product": lambda g: g.choice(PRODUCTS),
    "city": lambda g: g.choice(CITIES),
    "name": lambda g: g.choice(NAMES),
    "payment": lambda g: g.choice(PAYMENTS),
    "billing": lambda g: g.choice(BILLING),
    "n": lambda g: str(g.choice((2, 3, 5, 8, 10, 12, 15, 20, 25, 40, 50, 80, 120, 200, 500))),
    "percent": lambda g: str(g.choice((5, 10, 15, 20, 25))),
}


def fill(template: str, rng: random.Random) -> str:
    """``template`` with each ``{slot}`` drawn at random."""
    values = {name: draw(rng) for name, draw in SLOTS.items() if "{" + name + "}" in template}
    text = template.format(**values)
    return text[:1].upper() + text[1:]


def compose(rng: random.Random, lead: bool) -> str:
    """One message: an optional opener, a filled template, an optional closer."""
    if lead:
        return _join(rng.choice(OPENERS), fill(rng.choice(LEAD), rng), rng.choice(CLOSERS))
    opener = fill(rng.choice(AGENT_OPENERS), rng) if rng.random() < 0.5 else ""
    return _join(opener, fill(rng.choice(AGENT), rng), rng.choice(AGENT_CLOSERS))


def _join(opener: str, body: str, closer: str) -> str:
    if closer and body[-1] not in ".?!":
        body += "."
    return opener + body + closer


@dataclass(frozen=True)
class Pool:
    """Distinct lead texts and agent texts that a data set's messages are drawn from."""

    lead: tuple[str, ...]
    agent: tuple[str, ...]

    @property
    def texts(self) -> list[str]:
        return [*self.lead, *self.agent]


def pool(distinct: int, seed: int, lead_share: float = 0.6) -> Pool:
    """``distinct`` different texts, ``lead_share`` of them written by leads."""
    rng = random.Random(seed)
    wanted = {True: round(distinct * lead_share)}
    wanted[False] = distinct - wanted[True]
    found: dict[bool, dict[str, None]] = {True: {}, False: {}}
    for lead, count in wanted.items():
        tries = 0
        while len(found[lead]) < count:
            found[lead][compose(rng, lead)] = None
            tries += 1
            if tries > 50 * count:
                raise ValueError(f"only {len(found[lead])} distinct texts; asked for {count}")
    return Pool(tuple(found[True]), tuple(found[False]))


def conversation(rng: random.Random, texts: Pool, turns: int) -> list[Message]:
    """``turns`` messages, the lead first, then alternating."""
    return [
        Message("user", rng.choice(texts.lead))
        if turn % 2 == 0
        else Message("agent", rng.choice(texts.agent))
        for turn in range(turns)
    ]


def items(
    messages: Sequence[Message], start: datetime.datetime, prefix: str, rng: random.Random
) -> list[dict[str, object]]:
    """Append-shaped items, as a bulk import sends them: what the channel knows, no more.

    No intent, sentiment or language: extraction finds them (an import has none).
    """
    at = start
    out: list[dict[str, object]] = []
    for i, message in enumerate(messages):
        at += datetime.timedelta(seconds=rng.randint(5, 900))
        item: dict[str, object] = {
            "external_id": f"{prefix}-{i}",
            "role": message.role,
            "content": message.content,
            "timestamp": at.isoformat(),
        }
        if message.role == "agent":
            item["agent_type"] = rng.choice(("qualifier", "objection_handler", "closer"))
        out.append(item)
    return out


def questions(count: int, seed: int) -> list[str]:
    """``count`` distinct questions: every slot-free one once, then filled templates."""
    rng = random.Random(seed)
    found: dict[str, None] = {q: None for q in QUESTIONS if "{" not in q}
    templated = [q for q in QUESTIONS if "{" in q]
    tries = 0
    while len(found) < count:
        text = fill(rng.choice(templated), rng)
        found[text[0].lower() + text[1:]] = None
        tries += 1
        if tries > 100 * count:
            raise ValueError(f"only {len(found)} distinct questions; asked for {count}")
    ordered = list(found)
    rng.shuffle(ordered)
    return ordered[:count]
