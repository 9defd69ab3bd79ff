"""Helpers for lesson doctests that talk to a real Kafka broker.

Lesson code is written for the course environment, where the broker is
``kafka:9092`` (inside the docker compose network) or ``localhost:9092``
(from the host).  Doctests run against whatever broker the harness provides
(``python -m debezium_course.kafka_broker exec`` or ``make doctest`` set
``KAFKA_BOOTSTRAP_SERVERS``).  ``map_course_addresses()``, called from
conf.py's hidden ``doctest_global_setup``, makes the confluent_kafka client
classes translate the course addresses to that broker, so the code students
read is exactly the code that ran.

``reset_lesson()`` gives a lesson a clean slate (its topics and consumer
groups deleted) so a rerun against a long-lived broker never sees data or
offsets from an earlier run; the lesson then creates its topics in code the
student sees, and a hidden ``await_topics()`` waits until they are usable.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping

import confluent_kafka
import confluent_kafka.admin
from debezium_course.kafka_broker import BOOTSTRAP_SERVERS_ENV as ENV_VAR

COURSE_ADDRESSES = frozenset({"kafka:9092", "localhost:9092"})

# Client classes implemented in C (confluent_kafka.cimpl): their attributes
# cannot be changed, so the package attribute is replaced by a thin subclass.
_C_CLIENT_CLASSES = ("Producer", "Consumer", "ShareConsumer")
# Client classes written in Python: they call ``super(AdminClient, self)``,
# which looks the class up by its module-level name, so replacing that name
# with a subclass would recurse. Their __init__ is wrapped in place instead.
_PY_CLIENT_CLASSES = (
    (confluent_kafka.admin, "AdminClient"),
    (confluent_kafka, "SerializingProducer"),
    (confluent_kafka, "DeserializingConsumer"),
    (confluent_kafka, "DeserializingShareConsumer"),
)
# Marks our subclasses and wrappers, so a second call wraps nothing twice.
_MARK = "_course_address_mapping"


class KafkaAddressError(RuntimeError):
    """No broker to run lesson code against."""


def test_broker_address() -> str:
    """The broker the doctests use, from KAFKA_BOOTSTRAP_SERVERS."""
    address = os.environ.get(ENV_VAR, "").strip()
    if not address:
        raise KafkaAddressError(
            f"{ENV_VAR} is not set, so lesson code has no Kafka broker to talk to. "
            "Run the doctests with `make doctest` or "
            "`python -m debezium_course.kafka_broker exec -- sphinx-build ...`, "
            f"or set {ENV_VAR}=host:port to use a running broker."
        )
    return address


test_broker_address.__test__ = False  # not a pytest test despite its name


def translate_config(config: Mapping) -> dict:
    """A copy of a client config with course addresses replaced by the test broker."""
    translated = dict(config)
    for key in ("bootstrap.servers", "metadata.broker.list"):
        value = translated.get(key)
        if not isinstance(value, str):
            continue
        servers = [server.strip() for server in value.split(",") if server.strip()]
        if any(server in COURSE_ADDRESSES for server in servers):
            broker = test_broker_address()
            mapped = []
            for server in servers:
                replacement = broker if server in COURSE_ADDRESSES else server
                if replacement not in mapped:
                    mapped.append(replacement)
            translated[key] = ",".join(mapped)
    return translated


def _translating_init(original_init):
    def __init__(self, *args, **kwargs):
        if args and isinstance(args[0], Mapping):
            args = (translate_config(args[0]),) + args[1:]
        if kwargs:
            kwargs = translate_config(kwargs)
        original_init(self, *args, **kwargs)

    __init__.__doc__ = original_init.__doc__
    setattr(__init__, _MARK, True)
    return __init__


def map_course_addresses() -> None:
    """Make confluent_kafka clients use KAFKA_BOOTSTRAP_SERVERS for course addresses.

    Idempotent: the doctest global setup runs it once per doctest group.
    Raises KafkaAddressError when KAFKA_BOOTSTRAP_SERVERS is not set.
    """
    test_broker_address()
    for name in _C_CLIENT_CLASSES:
        original = getattr(confluent_kafka, name, None)
        if original is None or getattr(original, _MARK, False):
            continue
        # Same name and module as the original, so reprs and tracebacks in
        # lesson output look like plain confluent_kafka.
        subclass = type(name, (original,), {
            "__init__": _translating_init(original.__init__),
            "__module__": original.__module__,
            "__qualname__": original.__qualname__,
            "__doc__": original.__doc__,
            _MARK: True,
        })
        setattr(confluent_kafka, name, subclass)
    for module, name in _PY_CLIENT_CLASSES:
        cls = getattr(module, name, None)
        if cls is None or getattr(cls.__dict__.get("__init__"), _MARK, False):
            continue
        cls.__init__ = _translating_init(cls.__init__)


def _admin() -> confluent_kafka.admin.AdminClient:
    return confluent_kafka.admin.AdminClient({"bootstrap.servers": test_broker_address()})


def _wait(futures: Mapping, ignore: Iterable[int] = ()) -> None:
    ignored = set(ignore)
    for future in futures.values():
        try:
            future.result()
        except confluent_kafka.KafkaException as exc:
            if exc.args[0].code() not in ignored:
                raise


def reset_lesson(prefix: str, *, timeout: float = 60.0) -> None:
    """Give a lesson a clean broker state: delete every topic and consumer
    group whose name starts with ``prefix`` (including those an earlier run
    created on the fly), and return once their names can be created again.
    The lesson creates its topics itself, in code the student sees."""
    if not prefix:
        raise ValueError("a lesson prefix is required, e.g. 'm5l1-'")
    admin = _admin()
    err = confluent_kafka.KafkaError
    deadline = time.monotonic() + timeout

    groups = admin.list_consumer_groups(request_timeout=timeout).result()
    group_ids = [g.group_id for g in groups.valid if g.group_id.startswith(prefix)]
    if group_ids:
        _wait(admin.delete_consumer_groups(group_ids, request_timeout=timeout),
              ignore=(err.GROUP_ID_NOT_FOUND,))

    existing = [t for t in admin.list_topics(timeout=timeout).topics if t.startswith(prefix)]
    if not existing:
        return
    _wait(admin.delete_topics(existing, operation_timeout=timeout), ignore=(err.UNKNOWN_TOPIC_OR_PART,))
    # Deletion is asynchronous: a name can be gone from the metadata while
    # the controller still refuses to create it (TOPIC_ALREADY_EXISTS). A
    # validate-only creation asks the controller itself, and creates nothing.
    probe = [confluent_kafka.admin.NewTopic(name, num_partitions=1, replication_factor=1) for name in existing]
    while True:
        futures = admin.create_topics(probe, operation_timeout=timeout, validate_only=True)
        try:
            _wait(futures)
            return
        except confluent_kafka.KafkaException as exc:
            if exc.args[0].code() != err.TOPIC_ALREADY_EXISTS:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics {existing} were not deleted within {timeout} s")
        time.sleep(0.1)


def await_topics(topics: Mapping[str, int], *, timeout: float = 60.0) -> None:
    """Wait until ``topics`` ({name: partitions}) have every partition with a
    leader in the broker's metadata. Creation is acknowledged before that,
    and a consumer subscribing earlier gets UNKNOWN_TOPIC_OR_PART."""
    admin = _admin()
    deadline = time.monotonic() + timeout
    while not _all_have_leaders(admin, topics, timeout):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics {list(topics)} have no partition leaders after {timeout} s")
        time.sleep(0.1)


def _all_have_leaders(admin, topics: Mapping[str, int], timeout: float) -> bool:
    metadata = admin.list_topics(timeout=timeout).topics
    for name, partitions in topics.items():
        topic = metadata.get(name)
        if topic is None or topic.error is not None or len(topic.partitions) != partitions:
            return False
        if any(partition.leader < 0 for partition in topic.partitions.values()):
            return False
    return True
