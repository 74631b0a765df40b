"""A local, strict Telegram Bot API server for tests, benchmarks and the terminal chat.

The bot under test talks to it over real HTTP exactly as it would to
``api.telegram.org`` (configure PTB with ``base_url=f"{url}/bot"`` and
``base_file_url=f"{url}/file/bot"``). It runs a tornado ``HTTPServer`` on the
current asyncio loop, bound to ``127.0.0.1`` on a free port, so several
emulators can coexist in one test process.

Layout: :mod:`.methods` implements the Bot API methods on top of the world in
:mod:`.state`; :mod:`.updates` queues updates and delivers them by long polling
or webhook; :mod:`.limits` adds flood control and fault injection; the
in-process control API for tests lives in :mod:`.client`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import telegram
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from .errors import ApiError, bad_gateway, not_found, too_many_requests, unauthorized
from .limits import Fault, FaultConfig, FaultInjector, FloodConfig, FloodControl
from .methods import CONNECTION_GONE, METHODS, Described
from .objects import SERVICE_FIELDS
from .params import Params
from .state import TOPIC_ICON_COLORS, StoredMessage, TopicRecord, UserRecord, WorldState
from .text import FormattedText, format_text
from .updates import UpdateQueue, WebhookDelivery
from .wakeup import Wakeup

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:SANDBOX-TOKEN"
DEFAULT_USERNAME = "WorkforcePathwaysBot"
DEFAULT_FIRST_NAME = "Workforce Pathways"


@dataclass
class EmulatorConfig:
    """Behaviour switches; defaults are the strictest useful settings.

    ``strict_html`` rejects a bare ``&`` (Telegram tolerates it; see :mod:`.html`).
    ``privacy_mode`` limits what the bot sees in groups like BotFather's default.
    ``query_timeout`` is how long callback/inline queries can still be answered.
    ``allow_http_webhooks`` permits ``http://`` webhook URLs (TLS is pointless on
    loopback); Telegram itself requires HTTPS.
    ``strict_topics`` refuses forum topic names over 128 characters (Telegram cuts them
    silently) and icon colours outside the six Telegram documents.
    """

    strict_html: bool = True
    strict_topics: bool = True
    privacy_mode: bool = True
    supports_inline_queries: bool = True
    inline_feedback: bool = True
    query_timeout: float = 15.0
    allow_http_webhooks: bool = True
    webhook_max_attempts: int = 3
    webhook_retry_delay: float = 0.05
    webhook_timeout: float = 10.0


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP call the bot made: method, decoded params and how it was answered."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    fault: str | None
    started: float
    duration: float

    @property
    def ok(self) -> bool:
        """Answered 200."""
        return self.status == 200


@dataclass
class _Outcome:
    status: int
    body: dict[str, Any] | None
    fault: Fault | None = None
    hang: float = 0.0


_ACCESS_LOGGER = logging.getLogger("bot.sandbox.access")


def _log_request(handler: RequestHandler) -> None:
    """Access log at DEBUG: 4xx/5xx are the emulator's *job*, not server errors."""
    request = handler.request
    _ACCESS_LOGGER.debug(
        "%d %s %s %.2fms",
        handler.get_status(),
        request.method,
        request.uri,
        1000.0 * request.request_time(),
    )


class _BotApiHandler(RequestHandler):
    """``/bot<token>/<method>``: hands everything to the emulator."""

    emulator: BotApiEmulator

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.gone = False

    def on_connection_close(self) -> None:
        self.gone = True
        self.emulator.updates.changed.notify()

    async def get(self, token: str, method: str) -> None:
        await self.emulator.handle(self, token, method)

    async def post(self, token: str, method: str) -> None:
        await self.emulator.handle(self, token, method)


class _FileHandler(RequestHandler):
    """``/file/bot<token>/<file_path>``: downloads for ``getFile`` paths."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    def get(self, token: str, path: str) -> None:
        if token != self.emulator.token:
            self._json(unauthorized().payload(), 401)
            return
        for record in self.emulator.state.files.values():
            if record.file_path == path:
                self.set_header("Content-Type", record.mime_type or "application/octet-stream")
                self.finish(record.data)
                return
        self._json(not_found().payload(), 404)

    def _json(self, body: dict[str, Any], status: int) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class _ControlHandler(RequestHandler):
    """``/_sandbox/...``: a small read-mostly HTTP view for out-of-process tools."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    def get(self, what: str) -> None:
        emu = self.emulator
        if what == "requests":
            body: Any = [
                {
                    "method": r.method,
                    "params": r.params,
                    "status": r.status,
                    "description": r.description,
                    "fault": r.fault,
                    "duration": r.duration,
                }
                for r in emu.requests
            ]
        elif what == "events":
            body = [
                {"seq": e.seq, "kind": e.kind, "chat_id": e.chat_id, "message": e.data}
                for e in emu.state.events
            ]
        elif what == "updates":
            body = emu.updates.history
        else:
            self.set_status(404)
            body = {"error": "unknown sandbox resource"}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def post(self, what: str) -> None:
        if what != "inject":
            self.set_status(404)
            self.finish({"error": "unknown sandbox resource"})
            return
        update = json.loads(self.request.body or b"{}")
        update_id = self.emulator.inject(update)
        self.finish({"update_id": update_id})


