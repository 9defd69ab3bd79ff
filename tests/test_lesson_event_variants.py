"""Lesson 5.2's own code over every captured event shape.

The functions are not copies: the test takes lesson 5.2's code blocks
(debezium_course/myst_sources.py) and executes their imports, function definitions and
constants, and the lab block itself, over the base capture and each fixture
variant (tests/fixtures/debezium/variants/). The values they produce are
compared with the scenario that made the events (tools/debezium_course/cdc_capture/scenario.py):
the exact Decimal amounts, the datetimes written, the rows left in the tables.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import io
import json
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from debezium_course.myst_sources import myst_fences

from debezium_course.cdc_capture import FIXTURES_DIR, load_fixture, scenario
from debezium_course.cdc_capture.capture import MESSAGE_TOPIC, TOPICS, payload_of, rest_api_config, variant_dir
from debezium_course.cdc_capture.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "docs" / "05-module-5" / "02-pandas-integration.md"
CUSTOMERS, ORDERS = TOPICS["customers"], TOPICS["orders"]
ALL = ["base", *VARIANTS]

# The lesson blocks with the reusable functions, by what they define.
FUNCTION_BLOCKS = ("def event_payload(", "def cdc_events_to_dataframe(", "def current_state(", "def in_lsn_order(")
LAB_BLOCK = 'lab_records = read_cdc_topic("m5l2-inventory.public.orders", max_messages=100)'


def lesson_source() -> str:
    return LESSON.read_text(encoding="utf-8")


def code_blocks() -> list[str]:
    return [body for _line, _options, body in myst_fences(lesson_source(), "testcode")]


def _one_block(marker: str) -> str:
    matching = [block for block in code_blocks() if marker in block]
    assert len(matching) == 1, f"expected one lesson block with {marker!r}, found {len(matching)}"
    return matching[0]


def _definitions(block: str, imports_only: bool = False) -> str:
    """Imports, functions and UPPER_CASE constants of a block, not its demo lines."""
    kept = []
    for node in ast.parse(block).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            kept.append(node)
        elif imports_only:
            continue
        elif isinstance(node, ast.FunctionDef):
            kept.append(node)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            kept.append(node)
    return ast.unparse(ast.Module(body=kept, type_ignores=[]))


@pytest.fixture(scope="module")
def lesson() -> dict:
    """A namespace with the lesson's functions, as the lesson defines them."""
    namespace: dict = {}
    for block in code_blocks():
        exec(_definitions(block, imports_only=True), namespace)
    for marker in FUNCTION_BLOCKS:
        exec(_definitions(_one_block(marker)), namespace)
    for name in ("event_payload", "flatten_event", "row_types", "to_decimal", "cdc_events_to_dataframe",
                 "current_state", "row_key", "in_lsn_order", "DECIMAL", "ZONED_TIMESTAMP"):
        assert name in namespace, f"the lesson no longer defines {name}"
    return namespace


def pairs(variant: str, topic: str) -> list[tuple]:
    """(key, value) pairs, as the lesson's read_cdc_topic() returns them."""
    return [(r["key"], r["value"]) for r in load_fixture(topic, variant_dir(FIXTURES_DIR, variant))]


def schemaless(variant: str) -> bool:
    return variant != "base" and not VARIANTS[variant].schemas_enabled


def types_for(lesson: dict, variant: str, topic: str) -> dict | None:
    """What a reader must pass as ``types`` when the messages carry no schema."""
    if not schemaless(variant):
        return None
    micro, zoned = "io.debezium.time.MicroTimestamp", lesson["ZONED_TIMESTAMP"]
    if topic == CUSTOMERS:
        return {"id": "int32", "registered_at": micro, "updated_at": zoned}
    types = {"id": "int32", "customer_id": "int32", "ordered_at": micro, "updated_at": zoned}
    if VARIANTS[variant].connector.get("decimal.handling.mode") == "precise":
        types["amount"] = lesson["DECIMAL"]
    return types


