"""Webhook server under abuse: slow and idle clients, connection floods, file-descriptor
exhaustion, bodies that are JSON but no Update, /healthz floods, the secret in DEBUG logs.

No assertion is on a duration: timeouts here are "give up" limits, and what is asserted is
behaviour (the server closed the connection, status codes, how many log lines, Bot API calls).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from bot import logs
from bot.catalog.catalog import Catalog
from bot.config import Settings
from bot.sandbox.client import Sandbox
from bot.sandbox.testing import free_port
from bot.web import SECRET_HEADER, Limits
from tests.e2e.test_webhook import SECRET, webhook_bot

ROOT = Path(__file__).resolve().parents[2]
GIVE_UP = 60.0
"""Seconds after which a wait is a failure; never a measure of speed."""
HALF_BODY = (
    b"POST /telegram/hook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n{"
)
HALF_HEADERS = b"POST /telegram/hook HTTP/1.1\r\nHost: bot\r\nContent-Len"

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def open_sending(port: int, data: bytes) -> Conn:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    return reader, writer


async def closed_by_server(conn: Conn) -> bytes:
    """Wait until the server closes `conn`; what it sent before closing."""
    reader, _ = conn
    got = b""
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(65536):
            got += chunk
    return got


def close_all(conns: list[Conn]) -> None:
    for _, writer in conns:
        writer.close()


@contextlib.asynccontextmanager
async def held(port: int, n: int, data: bytes = HALF_BODY) -> AsyncIterator[list[Conn]]:
    conns = [await open_sending(port, data) for _ in range(n)]
    try:
        yield conns
    finally:
        close_all(conns)


async def raw_request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int | None, bytes]:
    """One request on its own connection, by hand (no client library, so no client log lines).
    Status None: the server closed the connection without answering."""
    head = [f"{method} {path} HTTP/1.1", "Host: bot", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        head.append(f"Content-Length: {len(body)}")
    conn = await open_sending(port, ("\r\n".join(head) + "\r\n\r\n").encode() + body)
    try:
        response = await asyncio.wait_for(closed_by_server(conn), GIVE_UP)
    finally:
        conn[1].close()
    if not response:
        return None, b""
    status = int(response.split(b" ", 2)[1])
    return status, response.partition(b"\r\n\r\n")[2]


def rejected(reason: str) -> float:
    value = REGISTRY.get_sample_value("workforce_webhook_rejected_total", {"reason": reason})
    return value or 0.0


async def help_is_answered(tg: Sandbox) -> None:
    user = tg.user(language_code="en")
    await user.send("/help")
    assert "How to use" in (await user.wait_message(timeout=GIVE_UP)).text


# --- 1. slow and idle connections, the connection cap, file-descriptor exhaustion ----------


async def test_slow_headers_slow_bodies_and_idle_connections_are_closed_by_the_server(
    tg: Sandbox, settings: Settings, catalog: Catalog, token_never_logged: io.StringIO
) -> None:
    limits = Limits(header_timeout=2.0, body_timeout=2.0, health_ttl=0)
    async with webhook_bot(tg, settings, catalog, limits) as (port, *_):
        slow_bodies = [await open_sending(port, HALF_BODY) for _ in range(200)]
        slow_headers = [await open_sending(port, HALF_HEADERS) for _ in range(20)]
        idle = await open_sending(port, b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
        try:
            # Real traffic is served meanwhile.
            assert (await raw_request(port, "GET", "/healthz"))[0] == 200
            await help_is_answered(tg)
            # Every slow client is closed by the server, without an answer.
            sent = await asyncio.wait_for(
                asyncio.gather(*(closed_by_server(c) for c in slow_bodies + slow_headers)),
                GIVE_UP,
            )
            assert sent == [b""] * 220
            # The keep-alive connection got its answer, then was closed once idle.
            answer = await asyncio.wait_for(closed_by_server(idle), GIVE_UP)
            assert answer.startswith(b"HTTP/1.1 200")
            assert (await raw_request(port, "GET", "/healthz"))[0] == 200
        finally:
            close_all([*slow_bodies, *slow_headers, idle])
    # tornado logs each body timeout; the rate limiter lets a few of 200 through.
    timeouts = token_never_logged.getvalue().count("Timeout reading body")
    assert 1 <= timeouts <= 5


async def test_connections_beyond_the_cap_are_closed_on_arrival(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    limits = Limits(max_connections=20, header_timeout=3600, body_timeout=3600, health_ttl=0)
    async with webhook_bot(tg, settings, catalog, limits) as (port, *_):
        refused_before = rejected("connections")
        async with held(port, 30) as conns:
            # Ten are closed at once; the twenty within the cap stay (their timeout is an hour).
            watch = {asyncio.ensure_future(closed_by_server(c)): c for c in conns}
            pending = set(watch)
            closed: set[asyncio.Future[bytes]] = set()
            while len(closed) < 10:
                done, pending = await asyncio.wait(
                    pending, timeout=GIVE_UP, return_when=asyncio.FIRST_COMPLETED
                )
                assert done, "the server closed fewer than 10 connections beyond the cap"
                closed |= done
            assert rejected("connections") - refused_before == 10
            assert (await raw_request(port, "GET", "/healthz"))[0] is None, "at the cap"
            # Five slow clients leave: there is room again, for probes and for Telegram.
            assert len(pending) == 20
            for task in list(pending)[:5]:
                watch[task][1].close()
            status = None
            for _ in range(100):
                if (status := (await raw_request(port, "GET", "/healthz"))[0]) == 200:
                    break
                await asyncio.sleep(0.1)
            assert status == 200
            await help_is_answered(tg)
            for task in pending:
                task.cancel()


SERVER = textwrap.dedent(
    """
    import asyncio, resource, sys
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    from bot import logs, web

    class App:  # what the webhook handler uses of a PTB Application
        bot = None
        update_queue: asyncio.Queue = asyncio.Queue()

    async def healthy():
        return {"bot": True}

    async def main(port, cap):
        # Slow clients are never timed out here: the test decides when they leave.
        limits = web.Limits(body_timeout=3600, header_timeout=3600, max_connections=cap or None)
        app = web.make_app(App(), path="/telegram/hook", secret="s" * 16, health=healthy)
        await web.serve(app, "127.0.0.1", port, limits)
        print("ready", flush=True)
        await asyncio.Event().wait()

    logs.setup("INFO", "text", None)
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
    """
)


async def wait_for_line(stream: asyncio.StreamReader, text: str) -> None:
    async def scan() -> None:
        while line := await stream.readline():
            if text in line.decode():
                return
        raise AssertionError(f"the server exited without logging {text!r}")

    await asyncio.wait_for(scan(), GIVE_UP)


async def healthz_eventually(port: int) -> int | None:
    """/healthz's status once the server answers at all (retrying while it refuses)."""
    status = None
    for _ in range(200):
        with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
            status, _ = await asyncio.wait_for(raw_request(port, "GET", "/healthz"), 5)
            if status is not None:
                return status
        await asyncio.sleep(0.1)
    return status


