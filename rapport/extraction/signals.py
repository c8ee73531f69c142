"""Sentiment, keywords and language, from well-kept offline libraries.

- Sentiment: VADER's compound score (vaderSentiment), -1 to 1; it reads English, emoji and
  slang ("sooo good", ":(") and scores other languages mostly neutral.
- Keywords: YAKE (unsupervised, per message, in the message's language), up to four
  one- or two-word phrases, lowercased.
- Language: py3langid restricted to the languages our users' leads write in, so short texts
  are not labelled Latin or Xhosa; texts with fewer than two words are left unlabelled.
"""

from __future__ import annotations

import functools
import re
from typing import Any

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl")
_WORDS = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@functools.cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.cache
def _langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@functools.cache
def _yake(language: str) -> Any:
    import yake

    return yake.KeywordExtractor(lan=language, n=2, top=4, dedupLim=0.7)


def sentiment(text: str) -> float:
    return float(_vader().polarity_scores(text)["compound"])


def language(text: str) -> str | None:
    if len(_WORDS.findall(text)) < 2:
        return None
    code, _probability = _langid().classify(text)
    return str(code)


def keywords(text: str, lang: str | None) -> list[str]:
    if len(_WORDS.findall(text)) < 3:
        return [w.lower() for w in _WORDS.findall(text) if len(w) > 3][:2]
    found = _yake(lang or "en").extract_keywords(text)
    return [phrase.lower() for phrase, _score in found]
