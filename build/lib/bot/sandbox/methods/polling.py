"""getUpdates and the webhook methods."""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

import telegram

from ..errors import WEBHOOK_ACTIVE, bad_request, conflict
from ..objects import timestamp, to_api
from ..params import Params
from ..updates import WebhookConfig
from .registry import CONNECTION_GONE, Described, api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(p: Params) -> list[str] | None:
    value = p.json_value("allowed_updates", "can't parse allowed updates JSON object")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request("allowed updates must be an Array of String")
    return value


@api_method("getUpdates")
async def get_updates(emu: BotApiEmulator, p: Params) -> list[dict[str, Any]]:
    """Long polling. ``timeout`` may be fractional here (Telegram truncates to seconds)."""
    if emu.webhook.active:
        raise conflict(WEBHOOK_ACTIVE)
    allowed = _allowed_updates(p)
    emu.updates.set_allowed(allowed)
    return await emu.updates.long_poll(
        offset=p.integer("offset"),
        limit=min(max(p.integer("limit", 100), 1), 100),
        wait_seconds=max(p.number("timeout"), 0.0),
        gone=CONNECTION_GONE.get(),
    )


@api_method("setWebhook")
async def set_webhook(emu: BotApiEmulator, p: Params) -> Described:
    """Start pushing updates to ``url`` (plain http is allowed for local test servers)."""
    url = p.text("url").strip()
    if not url:
        return await delete_webhook(emu, p)
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and emu.config.allow_http_webhooks):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = p.raw("secret_token")
    if secret is not None and secret != "" and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.integer("max_connections", 40)
    if not 1 <= max_connections <= 100:
        max_connections = min(max(max_connections, 1), 100)
    emu.updates.set_allowed(_allowed_updates(p))
    if p.flag("drop_pending_updates"):
        emu.updates.clear()
    emu.webhook.start(
        WebhookConfig(
            url=url,
            secret_token=secret or None,
            max_connections=max_connections,
            ip_address=p.raw("ip_address") or None,
            has_custom_certificate=p.input_file("certificate") is not None,
        )
    )
    return Described(True, "Webhook was set")


@api_method("deleteWebhook")
async def delete_webhook(emu: BotApiEmulator, p: Params) -> Described:
    """Stop pushing; ``drop_pending_updates`` discards the queue."""
    was_set = emu.webhook.active
    if p.flag("drop_pending_updates"):
        emu.updates.clear()
    await emu.webhook.stop()
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@api_method("getWebhookInfo")
async def get_webhook_info(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Current webhook, pending count and the last delivery error."""
    hook = emu.webhook
    active = hook.active
    info = telegram.WebhookInfo(
        url=hook.config.url,
        has_custom_certificate=hook.config.has_custom_certificate,
        pending_update_count=len(emu.updates.pending),
        ip_address=hook.config.ip_address if active else None,
        last_error_date=timestamp(hook.last_error_date) if hook.last_error_date else None,
        last_error_message=hook.last_error_message,
        max_connections=hook.config.max_connections if active else None,
        allowed_updates=sorted(emu.updates.allowed_updates) if active else None,
    )
    return to_api(info)
