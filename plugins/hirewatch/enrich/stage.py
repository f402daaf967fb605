"""The enrich stage: language, sentiment (with the scorer that produced it), topics with
per-topic sentiment, watch-term tags, severity.

Called by the pipeline (``hirewatch.pipeline``) with the matched mentions of one run:
:func:`enrich_mentions`. Raises :class:`~hirewatch.errors.ConfigError` for a monitor whose
``sentiment.languages`` holds an unknown code, :class:`~hirewatch.enrich.model_scorer.ModelUnavailable`
when the bundled model or head cannot be loaded (an installation defect); never for any text.

How a mention is judged:

1. Its text (title + text) is scored whole when short (up to ``SHORT_TEXT_CHARS``), else
   sentence by sentence, combined; a long article (feed and alert-feed items) only by the sentences
   about the entity (:mod:`hirewatch.enrich.focus`), for sentiment and topics alike. For
   topics it is split into sentences, each into clauses (at commas, semicolons, dashes and
   "but"/"maar"/"aber"/"men"/...). Clauses are grouped so each group
   starts at a clause that names a topic; a clause naming none joins the group before it
   ("the interview, which lasted three hours, was chaotic" stays one group).
2. Scorer: for English in ``fast`` mode VADER + HR lexicon where its verdict is confident and
   uncontradicted, else the multilingual head (:mod:`hirewatch.enrich.cascade`; social posts
   stay with VADER); otherwise the model (the English head for English in ``accurate`` mode,
   the multilingual head for every other language). Each sentence that
   carries a topic is scored, and so is each group of a sentence that holds more than one.
3. The mention's score combines its units (:func:`hirewatch.enrich.scoring.combine`), a long
   text's sentences weighted by the part they play in the verdict (the opening sentence, a
   conclusion such as "Fazit: ..." or "Kortom, ...", a sentence naming the entity or a topic;
   :mod:`hirewatch.enrich.verdict`); past the model's budget it reads those first and the
   rest spread over the text, the end always included (``extra["sentences_read"]``); a
   topic's score combines the groups that carry it, a group with no sentiment of its own taking
   its sentence's ("great recruiter, awful interview" -> recruiter positive, interview negative).
   A model-scored text of at least :data:`~hirewatch.enrich.long_text.MIN_SENTENCES` units
   takes its score and label from the trained combination of its head instead, where the head
   has one (:mod:`hirewatch.enrich.long_text`; today the English head).
4. Costly model scores are never recomputed for unchanged text: the process keeps an LRU cache
   by text hash (:class:`~hirewatch.enrich.model_scorer.ModelScorer`), and ``previous`` (the
   stored mentions by id) lets a run copy the scores of a mention whose text, mode, languages
   and scorer versions are unchanged (``extra["enrich_key"]`` records them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hirewatch.config import Entity, Monitor
from hirewatch.enrich import cascade, long_text, model_scorer, role, vader_scorer, verdict
from hirewatch.enrich.focus import focus, focus_entity
from hirewatch.enrich.language import detect_language
from hirewatch.enrich.scoring import SHORT_TEXT_CHARS, VADER_THRESHOLD, combine, label, scoring_units
from hirewatch.enrich.severity import severity
from hirewatch.enrich.text import clauses, mention_text, sentences, text_key
from hirewatch.enrich.topics import WATCH_PREFIX, matcher, resolve_pay, watch_tags
from hirewatch.match.employer_matcher import names_entity
from hirewatch.mention import NEGATIVE, NEUTRAL, POSITIVE, Mention

VERSION = "5"  # bump when the stage's rules change: stored scores are then recomputed
#: The model reads at most this many sentences of one text (focused for articles): the ones
#: carrying the verdict first, the rest spread over the text (:func:`hirewatch.enrich.verdict.select`).
#: The smallest budget whose accuracy on the Hutto dev documents of more than 10 sentences was not
#: below 40's (``bench/choose_model_scope.py``; bench/RESULTS.md, issue 17).
MAX_MODEL_SENTENCES = 25
READ_KEY = "sentences_read"  # extra: "40 of 55" when the model read only part of a long text
NO_SCORER = "none"


@dataclass(slots=True)
class _Group:
    text: str
    topics: list[str]  # raw: may hold the "pay" pseudo-topic


@dataclass(slots=True)
class _Plan:
    mention: Mention
    text: str
    language: str | None
    use_model: bool
    entity: Entity | None = None  # a long article is judged on the sentences about this entity
    owner: Entity | None = None  # the entity the mention is about (its role in a sentence counts)
    units: list[str] = field(default_factory=list)  # what the whole-text score is made of
    weights: list[float] | None = None  # the units' weights in the whole-text score (long texts)
    read: str | None = None  # "40 of 55" when only part of a long text is read
    cascade: bool = False  # English in fast mode: VADER's confident verdict stands, else the model
    sentences: list[str] = field(default_factory=list)
    groups: list[list[_Group]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def _groups(sentence: str, language: str | None) -> list[_Group]:
    found = matcher(language)
    groups: list[_Group] = []
    leading: list[str] = []
    for clause in clauses(sentence):
        topics = list(dict.fromkeys(h.topic for h in found.hits(clause)))
        if topics or not groups:
            if topics:
                groups.append(_Group(" ".join([*leading, clause]).strip(), topics))
                leading = []
            else:
                leading.append(clause)
        else:
            groups[-1].text = f"{groups[-1].text}, {clause}"
    if leading:  # a sentence without any topic
        if groups:
            groups[-1].text = f"{groups[-1].text}, {' '.join(leading)}"
        else:
            groups.append(_Group(sentence, []))
    return groups


def _enrich_key(text: str, language: str | None, monitor: Monitor, use_model: bool, entity: Entity | None,
                owner: Entity | None = None, cascading: bool = False) -> str:
    if cascading:
        model = model_scorer.scorer(None)
        scorer = (f"{vader_scorer.NAME}>{model.name}:{model.version}:{cascade.GATE}:{cascade.MIXED}"
                  f":long{long_text.fit_id(model.name, model.version)}")
    elif use_model:
        model = model_scorer.scorer(language)
        scorer = f"{model.name}:{model.version}:long{long_text.fit_id(model.name, model.version)}"
    else:
        scorer = vader_scorer.NAME
    settings = f"{monitor.sentiment.mode}|{','.join(monitor.sentiment.languages)}"
    if entity is not None:  # what is judged also depends on the names (and exclusions) sought
        settings += f"|focus:{'|'.join(sorted(entity.terms))}|-{'|'.join(sorted(entity.exclude))}"
    if owner is not None and role.feared_by_rivals(text, owner, language):  # and its role, on its names
        settings += f"|role:{'|'.join(sorted(owner.terms))}"
    return text_key(f"{VERSION}|{scorer}|{settings}|{text}")


def _text_label(prev: Mention) -> str | None:
    """What the stored copy's text said: the decide step may have given it another overall verdict
    (a 1-star review with mild text) and kept the text's own label in its decision."""
    decision = prev.extra.get("decision")
    if isinstance(decision, Mapping) and decision.get("text_label") in (NEGATIVE, NEUTRAL, POSITIVE):
        return str(decision["text_label"])
    return prev.sentiment_label


