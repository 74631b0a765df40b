"""Settings: the only place environment variables (and `.env`) are read.

A bad value must stop the bot with one line naming the variable, never a traceback and never
the token, because operators read this on a platform's log page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE_URL = "https://api.telegram.org"
DEFAULT_TIMEZONE = "America/Mexico_City"
"""UTC−6 all year (Mexico dropped daylight saving time in 2022): a typed time always names
exactly one instant, and 9:00 there is within working hours in all three countries."""
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ConfigError(Exception):
    """A setting is invalid; the message names the variable and is safe to print."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    data_dir: Path = Path("var")
    database_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Literal["en", "es", "fr"] = "en"
    content_dir: Path = Path("content")
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    bot_username: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    broadcast_rate: Annotated[float, Field(gt=0, le=1000)] = 25.0
    update_workers: Annotated[int, Field(ge=1, le=256)] = 8
    """Updates handled at once (different users and chats; each user's stay in order)."""
    broadcast_paid: bool = False
    """Paid broadcasts (`allow_paid_broadcast`, charged in Stars): needed above 30 msg/s."""
    timezone: str = DEFAULT_TIMEZONE
    startup_retries: Annotated[int, Field(ge=0, le=20)] = 6
    """Retries, with back-off (1, 2, 4, 8, 15, 30 s…), when the Bot API or the database is
    unreachable at start-up; 0 fails at once."""
    """The operators' IANA time zone: admins type and read scheduled times in it."""
    staff_chat_id: int | None = None
    """The staff supergroup "Ask a person" relays to (one topic per user when it is a forum);
    unset, the feature is off and no card offers it."""
    staff_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    """Who may answer and run /close, /block, /unblock, /who there, besides the staff chat's
    administrators and ADMIN_IDS."""
    staff_hours: str | None = None
    """When staff answer, in TIMEZONE, e.g. "Mon-Fri 09:00-17:00"; outside them a user who
    writes is told once when to expect an answer. Unset: no auto-reply."""
    staff_reply_time_en: Annotated[str, Field(max_length=500)] | None = None
    staff_reply_time_es: Annotated[str, Field(max_length=500)] | None = None
    staff_reply_time_fr: Annotated[str, Field(max_length=500)] | None = None
    """What "Ask a person" promises about the wait, per language (plain text); unset, a neutral
    "as soon as they can"."""
    staff_away_en: Annotated[str, Field(max_length=500)] | None = None
    staff_away_es: Annotated[str, Field(max_length=500)] | None = None
    staff_away_fr: Annotated[str, Field(max_length=500)] | None = None
    """The auto-reply outside STAFF_HOURS, per language (plain text); unset, a default that
    names the hours."""

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        text = str(value).strip()
        head, sep, tail = text.partition(":")
        if not (sep and head.isdigit() and len(tail) >= 5):
            raise ValueError("does not look like a bot token (expected '<digits>:<secret>')")
        return text

    @field_validator("telegram_api_base_url", mode="after")
    @classmethod
    def _api_root(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. http://127.0.0.1:8081")
        return value.rstrip("/")

    @field_validator("admin_ids", "staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "database_url",
        "webhook_url",
        "bot_username",
        "staff_chat_id",
        "staff_hours",
        "staff_reply_time_en",
        "staff_reply_time_es",
        "staff_reply_time_fr",
        "staff_away_en",
        "staff_away_es",
        "staff_away_fr",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("bot_username", mode="after")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        """`@Name` is how people write it; links need the bare name (t.me/Name, not t.me/@Name)."""
        if value is None:
            return None
        name = value.strip().removeprefix("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
            raise ValueError(
                "must be the bot's Telegram username: 4-32 characters of A-Z, a-z, 0-9 and _, "
                "starting with a letter (e.g. WorkforcePathwaysBot)"
            )
        return name

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.exc import ArgumentError

        from bot.store.engine import normalize_url

        try:
            return normalize_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL (e.g. postgresql+asyncpg://user:pw@host/db)"
            ) from None
        except ValueError as exc:
            raise ValueError(str(exc)[:200]) from None

    @field_validator("webhook_secret", mode="after")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("timezone", mode="after")
    @classmethod
    def _zone(cls, value: str) -> str:
        name = value.strip()
        if name not in available_timezones():
            raise ValueError(
                "is not an IANA time zone name (e.g. America/Mexico_City, America/Toronto, "
                "America/New_York)"
            )
        return name

    @field_validator("staff_hours", mode="after")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from bot.domain.hours import parse_hours

        parse_hours(value)  # raises ValueError with the reason
        return value.strip()

    @field_validator("staff_chat_id", mode="after")
    @classmethod
    def _staff_chat(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError("must be a group's id, a negative number such as -1001234567890")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        if self.webhook_url and not self.webhook_url.startswith("https://"):
            raise ValueError("WEBHOOK_URL must be an https:// URL (Telegram's rule)")
        return self

    @property
    def sandbox(self) -> bool:
        """No token means: run against the local emulator (see bot.sandbox)."""
        return self.telegram_bot_token is None

    @property
    def zone(self) -> ZoneInfo:
        """`TIMEZONE` as a tzinfo (zoneinfo caches it: cheap to call per update)."""
        return ZoneInfo(self.timezone)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    @property
    def asks_staff(self) -> bool:
        """Whether "Ask a person" is on (a staff chat is configured)."""
        return self.staff_chat_id is not None

    def staff_text(self, kind: Literal["reply_time", "away"], lang: str) -> str | None:
        """The operator's text for `lang`, if they wrote one."""
        value = getattr(self, f"staff_{kind}_{lang}", None)
        return value.strip() if isinstance(value, str) and value.strip() else None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_input=False, include_url=False):
            name = str(err["loc"][0]).upper() if err["loc"] else "WEBHOOK_URL"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"invalid {name}: {msg}")
        raise ConfigError("; ".join(lines)) from None


def configure_logging(settings: Settings) -> None:
    from bot import logs

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    logs.setup(settings.log_level, settings.log_format, token)
