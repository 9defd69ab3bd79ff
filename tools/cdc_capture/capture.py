"""Run the whole capture: PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> JSON Lines.

See ``__main__.py`` for the command line and the README it writes next to the
fixtures for what comes out.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient

from kafka_broker import KafkaBroker, kafka_version
from local_services import java_version

from . import scenario
from .connect import ConnectStandalone, connect_java, pom_versions
from .postgres import SUPERUSER, PostgresServer

log = logging.getLogger(__name__)

TOPIC_PREFIX = "inventory"
CONNECTOR_NAME = "inventory-connector"
TOPICS = {table: f"{TOPIC_PREFIX}.public.{table}" for table in ("customers", "orders")}


def connector_properties(pg: PostgresServer) -> dict[str, str]:
    """Debezium settings; everything not listed keeps Debezium's default."""
    return {
        "name": CONNECTOR_NAME,
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": pg.host,
        "database.port": str(pg.port),
        "database.user": SUPERUSER,
        "database.password": "unused-trust-auth",
        "database.dbname": scenario.DATABASE,
        "topic.prefix": TOPIC_PREFIX,
        "plugin.name": "pgoutput",
        "slot.name": "debezium_inventory",
        "publication.name": "dbz_inventory",
        # Publication only for the two captured tables.
        "publication.autocreate.mode": "filtered",
        "table.include.list": ",".join(scenario.TABLES),
        "snapshot.mode": "initial",
        # NUMERIC as a decimal string ("1136.41"): exact and readable in JSON.
        # The default ("precise") sends base64 of the unscaled bytes instead.
        "decimal.handling.mode": "string",
        # The default skips TRUNCATE ("t"); "none" lets every operation through.
        "skipped.operations": "none",
        # Default, stated for the record: each DELETE is followed by a null-value tombstone.
        "tombstones.on.delete": "true",
    }


# Settings that differ per run or are plumbing; the README lists the rest.
_RUN_SPECIFIC = {"database.hostname", "database.port", "database.password"}