def _reusable(prev: Mention | None, key: str) -> bool:
    return (prev is not None and prev.extra.get("enrich_key") == key and prev.sentiment_label is not None
            and prev.scorer is not None)


def enrich_mentions(mentions: Iterable[Mention], monitor: Monitor,
                    previous: Mapping[str, Mention] | None = None, *,
                    now: datetime | None = None) -> list[Mention]:
    """Return the mentions refined with ``language``, ``sentiment_score`` (-1..1),
    ``sentiment_label``, ``scorer`` (``vader+hr``, ``e5-head`` or ``e5+vader-head``), ``topics`` (topic ids in order
    of appearance, then ``watch:<tag>`` for each watch term found), ``topic_sentiment`` (topic id
    -> score) and ``severity`` (0..1), in the order given.

    ``previous``: the stored mentions by id (optional); a mention whose scored text and settings
    are unchanged keeps its stored scores instead of being scored again. ``now`` (UTC) is the
    reference time for severity's recency; defaults to the current time.
    """
    now = now or datetime.now(UTC)
    languages = monitor.sentiment.languages
    accurate = monitor.sentiment.mode == "accurate"
    watch = [(w.term, w.tag) for w in monitor.watch_terms]
    plans: list[_Plan] = []
    reused: dict[int, Mention] = {}
    for index, mention in enumerate(mentions):
        text = mention_text(mention.title, mention.text)
        language = detect_language(text, languages)
        use_model = language is not None and (accurate or language != "en")
        plan = _Plan(mention, text, language, use_model, focus_entity(monitor, mention, text),
                     next((e for e in monitor.entities if e.name == mention.employer), None),
                     cascade=cascade.applies(mention.source_kind, language, accurate))
        key = _enrich_key(text, language, monitor, use_model, plan.entity, plan.owner, plan.cascade)
        prev = previous.get(mention.id) if previous else None
        if prev is not None and _reusable(prev, key):
            reused[index] = prev
        else:
            _prepare(plan)
        plan.mention = mention.with_(extra={**mention.extra, "enrich_key": key})
        plans.append(plan)

    model_scores = _score_with_model([p for i, p in enumerate(plans) if i not in reused and p.use_model])
    out: list[Mention] = []
    for index, plan in enumerate(plans):
        if index in reused:
            prev = reused[index]
            mention = plan.mention.with_(
                language=prev.language, sentiment_score=prev.sentiment_score, sentiment_label=_text_label(prev),
                scorer=prev.scorer, topic_sentiment=dict(prev.topic_sentiment),
                topics=tuple(t for t in prev.topics if not t.startswith(WATCH_PREFIX)))
            if READ_KEY in prev.extra:
                mention = mention.with_(extra={**mention.extra, READ_KEY: prev.extra[READ_KEY]})
            threshold = scorer_threshold(prev.scorer, prev.language)
        else:
            mention, threshold = _assemble(plan, model_scores)
        tags = watch_tags(plan.text, watch)
        mention = mention.with_(topics=tuple(dict.fromkeys([*mention.topics, *tags])))
        out.append(mention.with_(severity=severity(mention, now, threshold)))
    return out


