"""Benchmark of the mdx builder on synthetic courses (``python -m debezium_course.bench``)."""
