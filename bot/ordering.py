"""Updates handled concurrently across users, in order within one user and one chat.

PTB handles one update at a time by default, so every Bot API round trip (tens of ms to
Telegram) stalls every other user: the bench measured such a bot at ~11 updates/s with 50 ms
round trips. `concurrent_updates(n)` lifts that but drops ordering, and this bot needs it: a
user who presses two buttons quickly must see the second edit after the first, a second message
must not read user data the first is still writing, and an admin's reply in a multi-step flow
must follow the step that asked for it.

So updates are serialized per *key* and run concurrently across keys, at most `workers` at
once: a group's updates share the group's key (its members' messages and button presses stay in
order), a person's private messages and inline queries share theirs. A person's group activity
is deliberately *not* ordered with their private chat: a group reply can wait minutes for
Telegram's 20-messages-a-minute group limit, and when a person's private updates queued behind
it, one busy group stalled every member's private chat (the fuzz soak found it: 341 button
presses timed out). An update waits for its turn *before* it takes a worker, so one key's burst
queues behind itself and never occupies the workers everybody else needs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

QUEUE_LIMIT = 512
"""Updates admitted at once (running or waiting for their keys); PTB's own semaphore. Beyond
it PTB keeps updates in its queue, so memory stays bounded under a flood."""


def keys_of(update: object) -> tuple[str, ...]:
    """The ordering key of an update: its group's or channel's, else its person's (a private
    chat and inline mode); none for other objects."""
    if not isinstance(update, Update):
        return ()
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != chat.PRIVATE:
        return (f"c{chat.id}",)
    if user is not None:
        return (f"u{user.id}",)
    return (f"c{chat.id}",) if chat is not None else ()


class _Ticket:
    """An update's place in the queue of each of its keys; `turn` resolves when it is first
    in all of them."""

    __slots__ = ("keys", "turn")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """PTB update processor: concurrent across users and chats, ordered within each.

    PTB starts one task per update in arrival order; each update takes its place in the queue
    of every key it has at once (no await in between), and runs when it heads all of them.
    Updates with different key sets (a user's inline query, which has no chat, and their
    messages) therefore still run in arrival order, and the earliest waiting update can always
    run, so nothing deadlocks.
    """

    __slots__ = ("_queues", "_workers", "running", "workers")

    def __init__(self, workers: int = 8, queue_limit: int = QUEUE_LIMIT) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        super().__init__(max(queue_limit, workers))
        self.workers = workers
        self._workers = asyncio.Semaphore(workers)
        self._queues: dict[str, deque[_Ticket]] = {}
        self.running = 0
        """Updates whose handlers are running now (at most `workers`)."""

    @property
    def waiting_keys(self) -> int:
        """Keys with an update running or waiting (for tests and metrics)."""
        return len(self._queues)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        ticket = _Ticket(keys_of(update))
        for key in ticket.keys:
            self._queues.setdefault(key, deque()).append(ticket)
        self._wake(ticket)
        started = False
        try:
            await ticket.turn
            async with self._workers:
                started = True
                self.running += 1
                try:
                    await coroutine
                finally:
                    self.running -= 1
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while queued: never started, never awaited
            self._leave(ticket)

    def _wake(self, ticket: _Ticket) -> None:
        if not ticket.turn.done() and all(self._queues[k][0] is ticket for k in ticket.keys):
            ticket.turn.set_result(None)

    def _leave(self, ticket: _Ticket) -> None:
        for key in ticket.keys:
            queue = self._queues[key]
            queue.remove(ticket)
            if queue:
                self._wake(queue[0])
            else:
                del self._queues[key]

    async def initialize(self) -> None:
        """Nothing to allocate: queues are created per key on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB awaits the update tasks before it shuts the processor down."""
