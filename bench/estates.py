"""The estates ``bench/terraform.py`` puts side by side, each with the targets of issue 18.

- ``estate-572``: ``bench/estate``, hand-written modules over many services, with the drift of
  ``bench/estate/drift.py``;
- ``estate-601``: generated, wide and shallow: 200 security groups (in one VPC), 200 S3 buckets,
  150 IAM roles and 50 SNS topics;
- ``community``: ``tests/e2e/community``, the terraform tier's estate written the way the popular
  module collections write AWS (VPC with NAT and flow logs, an S3 bucket with its configuration
  resources, security groups with rules as resources, queues), applied undrifted: its drift and
  the parts that echo into parents are the e2e tier's business. Also scanned with
  ``--unmanaged none`` where the CLI has that option;
- ``estate-2000``: generated, 2,000 resources of types quick to create (log groups, SNS topics,
  IAM policies, ECR repositories) over ``for_each`` modules and ``count``. No SSM parameters:
  moto's DescribeParameters iterates a dict other threads add to, and fails under a parallel
  apply.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.estate.drift import (  # noqa: E402
    MUTATIONS,
    UNMANAGED,
    bucket_tags,
    changed,
    delete_bucket,
    delete_group,
    delete_log_group,
    delete_topic,
    display_name,
    ec2_tag,
    immutable,
    ingress,
    missing,
    named,
    policy_version,
    retention,
    role_description,
    stray_role,
)
from bench.terraform import Estate, Target, Variant  # noqa: E402
from tests.e2e.behind_terraform import Clients, Mutation, Unmanaged  # noqa: E402

HERE = Path(__file__).resolve().parent
COMMUNITY = ROOT / "tests" / "e2e" / "community"

# the provider block of every generated estate (bench/estate/main.tf's)
_HEADER = """\
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  default_tags {
    tags = {
      owner = "cloudrift-bench"
    }
  }
}
"""

_TRUST = """jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })"""


def _copy(source: Path) -> Callable[[Path], None]:
    def write(directory: Path) -> None:
        shutil.copytree(source, directory, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.py", "__pycache__", ".terraform*",
                                                      "*.tfstate*"))

    return write


# -- estate-601 ---------------------------------------------------------------------------------

WIDE = {"security_groups": 200, "buckets": 200, "roles": 150, "topics": 50}


def write_wide(directory: Path, counts: Mapping[str, int] = WIDE) -> None:
    """One VPC and, by ``count`` and ``for_each``, the security groups, buckets, roles and topics
    of ``counts``."""
    (directory / "main.tf").write_text(_HEADER + f"""
resource "aws_vpc" "wide" {{
  cidr_block = "10.40.0.0/16"
  tags = {{
    Name = "wide"
  }}
}}

resource "aws_security_group" "g" {{
  count       = {counts["security_groups"]}
  name        = format("wide-%03d", count.index)
  description = "wide estate group ${{count.index}}"
  vpc_id      = aws_vpc.wide.id

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }}

  tags = {{
    n = tostring(count.index)
  }}
}}

resource "aws_s3_bucket" "b" {{
  for_each = toset([for n in range({counts["buckets"]}) : format("%03d", n)])
  bucket   = "wide-${{each.key}}"
}}

resource "aws_iam_role" "r" {{
  count              = {counts["roles"]}
  name               = format("wide-%03d", count.index)
  description        = "wide estate role ${{count.index}}"
  assume_role_policy = {_TRUST}
}}

resource "aws_sns_topic" "t" {{
  count = {counts["topics"]}
  name  = format("wide-%02d", count.index)
}}
""")


def _stray_wide_group(c: Clients) -> str:
    vpc = c("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.40.0.0/16"]}])
    return str(c("ec2").create_security_group(
        GroupName="wide-stray", Description="made by hand", VpcId=vpc["Vpcs"][0]["VpcId"],
    )["GroupId"])


WIDE_MUTATIONS: tuple[Mutation, ...] = (
    changed("aws_security_group.g[3]", "ssh ingress added", ingress),
    Mutation("aws_security_group.g[10]", "changed", "tag added",
             ec2_tag("aws_security_group.g[10]", "cost-centre", "42")),
    changed('aws_s3_bucket.b["005"]', "tag team", bucket_tags),
    changed("aws_iam_role.r[7]", "description", role_description),
    changed("aws_sns_topic.t[2]", "display name", display_name),
    missing("aws_security_group.g[20]", delete_group),
    missing('aws_s3_bucket.b["030"]', delete_bucket),
    missing("aws_sns_topic.t[9]", delete_topic),
)

WIDE_UNMANAGED: tuple[Unmanaged, ...] = (
    Unmanaged("aws_security_group", "security group", _stray_wide_group),
    Unmanaged("aws_s3_bucket", "bucket", named(lambda c, n: c("s3").create_bucket(Bucket=n),
                                               "wide-stray")),
    Unmanaged("aws_iam_role", "role", stray_role),
    Unmanaged("aws_sns_topic", "topic", lambda c: str(
        c("sns").create_topic(Name="wide-stray")["TopicArn"])),
)

# -- estate-2000 --------------------------------------------------------------------------------

TEAMS = 20
# per team: 100 resources
PER_TEAM = {"log_groups": 40, "topics": 30, "policies": 15, "repositories": 15}


def write_large(directory: Path, teams: int = TEAMS,
                per_team: Mapping[str, int] = PER_TEAM) -> None:
    """A root module calling one ``team`` module per team (``for_each``); each team's module
    makes its log groups, topics, policies and repositories with ``count`` and ``for_each``."""
    module = directory / "modules" / "team"
    module.mkdir(parents=True)
    (directory / "main.tf").write_text(_HEADER + f"""
