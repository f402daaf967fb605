"""Fixtures the command tests share with the stage tests: the local SMTP server (digest) and the
osmem-server Elasticsearch (es commands)."""

from tests.digest.conftest import smtp_server
from tests.stores.conftest import osmem_es

__all__ = ["osmem_es", "smtp_server"]
