"""What the parts of buckets and users cost, and which of them are unmanaged.

A bucket configuration is one Get per bucket: asked for the managed buckets only, once per
type, whatever the unmanaged buckets hold. Access keys are one ListAccessKeys per user: asked
for the managed users only. By default (``--unmanaged listings``) such a part type is searched
only when a state manages one of it; ``--unmanaged all`` searches every one. A part found on a
managed parent that no resource declares is unmanaged; one of an unmanaged parent is the
parent's business.
"""

from __future__ import annotations

import json
from collections import Counter

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsProvider
from cloudrift_aws.testing import MotoServer
from cloudrift_aws.types import s3_config, s3_config_rules
from tests.providers.aws.cases.iam_groups import user_attrs
from tests.providers.aws.cases.s3 import _bucket_attrs, _create_bucket
from tests.providers.aws.conftest import Clients, assert_read_only, make_provider

PAB = {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
       "RestrictPublicBuckets": False}
# each configuration type's one Get, as its spec names it
CONFIG_CALLS = {spec.calls[0] for spec in (*s3_config.SPECS, *s3_config_rules.SPECS)}


def _scan(endpoint: str, state: StateBuilder,
          unmanaged: UnmanagedSearch = "listings") -> tuple[ScanReport, AwsProvider]:
    parsed = parse_state(json.dumps(state.document()).encode(), "parts.tfstate")
    provider = make_provider(endpoint, unmanaged=unmanaged)
    report = Scan(ScanInput([parsed]), {"aws": provider}, unmanaged=unmanaged).run()
    assert_read_only(provider.ctx.operations)
    return report, provider


def _unmanaged(report: ScanReport, rtype: str) -> list[str]:
    return sorted(f.id for f in report.findings
                  if f.kind is FindingKind.UNMANAGED and f.type == rtype)


def test_bucket_configurations_cost_one_call_per_managed_bucket(moto: MotoServer,
                                                                clients: Clients) -> None:
    s3 = clients("s3")
    state = StateBuilder()
    managed = ["cloudrift-m1", "cloudrift-m2", "cloudrift-m3"]
    for name in managed:
        _create_bucket(clients, name)
        state.add("aws_s3_bucket", name.replace("-", "_"),
                  _bucket_attrs(name, "us-east-1", {}, False))
    for name in ("cloudrift-u1", "cloudrift-u2", "cloudrift-u3", "cloudrift-u4"):
        # unmanaged buckets, public access blocks and all: none of it is asked for
        _create_bucket(clients, name)
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB)
    # m1's block is Terraform's; m2's was added by hand; m3 has none
    for name in ("cloudrift-m1", "cloudrift-m2"):
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB)
    state.add("aws_s3_bucket_public_access_block", "m1", {
        "id": "cloudrift-m1", "bucket": "cloudrift-m1", "block_public_acls": True,
        "ignore_public_acls": False, "block_public_policy": False,
        "restrict_public_buckets": False})

    report, provider = _scan(moto.endpoint, state, "all")

    assert _unmanaged(report, "aws_s3_bucket_public_access_block") == ["cloudrift-m2"]
    assert report.summary.in_sync == 4
    calls = Counter(provider.ctx.operations)
    assert len(CONFIG_CALLS) == 9
    assert {op: calls[op] for op in CONFIG_CALLS} == {op: len(managed) for op in CONFIG_CALLS}
    # the account's listing, the region's, and a second region's to see the filter honoured
    # (moto gives no BucketRegion); never a call per bucket to place it
    assert (calls["s3:ListBuckets"], calls["s3:GetBucketLocation"]) == (3, 0)

    # by default only the configuration type a state uses is asked for, of every managed bucket
    report, provider = _scan(moto.endpoint, state)
    assert _unmanaged(report, "aws_s3_bucket_public_access_block") == ["cloudrift-m2"]
    assert report.summary.in_sync == 4
    calls = Counter(provider.ctx.operations)
    used = s3_config.PUBLIC_ACCESS_BLOCK.calls[0]
    assert {op: calls[op] for op in CONFIG_CALLS} == {
        op: len(managed) if op == used else 0 for op in CONFIG_CALLS}
    configurations = {spec.type for spec in (*s3_config.SPECS, *s3_config_rules.SPECS)
                      if spec.unmanaged}
    unsearched = {c.type for c in report.coverage if not c.unmanaged_searched}
    assert unsearched & configurations == configurations - {"aws_s3_bucket_public_access_block"}


def test_access_keys_cost_one_listing_per_managed_user(moto: MotoServer,
                                                       clients: Clients) -> None:
    iam = clients("iam")
    state = StateBuilder()
    keys: dict[str, str] = {}
    for name in ("alice", "bob", "carol", "mallory"):
        iam.create_user(UserName=name)
        keys[name] = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    for name in ("alice", "bob"):
        state.add("aws_iam_user", name, user_attrs(name))
    # alice's key is Terraform's; bob's key and both inline policies were made by hand
    state.add("aws_iam_access_key", "alice", {"id": keys["alice"], "user": "alice",
                                              "status": "Active"})

    report, provider = _scan(moto.endpoint, state)

    assert _unmanaged(report, "aws_iam_access_key") == [keys["bob"]]
    assert _unmanaged(report, "aws_iam_user_policy") == ["alice:admin", "bob:admin"]
    calls = Counter(provider.ctx.operations)
    assert calls["iam:ListAccessKeys"] == 2
    assert calls["iam:GetAccountAuthorizationDetails"] == 1
