"""The `broadcast` section: registers the figures and runs `bench.broadcast.measure`.

The measurement itself (our sender against a plain PTB loop behind AIORateLimiter, on the
emulator with Telegram's flood limits on) lives in `bench/broadcast.py`, written with the
sender. It is imported only when the section runs, so the other sections still work while
`bot.broadcast` is missing or half-built; its figures are then null and the note says why.
"""

from __future__ import annotations

from bench.core import Figure, Outcome, Scale, section

FIGURES = [
    Figure("broadcast.rate_ratio", "ratio", "messages/s our sender achieved ÷ its rate", "≥ 0.95"),
    Figure("broadcast.lost", "count", "recipients who got no message", "0"),
    Figure("broadcast.duplicated", "count", "extra messages (a recipient got it twice)", "0"),
    Figure("broadcast.provoked_429", "count", "429s the emulator's flood control answered", "0"),
    Figure(
        "broadcast.baseline_rate_ratio",
        "ratio",
        "the same ratio for a send_message loop behind AIORateLimiter",
    ),
]


@section("broadcast", "broadcast sender vs a plain AIORateLimiter loop", FIGURES)
async def run_broadcast(scale: Scale) -> Outcome:
    if scale.mode == "tiny":
        return Outcome(notes=["not run in --tiny: it sends 150+ messages at Telegram's 30/s"])
    try:
        from bench.broadcast import measure
    except ImportError as exc:
        return Outcome(notes=[f"bot.broadcast cannot be imported ({exc}): figures are null"])
    measured = await measure(quick=scale.mode != "full")
    out = Outcome()
    for fig in FIGURES:
        value = measured.get(fig.name)
        out.figures[fig.key] = None if value is None else float(value)
    extra = sorted(set(measured) - {fig.name for fig in FIGURES})
    if extra:
        out.notes.append(f"measure() returned figures not declared here: {extra}")
    out.details = {"measured": measured, "recipients": 150 if scale.mode != "full" else 900}
    return out
