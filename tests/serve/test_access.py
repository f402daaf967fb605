"""Who may reach ``hirewatch serve``: this machine only without accounts; with accounts, every
page behind the login form, hashes never shown, and triage from the row page."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password
from hirewatch.addresses import is_loopback_host
from hirewatch.errors import ConfigError
from hirewatch.serve.access import ENV_PREFIX, Access

from tests.serve.conftest import base_env, cli, start_serve, stop
from tests.serve.test_browser import store_rows
from tests.serve.test_readonly import copy_home

pytestmark = pytest.mark.xdist_group("serve")

PASSWORD = "correct horse battery staple"  # written here for the test


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("127.3.0.9", True),
                                                ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
                                                ("192.168.1.20", False), ("example.org", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_accounts_come_from_the_environment_and_never_show_a_hash() -> None:
    hashed = hash_password(PASSWORD, iterations=1000)
    access = Access.from_env({f"{ENV_PREFIX}ANA": hashed, "OTHER": "x"})
    assert [a.user for a in access.accounts] == ["ana"]
    assert access.plugin_config() == {"ana_password_hash": {"$env": f"{ENV_PREFIX}ANA"}}
    with pytest.raises(ConfigError, match=f"{ENV_PREFIX}BOB does not hold a password hash") as caught:
        Access.from_env({f"{ENV_PREFIX}BOB": "hunter2"})
    assert "hunter2" not in str(caught.value)


def test_another_address_without_accounts_is_refused(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "192.168.1.20"):
        done = subprocess.run(cli("serve", "--host", host), env=base_env(tmp_path), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, host
        assert f"refusing to serve the store on {host}" in done.stderr and ENV_PREFIX in done.stderr


class Client:
    """A cookie-keeping HTTP client that does not follow redirects (to see them)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.headers.get("location") or "", response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("location") or "", exc.read().decode()

    def login(self, user: str, password: str) -> int:
        _, _, page = self.request("/-/login")
        token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.request("/-/login", {"username": user, "password": password, "csrftoken": token})
        return status


def test_with_an_account_every_page_asks_to_log_in_and_triage_works(example_home: Path, tmp_path: Path) -> None:
    home = copy_home(example_home, tmp_path)
    hashed = hash_password(PASSWORD, iterations=1000)
    server = start_serve(home, env=base_env(home, **{f"{ENV_PREFIX}ANA": hashed}))
    try:
        anonymous = Client(server.url)
        for path in ("/", "/hirewatch/mentions", "/hirewatch/mentions.json", "/hirewatch/pending_alerts.csv",
                     "/-/metadata.json"):
            status, location, body = anonymous.request(path)
            assert status == 302 and location.endswith("/-/login"), path
            assert "Brightwave" not in body
        pending = store_rows(server.store, "SELECT id FROM mentions WHERE alert_status = 'pending' LIMIT 1")[0][0]
        status, _, _ = anonymous.request("/-/hirewatch/triage", {"mention_id": pending, "status": "acknowledged"})
        assert status == 403  # not logged in: never a write
        assert store_rows(server.store, "SELECT triage FROM mentions WHERE id = ?", (pending,)) == [("open",)]

        ana = Client(server.url)
        assert ana.login("ana", "wrong") == 200  # the form again, with an error
        assert ana.request("/hirewatch/mentions.json")[0] == 302
        assert ana.login("ana", PASSWORD) == 302
        status, _, body = ana.request("/hirewatch/mentions.json?_shape=array")
        assert status == 200 and len(json.loads(body)) > 0
        metadata = ana.request("/-/metadata.json")[2]
        assert hashed not in metadata and f"{ENV_PREFIX}ANA" in metadata

        status, _, row_page = ana.request(f"/hirewatch/mentions/{pending}")
        assert status == 200 and 'value="acknowledged"' in row_page
        token = re.search(r'name="csrftoken" value="([^"]+)"', row_page).group(1)
        status, location, _ = ana.request("/-/hirewatch/triage", {"mention_id": pending, "status": "false_positive",
                                                                  "csrftoken": token})
        assert status == 302 and location.endswith(f"/hirewatch/mentions/{pending}")
        assert store_rows(server.store, "SELECT triage, triage_by FROM mentions WHERE id = ?", (pending,)) == [
            ("false_positive", "ana (hirewatch serve)")]
    finally:
        stop(server)


def test_without_accounts_there_are_no_triage_buttons(served) -> None:  # type: ignore[no-untyped-def]
    mid = store_rows(served.store, "SELECT id FROM mentions LIMIT 1")[0][0]
    page = served.get(f"/hirewatch/mentions/{mid}")
    assert 'class="triage"' not in page
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(served.url + "/-/hirewatch/triage", data=b"status=acknowledged"),
                               timeout=30)
    assert refused.value.code == 403 and "Triage needs an account" in refused.value.read().decode()
