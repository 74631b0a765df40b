"""The webhook server: POST <path> (secret checked), GET /healthz, GET /metrics.

Tornado, because PTB's `webhooks` extra already brings it and the local Bot API emulator
runs on it too: one web stack. We serve our own routes instead of PTB's built-in webhook
server because it offers no /healthz or /metrics.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram import Update
from telegram.ext import Application

from bot.metrics import WEBHOOK_REJECTED

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
"""Telegram's updates are a few kB; anything near a megabyte is not from Telegram."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


class WebhookHandler(tornado.web.RequestHandler):
    def initialize(self, app: Application, secret: str) -> None:  # type: ignore[type-arg]
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            WEBHOOK_REJECTED.labels("secret").inc()
            log.warning("webhook request with a missing or wrong secret token refused")
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError):
            WEBHOOK_REJECTED.labels("body").inc()
            self.set_status(400)
            return
        if update is None:
            self.set_status(400)
            return
        await self.app.update_queue.put(update)
        self.set_status(200)

    def check_xsrf_cookie(self) -> None:
        """Telegram does not send cookies; the secret header is the check."""


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, check: HealthCheck) -> None:
        self.check = check

    async def get(self) -> None:
        try:
            parts = await asyncio.wait_for(self.check(), timeout=5)
        except Exception:  # any failure, timeouts included, means "not healthy"
            parts = {"checks": False}
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
) -> tornado.web.Application:
    path = "/" + path.strip("/")
    return tornado.web.Application(
        [
            (r"/healthz", HealthHandler, {"check": health}),
            (r"/metrics", MetricsHandler),
            (
                tornado.routing.PathMatches(path + "/?"),
                WebhookHandler,
                {"app": app, "secret": secret},
            ),
        ],
    )


async def serve(
    web_app: tornado.web.Application, host: str, port: int
) -> tornado.httpserver.HTTPServer:
    server = tornado.httpserver.HTTPServer(web_app, max_body_size=MAX_BODY, xheaders=True)
    server.listen(port, address=host)
    return server
