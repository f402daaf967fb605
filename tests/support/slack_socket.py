"""A local Socket Mode endpoint for the tests: the WebSocket that slack-sdk's ``SocketModeClient``
(and so ``hirewatch slack listen``) connects to after ``apps.connections.open``. Written for this
project with the ``websockets`` library's threaded server.

It greets a client with ``hello`` like Slack, sends ``interactive`` envelopes on demand
(:meth:`SocketServer.send_interactive`) and records the acknowledgements the client sends back.
Pair it with :class:`tests.support.slack_server.SlackServer` (``socket_url``).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SocketServer:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self._connections: list[ServerConnection] = []
        self._connected = threading.Event()
        self._acked = threading.Condition()
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test-ticket"

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "connection_info": {"app_id": "A0HIREWATCH"}}))
        self._connections.append(connection)
        self._connected.set()
        try:
            for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._acked:
                        self.acks[message["envelope_id"]] = message
                        self._acked.notify_all()
        except ConnectionClosed:
            pass

    def wait_connected(self, timeout: float = 10) -> bool:
        return self._connected.wait(timeout)

    def send_interactive(self, payload: dict[str, Any]) -> str:
        """Deliver a ``block_actions`` (or other interactive) payload; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        self._connections[-1].send(json.dumps({"envelope_id": envelope_id, "type": "interactive",
                                               "accepts_response_payload": False, "payload": payload}))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any] | None:
        with self._acked:
            self._acked.wait_for(lambda: envelope_id in self.acks, timeout)
            return self.acks.get(envelope_id)

    def start(self) -> SocketServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        for connection in self._connections:
            connection.close()
        self._server.shutdown()

    def __enter__(self) -> SocketServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
