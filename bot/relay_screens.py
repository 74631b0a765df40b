"""Cards of "Ask a person": what the user reads before writing, what staff see in a topic.

Staff-side texts are in the bot's default language (`DEFAULT_LANGUAGE`): the staff chat is one
room shared by the whole team, whatever language each user writes in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from bot import routes
from bot.cards import Button, Card, render
from bot.config import Settings
from bot.domain.hours import Hours, parse_hours
from bot.domain.relay import Who
from bot.i18n import fmt_date, t
from bot.screens import Profile, _nav


def ask_intro(
    profile: Profile,
    settings: Settings,
    handle: str,
    *,
    username: bool,
    notice: str | None = None,
) -> Card:
    """Who will read it, how long it may take, what they see, how to stop."""
    lang = profile.lang
    reply_time = settings.staff_text("reply_time", lang) or t(lang, "ask.reply_time")
    return render(
        "ask",
        lang,
        [_nav(lang, None)],
        notice=notice,
        reply_time=reply_time,
        handle=handle,
        username=username,
    )


def share_question(profile: Profile, username: str) -> Card:
    """The one-time question: may staff see the @username?"""
    lang = profile.lang
    rows = [
        (Button(t(lang, "ask.share_yes"), routes.AskShare(share=True)),),
        (Button(t(lang, "ask.share_no"), routes.AskShare(share=False)),),
    ]
    return render("ask_share", lang, rows, username=username)


def away(settings: Settings, hours: Hours, lang: str) -> str:
    """The auto-reply outside STAFF_HOURS: the operator's text, or one naming the hours."""
    custom = settings.staff_text("away", lang)
    if custom:
        return plain_note(lang, custom)
    return user_note(lang, "ask.away", hours=hours.describe(lang), zone=settings.timezone)


def staff_header(
    lang: str,
    who: Who,
    *,
    forum: bool,
    since: datetime | None = None,
    status: str | None = None,
) -> Card:
    """The first message of a conversation in the staff chat (and /who, with `since`)."""
    return render(
        "staff_header",
        lang,
        (),
        handle=who.handle,
        language=t(who.lang, "language_name"),
        role=t(lang, f"role_short.{who.role}") if who.role else "?",
        where=who.where or "?",
        username=who.username,
        forum=forum,
        since=fmt_date(since, lang) if since else None,
        status=t(lang, f"staff.status_{status}") if status else None,
    )


def staff_note(lang: str, key: str, handle: str, **params: object) -> str:
    """One line for staff about a conversation (HTML, escaped)."""
    return user_note(lang, key, handle=handle, **params)


def user_note(lang: str, key: str, **params: object) -> str:
    """A UI string as a message (HTML, escaped), through the notice template so its limits are
    checked."""
    return plain_note(lang, t(lang, key, **params))


def plain_note(lang: str, text: str) -> str:
    """Any text (an operator's, say) as a message: escaped, limits checked."""
    return render("notice", lang, (), message=text).text


def answered(lang: str) -> str:
    """ "💬 A person from the team answered:", before a staff turn (the string holds <b>)."""
    return render("ask_answered", lang, ()).text


OPERATOR_TEXT_MAX = 500
"""STAFF_REPLY_TIME_* and STAFF_AWAY_* are capped at this (config), so the cards fit."""


def examples(profile: Profile) -> Iterator[tuple[str, Callable[[], Card | None]]]:
    """Worst cases for `validate`: the longest operator texts, handle, username and place."""
    long_text = ("Nuestro equipo & <staff> 🕘 " * 40)[:OPERATOR_TEXT_MAX]
    lang = profile.lang
    plain = Settings(staff_chat_id=-100123, _env_file=None)  # type: ignore[call-arg]
    settings = plain.model_copy(
        update={
            "staff_hours": "Mon-Thu 09:00-17:00; Fri 09:00-13:00; Sat 10:00-12:00",
            f"staff_reply_time_{lang}": long_text,
            f"staff_away_{lang}": long_text,
        }
    )
    who = Who("#WWWW", lang, "employer", "mx", "MX-CMX", "u" * 32)
    hours = parse_hours(settings.staff_hours or "")
    since = datetime(2026, 12, 31, tzinfo=UTC)

    def intro() -> Card:
        return ask_intro(profile, settings, who.handle, username=True)

    def share() -> Card:
        return share_question(profile, "u" * 32)

    def away_custom() -> Card:
        return Card(away(settings, hours, lang))

    def away_default() -> Card:
        return Card(away(plain, hours, lang))

    yield "ask intro", intro
    yield "ask share", share
    yield "ask away", away_custom
    yield "ask away (default)", away_default
    for forum in (True, False):

        def header(f: bool = forum) -> Card:
            return staff_header(lang, who, forum=f)

        def who_card(f: bool = forum) -> Card:
            return staff_header(lang, who, forum=f, since=since, status="blocked")

        yield f"staff header forum={forum}", header
        yield f"staff who forum={forum}", who_card
