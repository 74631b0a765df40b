"""Inline mode: `@bot <query>` in any chat returns cards to post there."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import BaseHandler, InlineQueryHandler

from bot import screens
from bot.cards import CardError
from bot.domain.answering import RANKED_FROM, answer
from bot.domain.asker import asker_of
from bot.i18n import t
from bot.services import Context, Services, profile_of

log = logging.getLogger(__name__)

PAGE = 20
"""Results per answer, below Telegram's 50 (`InlineQueryLimit.RESULTS`): inline queries fire on
every keystroke, and each result carries a whole card, so 50 made every answer ~150 KB for
Telegram to parse and the client to download. Clients fetch the next page (`next_offset`) as
the person scrolls."""
CACHE_SECONDS = 300
MAX_OFFSET = 10_000


def _parse_offset(raw: str) -> int:
    """Our own next_offset comes back as a plain integer; anything else starts over."""
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_OFFSET else 0


def result_ids(
    services: Services, query: str, profile: screens.Profile, offset: int = 0
) -> list[str]:
    """Matches for a query, as deep as the page asked for (and one more, to know whether a
    next page exists), never less than the chat search's depth so the asker's own country's
    cards are among those re-ranked; the empty query shows featured programs and the next
    forum. Searching all 10,000 possible results for every keystroke cost 9.6 ms p50 at
    10,000 items, for a page of 20."""
    if query.strip():
        asker = asker_of(profile)
        depth = max(RANKED_FROM, offset + PAGE + 1)
        return answer(services.search, services.catalog, asker, query, limit=depth).ids
    now = datetime.now(UTC)
    catalog = services.catalog
    ids = [e.id for e in catalog.upcoming_events(now)[:1]]
    ids += [p.id for p in catalog.featured()]
    ids += [e.id for e in catalog.past_events(now)]
    return list(dict.fromkeys(ids))


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer with one page of article results in the user's language."""
    inline = update.inline_query
    assert inline is not None
    services = context.services
    profile = await profile_of(update, context)
    offset = _parse_offset(inline.offset)
    ids = result_ids(services, inline.query, profile, offset)
    page = ids[offset : offset + PAGE]
    results = []
    for item_id in page:
        item = services.catalog.get(item_id)
        try:
            card = screens.inline_card(services.catalog, profile, item_id, services.links)
        except CardError as exc:  # one bad card must not cost the whole page
            log.error("inline result %s dropped: %s", item_id, exc)
            continue
        if item is None or card is None:
            continue
        results.append(
            InlineQueryResultArticle(
                id=item_id,
                title=screens._item_name(item, profile.lang),
                description=screens.item_description(item, profile.lang),
                input_message_content=InputTextMessageContent(card.text),
                reply_markup=card.reply_markup(),
            )
        )
    more = offset + PAGE < len(ids)
    button = None
    if not results:
        button = InlineQueryResultsButton(
            t(profile.lang, "inline.no_results"), start_parameter="inline"
        )
    await inline.answer(
        results,
        cache_time=CACHE_SECONDS,
        is_personal=True,
        next_offset=str(offset + PAGE) if more else None,
        button=button,
    )


def handlers() -> list[BaseHandler]:
    return [InlineQueryHandler(on_inline_query)]
