"""The local stack's small HTTP services, one per process, for ``scripts/stack-local``:

- ``slack``: the local server that answers like Slack's Web API (tests/support/slack_server.py);
  the alerts of every monitor land there and ``conversations.history`` gives them back;
- ``es-proxy``: a pass-through proxy in front of osmem-server that turns the Elasticsearch 9
  client's ``compatible-with`` media types into plain JSON (tests/support/flaky_proxy.py; a real
  Elasticsearch needs no proxy).

Each binds a free port on 127.0.0.1, writes its base URL to ``--ready-file`` and serves until
SIGTERM or SIGINT.

    python scripts/stack_services.py slack --ready-file DIR/slack.url
    python scripts/stack_services.py es-proxy --upstream http://127.0.0.1:PORT --ready-file DIR/es.url
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.flaky_proxy import FlakyProxy  # noqa: E402
from tests.support.slack_server import SlackServer  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("service", choices=("slack", "es-proxy"))
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--upstream", help="es-proxy: osmem-server's URL")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.service == "slack":
        slack = SlackServer()
        slack.history_page_size = 200  # Slack's own pages are up to 1,000 (the tests use 3)
        slack.start()
        url, close = slack.base_url, slack.stop
    else:
        if not args.upstream:
            parser.error("es-proxy needs --upstream")
        proxy = FlakyProxy(args.upstream, plain_json=True).__enter__()
        url, close = proxy.url, lambda: proxy.__exit__(None, None, None)
    partial = args.ready_file.with_suffix(".tmp")
    partial.write_text(url + "\n")
    partial.replace(args.ready_file)
    try:
        stop.wait()
    finally:
        close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
