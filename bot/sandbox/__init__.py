"""A local, strict emulator of the Telegram Bot API for tests, benchmarks and demos.

* :class:`BotApiEmulator` - the HTTP server the bot talks to (``base_url``).
* :class:`Sandbox` - the in-process control API: users, groups, forums and their topics,
  button presses, inline queries, flood control and fault injection, and waiting on bot
  output.
* :mod:`bot.sandbox.testing` - ``run_polling`` and friends (the pytest fixture is in tests/).

Nothing here contacts Telegram.
"""

from .client import Sandbox
from .emulator import BotApiEmulator, EmulatorConfig, RequestRecord
from .errors import ApiError, SandboxError, SandboxRejected, SandboxTimeout
from .limits import FaultConfig, FloodConfig
from .participants import CallbackPress, PendingInlineQuery, SandboxGroup, SandboxUser
from .records import BotMessage, Button
from .state import CallbackAnswer, InlineAnswer, TopicRecord

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "CallbackPress",
    "EmulatorConfig",
    "FaultConfig",
    "FloodConfig",
    "InlineAnswer",
    "PendingInlineQuery",
    "RequestRecord",
    "Sandbox",
    "SandboxError",
    "SandboxGroup",
    "SandboxRejected",
    "SandboxTimeout",
    "SandboxUser",
    "TopicRecord",
]
