"""The webhook server: POST <path> (secret checked), GET /healthz, GET /metrics.

Tornado, because PTB's `webhooks` extra already brings it and the local Bot API emulator
runs on it too: one web stack. We serve our own routes instead of PTB's built-in webhook
server because it offers no /healthz or /metrics.

The server faces the internet (or a platform router), so it bounds what a client can hold:
headers, bodies and idle keep-alive connections time out (`Limits`), at most
`Limits.max_connections` connections are open at once (more are closed on arrival), and when
the process runs out of file descriptors it pauses accepting instead of spinning on accept().
A body that is JSON but no Update gets a 400 and one log line; /healthz probes the Bot API at
most once per `Limits.health_ttl` seconds however often it is called.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.iostream
import tornado.routing
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram import Bot, Update
from telegram.ext import Application
from tornado.ioloop import IOLoop

from bot.inbox import DurableQueue
from bot.metrics import WEBHOOK_REJECTED

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
"""Telegram's updates are a few kB; anything near a megabyte is not from Telegram."""
MAX_HEADER = 16 << 10
"""Telegram's (and a proxy's) request headers are well under 1 kB."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

HEADER_TIMEOUT = 10.0
"""Seconds to receive a request's headers; also how long an idle keep-alive connection lives
(tornado waits for the next request's headers with the same timer)."""
BODY_TIMEOUT = 10.0
"""Seconds to receive a request's body once its headers are in."""
MAX_CONNECTIONS = 256
"""Open connections at most (Telegram opens up to 40, `setWebhook(max_connections=40)`);
lowered to 3/4 of the file-descriptor limit when that is smaller (see `default_max_connections`)."""
HEALTH_TTL = 5.0
"""Seconds a /healthz result is reused, so a flood of probes is one Bot API call per period."""
ACCEPT_PAUSE = 0.5
"""Seconds to stop accepting after accept() failed for lack of file descriptors."""
HEALTH_TIMEOUT = 5.0

_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_ACCEPTS_PER_EVENT = 128
"""As tornado's own accept loop: accept at most this many per readiness event, then yield."""

HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


def default_max_connections() -> int:
    """`MAX_CONNECTIONS`, or 3/4 of the soft file-descriptor limit if that is lower: the
    remaining quarter is for the database, the Bot API client's pool, logs and the loop."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # not on Unix: no limit to respect
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft * 3 // 4))


@dataclass(frozen=True)
class Limits:
    """What one client may hold of the webhook server; tests shorten the timeouts."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    max_connections: int | None = None
    """None: `default_max_connections()` when the server starts."""
    health_ttl: float = HEALTH_TTL
    accept_pause: float = ACCEPT_PAUSE
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    """For the /healthz cache; tests pass a clock they move by hand."""


class WebhookServer(tornado.httpserver.HTTPServer):
    """tornado's HTTPServer with a cap on open connections and an accept loop that backs off
    when the process is out of file descriptors.

    tornado's own accept handler lets `accept()`'s EMFILE escape into the event loop, which logs
    it with a traceback and calls the handler again at once (the listening socket is still
    readable): 100 % CPU and millions of log lines a minute. Ours pauses accepting for
    `accept_pause` seconds instead, and logs one line (which `bot.logs` rate-limits further).
    """

    def initialize(  # type: ignore[override]
        self,
        *args: Any,
        max_connections: int,
        accept_pause: float = ACCEPT_PAUSE,
        **kwargs: Any,
    ) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections
        self.accept_pause = accept_pause
        self.open_connections = 0

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        for sock in sockets:
            acceptor = _Acceptor(self, sock)
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = acceptor.remove

    def handle_stream(self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]) -> None:
        if self.open_connections >= self.max_connections:
            WEBHOOK_REJECTED.labels("connections").inc()
            log.warning(
                "connection from %s closed on arrival: %d connections open, the most allowed",
                address[0] if address else "?",
                self.open_connections,
                extra={"rate_limit": "webhook-connection-cap"},
            )
            stream.close()
            return
        self.open_connections += 1
        super().handle_stream(stream, address)

    def on_close(self, server_conn: object) -> None:
        self.open_connections -= 1
        super().on_close(server_conn)


