"""The test broker (tools/debezium_course/kafka_broker) and the doctest address mapping
(tools/debezium_course/doctest_kafka.py) against a real Kafka broker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import confluent_kafka
import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from debezium_course import doctest_kafka
from debezium_course import kafka_broker
from debezium_course.kafka_broker import KafkaBroker, KafkaBrokerError

ROOT = Path(__file__).resolve().parents[1]


def unique(name: str) -> str:
    # The session broker may be a long-lived external one: never reuse names.
    return f"test-{name}-{uuid.uuid4().hex[:8]}"


def create_topic(bootstrap: str, topic: str, partitions: int = 1) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(30)
    # Creation is acknowledged before every partition has a leader in the
    # metadata; a consumer subscribing earlier gets UNKNOWN_TOPIC_OR_PART.
    deadline = time.monotonic() + 30
    while True:
        metadata = admin.list_topics(topic, timeout=30).topics[topic]
        if metadata.error is None and len(metadata.partitions) == partitions and all(
                p.leader >= 0 for p in metadata.partitions.values()):
            return
        assert time.monotonic() < deadline, f"topic {topic} has no leaders after 30 s"
        time.sleep(0.1)


def produce(bootstrap: str, topic: str, values: list[str]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for value in values:
        producer.produce(topic, value=value)
    assert producer.flush(30) == 0, "messages left undelivered"


def consume(bootstrap: str, topic: str, group: str, count: int, *, commit: bool = False, timeout: float = 30.0) -> list[str]:
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    values: list[str] = []
    try:
        for msg in iter(lambda: consumer.poll(timeout) if len(values) < count else None, None):
            if msg.error():
                raise confluent_kafka.KafkaException(msg.error())
            values.append(msg.value().decode())
        if commit and values:
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    return values


def committed(bootstrap: str, topic: str, group: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        [position] = consumer.committed([TopicPartition(topic, 0)], timeout=30)
        return position.offset
    finally:
        consumer.close()


def test_produce_consume_round_trip(kafka_broker):
    topic = unique("round-trip")
    create_topic(kafka_broker.bootstrap_servers, topic)
    sent = [f"message-{n}" for n in range(10)]
    produce(kafka_broker.bootstrap_servers, topic, sent)
    assert consume(kafka_broker.bootstrap_servers, topic, unique("group"), len(sent)) == sent


def test_outage_keeps_port_data_and_committed_offsets_and_cleanup_removes_all():
    broker = KafkaBroker()
    with broker:
        address, pid_before, work_dir = broker.bootstrap_servers, broker.pid, broker.work_dir
        assert (work_dir / "data").is_dir() and (work_dir / "server.properties").is_file()
        topic, group = "outage-topic", "outage-group"
        create_topic(address, topic)
        produce(address, topic, [f"v{n}" for n in range(5)])
        assert consume(address, topic, group, 3, commit=True) == ["v0", "v1", "v2"]

        broker.stop()  # the outage
        assert not broker.is_running()
        assert not Path(f"/proc/{pid_before}").exists(), "the broker process outlived stop()"
        admin = AdminClient({"bootstrap.servers": address, "log_level": 0})
        with pytest.raises(confluent_kafka.KafkaException) as raised:
            admin.list_topics(timeout=2)
        assert raised.value.args[0].code() == KafkaError._TRANSPORT

        broker.start()  # the same broker comes back
        assert broker.bootstrap_servers == address and broker.pid != pid_before
        assert committed(address, topic, group) == 3
        # The group resumes after its committed offset; a new group sees all data.
        assert consume(address, topic, group, 2, commit=True) == ["v3", "v4"]
        assert consume(address, topic, "fresh-group", 5) == [f"v{n}" for n in range(5)]

        pid_after = broker.pid
        broker.restart()  # restart() is stop() + start()
        assert broker.bootstrap_servers == address and broker.pid != pid_after
        assert committed(address, topic, group) == 5
        last_pid = broker.pid
    assert not work_dir.exists()
    assert not Path(f"/proc/{last_pid}").exists(), "the broker process outlived the with block"


def test_missing_java_names_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java, no mvn
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(KafkaBrokerError) as raised:
        KafkaBroker().start()
    message = str(raised.value)
    assert "`java` not found" in message
    assert "apt-get install openjdk-17-jre-headless maven" in message
    assert "KAFKA_BOOTSTRAP_SERVERS" in message


def test_missing_maven_for_an_empty_cache_names_what_to_install(monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))  # no mvn
    monkeypatch.setattr(kafka_broker, "CACHE_ROOT", tmp_path / "cache")
    with pytest.raises(KafkaBrokerError) as raised:
        kafka_broker.ensure_jars()
    assert "`mvn` not found" in str(raised.value)
    assert "maven" in str(raised.value)


CHILD = (
    "import os, sys\n"
    "from confluent_kafka.admin import AdminClient\n"
    "address = os.environ['KAFKA_BOOTSTRAP_SERVERS']\n"
    "brokers = AdminClient({'bootstrap.servers': address}).list_topics(timeout=30).brokers\n"
    "print(address, len(brokers))\n"
    "sys.exit(int(sys.argv[1]))\n"
)


def run_exec(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "debezium_course.kafka_broker", "exec", "--", sys.executable, "-c", CHILD, *args],
        capture_output=True, text=True, timeout=180,
        env=env,
    )


def test_exec_uses_the_broker_already_named_in_the_environment(kafka_broker):
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers}
    result = run_exec("7", env=env)
    assert result.returncode == 7, result.stderr
    assert result.stdout.split() == [kafka_broker.bootstrap_servers, "1"]


def test_exec_starts_a_broker_for_the_command_and_stops_it():
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    result = run_exec("3", env=env)
    assert result.returncode == 3, result.stderr
    address, broker_count = result.stdout.split()
    assert re.fullmatch(r"127\.0\.0\.1:\d+", address) and broker_count == "1"
    pid = int(re.search(r"\(pid (\d+)\)", result.stderr).group(1))
    assert not Path(f"/proc/{pid}").exists(), "exec left the broker running"


def restore_client_classes_after_the_test(monkeypatch) -> None:
    """map_course_addresses() changes confluent_kafka for the whole process;
    setting each attribute it replaces to its own value makes monkeypatch put
    the original back, so no later test depends on running before this one."""
    for name in doctest_kafka._C_CLIENT_CLASSES:
        if hasattr(confluent_kafka, name):
            monkeypatch.setattr(confluent_kafka, name, getattr(confluent_kafka, name))
    for module, name in doctest_kafka._PY_CLIENT_CLASSES:
        cls = getattr(module, name, None)
        if cls is not None:
            monkeypatch.setattr(cls, "__init__", cls.__init__)


def test_course_addresses_reach_the_test_broker(kafka_broker, monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_broker.bootstrap_servers)
    restore_client_classes_after_the_test(monkeypatch)
    doctest_kafka.map_course_addresses()
    doctest_kafka.map_course_addresses()  # idempotent: no double wrapping
    assert confluent_kafka.Producer.__bases__ == (confluent_kafka.cimpl.Producer,)

    topic = unique("course-address")
    create_topic(kafka_broker.bootstrap_servers, topic)
    # Exactly how lesson code is written: the course's own addresses.
    producer = confluent_kafka.Producer({"bootstrap.servers": "kafka:9092"})
    producer.produce(topic, value=b"hello")
    assert producer.flush(30) == 0
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": "localhost:9092",
        "group.id": unique("group"),
        "auto.offset.reset": "earliest",
    })
    consumer.subscribe([topic])
    msg = consumer.poll(30)
    consumer.close()
    assert msg is not None and msg.error() is None and msg.value() == b"hello"
    admin = confluent_kafka.admin.AdminClient({"bootstrap.servers": "kafka:9092"})
    assert topic in admin.list_topics(timeout=30).topics
    # Any other address is left alone.
    assert doctest_kafka.translate_config({"bootstrap.servers": "broker-1:9093"}) == {"bootstrap.servers": "broker-1:9093"}


def test_course_addresses_without_a_broker_say_how_to_get_one(monkeypatch):
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    with pytest.raises(doctest_kafka.KafkaAddressError, match="make doctest"):
        doctest_kafka.map_course_addresses()


def test_after_reset_lesson_a_lesson_creates_its_topics_again_at_once(kafka_broker, monkeypatch):
    address = kafka_broker.bootstrap_servers
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", address)
    prefix = unique("lesson") + "-"
    topic, group = prefix + "events", prefix + "group"
    admin = AdminClient({"bootstrap.servers": address})

    def create_as_a_lesson_does():
        for future in admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)]).values():
            future.result()  # TOPIC_ALREADY_EXISTS here if the reset returned too early
        doctest_kafka.await_topics({topic: 2})

    doctest_kafka.reset_lesson(prefix)
    create_as_a_lesson_does()
    produce(address, topic, ["old"])
    assert consume(address, topic, group, 1, commit=True) == ["old"]

    # Reruns against the same broker: each reset frees the name for the next creation.
    for _ in range(3):
        doctest_kafka.reset_lesson(prefix)
        create_as_a_lesson_does()

    assert len(admin.list_topics(topic, timeout=30).topics[topic].partitions) == 2
    groups = admin.list_consumer_groups(request_timeout=30).result()
    assert group not in {g.group_id for g in groups.valid}
    produce(address, topic, ["new"])
    assert consume(address, topic, group, 1) == ["new"]


def test_cluster_ids_are_never_taken_for_command_line_options():
    # One in 64 random ids starts with "-"; StorageTool then rejects --cluster-id.
    ids = {kafka_broker._random_cluster_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert all(len(cluster_id) == 22 and not cluster_id.startswith("-") for cluster_id in ids)
