"""hirewatch.extract: raw items to Mentions, and the readers that get text out of markup.

:mod:`.item_to_mention` (called by the pipeline) turns any raw item into a Mention; :mod:`.limits`
bounds crawled fields; :mod:`.html_text`, :mod:`.jsonld`, :mod:`.review_extract` and
:mod:`.review_sites` read HTML, JSON-LD and review pages, for the sources' parsers and for
``hirewatch submit``.
"""
