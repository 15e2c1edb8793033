"""What a scan calls, per AWS type, at 0, 1 and N resources, measured against moto's server.

``python -m tests.providers.aws.measure`` creates each type's case N times over (renamed
copies, ``copies.py``) and scans one region with that type alone, with the default unmanaged
search (``listings``: a part type listed one parent at a time costs nothing while no state
manages one):

- ``empty``: nothing in the region;
- ``unmanaged``: the N copies in the region, an empty state (the unmanaged search);
- ``managed_1``: the same region, one copy in the state (the others unmanaged);
- ``managed_n``: the same region, all N copies in the state.

The region holds the same resources in the last three, so a difference is what managing a
resource costs, not paging. It writes the counts (``service:Operation``, the call meter's, less
the scan's one ``sts:GetCallerIdentity``) to ``providers/cloudrift_aws/calls.json`` and the
tables of docs/providers/aws.md from them (``python -m cloudrift_aws.docs``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import FAKE_CREDENTIALS, StateBuilder, environment
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import Attrs, AwsCase, all_cases
from tests.providers.aws.conftest import assert_read_only, make_provider
from tests.providers.aws.copies import create_copy

COPIES = 3
REGION = "us-east-1"
# once per scan, whatever is listed: the account the scan is in
PER_SCAN = frozenset({"sts:GetCallerIdentity"})
# the calls AWS has no bulk form of, made for unmanaged resources too, and why
UNMANAGED_CALLS = {
    "kms:DescribeKey": "ListKeys gives ids only: a customer key's KeyState alone tells a live "
    "key from one `terraform destroy` scheduled for deletion (pending for up to 30 days)",
    "events:ListRules": "one a bus: rules are listed per event bus, and the copies of a rule "
    "each come with a bus of their own",
    "ec2:DescribeInstances": "once a region, when any volume is attached: the instances tell "
    "the root volume they were launched with from a volume attached since",
    "ec2:DescribeVpcs": "once a region, when any internet gateway is attached: the default "
    "VPC's gateway is AWS's own, not unmanaged",
    "ec2:DescribeNatGateways": "once a region, when any address is associated: a NAT "
    "gateway's association is its gateway's, not unmanaged",
    "s3:ListBuckets": "where ListBuckets leaves out BucketRegion, as moto 5.2.6 does, once more "
    "a region scanned (ListBuckets(BucketRegion=region)) and once for a second region, to see "
    "that the filter is honoured, when the account has any bucket; AWS's ListBuckets gives the "
    "region, and neither is made",
}
# known: a per-resource call where AWS has a bulk form; each to be fixed in its type module
KNOWN_PER_RESOURCE = {
    # AWS's tagging API serves events:rule; moto 5.2.6's does not index EventBridge rules, so
    # each managed rule's tags disagree with the (empty) bulk listing and are asked again
    "aws_cloudwatch_event_rule": "events:ListTagsForResource per managed rule: moto's tagging "
    "API leaves EventBridge rules out, so the bulk tags disagree with the state and are re-asked",
    # AWS's tagging API serves ECR repositories; moto 5.2.6's does not, so each managed
    # repository whose state has tags (the case's do) is asked again
    "aws_ecr_repository": "ecr:ListTagsForResource per managed repository with tags: moto's "
    "tagging API leaves ECR repositories out, so the bulk tags disagree with the state and are "
    "re-asked",
    # one read of each default route table of a managed attachment's gateway, not one per
    # attachment; the measure's three copies each come with a gateway of their own
    "aws_ec2_transit_gateway_vpc_attachment": "a default route table's associations and "
    "propagations read once per gateway of the managed attachments: each copy has its own",
}
CALLS_JSON = Path(__file__).resolve().parents[3] / "providers" / "cloudrift_aws" / "calls.json"


@dataclass
class Scanned:
    calls: Counter[str]
    report: ScanReport


def scan_calls(endpoint: str, rtype: str, managed: Sequence[Attrs],
               case: AwsCase | None = None, types: tuple[str, ...] | None = None) -> Scanned:
    """Scan ``types`` (default: ``rtype`` alone) with ``managed`` in the state as ``rtype``;
    the calls it made, by operation."""
    state = StateBuilder()
    sensitive = [list(p) for p in case.sensitive] if case is not None else []
    for index, attrs in enumerate(managed):
        state.add(rtype, f"r{index}", attrs, sensitive=sensitive)
    parsed = parse_state(json.dumps(state.document()).encode(), "measure.tfstate")
    provider = make_provider(endpoint, types=types or (rtype,))
    report = Scan(ScanInput([parsed]), {"aws": provider}).run()
    assert_read_only(provider.ctx.operations)
    calls = Counter({op: n for op, n in provider.ctx.calls.items() if op not in PER_SCAN})
    return Scanned(calls, report)


def drift(report: ScanReport, rtype: str) -> list[str]:
    """The findings of the managed resources of ``rtype`` (none when the copies are in sync)."""
    return sorted(f"{f.kind.value} {f.id}" for f in report.findings
                  if f.type == rtype and f.kind is not FindingKind.UNMANAGED)


@dataclass
class Measured:
    type: str
    empty: Counter[str] = field(default_factory=Counter)
    unmanaged: Counter[str] = field(default_factory=Counter)
    managed_1: Counter[str] = field(default_factory=Counter)
    managed_n: Counter[str] = field(default_factory=Counter)
    # why the type could not be measured at N (a copy that could not be made, or drifted)
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        if self.problem:
            return {"empty": dict(sorted(self.empty.items())), "problem": self.problem}
        return {name: dict(sorted(getattr(self, name).items()))
                for name in ("empty", "unmanaged", "managed_1", "managed_n")}


def measure(case: AwsCase, endpoint: str, reset: Callable[[], None],
            copies: int = COPIES) -> Measured:
    reset()
    result = Measured(case.type)
    result.empty = scan_calls(endpoint, case.type, []).calls
    try:
        made = [create_copy(case, endpoint, f"m{index}") for index in range(copies)]
    except Exception as exc:
        result.problem = f"the case cannot be created {copies} times: {exc}"[:300]
        return result
    result.unmanaged = scan_calls(endpoint, case.type, []).calls
    one = scan_calls(endpoint, case.type, made[:1], case)
    result.managed_1 = one.calls
    every = scan_calls(endpoint, case.type, made, case)
    result.managed_n = every.calls
    problems = drift(one.report, case.type) + drift(every.report, case.type)
    if problems or every.report.summary.in_sync != copies:
        result.problem = (f"{every.report.summary.in_sync} of {copies} copies in sync: "
                          f"{', '.join(problems)}")[:300]
    return result


def cases_by_type() -> dict[str, AwsCase]:
    """The first case of each type (the others vary a type's arguments, not its cost)."""
    first: dict[str, AwsCase] = {}
    for case in all_cases():
        first.setdefault(case.type, case)
    return dict(sorted(first.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.providers.aws.measure", description=__doc__.split("\n\n")[0])
    parser.add_argument("types", nargs="*", help="measure only these (default: every type)")
    parser.add_argument("--output", type=Path, default=CALLS_JSON)
    args = parser.parse_args(argv)
    cases = cases_by_type()
    wanted = args.types or list(cases)
    previous: dict[str, Any] = {}
    if args.output.exists():
        previous = json.loads(args.output.read_text())["types"]
    results = dict(previous) if args.types else {}
    with environment({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION,
                      "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
                     ), MotoServer() as server:
        for rtype in wanted:
            measured = measure(cases[rtype], server.endpoint, server.reset)
            results[rtype] = measured.as_json()
            print(f"{rtype}: {measured.problem or 'ok'}", file=sys.stderr)
            # after each type: a long run that is stopped keeps what it measured
            document = {"copies": COPIES, "region": REGION,
                        "types": dict(sorted(results.items()))}
            args.output.write_text(json.dumps(document, indent=1) + "\n")
    from cloudrift_aws.docs import main as write_docs

    return write_docs([])


if __name__ == "__main__":
    sys.exit(main())
