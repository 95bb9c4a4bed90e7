"""Reading a Prometheus scrape with prometheus-client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape, by its name (with _total, _count... suffixes) and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series is absent (a counter not yet incremented)."""
    return scraped.get((name, frozenset(labels.items())), 0.0)


def metric_names(scraped: Samples) -> set[str]:
    return {name for name, _ in scraped}
