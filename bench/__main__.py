"""`python -m bench`: every benchmark, a table on stdout, the figures in a JSON file.

    python -m bench                   # everything, a few minutes
    python -m bench --quick           # reduced, under a minute
    python -m bench --only search     # some sections (comma-separated or repeated)
    python -m bench --json out.json   # default: bench/results/latest.json
    python -m bench --list            # every figure as a Markdown table (for the README)
    python -m bench --soak            # the fuzz soak alone: 10,000 random updates, minutes

Progress goes to stderr, the table to stdout, so `python -m bench > table.txt` keeps the table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import core


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    sections = core.load_sections()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="reduced sizes: under a minute")
    size.add_argument(
        "--tiny", action="store_true", help="smallest sizes, to test the machinery (figures noisy)"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="SECTION",
        help=f"run only these sections (comma-separated): {', '.join(sections)}",
    )
    parser.add_argument(
        "--list", action="store_true", help="print every figure as a Markdown table and exit"
    )
    parser.add_argument(
        "--soak", action="store_true", help="run the fuzz soak (same as --only soak)"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=core.DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the figures (default: {core.DEFAULT_JSON.relative_to(core.ROOT)})",
    )
    args = parser.parse_args(argv)
    if args.soak:
        args.only = [*(args.only or []), "soak"]
    if args.only:
        args.only = [name.strip() for item in args.only for name in item.split(",") if name.strip()]
        unknown = sorted(set(args.only) - set(sections))
        if unknown:
            parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(sections)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print(core.markdown_figures())
        return 0
    mode: core.Mode = "quick" if args.quick else "tiny" if args.tiny else "full"
    core.RESULTS_DIR = args.json.resolve().parent
    report = core.run(
        core.SCALES[mode], args.only, progress=lambda line: print(line, file=sys.stderr, flush=True)
    )
    core.write_json(report, args.json)
    print(core.table(report))
    print(f"\n{mode} run, {report.meta['seconds']:.0f} s; figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
