"""`python -m bot` without a token: the real bot, the local emulator and a chat in this terminal.

Works the same whether a person types or stdin is a pipe (one line per message): after each
line it waits until the bot has answered, and at end of input it prints the last answers and
exits 0 — so tests and newcomers drive it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from html.parser import HTMLParser
from typing import IO, Any

from bot.app import build_application
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.sandbox.client import Sandbox
from bot.sandbox.participants import SandboxGroup, SandboxUser
from bot.sandbox.records import BotMessage
from bot.sandbox.testing import run_polling

HELP = """\
Workforce Pathways — local sandbox (nothing leaves this machine).
You are chatting with the real bot through a local Bot API emulator.
  type a message      send it (try /start, or words such as "red seal")
  a number            press that button of the last message with buttons
  @ <words>           inline mode, as in "@bot words" in any chat; then i<N> posts result N
  !lang <en|es|fr>    switch your simulated Telegram language (the sandbox's own commands
                      start with "!", so every "/command" reaches the bot: try /language)
  !staff <words>      answer as the program team in your "Ask a person" topic (try /ask);
                      what the bot posts in the staff chat is shown as "staff chat"
  !help               this help
  Ctrl-D              quit
"""
TERMINAL = "!"
"""Prefix of the sandbox's own commands: no Telegram bot command can start with it."""
MAX_TEXT = 4096
"""Telegram's limit for one text message; its apps refuse to send a longer one."""
QUIET = 0.15
"""Seconds without new bot output after which an answer counts as complete."""


