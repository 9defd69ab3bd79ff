"""The fixture variants (tests/fixtures/debezium/variants/<name>/) show the
effect of the one setting each changes, and their READMEs say what the files hold.

The files are real captures (``make cdc-fixtures``); these tests read them
and compare them with the base capture and with the scenario.
"""

from __future__ import annotations

import base64
import copy
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from debezium_course.cdc_capture import FIXTURES_DIR, load_fixture, scenario
from debezium_course.cdc_capture.capture import (
    MESSAGE_TOPIC, TOPICS, connector_properties_for_readme, operation_of, payload_of, topics_for, variant_dir,
)
from debezium_course.cdc_capture.variants import VARIANTS

CUSTOMERS, ORDERS = TOPICS["customers"], TOPICS["orders"]
EPOCH = datetime(1970, 1, 1)


def records(variant: str, topic: str = ORDERS) -> list[dict]:
    return load_fixture(topic, variant_dir(FIXTURES_DIR, variant))


def row_events(variant: str, topic: str = ORDERS) -> list[dict]:
    """Payloads of the events that carry a row image in ``after``."""
    return [payload_of(r["value"]) for r in records(variant, topic)
            if r["value"] is not None and payload_of(r["value"]).get("after") is not None]


def after_schema(record: dict) -> dict[str, dict]:
    envelope = {f["field"]: f for f in record["value"]["schema"]["fields"]}
    return {f["field"]: f for f in envelope["after"]["fields"]}


def first_row_record(variant: str, topic: str = ORDERS) -> dict:
    return next(r for r in records(variant, topic) if r["value"] and payload_of(r["value"]).get("after"))


_VOLATILE_PAYLOAD = ("ts_ms", "ts_us", "ts_ns")
_VOLATILE_SOURCE = ("ts_ms", "ts_us", "ts_ns", "lsn", "txId", "sequence", "xmin")


def masked(record: dict) -> dict:
    """The record without what the database and Debezium stamp per run."""
    record = copy.deepcopy(record)
    payload = payload_of(record["value"])
    if payload is not None:
        for name in _VOLATILE_PAYLOAD:
            payload[name] = "*"
        for name in _VOLATILE_SOURCE:
            payload["source"][name] = "*"
    return record


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request) -> str:
    return request.param


def test_every_variant_was_captured_with_the_scenarios_message_counts(variant):
    expected = scenario.build(**VARIANTS[variant].scenario_options()).expected
    for suffix, topic in topics_for(VARIANTS[variant]).items():
        got = records(variant, topic)
        assert len(got) == expected[suffix], (variant, topic)
        assert [r["offset"] for r in got] == list(range(len(got)))
        assert {r["topic"] for r in got} == {topic}


def test_variant_readme_states_setting_counts_and_observation(variant):
    text = (variant_dir(FIXTURES_DIR, variant) / "README.md").read_text(encoding="utf-8")
    assert VARIANTS[variant].setting in text
    assert VARIANTS[variant].observed in text
    for topic in topics_for(VARIANTS[variant]).values():
        counts = Counter(operation_of(r["value"]) for r in records(variant, topic))
        by_op = ", ".join(f"{op}: {n}" for op, n in sorted(counts.items()))
        assert f"| {topic} | {sum(counts.values())} | {by_op} |" in text
    base = connector_properties_for_readme(None)
    for key, value in VARIANTS[variant].connector.items():
        if base.get(key) != value:
            assert f"{key}={value}" in text
    for key, value in VARIANTS[variant].converters.items():
        assert f"{key}={value}" in text


def test_variants_index_lists_every_variant_with_its_counts():
    text = (FIXTURES_DIR / "variants" / "README.md").read_text(encoding="utf-8")
    for name, variant in VARIANTS.items():
        counts = []
        for topic in (CUSTOMERS, ORDERS, MESSAGE_TOPIC):
            path = variant_dir(FIXTURES_DIR, name) / f"{topic}.jsonl"
            counts.append(str(len(load_fixture(topic, path.parent))) if path.exists() else "—")
        assert f"| [`{name}`]({name}/README.md) | {variant.setting} | {' / '.join(counts)} | {variant.observed} |" in text


# --- one test per setting ------------------------------------------------------


@pytest.mark.parametrize("name", ["schemas-disabled", "schemas-disabled-decimal-precise"])
def test_schemas_disabled_messages_are_the_bare_payload(name):
    for topic in (CUSTOMERS, ORDERS):
        for record in records(name, topic):
            if record["key"] is not None:
                assert set(record["key"]) == {"id"}
            if record["value"] is not None:
                assert "schema" not in record["value"] and "payload" not in record["value"]
                assert {"before", "after", "source", "op", "ts_ms"} <= set(record["value"])


def test_schemas_disabled_carries_the_same_payloads_as_the_base_capture():
    for topic in (CUSTOMERS, ORDERS):
        base = [masked(r) for r in load_fixture(topic)]
        bare = [masked(r) for r in records("schemas-disabled", topic)]
        assert [payload_of(r["key"]) for r in base] == [r["key"] for r in bare]
        assert [payload_of(r["value"]) for r in base] == [r["value"] for r in bare]


def test_decimal_precise_sends_unscaled_bytes_with_the_scale_in_the_schema():
    record = first_row_record("decimal-precise")
    field = after_schema(record)["amount"]
    assert field["type"] == "bytes"
    assert field["name"] == "org.apache.kafka.connect.data.Decimal"
    assert field["parameters"] == {"scale": "2", "connect.decimal.precision": "10"}
    inserted = scenario.build().inserted_orders
    for payload in row_events("decimal-precise"):
        raw = base64.b64decode(payload["after"]["amount"])
        unscaled = int.from_bytes(raw, "big", signed=True)
        if payload["op"] in ("r", "c"):
            assert Decimal(unscaled).scaleb(-2) == inserted[payload["after"]["id"]]["amount"]
    assert payload_of(record["value"])["after"]["amount"] == "VqM="  # 22179 = 0x56a3: 221.79


