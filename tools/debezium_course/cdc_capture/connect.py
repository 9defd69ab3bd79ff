"""Kafka Connect standalone with the Debezium PostgreSQL connector on its classpath.

The jars come from Maven Central through ``pom.xml`` beside this file, with
the Kafka version of tools/debezium_course/kafka_broker, and are cached in
``.cache/cdc/debezium-<v>-kafka-<v>/lib``; a second run reuses them.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from debezium_course.kafka_broker import MIN_JAVA_MAJOR, kafka_version
from debezium_course.local_services import fetch_maven_jars, free_port, java_executable, service_preexec, stop_service
from debezium_course import REPO_ROOT

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
CACHE_ROOT = REPO_ROOT / ".cache" / "cdc"
MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone"
INSTALL_HINT = "the capture needs Java 17+ and Maven (apt-get install openjdk-17-jre-headless maven)"


def pom_versions() -> dict[str, str]:
    """The versions pinned in pom.xml (Kafka's is debezium_course.kafka_broker.kafka_version())."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    props = ET.parse(POM).getroot().find("m:properties", ns)
    return {child.tag.split("}")[1]: child.text for child in props}


def ensure_jars() -> Path:
    """Resolve the jars with Maven once; later runs find them in the cache."""
    debezium, kafka = pom_versions()["debezium.version"], kafka_version()
    return fetch_maven_jars(
        POM, CACHE_ROOT / f"debezium-{debezium}-kafka-{kafka}" / "lib", {"kafka.version": kafka},
        what=f"Kafka Connect {kafka} and Debezium {debezium} jars",
        expected_jar=f"debezium-connector-postgres-{debezium}.jar",
        hint=INSTALL_HINT, quiet=False,
    )


def connect_java() -> str:
    """Connect is the broker's Kafka release and Debezium 3.6 targets the same Java."""
    return java_executable(MIN_JAVA_MAJOR, purpose="to run Kafka Connect", hint=INSTALL_HINT)


LOG4J2_CONFIG = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {logfile}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c{{1}})%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
"""


def _write_properties(path: Path, props: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()), encoding="utf-8")


class ConnectStandalone:
    """One standalone worker running one connector; stop() shuts it down gracefully."""

    def __init__(self, workdir: Path, bootstrap_servers: str, connector: dict[str, str],
                 converters: dict[str, str] | None = None):
        self.workdir = workdir
        # Replaces converter settings of worker_properties() (a fixture variant).
        self.converters = dict(converters or {})
        self.bootstrap_servers = bootstrap_servers
        self.connector = connector
        self.rest_port = free_port()
        self.logfile = workdir / "connect.log"
        self.stdout_path = workdir / "connect.stdout"
        self.proc: subprocess.Popen | None = None
        self._stdout = None

    def worker_properties(self) -> dict[str, str]:
        return {
            "bootstrap.servers": self.bootstrap_servers,
            # Keys and values as JSON with the embedded schema ({"schema":..., "payload":...}),
            # the way the course lab's Connect worker writes them.
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "true",
            "value.converter.schemas.enable": "true",
            **self.converters,
            "offset.storage.file.filename": str(self.workdir / "connect.offsets"),
            "offset.flush.interval.ms": "1000",
            "listeners": f"http://127.0.0.1:{self.rest_port}",
            # Debezium sits on the classpath (no plugin.path); scanning finds it there.
            "plugin.discovery": "only_scan",
        }

    def start(self) -> "ConnectStandalone":
        lib = ensure_jars()
        worker_file = self.workdir / "worker.properties"
        connector_file = self.workdir / "connector.properties"
        log4j_file = self.workdir / "log4j2.properties"
        _write_properties(worker_file, self.worker_properties())
        _write_properties(connector_file, self.connector)
        log4j_file.write_text(LOG4J2_CONFIG.format(logfile=self.logfile), encoding="utf-8")
        cmd = [
            connect_java(),
            "-Xms256m", "-Xmx768m",
            f"-Dlog4j2.configurationFile={log4j_file}",
            "-cp", f"{lib}/*",
            MAIN_CLASS,
            str(worker_file),
            str(connector_file),
        ]
        log.info("starting Kafka Connect standalone (REST on 127.0.0.1:%s)", self.rest_port)
        self._stdout = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(
            cmd,
            stdout=self._stdout,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=service_preexec(),
        )
        return self

    def status(self) -> dict | None:
        """Connector + task state from the REST API, or None while the worker is not up."""
        url = f"http://127.0.0.1:{self.rest_port}/connectors/{self.connector['name']}/status"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return json.load(resp)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_running(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            status = self.status()
            if status:
                tasks = status.get("tasks", [])
                failed = [t for t in tasks if t.get("state") == "FAILED"]
                if failed or status["connector"]["state"] == "FAILED":
                    raise RuntimeError(f"connector failed: {json.dumps(status, indent=1)[:4000]}")
                if tasks and all(t.get("state") == "RUNNING" for t in tasks):
                    return
            time.sleep(0.5)
        raise TimeoutError(f"connector not RUNNING after {timeout}s; see {self.logfile}")

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.stdout_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Kafka Connect exited with {self.proc.returncode}:\n{tail}")

    def stop(self, timeout: float = 30) -> None:
        if self.proc is not None:
            # SIGTERM runs Connect's shutdown hook: the task commits offsets and
            # closes its replication connection before the JVM exits.
            stop_service(self.proc, timeout=timeout)
        if self._stdout is not None:
            self._stdout.close()
            self._stdout = None

    def __enter__(self) -> "ConnectStandalone":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
