"""Who may see the served store: the listening address rule and the password accounts.

``hirewatch serve`` listens on 127.0.0.1 unless told otherwise. Any other address (a LAN address,
``0.0.0.0``) is refused unless at least one account is configured: an environment variable
``HIREWATCH_SERVE_PASSWORD_HASH_<USER>`` holding a hash made by ``datasette hash-password``
(the maintained ``datasette-auth-passwords`` plugin's command, PBKDF2-SHA256). With accounts,
every page asks to log in at ``/-/login`` (Datasette's own ``allow`` block on the instance;
the plugin signs the login cookie), wherever it listens, and triage buttons appear.

The hashes reach Datasette as ``{"$env": NAME}`` references, so ``/-/metadata`` shows variable
names, never a hash. Called by :mod:`hirewatch.serve.app` and the ``serve`` command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hirewatch.addresses import is_loopback_host
from hirewatch.errors import ConfigError

ENV_PREFIX = "HIREWATCH_SERVE_PASSWORD_HASH_"
_USER = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
_HASH = re.compile(r"^pbkdf2_sha256\$\d+\$[^$]+\$[A-Za-z0-9+/=]+$")


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    env_name: str  # the variable holding the hash; the hash itself stays in the environment


@dataclass(frozen=True, slots=True)
class Access:
    """The accounts found in the environment (none: the page is open to whoever reaches it,
    which is only this machine)."""

    accounts: tuple[Account, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Access:
        """Every ``HIREWATCH_SERVE_PASSWORD_HASH_<USER>`` variable; the user is ``<USER>`` in lower
        case. Raises ConfigError (naming the variable, never its value) for a value that is not
        such a hash or a name that is not a plain user name."""
        environ = os.environ if environ is None else environ
        accounts = []
        for name in sorted(environ):
            if not name.startswith(ENV_PREFIX) or not environ[name].strip():
                continue
            user = name[len(ENV_PREFIX):].lower()
            if not _USER.match(user) or "_password_hash" in user:
                raise ConfigError(f"{name}: the part after {ENV_PREFIX} is the user name: letters, digits, "
                                  f"dots and dashes", field=name)
            if not _HASH.match(environ[name].strip()):
                raise ConfigError(f"{name} does not hold a password hash: make one with "
                                  f"`.venv/bin/datasette hash-password` and put its output in the variable",
                                  field=name)
            accounts.append(Account(user, name))
        return cls(tuple(accounts))

    @property
    def required(self) -> bool:
        return bool(self.accounts)

    def plugin_config(self) -> dict[str, Any]:
        """datasette-auth-passwords' configuration: one ``<user>_password_hash`` per account."""
        return {f"{a.user}_password_hash": {"$env": a.env_name} for a in self.accounts}

    def instance_allow(self) -> dict[str, Any] | None:
        """The instance's ``allow`` block: any logged-in account, or None (open) without accounts."""
        return {"id": [a.user for a in self.accounts]} if self.accounts else None

    def check_host(self, host: str) -> None:
        """Refuse to listen beyond this machine without accounts (ConfigError with the way out)."""
        if is_loopback_host(host) or self.required:
            return
        raise ConfigError(
            f"refusing to serve the store on {host}: only this machine (127.0.0.1) may read it without a "
            f"password. To serve other hosts, create an account first: "
            f"export {ENV_PREFIX}<USER>=\"$(.venv/bin/datasette hash-password)\" (every page then asks to "
            f"log in; put a TLS proxy in front for anything beyond a trusted network)", field="--host")