module "team" {{
  source   = "./modules/team"
  for_each = toset([for n in range({teams}) : format("t%02d", n)])
  team     = each.key
}}
""")
    (module / "main.tf").write_text(f"""\
variable "team" {{
  type = string
}}

resource "aws_cloudwatch_log_group" "l" {{
  for_each          = toset([for n in range({per_team["log_groups"]}) : tostring(n)])
  name              = "/large/${{var.team}}/${{each.key}}"
  retention_in_days = 14
}}

resource "aws_sns_topic" "t" {{
  count = {per_team["topics"]}
  name  = "large-${{var.team}}-${{count.index}}"
}}

resource "aws_iam_policy" "p" {{
  count = {per_team["policies"]}
  name  = "large-${{var.team}}-${{count.index}}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::large-${{var.team}}-${{count.index}}/*"
    }}]
  }})
}}

resource "aws_ecr_repository" "r" {{
  for_each = toset([for n in range({per_team["repositories"]}) : format("r%02d", n)])
  name     = "large-${{var.team}}-${{each.key}}"

  image_tag_mutability = "MUTABLE"
}}
""")


def _team(n: int) -> str:
    return f'module.team["t{n:02d}"]'


LARGE_MUTATIONS: tuple[Mutation, ...] = (
    changed(f'{_team(1)}.aws_ecr_repository.r["r04"]', "tags immutable", immutable),
    changed(f'{_team(3)}.aws_cloudwatch_log_group.l["7"]', "retention 14 -> 90", retention),
    changed(f"{_team(5)}.aws_sns_topic.t[11]", "display name", display_name),
    changed(f"{_team(8)}.aws_iam_policy.p[2]", "new default version", policy_version),
    missing(f'{_team(12)}.aws_cloudwatch_log_group.l["21"]', delete_log_group),
    missing(f"{_team(17)}.aws_sns_topic.t[0]", delete_topic),
)

LARGE_UNMANAGED: tuple[Unmanaged, ...] = (
    Unmanaged("aws_cloudwatch_log_group", "log group", named(
        lambda c, n: c("logs").create_log_group(logGroupName=n), "/large/stray")),
    Unmanaged("aws_sns_topic", "topic", lambda c: str(
        c("sns").create_topic(Name="large-stray")["TopicArn"])),
)


def _community_missing() -> str | None:
    if (COMMUNITY / "main.tf").exists():
        return None
    return f"{COMMUNITY.relative_to(ROOT)} is not in this checkout"


# issue 18: >= 10x faster and <= 1/10 of terraform's calls on the large estates, >= 5x on the
# community one (where a scan's fixed costs weigh most), and fewer calls than terraform there
# with the unmanaged search off
SCALE = Target(speed=10.0, calls=(10.0,))
# issue 13 besides: with 110+ types, still at most 1/5 of terraform's calls on bench/estate
HELD = Target(speed=10.0, calls=(10.0, 5.0))

ESTATES: dict[str, Estate] = {estate.name: estate for estate in (
    # the default search (listings) against the widest (all: a bucket's ten configurations,
    # a user's access keys and a repository's policies read under every managed parent)
    Estate("estate-572", "bench/estate", _copy(HERE / "estate"),
           (Variant("", HELD),
            Variant("--unmanaged all", SCALE, ("--unmanaged", "all"), needs="--unmanaged")),
           MUTATIONS, UNMANAGED),
    Estate("estate-601", "generated wide estate", write_wide, (Variant("", SCALE),),
           WIDE_MUTATIONS, WIDE_UNMANAGED),
    Estate("community", "tests/e2e/community", _copy(COMMUNITY),
           (Variant("", Target(speed=5.0)),
            Variant("--unmanaged none", Target(fewer_calls=True), ("--unmanaged", "none"),
                    needs="--unmanaged")),
           unavailable=_community_missing),
    # two runs each: a refresh of 2,000 resources takes long enough that a third would only
    # stretch `make bench`
    Estate("estate-2000", "generated large estate", write_large, (Variant("", SCALE),),
           LARGE_MUTATIONS, LARGE_UNMANAGED, runs=2),
)}