class BotApiEmulator:
    """One emulated bot: HTTP server + world state + update delivery.

    Use as ``async with BotApiEmulator() as emu:`` or ``await emu.start()`` /
    ``await emu.stop()``. Tests normally drive it through
    :class:`bot.sandbox.client.Sandbox`, which wraps one.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = DEFAULT_USERNAME,
        first_name: str = DEFAULT_FIRST_NAME,
        host: str = "127.0.0.1",
        port: int = 0,
        config: EmulatorConfig | None = None,
        flood: FloodConfig | None = None,
    ) -> None:
        match = re.match(r"^(\d+):", token)
        bot_id = int(match.group(1)) if match else 123456
        self.token = token
        self.host = host
        self.port = port
        self.config = config or EmulatorConfig()
        self.state = WorldState(
            UserRecord(id=bot_id, first_name=first_name, username=username, is_bot=True)
        )
        self.updates = UpdateQueue()
        self.webhook = WebhookDelivery(
            self.updates,
            max_attempts=self.config.webhook_max_attempts,
            retry_delay=self.config.webhook_retry_delay,
            request_timeout=self.config.webhook_timeout,
        )
        self.flood = FloodControl(flood)
        self.faults = FaultInjector()
        self.requests: list[RequestRecord] = []
        self.internal_errors: list[BaseException] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.activity = Wakeup()
        self.last_activity = time.monotonic()
        self.busy = 0
        self._server: HTTPServer | None = None
        self._closing = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass to ``ApplicationBuilder.base_url``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def running(self) -> bool:
        """Whether the HTTP server is listening."""
        return self._server is not None

    def _application(self) -> Application:
        args = {"emulator": self}
        return Application(
            [
                (r"/bot([^/]*)/([^/]*)", _BotApiHandler, args),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, args),
                (r"/_sandbox/([a-z_]+)", _ControlHandler, args),
            ],
            compress_response=False,
            log_function=_log_request,
        )

    async def start(self) -> None:
        """Listen on ``host``:``port`` (port 0 picks a free one) on the running loop."""
        if self._server is not None:
            return
        self._closing = asyncio.Event()
        self.updates.closed = False
        sockets = bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(self._application(), max_body_size=64 * 1024 * 1024)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        """Answer waiting polls, stop webhook delivery and close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing.set()
        self.updates.closed = True
        self.updates.changed.notify()
        await self.webhook.stop()
        server.stop()
        await asyncio.sleep(0)
        await server.close_all_connections()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- configuration -------------------------------------------------------------------
    def configure_flood(self, **settings: Any) -> FloodConfig:
        """See :meth:`bot.sandbox.limits.FloodControl.configure`."""
        return self.flood.configure(**settings)

    def configure_faults(self, **settings: Any) -> FaultConfig:
        """See :meth:`bot.sandbox.limits.FaultInjector.configure`."""
        return self.faults.configure(**settings)

    def format_text(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: Any = None,
        *,
        kind: Literal["text", "caption"] = "text",
    ) -> FormattedText:
        """The shared text pipeline with this emulator's strictness and known users."""

        def resolve(user_id: int) -> telegram.User | None:
            user = self.state.users.get(user_id)
            return user.to_ptb() if user else None

        return format_text(
            text,
            parse_mode,
            entities,
            kind=kind,
            strict_ampersand=self.config.strict_html,
            resolve_user=resolve,
        )

    # -- updates -------------------------------------------------------------------------
    def inject(self, update: dict[str, Any]) -> int | None:
        """Queue a raw update (any type); its ``update_id`` is replaced by the next id.

        Chats and users it mentions are registered so the bot can answer there, and
        messages are stored so replies/edits that reference them work.
        """
        body = {key: value for key, value in update.items() if key != "update_id"}
        if len(body) != 1:
            raise ValueError("an update has exactly one field besides update_id")
        ((kind, payload),) = body.items()
        self._register_from(payload)
        update_id = self.updates.put(kind, payload)
        self.touch()
        return update_id

    def _register_from(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        for key in ("from", "user", "sender_chat", "chat"):
            value = payload.get(key)
            if isinstance(value, dict) and "id" in value:
                if key in ("from", "user"):
                    self.state.ensure_user(value)
                elif "type" in value:
                    self.state.ensure_chat(value)
        chat_data = payload.get("chat")
        if isinstance(chat_data, dict) and "message_id" in payload and "date" in payload:
            chat = self.state.ensure_chat(chat_data)
            sender = payload.get("from") or {}
            from_bot = sender.get("id") == self.state.bot.id
            message_id = int(payload["message_id"])
            chat.messages[message_id] = StoredMessage(
                chat_id=chat.id,
                message_id=message_id,
                data=payload,
                from_bot=from_bot,
                service=any(key in payload for key in SERVICE_FIELDS),
            )
            chat.next_message_id = max(chat.next_message_id, message_id + 1)
            created = payload.get("forum_topic_created")
            if isinstance(created, dict) and message_id not in chat.topics:
                chat.is_forum = True
                chat.topics[message_id] = TopicRecord(
                    message_thread_id=message_id,
                    name=str(created.get("name", "")),
                    icon_color=int(created.get("icon_color", TOPIC_ICON_COLORS[0])),
                    icon_custom_emoji_id=created.get("icon_custom_emoji_id"),
                    created_by=int(sender.get("id", 0)),
                )
        for nested in ("message", "reply_to_message"):
            self._register_from(payload.get(nested))

    def touch(self) -> None:
        """Record activity (for ``wait_idle``) and wake idle-waiters."""
        self.last_activity = time.monotonic()
        self.activity.notify()

    @property
    def is_idle(self) -> bool:
        """No undelivered updates, no webhook POST and no bot request in progress."""
        return self.updates.undelivered == 0 and self.busy == 0 and self.webhook.in_flight == 0

    # -- request handling ----------------------------------------------------------------
    async def call(self, method: str, **params: Any) -> Any:
        """Run a Bot API method in-process (no HTTP, flood or faults); raises ``ApiError``."""
        spec = METHODS.get(method.lower())
        if spec is None:
            raise not_found()
        result = await spec.handler(self, Params.from_mapping(params))
        return result.result if isinstance(result, Described) else result

    async def handle(self, handler: _BotApiHandler, token: str, method: str) -> None:
        """Serve one HTTP request (called by the tornado handler)."""
        started = time.monotonic()
        spec = METHODS.get(method.lower())
        name = spec.name if spec else method
        counted = name != "getUpdates"  # a waiting long poll is not "work in progress"
        if counted:
            self.busy += 1
        self.touch()
        params: Params | None = None
        try:
            try:
                params = Params.from_request(handler.request)
                CONNECTION_GONE.set(lambda: handler.gone or self._closing.is_set())
                outcome = await self._dispatch(token, method, params)
            except ApiError as exc:
                outcome = _Outcome(exc.code, exc.payload())
            except Exception as exc:  # a bug in the emulator must not look like Telegram
                _LOGGER.exception("sandbox emulator failed on %s", name)
                self.internal_errors.append(exc)
                detail = f"Internal Server Error: sandbox bug: {exc!r}"
                outcome = _Outcome(500, {"ok": False, "error_code": 500, "description": detail})
            if outcome.hang:
                await self._sleep(outcome.hang)
            status, description = self._respond(handler, outcome)
            self.requests.append(
                RequestRecord(
                    method=name,
                    params=params.loggable() if params else {},
                    status=status,
                    description=description,
                    fault=outcome.fault.value if outcome.fault else None,
                    started=started,
                    duration=time.monotonic() - started,
                )
            )
        finally:
            if counted:
                self.busy -= 1
            self.touch()

    @staticmethod
    def _respond(handler: RequestHandler, outcome: _Outcome) -> tuple[int, str | None]:
        """Write the JSON answer, or drop the connection for drop/timeout faults."""
        if outcome.body is None:
            with contextlib.suppress(Exception):
                handler.detach().close()
            return 0, "connection dropped"
        with contextlib.suppress(Exception):
            handler.set_status(outcome.status)
            handler.set_header("Content-Type", "application/json")
            handler.finish(json.dumps(outcome.body, ensure_ascii=False))
        return outcome.status, outcome.body.get("description")

    async def _dispatch(self, token: str, method: str, params: Params) -> _Outcome:
        if token != self.token:
            raise unauthorized()
        spec = METHODS.get(method.lower())
        if spec is None:
            raise not_found()
        lowered = spec.name.lower()
        decision = self.faults.decide(lowered)
        if decision.latency:
            await self._sleep(decision.latency)
        fault = decision.fault
        if fault is Fault.ERROR_5XX:
            return _Outcome(502, bad_gateway().payload(), fault)
        if fault is Fault.RATE_429:
            error = too_many_requests(self.faults.config.retry_after)
            return _Outcome(429, error.payload(), fault)
        hang = self.faults.config.hang_seconds if fault is Fault.TIMEOUT else 0.0
        if fault in (Fault.TIMEOUT, Fault.DROP) and not self.faults.config.process_first:
            return _Outcome(0, None, fault, hang)
        retry_after = self._flood_check(lowered, params)
        if retry_after is not None:
            return _Outcome(429, too_many_requests(retry_after).payload())
        result = await spec.handler(self, params)
        if fault in (Fault.TIMEOUT, Fault.DROP):
            return _Outcome(0, None, fault, hang)
        body: dict[str, Any] = {"ok": True}
        if isinstance(result, Described):
            body["result"] = result.result
            body["description"] = result.description
        else:
            body["result"] = result
        return _Outcome(200, body)

    def _flood_check(self, method: str, params: Params) -> int | None:
        if not self.flood.config.enabled:
            return None
        chat_id: int | None = None
        is_private = False
        raw = params.text("chat_id").strip()
        if raw.lstrip("-").isdigit():
            chat = self.state.chats.get(int(raw))
            if chat is not None:
                chat_id, is_private = chat.id, chat.is_private
        return self.flood.check(method, chat_id, is_private)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the emulator stops (so shutdown never hangs)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)
