"""`python -m bot validate` covers the admin screens too, and reports a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import routes, screens
from bot.cards import Button, Card, utf16_len
from bot.catalog.catalog import Catalog
from bot.catalog.loader import load_catalog
from bot.catalog.models import LANGUAGES
from bot.validate import Report, _Worst, run, validate

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(CONTENT)


@pytest.fixture(scope="module")
def report(shipped: Catalog) -> Report:
    return run(shipped)


def test_admin_screens_are_rendered_in_every_language(report: Report) -> None:
    assert list(report.admin_cards) == list(LANGUAGES)
    assert all(n > 100 for n in report.admin_cards.values())
    assert len(set(report.admin_cards.values())) == 1  # the same screens in each language
    assert report.checked == report.user_cards + report.admin_total
    summary = report.summary()
    assert f"{report.admin_total} admin cards" in summary
    for code, n in report.admin_cards.items():
        assert f"{code} {n}" in summary


def test_validate_counts_admin_cards(shipped: Catalog, report: Report) -> None:
    checked, problems = validate(shipped)
    assert checked == report.checked > report.user_cards
    assert problems == report.problems


def test_worst_case_inputs_are_at_the_flows_limits(shipped: Catalog) -> None:
    from bot.broadcast import forums
    from bot.broadcast.render import text_problem

    worst = _Worst(shipped)
    assert worst.problems == []
    for code, text in worst.max_texts.items():
        assert text_problem({code: text}, "en") is None
        assert text_problem({code: text + "x"}, code) is not None
        assert {"&", "<", ">"} <= set(text)
        assert utf16_len(text) > len(text)  # emoji: two UTF-16 units each
    for event in worst.stored:
        assert len(event.id) == 40
        assert all(len(event.title.get(c)) == forums.TITLE_MAX for c in LANGUAGES)
        assert len(event.city.en) == forums.CITY_MAX
        assert event.official_url is not None
        assert len(event.official_url) == forums.URL_MAX


def test_a_broken_admin_card_is_reported(shipped: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen whose card breaks a limit is named with its language, not raised."""
    monkeypatch.setattr(screens, "broadcast_report", lambda lang, row: Card("x" * 5000))
    long_route = routes.ForumEdit("forum-" + "x" * 60)
    monkeypatch.setattr(
        screens,
        "forum_edit_list",
        lambda lang, events: Card("ok", ((Button("forum", long_route),),)),
    )
    report = run(shipped)
    for lang in LANGUAGES:
        assert f"admin: report done 0h [{lang}]: text is 5000 characters" in "\n".join(
            report.problems
        )
        assert any(
            p.startswith(f"admin: editforum (list) [{lang}]:") and "64 bytes" in p
            for p in report.problems
        )
    assert all(n > 100 for n in report.admin_cards.values())  # one broken screen stops nothing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stats_leaves_out_what_does_not_fit_and_says_so(shipped: Catalog, lang: str) -> None:
    """Many forums' topics and long unmet searches: the card fits, the rows shown are the
    most frequent, and a line counts the rest."""
    from datetime import UTC, datetime

    from bot.store.repo import Breakdown, Gap, Stats
    from bot.store.topics import Topic

    worst = _Worst(shipped)
    topics = {Topic.of_event(e.id).key: 100 - n for n, e in enumerate(worst.stored * 10)}
    topics |= {Topic.of_event(f"extra-{n}").key: 1 for n in range(200)}
    when = datetime(2026, 11, 28, tzinfo=UTC)
    gaps = [Gap("q" * 256 + str(n), "es", 50 - n, when, when) for n in range(40)]
    stats = Stats(10, 1, 5, 2, 300, topics, len(gaps))
    card = screens.stats_card(
        shipped, lang, stats, Breakdown({"mx": 3}, {"student": 3}, {lang: 3}), gaps
    )
    assert utf16_len(card.plain_text) <= 4096
    assert card.text.count("•") < len(topics) + len(gaps) + 3
    more = [line for line in card.text.splitlines() if line.startswith("…")]
    assert more, "what was left out is counted"
    assert "q" * 61 not in card.text, "searches are cut"


def test_editforum_lists_at_most_forty_forums_newest_last(shipped: Catalog) -> None:
    worst = _Worst(shipped)
    many = [
        e.model_copy(update={"id": f"{e.id[:30]}-{n}"}) for n, e in enumerate(worst.stored * 12)
    ]
    card = screens.forum_edit_list("en", many)
    forum_buttons = [b for row in card.keyboard for b in row if "🤝" in b.text]
    assert len(forum_buttons) == screens.EDIT_LIST_MAX
    assert forum_buttons[-1].route == routes.ForumEdit(many[-1].id)
    assert f"{len(many) - screens.EDIT_LIST_MAX} older forums" in card.text
