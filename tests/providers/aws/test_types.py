"""Every supported AWS type against moto's server: in sync, changed, missing, unmanaged."""

from __future__ import annotations

import pytest

from cloudrift.model import FindingKind, ScanReport
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsPlugin
from tests.providers.aws.cases import AwsCase, all_cases
from tests.providers.aws.conftest import Clients, ScanFn

CASES = all_cases()
SPECS = AwsPlugin().types()
IDS = [case.label for case in CASES]


def _state(case: AwsCase, attrs: dict[str, object]) -> StateBuilder:
    return StateBuilder().add(
        case.type, "this", attrs, sensitive=[list(p) for p in case.sensitive]
    )


def _types(case: AwsCase) -> tuple[str, ...]:
    """What a case's scan lists: its type and the types it is a part of, up the chain (a rule's
    listener and that listener's load balancer, whose finding covers both). Listing every type
    would test nothing more here (cross-type behaviour has tests of its own) and costs every
    case a scan of the whole catalogue."""
    parents: set[str] = set()
    pending = [case.type]
    while pending:
        for part in SPECS[pending.pop()].part_of:
            if part.parent_type not in parents:
                parents.add(part.parent_type)
                pending.append(part.parent_type)
    return (case.type, *sorted(parents - {case.type}))


def _of_type(report: ScanReport, case: AwsCase) -> list[object]:
    return [f for f in report.findings if f.type == case.type]


def test_every_spec_has_a_case() -> None:
    assert set(AwsPlugin().types()) <= {case.type for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_in_sync(case: AwsCase, clients: Clients, scan: ScanFn) -> None:
    attrs = case.create(clients)
    report = scan(_state(case, attrs), types=_types(case))
    assert _of_type(report, case) == []
    assert report.summary.managed == 1
    assert report.summary.in_sync == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_changed(case: AwsCase, clients: Clients, scan: ScanFn) -> None:
    if not case.changed_paths:
        pytest.skip(f"{case.type}: every argument is part of its identity; nothing can change")
    attrs = case.create(clients)
    case.change(clients, attrs)
    report = scan(_state(case, attrs), types=_types(case))
    findings = [f for f in report.findings if f.type == case.type]
    assert [(f.kind, f.id, f.address) for f in findings] == [
        (FindingKind.CHANGED, case.expected_id(attrs), f"{case.type}.this")
    ]
    assert {c.path for c in findings[0].changes} == case.changed_paths


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_missing(case: AwsCase, clients: Clients, scan: ScanFn) -> None:
    attrs = case.create(clients)
    case.delete(clients, attrs)
    report = scan(_state(case, attrs), types=_types(case))
    findings = [f for f in report.findings if f.type == case.type]
    assert [(f.kind, f.id, f.address) for f in findings] == [
        (FindingKind.MISSING, case.expected_id(attrs), f"{case.type}.this")
    ]


def _searched_by_default(rtype: str) -> bool:
    """Whether --unmanaged listings searches a part type no state manages: not when it is
    listed one parent at a time with calls of its own."""
    spec = SPECS[rtype]
    return not spec.per_parent or spec.parent_read


@pytest.mark.parametrize("case", [c for c in CASES if c.unmanaged],
                         ids=[c.label for c in CASES if c.unmanaged])
def test_unmanaged(case: AwsCase, clients: Clients, scan: ScanFn) -> None:
    attrs = case.create(clients)
    state = StateBuilder()
    if case.parent is not None:
        parent_type, parent_attrs = case.parent(attrs)
        state.add(parent_type, "parent", parent_attrs)
    search = "listings" if _searched_by_default(case.type) else "all"
    report = scan(state, types=_types(case), unmanaged=search)
    findings = [f for f in report.findings if f.type == case.type]
    assert [(f.kind, f.id, f.address) for f in findings] == [
        (FindingKind.UNMANAGED, case.expected_id(attrs), None)
    ]


UNSEARCHED = [c for c in CASES if c.unmanaged and not _searched_by_default(c.type)]


@pytest.mark.parametrize("case", UNSEARCHED, ids=[c.label for c in UNSEARCHED])
def test_a_part_type_no_state_uses_is_not_searched_by_default(
        case: AwsCase, clients: Clients, scan: ScanFn) -> None:
    """The same unmanaged part under the same managed parent, scanned with the default
    --unmanaged listings: not looked for, and the report says so."""
    assert case.parent is not None
    attrs = case.create(clients)
    parent_type, parent_attrs = case.parent(attrs)
    report = scan(StateBuilder().add(parent_type, "parent", parent_attrs),
                  types=_types(case))
    assert report.summary.unmanaged_search == "listings"
    assert [f for f in report.findings if f.type == case.type] == []
    entry = next(c for c in report.coverage if c.type == case.type)
    assert (entry.unmanaged_searched, entry.scanned_scopes, entry.actual) == (False, [], 0)


PARTS = [c for c in CASES if c.unmanaged and c.parent is not None]


@pytest.mark.parametrize("case", PARTS, ids=[c.label for c in PARTS])
def test_an_unmanaged_parent_covers_its_parts(case: AwsCase, clients: Clients,
                                              scan: ScanFn) -> None:
    assert case.parent is not None
    attrs = case.create(clients)
    parent_type, parent_attrs = case.parent(attrs)
    report = scan(StateBuilder(), types=_types(case))
    assert [f for f in report.findings if f.type == case.type] == []
    # the parent's own finding is what covers them (its import id is not always its state id:
    # an ECS cluster's state id is its ARN, its import id its name); a parent that is a part
    # itself (a rule's listener) is covered in turn by its own parent's finding
    parent_spec = SPECS[parent_type]
    covering = {(parent_type, parent_spec.state_import_id(parent_attrs))}
    covering |= {(part.parent_type, part.state_parent(parent_attrs))
                 for part in parent_spec.part_of}
    unmanaged = {(f.type, f.id) for f in report.findings if f.kind == FindingKind.UNMANAGED}
    assert len(covering & unmanaged) == 1
