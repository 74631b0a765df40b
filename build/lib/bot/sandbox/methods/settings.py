"""getMe, bot commands, descriptions, names, menu buttons, close/logOut."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import telegram

from ..errors import bad_request, bad_request_td
from ..objects import to_api
from ..params import Params
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = (
    frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators"})
    | _SCOPES_WITH_CHAT
)
MAX_COMMANDS = 100


@api_method("getMe")
async def get_me(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """The bot user with its capability flags."""
    bot = emu.state.bot
    return to_api(
        telegram.User(
            id=bot.id,
            first_name=bot.first_name,
            is_bot=True,
            username=bot.username,
            can_join_groups=True,
            can_read_all_group_messages=not emu.config.privacy_mode,
            supports_inline_queries=emu.config.supports_inline_queries,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
    )


@api_method("close", "logOut")
async def close(emu: BotApiEmulator, p: Params) -> bool:
    """Nothing to hand over between servers here; answer like a successful call."""
    return True


def _language(p: Params) -> str:
    language = p.text("language_code").strip()
    if language and not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return language


def _scope_key(emu: BotApiEmulator, p: Params) -> str:
    """Canonical JSON of the ``scope`` parameter (commands are stored per scope+language)."""
    scope = p.json_value("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request_td("Can't parse BotCommandScope: Unsupported type specified")
    key: dict[str, Any] = {"type": scope["type"]}
    if scope["type"] in _SCOPES_WITH_CHAT:
        key["chat_id"] = emu.state.find_chat(str(scope.get("chat_id", ""))).id
    if scope["type"] == "chat_member":
        user_id = int(scope.get("user_id") or 0)
        if user_id not in emu.state.users:
            raise bad_request("invalid user_id specified")
        key["user_id"] = user_id
    return json.dumps(key, sort_keys=True)


@api_method("setMyCommands")
async def set_my_commands(emu: BotApiEmulator, p: Params) -> bool:
    """Store commands for (scope, language_code), validating names and descriptions."""
    commands = p.json_value("commands", "can't parse commands JSON object")
    if commands is None:
        commands = []
    if not isinstance(commands, list):
        raise bad_request("expected an Array of BotCommand")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request_td("Can't parse BotCommand: expected an Object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not isinstance(description, str):
            raise bad_request_td("Can't parse BotCommand: Can't find field \"command\"")
        command = command.removeprefix("/")
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append(to_api(telegram.BotCommand(command, description)))
    key = (_scope_key(emu, p), _language(p))
    if cleaned:
        emu.state.settings.commands[key] = cleaned
    else:
        emu.state.settings.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(emu: BotApiEmulator, p: Params) -> list[dict[str, str]]:
    """Commands for exactly this scope and language (no fallback, as in Telegram)."""
    return list(emu.state.settings.commands.get((_scope_key(emu, p), _language(p)), []))


@api_method("deleteMyCommands")
async def delete_my_commands(emu: BotApiEmulator, p: Params) -> bool:
    """Forget the commands of one scope and language."""
    emu.state.settings.commands.pop((_scope_key(emu, p), _language(p)), None)
    return True


def _set_text(store: dict[str, str], value: str, language: str, limit: int, error: str) -> bool:
    if len(value) > limit:
        raise bad_request(error)
    if value:
        store[language] = value
    else:
        store.pop(language, None)
    return True


@api_method("setMyDescription")
async def set_my_description(emu: BotApiEmulator, p: Params) -> bool:
    """The text shown in an empty chat with the bot (≤ 512 characters)."""
    return _set_text(
        emu.state.settings.descriptions,
        p.text("description"),
        _language(p),
        512,
        "BOT_DESCRIPTION_INVALID",
    )


@api_method("getMyDescription")
async def get_my_description(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """The description for ``language_code`` (empty when unset)."""
    text = emu.state.settings.descriptions.get(_language(p), "")
    return to_api(telegram.BotDescription(text))


@api_method("setMyShortDescription")
async def set_my_short_description(emu: BotApiEmulator, p: Params) -> bool:
    """The profile-page text (≤ 120 characters)."""
    return _set_text(
        emu.state.settings.short_descriptions,
        p.text("short_description"),
        _language(p),
        120,
        "BOT_ABOUT_INVALID",
    )


@api_method("getMyShortDescription")
async def get_my_short_description(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """The short description for ``language_code`` (empty when unset)."""
    text = emu.state.settings.short_descriptions.get(_language(p), "")
    return to_api(telegram.BotShortDescription(text))


@api_method("setMyName")
async def set_my_name(emu: BotApiEmulator, p: Params) -> bool:
    """Localised bot name (≤ 64 characters)."""
    return _set_text(
        emu.state.settings.names, p.text("name"), _language(p), 64, "BOT_TITLE_INVALID"
    )


@api_method("getMyName")
async def get_my_name(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Localised name, falling back to the bot's first name like Telegram."""
    language = _language(p)
    name = emu.state.settings.names.get(language) or emu.state.settings.names.get("")
    return to_api(telegram.BotName(name or emu.state.bot.first_name))


def _menu_button(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"type": "default"}
    if not isinstance(raw, dict) or raw.get("type") not in ("commands", "web_app", "default"):
        raise bad_request_td("Can't parse menu button: MenuButton must be an Object")
    if raw["type"] == "web_app":
        url = (raw.get("web_app") or {}).get("url", "")
        if not raw.get("text") or not str(url).lower().startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")
    button = telegram.MenuButton.de_json(raw, None)
    assert button is not None
    return to_api(button)


@api_method("setChatMenuButton")
async def set_chat_menu_button(emu: BotApiEmulator, p: Params) -> bool:
    """Per private chat, or the bot's default when ``chat_id`` is omitted."""
    button = _menu_button(p.json_value("menu_button", "can't parse menu button JSON object"))
    settings = emu.state.settings
    if p.has("chat_id"):
        chat = emu.state.find_chat(p.text("chat_id"))
        if not chat.is_private:
            raise bad_request("chat not found")
        settings.chat_menu_buttons[chat.id] = button
    else:
        settings.default_menu_button = (
            {"type": "commands"} if button["type"] == "default" else button
        )
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """The chat's own button when set (and not 'default'), else the bot's default."""
    settings = emu.state.settings
    if p.has("chat_id"):
        chat = emu.state.find_chat(p.text("chat_id"))
        button = settings.chat_menu_buttons.get(chat.id)
        if button is not None and button["type"] != "default":
            return dict(button)
    return dict(settings.default_menu_button)
