"""getChat, getChatMember, getChatAdministrators, getChatMemberCount, leaveChat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import telegram

from ..errors import bad_request
from ..objects import to_api
from ..params import Params
from .registry import api_method

if TYPE_CHECKING:
    from ..emulator import BotApiEmulator


@api_method("getChat")
async def get_chat(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """``ChatFullInfo`` with the fields the sandbox knows (title, names, description)."""
    chat = emu.state.find_chat(p.text("chat_id"))
    info = telegram.ChatFullInfo(
        id=chat.id,
        type=chat.type,
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types=telegram.AcceptedGiftTypes(False, False, False, False, False),
        title=chat.title,
        username=chat.username,
        first_name=chat.first_name,
        last_name=chat.last_name,
        description=chat.description,
        is_forum=True if chat.is_forum else None,
    )
    return to_api(info)


def _user_id(p: Params) -> int:
    user_id = p.integer("user_id")
    if user_id <= 0:
        raise bad_request("invalid user_id specified")
    return user_id


@api_method("getChatMember")
async def get_chat_member(emu: BotApiEmulator, p: Params) -> dict[str, Any]:
    """Membership as configured in the sandbox (owner/admin/member/left/kicked)."""
    chat = emu.state.find_chat(p.text("chat_id"))
    user = emu.state.users.get(_user_id(p))
    if user is None:
        raise bad_request("user not found")
    return to_api(emu.state.member_object(chat, user))


@api_method("getChatAdministrators")
async def get_chat_administrators(emu: BotApiEmulator, p: Params) -> list[dict[str, Any]]:
    """Owner first, then administrators (including the bot when it is one)."""
    chat = emu.state.find_chat(p.text("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    ranked = sorted(
        (uid for uid, status in chat.members.items() if status in ("creator", "administrator")),
        key=lambda uid: (chat.members[uid] != "creator", uid),
    )
    return [to_api(emu.state.member_object(chat, emu.state.users[uid])) for uid in ranked]


@api_method("getChatMemberCount", "getChatMembersCount")
async def get_chat_member_count(emu: BotApiEmulator, p: Params) -> int:
    """Members that have not left or been banned."""
    chat = emu.state.find_chat(p.text("chat_id"))
    return sum(
        1
        for status in chat.members.values()
        if status in ("creator", "administrator", "member", "restricted")
    )


@api_method("leaveChat")
async def leave_chat(emu: BotApiEmulator, p: Params) -> bool:
    """The bot leaves a group; later sends there answer 403."""
    chat = emu.state.find_chat(p.text("chat_id"))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    chat.bot_status = "left"
    chat.members[emu.state.bot.id] = "left"
    return True