@pytest.mark.parametrize(
    "cap",
    [
        pytest.param(1000, id="cap-above-the-fd-limit"),
        pytest.param(0, id="default-cap-from-the-fd-limit"),
    ],
)
async def test_300_half_sent_requests_at_a_256_file_descriptor_limit(cap: int) -> None:
    """The review's case: with 256 descriptors, 300 half-sent requests made tornado spin on
    accept() and log "Too many open files" millions of times, and /healthz time out.

    cap 1000: the process does run out of descriptors; it logs that once and stops accepting
    for a moment instead of spinning, and serves again as soon as the slow clients are gone.
    Default cap (3/4 of the limit, 192): it never runs out; the surplus is closed on arrival."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER,
        str(port),
        str(cap),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert await asyncio.wait_for(proc.stdout.readline(), GIVE_UP) == b"ready\n"
        async with held(port, 300) as conns:
            if cap == 1000:
                await wait_for_line(proc.stderr, "Too many open files")
            else:
                watch = [asyncio.ensure_future(closed_by_server(c)) for c in conns]
                closed = 0
                pending = set(watch)
                while closed < 300 - 192:
                    done, pending = await asyncio.wait(
                        pending, timeout=GIVE_UP, return_when=asyncio.FIRST_COMPLETED
                    )
                    assert done, f"only {closed} connections beyond the cap were closed"
                    closed += len(done)
                assert closed == 300 - 192
                for task in pending:
                    task.cancel()
        # The slow clients left: the server answers again.
        assert await healthz_eventually(port) == 200
    finally:
        proc.terminate()
        stderr = (await asyncio.wait_for(proc.communicate(), GIVE_UP))[1].decode()
    assert "Traceback" not in stderr
    emfile = stderr.count("Too many open files")
    if cap == 1000:  # the first line was read above; the rest are held back
        assert emfile <= 2, stderr[-2000:]
    else:
        assert emfile == 0, stderr[-2000:]
        assert 1 <= stderr.count("closed on arrival") <= 3, stderr[-2000:]
    assert len(stderr.splitlines()) < 20, stderr[-2000:]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_lets_one_line_a_period_through_and_counts_the_rest() -> None:
    clock = Clock()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(logs.RateLimit(period=10.0, clock=clock))
    logger = logging.getLogger("test.ratelimit")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for _ in range(1000):  # as asyncio logs an escaped accept() error
            logger.error("Exception in callback", exc_info=OSError(24, "Too many open files"))
        for _ in range(50):
            logger.warning("refused", extra={"rate_limit": "cap"})
        logger.info("an ordinary line")
        logger.info("another ordinary line")
        assert out.getvalue().count("Exception in callback") == 1
        assert out.getvalue().count("refused") == 1
        assert "ordinary line" in out.getvalue()
        assert "another ordinary" in out.getvalue()
        clock.now = 9.9
        logger.error("accept: [Errno 24] Too many open files")
        assert out.getvalue().count("Too many open files") == 1
        clock.now = 10.0
        logger.error("accept: [Errno 24] Too many open files")
        assert "[1000 more like this in the last 10 s not logged]" in out.getvalue()
        logger.error("accept: [Errno 23] Too many open files in system")
        assert out.getvalue().count("Too many open files") == 2
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_the_rate_limiter_is_on_the_root_handler(token_never_logged: io.StringIO) -> None:
    log = logging.getLogger("asyncio")
    for _ in range(2000):
        log.error("Exception in callback", exc_info=OSError(24, "Too many open files"))
    assert 1 <= token_never_logged.getvalue().count("Too many open files") < 10


# --- 2. the webhook secret in DEBUG logs ---------------------------------------------------


async def test_debug_logs_of_a_webhook_run_hold_neither_token_nor_secret(
    tg: Sandbox, settings: Settings, catalog: Catalog, token_never_logged: io.StringIO
) -> None:
    async with webhook_bot(tg, settings, catalog):
        await help_is_answered(tg)
    captured = token_never_logged.getvalue()
    set_webhook = [line for line in captured.splitlines() if "`setWebhook` with" in line]
    assert set_webhook, "PTB logs setWebhook's parameters at DEBUG"
    assert "'secret_token': '[REDACTED]'" in set_webhook[0]
    assert SECRET not in captured
    assert tg.token not in captured
    assert tg.token.split(":")[1] not in captured


@pytest.mark.parametrize(
    "text",
    [
        "{'url': 'https://x/hook', 'secret_token': 'abc', 'max_connections': 40}",
        "POST /setWebhook?url=https%3A%2F%2Fx&secret_token=abc",
        "X-Telegram-Bot-Api-Secret-Token: abc",
        '{"secret_token": "abc"}',
    ],
)
def test_a_labelled_secret_is_scrubbed_even_if_unregistered(text: str) -> None:
    scrubbed = logs.RedactToken(None).scrub(text)
    assert "abc" not in scrubbed
    assert logs.REDACTED in scrubbed


# --- 3. bodies that are JSON but not an Update ---------------------------------------------

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (\w+) (\S+): ", re.M)


@pytest.mark.parametrize(
    "body",
    [
        b"[1,2,3]",
        b"42",
        b"null",
        b'"x"',
        b"true",
        b"{}",
        b'{"message":"hi"}',
        b'{"update_id": "a"}',
        b'{"update_id": true}',
        b'{"update_id": 1.5}',
        b'{"update_id": 1, "message": "hi"}',
        b'{"update_id": 1, "message": {"x": 1}}',
        b'{"update_id": 1, "callback_query": [1]}',
        b"[" * 1000 + b"]" * 1000,
        b'{"update_id": 1, "a": ' + b'{"a": ' * 100_000 + b"{}" + b"}" * 100_001,
        b'{"update_id": 1, "message": ' + b'{"reply_to_message": ' * 900 + b"{}" + b"}" * 901,
        b"not json",
        b"\xff\xfe",
    ],
    ids=lambda body: body[:24].decode("latin-1"),
)
async def test_json_that_is_no_update_gets_400_and_one_log_line(
    tg: Sandbox,
    settings: Settings,
    catalog: Catalog,
    token_never_logged: io.StringIO,
    body: bytes,
) -> None:
    async with webhook_bot(tg, settings, catalog) as (port, *_):
        start = len(token_never_logged.getvalue())
        status, _ = await raw_request(
            port,
            "POST",
            "/telegram/hook",
            body,
            {SECRET_HEADER: SECRET, "Content-Type": "application/json"},
        )
        during = token_never_logged.getvalue()[start:]
        assert status == 400
        lines = LOG_LINE.findall(during)
        # Lines about the request (the web server's, tornado's, the event loop's): just one.
        about_it = [
            (level, name)
            for level, name in lines
            if name in ("bot.web", "asyncio") or name.startswith("tornado")
        ]
        assert about_it == [("WARNING", "bot.web")], during
        assert all(level in ("DEBUG", "INFO", "WARNING") for level, _ in lines), during
        assert "Traceback" not in during
        await help_is_answered(tg)


async def test_an_update_with_only_an_update_id_is_accepted(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    async with webhook_bot(tg, settings, catalog) as (port, *_):
        body = json.dumps({"update_id": 77}).encode()
        status, _ = await raw_request(port, "POST", "/telegram/hook", body, {SECRET_HEADER: SECRET})
        assert status == 200
        await help_is_answered(tg)


# --- 4. /healthz floods --------------------------------------------------------------------


async def test_a_flood_of_health_probes_makes_one_bot_api_call_per_period(
    tg: Sandbox, settings: Settings, catalog: Catalog
) -> None:
    clock = Clock()
    async with (
        webhook_bot(tg, settings, catalog, Limits(health_ttl=5.0, clock=clock)) as (port, *_),
        httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as http,
    ):
        url = f"http://127.0.0.1:{port}/healthz"
        before = tg.count_requests("getMe")
        answers = await asyncio.gather(*(http.get(url) for _ in range(50)))
        assert [a.status_code for a in answers] == [200] * 50
        assert tg.count_requests("getMe") - before == 1
        clock.now += 4.9
        assert (await http.get(url)).status_code == 200
        assert tg.count_requests("getMe") - before == 1
        clock.now += 0.1
        tg.configure_faults(seed=2, error_5xx=1.0, methods={"getMe"})
        answers = await asyncio.gather(*(http.get(url) for _ in range(50)))
        assert [a.status_code for a in answers] == [503] * 50, "a new probe once the period is up"
        tg.clear_faults()
        assert tg.count_requests("getMe") - before == 2
        clock.now += 5.0
        assert (await http.get(url)).status_code == 200
        assert tg.count_requests("getMe") - before == 3
