"""Capture real Debezium change events as test and lesson fixtures.

``python -m debezium_course.cdc_capture`` starts a throwaway PostgreSQL, a Kafka broker
(tools/debezium_course/kafka_broker) and Kafka Connect standalone with the Debezium PostgreSQL
connector, makes a fixed series of changes to an inventory database and writes
every message of the change topics to tests/fixtures/debezium/*.jsonl.
``--variant NAME`` (variants.py) captures the same changes with one setting
changed into tests/fixtures/debezium/variants/NAME/; ``--all`` does the base
and every variant.

Reading the fixtures back needs nothing but the standard library:
``load_fixture(topic)`` returns the records of one topic in offset order
(``load_fixture(topic, FIXTURES_DIR / "variants" / name)`` those of a variant).
"""

from __future__ import annotations

import json
from pathlib import Path
from debezium_course import REPO_ROOT

FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures" / "debezium"


def load_fixture(topic: str, fixtures_dir: Path = FIXTURES_DIR) -> list[dict]:
    """Records ``{"topic", "partition", "offset", "key", "value"}`` of one captured topic."""
    path = Path(fixtures_dir) / f"{topic}.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
