"""Sending the digest by e-mail over SMTP (the standard library's smtplib).

Called by :func:`hirewatch.digest.run_digest`. Settings come from :mod:`hirewatch.settings` (the
Airflow Connection ``hirewatch_smtp``, else ``HIREWATCH_SMTP_URL``:
``smtp://user:pass@host:port?from=digest@example.com``; ``smtps://`` for TLS from the first byte),
never from monitor YAML. The connection is upgraded
with STARTTLS whenever the server offers it, and the password is never sent over a connection that
is not encrypted unless the server is on this machine (loopback). Nothing here logs the password:
it travels as a :class:`~pydantic.SecretStr` until the one ``login`` call.

The message is ``multipart/alternative`` (text, then ``multipart/related`` of the HTML and its
chart images referenced by Content-ID), the structure mail clients expect for inline images.

Raises :class:`~hirewatch.errors.NotConfigured` when no SMTP setting exists and :class:`MailError`
(with host and port, never the password) when the settings are malformed or the server refuses.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import SecretStr

from hirewatch.addresses import is_loopback_host
from hirewatch.digest.html_renderer import RenderedHtml
from hirewatch.errors import HirewatchError, NotConfigured
from hirewatch.redact import mask
from hirewatch.settings import mail_settings

log = logging.getLogger(__name__)

StartTls = Literal["auto", "require", "never"]


class MailError(HirewatchError):
    """The SMTP settings are malformed, or the server could not be reached or refused the mail."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: SecretStr | None = None
    ssl: bool = False
    starttls: StartTls = "auto"
    cafile: str | None = None
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str, *, what: str = "HIREWATCH_SMTP_URL") -> SmtpSettings:
    """``smtp[s]://[user[:password]@]host[:port][?from=...&starttls=auto|require|never&cafile=...&timeout=s]``.
    User and password are percent-decoded. Raises :class:`MailError` naming ``what``, never the URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise MailError(f"{what}: not a URL of the form smtp://user:password@host:port") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise MailError(f"{what}: expected the scheme smtp:// or smtps://, got {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise MailError(f"{what}: the host is missing")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps"
    username = unquote(parts.username) if parts.username else None
    password = SecretStr(unquote(parts.password)) if parts.password else None
    return _settings(what, host=parts.hostname, port=port or (465 if use_ssl else 25), username=username,
                     password=password, use_ssl=use_ssl, options=query)


#: ``starttls`` also as a yes/no word (a Connection's extra often says ``"true"``): yes means require.
_STARTTLS_WORDS = {"1": "require", "true": "require", "yes": "require", "on": "require",
                   "0": "never", "false": "never", "no": "never", "off": "never"}


def _settings(what: str, *, host: str, port: int, username: str | None, password: SecretStr | None, use_ssl: bool,
              options: dict[str, str]) -> SmtpSettings:
    starttls = options.get("starttls", "auto").strip().lower()
    starttls = _STARTTLS_WORDS.get(starttls, starttls)
    if starttls not in ("auto", "require", "never"):
        raise MailError(f"{what}: starttls must be auto, require or never, got {starttls!r}")
    sender = options.get("from") or (username if username and "@" in username else f"hirewatch@{host}")
    try:
        timeout = float(options.get("timeout", 30))
    except ValueError:
        raise MailError(f"{what}: timeout must be a number of seconds") from None
    return SmtpSettings(host=host, port=port, sender=sender, username=username, password=password, ssl=use_ssl,
                        starttls=starttls, cafile=options.get("cafile") or None, timeout=timeout)  # type: ignore[arg-type]


def smtp_settings() -> SmtpSettings:
    """From the Airflow Connection ``hirewatch_smtp`` (host, port, login, password; extra: ``from``,
    ``ssl``, ``starttls``, ``cafile``, ``timeout``, or the smtp provider's ``from_email``,
    ``disable_ssl``, ``disable_tls``), else ``HIREWATCH_SMTP_URL`` (the precedence of
    :mod:`hirewatch.settings`)."""
    configured = mail_settings()
    conn = configured.smtp_connection
    if conn is None or not conn.host:
        if configured.smtp_url is not None:
            return parse_smtp_url(configured.smtp_url.get_secret_value())
        raise NotConfigured("no SMTP settings (HIREWATCH_SMTP_URL or Airflow Connection hirewatch_smtp)")
    extra = {k: str(v) for k, v in conn.extra.items()}
    # The smtp provider's connection form writes from_email, disable_ssl and disable_tls.
    yes = ("1", "true", "yes")
    if "from" not in extra and extra.get("from_email"):
        extra["from"] = extra["from_email"]
    if "ssl" not in extra and "disable_ssl" in extra:
        extra["ssl"] = "false" if extra["disable_ssl"].lower() in yes else "true"
    if "starttls" not in extra and "disable_tls" in extra:
        extra["starttls"] = "never" if extra["disable_tls"].lower() in yes else "require"
    use_ssl = conn.conn_type == "smtps" or extra.get("ssl", "").lower() in yes
    return _settings("Airflow Connection hirewatch_smtp", host=conn.host, port=conn.port or (465 if use_ssl else 25),
                     username=conn.login or None, password=conn.password, use_ssl=use_ssl, options=extra)


def build_message(*, subject: str, sender: str, recipients: Sequence[str], text: str,
                  html: RenderedHtml) -> EmailMessage:
    """The digest mail: text/plain and an HTML part whose chart images ride along by Content-ID.
    Raises ``ValueError`` for a header with a line break (the stdlib refuses header injection)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="hirewatch.digest")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mask(text))
    message.add_alternative(mask(html.html), subtype="html")
    html_part = message.get_payload()[1]
    for image in html.images:
        html_part.add_related(image.data, maintype="image", subtype=image.mime_subtype, cid=f"<{image.cid}>",
                              filename=image.filename, disposition="inline")
    return message


def send_message(message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings) -> tuple[str, ...]:
    """Send ``message`` to ``recipients``; returns the recipients the server accepted. Raises
    :class:`MailError` when none was accepted or the server could not be reached or refused."""
    context = ssl.create_default_context(cafile=settings.cafile)
    try:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                    context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client as smtp:
            smtp.ehlo()
            encrypted = settings.ssl
            if not encrypted and settings.starttls != "never" and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                encrypted = True
            if not encrypted and settings.starttls == "require":
                raise MailError(f"SMTP {settings.where} offers no STARTTLS and the settings require it")
            if settings.username:
                if not encrypted and not is_loopback_host(settings.host):
                    raise MailError(f"SMTP {settings.where} offers no encryption: the password is not sent in "
                                    "clear (use smtps://, or a server that offers STARTTLS)")
                smtp.login(settings.username, settings.password.get_secret_value() if settings.password else "")
            refused = smtp.send_message(message, from_addr=settings.sender, to_addrs=list(recipients))
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"SMTP {settings.where} refused every recipient: "
                        f"{', '.join(sorted(exc.recipients))}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP {settings.where} refused the login of {settings.username!r}: "
                        f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP {settings.where} refused the digest: "
                        f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timed out, TLS failed
        raise MailError(f"SMTP {settings.where} could not be reached or failed: "
                        f"{type(exc).__name__}: {exc}") from None
    accepted = tuple(r for r in recipients if r not in refused)
    if refused:
        log.warning("SMTP %s refused %d of %d recipients: %s", settings.where, len(refused), len(recipients),
                    ", ".join(sorted(refused)))
    log.info("mailed the digest to %d recipients via %s", len(accepted), settings.where)
    return accepted


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
