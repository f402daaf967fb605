"""Canonical URLs: one spelling per page, so the same story reached twice gets one mention id.

Called by :mod:`hirewatch.extract.item_to_mention` (the id of a feed mention is a hash of the
employer and this URL) and by the alert-feed sources (:func:`unwrap_redirect`). Never raises: a
string that is not an http(s) URL comes back stripped but otherwise unchanged.

What changes: redirect wrappers are unwrapped (``google.com/url?...&url=``, Facebook's
``l.php?u=``, LinkedIn's and Reddit's out-links); scheme and host are lower-cased; the default
port, the fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ...) are
dropped; the remaining query parameters are sorted and percent-encoding is normalised (w3lib's
``canonicalize_url``, the function Scrapy uses for its request fingerprints; it gets the
escaping, IDNA hosts and ``%7E``/``~`` equivalences right, which a hand-written version tends
not to). FeedBurner's ``feedproxy`` links cannot be unwrapped from the URL alone: the feed sources
prefer ``feedburner:origLink``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "igshid",
    "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "_ga", "_gl", "s_cid", "cmpid",
    "ncid", "sr_share", "spm", "ocid", "at_medium", "at_campaign", "wt_mc", "wt.mc_id",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "piwik_", "itm_", "hmb_")
DEFAULT_PORTS = {"http": 80, "https": 443}

# host pattern -> (path, query parameter that holds the target)
_WRAPPERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(^|\.)google\.[a-z.]{2,6}$"), "/url", "url|q"),
    (re.compile(r"^(l|lm|m|www)\.facebook\.com$"), "/l.php", "u"),
    (re.compile(r"^(www\.)?linkedin\.com$"), "/redir/redirect", "url"),
    (re.compile(r"^out\.reddit\.com$"), "", "url"),
    (re.compile(r"^(www\.)?youtube\.com$"), "/redirect", "q"),
    (re.compile(r"^(www\.)?bing\.com$"), "/news/apiclick.aspx", "url"),
)
# Google's own parameters that may follow an unencoded target in a google.com/url link.
_GOOGLE_PARAMS = "ct|cd|usg|sa|rct|ved|source|esrc|uact|cad|opi|sntz|ust|psig|client|bvm|oi"


def _target_param(query: str, names: str, google: bool) -> str | None:
    if google:
        # Google Alerts links do not percent-encode the target, so a target with its own query
        # string contains "&": read up to the next Google parameter, not the next "&".
        match = re.search(rf"(?:^|&)(?:{names})=(.*?)(?=&(?:{_GOOGLE_PARAMS})=|$)", query)
        if match:
            value = match.group(1)
            return unquote(value) if re.match(r"https?%3a", value, re.IGNORECASE) else value
        return None
    wanted = set(names.split("|"))
    for key, value in parse_qsl(query, keep_blank_values=False):
        if key in wanted:
            return value
    return None


def unwrap_redirect(url: str, *, max_depth: int = 3) -> str:
    """The target of a known redirect wrapper (nested ones too), else ``url`` unchanged."""
    for _ in range(max_depth):
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return url
        host = (parts.hostname or "").lower()
        for pattern, path, names in _WRAPPERS:
            if pattern.search(host) and (not path or parts.path == path):
                target = _target_param(parts.query, names, google=names == "url|q")
                if target and target.lower().startswith(("http://", "https://")):
                    url = target
                    break
        else:
            return url
    return url


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of ``url`` (see the module docstring). ``base`` resolves a
    relative URL first."""
    url = (url or "").strip()
    if not url:
        return ""
    if base:
        url = urljoin(base, url)
    url = unwrap_redirect(url)
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return url
        port = parts.port
    except ValueError:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    # Credentials never belong in a stored URL: the netloc is rebuilt from host and port only.
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Filter the raw pairs (not parse + re-encode) so "?flag" stays "flag", not "flag=".
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not is_tracking_param(unquote_plus(pair.split("=", 1)[0])))
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    try:
        return _w3lib_canonicalize(rebuilt, keep_fragments=False)
    except (ValueError, UnicodeError):
        return rebuilt
