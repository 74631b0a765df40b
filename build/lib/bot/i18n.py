"""Language resolution, UI strings and locale-aware formatting.

Telegram's ``language_code`` is optional and sometimes wrong, so a choice the user saved
always wins; then the Telegram language; then the configured default.
"""

from __future__ import annotations

import html
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from string import Formatter

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_timezone_name

from bot.catalog.models import LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
BABEL_LOCALES = {"en": "en_US", "es": "es_MX", "fr": "fr_CA"}
"""Mexico's Spanish and Canada's French: the audiences this bot serves."""


def telegram_language(telegram_code: str | None) -> str | None:
    """The bot's language for a Telegram ``language_code`` ("es-MX" → "es"), or None.

    None when Telegram sent no code or one the bot does not speak: callers that store the
    client's language (`users.client_language`) keep only what the bot could answer in.
    """
    if not telegram_code:
        return None
    primary = telegram_code.split("-")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else None


def resolve_language(saved: str | None, telegram_code: str | None, default: str = "en") -> str:
    if saved in LANGUAGES:
        return saved
    client = telegram_language(telegram_code)
    if client is not None:
        return client
    return default if default in LANGUAGES else LANGUAGES[0]


@cache
def strings(lang: str) -> dict[str, str]:
    """All UI strings of one language, flattened to dotted keys (read once per process)."""
    raw = yaml.safe_load((LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    flat: dict[str, str] = {}

    def walk(prefix: str, node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}{key}.", value)
        else:
            flat[prefix[:-1]] = str(node)

    walk("", raw)
    return flat


def t(lang: str, key: str, **params: object) -> str:
    """The UI string `key` in `lang` (English if that language lacks it), formatted."""
    table = strings(lang if lang in LANGUAGES else LANGUAGES[0])
    template = table.get(key) or strings(LANGUAGES[0]).get(key)
    if template is None:
        raise KeyError(f"unknown UI string {key!r}")
    return template.format(**params) if params else template


def t_html(lang: str, key: str, **params: object) -> str:
    """Like `t`, for strings templates mark safe: parameters are escaped for Telegram HTML."""
    return t(
        lang, key, **{name: html.escape(str(value), quote=False) for name, value in params.items()}
    )


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def fmt_date(value: date | datetime, lang: str, *, with_time: bool = False) -> str:
    locale = BABEL_LOCALES.get(lang, "en_US")
    if with_time and isinstance(value, datetime):
        return format_datetime(value, "long", tzinfo=value.tzinfo, locale=locale)
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, "long", locale=locale)


def fmt_datetime(value: datetime, lang: str, zone: tzinfo) -> str:
    """An instant as an admin reads a schedule: the full date, the time without seconds and
    the zone's name, in `zone`, e.g. "Thursday, December 3, 2026, 9:30 AM (Central Standard
    Time)" / "jueves, 3 de diciembre de 2026, 9:30 a.m. (hora estándar central)"."""
    locale = Locale.parse(BABEL_LOCALES.get(lang, "en_US"))
    local = value.astimezone(zone)
    day = format_date(local, "full", locale=locale)
    clock = format_time(local, "short", tzinfo=zone, locale=locale)
    name = get_timezone_name(local, "long", locale=locale)
    pattern = str(locale.datetime_formats["full"]).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", f"{clock} ({name})")


def fmt_time(value: datetime, lang: str, zone: tzinfo) -> str:
    """Only the time of day in `zone`, e.g. "9:30 AM" / "09 h 30" (Babel's short form)."""
    locale = BABEL_LOCALES.get(lang, "en_US")
    return str(format_time(value.astimezone(zone), "short", tzinfo=zone, locale=locale))