@dataclass
class CapturedMessage:
    topic: str
    partition: int
    offset: int
    key: object
    value: object

    def as_json(self) -> str:
        return json.dumps(
            {
                "topic": self.topic,
                "partition": self.partition,
                "offset": self.offset,
                "key": self.key,
                "value": self.value,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def operation_of(value: dict | None) -> str:
    """The operation of a message value: 'c'/'u'/'d'/'r'/'t', or 'tombstone' for a null value."""
    if value is None:
        return "tombstone"
    return value["payload"]["op"]


@dataclass
class TopicReader:
    """Reads every message of the capture topics from the beginning, as they arrive."""

    bootstrap_servers: str
    messages: dict[str, list[CapturedMessage]] = field(default_factory=dict)
    _consumer: Consumer | None = None

    def wait_for_topics(self, timeout: float) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        deadline = time.monotonic() + timeout
        while True:
            present = admin.list_topics(timeout=5).topics
            if all(t in present for t in TOPICS.values()):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics {sorted(TOPICS.values())} not created in {timeout}s")
            time.sleep(0.5)
        self._consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap_servers,
                "group.id": "cdc-capture",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            }
        )
        partitions = [
            TopicPartition(topic, p, OFFSET_BEGINNING)
            for topic in TOPICS.values()
            for p in present[topic].partitions
        ]
        self._consumer.assign(partitions)
        for topic in TOPICS.values():
            self.messages.setdefault(topic, [])

    def poll(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            msg = self._consumer.poll(min(left, 0.5))
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise RuntimeError(f"consumer error: {msg.error()}")
            key = msg.key()
            value = msg.value()
            self.messages[msg.topic()].append(
                CapturedMessage(
                    topic=msg.topic(),
                    partition=msg.partition(),
                    offset=msg.offset(),
                    key=json.loads(key) if key is not None else None,
                    value=json.loads(value) if value is not None else None,
                )
            )

    def count(self, topic: str) -> int:
        return len(self.messages.get(topic, []))

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _wait_until(reader: TopicReader, connect: ConnectStandalone, done, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            counts = {t: reader.count(t) for t in TOPICS.values()}
            raise TimeoutError(f"{what}: not done after {timeout}s, have {counts}; see {connect.logfile}")
        connect.check_alive()
        reader.poll(0.5)


@dataclass
class CaptureResult:
    messages: dict[str, list[CapturedMessage]]
    versions: dict[str, str]
    connector: dict[str, str]
    worker: dict[str, str]
    seconds: float


def run_capture(keep_workdir: bool = False) -> CaptureResult:
    started = time.monotonic()
    plan = scenario.build()
    workdir = Path(tempfile.mkdtemp(prefix="cdc-capture-"))
    try:
        with PostgresServer() as pg:
            pg.psql(f"CREATE DATABASE {scenario.DATABASE};")
            pg.psql(scenario.SCHEMA_SQL + "\n".join(plan.snapshot_sql), scenario.DATABASE)
            log.info("inventory database ready: %d rows for the snapshot", plan.snapshot_rows)

            with KafkaBroker() as broker:
                log.info("Kafka broker at %s", broker.bootstrap_servers)
                connect = ConnectStandalone(workdir, broker.bootstrap_servers, connector_properties(pg))
                reader = TopicReader(broker.bootstrap_servers)
                try:
                    connect.start()
                    connect.wait_running(timeout=180)
                    log.info("connector running; waiting for the snapshot")
                    reader.wait_for_topics(timeout=120)

                    def snapshot_done() -> bool:
                        reads = sum(
                            1 for msgs in reader.messages.values() for m in msgs if operation_of(m.value) == "r"
                        )
                        return reads >= plan.snapshot_rows

                    _wait_until(reader, connect, snapshot_done, 120, "snapshot")
                    log.info("snapshot captured; applying %d statements", len(plan.stream_sql))
                    # psql runs in autocommit mode: one transaction per statement.
                    pg.psql("\n".join(plan.stream_sql), scenario.DATABASE)

                    def all_arrived() -> bool:
                        return all(
                            reader.count(TOPICS[table]) >= n for table, n in plan.expected.items()
                        )

                    _wait_until(reader, connect, all_arrived, 120, "streaming")
                    # Anything beyond the plan (a duplicate, an unexpected event)
                    # would show up now and fail the count check below.
                    reader.poll(3)
                finally:
                    reader.close()
                    connect.stop()
                worker = connect.worker_properties()
            pg_version = pg.version
    finally:
        if keep_workdir:
            log.info("work directory kept: %s", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    for table, n in plan.expected.items():
        got = reader.count(TOPICS[table])
        if got != n:
            raise RuntimeError(f"{TOPICS[table]}: expected {n} messages, captured {got}")

    versions = {
        **{k: v for k, v in pom_versions().items() if k.endswith(".version")},
        "kafka.version": kafka_version(),
        "postgresql": pg_version,
        "java": java_version(connect_java()),
    }
    return CaptureResult(
        messages={t: sorted(ms, key=lambda m: (m.partition, m.offset)) for t, ms in reader.messages.items()},
        versions=versions,
        connector=connector_properties_for_readme(pg),
        worker=worker,
        seconds=time.monotonic() - started,
    )


def connector_properties_for_readme(pg: PostgresServer) -> dict[str, str]:
    return {k: v for k, v in connector_properties(pg).items() if k not in _RUN_SPECIFIC}


# --- output ------------------------------------------------------------------


def write_fixtures(result: CaptureResult, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, msgs in sorted(result.messages.items()):
        path = out_dir / f"{topic}.jsonl"
        path.write_text("".join(m.as_json() + "\n" for m in msgs), encoding="utf-8")
        written.append(path)
    readme = out_dir / "README.md"
    readme.write_text(render_readme(result), encoding="utf-8")
    written.append(readme)
    return written


def _field_encodings(msgs: list[CapturedMessage]) -> list[tuple[str, str, str, str]]:
    """(column, Connect type, semantic name, example) from the first row image's schema."""
    for m in msgs:
        if m.value is None or m.value["payload"].get("after") is None:
            continue
        after_schema = next(f for f in m.value["schema"]["fields"] if f["field"] == "after")
        row = m.value["payload"]["after"]
        return [
            (
                f["field"],
                f["type"] + ("" if f.get("optional") else ", required"),
                f.get("name", ""),
                json.dumps(row[f["field"]], ensure_ascii=False),
            )
            for f in after_schema["fields"]
        ]
    return []


def render_readme(result: CaptureResult) -> str:
    v = result.versions
    lines = [
        "# Debezium change events captured from a real PostgreSQL",
        "",
        "Produced by `python -m cdc_capture` (tools/cdc_capture) with "
        f"Debezium {v['debezium.version']} (PostgreSQL connector, pgoutput), "
        f"Kafka Connect {v['kafka.version']} standalone and a Kafka {v['kafka.version']} broker, "
        f"PostgreSQL {v['postgresql']}, Java {v['java']}. "
        f"Capture took {result.seconds:.0f} s. "
        "Rerun from the repository root with `make cdc-fixtures`, i.e. "
        "`PYTHONPATH=tools .venv/bin/python -m cdc_capture` "
        "(needs `apt-get install postgresql`, Java 17+, Maven; as root the server runs as the `postgres` OS user).",
        "",
        "Each `.jsonl` file holds one topic, one Kafka message per line in offset order:",
        '`{"topic", "partition", "offset", "key", "value"}`. `key` and `value` are the',
        "message bytes parsed as JSON (JsonConverter with `schemas.enable=true`, so each is",
        '`{"schema": ..., "payload": ...}`); a tombstone has `"value": null`.',
        "",
        "The database changes are deterministic (tools/cdc_capture/scenario.py, seeded);",
        "what the database and Debezium stamp themselves differs per run: `ts_ms`,",
        "`ts_us`, `ts_ns`, `source.ts_*`, `source.lsn`, `source.txId`, `source.sequence`.",
        "",
        "## Messages",
        "",
        "| topic | messages | by operation |",
        "| --- | ---: | --- |",
    ]
    for topic, msgs in sorted(result.messages.items()):
        ops = Counter(operation_of(m.value) for m in msgs)
        by_op = ", ".join(f"{op}: {n}" for op, n in sorted(ops.items()))
        lines.append(f"| {topic} | {len(msgs)} | {by_op} |")
    lines += [
        "",
        "Snapshot rows arrive as `r`, then `c`/`u`/`d` from the streamed changes; each `d` is",
        "followed by a tombstone with the same key. `TRUNCATE TABLE orders` at the end arrives",
        "as one `t` event (with `skipped.operations=none`; Debezium's default skips truncates).",
        "Both tables use `REPLICA IDENTITY FULL`, so `before` holds the whole old row.",
        "",
        "## How columns are encoded",
        "",
    ]
    for topic, msgs in sorted(result.messages.items()):
        lines += [f"`{topic}` (`payload.after`):", "", "| column | Connect type | semantic type | example |",
                  "| --- | --- | --- | --- |"]
        for name, ctype, semantic, example in _field_encodings(msgs):
            lines.append(f"| {name} | {ctype} | {semantic or '—'} | `{example}` |")
        lines.append("")
    lines += [
        "So: NUMERIC(10,2) is a decimal string (`decimal.handling.mode=string`, chosen for exact",
        "and readable values; the default `precise` would send base64 of the unscaled integer);",
        "TIMESTAMP is `io.debezium.time.MicroTimestamp`, microseconds since the epoch with no time zone;",
        "TIMESTAMPTZ is `io.debezium.time.ZonedTimestamp`, an ISO-8601 string in UTC.",
        "",
        "## Connector settings",
        "",
        "```properties",
        *(f"{k}={val}" for k, val in result.connector.items()),
        "```",
        "",
        "Worker: `key.converter`/`value.converter` = "
        f"`{result.worker['value.converter']}`, `schemas.enable=true` for both.",
        "",
    ]
    return "\n".join(lines)
