"""The emulated Bot API methods; importing this package fills :data:`METHODS`."""

from . import chats, forum, forwarding, media, messages, polling, queries, settings
from .registry import CONNECTION_GONE, METHODS, Described, MethodSpec, api_method

__all__ = [
    "CONNECTION_GONE",
    "METHODS",
    "Described",
    "MethodSpec",
    "api_method",
    "chats",
    "forum",
    "forwarding",
    "media",
    "messages",
    "polling",
    "queries",
    "settings",
]
