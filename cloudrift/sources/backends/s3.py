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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backends._common import (
    BackendSettings,
    ObjectError,
    flag,
    has_glob,
    matching_objects,
    no_match_error,
    options_dict,
    read_states,
    split_bucket,
    workspace_option,
    workspace_patterns,
)
from cloudrift.sources.tfstate import SourceFailure, StateDocument

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
class S3StateSource:
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

    def label(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

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

    def _fatal(self, exc: Exception, where: str) -> SourceError | None:
        """The error as a SourceError when it condemns the whole source, else None."""
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
            return SourceError(f"{where}: bucket {self.bucket!r} does not exist")
        return None

    # -- reading -------------------------------------------------------------------------------

    def patterns(self) -> list[str]:
        return workspace_patterns(
            self.key, self.workspace, lambda ws: f"{self.workspace_key_prefix}/{ws}/{self.key}"
        )

    def list_keys(self, client: Any) -> list[str]:
        return matching_objects(self.patterns(), lambda p: self._list(client, p), str)

    def _list(self, client: Any, prefix: str) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        where = self.label(prefix)
        try:
            paginator = client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents") or []:
                    yield str(item["Key"])
        except (ClientError, BotoCoreError) as exc:
            fatal = self._fatal(exc, where)
            if fatal is not None:
                raise fatal from None
            code = _code(exc) or type(exc).__name__
            if code in DENIED_CODES:
                raise SourceError(f"{where}: access denied listing the bucket ({code})",
                                  hint="the credentials need s3:ListBucket") from None
            raise SourceError(f"{where}: cannot list the bucket ({code})") from None

    def _get(self, client: Any, key: str, single: bool) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        where = self.label(key)
        try:
            response = client.get_object(Bucket=self.bucket, Key=key)
            body: bytes = response["Body"].read()
            return body
        except (ClientError, BotoCoreError) as exc:
            fatal = self._fatal(exc, where)
            if fatal is not None:
                raise fatal from None
            code = _code(exc) or type(exc).__name__
            if code in MISSING_KEY_CODES:
                if single:
                    raise SourceError(f"{where}: no such state object") from None
                raise ObjectError("the object was deleted while the states were read") from None
            if code in DENIED_CODES:
                raise ObjectError(f"access denied ({code})") from None
            if code.startswith("KMS."):
                raise ObjectError(f"cannot decrypt the object ({code})") from None
            raise ObjectError(f"cannot read the object ({code}: {exc})") from None

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        client = self.client()
        if self.workspace is None and not has_glob(self.key):
            return read_states([self.key], lambda k: self._get(client, k, True), self.label, 1,
                               self.keys)
        keys = self.list_keys(client)
        if not keys:
            raise no_match_error(self.label(p) for p in self.patterns())
        return read_states(keys, lambda k: self._get(client, k, False), self.label,
                           self.max_workers, self.keys)
