"""Fixture variants: the same scenario captured with one setting changed.

The base capture (tests/fixtures/debezium/*.jsonl) uses the settings in
``capture.connector_properties``. Each variant below changes one of them
(one changes two, because the combination is the case a consumer cannot
decode alone) and is written to tests/fixtures/debezium/variants/<name>/.

``observed`` is what the captures showed, for the README; the tests in
tests/test_cdc_fixtures_variants.py check each statement against the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"


@dataclass(frozen=True)
class Variant:
    name: str
    # The setting that differs from the base capture, as "key=value".
    setting: str
    observed: str
    # Connector properties that replace (or add to) the base ones.
    connector: dict[str, str] = field(default_factory=dict)
    # Worker converter properties that replace the base ones.
    converters: dict[str, str] = field(default_factory=dict)
    # Scenario switches (see scenario.build).
    replica_identity_full: bool = True
    logical_messages: bool = False

    @property
    def tombstones(self) -> bool:
        return self.connector.get("tombstones.on.delete", "true") == "true"

    @property
    def schemas_enabled(self) -> bool:
        return self.converters.get("value.converter.schemas.enable", "true") == "true"

    def scenario_options(self) -> dict[str, bool]:
        return {
            "replica_identity_full": self.replica_identity_full,
            "tombstones": self.tombstones,
            "logical_messages": self.logical_messages,
        }


BASE = Variant(name="base", setting="(the base capture)", observed="")

_NO_SCHEMAS = {"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}

VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            name="schemas-disabled",
            setting="key.converter.schemas.enable=false, value.converter.schemas.enable=false",
            converters=_NO_SCHEMAS,
            observed=(
                "Key and value are the bare payload: no `schema`/`payload` envelope, so the value's "
                "top-level keys are `before`, `after`, `source`, `transaction`, `op`, `ts_*` and the key is "
                "`{\"id\": …}`. Column values are encoded exactly as in the base capture; what is lost is "
                "the type information (`MicroTimestamp`, `ZonedTimestamp`, the NUMERIC scale)."
            ),
        ),
        Variant(
            name="decimal-precise",
            setting="decimal.handling.mode=precise (Debezium's default)",
            connector={"decimal.handling.mode": "precise"},
            observed=(
                "`amount` is a base64 string of the unscaled big-endian two's-complement integer "
                "(`221.79` → unscaled 22179 → bytes `56 a3` → `\"VqM=\"`); its schema is "
                "`bytes` named `org.apache.kafka.connect.data.Decimal` with "
                "`parameters.scale = \"2\"` and `connect.decimal.precision = \"10\"`."
            ),
        ),
        Variant(
            name="decimal-double",
            setting="decimal.handling.mode=double",
            connector={"decimal.handling.mode": "double"},
            observed=(
                "`amount` is a JSON number (`221.79`), schema `double` with no name; every captured "
                "value round-trips to the exact NUMERIC(10,2) value when read back with two decimals."
            ),
        ),
        Variant(
            name="replica-identity-default",
            setting="REPLICA IDENTITY DEFAULT (the `ALTER TABLE … REPLICA IDENTITY FULL` left out)",
            replica_identity_full=False,
            observed=(
                "`u` events have `before: null`; `d` events have a `before` with the real `id` and every "
                "other column empty: `null` where the column is nullable, the type's zero value "
                "(`\"\"`, `0`, `\"0.00\"`, epoch `0`, `\"1970-01-01T00:00:00Z\"`) where it is NOT NULL."
            ),
        ),
        Variant(
            name="time-connect",
            setting="time.precision.mode=connect",
            connector={"time.precision.mode": "connect"},
            observed=(
                "TIMESTAMP columns are `int64` named `org.apache.kafka.connect.data.Timestamp`: "
                "milliseconds since the epoch, so `08:05:14.123456` arrives as `…14.123` (microseconds cut off). "
                "TIMESTAMPTZ is unchanged (`ZonedTimestamp` string)."
            ),
        ),
        Variant(
            name="time-adaptive-time-microseconds",
            setting="time.precision.mode=adaptive_time_microseconds",
            connector={"time.precision.mode": "adaptive_time_microseconds"},
            observed=(
                "Identical to the base capture (`adaptive`): this mode differs only for TIME columns, "
                "and the scenario has none. TIMESTAMP stays `MicroTimestamp`, TIMESTAMPTZ `ZonedTimestamp`."
            ),
        ),
        Variant(
            name="logical-message",
            setting="two pg_logical_emit_message() calls before the TRUNCATE (connector settings unchanged)",
            logical_messages=True,
            observed=(
                "A third topic, `inventory.message`, gets one event per message: `op: \"m\"`, no "
                "`before`/`after`, `message: {\"prefix\", \"content\"}` with the content base64-encoded, "
                "key `{\"prefix\": …}`, `source.table` and `source.schema` empty; `source.txId` is null for "
                "the non-transactional message and set for the transactional one. The table topics are "
                "identical to the base capture."
            ),
        ),
        Variant(
            name="tombstones-off",
            setting="tombstones.on.delete=false",
            connector={"tombstones.on.delete": "false"},
            observed="No null-value messages: each DELETE yields its `d` event only.",
        ),
        Variant(
            name="schemas-disabled-decimal-precise",
            setting="schemas.enable=false and decimal.handling.mode=precise (two settings)",
            converters=_NO_SCHEMAS,
            connector={"decimal.handling.mode": "precise"},
            observed=(
                "`amount` is the base64 unscaled integer as in `decimal-precise`, but with no schema in "
                "the message the scale is nowhere: `\"VqM=\"` is 22179, and only the table definition "
                "(NUMERIC(10,2)) says it means 221.79."
            ),
        ),
    )
}


def get(name: str) -> Variant:
    if name == BASE.name:
        return BASE
    try:
        return VARIANTS[name]
    except KeyError:
        raise SystemExit(f"unknown variant {name!r}; known: {', '.join(['base', *VARIANTS])}") from None
