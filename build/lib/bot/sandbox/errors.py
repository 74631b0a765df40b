"""Errors the emulator answers with, in the Bot API's own shape and wording.

Every failing bot method raises :class:`ApiError`; the HTTP layer turns it into
``{"ok": false, "error_code": ..., "description": ...}`` exactly as Telegram does,
so the bot's error handling is exercised against realistic payloads.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer (4xx/5xx) with Telegram's description text."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(message: str) -> ApiError:
    """400 with the ``Bad Request:`` prefix Telegram puts before every 400 description."""
    return ApiError(400, f"Bad Request: {message}")


def bad_request_td(message: str) -> ApiError:
    """400 for a TDLib-style message, with the Bot API's first-letter lowercasing.

    The Bot API lowercases the first letter of backend messages unless they look
    like an ERROR_CODE (``BUTTON_DATA_INVALID``) - hence both ``can't parse entities``
    and ``RESULTS_TOO_MUCH`` after the same prefix.
    """
    if len(message) >= 2 and not (message[1] == "_" or message[1].isupper()):
        message = message[0].lower() + message[1:]
    return bad_request(message)


def forbidden(message: str) -> ApiError:
    """403 with the ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {message}")


def conflict(message: str) -> ApiError:
    """409 with the ``Conflict:`` prefix (getUpdates vs. webhook, concurrent pollers)."""
    return ApiError(409, f"Conflict: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after`` so PTB raises ``RetryAfter``."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def unauthorized() -> ApiError:
    """401 answered for a token that does not belong to the emulated bot."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """404 answered for a method name Telegram does not know."""
    return ApiError(404, "Not Found")


def bad_gateway() -> ApiError:
    """502, the 5xx Telegram's frontends answer most often when the backend hiccups."""
    return ApiError(502, "Bad Gateway")


QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


class SandboxError(Exception):
    """Misuse of the in-process control API (not a Bot API answer)."""


class SandboxTimeout(SandboxError, TimeoutError):
    """A ``wait_*`` helper gave up; the message lists recent failed bot requests."""


class SandboxRejected(SandboxError):
    """The bot answered a query (callback/inline) but the emulator rejected the answer."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description
