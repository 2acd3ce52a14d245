"""Real local servers for `crm notify`'s tests: one HTTP server on 127.0.0.1 playing the WeCom, DingTalk and
Feishu group robots and a plain webhook (each checks its documented JSON format and, for DingTalk and
Feishu, recomputes the signature and answers as the real robot does when it is wrong), and an aiosmtpd
server that requires STARTTLS (a self-signed certificate made here) and AUTH."""

from __future__ import annotations

import base64
import datetime
import email.policy
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DINGTALK_SECRET = "SECdingtalk-test-secret"
FEISHU_SECRET = "feishu-test-secret"
SMTP_USER = "crm-bot"
SMTP_PASSWORD = "p@ss word"
SLOW_SECONDS = 3.0


@dataclass
class Robots:
    """What each path of the server received (JSON bodies), and its base URL."""

    base: str
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def url(self, path: str, query: str = "") -> str:
        return f"{self.base}/{path}" + (f"?{query}" if query else "")


def _dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _feishu_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _check_wecom(body: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    content = body.get("markdown", {}).get("content")
    if body.get("msgtype") != "markdown" or not isinstance(content, str) or set(body) != {"msgtype", "markdown"}:
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}
    if len(content.encode()) > 4096:
        return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def _check_dingtalk(body: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not timestamp or abs(int(timestamp) - time.time() * 1000) > 3600_000:
        return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
    if sign != _dingtalk_sign(timestamp, DINGTALK_SECRET):  # parse_qs has undone the urlencoding
        return 200, {"errcode": 310000, "errmsg": "sign not match"}
    markdown = body.get("markdown", {})
    if body.get("msgtype") != "markdown" or not isinstance(markdown.get("title"), str):
        return 200, {"errcode": 40035, "errmsg": "missing markdown title"}
    if not isinstance(markdown.get("text"), str) or body.get("at", {}).get("isAtAll") is not False:
        return 200, {"errcode": 40035, "errmsg": "bad at"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def _check_feishu(body: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
    fail = {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": {}}
    if (
        not timestamp.isdigit()
        or abs(int(timestamp) - time.time()) > 3600
        or sign != _feishu_sign(timestamp, FEISHU_SECRET)
    ):
        return 200, fail
    if body.get("msg_type") != "text" or not isinstance(body.get("content", {}).get("text"), str):
        return 200, {"code": 9499, "msg": "Bad Request", "data": {}}
    if len(json.dumps(body, ensure_ascii=False).encode()) > 20 * 1024:
        return 200, {"code": 9499, "msg": "request body too large", "data": {}}
    return 200, {"code": 0, "msg": "success", "data": {}}


def _check_hook(body: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
    return 200, {}


CHECKS = {"wecom": _check_wecom, "dingtalk": _check_dingtalk, "feishu": _check_feishu, "hook": _check_hook}


def robot_server() -> Iterator[Robots]:
    """The robots on 127.0.0.1 (a generator for a pytest fixture): /wecom, /dingtalk, /feishu, /hook check
    their formats; /status500 answers HTTP 500; /errcode answers a robot error; /slow answers after
    SLOW_SECONDS."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    robots = Robots(f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            name = parts.path.strip("/")
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(raw.decode("utf-8"))
            robots.received.setdefault(name, []).append(body)
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                robots.problems.append(f"{name}: Content-Type {self.headers.get('Content-Type')}")
            if name == "slow":
                time.sleep(SLOW_SECONDS)
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
            elif name == "status500":
                status, answer = 500, {"errcode": -1, "errmsg": "system busy"}
            elif name == "errcode":
                status, answer = 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            else:
                status, answer = CHECKS[name](body, urllib.parse.parse_qs(parts.query))
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (the slow robot)
                pass

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robots
    finally:
        server.shutdown()
        server.server_close()


def refused_url() -> str:
    """An http URL on a port of 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/robot"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class MailServer:
    port: int
    cafile: Path
    mails: list[tuple[str, list[str], Message]] = field(default_factory=list)

    def url(self, user: str = SMTP_USER, password: str = SMTP_PASSWORD) -> str:
        return f"smtp://{urllib.parse.quote(user)}:{urllib.parse.quote(password, safe='')}@localhost:{self.port}"


def mail_server(folder: Path) -> Iterator[MailServer]:
    """aiosmtpd on localhost: STARTTLS required before anything else, AUTH required (SMTP_USER/SMTP_PASSWORD)."""
    import ssl

    cert, key = self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = MailServer(port, cert)

    class Handler:
        async def handle_DATA(self, smtp: SMTP, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook name)
            server.mails.append(
                (
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content, policy=email.policy.default),
                )
            )
            return "250 OK"

    def authenticator(smtp: SMTP, session: object, envelope: object, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_USER.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
