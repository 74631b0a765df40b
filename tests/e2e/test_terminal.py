"""The no-token sandbox chat, driven through a pipe like a newcomer's first run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_chat(lines: list[str], data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env |= {"DATA_DIR": str(data_dir), "CONTENT_DIR": str(ROOT / "content")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_piped_chat_onboards_browses_searches_and_exits_0(tmp_path: Path) -> None:
    result = run_chat(
        ["/start", "1", "3", "2", "red seal", "@ dual", "i1", "99", "!lang es", "/help"],
        tmp_path,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Welcome to Workforce Pathways" in out
    assert "Which country are you interested in?" in out
    assert "── bot (edited) ──" in out, "button presses edit the menu in place"
    assert "Red Seal Program" in out
    assert "→ https://www.red-seal.ca" in out, "URL buttons are shown with their URL"
    assert "[i1]" in out, "inline results are listed"
    assert "── you, via the bot ──" in out, "posting an inline result shows what it posted"
    assert "That message is too long" not in out, "a card posted via the bot is not a search"
    assert "(choose a button from 1 to" in out
    assert "Cómo usar Workforce Pathways" in out, "!lang switches the Telegram language"
    assert "Traceback" not in result.stderr
    assert (tmp_path / "workforce.sqlite3").exists(), "data lives under DATA_DIR"


def test_sandbox_keeps_the_profile_between_runs(tmp_path: Path) -> None:
    first = run_chat(["/start", "2", "1"], tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_chat(["/start"], tmp_path, "sandbox", "--lang", "fr")
    assert second.returncode == 0, second.stderr
    assert "Bienvenue" not in second.stdout
    assert "Employeur" in second.stdout


def test_gaps_lists_searches_without_results_most_frequent_first(tmp_path: Path) -> None:
    chat = run_chat(["zzqx wplk", "zzqx wplk", "qqqqqq", "zzqx wplk 5550100", "qqqqqq"], tmp_path)
    assert chat.returncode == 0, chat.stderr
    result = run_chat([], tmp_path, "gaps")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, "a term searched twice is not shown yet (MIN_ASKS = 3)"
    assert "zzqx wplk" in lines[0]
    assert lines[0].split()[0] == "3", "the number was dropped, the words counted"
    assert "5550100" not in result.stdout
    everything = run_chat([], tmp_path, "gaps", "--min", "1")
    assert "qqqqqq" in everything.stdout.strip().splitlines()[1]
    assert "You" not in result.stdout, "no user data"


def test_slash_commands_reach_the_bot_toasts_show_and_long_lines_are_refused(
    tmp_path: Path,
) -> None:
    from bot.i18n import t

    # button 11 of the Red Seal card is 🔔 Subscribe, answered with a toast
    result = run_chat(["/language", "/start red-seal", "11", "!nope", "x" * 4097], tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert t("en", "settings.pick_language") in out, "/language is the bot's, not the sandbox's"
    assert "(your Telegram language is now" not in out
    assert "(toast: " in out, "a button's answer is shown"
    assert "!nope is not one" in out
    assert "at most 4,096 characters, this one has 4,097" in out
    assert "Traceback" not in result.stderr


def test_ask_a_person_in_the_sandbox_with_the_team_played_from_the_terminal(
    tmp_path: Path,
) -> None:
    result = run_chat(
        [
            "!staff too early",
            "/ask",
            "Where do I start an apprenticeship?",
            "!staff Hi! Which province?",
            "/done",
        ],
        tmp_path,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "(nobody has asked the team yet: send /ask first)" in out
    assert "Ask a person" in out
    assert "── staff chat topic #" in out, "the staff side is shown"
    assert out.count("Where do I start an apprenticeship?") >= 2, "typed, then copied to staff"
    assert "A person from the team answered:" in out
    assert out.rstrip().count("Hi! Which province?") >= 2, "typed by staff, then copied to you"
    assert "You left the conversation with the team" in out
    assert "Traceback" not in result.stderr
