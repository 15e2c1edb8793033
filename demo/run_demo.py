"""`make demo`: a real scan of a small AWS estate on a local emulator, showing every kind of drift.

1. start moto's server in this process, on 127.0.0.1;
2. build an estate with boto3 (a VPC, queues, a bucket, an IAM role, a log group) and write the
   Terraform state that describes it, as `terraform apply` would have;
3. change the estate behind Terraform's back: edit fields, delete a queue, add resources no state
   knows about;
4. run the real `cloudrift scan` command against it (over HTTP, via AWS_ENDPOINT_URL) and show
   what it finds: changed, missing and unmanaged, each at its file:line in ``estate/``, whose
   code also declares a topic nobody applied (unapplied).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from cloudrift.testing import FAKE_CREDENTIALS, StateBuilder, environment
from cloudrift_aws.testing import MotoServer

REGION = "eu-west-1"
ACCOUNT = "123456789012"
OUT = Path(__file__).resolve().parent / "out"
CODE = Path(__file__).resolve().parent / "estate"


def build_estate(state: StateBuilder) -> dict[str, Any]:
    """Create the declared resources and record them in the state the way Terraform would."""
    ec2 = boto3.client("ec2", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    made: dict[str, Any] = {}

    vpc = ec2.create_vpc(
        CidrBlock="10.42.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc",
                            "Tags": [{"Key": "env", "Value": "prod"},
                                     {"Key": "team", "Value": "platform"}]}],
    )["Vpc"]
    made["vpc"] = vpc["VpcId"]
    state.add("aws_vpc", "main", {
        "id": vpc["VpcId"], "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc['VpcId']}",
        "cidr_block": "10.42.0.0/16", "instance_tenancy": "default",
        "enable_dns_support": True, "enable_dns_hostnames": False,
        "tags": {"env": "prod", "team": "platform"},
        "tags_all": {"env": "prod", "team": "platform"},
    }, module="module.network")

    for name in ("orders", "invoices", "emails"):
        url = sqs.create_queue(QueueName=name, Attributes={
            "VisibilityTimeout": "30", "MessageRetentionPeriod": "345600",
            "MaximumMessageSize": "262144", "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0",
        }, tags={"env": "prod"})["QueueUrl"]
        made[name] = url
        state.add("aws_sqs_queue", "queue", {
            "id": url, "url": url, "name": name,
            "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
            "visibility_timeout_seconds": 30, "message_retention_seconds": 345600,
            "max_message_size": 262144, "delay_seconds": 0, "receive_wait_time_seconds": 0,
            "fifo_queue": False, "content_based_deduplication": False, "policy": "",
            "redrive_policy": "", "kms_master_key_id": "",
            "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
        }, index_key=name)

    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="acme-invoices",
                     CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="acme-invoices",
                          Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    state.add("aws_s3_bucket", "invoices", {
        "id": "acme-invoices", "bucket": "acme-invoices", "arn": "arn:aws:s3:::acme-invoices",
        "region": REGION, "object_lock_enabled": False, "force_destroy": False,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    })

    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="invoice-worker", AssumeRolePolicyDocument=json.dumps(trust),
                           Description="runs the invoice queue")["Role"]
    state.add("aws_iam_role", "worker", {
        "id": "invoice-worker", "name": "invoice-worker", "arn": role["Arn"],
        "assume_role_policy": json.dumps(trust), "description": "runs the invoice queue",
        "path": "/", "max_session_duration": 3600, "permissions_boundary": "",
        "tags": {}, "tags_all": {},
    }, module="module.workers")
    return made


def drift(made: dict[str, Any]) -> None:
    """What a busy on-call engineer might do in the console at 3 a.m."""
    ec2 = boto3.client("ec2", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    # changed: a longer visibility timeout and a re-tagged VPC
    sqs.set_queue_attributes(QueueUrl=made["orders"], Attributes={"VisibilityTimeout": "120"})
    ec2.create_tags(Resources=[made["vpc"]], Tags=[{"Key": "env", "Value": "staging"}])
    # missing: a queue deleted by a clean-up script
    sqs.delete_queue(QueueUrl=made["emails"])
    # unmanaged: things made by hand that no state knows about
    sqs.create_queue(QueueName="debug-replay")
    ec2.create_vpc(CidrBlock="172.31.200.0/24")
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="tmp-export-2026", CreateBucketConfiguration={"LocationConstraint": REGION})
    # changed: a role's trust widened to EC2 by hand
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
        "Action": "sts:AssumeRole"}]}
    boto3.client("iam", region_name=REGION).update_assume_role_policy(
        RoleName="invoice-worker", PolicyDocument=json.dumps(trust))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    state_path = OUT / "terraform.tfstate"
    report_path = OUT / "report.json"
    print("Starting a local AWS emulator (moto) on 127.0.0.1 ...", flush=True)
    with MotoServer() as server, environment({
        **FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": server.endpoint,
    }):
        state = StateBuilder()
        made = build_estate(state)
        state.write(state_path)
        print(f"Built the estate and wrote its state to {state_path.relative_to(Path.cwd())}")
        drift(made)
        print("Changed it behind Terraform's back. Scanning:\n", flush=True)
        command = [
            str(Path(sys.executable).parent / "cloudrift"), "scan",
            "--from", f"tfstate://{state_path}", "--hcl", os.path.relpath(CODE), "--to", "aws",
            "--region", REGION,
            "--output", "console://", "--output", f"json://{report_path}",
        ]
        print("$ " + " ".join(c if " " not in c else repr(c) for c in command[1:]).replace(
            str(Path.cwd()) + os.sep, ""), flush=True)
        code = subprocess.run(command, check=False).returncode
    report = json.loads(report_path.read_text())
    kinds = {f["kind"] for f in report["findings"]}
    print(f"\nExit code {code} (1 = drift found). JSON report: "
          f"{report_path.relative_to(Path.cwd())}")
    expected = {"changed", "missing", "unmanaged", "unapplied"}
    if code != 1 or not expected <= kinds:
        print(f"demo failed: expected exit 1 with {sorted(expected)}, got {sorted(kinds)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
