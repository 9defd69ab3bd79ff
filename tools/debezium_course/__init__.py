"""The course's own tooling, beside the mdx builder: a real Kafka broker for
the doctests (``kafka_broker``), the doctests' connection to it
(``doctest_kafka``, ``doctest_lines``), Debezium events captured from a real
PostgreSQL (``cdc_capture``), the translation check and the benchmarks.

These work on this repository's checkout (its ``.cache/``, ``docs/``,
``tests/fixtures/``), so they are installed editable, as the Makefile does.
"""

from pathlib import Path

# The checkout this package lives in: tools/debezium_course/ is two levels down.
REPO_ROOT = Path(__file__).resolve().parents[2]
