"""The inventory database and the changes made to it during a capture.

Everything here is deterministic: row values and the business timestamps
written into ``updated_at`` come from a seeded generator, so two captures
differ only in what the database and Debezium stamp themselves (commit time,
LSN, transaction ids, ``ts_ms``). The lesson's per-minute chart groups by
``updated_at`` for exactly that reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

DATABASE = "inventory"
TABLES = ("public.customers", "public.orders")

SCHEMA_SQL = """
CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT        NOT NULL,
    last_name     TEXT        NOT NULL,
    email         TEXT        NOT NULL,
    phone         TEXT,                      -- nullable on purpose
    registered_at TIMESTAMP   NOT NULL,      -- without time zone
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER       NOT NULL,
    status      TEXT          NOT NULL,
    amount      NUMERIC(10,2) NOT NULL,
    ordered_at  TIMESTAMP     NOT NULL,      -- without time zone
    updated_at  TIMESTAMPTZ   NOT NULL,
    comment     TEXT                         -- nullable on purpose
);
"""

# FULL: UPDATE and DELETE events carry the whole old row in "before",
# not just the primary key (the default identity). The variant
# "replica-identity-default" leaves it out.
REPLICA_IDENTITY_FULL_SQL = """
ALTER TABLE customers REPLICA IDENTITY FULL;
ALTER TABLE orders REPLICA IDENTITY FULL;
"""

# The variant "logical-message": two logical decoding messages written into
# the WAL right before the TRUNCATE, one inside a transaction, one outside.
MESSAGE_PREFIX = "inventory.archive"
TRANSACTIONAL_MESSAGE = '{"archived_orders": "all", "reason": "end of day"}'
NON_TRANSACTIONAL_MESSAGE = "archive job started"

# Fractional seconds of an order's timestamps, by order id modulo 4: whole
# seconds next to half a second, milliseconds and microseconds, so that the
# encodings of TIMESTAMP and TIMESTAMPTZ show what they do with each.
ORDER_FRACTIONS_US = (0, 500000, 123000, 123456)

SEED = 2025
SNAPSHOT_CLOCK = datetime(2025, 3, 10, 8, 0, 0)
STREAM_CLOCK = datetime(2025, 3, 10, 9, 0, 0)
STREAM_MINUTES = 10

FIRST_NAMES = ["Anna", "Boris", "Vera", "Gleb", "Daria", "Egor", "Zoya", "Ilya"]
LAST_NAMES = ["Ivanova", "Petrov", "Sokolova", "Orlov", "Volkova", "Lebedev", "Kozlova", "Novikov"]
COURIERS = ["CDEK", "Boxberry", "Russian Post"]


def _lit(value) -> str:
    """SQL literal for the handful of Python types used here."""
    if value is None:
        return "NULL"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat(sep=' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


def _tstz(value: datetime) -> str:
    # Business time is UTC; the explicit offset keeps it so whatever the session time zone.
    return f"'{value.isoformat(sep=' ')}+00'"


@dataclass
class Scenario:
    """SQL for the snapshot rows and for the streamed changes, plus the messages they must yield."""

    snapshot_sql: list[str] = field(default_factory=list)
    stream_sql: list[str] = field(default_factory=list)
    # topic suffix ("customers"/"orders", and "message" for logical decoding
    # messages) -> number of Kafka messages expected
    expected: dict[str, int] = field(default_factory=lambda: {"customers": 0, "orders": 0})
    snapshot_rows: int = 0
    # CREATE TABLE (and REPLICA IDENTITY) statements run before the snapshot rows.
    setup_sql: str = SCHEMA_SQL
    # What the database holds, for tests of consumers: every order as inserted,
    # the orders left just before the TRUNCATE, the customers left at the end.
    inserted_orders: dict[int, dict] = field(default_factory=dict)
    orders_before_truncate: dict[int, dict] = field(default_factory=dict)
    customer_ids: set[int] = field(default_factory=set)

    def _count(self, table: str, messages: int = 1) -> None:
        self.expected[table] += messages


def build(seed: int = SEED, *, replica_identity_full: bool = True, tombstones: bool = True,
          logical_messages: bool = False) -> Scenario:
    """The scenario; the keyword arguments are what a fixture variant changes.

    ``tombstones`` is the connector's ``tombstones.on.delete`` (each DELETE
    then yields one message, not two); ``logical_messages`` adds two
    ``pg_logical_emit_message`` calls before the TRUNCATE.
    """
    rng = random.Random(seed)
    sc = Scenario()
    sc.setup_sql = SCHEMA_SQL + (REPLICA_IDENTITY_FULL_SQL if replica_identity_full else "")
    per_delete = 2 if tombstones else 1

    # --- initial rows: read by the snapshot (op "r") ------------------------
    customers = {}
    for cid in range(1, 6):
        row = {
            "id": cid,
            "first_name": FIRST_NAMES[cid - 1],
            "last_name": LAST_NAMES[cid - 1],
            "email": f"{FIRST_NAMES[cid - 1].lower()}.{cid}@example.com",
            "phone": f"+7 900 000-00-{cid:02d}" if cid % 2 else None,
            "registered_at": datetime(2024, cid, 10 + cid, 12, 30, 0),
            "updated_at": SNAPSHOT_CLOCK + timedelta(minutes=cid),
        }
        customers[cid] = row
        sc.customer_ids.add(cid)
        sc.snapshot_sql.append(
            "INSERT INTO customers (id, first_name, last_name, email, phone, registered_at, updated_at) "
            f"VALUES ({row['id']}, {_lit(row['first_name'])}, {_lit(row['last_name'])}, "
            f"{_lit(row['email'])}, {_lit(row['phone'])}, {_lit(row['registered_at'])}, "
            f"{_tstz(row['updated_at'])});"
        )
        sc._count("customers")

    orders: dict[int, dict] = {}
    next_order_id = 1

    def order_insert(when: datetime) -> str:
        nonlocal next_order_id
        oid = next_order_id
        next_order_id += 1
        # The fraction comes from the id, not from rng: the rest of the
        # scenario stays what it was before fractions were added.
        when = when + timedelta(microseconds=ORDER_FRACTIONS_US[oid % len(ORDER_FRACTIONS_US)])
        row = {
            "id": oid,
            "customer_id": rng.randint(1, 5),
            "status": "new",
            "amount": Decimal(rng.randint(500, 250000)) / 100,
            # Wall-clock time of the order, stored without a time zone.
            "ordered_at": when,
            "updated_at": when,
            "comment": None,
        }
        orders[oid] = row
        sc.inserted_orders[oid] = dict(row)
        return (
            "INSERT INTO orders (id, customer_id, status, amount, ordered_at, updated_at, comment) "
            f"VALUES ({oid}, {row['customer_id']}, 'new', {row['amount']}, "
            f"{_lit(row['ordered_at'])}, {_tstz(when)}, NULL);"
        )

    for i in range(20):
        sc.snapshot_sql.append(order_insert(SNAPSHOT_CLOCK + timedelta(minutes=2 * i + 1, seconds=7 * i)))
        sc._count("orders")
    # A few snapshot rows already moved on, so "r" events show several statuses.
    for oid in (2, 5, 9):
        orders[oid]["status"] = "paid"
        sc.snapshot_sql.append(f"UPDATE orders SET status = 'paid' WHERE id = {oid};")
    sc.snapshot_rows = sc.expected["customers"] + sc.expected["orders"]

    # --- streamed changes, minute by minute (ops "c", "u", "d") -------------
    next_status = {"new": "paid", "paid": "shipped", "shipped": "delivered"}
    for minute in range(STREAM_MINUTES):
        base = STREAM_CLOCK + timedelta(minutes=minute)
        second = 0

        def tick() -> datetime:
            nonlocal second
            second += rng.randint(1, 5)
            return base + timedelta(seconds=second)

        for _ in range(rng.randint(2, 6)):
            sc.stream_sql.append(order_insert(tick()))
            sc._count("orders")
        movable = [o for o in orders.values() if o["status"] in next_status]
        for order in rng.sample(movable, min(len(movable), rng.randint(1, 5))):
            when = tick()
            order["status"] = next_status[order["status"]]
            order["updated_at"] = when
            extra = ""
            if order["status"] == "shipped":
                order["comment"] = f"courier: {rng.choice(COURIERS)}"
                extra = f", comment = {_lit(order['comment'])}"
            sc.stream_sql.append(
                f"UPDATE orders SET status = {_lit(order['status'])}, updated_at = {_tstz(when)}{extra} "
                f"WHERE id = {order['id']};"
            )
            sc._count("orders")
        # Cancelled orders are purged right away: an UPDATE (u) stamps the
        # cancellation time, then the DELETE (d) is followed by a tombstone.
        cancellable = [o for o in orders.values() if o["status"] == "new"]
        for order in rng.sample(cancellable, min(len(cancellable), rng.randint(0, 2))):
            when = tick()
            sc.stream_sql.append(
                f"UPDATE orders SET status = 'cancelled', updated_at = {_tstz(when)} WHERE id = {order['id']};"
            )
            sc.stream_sql.append(f"DELETE FROM orders WHERE id = {order['id']};")
            del orders[order["id"]]
            sc._count("orders", 1 + per_delete)

        if minute == 2:
            # Two new customers; one gives a phone number later.
            for cid in (6, 7):
                when = tick()
                sc.stream_sql.append(
                    "INSERT INTO customers (id, first_name, last_name, email, phone, registered_at, updated_at) "
                    f"VALUES ({cid}, {_lit(FIRST_NAMES[cid - 1])}, {_lit(LAST_NAMES[cid - 1])}, "
                    f"'{FIRST_NAMES[cid - 1].lower()}.{cid}@example.com', NULL, "
                    f"{_lit(when.replace(microsecond=0))}, {_tstz(when)});"
                )
                sc._count("customers")
                sc.customer_ids.add(cid)
        if minute == 5:
            when = tick()
            sc.stream_sql.append(
                f"UPDATE customers SET phone = '+7 900 000-00-06', updated_at = {_tstz(when)} WHERE id = 6;"
            )
            when = tick()
            sc.stream_sql.append(
                f"UPDATE customers SET email = 'vera.sokolova@example.org', updated_at = {_tstz(when)} WHERE id = 3;"
            )
            sc._count("customers", 2)
        if minute == 8:
            sc.stream_sql.append("DELETE FROM customers WHERE id = 4;")
            sc.customer_ids.discard(4)
            sc._count("customers", per_delete)

    sc.orders_before_truncate = {oid: dict(row) for oid, row in orders.items()}

    # --- the end of the day: orders are archived elsewhere and wiped (op "t")
    if logical_messages:
        sc.stream_sql.append(
            f"SELECT pg_logical_emit_message(false, {_lit(MESSAGE_PREFIX)}, {_lit(NON_TRANSACTIONAL_MESSAGE)});"
        )
        sc.stream_sql.append(
            f"BEGIN; SELECT pg_logical_emit_message(true, {_lit(MESSAGE_PREFIX)}, {_lit(TRANSACTIONAL_MESSAGE)}); "
            "COMMIT;"
        )
        sc.expected["message"] = 2
    sc.stream_sql.append("TRUNCATE TABLE orders;")
    sc._count("orders")
    return sc
