"""``/metrics``: the watch state in Prometheus' text format (or OpenMetrics, when asked).

One collector reads the state at scrape time, in a registry of its own (never the global one a
host process may use): the drift series are those of the last report only, so a fixed drift's
series disappears rather than lingering at its last value.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from cloudrift._version import __version__
from cloudrift.watch.state import RESULTS, WatchState


class WatchCollector(Collector):
    def __init__(self, state: WatchState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        state = self.state
        with state.lock:
            snapshot = state.snapshot
            scans = dict(state.scans)
            api_calls = dict(state.api_calls)
            running = state.running_since is not None
            next_start = state.next_start
            skipped = state.skipped
        info = InfoMetricFamily("cloudrift", "The cloudrift version of this watch process.")
        info.add_metric([], {"version": __version__, "schedule": state.schedule})
        yield info
        total = CounterMetricFamily("cloudrift_scans", "Scans finished, by result: ok (exit 0),"
                                    " drift (exit 1), error (exit 2 or failed).",
                                    labels=["result"])
        for result in RESULTS:
            total.add_metric([result], scans.get(result, 0))
        yield total
        calls = CounterMetricFamily("cloudrift_api_calls", "Cloud API calls made by the scans "
                                    "of this process.", labels=["provider", "service"])
        for (provider, service), count in sorted(api_calls.items()):
            calls.add_metric([provider, service], count)
        yield calls
        yield CounterMetricFamily("cloudrift_scans_skipped", "Scheduled scans skipped because "
                                  "the one before was still running.", value=skipped)
        yield GaugeMetricFamily("cloudrift_scan_in_progress", "1 while a scan runs.",
                                value=1 if running else 0)
        if next_start is not None:
            yield GaugeMetricFamily("cloudrift_next_scan_timestamp_seconds",
                                    "When the next scan is planned to start.", value=next_start)
        if snapshot is None:
            return
        drift = GaugeMetricFamily(
            "cloudrift_drift_findings", "Findings of the last scan, after ignore rules and "
            "filters; root_module is the state the resource is managed in (empty for "
            "unmanaged).", labels=["kind", "type", "root_module", "provider"])
        for labels, count in sorted(snapshot.findings.items()):
            drift.add_metric(list(labels), count)
        yield drift
        status = GaugeMetricFamily("cloudrift_drift_status_findings", "Findings of the last "
                                   "scan by history status.", labels=["status"])
        for name in ("new", "known", "reopened"):
            status.add_metric([name], snapshot.statuses.get(name, 0))
        yield status
        yield GaugeMetricFamily("cloudrift_drift_resolved", "Drift the last scan found fixed.",
                                value=snapshot.resolved)
        yield GaugeMetricFamily("cloudrift_last_scan_timestamp_seconds", "When the last scan "
                                "that produced a report finished.", value=snapshot.finished_at)
        yield GaugeMetricFamily("cloudrift_last_scan_duration_seconds", "How long the last "
                                "scan that produced a report took.", value=snapshot.duration_s)
        yield GaugeMetricFamily("cloudrift_last_scan_exit_code", "The exit code `cloudrift "
                                "scan` would have given the last scan.", value=snapshot.exit_code)
        last_calls = GaugeMetricFamily("cloudrift_last_scan_api_calls", "Cloud API calls of "
                                       "the last scan.", labels=["provider", "service"])
        for (provider, service), count in sorted(snapshot.api_calls.items()):
            last_calls.add_metric([provider, service], count)
        yield last_calls
        yield GaugeMetricFamily("cloudrift_coverage_ratio", "Managed resources compared / "
                                "managed, in the last scan.", value=snapshot.coverage)
        yield GaugeMetricFamily("cloudrift_managed_resources", "Managed resources in the "
                                "scanned states.", value=snapshot.managed)
        yield GaugeMetricFamily("cloudrift_compared_resources", "Managed resources compared "
                                "with the cloud.", value=snapshot.compared)


def registry_for(state: WatchState) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WatchCollector(state))
    return registry
