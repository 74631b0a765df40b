"""Command line: `python -m bot [run|sandbox|validate|migrate|links|qr]`.

With no token, `run` starts the local sandbox, so the README's first command is useful on any
machine without a Telegram account.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot import startup
from bot.catalog.catalog import Catalog
from bot.config import ConfigError, Settings, configure_logging, load_settings

_loaded: Settings | None = None
"""The settings once read, so a failure report can scrub the token and honour LOG_LEVEL."""


def _settings() -> Settings:
    global _loaded
    try:
        _loaded = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return _loaded


def _catalog(content_dir: Path) -> Catalog:
    from bot.catalog.loader import CatalogError
    from bot.validate import load_checked

    startup.check_content_dir(content_dir)
    try:
        return load_checked(content_dir)
    except CatalogError as exc:
        print(f"content is invalid ({len(exc.problems)} problems):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.sandbox:
        return cmd_sandbox(args)
    configure_logging(settings)
    import asyncio

    from bot import runner
    from bot.app import build_application

    startup.check_data_dir(settings)
    catalog = _catalog(settings.content_dir)
    asyncio.run(startup.check_bot_api(settings))
    asyncio.run(startup.check_database(settings))
    app = build_application(settings, catalog)
    if settings.webhook_url and settings.webhook_secret:
        asyncio.run(
            runner.serve_webhook(
                app,
                url=settings.webhook_url,
                secret=settings.webhook_secret.get_secret_value(),
                port=settings.port,
            )
        )
    else:
        runner.run_polling(app)
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    settings = _settings()
    startup.check_data_dir(settings)
    from bot.sandbox.terminal import run_terminal

    return run_terminal(settings, _catalog(settings.content_dir), language=args.lang)


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.validate import run

    content_dir = Path(args.dir) if args.dir else _settings().content_dir
    catalog = _catalog(content_dir)
    report = run(catalog)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(
            f"{len(report.problems)} problems in {report.checked} cards checked "
            f"({report.admin_total} admin cards)",
            file=sys.stderr,
        )
        return 1
    print(
        f"ok: {len(catalog.programs)} programs, {len(catalog.organisations)} organisations, "
        f"{len(catalog.events)} events; {report.summary()}"
    )
    return 0


def _username(settings: Settings) -> str:
    if settings.bot_username:
        return settings.bot_username
    if settings.telegram_bot_token is None:
        print("set BOT_USERNAME (or TELEGRAM_BOT_TOKEN to ask Telegram)", file=sys.stderr)
        raise SystemExit(2)
    import asyncio

    from telegram import Bot

    async def ask() -> str:
        token = settings.telegram_bot_token.get_secret_value()  # type: ignore[union-attr]
        async with Bot(token, base_url=f"{settings.telegram_api_base_url}/bot") as bot:
            return bot.username

    return asyncio.run(ask())


def cmd_links(args: argparse.Namespace) -> int:
    from telegram.helpers import create_deep_linked_url

    from bot.deeplinks import all_payloads

    settings = _settings()
    username = _username(settings)
    for payload, label in all_payloads(_catalog(settings.content_dir)):
        print(f"{create_deep_linked_url(username, payload)}\t{label}")
    return 0


def cmd_qr(args: argparse.Namespace) -> int:
    import segno
    from telegram.helpers import create_deep_linked_url

    from bot.deeplinks import all_payloads

    settings = _settings()
    payloads = dict(all_payloads(_catalog(settings.content_dir)))
    if args.payload not in payloads:
        print(
            f"unknown id or payload: {args.payload!r} (see `python -m bot links`)", file=sys.stderr
        )
        return 2
    url = create_deep_linked_url(_username(settings), args.payload)
    out = Path(args.output or settings.data_dir / f"qr-{args.payload}.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    segno.make(url, error="m").save(out, scale=10, border=4)
    print(f"{out}\t{url}")
    return 0


def cmd_gaps(args: argparse.Namespace) -> int:
    """What people searched for and did not find, most frequent first (no user data)."""
    import asyncio

    from bot.store import Store, repo

    settings = _settings()

    async def read() -> list[repo.Gap]:
        store = Store.from_settings(settings)
        try:
            await store.start()
            async with store.readers() as session:
                return await repo.top_gaps(session, args.limit, lang=args.lang, min_count=args.min)
        finally:
            await store.close()

    gaps = asyncio.run(read())
    if not gaps:
        print("no searches without results yet")
    for gap in gaps:
        print(f"{gap.count:>6}  {gap.lang or '?':<2}  {gap.query}  (last {gap.last_seen:%Y-%m-%d})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the database to the latest schema (the bot also does this at start-up)."""
    import asyncio

    from bot.store import Store
    from bot.store.engine import database_url, redacted
    from bot.store.migrate import new_revision

    settings = _settings()
    configure_logging(settings)

    async def migrate() -> str:
        store = Store.from_settings(settings)
        try:
            revision = await store.start()
            if args.new:
                await new_revision(store.engine, args.new)
            return revision
        finally:
            await store.close()

    try:
        revision = asyncio.run(migrate())
    except Exception as exc:  # one line for the operator, whatever the driver raised
        print(f"database error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 1
    print(f"database at revision {revision}: {redacted(database_url(settings))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (the sandbox when no token is set)")
    sandbox = sub.add_parser("sandbox", help="chat with the bot in this terminal, offline")
    for p in (parser, run, sandbox):
        p.add_argument("--lang", default="en", help="the simulated user's Telegram language")
    val = sub.add_parser("validate", help="check content and every card against Telegram's limits")
    val.add_argument("dir", nargs="?", help="content directory (default: CONTENT_DIR)")
    mig = sub.add_parser("migrate", help="create or upgrade the database schema (keeps data)")
    mig.add_argument(
        "--new", metavar="MESSAGE", help="developers: also write a migration for model changes"
    )
    sub.add_parser("links", help="print every deep link")
    gaps = sub.add_parser("gaps", help="searches without results, most frequent first")
    gaps.add_argument("--limit", type=int, default=50)
    gaps.add_argument("--lang", choices=("en", "es", "fr"))
    gaps.add_argument(
        "--min",
        type=int,
        default=3,
        help="only terms searched at least this many times (default 3)",
    )
    qr = sub.add_parser("qr", help="write a QR code PNG for one deep link")
    qr.add_argument("payload", help="an item id, country_mx / country_us / country_ca, or forums")
    qr.add_argument("-o", "--output", help="PNG path (default: DATA_DIR/qr-<payload>.png)")
    args = parser.parse_args(argv)
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: cmd_run,
        "run": cmd_run,
        "sandbox": cmd_sandbox,
        "validate": cmd_validate,
        "migrate": cmd_migrate,
        "links": cmd_links,
        "gaps": cmd_gaps,
        "qr": cmd_qr,
    }
    try:
        code = handlers[args.command](args)
        sys.stdout.flush()  # inside the try: a reader that left early surfaces here
        return code
    except BrokenPipeError:
        # The reader stopped early (`links | head -2`): not an error. Point stdout at devnull so
        # the interpreter's final flush does not raise again (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure reaches the operator through the scrubber
        return startup.report(exc, _loaded)


if __name__ == "__main__":
    sys.exit(main())
