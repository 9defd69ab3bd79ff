"""A real single-node Kafka broker (KRaft, combined mode) for doctests and tests.

The broker is the genuine Apache Kafka server: its jars are fetched once from
Maven Central with the ``pom.xml`` next to this file and cached in
``.cache/kafka/<version>/`` at the repository root.  Every start gets a fresh
temporary directory holding ``server.properties``, the data (``log.dirs``) and
``broker.log``; ``restart()`` keeps that directory and the ports, so topics,
messages and committed offsets survive a simulated outage.

    with KafkaBroker() as broker:
        Producer({"bootstrap.servers": broker.bootstrap_servers})
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from debezium_course.local_services import (
    ToolchainError,
    fetch_maven_jars,
    free_port,
    java_executable,
    service_preexec,
    stop_service,
)
from debezium_course import REPO_ROOT

__all__ = [
    "KafkaBroker", "KafkaBrokerError", "ensure_jars", "kafka_version",
    "BOOTSTRAP_SERVERS_ENV", "INSTALL_HINT", "MIN_JAVA_MAJOR",
]

PACKAGE_DIR = Path(__file__).resolve().parent
POM = PACKAGE_DIR / "pom.xml"
# The jar cache can be moved (e.g. onto a CI cache volume) without code changes.
CACHE_ROOT = Path(os.environ.get("KAFKA_BROKER_CACHE", REPO_ROOT / ".cache" / "kafka"))
# Names a broker that is already running: `python -m debezium_course.kafka_broker exec` sets it
# for its command, and the doctests and tests use that broker instead of their own.
BOOTSTRAP_SERVERS_ENV = "KAFKA_BOOTSTRAP_SERVERS"

INSTALL_HINT = (
    "install a JDK 17+ and Maven (apt-get install openjdk-17-jre-headless maven) "
    f"or set {BOOTSTRAP_SERVERS_ENV}=host:port to use a broker that is already running"
)
# Kafka 4.x brokers refuse to run on older Java.
MIN_JAVA_MAJOR = 17


class KafkaBrokerError(RuntimeError):
    """The broker could not be fetched, started or stopped."""


def kafka_version() -> str:
    """The Kafka version pinned in pom.xml (the single place it is written)."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if not match:
        raise KafkaBrokerError(f"no <kafka.version> property in {POM}")
    return match.group(1).strip()


def _java_executable(version: str) -> str:
    try:
        return java_executable(MIN_JAVA_MAJOR, purpose=f"to run the Kafka {version} broker", hint=INSTALL_HINT)
    except ToolchainError as error:
        raise KafkaBrokerError(str(error)) from error


def ensure_jars(version: str | None = None, *, quiet: bool = True) -> Path:
    """Return the directory with the broker jars, fetching them with Maven if missing."""
    version = version or kafka_version()
    try:
        return fetch_maven_jars(
            POM, CACHE_ROOT / version, {"kafka.version": version},
            what=f"Kafka {version} broker jars", expected_jar=f"kafka_*-{version}.jar",
            hint=INSTALL_HINT, quiet=quiet,
        )
    except ToolchainError as error:
        raise KafkaBrokerError(str(error)) from error


def _random_cluster_id() -> str:
    # Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding.
    # Like Kafka's own Uuid.randomUuid(), reject ids starting with "-": the
    # storage tool's argument parser would take such an id for an option.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


LOG4J2_PROPERTIES = """\
# Broker log: INFO from Kafka itself, quieter for the chatty request logger.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
"""