def written_ordered_at(variant: str, when: datetime) -> datetime:
    """TIMESTAMP as the connector can carry it: milliseconds only with time.precision.mode=connect."""
    if variant != "base" and VARIANTS[variant].connector.get("time.precision.mode") == "connect":
        return when.replace(microsecond=when.microsecond // 1000 * 1000)
    return when


def full_identity(variant: str) -> bool:
    return variant == "base" or VARIANTS[variant].replica_identity_full


@pytest.fixture(scope="module", params=ALL)
def variant(request) -> str:
    return request.param


# --- the DataFrame: exact values whatever the encoding ---------------------------


def test_orders_dataframe_has_the_scenarios_exact_values(lesson, variant):
    plan = scenario.build()
    records = pairs(variant, ORDERS)
    df = lesson["cdc_events_to_dataframe"](records, decimals={"amount": 2}, types=types_for(lesson, variant, ORDERS))

    raw_ops = Counter("tombstone" if v is None else payload_of(v)["op"] for _k, v in records)
    assert Counter(df["op"]) == {op: n for op, n in raw_ops.items() if op != "tombstone"}
    assert df.attrs["skipped"] == ({"tombstone": raw_ops["tombstone"]} if raw_ops["tombstone"] else {})

    created = df[df["op"].isin(["r", "c"])]
    assert len(created) == len(plan.inserted_orders) == 55
    for row in created.itertuples():
        order = plan.inserted_orders[row.after_id]
        assert type(row.after_amount) is Decimal and row.after_amount == order["amount"]
        assert row.after_amount.as_tuple().exponent == -2
        assert row.after_ordered_at == pd.Timestamp(written_ordered_at(variant, order["ordered_at"]))
        if row.op == "c":  # snapshot rows may have been updated before the snapshot
            assert row.after_updated_at == pd.Timestamp(order["updated_at"], tz="UTC")
    assert str(df["after_ordered_at"].dtype) == "datetime64[us]"
    assert str(df["after_updated_at"].dtype) == "datetime64[us, UTC]"
    assert str(df["after_id"].dtype) == "Int64"

    deletes = df[df["op"] == "d"]
    assert len(deletes) == 13
    if full_identity(variant):
        for row in deletes.itertuples():
            assert row.before_amount == plan.inserted_orders[row.before_id]["amount"]
            assert row.before_updated_at.year == 2025
    else:
        # Only the key is real; the placeholders ("", 0, 1970-01-01) are cleared.
        assert deletes["before_id"].notna().all()
        assert deletes["before_amount"].isna().all() and deletes["before_updated_at"].isna().all()
        assert deletes["before_status"].isna().all()
        assert df.loc[df["op"] == "u", "before_id"].isna().all()


def test_customers_dataframe_parses_timestamps_in_every_variant(lesson, variant):
    df = lesson["cdc_events_to_dataframe"](pairs(variant, CUSTOMERS), types=types_for(lesson, variant, CUSTOMERS))
    first = df.iloc[0]
    assert (first["op"], first["after_id"]) == ("r", 1)
    registered = datetime(2024, 1, 11, 12, 30)
    assert first["after_registered_at"] == pd.Timestamp(written_ordered_at(variant, registered))
    assert first["after_updated_at"] == pd.Timestamp(scenario.SNAPSHOT_CLOCK + pd.Timedelta(minutes=1), tz="UTC")
    delete = df[df["op"] == "d"].iloc[0]
    assert delete["before_id"] == 4
    if full_identity(variant):
        assert delete["before_email"] == "gleb.4@example.com"
    else:
        assert pd.isna(delete["before_email"]) and pd.isna(delete["before_updated_at"])


# --- current state ---------------------------------------------------------------


def test_current_state_leaves_the_scenarios_rows(lesson, variant):
    plan = scenario.build()
    current_state = lesson["current_state"]
    orders = pairs(variant, ORDERS)
    assert payload_of(orders[-1][1])["op"] == "t"
    before_truncate = current_state(orders[:-1])
    assert set(before_truncate) == set(plan.orders_before_truncate) and len(before_truncate) == 42
    # The rows are raw event images; the lesson's decoder gives the exact amounts back.
    types = types_for(lesson, variant, ORDERS)
    if types is None:
        first_row = next(v for _k, v in orders if v is not None and payload_of(v)["op"] == "r")
        kind, parameters = lesson["row_types"](first_row)["amount"]
        scale = int(parameters.get("scale", 2))
    else:
        kind, scale = types.get("amount"), 2
    for order_id, row in before_truncate.items():
        expected = plan.orders_before_truncate[order_id]
        assert lesson["to_decimal"](row["amount"], kind, scale, "amount") == expected["amount"]
        assert row["status"] == expected["status"]
    assert current_state(orders) == {}
    assert set(current_state(pairs(variant, CUSTOMERS))) == plan.customer_ids


def _rekeyed(records: list[tuple], rename: dict, extra: dict | None = None) -> list[tuple]:
    """The same events under another primary-key name (and maybe a second key column)."""
    out = []
    for key, value in records:
        if key is not None:
            key = copy.deepcopy(key)
            payload = payload_of(key)
            renamed = {rename.get(column, column): v for column, v in payload.items()} | (extra or {})
            payload.clear()
            payload.update(renamed)
        out.append((key, value))
    return out


def test_current_state_keys_rows_by_the_message_key_whatever_its_columns(lesson, variant):
    plan = scenario.build()
    current_state = lesson["current_state"]
    customers = pairs(variant, CUSTOMERS)
    # Another name for the key column: the ids are the same, whatever before holds.
    assert set(current_state(_rekeyed(customers, {"id": "customer_no"}))) == plan.customer_ids
    # A composite key: tuples of the key's values, in the key's order.
    composite = current_state(_rekeyed(customers, {}, extra={"region": "eu"}))
    assert set(composite) == {(i, "eu") for i in plan.customer_ids}
    # Orders: the TRUNCATE (no key) still empties the table.
    assert current_state(_rekeyed(pairs(variant, ORDERS), {"id": "order_no"})) == {}


def test_in_lsn_order_restores_the_state_from_several_partitions(lesson, variant):
    plan = scenario.build()
    row_key, current_state, in_lsn_order = lesson["row_key"], lesson["current_state"], lesson["in_lsn_order"]
    orders = pairs(variant, ORDERS)
    for truncate_partition in range(3):
        partitions = [[], [], []]
        for key, value in orders:
            partitions[truncate_partition if key is None else row_key(key) % 3].append((key, value))
        mixed = [record for partition in partitions for record in partition]
        ordered = in_lsn_order(mixed)
        assert current_state(ordered) == {}
        assert set(current_state(ordered[:-1])) == set(plan.orders_before_truncate)
        assert all(value is not None for _key, value in ordered)


def test_bigint_above_2_53_stays_exact(lesson, variant):
    """An int64 key past float64's exact range, in the variant's own message shape."""
    big = 2**53 + 1
    key, value = copy.deepcopy(next((k, v) for k, v in pairs(variant, CUSTOMERS) if payload_of(v)["op"] == "c"))
    payload_of(key)["id"] = big
    payload_of(value)["after"]["id"] = big
    types = types_for(lesson, variant, CUSTOMERS)
    if types is None:
        for field in value["schema"]["fields"]:
            if field["field"] in ("before", "after"):
                next(f for f in field["fields"] if f["field"] == "id")["type"] = "int64"
    else:
        types = {**types, "id": "int64"}
    df = lesson["cdc_events_to_dataframe"]([(key, value), (key, None)], types=types)
    assert str(df["after_id"].dtype) == "Int64" and df["after_id"].iloc[0] == big
    assert lesson["current_state"]([(key, value)]) == {big: payload_of(value)["after"]}


def test_date_columns_become_datetimes(lesson):
    event = {"before": None, "after": {"id": 1, "d1": 20157, "d2": 0}, "source": {"table": "t"},
             "op": "c", "ts_ms": 1741593661000}
    df = lesson["cdc_events_to_dataframe"]([({"id": 1}, event)], types={
        "id": "int32", "d1": "io.debezium.time.Date", "d2": "org.apache.kafka.connect.data.Date"})
    assert df["after_d1"].iloc[0] == pd.Timestamp("2025-03-10")
    assert df["after_d2"].iloc[0] == pd.Timestamp("1970-01-01")


def test_replica_identity_full_can_be_stated(lesson, variant):
    to_df = functools.partial(lesson["cdc_events_to_dataframe"], decimals={"amount": 2},
                              types=types_for(lesson, variant, ORDERS))
    records = pairs(variant, ORDERS)
    deletes_only = [(k, v) for k, v in records if v is None or payload_of(v)["op"] in ("r", "c", "d")]
    # Without an update in the batch, detection cannot tell; False says it.
    detected = to_df(deletes_only)
    stated = to_df(deletes_only, replica_identity_full=False)
    erased = stated[stated["op"] == "d"]
    assert erased["before_id"].notna().all() and erased["before_updated_at"].isna().all()
    assert erased["before_status"].isna().all() and erased["before_amount"].isna().all()
    if full_identity(variant):
        assert detected.loc[detected["op"] == "d", "before_updated_at"].notna().all()
    else:
        # Undetected placeholders: the 1970 stamps and empty statuses stay.
        kept = detected[detected["op"] == "d"]
        assert (kept["before_updated_at"].dt.year == 1970).all() and (kept["before_status"] == "").all()
        # With the updates in the batch, None detects what False states.
        pd.testing.assert_frame_equal(to_df(records), to_df(records, replica_identity_full=False))


# --- the lab: the lesson's analytics block, run as written -------------------------


def run_lab(lesson: dict, variant: str) -> dict:
    """Executes the lab block with read_cdc_topic() reading the variant's files."""
    namespace = dict(lesson)
    records = pairs(variant, ORDERS)
    namespace["read_cdc_topic"] = lambda topic, max_messages=None, timeout=60.0: records[:max_messages]
    types = types_for(lesson, variant, ORDERS)
    if types is not None:
        # What the lesson tells readers of schemaless messages to pass.
        namespace["cdc_events_to_dataframe"] = functools.partial(lesson["cdc_events_to_dataframe"], types=types)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(_one_block(LAB_BLOCK), namespace)
    return namespace


def expected_per_minute(variant: str) -> Counter:
    """(minute, op) -> events among the first 100 messages, from the raw payloads."""
    counts = Counter()
    for _key, value in pairs(variant, ORDERS)[:100]:
        payload = payload_of(value)
        if payload is None or payload["op"] in ("r", "t"):
            continue
        image = payload["after"] or payload["before"]
        if payload["op"] == "d" and not full_identity(variant):
            continue  # the time of a deleted row is not in its event
        stamp = datetime.fromisoformat(image["updated_at"])
        counts[(stamp.strftime("%H:%M"), payload["op"])] += 1
    return counts


def test_lab_analytics_are_exact_in_every_variant(lesson, variant):
    plan = scenario.build()
    lab = run_lab(lesson, variant)
    records = pairs(variant, ORDERS)[:100]

    new_ids = [payload_of(v)["after"]["id"] for _k, v in records if v is not None and payload_of(v)["op"] == "c"]
    assert type(lab["new_amount"]) is Decimal
    assert lab["new_amount"] == sum(plan.inserted_orders[i]["amount"] for i in new_ids)

    got = Counter({(minute, op): int(n) for minute, row in lab["per_minute"].iterrows()
                   for op, n in row.items() if n})
    assert got == expected_per_minute(variant)
    if variant in ("base", "schemas-disabled", "decimal-precise", "decimal-double", "time-connect",
                   "time-adaptive-time-microseconds", "logical-message", "schemas-disabled-decimal-precise"):
        # Same first 100 messages as the base capture: the same numbers as the lesson shows.
        assert lab["new_amount"] == Decimal("33351.39")
        assert len(lab["events"]) == 91


def test_lab_without_types_refuses_schemaless_messages_with_a_clear_error(lesson):
    records = pairs("schemas-disabled", ORDERS)
    with pytest.raises(ValueError, match=r"no schema \(schemas\.enable=false\): pass types="):
        lesson["cdc_events_to_dataframe"](records, decimals={"amount": 2})
    # precise without a schema and without saying so: the base64 is not taken for a number
    precise = pairs("schemas-disabled-decimal-precise", ORDERS)
    types = {k: v for k, v in types_for(lesson, "schemas-disabled-decimal-precise", ORDERS).items() if k != "amount"}
    with pytest.raises(ValueError, match=r"amount: '[A-Za-z0-9+/]+=*' is not a decimal with 2 places.*types=\{'amount': DECIMAL\}"):
        lesson["cdc_events_to_dataframe"](precise, decimals={"amount": 2}, types=types)


# --- events that carry no row -----------------------------------------------------


def test_logical_messages_are_skipped_and_counted(lesson):
    messages = pairs("logical-message", MESSAGE_TOPIC)
    df = lesson["cdc_events_to_dataframe"](messages, decimals={"amount": 2})
    assert df.empty and df.attrs["skipped"] == {"m": 2}
    assert lesson["current_state"](messages) == {}
    assert lesson["flatten_event"](messages[0][1]) == {
        "op": "m", "ts_ms": payload_of(messages[0][1])["ts_ms"], "table": ""
    }
    # Read together with the table topic (a pattern subscription would do that).
    mixed = pairs("logical-message", ORDERS) + messages
    both = lesson["cdc_events_to_dataframe"](mixed, decimals={"amount": 2})
    assert both.attrs["skipped"] == {"tombstone": 13, "m": 2}


def test_truncate_is_a_row_without_images(lesson, variant):
    df = lesson["cdc_events_to_dataframe"](pairs(variant, ORDERS)[-1:], decimals={"amount": 2})
    assert list(df["op"]) == ["t"] and df.attrs["skipped"] == {}


# --- what the lesson shows about the connector ------------------------------------


def test_lesson_connector_config_is_the_captures():
    blocks = [body for _line, _options, body in myst_fences(lesson_source(), "json")]
    configs = [json.loads(body) for body in blocks if '"connector.class"' in body]
    assert len(configs) == 1, "the lesson shows one connector configuration"
    assert configs[0] == rest_api_config(), "the lesson's connector JSON differs from tools/debezium_course/cdc_capture's settings"


def test_lesson_sql_is_the_captures():
    """The tables the lesson shows are the ones the capture created (tools/debezium_course/cdc_capture/scenario.py)."""
    blocks = [body for _line, _options, body in myst_fences(lesson_source(), "sql")]
    creating = [body for body in blocks if "CREATE TABLE" in body]
    assert len(creating) == 1, "the lesson shows its tables in one SQL block"
    assert creating[0].strip() == scenario.build().setup_sql.strip()
    assert creating[0].strip() == (scenario.SCHEMA_SQL + scenario.REPLICA_IDENTITY_FULL_SQL).strip()


def test_lesson_creates_its_topics_in_a_visible_block():
    visible = [body for _line, options, body in myst_fences(lesson_source(), "testcode") if ":hide:" not in options]
    creating = [body for body in visible if "create_topics(" in body]
    assert len(creating) == 1 and "NewTopic(" in creating[0] and "AdminClient(" in creating[0]
