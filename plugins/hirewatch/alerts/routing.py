"""Which Slack channel a mention goes to: the monitor's ``routing.alerts.rules`` in order, the first
rule whose every given condition holds wins; else ``default_channel`` for a mention the decide step
chose to alert (:attr:`~hirewatch.mention.Mention.wants_alert`); else no channel (the delivery run
marks it suppressed with reason ``unrouted``, so the digest and Kibana still show it). Called by
:mod:`hirewatch.alerts.delivery`; never raises.
"""

from __future__ import annotations

from hirewatch.config import AlertRule, AlertSettings
from hirewatch.mention import Mention

UNROUTED = "unrouted"


def rule_matches(rule: AlertRule, mention: Mention) -> bool:
    """Every condition the rule gives must hold; an empty condition holds for every mention.

    ``topics``: the mention has at least one of them (case-insensitive); ``sources``: it was seen
    in one of these sources (by name); ``competitors``: the rule also applies to competitor
    mentions (without it a competitor's mention never matches).
    """
    if mention.is_competitor and not rule.competitors:
        return False
    if rule.sentiment and mention.sentiment_label not in rule.sentiment:
        return False
    if rule.topics:
        wanted = {t.casefold() for t in rule.topics}
        if not wanted.intersection(t.casefold() for t in mention.topics):
            return False
    if rule.source_kinds and mention.source_kind not in rule.source_kinds:
        return False
    if rule.sources and not set(rule.sources).intersection((mention.source, *mention.sources)):
        return False
    return not (rule.min_severity > 0 and (mention.severity or 0.0) < rule.min_severity)


def route(mention: Mention, settings: AlertSettings) -> str | None:
    """The channel for ``mention``, or None when it is not to be alerted."""
    for rule in settings.rules:
        if rule_matches(rule, mention):
            return rule.channel
    if settings.default_channel and mention.wants_alert:
        return settings.default_channel
    return None
