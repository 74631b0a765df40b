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