def _prepare(plan: _Plan) -> None:
    parts = sentences(plan.text)
    if plan.entity is not None:
        parts = focus(parts, plan.entity)
    groups = [_groups(s, plan.language) for s in parts]
    if len(plan.text) > SHORT_TEXT_CHARS:
        entity = plan.entity

        def about(index: int, sentence: str) -> bool:
            return any(g.topics for g in groups[index]) or (entity is not None and names_entity(entity, sentence))

        weights = verdict.weights(parts, plan.language, about)
        if plan.cascade:
            plan.use_model = not cascade.vader_stands(parts, weights)
        if plan.use_model and len(parts) > MAX_MODEL_SENTENCES:
            keep = verdict.select(weights, MAX_MODEL_SENTENCES)
            plan.read = f"{len(keep)} of {len(parts)}"
            parts, groups, weights = ([seq[i] for i in keep] for seq in (parts, groups, weights))
        plan.units, plan.weights = parts, weights
    else:
        plan.units = scoring_units(plan.text)
        if plan.cascade:
            plan.use_model = not cascade.vader_stands(plan.units)
    plan.sentences = parts
    plan.groups = groups
    raw = [t for groups in plan.groups for g in groups for t in g.topics]
    plan.topics = resolve_pay(raw, context=raw)


def _texts_to_score(plan: _Plan) -> list[str]:
    texts = list(plan.units)
    if plan.topics:  # topic sentiment needs the sentences and clause groups that carry topics
        for sentence, groups in zip(plan.sentences, plan.groups, strict=True):
            if any(g.topics for g in groups):
                texts.append(sentence)
            if len(groups) > 1:
                texts.extend(g.text for g in groups if g.topics and g.text != sentence)
    return list(dict.fromkeys(texts))


