"""Prometheus metrics, one registry per app (tests build many apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_received = Counter(
            "kakehashi_events_received_total",
            "Webhook events accepted and stored",
            ["channel"],
            registry=self.registry,
        )
        self.events_duplicate = Counter(
            "kakehashi_events_duplicate_total",
            "Webhook events already stored (redeliveries)",
            ["channel"],
            registry=self.registry,
        )
        self.events_processed = Counter(
            "kakehashi_events_processed_total",
            "Events handled and every reply delivered",
            ["channel"],
            registry=self.registry,
        )
        self.events_failed = Counter(
            "kakehashi_events_failed_total",
            "Events given up on (see /api/admin/failed-events)",
            ["channel"],
            registry=self.registry,
        )
        self.requests_rejected = Counter(
            "kakehashi_webhook_rejected_total",
            "Webhook requests refused, by reason",
            ["channel", "reason"],
            registry=self.registry,
        )
        self.send_retries = Counter(
            "kakehashi_send_retries_total",
            "Platform send attempts that were retried",
            ["channel"],
            registry=self.registry,
        )
        self.processing_seconds = Histogram(
            "kakehashi_event_processing_seconds",
            "From storing an event to its last reply delivered",
            ["channel"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.inbox_open = Gauge(
            "kakehashi_inbox_open_events", "Stored events not yet finished", registry=self.registry
        )
