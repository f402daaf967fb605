"""Airflow's retry decision by kind of error, for every hirewatch task.

:class:`ByKindOfError` is the ``retry_policy`` of :func:`hirewatch.dags.defaults.default_args`;
Airflow's task runner calls :meth:`~ByKindOfError.evaluate` in the worker when a task raised.

* A source that is gone (HTTP 404/410) or that robots.txt forbids: no retry
  (:attr:`hirewatch.errors.SourceError.permanent`); a broken monitor file or setting
  (:class:`~hirewatch.errors.ConfigError`): no retry.
* A site that answered 429/503 with ``Retry-After``: the next try waits that long (at most
  :data:`hirewatch.pipeline.MAX_RETRY_AFTER`), not the usual back-off.
* Everything else (5xx, timeouts, a refused connection, Slack or the store down): the task's
  exponential back-off.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import RetryDecision, RetryPolicy

#: The longest wait a site's ``Retry-After`` can ask of a retry (as the pipeline's own limit).
MAX_WAIT = timedelta(hours=6)


class ByKindOfError(RetryPolicy):
    """No retry where trying again cannot help; a site's ``Retry-After`` honoured; the task's
    exponential back-off for the rest."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int,
                 context: Any = None) -> RetryDecision:
        from hirewatch.errors import ConfigError

        if isinstance(exception, ConfigError):
            return RetryDecision.fail("a configuration error: fix it, a retry cannot")
        if getattr(exception, "permanent", False):
            return RetryDecision.fail("the source is gone or refuses us (HTTP 404/410 or robots.txt): "
                                      "not retried")
        wait = getattr(exception, "retry_after", None)
        if isinstance(wait, int | float) and wait > 0:
            delay = min(timedelta(seconds=wait), MAX_WAIT)
            return RetryDecision.retry(delay, f"the site asked to wait {delay} (Retry-After)")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        return {"__type": "ByKindOfError"}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ByKindOfError:
        return cls()