def test_precise_without_schemas_has_the_bytes_but_no_scale_anywhere():
    bare = row_events("schemas-disabled-decimal-precise")
    with_schema = row_events("decimal-precise")
    assert [p["after"]["amount"] for p in bare] == [p["after"]["amount"] for p in with_schema]
    record = records("schemas-disabled-decimal-precise")[0]
    assert "scale" not in str(record) and "schema" not in record["value"]


def test_decimal_double_sends_floats_that_round_back_to_the_exact_numeric():
    field = after_schema(first_row_record("decimal-double"))["amount"]
    assert field == {"type": "double", "optional": False, "field": "amount"}
    inserted = scenario.build().inserted_orders
    created = [p for p in row_events("decimal-double") if p["op"] in ("r", "c")]
    assert len(created) == len(inserted)
    for payload in created:
        amount = payload["after"]["amount"]
        assert isinstance(amount, float)
        assert Decimal(repr(amount)).quantize(Decimal("0.01")) == inserted[payload["after"]["id"]]["amount"]


def test_default_replica_identity_update_has_no_before_and_delete_only_the_key():
    for topic in (CUSTOMERS, ORDERS):
        full = [payload_of(r["value"]) for r in load_fixture(topic) if r["value"]]
        default = [payload_of(r["value"]) for r in records("replica-identity-default", topic) if r["value"]]
        assert [p["op"] for p in full] == [p["op"] for p in default]
        for before_full, p in zip(full, default):
            if p["op"] == "u":
                assert p["before"] is None and before_full["before"] is not None
            if p["op"] == "d":
                assert p["before"]["id"] == before_full["before"]["id"]
                # Every other column: null if nullable, else the type's zero value.
                others = {k: v for k, v in p["before"].items() if k != "id"}
                assert set(others.values()) <= {None, "", 0, "0.00", "1970-01-01T00:00:00Z"}, others
                assert any(before_full["before"][k] != v for k, v in others.items())
    deleted = next(p for p in default if p["op"] == "d")
    assert deleted["before"]["updated_at"] == "1970-01-01T00:00:00Z"  # no fractional part


def test_time_connect_sends_milliseconds_and_cuts_microseconds():
    fields = after_schema(first_row_record("time-connect"))
    assert fields["ordered_at"]["name"] == "org.apache.kafka.connect.data.Timestamp"
    assert fields["ordered_at"]["type"] == "int64"
    assert fields["updated_at"]["name"] == "io.debezium.time.ZonedTimestamp"
    inserted = scenario.build().inserted_orders
    fractions = set()
    for payload in row_events("time-connect"):
        if payload["op"] not in ("r", "c"):
            continue
        written = inserted[payload["after"]["id"]]["ordered_at"]
        fractions.add(written.microsecond)
        arrived = EPOCH + timedelta(milliseconds=payload["after"]["ordered_at"])
        assert arrived == written.replace(microsecond=written.microsecond // 1000 * 1000)
    assert 123456 in fractions  # so the cut was really exercised


def test_adaptive_time_microseconds_changes_nothing_without_time_columns():
    for topic in (CUSTOMERS, ORDERS):
        assert [masked(r) for r in records("time-adaptive-time-microseconds", topic)] == [
            masked(r) for r in load_fixture(topic)
        ]


def test_timestamps_keep_their_fractions_in_the_default_mode():
    inserted = scenario.build().inserted_orders
    for payload in row_events("base"):
        if payload["op"] not in ("r", "c"):
            continue
        written = inserted[payload["after"]["id"]]
        assert EPOCH + timedelta(microseconds=payload["after"]["ordered_at"]) == written["ordered_at"]
        # ZonedTimestamp: always six fractional digits, whatever was written.
        stamp = payload["after"]["updated_at"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
        assert datetime.fromisoformat(stamp) == written["updated_at"].replace(tzinfo=timezone.utc)


def test_logical_messages_go_to_their_own_topic_as_m_events():
    messages = records("logical-message", MESSAGE_TOPIC)
    assert [operation_of(r["value"]) for r in messages] == ["m", "m"]
    contents = []
    for record in messages:
        payload = payload_of(record["value"])
        assert "before" not in payload and "after" not in payload
        assert payload_of(record["key"]) == {"prefix": scenario.MESSAGE_PREFIX}
        assert payload["message"]["prefix"] == scenario.MESSAGE_PREFIX
        assert (payload["source"]["table"], payload["source"]["schema"]) == ("", "")
        contents.append((base64.b64decode(payload["message"]["content"]).decode(), payload["source"]["txId"]))
    (first, first_tx), (second, second_tx) = contents
    assert (first, first_tx) == (scenario.NON_TRANSACTIONAL_MESSAGE, None)
    assert second == scenario.TRANSACTIONAL_MESSAGE and isinstance(second_tx, int)
    for topic in (CUSTOMERS, ORDERS):
        assert [masked(r) for r in records("logical-message", topic)] == [masked(r) for r in load_fixture(topic)]


def test_tombstones_off_leaves_out_only_the_tombstones():
    for topic in (CUSTOMERS, ORDERS):
        without = [operation_of(r["value"]) for r in records("tombstones-off", topic)]
        base = [operation_of(r["value"]) for r in load_fixture(topic)]
        assert "tombstone" not in without
        assert without == [op for op in base if op != "tombstone"]
