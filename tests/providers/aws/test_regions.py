"""Where a resource lives, from what its state says."""

from __future__ import annotations

import pytest

from cloudrift_aws.regions import (
    account_from_arn,
    default_region,
    region_from_arn,
    region_from_zone,
    region_of,
)


@pytest.mark.parametrize(
    ("arn", "region", "account"),
    [
        ("arn:aws:sqs:eu-west-1:123456789012:orders", "eu-west-1", "123456789012"),
        ("arn:aws:iam::123456789012:role/app", None, "123456789012"),
        ("arn:aws:s3:::my-bucket", None, None),
        ("arn:aws-us-gov:ec2:us-gov-west-1:1:vpc/vpc-1", "us-gov-west-1", "1"),
        ("not-an-arn", None, None),
        (None, None, None),
    ],
)
def test_arn_parts(arn: str | None, region: str | None, account: str | None) -> None:
    assert region_from_arn(arn) == region
    assert account_from_arn(arn) == account


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("eu-west-1a", "eu-west-1"),
        ("us-gov-east-1b", "us-gov-east-1"),
        ("us-west-2-lax-1a", "us-west-2"),
        ("eu-west-1", None),
        ("", None),
    ],
)
def test_zone_to_region(zone: str, region: str | None) -> None:
    assert region_from_zone(zone) == region


def test_arn_wins_over_region_and_zone() -> None:
    attrs = {"arn": "arn:aws:ec2:ap-south-1:1:vpc/vpc-1", "region": "eu-west-1",
             "availability_zone": "us-east-1a"}
    assert region_of(attrs) == "ap-south-1"
    assert region_of({"region": "eu-west-1", "availability_zone": "us-east-1a"}) == "eu-west-1"
    assert region_of({"availability_zone": "us-east-1a"}) == "us-east-1"
    assert region_of({"arn": "arn:aws:iam::1:role/x"}) is None


def test_default_region_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert default_region(("ca-central-1",), "us-west-1") == "ca-central-1"
    assert default_region((), "us-west-1") == "eu-north-1"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert default_region((), "us-west-1") == "us-west-1"
    assert default_region((), None) == "us-east-1"
