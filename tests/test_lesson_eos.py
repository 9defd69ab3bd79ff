"""Lesson 5.1's exactly-once enricher as a real test, beyond its doctest.

The doctest shows each error path once, with every batch holding all new
payments. Here the same code runs with batches smaller than the input, so a
batch takes messages from the three partitions of the input topic in whatever
order the fetches deliver them, and transactions fail at arbitrary points.
The code is not a copy: the test executes the lesson's own code blocks (the
enricher and ``read_keys``), with the course address mapped to the test
broker, and only renames topics, group and ``transactional.id`` so that it
does not collide with other users of the shared broker.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import re
import time
import uuid
from pathlib import Path

import pytest
from debezium_course.myst_sources import myst_fences
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "docs" / "05-module-5" / "01-advanced-python-consumer.md"

# The lesson blocks the test runs, identified by what they define.
ENRICHER_BLOCK = "def run_in_transaction("
READER_BLOCK = "def read_keys("
PARTITIONS = 3


def lesson_block(marker: str) -> str:
    blocks = [body for _line, _options, body in myst_fences(LESSON.read_text(encoding="utf-8"), "testcode")]
    matching = [block for block in blocks if marker in block]
    assert len(matching) == 1, f"expected one lesson block with {marker!r}, found {len(matching)}"
    return matching[0]


def definitions_only(block: str) -> str:
    """The block's imports, functions and classes, without the demo that
    follows them in the lesson."""
    kept = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    module = ast.parse(block)
    module.body = [node for node in module.body if isinstance(node, kept)]
    return ast.unparse(module)


def mapped(client_class, bootstrap: str):
    """The client class with the course address replaced by the test broker."""

    class Mapped(client_class):
        def __init__(self, config):
            super().__init__({**config, "bootstrap.servers": bootstrap})

    return Mapped


class Enricher:
    """The lesson's enricher code in a namespace of its own, on its own topics."""

    def __init__(self, bootstrap: str):
        name = f"eos-test-{uuid.uuid4().hex[:8]}"
        self.bootstrap = bootstrap
        self.input, self.output, self.group = f"{name}-in", f"{name}-out", f"{name}-group"
        admin = AdminClient({"bootstrap.servers": bootstrap})
        futures = admin.create_topics([NewTopic(self.input, PARTITIONS, 1), NewTopic(self.output, 1, 1)])
        for future in futures.values():
            future.result(30)
        # What the lesson's earlier blocks provide to these two.
        self.ns = {
            "json": json, "time": time, "log": logging.getLogger("m5l1.consumer"),
            "KafkaError": KafkaError, "KafkaException": KafkaException,
            "Consumer": mapped(Consumer, bootstrap), "Producer": mapped(Producer, bootstrap),
        }
        exec(lesson_block(ENRICHER_BLOCK), self.ns)
        exec(definitions_only(lesson_block(READER_BLOCK)), self.ns)
        self.ns["INPUT_TOPIC"], self.ns["OUTPUT_TOPIC"] = self.input, self.output
        self.ns["EOS_PRODUCER_CONFIG"] = {**self.ns["EOS_PRODUCER_CONFIG"], "transactional.id": f"{name}-txn"}
        self.consumer_config = {**self.ns["EOS_CONSUMER_CONFIG"], "group.id": self.group}
        # The end of the input shows up as an empty batch: wait 3 s for it, not 15.
        self.ns["next_batch"] = functools.partial(self.ns["next_batch"], timeout=3.0)

    def produce_payments(self, count: int) -> dict[int, int]:
        """Payments 0..count-1; records where each landed in self.locations
        ({key: (partition, offset)}) and returns the end offset per partition."""
        producer = Producer({"bootstrap.servers": self.bootstrap})
        self.locations: dict[str, tuple[int, int]] = {}

        def delivered(err, msg):
            assert err is None, err
            self.locations[msg.key().decode()] = (msg.partition(), msg.offset())

        for n in range(count):
            payment = {"payment_id": n, "amount": 1000 + 10 * n}
            producer.produce(self.input, key=f"payment-{n}", value=json.dumps(payment), on_delivery=delivered)
        assert producer.flush(30) == 0
        return self.end_offsets()

    def start_group_at(self, starts: dict[int, int]) -> None:
        """The enricher's consumer starts at these offsets ({partition: offset})
        instead of the beginning, as a new group with auto.offset.reset=latest,
        or one started from a timestamp, would: on_assign places it there."""

        class StartsMidTopic(self.ns["Consumer"]):
            def subscribe(self, topics, **callbacks):
                assert not callbacks, "the lesson's enricher passes no rebalance callbacks"

                def on_assign(consumer, partitions):
                    for tp in partitions:
                        tp.offset = starts[tp.partition]
                    consumer.assign(partitions)

                super().subscribe(topics, on_assign=on_assign)

        self.ns["Consumer"] = StartsMidTopic

    def end_offsets(self) -> dict[int, int]:
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"{self.group}-probe"})
        try:
            return {p: consumer.get_watermark_offsets(TopicPartition(self.input, p), timeout=10)[1]
                    for p in range(PARTITIONS)}
        finally:
            consumer.close()

    def committed(self) -> dict[int, int]:
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": self.group})
        try:
            tps = [TopicPartition(self.input, p) for p in range(PARTITIONS)]
            return {tp.partition: tp.offset for tp in consumer.committed(tps, timeout=10)}
        finally:
            consumer.close()

    def run(self, transform, **kwargs) -> None:
        self.ns["run_enricher"](transform, consumer_config=self.consumer_config, **kwargs)

    def output_keys(self, isolation_level: str = "read_committed") -> list[str]:
        return self.ns["read_keys"](self.output, isolation_level)

    def enrich(self, payment: dict) -> dict:
        return {**payment, "fee": round(payment["amount"] * 0.015, 2)}


