"""hirewatch.alerts.operators: the operators' channel message never stops a run."""

from __future__ import annotations

import pytest


def test_the_operators_message_never_raises_on_a_bad_slack_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """An address that is not a URL (a typo in HIREWATCH_SLACK_BASE_URL): False and a log line,
    so ``hirewatch run`` goes on with the next monitor."""
    from hirewatch.alerts.operators import post_to_operators

    monkeypatch.setenv("HIREWATCH_SLACK_TOKEN", "xoxb-test")
    monkeypatch.setenv("HIREWATCH_SLACK_BASE_URL", "localhost:1/api/")
    assert post_to_operators("#hw-ops", "text") is False
