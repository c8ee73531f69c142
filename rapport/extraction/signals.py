"""Sentiment, keywords and language, from well-kept offline libraries and a few sales cues.

- Sentiment, -1 to 1: VADER's compound score (vaderSentiment) on English text, with the
  words leads use as filler or politeness made neutral ("like", "yeah", "lol", "honestly",
  "thanks", "please", "free trial", "help", "good morning", "we're good"), then moved by
  sales cues in every language: complaints and refusals push it down ("too expensive", "$600
  is a lot", "doesn't work", "still hasn't arrived", "nobody showed up", "burned before",
  "for nothing", "stop messaging me", "zu teuer", "achei caro", 😩 😬), buying and delight
  push it up ("let's do it", "take my money", "I'm in", "deal", "works for us", "looks
  solid", "perfect", "thank you so much", a warm "hi!" or "thanks!", "me apunto", "klingt
  gut", 🔥 🙌 👍). Other languages are read by those cues only: VADER would read the German
  article "die" or the Spanish "no" as English.
- Keywords: up to three one- or two-word phrases, lowercased, after the amounts of money the
  message names ("$50", "1.2k", "400/mo"). Candidates are the runs of content words between
  stopwords (YAKE's lists, in the message's language) and punctuation, and each adjacent
  pair in a run; longer words, names (capitalised past the first word) and pairs score
  higher, later words a little lower. This is YAKE's candidate rule with a scoring a short
  chat message can feed: YAKE's statistics (frequency, spread over sentences, co-occurrence
  graphs) need a document, cost 3.5 ms a message (as much as its embedding) and scored
  lower on the labelled set's dev half (F1 0.69 against 0.71). Chat filler ("lol", "hiii",
  "pls", "um", greetings, thanks) is never a keyword, nor is a common verb, adjective or
  time word on its own ("check", "simple", "today"), nor a word already chosen.
- Language: py3langid restricted to the languages our users' leads write in, so texts are
  not labelled Latin or Xhosa. Under five words it is unreliable ("lol true" reads as
  Italian), so short texts are read by their chat and greeting words first ("ok", "pls",
  "hola", "merci", "danke"); a text with no word at all ("🙏🙏") is left unlabelled.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from rapport.extraction.text import fold

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl")
_WORDS = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_FILLER_WORDS = (
    "like", "yeah", "yes", "ok", "okay", "lol", "honestly", "honest", "thanks", "thank",
    "please", "pls", "free", "want", "help", "sure", "true", "well", "interested", "fine",
    "kind", "pretty", "agree", "care", "matter", "no", "nah", "guarantee", "natural", "easy",
    "easier", "haha", "lmao", "sorry", "appreciate", "welcome", "kindly", "pay", "solid",
    "grand", "tops", "hope", "hoping", "better", "accept", "holiday", "holidays", "hand",
    "hands", "cancel", "lose", "commit",
)  # fmt: skip
_SMALL_TALK = re.compile(
    r"\bgood (?:morning|afternoon|evening|day)\b|\b(?:we'?re|i'?m|we are|i am) good\b",
    re.IGNORECASE,  # VADER reads the original case ("GREAT" is stronger than "great")
)
_NEGATIVE = re.compile(
    r"too (?:expensive|much|pricey|high|steep)|\bis a lot\b(?! of)|way more than|"
    r"more than (?:i|we) (?:thought|expected|planned)|above what we pay|expensive|pricey|"
    r"overpriced|sketchy|(?<!if it )(?:doesn'?t|does not|isn'?t|is not|not) work(?:ing)?\b|"
    r"stopped working|crash(?:ing|es|ed)?\b|nobody (?:showed|came)|no one (?:showed|came)|"
    r"still waiting|been waiting|still no\b|(?:hasn'?t|has not|never|didn'?t) (?:arrived|come|"
    r"shown up)|for nothing|waste of|not getting|zero (?:leads|clients|sales)|"
    r"bad experience|burned|burnt|ripped off|getting nothing|charged (?:for|twice|me)|"
    r"killing us|(?:is|been|went) down\b|losing|blurry|\bunsubscribe\b|remove (?:me|us)\b|"
    r"stop (?:messaging|texting|contacting|calling)|take (?:me|us) off|leave me alone|"
    r"es mucho|zu teuer|leider|achei caro|muito caro|caro demais|trop cher|troppo caro|"
    r"no me sirvi|n'a pas marché|😩|😬|😞|😡|😤|😢|🙄|😒|😔|😕|☹",
)
_POSITIVE = re.compile(
    r"let'?s (?:just )?(?:do it|go+\b|get started)|take my money|sign me up|can'?t wait|"
    r"love (?:it|this|that)|\bloves it|looks? (?:solid|great|amazing|natural|perfect|good)|"
    r"(?:is|looks|sounds) (?:great|amazing|awesome|perfect)|\bperfect|perfecto|perfeito|"
    r"parfait|perfekt|perfetto|me apunto|fechado|quero fechar|genial|ótimo|excelente|"
    r"awesome|amazing|excited|makes me feel (?:a lot |much )?better|tranquil|zugestimmt|"
    r"(?:thank you|thanks) so much|exactly what (?:we|i) (?:need|want)|i'?m sold|klingt gut|"
    r"sehr gut|toll\b|wunderbar|me encanta|muy bien|buenísimo|adorei|muito bom|génial|"
    r"très bien|ottimo|benissimo|fantasti|"
    r"works for (?:us|me)|(?<!big )\bdeal\b(?! with)|"
    r"(?:i'?m|we'?re) in\b(?=\s*(?:[.!,)]|$|for |on (?:it|this)))|"
    r"\b(?:thanks|thank you|thx|hi|hello|hey|good (?:morning|afternoon|evening)|bom dia|"
    r"buenos días|bonjour|hola)\b[^.?!]{0,25}!|"
    r"\b(?:he+y{2,}|hi{3,}|yay+|woo+)\b|🙌|🔥|👍|💸|🎂|🎉|😍|🥰|💕|❤️|😊|😀|😁|🤩|💪|✨",
)
_CHAT = frozenset({
    "lol", "lmao", "omg", "nah", "yeah", "yes", "ok", "okay", "pls", "plz", "um", "uh", "hmm",
    "hi", "hii", "hiii", "hey", "heyy", "hello", "hola", "oi", "olá", "bonjour", "ciao", "hallo",
    "thanks", "thank", "gracias", "obrigado", "merci", "danke", "grazie", "rn", "btw", "u", "ur",
    "urs", "im", "thats", "send", "guys", "girl", "ppl", "honestly", "basically", "like", "just",
    "really", "good", "afternoon", "morning", "evening", "c'est", "true", "ooof", "oof", "gotta",
    "wanna", "kinda", "buongiorno", "interesa", "interesse",
})  # fmt: skip
_PLAIN = frozenset({  # never a keyword on their own: common verbs, adjectives and time words
    "check", "found", "decided", "looked", "supposed", "agree", "accept", "run", "start",
    "started", "pay", "paying", "spend", "works", "work", "working", "book", "opened",
    "committing", "thought", "stretch", "comparing", "died", "easier", "simple", "fair",
    "included", "make", "made", "get", "got", "need", "want", "know", "think", "said", "say",
    "going", "come", "came", "tell", "look", "see", "saw", "sent", "send", "give", "take", "took",
    "keep", "let", "put", "help", "try", "tried", "use", "used", "find", "time", "today",
    "tomorrow", "yesterday", "year", "years", "month", "months", "week", "weeks", "day", "days",
    "thing", "things", "lot", "guy", "stuff", "way", "something", "anything", "everything",
    "someone", "anyone", "maybe", "actually", "really", "good", "great", "nice", "cool", "new",
    "old", "big", "small", "quick", "sure",
})  # fmt: skip
_MONEY = re.compile(
    r"(?:r\$|us\$|a\$|[$€£₹])\s?\d[\d.,]*(?:\s?k\b)?(?:\s?/\s?(?:mo|month|yr|year)\b)?|"
    r"\b\d[\d.,]*\s?(?:k\b|€|euros?\b|bucks\b|dollars\b|pounds\b|reais\b)"
    r"(?:\s?/\s?(?:mo|month|yr|year)\b)?|\b\d[\d.,]*\s?/\s?(?:mo|month)\b",
)


_MARKERS = {
    word: code
    for code, words in (
        (
            "en",
            "ok okay yo meh lol lmao pls plz please thanks thank thx hi hey hello yes yeah "
            "yep nope price stop my you ur the is it true cool great sure unsubscribe what",
        ),
        ("es", "hola gracias buenas buenos qué cuánto precio vale"),
        ("pt", "oi olá obrigado obrigada valeu tudo preço"),
        ("fr", "bonjour salut merci oui combien prix"),
        ("de", "hallo danke preis moin guten zusammen"),
        ("it", "ciao grazie buongiorno prezzo"),
    )
    for word in words.split()
}


@functools.cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word in _FILLER_WORDS:
        analyzer.lexicon.pop(word, None)
    return analyzer


@functools.cache
def _langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@functools.cache
def _stopwords(language: str) -> frozenset[str]:
    """YAKE's stopword list for ``language`` (its language-neutral one when it has none)."""
    from importlib import resources

    lists = resources.files("yake") / "core" / "StopwordsList"
    found = lists / f"stopwords_{language}.txt"
    chosen = found if found.is_file() else lists / "stopwords_noLang.txt"
    text = chosen.read_bytes().decode("utf-8", errors="ignore")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip()) | _CHAT