@pytest.fixture
def enricher(kafka_broker) -> Enricher:
    return Enricher(kafka_broker.bootstrap_servers)


def status_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\d+ payments from partitions ", line)]


def batch_partitions(line: str) -> list[int]:
    """The partitions a status line says its batch came from."""
    listed = re.match(r"\d+ payments from partitions \[([\d, ]*)\]", line).group(1)
    return [int(p) for p in listed.split(",") if p.strip()]


def rewound_to(line: str) -> dict[int, int]:
    """{partition: offset sought} from a status line's 'rewound p0: 5->2, ...'."""
    moves = re.search(r"rewound (.*)$", line).group(1)
    return {int(p): int(to) for p, _from, to in re.findall(r"p(\d+): (-?\d+)->(-?\d+)", moves)}


def test_small_batches_over_three_partitions_every_payment_exactly_once(enricher, capsys):
    ends = enricher.produce_payments(60)
    assert all(ends.values()), f"every partition should get payments: {ends}"
    fails_once = {5, 23, 41, 59}

    def flaky(payment):
        if payment["payment_id"] in fails_once:
            fails_once.discard(payment["payment_id"])
            raise enricher.ns["TransformError"](f"payment {payment['payment_id']} failed once")
        return enricher.enrich(payment)

    enricher.run(flaky, max_batches=100, batch_size=7)
    lines = status_lines(capsys.readouterr().out)

    aborted = [line for line in lines if ": aborted (" in line]
    assert len(aborted) == 4, lines
    for line in aborted:  # the rewind covers every partition of the batch, not only one
        assert set(batch_partitions(line)) <= set(rewound_to(line)), line
    committed = [line for line in lines if line.endswith(": committed")]
    assert sum(int(line.split()[0]) for line in committed) == 60, lines
    assert len(committed) + len(aborted) == len(lines), lines

    keys = enricher.output_keys()
    assert sorted(keys) == sorted(f"payment-{n}" for n in range(60))
    assert enricher.committed() == ends


def test_fenced_producer_is_replaced_and_the_batch_redone(enricher, capsys):
    ends = enricher.produce_payments(30)
    twin_at = {12}

    def enrich_while_twin_starts(payment):
        if payment["payment_id"] in twin_at:
            twin_at.discard(payment["payment_id"])
            twin = enricher.ns["Producer"](enricher.ns["EOS_PRODUCER_CONFIG"])
            twin.init_transactions(10)
            twin.close()
        return enricher.enrich(payment)

    enricher.run(enrich_while_twin_starts, max_batches=100, batch_size=8)
    lines = status_lines(capsys.readouterr().out)

    fenced = [line for line in lines if "_FENCED fatal=True; new producer, rewound" in line]
    assert len(fenced) == 1, lines
    assert sorted(enricher.output_keys()) == sorted(f"payment-{n}" for n in range(30))
    assert enricher.committed() == ends


def test_gives_up_after_max_failures_in_a_row(enricher, capsys):
    enricher.produce_payments(10)

    def always_fails(payment):
        raise enricher.ns["TransformError"]("fraud service down")

    with pytest.raises(RuntimeError, match="3 transactions in a row failed"):
        enricher.run(always_fails, max_batches=100)
    lines = status_lines(capsys.readouterr().out)
    assert len(lines) == enricher.ns["MAX_FAILURES"], lines
    assert enricher.output_keys("read_uncommitted") == []
    assert set(enricher.committed().values()) == {-1001}


def test_rewind_of_a_group_without_commits_goes_back_only_to_the_batch(enricher, capsys):
    """A group that starts mid-topic and aborts its very first transaction
    (nothing committed yet) redoes that batch only: the rewind goes to the
    batch's first offset per partition, never to the start of the partition."""
    ends = enricher.produce_payments(30)
    starts = {p: end // 2 for p, end in ends.items()}
    assert all(starts.values()), f"every partition should have history before the start: {ends}"
    enricher.start_group_at(starts)
    first_call = []

    def first_transform_fails(payment):
        if not first_call:
            first_call.append(payment["payment_id"])
            raise enricher.ns["TransformError"]("the first batch fails once")
        return enricher.enrich(payment)

    enricher.run(first_transform_fails, max_batches=100, batch_size=7)
    lines = status_lines(capsys.readouterr().out)

    [aborted] = [line for line in lines if ": aborted (" in line]
    assert lines[0] == aborted, lines
    rewound = rewound_to(aborted)
    assert rewound, aborted
    for partition, offset in rewound.items():
        assert offset == starts[partition], aborted  # where the group started, not 0
    assert set(rewound) == set(batch_partitions(aborted)), aborted  # untouched ones stay

    expected = sorted(key for key, (p, offset) in enricher.locations.items() if offset >= starts[p])
    assert sorted(enricher.output_keys()) == expected
    assert enricher.committed() == ends
