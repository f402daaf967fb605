"""One delivery per monitor at a time: the store's delivery lease, as a delivery run holds it.

:func:`hirewatch.alerts.delivery.deliver` takes the lease before it reads the outbox, renews it
between messages and gives it up at the end, so a CLI delivery (``hirewatch run``, ``hirewatch
slack deliver``) beside the DAG's alert task, or two workers, never post the same alert twice. A
second run waits up to ``wait_s`` for the lease, then stops with a note naming the holder and
since when. The lease expires ``ttl_s`` after its last renewal, so a holder that crashed blocks
nobody for longer than that; a holder on this machine whose process is gone (or a run of this
process that ended without giving the lease up, e.g. on a locked store) is replaced at once.
The store makes each step atomic (:meth:`~hirewatch.stores.base.MentionStore.acquire_delivery`).
Settings: ``HIREWATCH_DELIVERY_LEASE_S`` (default 120 s) and ``HIREWATCH_DELIVERY_WAIT_S``
(default 10 s), :class:`hirewatch.settings.DeliverySettings`.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from hirewatch.errors import StoreError
from hirewatch.settings import DeliverySettings, delivery_settings
from hirewatch.stores.base import Lease, MentionStore

DEFAULT_TTL_S: float = DeliverySettings.model_fields["delivery_lease_s"].default
DEFAULT_WAIT_S: float = DeliverySettings.model_fields["delivery_wait_s"].default
POLL_S = 0.2
_OWNER = re.compile(r" on (?P<host>\S+) pid (?P<pid>\d+) \[")
#: The owners whose runs hold a lease in this process right now (a lease of this process that is
#: not here was left behind: its release failed, say on a locked store).
_LIVE: set[str] = set()
_LIVE_LOCK = threading.Lock()


def process_owner() -> str:
    """This process as a lease owner: what runs, where, its pid, and a token that tells two
    delivery runs of one process apart (``hirewatch on host pid 4242 [1f2e3d4c]``)."""
    program = os.path.basename(sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c") else "python")
    return f"{program} on {socket.gethostname()} pid {os.getpid()} [{uuid.uuid4().hex[:8]}]"


def holder_is_gone(owner: str) -> bool:
    """True when ``owner`` names a process on this machine that no longer exists, or a run of
    this process that has ended without giving its lease up."""
    found = _OWNER.search(owner)
    if found is None or found["host"] != socket.gethostname():
        return False
    if int(found["pid"]) == os.getpid():
        with _LIVE_LOCK:
            return owner not in _LIVE
    try:
        os.kill(int(found["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


@dataclass
class DeliveryLease:
    """A delivery run's hold on ``monitor``'s lease. ``holder``: the other run's lease when
    :meth:`acquire` gave up; ``error``: why the store could not be asked."""

    store: MentionStore
    monitor: str
    ttl_s: float = DEFAULT_TTL_S
    wait_s: float = DEFAULT_WAIT_S
    owner: str = field(default_factory=process_owner)
    held: Lease | None = None
    holder: Lease | None = None
    error: str | None = None
    waited: str | None = None  # whom acquire waited for before it got the lease
    _renewed: float = 0.0
    _ever: bool = False  # got the lease at some point (release has something to give up)

    def acquire(self) -> bool:
        """Take the lease, waiting up to ``wait_s`` while another run holds it. False when it
        stayed held (see :attr:`holder`) or the store failed (see :attr:`error`)."""
        start = time.monotonic()
        deadline = start + self.wait_s
        replace: str | None = None
        seen: str | None = None
        while True:
            if self._ask(replace):
                if seen is not None:
                    self.waited = f"{seen} for {time.monotonic() - start:.1f} s"
                return True
            if self.error is not None or self.holder is None:
                return False
            seen = self.holder.owner
            replace = self.holder.owner if holder_is_gone(self.holder.owner) else None
            if replace is None and time.monotonic() >= deadline:
                return False
            if replace is None:
                time.sleep(POLL_S)

    def keep(self) -> bool:
        """Renew the lease when a third of its time has passed; False when it was lost (it
        expired and another run took it) or cannot be renewed."""
        if self.held is None:
            return False
        if time.monotonic() - self._renewed < self.ttl_s / 3:
            return True
        return self._ask(None)

    def release(self) -> None:
        """Give the lease up (also one whose renewal failed: the store releases it only if this
        run still holds it)."""
        with _LIVE_LOCK:
            _LIVE.discard(self.owner)
        if not self._ever:
            return
        self.held, self._ever = None, False
        try:
            self.store.release_delivery(self.monitor, self.owner)
        except StoreError:
            pass  # the lease expires on its own

    def busy(self) -> str:
        """Why this run did not deliver, in words for the report."""
        if self.error is not None:
            return f"the delivery lease could not be taken: {self.error}"
        if self.holder is None:
            return f"the delivery lease of monitor {self.monitor} was lost"
        return (f"another delivery of monitor {self.monitor} is running: {self.holder.owner}, since "
                f"{self.holder.since.isoformat(timespec='seconds')} (its lease runs until "
                f"{self.holder.until.isoformat(timespec='seconds')} unless renewed); nothing was sent by this one")

    def _ask(self, replace: str | None) -> bool:
        try:
            lease = self.store.acquire_delivery(self.monitor, self.owner, self.ttl_s, replace=replace)
        except StoreError as exc:
            self.error, self.held = str(exc), None
            return False
        if lease.owner != self.owner:
            self.holder, self.held = lease, None
            return False
        self.held, self.holder, self._renewed, self._ever = lease, None, time.monotonic(), True
        with _LIVE_LOCK:
            _LIVE.add(self.owner)
        return True


def lease_from_settings(store: MentionStore, monitor: str) -> DeliveryLease:
    """A :class:`DeliveryLease` with ``HIREWATCH_DELIVERY_LEASE_S`` / ``HIREWATCH_DELIVERY_WAIT_S``
    (:func:`hirewatch.settings.delivery_settings`; a bad value is a ConfigError naming it)."""
    chosen = delivery_settings()
    return DeliveryLease(store, monitor, ttl_s=chosen.delivery_lease_s, wait_s=chosen.delivery_wait_s)
