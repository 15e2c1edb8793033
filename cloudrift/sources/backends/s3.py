"""Terraform state in Amazon S3 (or anything that speaks its API), through boto3.

``tfstate+s3://BUCKET/KEY`` reads one object; a KEY with ``*``, ``?``, ``[...]`` or ``**`` lists
the bucket under the pattern's literal prefix (ListObjectsV2) and reads every match.
``?workspace=GLOB`` adds the S3 backend's workspace layout: the default workspace at KEY, every
other one at ``<workspace_key_prefix>/<workspace>/KEY`` (prefix ``env:`` unless
``?workspace_key_prefix=`` says otherwise). GetObject without a version id is the current
version of a versioned bucket, and a deleted state (a delete marker) is not listed.

Credentials come from boto3's standard chain (``?profile=`` picks a profile);
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` or ``?endpoint=`` point it elsewhere; the region
is ``?region=``, else ``AWS_REGION``, else the profile's, else us-east-1 (S3 redirects a bucket
to its own region).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backend_urls import (
    DEFAULT_WORKSPACE,
    Plan,
    PlanContext,
    literals,
    note_unused,
    url_query,
)
from cloudrift.sources.backends._common import (
    flag,
    options_dict,
    split_bucket,
    workspace_option,
)
from cloudrift.sources.backends._store import Fault, KeyedStoreSource, ObjectFault
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

OPTIONS = ("region", "profile", "endpoint", "workspace", "workspace_key_prefix", "path_style")

CREDENTIAL_CODES = frozenset({
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
    "InvalidToken", "TokenRefreshRequired", "InvalidClientTokenId",
})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "Forbidden", "403"})
MISSING_KEY_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "")
    return ""


@dataclass(frozen=True)
class S3StateSource(KeyedStoreSource[Any]):
    uri: str
    bucket: str
    key: str
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    workspace: str | None = None
    workspace_key_prefix: str = "env:"
    path_style: bool = False
    max_workers: int = 16
    keys: StateKeys | None = field(default=None, repr=False)

    list_hint = "the credentials need s3:ListBucket"

    @classmethod
    def from_spec(
        cls,
        uri: str,
        location: str,
        options: Sequence[tuple[str, str]],
        settings: BackendSettings,
        environ: Mapping[str, str] | None = None,
    ) -> S3StateSource:
        env = os.environ if environ is None else environ
        values = options_dict(uri, options, OPTIONS)
        bucket, key = split_bucket(uri, location)
        if not key:
            raise ConfigError(
                f"--from {uri!r} names a bucket but no key",
                hint="e.g. tfstate+s3://BUCKET/path/terraform.tfstate or BUCKET/**/*.tfstate",
            )
        workspace = workspace_option(uri, values)
        prefix = values.get("workspace_key_prefix", "env:").strip("/")
        if not prefix:
            raise ConfigError(f"--from {uri!r}: workspace_key_prefix may not be empty")
        return cls(
            uri=uri,
            bucket=bucket,
            key=key,
            region=values.get("region") or env.get("AWS_REGION") or None,
            profile=values.get("profile"),
            endpoint_url=values.get("endpoint"),
            workspace=workspace,
            workspace_key_prefix=prefix,
            path_style=flag(uri, "path_style", values.get("path_style")),
            max_workers=settings.max_workers,
            keys=settings.state_keys,
        )

    def label(self, name: str) -> str:
        return f"s3://{self.bucket}/{name}"

    def container_name(self) -> str:
        return self.bucket

    def stored_at(self, workspace: str) -> str:
        return f"{self.workspace_key_prefix}/{workspace}/{self.key}"

    # -- client --------------------------------------------------------------------------------

    def client(self) -> Any:
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError
        except ImportError:
            raise SourceError(f"{self.uri}: boto3 is not installed",
                              hint="pip install 'cloudrift-scanner[aws]'") from None
        try:
            session = boto3.session.Session(profile_name=self.profile)
            config = Config(
                retries={"max_attempts": 5, "mode": "standard"},
                max_pool_connections=max(10, self.max_workers),
                user_agent_extra="cloudrift",
                s3={"addressing_style": "path"} if self.path_style else None,
            )
            return session.client(
                "s3",
                region_name=self.region or session.region_name or "us-east-1",
                endpoint_url=self.endpoint_url,
                config=config,
            )
        except BotoCoreError as exc:
            raise SourceError(f"{self.uri}: cannot set up the S3 client ({exc})") from None

    def connect(self) -> AbstractContextManager[Any]:
        return nullcontext(self.client())

    def list_prefix(self, client: Any, prefix: str) -> Iterator[str]:
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents") or []:
                yield str(item["Key"])

    def download(self, client: Any, item: str) -> bytes:
        body: bytes = client.get_object(Bucket=self.bucket, Key=item)["Body"].read()
        return body

    # -- errors --------------------------------------------------------------------------------

    def store_errors(self) -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (ClientError, BotoCoreError)

    def classify(self, exc: Exception, where: str, listing: bool
                 ) -> SourceError | ObjectFault | None:
        from botocore.exceptions import (
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return SourceError(f"{where}: AWS credentials not found",
                               hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID, or log in with SSO")
        if isinstance(exc, EndpointConnectionError):
            return SourceError(f"{where}: cannot reach S3 ({exc})")
        code = _code(exc)
        if code in CREDENTIAL_CODES:
            return SourceError(f"{where}: S3 rejected the credentials ({code})",
                               hint="they may have expired; refresh them and run again")
        if code == "NoSuchBucket":
            return self._missing_container(where)
        code = code or type(exc).__name__
        if code in MISSING_KEY_CODES:
            return ObjectFault(Fault.GONE, code)
        if code in DENIED_CODES:
            return ObjectFault(Fault.DENIED, code)
        if code.startswith("KMS."):
            return ObjectFault(Fault.OTHER, code, f"cannot decrypt the object ({code})")
        return ObjectFault(Fault.OTHER, code, f"cannot read the object ({code}: {exc})")


# -- discovery ---------------------------------------------------------------------------------


def plan_s3(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``backend "s3"`` block: its bucket and key, the workspace layout its
    ``workspace_key_prefix`` gives, and the options the reader takes."""
    plan = Plan()
    merged = dict(settings)
    endpoints = settings.get("endpoints")
    if merged.get("endpoint") is None and isinstance(endpoints, Mapping):
        merged["endpoint"] = endpoints.get("s3")
    values = literals(merged, ("bucket", "key"),
                      ("region", "workspace_key_prefix", "profile", "endpoint"), plan)
    if values is None:
        return plan
    bucket, key = values["bucket"], values["key"]
    prefix = values.get("workspace_key_prefix", "env:").strip("/")
    path_style = settings.get("use_path_style") is True or settings.get("force_path_style") is True
    options: dict[str, str | None] = {
        "region": values.get("region"), "profile": values.get("profile"),
        "endpoint": values.get("endpoint"), "path_style": "true" if path_style else None,
    }
    if "region" not in values:
        plan.notes.append("no region in the block: AWS_REGION is used when reading")
    base, shown = f"tfstate+s3://{bucket}/", url_query(**options)
    if workspace is None and prefix:
        # one URL: the reader lists the default key and every <prefix>/<workspace>/<key>, and
        # is content with finding only some of them
        custom = prefix if prefix != "env:" else None
        plan.urls.append(f"{base}{key}"
                         + url_query(**options, workspace="*", workspace_key_prefix=custom))
    elif workspace is None:
        plan.urls += [f"{base}{key}{shown}", f"{base}*/{key}{shown}"]
    elif workspace == DEFAULT_WORKSPACE:
        plan.urls.append(f"{base}{key}{shown}")
    else:
        where = f"{prefix}/{workspace}" if prefix else workspace
        plan.urls.append(f"{base}{where}/{key}{shown}")
    note_unused(settings, ("role_arn", "assume_role", "assume_role_with_web_identity",
                           "shared_credentials_file", "shared_credentials_files"), plan,
                "credentials come from the standard AWS chain")
    return plan


BACKEND = Backend(name="s3", schemes=("s3",), opener=S3StateSource.from_spec,
                  planners={"s3": plan_s3})
