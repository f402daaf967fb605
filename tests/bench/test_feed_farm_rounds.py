"""The feed farm's rounds, over its real HTTP server on loopback: round 0 is the farm as before,
``POST /_farm/round`` puts new items on top of every ordinary feed (one story per group of feeds
under one link) and changes the validators, ``GET /_farm/manifest`` names whom each item names.
Also: the local stack's script is valid bash."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import subprocess
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from bench.feed_farm import FarmServer, FarmSpec, FeedFarm
from tests.conftest import ROOT


@pytest.fixture()
def farm() -> Iterator[FarmServer]:
    server = FarmServer(FeedFarm(FarmSpec(feeds=12, items=6, seed=5, delay=0, fresh=3, mention_share=0.3,
                                          hosts=2, fail_share=0.0, invalid_share=0.0, corpus_share=0.0)))
    server.render()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield server
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _get(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _links(body: bytes) -> list[str]:
    return re.findall(r"/(hw\d+-(?:r\d+-)?\d+|story-r\d+-g\d+)", body.decode("utf-8", "replace"))


def test_round_zero_is_the_farm_as_it_was() -> None:
    spec = FarmSpec(feeds=5, seed=9)
    plain = FeedFarm(spec)
    with_rounds = FeedFarm(FarmSpec(feeds=5, seed=9, fresh=4))
    for index in range(5):
        assert plain.feed(index).gz == with_rounds.feed(index, 0).gz


def test_a_round_adds_items_shares_a_story_and_changes_the_validators(farm: FarmServer) -> None:
    base = f"http://127.0.0.1:{farm.port}"
    manifest = json.loads(_get(base + "/_farm/manifest")[1])
    assert manifest["round"] == 0 and len(manifest["urls"]) == 12
    url0, url1 = manifest["urls"][0], manifest["urls"][1]
    status, body, headers = _get(url0)
    assert status == 200 and len(set(_links(body))) == 6
    assert _get(url0, **{"If-None-Match": headers["ETag"]})[0] == 304

    request = urllib.request.Request(base + "/_farm/round", method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert json.loads(answer.read())["round"] == 1
    status, body, _ = _get(url0, **{"If-None-Match": headers["ETag"]})
    assert status == 200, "the feed changed: the old validator no longer matches"
    tags = set(_links(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body))
    assert {"story-r1-g0", "hw0-r1-1", "hw0-r1-2"} <= tags and len(tags) == 9
    other = set(_links(_get(url1)[1]))
    assert "story-r1-g0" in other, "feeds of one group carry the same story"

    manifest = json.loads(_get(base + "/_farm/manifest")[1])
    named = manifest["sources"][0]["named"]
    assert named["story-r1-g0"] in {"employer", "alias", "competitor", "homonym"}
    assert named["story-r1-g0"] == manifest["sources"][1]["named"]["story-r1-g0"]
    assert set(named) <= tags


def test_the_stack_script_is_valid_bash() -> None:
    result = subprocess.run(["bash", "-n", str(ROOT / "scripts" / "stack-local")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    usage = subprocess.run([str(ROOT / "scripts" / "stack-local"), "--help"], capture_output=True, text=True)
    assert usage.returncode == 0 and "--workers N" in usage.stdout
