"""``python -m benchmarks relevance|speed|keystroke|calibrate|calibrate-fused|all`` - prints
Markdown tables.  ``relevance --lexical-only`` skips the semantic columns."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.banking77 import DEFAULT_DATA


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument(
        "what", choices=["relevance", "speed", "keystroke", "calibrate", "calibrate-fused", "all"]
    )
    p.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"the Banking77 folder with train.csv and test.csv ({DEFAULT_DATA})",
    )
    p.add_argument(
        "--hwu64",
        type=Path,
        default=DEFAULT_DATA.parent / "hwu64",
        help="the HWU64 folder (train, valid, test) for the semantic columns and calibration",
    )
    p.add_argument("--lexical-only", action="store_true", help="relevance: no semantic columns")
    p.add_argument(
        "--fused-only",
        action="store_true",
        help="relevance: only the lexical/semantic/fused tables (skip the Banking77 lexical run)",
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
    if (
        args.what in ("relevance", "calibrate", "calibrate-fused", "all")
        and not (args.data / "train.csv").is_file()
    ):
        p.error(f"no Banking77 data in {args.data} (use --data)")
    if args.what == "calibrate":
        from benchmarks.relevance import calibrate

        print(calibrate(args.data))
    if args.what == "calibrate-fused":
        from benchmarks.fused_calibration import calibrate as calibrate_fused

        print(calibrate_fused(args.data, args.hwu64))
    if args.what in ("relevance", "all"):
        from benchmarks.relevance import run

        if not args.fused_only:
            print(run(args.data), flush=True)
        if not args.lexical_only:
            from benchmarks.fused_relevance import run as run_fused

            print("\n" + run_fused(args.data, args.hwu64), flush=True)
    if args.what in ("speed", "all"):
        from benchmarks.speed import run as run_speed

        print(run_speed([int(s) for s in args.sizes.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