class _Readable(HTMLParser):
    """Telegram HTML → terminal text: bold kept (ANSI on a terminal), links with their URL."""

    def __init__(self, ansi: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.ansi = ansi
        self.out: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong") and self.ansi:
            self.out.append("\033[1m")
        elif tag in ("i", "em") and self.ansi:
            self.out.append("\033[3m")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong", "i", "em") and self.ansi:
            self.out.append("\033[0m")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def readable(html: str, *, ansi: bool = False) -> str:
    parser = _Readable(ansi)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def _button_line(number: int, button: dict[str, Any]) -> str:
    text = button["text"]
    if "url" in button:
        return f"[{number}] {text} → {button['url']}"
    if "switch_inline_query" in button:
        return f"[{number}] {text} (inline: @bot {button['switch_inline_query']})"
    return f"[{number}] {text}"


class TerminalChat:
    """One simulated user talking to the bot, printing what the bot sends."""

    def __init__(
        self,
        tg: Sandbox,
        user: SandboxUser,
        out: IO[str],
        staff: tuple[SandboxUser, SandboxGroup] | None = None,
    ) -> None:
        self.tg = tg
        self.user = user
        self.staff = staff
        self.out = out
        self.ansi = out.isatty()
        self.keyboard_message: BotMessage | None = None
        self.inline_answer: Any = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def show(self, message: BotMessage) -> None:
        label = "bot (edited)" if message.edited else "bot"
        self.say(f"\n── {label} ──\n{readable(message.html or message.text, ansi=self.ansi)}")
        rows = (message.reply_markup_dict or {}).get("inline_keyboard") or []
        number = 0
        for row in rows:
            cells = []
            for button in row:
                number += 1
                cells.append(_button_line(number, button))
            self.say("   ".join(cells))
        if rows:
            self.keyboard_message = message

    async def settle(self, limit: float = 10.0) -> None:
        """Print bot output until it has been quiet for a moment (or `limit` seconds pass)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        quiet_since = loop.time()
        while loop.time() < deadline:
            messages = self.user.drain()
            for message in messages:
                self.show(message)
            staff_side = self.staff[1].drain() if self.staff else []
            for message in staff_side:
                topic = message.message_thread_id
                where = f"topic {self.staff[1].topic(topic).name}" if self.staff and topic else ""
                self.say(f"\n── staff chat {where} ──\n{readable(message.html or message.text)}")
            busy = bool(messages or staff_side) or not self.tg.emulator.is_idle
            if busy:
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= QUIET:
                return
            await asyncio.sleep(0.03)

    async def handle(self, line: str) -> None:
        if line.startswith(TERMINAL):
            await self.own_command(line.removeprefix(TERMINAL).strip())
            return
        if len(line) > MAX_TEXT:
            self.say(
                f"(Telegram would not send this: a message holds at most {MAX_TEXT:,} characters,"
                f" this one has {len(line):,}. Nothing was sent.)"
            )
            return
        if line.isdigit():
            await self.press(int(line))
            return
        if line.startswith("@"):
            await self.inline(line[1:].strip())
            return
        if line[:1] == "i" and line[1:].isdigit() and self.inline_answer is not None:
            index = int(line[1:]) - 1
            if 0 <= index < len(self.inline_answer.results):
                posted = await self.user.choose_inline(self.inline_answer, index)
                self.say(f"\n── you, via the bot ──\n{posted.text or ''}")
                return
        await self.user.send(line)

    async def own_command(self, command: str) -> None:
        name, _, argument = command.partition(" ")
        if name == "lang":
            code = argument.strip() or "en"
            self.tg.state.users[self.user.id].language_code = code
            self.say(
                f"(your Telegram language is now {code!r}; a language saved in /settings wins)"
            )
        elif name == "help":
            self.say(HELP)
        elif name == "staff":
            await self.as_staff(argument.strip())
        else:
            self.say(
                f"(the sandbox's own commands are !lang, !staff and !help; "
                f"{TERMINAL}{name} is not one)"
            )

    async def as_staff(self, text: str) -> None:
        """Write in the newest live topic of the sandbox's staff forum, as a team member."""
        if self.staff is None:
            return
        member, forum = self.staff
        live = [tid for tid, topic in forum.topics.items() if not topic.deleted]
        if not live:
            self.say("(nobody has asked the team yet: send /ask first)")
            return
        if not text:
            self.say("(write the answer after !staff, e.g. !staff Hello, how can we help?)")
            return
        await member.send(text, chat=forum, thread=max(live))

    async def press(self, number: int) -> None:
        message = self.keyboard_message
        if message is None:
            self.say("(no buttons to press yet)")
            return
        rows = (message.reply_markup_dict or {}).get("inline_keyboard") or []
        flat = [b for row in rows for b in row]
        if not 1 <= number <= len(flat):
            self.say(f"(choose a button from 1 to {len(flat)})")
            return
        button = flat[number - 1]
        if "url" in button:
            self.say(f"(opens {button['url']})")
        elif "switch_inline_query" in button:
            await self.inline(button["switch_inline_query"])
        else:
            current = self.tg.messages(message.chat_id)
            latest = next((m for m in current if m.message_id == message.message_id), message)
            pressed = await self.user.press(latest, number - 1)
            with contextlib.suppress(Exception):  # no answer in time: nothing to show
                answer = await pressed.answer(timeout=5)
                if answer.text:
                    self.say(f"({'alert' if answer.show_alert else 'toast'}: {answer.text})")

    async def inline(self, query: str) -> None:
        self.inline_answer = await self.user.inline(query)
        results = self.inline_answer.results
        if not results:
            self.say("(no inline results)")
        for index, result in enumerate(results, 1):
            self.say(f"[i{index}] {result.get('title')} — {result.get('description', '')}")


async def chat(
    settings: Settings, catalog: Catalog, language: str, stdin: IO[str], out: IO[str]
) -> int:
    async with Sandbox() as tg:
        member = tg.user("Program team")
        forum = tg.forum("Program staff (sandbox)", admins=[member])
        local = settings.model_copy(
            update={
                "telegram_api_base_url": tg.url,
                "bot_username": tg.bot_username,
                "staff_chat_id": forum.id,
            }
        )
        app = build_application(local, catalog, token=tg.token)
        async with run_polling(app):
            user = tg.user("You", language_code=language)
            terminal = TerminalChat(tg, user, out, staff=(member, forum))
            if stdin.isatty():
                terminal.say(HELP)
            loop = asyncio.get_running_loop()
            while True:
                line = await loop.run_in_executor(None, stdin.readline)
                if not line:
                    break
                line = line.strip()
                if not line:
                    continue
                if not stdin.isatty():
                    terminal.say(f"\n>> {line}")
                await terminal.handle(line)
                await terminal.settle()
            await terminal.settle()
    return 0


def run_terminal(
    settings: Settings,
    catalog: Catalog,
    *,
    language: str = "en",
    stdin: IO[str] | None = None,
    out: IO[str] | None = None,
) -> int:
    """Run the sandbox chat until end of input; returns the exit code."""
    try:
        return asyncio.run(chat(settings, catalog, language, stdin or sys.stdin, out or sys.stdout))
    except KeyboardInterrupt:
        return 0
