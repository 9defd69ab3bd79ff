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
from confluent_kafka.admin import AdminClient, NewTopic

from debezium_course.kafka_broker import KafkaBroker, kafka_version
from debezium_course.local_services import java_version

from . import scenario
from .connect import ConnectStandalone, connect_java, pom_versions
from .postgres import SUPERUSER, PostgresServer
from .variants import BASE, JSON_CONVERTER, Variant

log = logging.getLogger(__name__)

TOPIC_PREFIX = "inventory"
CONNECTOR_NAME = "inventory-connector"
TOPICS = {table: f"{TOPIC_PREFIX}.public.{table}" for table in ("customers", "orders")}
# Where Debezium writes logical decoding messages (pg_logical_emit_message).
MESSAGE_TOPIC = f"{TOPIC_PREFIX}.message"

# What the worker writes (ConnectStandalone.worker_properties); a variant may
# replace the schemas.enable settings.
BASE_CONVERTERS = {
    "key.converter": JSON_CONVERTER,
    "value.converter": JSON_CONVERTER,
    "key.converter.schemas.enable": "true",
    "value.converter.schemas.enable": "true",
}


def topics_for(variant: Variant) -> dict[str, str]:
    """Topic suffix ("customers", "orders", "message") -> topic name captured for a variant."""
    topics = dict(TOPICS)
    if variant.logical_messages:
        topics["message"] = MESSAGE_TOPIC
    return topics


def connector_properties(pg: PostgresServer | None, variant: Variant = BASE) -> dict[str, str]:
    """Debezium settings; everything not listed keeps Debezium's default.

    Without a server (``pg=None``) the run-specific address is left out.
    """
    props = {
        "name": CONNECTOR_NAME,
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": pg.host if pg else "",
        "database.port": str(pg.port) if pg else "",
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
    props.update(variant.connector)
    return props


def rest_api_config(hostname: str = "postgres", port: str = "5432", password: str = "postgres",
                    variant: Variant = BASE) -> dict:
    """The capture's connector as the JSON body of ``POST /connectors`` on Kafka Connect's REST API.

    The worker's converter settings are included as per-connector overrides,
    so the body alone reproduces the captured events on any worker; the
    address and password are the caller's (the capture's own are per run).
    """
    props = connector_properties(None, variant)
    props.update({"database.hostname": hostname, "database.port": port, "database.password": password})
    props.update({**BASE_CONVERTERS, **variant.converters})
    name = props.pop("name")
    return {"name": name, "config": props}


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


def has_envelope(document: dict) -> bool:
    """True for JsonConverter output with schemas.enable=true: ``{"schema": ..., "payload": ...}``."""
    return isinstance(document, dict) and set(document) == {"schema", "payload"}


def payload_of(document: dict | None):
    """The payload of a key or value, with (schemas.enable=true) or without the envelope."""
    if document is None:
        return None
    return document["payload"] if has_envelope(document) else document


def operation_of(value: dict | None) -> str:
    """The operation of a message value: 'c'/'u'/'d'/'r'/'t'/'m', or 'tombstone' for a null value."""
    if value is None:
        return "tombstone"
    return payload_of(value)["op"]


@dataclass
class TopicReader:
    """Reads every message of the capture topics from the beginning, as they arrive."""

    bootstrap_servers: str
    topics: dict[str, str] = field(default_factory=lambda: dict(TOPICS))
    messages: dict[str, list[CapturedMessage]] = field(default_factory=dict)
    _consumer: Consumer | None = None

    def wait_for_topics(self, timeout: float) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        deadline = time.monotonic() + timeout
        # The message topic appears only when the first message is written,
        # long after the snapshot; it is created now with the broker's
        # defaults for auto-created topics (1 partition) so that it is read
        # from its first offset like the others.
        late = [t for t in self.topics.values() if t == MESSAGE_TOPIC]
        if late and MESSAGE_TOPIC not in admin.list_topics(timeout=5).topics:
            admin.create_topics([NewTopic(MESSAGE_TOPIC, 1, 1)])[MESSAGE_TOPIC].result(30)
        while True:
            present = admin.list_topics(timeout=5).topics
            if all(t in present for t in self.topics.values()):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics {sorted(self.topics.values())} not created in {timeout}s")
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
            for topic in self.topics.values()
            for p in present[topic].partitions
        ]
        self._consumer.assign(partitions)
        for topic in self.topics.values():
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
            counts = {t: reader.count(t) for t in reader.topics.values()}
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
    variant: Variant = BASE


