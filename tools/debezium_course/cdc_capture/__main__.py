"""python -m debezium_course.cdc_capture [--variant NAME | --all] [--out DIR] [--keep-workdir]

Writes <topic>.jsonl and README.md into DIR (default tests/fixtures/debezium)
for the base capture, or into DIR/variants/NAME/ for a fixture variant
(tools/debezium_course/cdc_capture/variants.py: the same scenario with one setting changed).
--all captures the base and every variant, one after the other (about 40 s
each). After a variant, DIR/variants/README.md is rewritten from the files.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from . import FIXTURES_DIR
from . import variants as variants_module
from .capture import run_capture, variant_dir, write_fixtures, write_variants_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debezium_course.cdc_capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=FIXTURES_DIR, help="fixtures root (variants go to OUT/variants/NAME)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--variant", default="base",
                       help="base (default) or one of: " + ", ".join(variants_module.VARIANTS))
    which.add_argument("--all", action="store_true", help="the base capture and every variant")
    parser.add_argument("--keep-workdir", action="store_true",
                        help="keep Connect's configs and log (connect.log) for inspection")
    args = parser.parse_args(argv)
    names = ["base", *variants_module.VARIANTS] if args.all else [args.variant]
    chosen = [variants_module.get(name) for name in names]  # unknown names fail before any work
    # SIGTERM (a test's timeout, a CI cancel) becomes SystemExit, so the
    # `finally` blocks stop Connect, the broker and PostgreSQL and remove
    # their temporary directories; by default SIGTERM would skip them all.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    logging.basicConfig(level=logging.INFO, format="cdc_capture %(asctime)s %(message)s",
                        datefmt="%H:%M:%S", stream=sys.stderr)
    for variant in chosen:
        logging.info("capturing %s", variant.name)
        result = run_capture(keep_workdir=args.keep_workdir, variant=variant)
        for path in write_fixtures(result, variant_dir(args.out, variant.name)):
            logging.info("wrote %s", path)
        logging.info("capture of %s finished in %.0f s", variant.name, result.seconds)
    if any(v.name != "base" for v in chosen):
        logging.info("wrote %s", write_variants_index(args.out))
    return 0


def _exit_on_signal(signum, frame):
    sys.exit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