class KafkaBroker:
    """A single-node KRaft Kafka broker on 127.0.0.1, owned by this process.

    Use it as a context manager, or call ``start()`` and ``stop()``.
    ``restart()`` simulates an outage: the same data directory and port come back.
    """

    def __init__(
        self,
        *,
        version: str | None = None,
        heap: str = "512m",
        startup_timeout: float = 60.0,
        stop_timeout: float = 30.0,
        extra_properties: dict[str, str] | None = None,
    ) -> None:
        self.version = version or kafka_version()
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.extra_properties = dict(extra_properties or {})
        self.work_dir: Path | None = None
        self.port: int | None = None
        self.controller_port: int | None = None
        self._process: subprocess.Popen | None = None
        self._log_file = None

    # --- public API --------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise KafkaBrokerError("the broker has not been started")
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def log_path(self) -> Path | None:
        return self.work_dir / "broker.log" if self.work_dir else None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> "KafkaBroker":
        """Start the broker; on the first start, format fresh storage."""
        if self.is_running():
            return self
        java = _java_executable(self.version)
        jars = ensure_jars(self.version)
        if self.work_dir is None:
            self.work_dir = Path(tempfile.mkdtemp(prefix="kafka-broker-"))
            self.port = free_port()
            self.controller_port = free_port()
            self._write_config()
            self._format_storage(java, jars)
        self._launch(java, jars)
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        """Shut the broker down (SIGTERM, then SIGKILL); keeps its data for restart()."""
        process, self._process = self._process, None
        if process is not None:
            stop_service(process, timeout=self.stop_timeout)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def restart(self) -> None:
        """Stop, then start the same broker: same port, same data, same offsets."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the broker and delete its data directory."""
        self.stop()
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self.work_dir = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no broker log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def __enter__(self) -> "KafkaBroker":
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc_info) -> None:
        self.cleanup()

    # --- internals ---------------------------------------------------------

    @property
    def _config_path(self) -> Path:
        assert self.work_dir is not None
        return self.work_dir / "server.properties"

    def _write_config(self) -> None:
        assert self.work_dir is not None
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}",
            "log.dirs": str(self.work_dir / "data"),
            "num.partitions": "1",
            # One broker: internal topics cannot have more than one replica.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Fewer partitions of the internal topics make their creation (on the
            # first consumer group / first transaction) take well under a second.
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.num.partitions": "1",
            # Tests join groups one after another; the default 3 s delay only waits.
            "group.initial.rebalance.delay.ms": "0",
            # Small thread pools: a test broker on a 2-core machine.
            "num.network.threads": "2",
            "num.io.threads": "2",
            "num.recovery.threads.per.data.dir": "1",
            "log.retention.check.interval.ms": "300000",
        }
        properties.update(self.extra_properties)
        self._config_path.write_text("".join(f"{k}={v}\n" for k, v in properties.items()))
        (self.work_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)

    def _java_command(self, java: str, jars: Path, main_class: str, *args: str) -> list[str]:
        assert self.work_dir is not None
        return [
            java,
            f"-Xmx{self.heap}",
            "-Xms64m",
            "-XX:+UseSerialGC",  # one GC thread: the broker's heap is tiny
            "-XX:TieredStopAtLevel=1",  # C1 only: faster start, less memory
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.work_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.work_dir}",
            "-cp", str(jars / "*"),
            main_class, *args,
        ]

    def _format_storage(self, java: str, jars: Path) -> None:
        cmd = self._java_command(
            java, jars, "kafka.tools.StorageTool",
            "format", "--standalone",
            "--cluster-id", _random_cluster_id(),
            "--config", str(self._config_path),
        )
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise KafkaBrokerError(
                f"kafka.tools.StorageTool format failed (exit {result.returncode}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def _launch(self, java: str, jars: Path) -> None:
        assert self.log_path is not None
        self._log_file = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            self._java_command(java, jars, "kafka.Kafka", str(self._config_path)),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.work_dir,
            preexec_fn=service_preexec(),
        )

    def _fail_start(self, reason: str) -> None:
        tail = self.log_tail()
        self.stop()
        raise KafkaBrokerError(f"Kafka broker on {self.bootstrap_servers} {reason}.\n--- tail of {self.log_path} ---\n{tail}")

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        # First wait for the port: a client pointed at a closed port fills
        # stderr with "Connection refused" lines.
        while True:
            if self._process is None or self._process.poll() is not None:
                code = None if self._process is None else self._process.returncode
                self._fail_start(f"exited during start-up (exit code {code})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self._fail_start(f"did not open its port within {self.startup_timeout:.0f} s")
                time.sleep(0.1)
        # An open port is not yet a working broker: wait until it serves metadata.
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers, "log_level": 0})
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                self._fail_start("exited during start-up")
            try:
                metadata = admin.list_topics(timeout=max(0.5, min(5.0, deadline - time.monotonic())))
                if metadata.brokers:
                    return
            except Exception as error:  # KafkaException while the broker comes up
                last_error = error
            time.sleep(0.1)
        self._fail_start(f"did not answer metadata requests within {self.startup_timeout:.0f} s ({last_error})")
