"""Registry of emulated Bot API methods.

Method names are matched case-insensitively like Telegram's; the registry keeps
the canonical camelCase spelling for request logs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..params import Params

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

Handler = Callable[["BotApiEmulator", Params], Awaitable[Any]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class MethodSpec:
    """A method implementation and its canonical name."""

    name: str
    handler: Handler


@dataclass(frozen=True)
class Described:
    """A successful result that Telegram accompanies with a ``description`` (setWebhook)."""

    result: Any
    description: str


def _never_gone() -> bool:
    return False


CONNECTION_GONE: ContextVar[Callable[[], bool]] = ContextVar(
    "sandbox_connection_gone", default=_never_gone
)
"""Tells a long-running method (getUpdates) that its HTTP client has disconnected."""

METHODS: dict[str, MethodSpec] = {}


def api_method(*names: str) -> Callable[[H], H]:
    """Register ``handler`` under each of ``names`` (first one is canonical)."""

    def register(handler: H) -> H:
        for name in names:
            METHODS[name.lower()] = MethodSpec(name, handler)
        return handler

    return register
