"""Start-up and /reload refuse content whose cards Telegram would refuse (`load_checked`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalog.loader import CatalogError
from bot.validate import card_problems, load_checked

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_the_shipped_content_passes() -> None:
    assert load_checked(CONTENT) is not None


def test_a_summary_too_long_for_a_card_is_refused_naming_the_item(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    red_seal = content / "programs" / "ca" / "red-seal.yaml"
    start = "        Canada's national standard"
    text = red_seal.read_text().replace(start, "        " + "Too long. " * 399 + start.strip(), 1)
    red_seal.write_text(text)
    with pytest.raises(CatalogError) as caught:
        load_checked(content)
    lines = str(caught.value).splitlines()
    assert lines, "every problem is listed"
    assert all("red-seal" in line for line in lines)
    assert any("card [en]" in line and "characters" in line for line in lines)


def test_card_problems_is_empty_for_good_content() -> None:
    from bot.catalog.loader import load_catalog

    assert card_problems(load_catalog(CONTENT)) == []
