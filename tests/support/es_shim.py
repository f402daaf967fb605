"""Test-only transport shim for talking to osmem-server with the Elasticsearch 9 client.

The client sends ``Accept``/``Content-Type: application/vnd.elasticsearch+json; compatible-with=9``
on every request; osmem-server (an OpenSearch-compatible test server) answers those with HTTP 406.
:class:`PlainJsonNode` rewrites the two headers to plain ``application/json`` /
``application/x-ndjson`` just before they go on the wire; nothing else changes, so every request
and response still goes through the real client, serializer and bulk helpers. Production code never
uses this (a real Elasticsearch 9 accepts the compatible-with types). Written for this project.
"""

from __future__ import annotations

from typing import Any

from elastic_transport import Urllib3HttpNode


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(self, method: str, target: str, body: bytes | None = None, headers: Any = None,
                        **kwargs: Any) -> Any:
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                value = headers.get(name)
                if value and "compatible-with" in value:
                    headers[name] = "application/x-ndjson" if "ndjson" in value else "application/json"
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def osmem_client(url: str, **options: Any):
    """An ``Elasticsearch`` client for an osmem-server URL (client retries off, like production)."""
    from elasticsearch import Elasticsearch

    options.setdefault("max_retries", 0)
    options.setdefault("request_timeout", 30)
    return Elasticsearch(url, node_class=PlainJsonNode, **options)