def _score_with_model(plans: list[_Plan]) -> dict[tuple[str, str | None, str], float]:
    """Batched model calls (one per head) for every sentence and clause group of the run's
    model-scored mentions, each distinct text once per language (the multilingual head reads a
    lexicon in the text's language: "Gift." is poison in German, married in Swedish). Keyed by
    (head name, language, text)."""
    by_head: dict[str, tuple[model_scorer.ModelScorer, dict[tuple[str | None, str], None]]] = {}
    for plan in plans:
        model = _model(plan)
        texts = by_head.setdefault(model.name, (model, {}))[1]
        texts.update(dict.fromkeys((plan.language, text) for text in _texts_to_score(plan)))
    out: dict[tuple[str, str | None, str], float] = {}
    for name, (model, texts) in by_head.items():
        ordered = list(texts)
        scores = model.score([t for _, t in ordered], [lang for lang, _ in ordered])
        out.update({(name, lang, t): v for (lang, t), v in zip(ordered, scores, strict=True)})
    return out


def _model(plan: _Plan) -> model_scorer.ModelScorer:
    """The head that reads a plan's text: the multilingual one for English the cascade sends on."""
    return model_scorer.scorer(None if plan.cascade else plan.language)


def scorer_threshold(scorer: str | None, language: str | None) -> float:
    """The neutral band of the scorer that scored a mention (``Mention.scorer``)."""
    if scorer == model_scorer.NAME_EN:
        return model_scorer.scorer("en").threshold
    if scorer == model_scorer.NAME:
        return model_scorer.scorer(None).threshold
    return VADER_THRESHOLD


def _assemble(plan: _Plan, model_scores: Mapping[tuple[str, str | None, str], float]) -> tuple[Mention, float]:
    if plan.language is None or not plan.units:
        return plan.mention.with_(language=plan.language, sentiment_score=0.0, sentiment_label=NEUTRAL,
                                  scorer=NO_SCORER, topics=tuple(plan.topics), topic_sentiment={}), VADER_THRESHOLD
    if plan.use_model:
        model = _model(plan)
        name, threshold = model.name, model.threshold

        def score(text: str) -> float:
            return model_scores[(name, plan.language, text)]
    else:
        name, threshold = vader_scorer.NAME, VADER_THRESHOLD
        score = functools.cache(vader_scorer.score_sentence)  # a unit that is also a topic's sentence: once

    owner = plan.owner
    unit_scores = [role.about_entity(score(u), u, owner, plan.language) for u in plan.units]
    doc = combine(unit_scores, threshold, plan.weights)
    doc_threshold = threshold
    fitted = (long_text.combiner_for(name, model.version)
              if plan.use_model and len(plan.units) >= long_text.MIN_SENTENCES else None)
    if fitted is not None:  # a long text: its label from the trained combination of its sentences
        doc, doc_threshold = fitted.score(unit_scores, plan.weights, threshold), fitted.threshold
    per_topic: dict[str, list[float]] = {}
    context = plan.topics
    for sentence, groups in zip(plan.sentences, plan.groups, strict=True):
        if not any(g.topics for g in groups):
            continue
        sentence_score = score(sentence)
        for group in groups:
            if not group.topics:
                continue
            value = sentence_score if len(groups) == 1 or group.text == sentence else score(group.text)
            if abs(value) < threshold:
                value = sentence_score
            for topic in resolve_pay(group.topics, context=context):
                per_topic.setdefault(topic, []).append(value)
    topic_sentiment = {t: round(combine(v, threshold), 4) for t, v in per_topic.items()}
    if plan.read:
        plan.mention = plan.mention.with_(extra={**plan.mention.extra, READ_KEY: plan.read})
    mention = plan.mention.with_(language=plan.language, sentiment_score=round(doc, 4),
                                 sentiment_label=label(doc, doc_threshold), scorer=name, topics=tuple(plan.topics),
                                 topic_sentiment=topic_sentiment)
    return mention, threshold