def sentiment(text: str, lang: str | None = "en") -> float:
    """-1 (negative) to 1 (positive)."""
    base = 0.0
    if lang in (None, "en"):
        base = float(_vader().polarity_scores(_SMALL_TALK.sub(" ", text))["compound"])
    low = fold(text)
    cues = 0.45 * len(_POSITIVE.findall(low)) - 0.5 * len(_NEGATIVE.findall(low))
    return max(-1.0, min(1.0, base + cues))


def language(text: str) -> str | None:
    words = [_plain(w) for w in _WORDS.findall(text)]
    if len(words) < 5:  # too short for py3langid: "lol true" is not Italian
        votes = [_MARKERS[w] for w in words if w in _MARKERS]
        if votes:  # most votes; on a tie, a word of another language beats English chat
            return max(votes, key=lambda code: (votes.count(code), code != "en"))
    if len(words) < 2:
        return None
    code, _probability = _langid().classify(text)
    return str(code)


def _plain(word: str) -> str:
    """Lowercase, with letters typed three times or more once: "heyyy" -> "hey"."""
    return re.sub(r"(\w)\1{2,}", r"\1", word.lower())


_TOKENS = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*|[^\w\s]", re.UNICODE)
PAIR = 1.3  # a two-word phrase against its words alone


def keywords(text: str, lang: str | None, limit: int = 3) -> list[str]:
    chosen = [m[0].strip() for m in _MONEY.finditer(fold(text))][:limit]
    for phrase in _candidates(text, _stopwords(lang or "en")):
        if len(chosen) >= limit:
            break
        parts = [_plain(part) for part in phrase.split()]  # never chat: those are stopwords
        if (len(parts) == 1 and phrase in _PLAIN) or any(
            part in kept.split() for kept in chosen for part in parts
        ):
            continue
        chosen.append(phrase)
    return chosen


def _candidates(text: str, stopwords: frozenset[str]) -> list[str]:
    """The message's runs of content words and their adjacent pairs, best first."""
    runs: list[list[str]] = [[]]
    for token in _TOKENS.findall(text):
        if len(token) > 1 and token[0].isalpha() and _plain(token) not in stopwords:
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    scores: dict[str, float] = {}
    position = 0
    for run in runs:
        for i, word in enumerate(run):
            position += 1
            late = 1 + 0.05 * position
            named = 1.4 if word[0].isupper() and position > 1 else 1.0
            scores.setdefault(word.lower(), len(word) ** 0.5 * named / late)
            if i + 1 < len(run):
                pair = (len(word) ** 0.5 + len(run[i + 1]) ** 0.5) / 2
                scores.setdefault(f"{word} {run[i + 1]}".lower(), PAIR * pair / late)
    return sorted(scores, key=lambda phrase: -scores[phrase])
