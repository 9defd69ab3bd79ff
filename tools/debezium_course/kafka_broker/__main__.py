"""Command line for the test broker.

    python -m debezium_course.kafka_broker fetch              download the broker jars (if missing)
    python -m debezium_course.kafka_broker run                start a broker, print its address, wait for Ctrl-C
    python -m debezium_course.kafka_broker exec -- CMD ARG..  run CMD with KAFKA_BOOTSTRAP_SERVERS pointing at
                                              a fresh broker (or at the one already named in
                                              KAFKA_BOOTSTRAP_SERVERS); exit with CMD's code
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from . import BOOTSTRAP_SERVERS_ENV as ENV_VAR, KafkaBroker, KafkaBrokerError, ensure_jars, kafka_version


def _say(text: str) -> None:
    # stderr: stdout belongs to the wrapped command.
    print(f"kafka_broker: {text}", file=sys.stderr, flush=True)


def _run_child(command: list[str], env: dict[str, str]) -> int:
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        _say(f"command not found: {command[0]}")
        return 127
    # Ctrl-C reaches the whole foreground process group anyway; SIGTERM sent to
    # this wrapper alone is passed on, so the child can finish cleanly and the
    # broker is still stopped in the caller's `finally`.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue  # the child got SIGINT too; wait for it to exit
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_exec(command: list[str]) -> int:
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        _say("exec needs a command: python -m debezium_course.kafka_broker exec -- CMD ARGS...")
        return 2
    env = dict(os.environ)
    if env.get(ENV_VAR):
        _say(f"using the broker in {ENV_VAR}={env[ENV_VAR]}")
        return _run_child(command, env)
    with KafkaBroker() as broker:
        _say(f"Kafka {broker.version} broker at {broker.bootstrap_servers} (pid {broker.pid})")
        env[ENV_VAR] = broker.bootstrap_servers
        code = _run_child(command, env)
    _say("broker stopped")
    return code


def cmd_fetch() -> int:
    path = ensure_jars(quiet=False)
    _say(f"Kafka {kafka_version()} jars in {path}")
    return 0


def cmd_run() -> int:
    with KafkaBroker() as broker:
        print(f"Kafka {broker.version} broker listening on {broker.bootstrap_servers} (pid {broker.pid})", flush=True)
        print(f"  export {ENV_VAR}={broker.bootstrap_servers}", flush=True)
        print(f"  broker log: {broker.log_path}", flush=True)
        print("Ctrl-C stops it.", flush=True)
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while broker.is_running():
                time.sleep(0.5)
        except KeyboardInterrupt:
            return 0
        _say("the broker exited on its own; tail of its log:\n" + broker.log_tail())
        return 1


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debezium_course.kafka_broker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("fetch", help="download the broker jars into the cache")
    sub.add_parser("run", help="run a broker in the foreground until Ctrl-C")
    exec_parser = sub.add_parser("exec", help="run a command with a broker")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    try:
        if args.action == "fetch":
            return cmd_fetch()
        if args.action == "run":
            return cmd_run()
        return cmd_exec(args.command)
    except KafkaBrokerError as error:
        _say(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
