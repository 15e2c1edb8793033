"""An AWS Organization in moto for tests: accounts by name, each with IAM roles and a state of
them (one file per account, as Terraform roots usually are)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer

MANAGEMENT = "123456789012"
ROLE = "cloudrift-readonly"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def session_in(moto: MotoServer, account: str) -> boto3.session.Session:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=moto.endpoint)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/setup",
                            RoleSessionName="test-setup")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"], region_name="us-east-1")


@dataclass
class Organization:
    """An organisation in moto: the management account and members by name, a state of each
    account's IAM roles (one file per account, as Terraform roots usually are)."""

    moto: MotoServer
    directory: Path
    accounts: dict[str, str] = field(default_factory=dict)
    states: list[str] = field(default_factory=list)

    def add(self, name: str) -> str:
        org = boto3.client("organizations", region_name="us-east-1",
                           endpoint_url=self.moto.endpoint)
        status = org.create_account(Email=f"{name}@example.com",
                                    AccountName=name)["CreateAccountStatus"]
        account = str(status["AccountId"])
        self.accounts[name] = account
        # Organizations creates its admin role in every new account; no state here manages it
        session_in(self.moto, account).client("iam", endpoint_url=self.moto.endpoint
                                              ).delete_role(RoleName="OrganizationAccountAccessRole")
        return account

    def close(self, name: str) -> None:
        org = boto3.client("organizations", region_name="us-east-1",
                           endpoint_url=self.moto.endpoint)
        org.close_account(AccountId=self.accounts[name])

    def roles(self, name: str, roles: dict[str, str], *, drift: dict[str, str] | None = None,
              stray_user: bool = False, attachment: bool = False) -> None:
        """Roles in the account (and its state), some changed behind Terraform."""
        account = self.accounts[name]
        iam = session_in(self.moto, account).client("iam", endpoint_url=self.moto.endpoint)
        state = StateBuilder()
        for role, description in roles.items():
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST,
                            Description=(drift or {}).get(role, description))
            state.add("aws_iam_role", role, {
                "id": role, "name": role, "arn": f"arn:aws:iam::{account}:role/{role}",
                "assume_role_policy": TRUST, "description": description, "path": "/",
                "max_session_duration": 3600})
        if attachment:
            # no ARN in its state: it belongs to the account the rest of its state names
            first = next(iter(roles))
            policy = iam.create_policy(PolicyName="reader", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            )["Policy"]["Arn"]
            iam.attach_role_policy(RoleName=first, PolicyArn=policy)
            state.add("aws_iam_role_policy_attachment", "ro", {
                "id": f"{first}-ro", "role": first, "policy_arn": policy})
        if stray_user:
            iam.create_user(UserName=f"stray-{name}")
        self.states.append(state.write(self.directory / f"{name}.tfstate"))


def new_organization(moto: MotoServer, directory: Path) -> Organization:
    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=moto.endpoint)
    org.create_organization(FeatureSet="ALL")
    world = Organization(moto, directory)
    world.accounts["management"] = MANAGEMENT
    return world
