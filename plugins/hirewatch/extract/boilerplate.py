"""The feed's own boilerplate inside an entry's HTML: which elements are left out of its text.

Called by :mod:`hirewatch.extract.html_text` (its lxml walk and its BeautifulSoup fallback) while
it turns HTML into the text that is matched and scored. Publishers put boxes into their feed
entries and pages that are not the story: TechCrunch's CrunchBase company profile (class ``cbw``),
WordPress Jetpack's related posts (``jp-relatedposts``), YARPP (``yarpp-related``), sharing bars
(``sharedaddy``, ``sd-sharing``, ``addtoany``), FeedBurner's ``feedflare``, newsletter sign-up and
author-bio boxes, "Related:" / "Lees ook" / "Mehr zum Thema" link lists. A company box names the
company in glowing terms: left in, it is what the sentences about the employer say.

Two rules, both conservative:

- **Boxes by class or id.** An element is left out when one of its class tokens, or its id, *is*
  a boilerplate name (:data:`BOX_NAMES`) or is made of words that name one (:data:`BOX_WORD_PAIRS`:
  ``related-posts``, ``td-related-articles``, ``author-bio``, ``share-buttons``, ...). Tokens are
  compared whole and split only at ``-`` and ``_``, never searched as substrings: ``shared-review``,
  ``related-to``, ``sharing-economy`` or ``newsletters-archive`` keep their text. WordPress's
  taxonomy classes on an article (``tag-...``, ``category-...``) never count, and ``html``, ``body``,
  ``main`` and ``article`` elements are never left out by class.
- **A "related" heading with its link list.** A heading (``h1``-``h6``, or a paragraph that is only
  the heading) whose whole text is a related-reading or sharing phrase in en, nl, de, sv, no or da
  (:data:`RELATED_PHRASES`, an ending colon or arrow allowed) is left out with the element after
  it when that element is mostly links; a paragraph that is such a phrase followed by nothing but
  links ("Lees ook: <a>...</a>") is left out. A heading followed by prose stays, and so does a
  paragraph with words of its own after the phrase ("Read more about the strike in our report").
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

#: Class or id tokens that are boilerplate on their own (compared lower-cased, whole).
BOX_NAMES = frozenset({
    # TechCrunch's CrunchBase company widget and other company-profile boxes
    "cbw", "crunchbase-widget", "company-profile-box",
    # WordPress Jetpack: related posts, sharing, likes, post flair, subscriptions
    "jp-relatedposts", "jp-post-flair", "sharedaddy", "sd-sharing", "sd-sharing-enabled", "sd-like",
    "sd-like-enabled", "jetpack-likes-widget-wrapper", "wp-block-jetpack-subscriptions",
    "jetpack_subscription_widget", "wpcnt", "robots-nocontent",
    # related-posts plugins: YARPP, Contextual Related Posts, WordPress Related Posts, Related Posts for WP
    "yarpp", "yarpp-related", "yarpp-related-rss", "yarpp-related-widget", "yarpp-related-website",
    "crp_related", "wp_rp_wrap", "wp_rp_content", "rp4wp-related-posts", "zemanta-related",
    "relatedposts", "related", "related_post", "outbrain", "ob-widget", "trc_related_container",
    # sharing buttons: AddToAny, ShareThis, Shareaholic, Super Socializer, Simple Share Buttons
    "addtoany", "addtoany_share_save_container", "addtoany_list", "a2a_kit", "sharethis",
    "sharethis-inline-share-buttons", "shareaholic-canvas", "heateor_sss_sharing_container", "ssba",
    "ssba-wrap", "sharebar", "sharing", "share",
    # FeedBurner's per-entry links
    "feedflare",
    # newsletter sign-up boxes (Mailchimp's embed, MC4WP)
    "newsletter", "mc_embed_signup", "mc4wp-form", "newsletter-signup",
    # author-bio boxes (Simple Author Box, Author hReview box, Genesis)
    "saboxplugin-wrap", "abh_box", "authorbox",
})

#: Two words that, next to each other in a token split at ``-``/``_``, make it boilerplate.
BOX_WORD_PAIRS = frozenset({
    ("related", "posts"), ("related", "post"), ("related", "articles"), ("related", "stories"),
    ("related", "content"), ("related", "links"), ("related", "news"), ("related", "items"),
    ("more", "stories"), ("recommended", "posts"), ("recommended", "articles"),
    ("share", "buttons"), ("share", "bar"), ("share", "links"), ("share", "box"), ("sharing", "buttons"),
    ("social", "share"), ("social", "sharing"), ("post", "share"), ("entry", "share"),
    ("newsletter", "signup"), ("newsletter", "form"), ("newsletter", "box"), ("newsletter", "widget"),
    ("subscribe", "box"), ("subscription", "widget"), ("author", "bio"), ("author", "box"), ("about", "author"),
    ("author", "info"), ("author", "description"),
})

#: Word-split tokens whose first word is one of these are taxonomy classes, never boxes.
TAXONOMY_PREFIXES = frozenset({"tag", "category", "categories", "post_tag", "topic", "section", "format",
                               "type", "tags"})

#: Elements never left out by class (a whole article is not a box).
NEVER_BOXED = frozenset({"html", "body", "main", "article"})

#: Related-reading and sharing headings, lower-cased, in en, nl, de, sv, no, da.
RELATED_PHRASES = frozenset({
    # en
    "related", "related posts", "related articles", "related stories", "related content",
    "related links", "related reading", "related coverage", "related news", "read more", "read also",
    "also read", "see also", "more on this", "more on this story", "more on this topic",
    "you may also like", "you might also like", "recommended", "recommended reading", "further reading",
    "more reading", "most read", "popular posts", "share this", "share this article", "share this post",
    "share this story", "share", "like this", "subscribe to our newsletter",
    # nl
    "lees ook", "lees meer", "meer lezen", "gerelateerd", "gerelateerde artikelen",
    "gerelateerde berichten", "gerelateerd nieuws", "meer over dit onderwerp", "meer nieuws",
    "ook interessant", "bekijk ook", "zie ook", "vergelijkbare berichten", "meest gelezen",
    "deel dit", "deel dit artikel", "delen", "aanbevolen",
    # de
    "mehr zum thema", "lesen sie auch", "lesen sie mehr", "auch interessant", "ebenfalls interessant",
    "das könnte sie auch interessieren", "das könnte dich auch interessieren", "ähnliche beiträge",
    "ähnliche artikel", "verwandte artikel", "verwandte beiträge", "weitere artikel", "weiterlesen",
    "siehe auch", "mehr dazu", "mehr lesen", "meistgelesen", "meistgelesene artikel", "empfohlen",
    "teilen", "artikel teilen", "beitrag teilen", "diesen artikel teilen", "teile dies", "gefällt mir",
    # sv
    "läs också", "läs även", "läs mer", "relaterat", "relaterade artiklar", "relaterade inlägg",
    "mer om ämnet", "mer om detta", "se även", "liknande inlägg", "mest läst", "dela", "dela detta",
    "dela artikeln", "rekommenderat",
    # no
    "les også", "les mer", "relatert", "relaterte artikler", "relaterte innlegg", "mer om temaet",
    "mer om dette", "se også", "lignende innlegg", "mest lest", "del", "del dette", "del artikkelen",
    "anbefalt",
    # da
    "læs også", "læs mere", "relateret", "relaterede artikler", "relaterede indlæg", "mere om emnet",
    "mere om dette", "lignende indlæg", "mest læste", "del artiklen", "anbefalet",
})

#: Elements that can be a related heading: headings, and paragraphs or blocks holding only one.
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
PHRASE_BLOCK_TAGS = frozenset({"p", "div"})
#: What may follow a related heading as its link list.
LIST_TAGS = frozenset({"ul", "ol", "p", "div", "dl", "table", "section", "nav"})
#: Longest text read when testing a heading (characters); longer is never a heading.
HEADING_TEXT_LIMIT = 80
#: Longest text read when testing a link list or a "Lees ook: ..." paragraph.
LIST_TEXT_LIMIT = 3000
#: Share of a list's letters that sit inside links for it to be a link list.
LINK_SHARE = 0.5

_WORDS = re.compile(r"[-_]+")
_PHRASE_ENDS = re.compile(r"^[\W_]+|[\s:|>»›→…\-–—.]+$")
_LEAD = re.compile(
    r"[\W_]*(" + "|".join(re.escape(p) for p in sorted(RELATED_PHRASES, key=len, reverse=True))
    + r")(?!\w)\s*[:|>»›→\-–—]*", re.IGNORECASE)
_NOT_LETTERS = re.compile(r"[\W_]+")
_FIRST_WORD = re.compile(r"[\W_]*(\w+)")
_FIRST_WORDS = frozenset(p.split()[0] for p in RELATED_PHRASES)


@lru_cache(maxsize=8192)
def is_box_token(token: str) -> bool:
    """Whether one class token (or an id) names a boilerplate box: whole-token match or a
    boilerplate word pair, never a substring (``shared-review`` and ``related-to`` are not)."""
    token = token.lower()
    if token in BOX_NAMES:
        return True
    words = [w for w in _WORDS.split(token) if w]
    if len(words) < 2 or words[0] in TAXONOMY_PREFIXES:
        return False
    return any(pair in BOX_WORD_PAIRS for pair in pairwise(words))


@lru_cache(maxsize=8192)
def _classes_are_box(classes: str) -> bool:
    return any(is_box_token(token) for token in classes.split())


def is_box(tag: str, classes: str | None, element_id: str | None) -> bool:
    """Whether an element with this tag, class attribute (space-separated tokens) and id is a
    boilerplate box to leave out."""
    if tag in NEVER_BOXED:
        return False
    return bool(classes and _classes_are_box(classes)) or bool(element_id and is_box_token(element_id.strip()))


def starts_with_phrase(text: str | None) -> bool:
    """A cheap first test on an element's first piece of text: does it begin with a related phrase?
    (Its first word is looked up first: most paragraphs are ruled out by a set lookup.)"""
    if not text:
        return False
    first = _FIRST_WORD.match(text)
    return first is not None and first.group(1).lower() in _FIRST_WORDS and _LEAD.match(text) is not None


def is_phrase(text: str) -> bool:
    """Whether ``text`` is, as a whole, a related-reading or sharing heading ("Related:",
    "Lees ook", "Mehr zum Thema »")."""
    return " ".join(_PHRASE_ENDS.sub("", text).split()).lower() in RELATED_PHRASES


def is_link_list(text: str, link_text: str) -> bool:
    """Whether an element whose text is ``text``, of which ``link_text`` sits inside links, is a
    link list (at least :data:`LINK_SHARE` of its letters are link text)."""
    letters = len(_NOT_LETTERS.sub("", text))
    return letters > 0 and len(_NOT_LETTERS.sub("", link_text)) >= LINK_SHARE * letters


def is_phrase_then_links(text: str, link_text: str) -> bool:
    """Whether a paragraph is a related phrase followed by nothing but links ("Lees ook: <a>...</a>",
    "Related: <a>..</a> | <a>..</a>"): every letter after the phrase is link text."""
    lead = _LEAD.match(text)
    if lead is None:
        return False
    rest = len(_NOT_LETTERS.sub("", text[lead.end():]))
    return rest > 0 and len(_NOT_LETTERS.sub("", link_text)) >= rest