def run_capture(keep_workdir: bool = False, variant: Variant = BASE) -> CaptureResult:
    started = time.monotonic()
    plan = scenario.build(**variant.scenario_options())
    topics = topics_for(variant)
    workdir = Path(tempfile.mkdtemp(prefix="cdc-capture-"))
    try:
        with PostgresServer() as pg:
            pg.psql(f"CREATE DATABASE {scenario.DATABASE};")
            pg.psql(plan.setup_sql + "\n".join(plan.snapshot_sql), scenario.DATABASE)
            log.info("inventory database ready: %d rows for the snapshot", plan.snapshot_rows)

            with KafkaBroker() as broker:
                log.info("Kafka broker at %s", broker.bootstrap_servers)
                connect = ConnectStandalone(workdir, broker.bootstrap_servers,
                                            connector_properties(pg, variant), variant.converters)
                reader = TopicReader(broker.bootstrap_servers, topics)
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
                            reader.count(topics[table]) >= n for table, n in plan.expected.items()
                        )

                    _wait_until(reader, connect, all_arrived, 120, "streaming")
                    # Anything beyond the plan (a duplicate, an unexpected event)
                    # would show up now and fail the count check below.
                    reader.poll(3)
                    # ...and so would a topic the capture does not read.
                    unexpected = sorted(
                        t for t in AdminClient({"bootstrap.servers": broker.bootstrap_servers})
                        .list_topics(timeout=10).topics
                        if t.startswith(TOPIC_PREFIX) and t not in topics.values()
                    )
                    if unexpected:
                        raise RuntimeError(f"Debezium wrote to topics the capture does not read: {unexpected}")
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
        got = reader.count(topics[table])
        if got != n:
            raise RuntimeError(f"{topics[table]}: expected {n} messages, captured {got}")

    versions = {
        **{k: v for k, v in pom_versions().items() if k.endswith(".version")},
        "kafka.version": kafka_version(),
        "postgresql": pg_version,
        "java": java_version(connect_java()),
    }
    return CaptureResult(
        messages={t: sorted(ms, key=lambda m: (m.partition, m.offset)) for t, ms in reader.messages.items()},
        versions=versions,
        connector=connector_properties_for_readme(pg, variant),
        worker=worker,
        seconds=time.monotonic() - started,
        variant=variant,
    )


def connector_properties_for_readme(pg: PostgresServer | None, variant: Variant = BASE) -> dict[str, str]:
    return {k: v for k, v in connector_properties(pg, variant).items() if k not in _RUN_SPECIFIC}


# --- output ------------------------------------------------------------------


def variant_dir(fixtures_root: Path, name: str) -> Path:
    """Where a variant's fixtures live: <root>/variants/<name>/ (the base capture: <root>)."""
    return Path(fixtures_root) if name == BASE.name else Path(fixtures_root) / "variants" / name


