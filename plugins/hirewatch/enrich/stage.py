"""The enrich stage: language, sentiment (with the scorer that produced it), topics, severity.

Called by the pipeline (``hirewatch.pipeline``) with the matched mentions of one run:
:func:`enrich_mentions`. Never raises for any text; raises :class:`~hirewatch.errors.ConfigError`
only for a monitor whose ``sentiment.languages`` holds an unknown code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hirewatch.config import Monitor
from hirewatch.enrich import vader_scorer
from hirewatch.enrich.language import detect_language
from hirewatch.enrich.scoring import VADER_THRESHOLD, combine, label
from hirewatch.enrich.text import mention_text, sentences
from hirewatch.mention import Mention


def enrich_mentions(mentions: Iterable[Mention], monitor: Monitor,
                    previous: Mapping[str, Mention] | None = None) -> list[Mention]:
    """Return each mention refined with ``language``, ``sentiment_score`` (-1..1),
    ``sentiment_label`` and ``scorer``.

    English text is scored by VADER with the HR-domain lexicon, sentence by sentence, combined
    (:func:`hirewatch.enrich.scoring.combine`). Text in any other language is never given to
    VADER. ``previous`` (mention id -> the stored mention) is accepted for re-use of unchanged
    scores.
    """
    del previous  # used once the multilingual model lands (costly scores are re-used then)
    languages = monitor.sentiment.languages
    out: list[Mention] = []
    for mention in mentions:
        text = mention_text(mention.title, mention.text)
        language = detect_language(text, languages)
        if language == "en":
            parts = sentences(text)
            score = round(combine(vader_scorer.score_sentences(parts), VADER_THRESHOLD), 4)
            out.append(mention.with_(language=language, sentiment_score=score,
                                     sentiment_label=label(score, VADER_THRESHOLD), scorer=vader_scorer.NAME))
        else:
            out.append(mention.with_(language=language))
    return out