class _Acceptor:
    """Accepts connections on one listening socket; pauses on EMFILE/ENFILE."""

    def __init__(self, server: WebhookServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.io_loop = IOLoop.current()
        self.listening = False
        self.removed = False
        self._listen()

    def _listen(self) -> None:
        if not self.removed and not self.listening:
            self.io_loop.add_handler(self.sock, self._on_readable, IOLoop.READ)
            self.listening = True

    def _pause(self) -> None:
        if self.listening:
            self.io_loop.remove_handler(self.sock)
            self.listening = False

    def remove(self) -> None:
        self._pause()
        self.removed = True

    def _on_readable(self, fd: Any, events: int) -> None:
        for _ in range(_ACCEPTS_PER_EVENT):
            if self.removed or not self.listening:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in _OUT_OF_RESOURCES:
                    raise
                log.error(
                    "webhook server cannot accept connections: %s (%d open); "
                    "not accepting for %.1f s",
                    exc.strerror or exc,
                    self.server.open_connections,
                    self.server.accept_pause,
                    extra={"rate_limit": "webhook-accept"},
                )
                self._pause()
                self.io_loop.call_later(self.server.accept_pause, self._listen)
                return
            # TCPServer's own per-connection set-up (SSL wrapping, IOStream, handle_stream).
            self.server._handle_connection(connection, address)


class AppWithQuietRefusals(tornado.web.Application):
    """Skips the access-log line of a request whose handler already logged why it refused it:
    one line per refused request, not two."""

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        if getattr(handler, "logged", False):
            return
        super().log_request(handler)


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number"}


def parse_update(body: bytes, bot: Bot | None) -> tuple[Update | None, str]:
    """The Update in a webhook body, or None and why not (fixed words, never body content)."""
    try:
        data = json.loads(body)
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError:  # UnicodeDecodeError included
        return None, "not JSON"
    if not isinstance(data, dict):
        kind = "null" if data is None else "a boolean" if isinstance(data, bool) else None
        return None, f"the JSON is {kind or _JSON_KINDS.get(type(data), 'a value')}, not an object"
    update_id = data.get("update_id")
    if type(update_id) is not int:
        return None, "update_id missing or not an integer"
    for kind in Update.ALL_TYPES:
        if kind in data and not isinstance(data[kind], dict):
            return None, f"{kind} is not an object"
    try:
        update = Update.de_json(data, bot)
    except Exception as exc:  # PTB's model raises anything (KeyError, TypeError, recursion...)
        return None, f"not a valid Update ({type(exc).__name__})"
    if update is None:
        return None, "not a valid Update"
    return update, ""


class WebhookHandler(tornado.web.RequestHandler):
    def initialize(self, app: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.app = app
        self.secret = secret.encode()
        self.logged = False

    def _refuse(self, status: int, reason: str, why: str) -> None:
        WEBHOOK_REJECTED.labels(reason).inc()
        log.warning("webhook request from %s refused (%d): %s", self.request.remote_ip, status, why)
        self.logged = True
        self.set_status(status)

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self._refuse(403, "secret", "missing or wrong secret token")
            return
        update, why = parse_update(self.request.body, self.app.bot)
        if update is None:
            self._refuse(400, "body", why)
            return
        queue = self.app.update_queue
        if isinstance(queue, DurableQueue):
            try:  # 200 only once the update is stored: a crash after it loses nothing
                await queue.put_durably(update)
            except Exception as exc:
                log.warning(
                    "webhook update %s not stored (%r): Telegram will resend it",
                    update.update_id,
                    exc,
                )
                self.logged = True
                self.set_status(500)
                return
        else:
            await queue.put(update)
        self.set_status(200)

    def check_xsrf_cookie(self) -> None:
        """Telegram does not send cookies; the secret header is the check."""


class CachedHealth:
    """A health check whose result is reused for `ttl` seconds; concurrent callers share one
    probe. Failures (and timeouts) are results too: {"checks": False}."""

    def __init__(
        self,
        check: HealthCheck,
        ttl: float = HEALTH_TTL,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = HEALTH_TIMEOUT,
    ) -> None:
        self.check = check
        self.ttl = ttl
        self.clock = clock
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._result: dict[str, bool] | None = None
        self._at = 0.0

    async def __call__(self) -> dict[str, bool]:
        async with self._lock:
            if self._result is not None and self.clock() - self._at < self.ttl:
                return self._result
            try:
                result = await asyncio.wait_for(self.check(), timeout=self.timeout)
            except Exception:  # any failure, timeouts included, means "not healthy"
                result = {"checks": False}
            self._result, self._at = result, self.clock()
            return result


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, check: HealthCheck) -> None:
        self.check = check

    async def get(self) -> None:
        parts = await self.check()
        ok = all(parts.values())
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": ok, **parts}))


class MetricsHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest())


def make_app(
    app: Application,  # type: ignore[type-arg]
    *,
    path: str,
    secret: str,
    health: HealthCheck,
    limits: Limits | None = None,
) -> tornado.web.Application:
    limits = limits or Limits()
    path = "/" + path.strip("/")
    check = CachedHealth(health, ttl=limits.health_ttl, clock=limits.clock)
    return AppWithQuietRefusals(
        [
            (r"/healthz", HealthHandler, {"check": check}),
            (r"/metrics", MetricsHandler),
            (
                tornado.routing.PathMatches(path + "/?"),
                WebhookHandler,
                {"app": app, "secret": secret},
            ),
        ],
    )


async def serve(
    web_app: tornado.web.Application, host: str, port: int, limits: Limits | None = None
) -> WebhookServer:
    limits = limits or Limits()
    server = WebhookServer(
        web_app,
        max_body_size=MAX_BODY,
        max_header_size=MAX_HEADER,
        xheaders=True,
        # tornado's header timeout: for a request's headers and for an idle keep-alive wait.
        idle_connection_timeout=limits.header_timeout,
        body_timeout=limits.body_timeout,
        max_connections=limits.max_connections or default_max_connections(),
        accept_pause=limits.accept_pause,
    )
    server.listen(port, address=host)
    return server