def write_fixtures(result: CaptureResult, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, msgs in sorted(result.messages.items()):
        path = out_dir / f"{topic}.jsonl"
        path.write_text("".join(m.as_json() + "\n" for m in msgs), encoding="utf-8")
        written.append(path)
    readme = out_dir / "README.md"
    if result.variant.name == BASE.name:
        readme.write_text(render_readme(result), encoding="utf-8")
    else:
        readme.write_text(render_variant_readme(result), encoding="utf-8")
    written.append(readme)
    return written


def _row_image(msg: CapturedMessage) -> dict | None:
    payload = payload_of(msg.value)
    return payload.get("after") if payload else None


def _field_encodings(msgs: list[CapturedMessage]) -> list[tuple[str, str, str, str]]:
    """(column, Connect type, semantic name, example) from the first row image's schema.

    Without a schema in the message (schemas.enable=false) the type columns say so.
    """
    for m in msgs:
        row = _row_image(m)
        if row is None:
            continue
        if not has_envelope(m.value):
            return [(name, "(no schema)", "", json.dumps(val, ensure_ascii=False)) for name, val in row.items()]
        after_schema = next(f for f in m.value["schema"]["fields"] if f["field"] == "after")
        encodings = []
        for f in after_schema["fields"]:
            ctype = f["type"] + ("" if f.get("optional") else ", required")
            semantic = f.get("name", "")
            if f.get("parameters"):
                semantic += " " + json.dumps(f["parameters"], ensure_ascii=False)
            encodings.append((f["field"], ctype, semantic.strip(), json.dumps(row[f["field"]], ensure_ascii=False)))
        return encodings
    return []


def _counts_by_operation(msgs: list[CapturedMessage]) -> str:
    ops = Counter(operation_of(m.value) for m in msgs)
    return ", ".join(f"{op}: {n}" for op, n in sorted(ops.items()))


def _fraction_examples(msgs: list[CapturedMessage]) -> list[str]:
    """How the first snapshot orders' timestamps (fractions .0/.5/.123/.123456) were encoded."""
    rows = sorted(
        (row for m in msgs if operation_of(m.value) == "r" and (row := _row_image(m)) is not None
         and row["id"] <= len(scenario.ORDER_FRACTIONS_US)),
        key=lambda row: row["id"],
    )
    lines = []
    for row in rows:
        fraction = scenario.ORDER_FRACTIONS_US[row["id"] % len(scenario.ORDER_FRACTIONS_US)]
        lines.append(f"| {row['id']} | .{fraction:06d} | `{json.dumps(row['ordered_at'])}` | "
                     f"`{json.dumps(row['updated_at'])}` |")
    return ["| order | fraction written | ordered_at (TIMESTAMP) | updated_at (TIMESTAMPTZ) |",
            "| ---: | --- | --- | --- |", *lines]


def render_readme(result: CaptureResult) -> str:
    v = result.versions
    lines = [
        "# Debezium change events captured from a real PostgreSQL",
        "",
        "Produced by `python -m debezium_course.cdc_capture` (tools/debezium_course/cdc_capture) with "
        f"Debezium {v['debezium.version']} (PostgreSQL connector, pgoutput), "
        f"Kafka Connect {v['kafka.version']} standalone and a Kafka {v['kafka.version']} broker, "
        f"PostgreSQL {v['postgresql']}, Java {v['java']}. "
        f"Capture took {result.seconds:.0f} s. "
        "Rerun from the repository root with `make cdc-fixtures`, i.e. "
        "`.venv/bin/python -m debezium_course.cdc_capture` "
        "(needs `apt-get install postgresql`, Java 17+, Maven; as root the server runs as the `postgres` OS user).",
        "",
        "Each `.jsonl` file holds one topic, one Kafka message per line in offset order:",
        '`{"topic", "partition", "offset", "key", "value"}`. `key` and `value` are the',
        "message bytes parsed as JSON (JsonConverter with `schemas.enable=true`, so each is",
        '`{"schema": ..., "payload": ...}`); a tombstone has `"value": null`.',
        "",
        "The database changes are deterministic (tools/debezium_course/cdc_capture/scenario.py, seeded);",
        "what the database and Debezium stamp themselves differs per run: `ts_ms`,",
        "`ts_us`, `ts_ns`, `source.ts_*`, `source.lsn`, `source.txId`, `source.sequence`.",
        "",
        "The same scenario captured with one setting changed (JsonConverter without schemas,",
        "`decimal.handling.mode` precise/double, `REPLICA IDENTITY DEFAULT`, `time.precision.mode`,",
        "logical decoding messages, `tombstones.on.delete=false`) is in [variants/](variants/README.md).",
        "",
        *_messages_section(result),
        "Snapshot rows arrive as `r`, then `c`/`u`/`d` from the streamed changes; each `d` is",
        "followed by a tombstone with the same key. `TRUNCATE TABLE orders` at the end arrives",
        "as one `t` event (with `skipped.operations=none`; Debezium's default skips truncates).",
        "Both tables use `REPLICA IDENTITY FULL`, so `before` holds the whole old row.",
        "",
        "## How columns are encoded",
        "",
    ]
    for topic, msgs in sorted(result.messages.items()):
        lines += [*_encodings_table(f"`{topic}` (`payload.after`):", msgs), ""]
    lines += [
        "So: NUMERIC(10,2) is a decimal string (`decimal.handling.mode=string`, chosen for exact",
        "and readable values; the default `precise` would send base64 of the unscaled integer);",
        "TIMESTAMP is `io.debezium.time.MicroTimestamp`, microseconds since the epoch with no time zone;",
        "TIMESTAMPTZ is `io.debezium.time.ZonedTimestamp`, an ISO-8601 string in UTC.",
        "",
        "Orders are written with fractional seconds that depend on the id (whole seconds,",
        "half a second, milliseconds, microseconds); the first snapshot rows show how each arrived:",
        "",
        *_fraction_examples(result.messages.get(TOPICS["orders"], [])),
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


def _messages_section(result: CaptureResult) -> list[str]:
    """The README's "Messages" section: a row per topic, then a blank line."""
    lines = ["## Messages", "", "| topic | messages | by operation |", "| --- | ---: | --- |"]
    for topic, msgs in sorted(result.messages.items()):
        lines.append(f"| {topic} | {len(msgs)} | {_counts_by_operation(msgs)} |")
    return [*lines, ""]


def _encodings_table(caption: str, msgs) -> list[str]:
    """How each column of a topic's row images is encoded, with an example."""
    lines = [caption, "", "| column | Connect type | semantic type | example |", "| --- | --- | --- | --- |"]
    for name, ctype, semantic, example in _field_encodings(msgs):
        lines.append(f"| {name} | {ctype} | {semantic or '—'} | `{example}` |")
    return lines


def render_variant_readme(result: CaptureResult) -> str:
    variant, v = result.variant, result.versions
    base = connector_properties_for_readme(None)
    changed = {k: val for k, val in result.connector.items() if base.get(k) != val}
    lines = [
        f"# Fixture variant `{variant.name}`",
        "",
        f"The scenario of the base capture (../../README.md) with one difference: {variant.setting}.",
        f"Captured by `python -m debezium_course.cdc_capture --variant {variant.name}` with Debezium {v['debezium.version']}, "
        f"Kafka Connect {v['kafka.version']}, PostgreSQL {v['postgresql']}, Java {v['java']}; "
        f"the capture took {result.seconds:.0f} s. Same `.jsonl` format as the base capture.",
        "",
        variant.observed,
        "",
        *_messages_section(result),
        "## How columns are encoded",
        "",
    ]
    orders = result.messages[TOPICS["orders"]]
    lines += [*_encodings_table(f"`{TOPICS['orders']}` (`after`):", orders), "", *_fraction_examples(orders), ""]
    lines += [
        "## Settings that differ from the base capture",
        "",
        "```properties",
        *(f"{k}={val}" for k, val in changed.items()),
        *(f"{k}={val}" for k, val in variant.converters.items()),
        "```",
        "",
    ]
    if not variant.replica_identity_full:
        lines += ["The tables keep PostgreSQL's default `REPLICA IDENTITY` (the primary key).", ""]
    if variant.logical_messages:
        lines += [f"Statements added before the TRUNCATE: `pg_logical_emit_message(false, "
                  f"'{scenario.MESSAGE_PREFIX}', '{scenario.NON_TRANSACTIONAL_MESSAGE}')`, then in a "
                  f"transaction `pg_logical_emit_message(true, '{scenario.MESSAGE_PREFIX}', "
                  f"'{scenario.TRANSACTIONAL_MESSAGE}')`.", ""]
    return "\n".join(lines)


def load_topic_file(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def render_variants_index(fixtures_root: Path) -> str:
    """variants/README.md: one row per variant, counted from the files on disk."""
    from .variants import VARIANTS

    lines = [
        "# Fixture variants",
        "",
        "The base scenario (../README.md) captured again with one setting changed, so that",
        "consumers (lesson 5.2's code, tests/test_lesson_event_variants.py) are checked against",
        "every event shape common Debezium setups produce. `make cdc-fixtures` captures the base",
        "and every variant; `make cdc-fixtures VARIANT=<name>` one of them. Each directory has",
        "the same `.jsonl` files as the base capture and a README with the encodings.",
        "",
        "| variant | what differs | messages (customers / orders / message) | how the events differ |",
        "| --- | --- | --- | --- |",
    ]
    for name, variant in VARIANTS.items():
        directory = variant_dir(fixtures_root, name)
        counts = []
        for topic in (TOPICS["customers"], TOPICS["orders"], MESSAGE_TOPIC):
            path = directory / f"{topic}.jsonl"
            counts.append(str(len(load_topic_file(path))) if path.exists() else "—")
        captured = (directory / "README.md").exists()
        observed = variant.observed if captured else "(not captured yet)"
        lines.append(f"| [`{name}`]({name}/README.md) | {variant.setting} | {' / '.join(counts)} | {observed} |")
    lines.append("")
    return "\n".join(lines)


def write_variants_index(fixtures_root: Path) -> Path:
    path = Path(fixtures_root) / "variants" / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_variants_index(fixtures_root), encoding="utf-8")
    return path
