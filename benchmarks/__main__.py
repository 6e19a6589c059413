"""``python -m benchmarks relevance|speed|keystroke|calibrate|all`` - prints Markdown tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.banking77 import DEFAULT_DATA


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("what", choices=["relevance", "speed", "keystroke", "calibrate", "all"])
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"the Banking77 folder with train.csv and test.csv ({DEFAULT_DATA})",
    )
    p.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="SOP counts for the speed benchmark (comma-separated)",
    )
    args, rest = p.parse_known_args(argv)
    if args.what == "keystroke":  # its own options: python -m benchmarks keystroke --help
        from benchmarks.keystroke import main as keystroke

        return keystroke(rest)
    if rest:
        p.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.what in ("relevance", "calibrate", "all") and not (args.data / "train.csv").is_file():
        p.error(f"no Banking77 data in {args.data} (use --data)")
    if args.what == "calibrate":
        from benchmarks.relevance import calibrate

        print(calibrate(args.data))
    if args.what in ("relevance", "all"):
        from benchmarks.relevance import run

        print(run(args.data), flush=True)
    if args.what in ("speed", "all"):
        from benchmarks.speed import run as run_speed

        print(run_speed([int(s) for s in args.sizes.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
