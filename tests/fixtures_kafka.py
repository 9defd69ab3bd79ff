"""pytest plugin: real Kafka brokers for tests.

Registered from tests/conftest.py with ``pytest_plugins``.

- ``kafka_broker`` (session): the broker named by KAFKA_BOOTSTRAP_SERVERS
  (``make test`` starts one with ``python -m debezium_course.kafka_broker exec``), otherwise a
  KafkaBroker started for the session.  Tests share it, so they use their own
  topic and group names.
- ``restartable_kafka_broker`` (function): always a broker of the test's own,
  which the test may stop(), start() and restart().
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from debezium_course.kafka_broker import BOOTSTRAP_SERVERS_ENV, KafkaBroker


@dataclass(frozen=True)
class ExternalKafkaBroker:
    """A broker this test run did not start and must not stop."""

    bootstrap_servers: str


@pytest.fixture(scope="session")
def kafka_broker():
    address = os.environ.get(BOOTSTRAP_SERVERS_ENV, "").strip()
    if address:
        yield ExternalKafkaBroker(address)
        return
    with KafkaBroker() as broker:
        yield broker


@pytest.fixture
def restartable_kafka_broker():
    with KafkaBroker() as broker:
        yield broker
