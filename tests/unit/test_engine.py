"""The pipeline's matching, counting and coverage, with an in-memory provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, Resource, ScanWarning, Scope
from cloudrift.plugin import Observation, Unit
from cloudrift.redact import REDACTED, Redactor
from cloudrift.sources.tfstate import StateInstance, parse_state
from cloudrift.spec import FieldSpec, ResourceSpec
from cloudrift.testing import StateBuilder

SPECS: dict[str, ResourceSpec] = {
    "fake_thing": ResourceSpec(
        type="fake_thing",
        fields=(FieldSpec("size", query="size"), FieldSpec("tags", query="tags")),
    ),
    "fake_facet": ResourceSpec(
        type="fake_facet", fields=(FieldSpec("mode", query="mode"),), unmanaged=False
    ),
}


class FakeProvider:
    """Desired side from state attributes; the cloud is a list of payloads per region."""

    name = "fake"
    state_providers = ("fake",)
    specs: Mapping[str, ResourceSpec] = SPECS

    def __init__(self, cloud: Mapping[str, list[dict[str, Any]]],
                 failed: Sequence[tuple[str, str]] = ()) -> None:
        self.cloud = cloud
        self.failed = set(failed)

    def desired(self, instances: Sequence[StateInstance]
                ) -> tuple[list[Resource], list[ScanWarning]]:
        out = []
        for inst in instances:
            spec = self.specs[inst.type]
            out.append(Resource(
                provider="fake", type=inst.type, id=str(inst.attributes["id"]),
                scope=Scope(account="1", region=str(inst.attributes.get("region", "r1"))),
                address=inst.address, source=inst.source,
                attributes=spec.desired_attributes(inst.attributes),
                sensitive=inst.sensitive_paths,
            ))
        return out, []

    def observe(self, desired: Sequence[Resource]) -> Observation:
        obs = Observation()
        for region, payloads in self.cloud.items():
            for rtype, spec in self.specs.items():
                if (rtype, region) in self.failed:
                    obs.failed.add(Unit(rtype, region, "1"))
                    continue
                obs.scanned.add(Unit(rtype, region, "1"))
                for payload in payloads:
                    if payload["type"] != rtype:
                        continue
                    obs.resources.append(Resource(
                        provider="fake", type=rtype, id=payload["id"],
                        scope=Scope(account="1", region=region),
                        attributes=spec.actual_attributes(payload),
                        is_default=payload.get("default", False),
                    ))
        obs.api_calls["fake:List"] = 3
        return obs


def _input(builder: StateBuilder) -> ScanInput:
    import json

    from cloudrift.engine import read_sources

    document = parse_state(json.dumps(builder.document()).encode(), "s.tfstate")

    class _Source:
        uri = "s.tfstate"

        def read(self) -> list[Any]:
            return [document]

    return read_sources([_Source()])


def _state(*things: tuple[str, dict[str, Any]], sensitive: list[list[str]] | None = None
           ) -> StateBuilder:
    builder = StateBuilder()
    for name, attrs in things:
        builder.add(attrs.pop("type", "fake_thing"), name, attrs,
                    provider="registry.terraform.io/acme/fake", sensitive=sensitive)
    return builder


def test_each_kind_is_found_and_counted() -> None:
    state = _state(
        ("same", {"id": "a", "size": 1, "tags": {"env": "prod"}}),
        ("drifted", {"id": "b", "size": 2, "tags": {"env": "prod"}}),
        ("gone", {"id": "c", "size": 3}),
    )
    cloud = {"r1": [
        {"type": "fake_thing", "id": "a", "size": 1, "tags": {"env": "prod"}},
        {"type": "fake_thing", "id": "b", "size": 5, "tags": {"env": "dev", "x": "1"}},
        {"type": "fake_thing", "id": "z", "size": 9},
    ]}
    report = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    kinds = [(f.kind, f.id, f.address) for f in report.findings]
    assert kinds == [
        (FindingKind.CHANGED, "b", "fake_thing.drifted"),
        (FindingKind.MISSING, "c", "fake_thing.gone"),
        (FindingKind.UNMANAGED, "z", None),
    ]
    changed = report.findings[0]
    assert [(c.path, c.expected, c.actual) for c in changed.changes] == [
        ("size", 2, 5), ("tags.env", "prod", "dev"), ("tags.x", None, "1"),
    ]
    s = report.summary
    assert (s.managed, s.in_sync, s.changed, s.missing, s.unmanaged) == (3, 1, 1, 1, 1)
    assert s.total_resources == 4
    assert s.api_calls == 3
    assert s.coverage == 1.0
    assert report.complete


def test_nothing_is_missing_where_the_scan_failed() -> None:
    state = _state(("gone", {"id": "c", "size": 3}))
    provider = FakeProvider({"r1": []}, failed=[("fake_thing", "r1")])
    report = Scan(_input(state), {"fake": provider}).run()
    assert report.findings == []
    assert not report.complete
    assert report.summary.coverage == 0.0
    cov = {c.type: c for c in report.coverage}["fake_thing"]
    assert cov.failed_scopes == ["1/r1"]
    assert cov.not_seen == 1


def test_defaults_only_reported_when_strict() -> None:
    cloud = {"r1": [{"type": "fake_thing", "id": "d", "default": True}]}
    assert Scan(_input(_state()), {"fake": FakeProvider(cloud)}).run().findings == []
    strict = Scan(_input(_state()), {"fake": FakeProvider(cloud)}, strict=True).run()
    assert [(f.kind, f.id) for f in strict.findings] == [(FindingKind.UNMANAGED, "d")]


def test_facets_are_never_unmanaged() -> None:
    cloud = {"r1": [{"type": "fake_facet", "id": "f", "mode": "on"}]}
    assert Scan(_input(_state()), {"fake": FakeProvider(cloud)}).run().findings == []


def test_same_resource_in_two_states_is_compared_once_with_a_warning() -> None:
    state = _state(("one", {"id": "a", "size": 1}), ("two", {"id": "a", "size": 1}))
    cloud = {"r1": [{"type": "fake_thing", "id": "a", "size": 1}]}
    report = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    # both instances are managed; only the first one's expectations were compared
    assert (report.summary.managed, report.summary.compared) == (2, 1)
    assert report.summary.not_compared == {"duplicate": 1}
    assert [w.code for w in report.warnings] == ["duplicate_resource"]


def test_states_of_a_provider_not_scanned_are_named() -> None:
    state = _state(("a", {"id": "a", "size": 1}))
    report = Scan(_input(state), {}).run()
    assert [w.code for w in report.warnings] == ["provider_not_scanned"]
    assert "'fake'" in report.warnings[0].message
    assert (report.summary.managed, report.summary.compared) == (1, 0)
    assert report.summary.not_compared == {"outside_scope": 1}
    assert report.summary.coverage == 0.0


def test_regions_are_part_of_identity() -> None:
    state = _state(("a", {"id": "a", "size": 1, "region": "r2"}))
    cloud = {"r1": [{"type": "fake_thing", "id": "a", "size": 1}], "r2": []}
    report = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    assert sorted((f.kind.value, f.scope.region) for f in report.findings) == [
        ("missing", "r2"), ("unmanaged", "r1"),
    ]


def test_sensitive_values_never_reach_a_finding() -> None:
    state = _state(
        ("db", {"id": "a", "size": 1, "tags": {"password": "hunter2-very-secret",
                                              "owner": "hunter2-very-secret"}}),
        sensitive=[["tags", "owner"]],
    )
    cloud = {"r1": [{"type": "fake_thing", "id": "a", "size": 1,
                     "tags": {"password": "new-one", "owner": "someone"}}]}
    report = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    text = report.model_dump_json()
    assert "hunter2-very-secret" not in text
    changes = {c.path: (c.expected, c.actual) for c in report.findings[0].changes}
    assert changes == {"tags.owner": (REDACTED, REDACTED), "tags.password": (REDACTED, REDACTED)}


def test_a_secret_quoted_in_a_non_secret_field_is_scrubbed() -> None:
    redactor = Redactor(["s3cr3t-value"])
    assert redactor.scrub("value was s3cr3t-value!") == f"value was {REDACTED}!"


@pytest.mark.parametrize("order", [0, 1])
def test_fingerprints_are_stable(order: int) -> None:
    state = _state(("b", {"id": "b", "size": 2}), ("c", {"id": "c", "size": 1}))
    cloud = {"r1": [{"type": "fake_thing", "id": "b", "size": 5 + order}]}
    first = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    second = Scan(_input(state), {"fake": FakeProvider(cloud)}).run()
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert len({f.fingerprint for f in first.findings}) == 2


def test_an_unreadable_state_is_a_warning_and_the_scan_incomplete() -> None:
    from cloudrift.engine import read_sources
    from cloudrift.sources.tfstate import SourceFailure

    class _Broken:
        uri = "tfstate+s3://b/**"

        def read(self) -> list[Any]:
            return [SourceFailure("s3://b/team-a.tfstate", "AccessDenied")]

    report = Scan(read_sources([_Broken()]), {"fake": FakeProvider({"r1": []})}).run()
    assert [(w.code, w.message) for w in report.warnings] == [
        ("state_unreadable", "s3://b/team-a.tfstate: state not read: AccessDenied")
    ]
    assert not report.complete


def test_units_can_be_per_account_when_accounts_share_regions() -> None:
    state = _state(("in_a", {"id": "x", "size": 1}), ("in_b", {"id": "y", "size": 1}))

    class TwoAccounts(FakeProvider):
        def desired(self, instances: Sequence[StateInstance]
                    ) -> tuple[list[Resource], list[ScanWarning]]:
            out, warnings = super().desired(instances)
            return [r.model_copy(update={"scope": Scope(account="a" if r.id == "x" else "b",
                                                        region="r1")}) for r in out], warnings

        def observe(self, desired: Sequence[Resource]) -> Observation:
            obs = Observation()
            obs.scanned.add(Unit("fake_thing", "r1", "a"))
            obs.failed.add(Unit("fake_thing", "r1", "b"))
            return obs

    report = Scan(_input(state), {"fake": TwoAccounts({})}).run()
    # gone where it was listed; not seen where the listing failed
    assert [(f.kind, f.id) for f in report.findings] == [(FindingKind.MISSING, "x")]
    cov = {c.type: c for c in report.coverage}["fake_thing"]
    assert (cov.scanned_scopes, cov.failed_scopes, cov.not_seen) == (["a/r1"], ["b/r1"], 1)
    assert not report.complete
