"""Sending: an HTTP POST of JSON to a robot or webhook (urllib), or a mail over SMTP (smtplib, STARTTLS).

Addresses and secrets are the values of environment variables named in crm.yaml; they are never part of
a failure's reason (`DeliveryError.reason` is built from the server's answer and crm's words only, and the
command scrubs every secret value from it once more before it prints).

Signing (when the channel names a `secret_env`):
- DingTalk: `timestamp` in milliseconds; `sign` = urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))); both appended to the URL's query.
- Feishu: `timestamp` in seconds (as a string); `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b"")); both put in the JSON body.

A robot answers HTTP 200 even when it refuses a message: the answer's `errcode` (WeCom, DingTalk) or
`code` (Feishu; older robots: `StatusCode`) is 0 on success; anything else is a failure with its message.

Certificates are verified against the system's CAs; `CRM_NOTIFY_CAFILE` names a PEM file of further CAs
to trust (a company's own CA, or a test's self-signed certificate) for HTTPS and SMTP alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage

from crmdata.notify.notify_words import NOTIFY_WORDS
from crmdata.records.models.config import ChannelKind
from crmdata.records.vocabulary import Message

CAFILE_ENV = "CRM_NOTIFY_CAFILE"
"""The environment variable naming a PEM file of CAs to trust besides the system's."""

MAX_ANSWER_BYTES = 64 * 1024


class DeliveryError(Exception):
    """A delivery that did not happen, with its reason (a Message worded in the team's language)."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason.text("en"))
        self.reason = reason


def tls_context() -> ssl.SSLContext:
    """Certificates verified (system CAs, plus CRM_NOTIFY_CAFILE's when set)."""
    context = ssl.create_default_context()
    cafile = os.environ.get(CAFILE_ENV)
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def _hmac_base64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot's URL with `&timestamp=…&sign=…` (DingTalk's 加签)."""
    sign = _hmac_base64(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode())
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={urllib.parse.quote_plus(sign)}"


def feishu_signature(secret: str, timestamp_s: int) -> dict[str, str]:
    """The `timestamp` and `sign` fields of a Feishu robot's body (签名校验)."""
    return {"timestamp": str(timestamp_s), "sign": _hmac_base64(f"{timestamp_s}\n{secret}".encode(), b"")}


def _shown(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def post_json(kind: ChannelKind, url: str, body: dict[str, object], timeout: float) -> None:
    """POST `body` as JSON; a DeliveryError unless the server (and a robot's answer) says it was taken."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=tls_context()) as response:
            answer = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(NOTIFY_WORDS.say("http_status", status=exc.code, reason=_shown(str(exc.reason)))) from None
    except urllib.error.URLError as exc:
        raise _network_failure(exc.reason, timeout) from None
    except TimeoutError as exc:
        raise _network_failure(exc, timeout) from None
    except OSError as exc:  # a connection reset while reading the answer
        raise _network_failure(exc, timeout) from None
    if kind is ChannelKind.WEBHOOK:
        return
    check_answer(kind, answer)


def check_answer(kind: ChannelKind, answer: bytes) -> None:
    """A robot's answer: `errcode` (WeCom, DingTalk) or `code`/`StatusCode` (Feishu) 0, else a DeliveryError."""
    try:
        reply = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DeliveryError(NOTIFY_WORDS.say("not_json", text=_shown(answer.decode("utf-8", "replace")))) from None
    if not isinstance(reply, dict):
        raise DeliveryError(NOTIFY_WORDS.say("not_json", text=_shown(str(reply))))
    if kind is ChannelKind.FEISHU:
        code = reply.get("code", reply.get("StatusCode"))
        message = reply.get("msg", reply.get("StatusMessage", ""))
    else:
        code, message = reply.get("errcode"), reply.get("errmsg", "")
    if code != 0:
        raise DeliveryError(NOTIFY_WORDS.say("robot_error", code=code, message=_shown(str(message))))


def _network_failure(reason: object, timeout: float) -> DeliveryError:
    if isinstance(reason, TimeoutError):
        return DeliveryError(NOTIFY_WORDS.say("timeout", seconds=f"{timeout:g}"))
    if isinstance(reason, ssl.SSLError):
        return DeliveryError(
            NOTIFY_WORDS.say("tls_failed", reason=_shown(getattr(reason, "reason", None) or str(reason)))
        )
    if isinstance(reason, OSError):
        return DeliveryError(NOTIFY_WORDS.say("unreachable", reason=reason.strerror or type(reason).__name__))
    return DeliveryError(NOTIFY_WORDS.say("unreachable", reason=_shown(str(reason))))


def send_mail(smtp_url: str, sender: str, to: str, subject: str, text: str, timeout: float) -> None:
    """One plain-text mail through the server of `smtp_url`: smtp://user:password@host:587 (STARTTLS,
    required: a password never crosses the network in clear) or smtps://user:password@host:465."""
    parts = urllib.parse.urlsplit(smtp_url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password else ""
    host = parts.hostname or ""
    try:
        if parts.scheme == "smtps":
            with smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout, context=tls_context()) as server:
                _deliver(server, user, password, message)
        else:
            with smtplib.SMTP(host, parts.port or 587, timeout=timeout) as server:
                server.ehlo()
                if not server.has_extn("starttls"):
                    raise DeliveryError(NOTIFY_WORDS.say("smtp_no_starttls"))
                server.starttls(context=tls_context())
                server.ehlo()
                _deliver(server, user, password, message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(NOTIFY_WORDS.say("smtp_auth", reason=_smtp_reason(exc.smtp_code, exc.smtp_error))) from None
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(_smtp_reason(code, error) for code, error in exc.recipients.values())
        raise DeliveryError(NOTIFY_WORDS.say("smtp_refused", reason=reasons)) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            NOTIFY_WORDS.say("smtp_refused", reason=_smtp_reason(exc.smtp_code, exc.smtp_error))
        ) from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(NOTIFY_WORDS.say("unreachable", reason=_shown(str(exc)))) from None
    except TimeoutError as exc:
        raise _network_failure(exc, timeout) from None
    except OSError as exc:
        raise _network_failure(exc, timeout) from None


def _deliver(server: smtplib.SMTP, user: str | None, password: str, message: EmailMessage) -> None:
    """Log in (AUTH PLAIN when offered: one exchange, so a refusal is one clear answer, not smtplib trying
    every other mechanism after it), then send."""
    if user is not None:
        if "PLAIN" in server.esmtp_features.get("auth", "").upper().split():
            server.user, server.password = user, password
            server.auth("PLAIN", server.auth_plain)
        else:
            server.login(user, password)
    server.send_message(message)


def _smtp_reason(code: int, error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return _shown(f"{code} {text}")
