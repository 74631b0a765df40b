"""Forums: "📅 Add to calendar" for everyone; /newforum and /editforum for admins.

The calendar button sends the forum as an .ics file (`bot.broadcast.ics`). The admin flows
keep their step in the database (`bot.broadcast.flows`); every admin entry point is
`admin_only`, so a forged forum button from anyone else is refused and logged.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import routes
from bot.broadcast import flows, ics
from bot.handlers.admin import admin_only
from bot.handlers.broadcasts import admin_of, present
from bot.handlers.browse import stale
from bot.i18n import t
from bot.services import Context, profile_of

FORUM_ADMIN_ROUTES = (
    routes.ForumEdit,
    routes.ForumField,
    routes.ForumCountry,
    routes.ForumPublish,
    routes.ForumAnnounce,
)


async def on_calendar(update: Update, context: Context) -> None:
    """📅: the forum as an .ics file, in the user's language, with the venue's time zone."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    profile = await profile_of(update, context)
    event = (
        context.services.catalog.events.get(route.item_id)
        if isinstance(route, routes.Calendar)
        else None
    )
    if event is None:
        await stale(update, context)
        return
    if not event.is_upcoming(datetime.now(UTC)):
        await query.answer(t(profile.lang, "calendar.past"), show_alert=True)
        return
    chat = update.effective_chat
    if chat is None:  # a card posted through inline mode: there is no chat to send a file to
        await query.answer(t(profile.lang, "subs.open_private"), show_alert=True)
        return
    await query.answer(t(profile.lang, "calendar.sent"))
    data = ics.build(event, profile.lang)
    caption = t(profile.lang, "calendar.caption", title=html.escape(event.title.get(profile.lang)))
    await context.bot.send_document(
        chat.id, InputFile(data, filename=ics.filename(event)), caption=caption[:1024]
    )


@admin_only
async def newforum_command(update: Update, context: Context) -> None:
    """/newforum: title, date and time zone, city, country, link; review; publish."""
    await present(update, context, await flows.start_new_forum(await admin_of(update, context)))


@admin_only
async def editforum_command(update: Update, context: Context) -> None:
    """/editforum: change or cancel a forum announced here."""
    await present(update, context, await flows.edit_list(await admin_of(update, context)))


@admin_only
async def on_forum_button(update: Update, context: Context) -> None:
    """Buttons of /newforum, /editforum and the announcement offer."""
    query = update.callback_query
    assert query is not None
    route = routes.decode(query.data)
    admin = await admin_of(update, context)
    flow = await flows.current(admin)
    new_forum = flow if flow is not None and flow.flow == flows.NEW_FORUM else None
    reply: flows.Reply | None = None
    match route:
        case routes.ForumEdit(item_id=forum_id):
            reply = await flows.edit_menu(admin, forum_id)
        case routes.ForumField(item_id=forum_id, field=name):
            reply = await flows.edit_field(admin, forum_id, name)
        case routes.ForumCountry(country=country) if new_forum and new_forum.step == "country":
            reply = await flows.forum_country(admin, new_forum, country)
        case routes.ForumPublish() if new_forum and new_forum.step == "review":
            reply = await flows.forum_publish(admin, new_forum)
        case routes.ForumAnnounce(item_id=forum_id, what=what) if query.message is not None:
            where = (query.message.chat.id, query.message.message_id)
            reply = await flows.announce(admin, forum_id, what, where)
    if reply is None:
        await query.answer(t(admin.lang, "broadcast.stale"), show_alert=True)
        return
    await query.answer()
    await present(update, context, reply)


def _is_route(kinds: tuple[type[routes.Route], ...]) -> object:
    def check(data: object) -> bool:
        return isinstance(routes.decode(data if isinstance(data, str) else None), kinds)

    return check


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("newforum", newforum_command, filters=only_new),
        CommandHandler("editforum", editforum_command, filters=only_new),
        CallbackQueryHandler(on_calendar, pattern=_is_route((routes.Calendar,))),
        CallbackQueryHandler(on_forum_button, pattern=_is_route(FORUM_ADMIN_ROUTES)),
    ]
