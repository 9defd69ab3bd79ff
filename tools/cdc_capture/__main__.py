"""python -m cdc_capture [--out DIR] [--keep-workdir]

Writes <topic>.jsonl and README.md into DIR (default tests/fixtures/debezium).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from . import FIXTURES_DIR
from .capture import run_capture, write_fixtures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cdc_capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=FIXTURES_DIR, help="where the fixtures go")
    parser.add_argument("--keep-workdir", action="store_true",
                        help="keep Connect's configs and log (connect.log) for inspection")
    args = parser.parse_args(argv)
    # SIGTERM (a test's timeout, a CI cancel) becomes SystemExit, so the
    # `finally` blocks stop Connect, the broker and PostgreSQL and remove
    # their temporary directories; by default SIGTERM would skip them all.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    logging.basicConfig(level=logging.INFO, format="cdc_capture %(asctime)s %(message)s",
                        datefmt="%H:%M:%S", stream=sys.stderr)
    result = run_capture(keep_workdir=args.keep_workdir)
    for path in write_fixtures(result, args.out):
        logging.info("wrote %s", path)
    logging.info("capture finished in %.0f s", result.seconds)
    return 0


def _exit_on_signal(signum, frame):
    sys.exit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
