"""Logging: readable text or one JSON object per line; the bot token never appears.

The token can reach a log line through URLs (httpx, PTB's request errors) or exception
texts, so a filter on the root handlers scrubs it from every record, whatever logged it.
The webhook secret is scrubbed the same way: PTB logs setWebhook's parameters at DEBUG,
`secret_token` among them (`redact` registers it; any `secret_token=`/`Secret-Token:` value
is scrubbed whether registered or not).

A second filter rate-limits lines that come in floods when the process is overwhelmed
(accept() failing with "Too many open files", connections refused at the cap, bodies timing
out): one such line per `RATE_LIMIT_PERIOD` seconds and kind gets through, carrying the count of
the ones held back since.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_SECRET_FIELD = re.compile(r"(secret[_-]token['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_-]+", re.IGNORECASE)
"""`'secret_token': 'x'` (PTB's parameter dicts), `secret_token=x`, `...-Secret-Token: x`."""
REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8
"""Registered secrets shorter than this are scrubbed only where labelled (`_SECRET_FIELD`):
replacing every occurrence of a 3-letter string would garble the log."""

_secrets: set[str] = set()


def redact(secret: str | None) -> None:
    """Scrub `secret` (say the webhook secret) from every log line from now on, like the token."""
    if secret and len(secret) >= MIN_SECRET_LENGTH:
        _secrets.add(secret)


class RedactToken(logging.Filter):
    """Replace the configured token (and anything shaped like one) and the registered secrets
    in every record."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def scrub(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, REDACTED)
        for secret in _secrets:
            text = text.replace(secret, REDACTED)
        text = _SECRET_FIELD.sub(rf"\g<1>{REDACTED}", text)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self.scrub(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


RATE_LIMIT_PERIOD = 30.0
_FLOOD_TEXTS = {
    "Too many open files": "too-many-open-files",  # EMFILE and ENFILE ("... in system")
    "Timeout reading body from": "body-timeout",  # tornado, one per slow client
}


class RateLimit(logging.Filter):
    """Let one line of a flooding kind through per `period` seconds; count the rest.

    A record's kind is its `rate_limit` attribute (`extra={"rate_limit": "..."}`) or, for
    other libraries' lines, a known text in its message or exception (`_FLOOD_TEXTS`). The line
    that gets through after a quiet spell says how many were held back. Other lines pass."""

    def __init__(
        self, period: float = RATE_LIMIT_PERIOD, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.period = period
        self.clock = clock
        self._last: dict[str, float] = {}
        self.suppressed: dict[str, int] = {}

    @staticmethod
    def kind(record: logging.LogRecord) -> str | None:
        kind = getattr(record, "rate_limit", None)
        if isinstance(kind, str):
            return kind
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + str(record.exc_info[1])
        elif record.exc_text:
            text += " " + record.exc_text
        for needle, name in _FLOOD_TEXTS.items():
            if needle in text:
                return name
        return None

    def filter(self, record: logging.LogRecord) -> bool:
        kind = self.kind(record)
        if kind is None:
            return True
        now = self.clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.period:
            self.suppressed[kind] = self.suppressed.get(kind, 0) + 1
            return False
        self._last[kind] = now
        held = self.suppressed.pop(kind, 0)
        if held and last is not None:
            record.msg = (
                f"{record.getMessage()} [{held} more like this in the last"
                f" {now - last:.0f} s not logged]"
            )
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("update_id", "user_id", "chat_id", "event"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(
    level: str = "INFO", fmt: str = "text", token: str | None = None, stream: IO[str] | None = None
) -> None:
    """Configure the root logger once; safe to call again (replaces our handler)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_workforce", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler._workforce = True  # type: ignore[attr-defined]
    handler.addFilter(RedactToken(token))
    handler.addFilter(RateLimit())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO on every start: noise on a platform log page.
    quiet = logging.WARNING if root.level > logging.DEBUG else logging.DEBUG
    logging.getLogger("alembic.runtime.plugins").setLevel(quiet)
