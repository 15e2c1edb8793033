"""Terraform state in Google Cloud Storage, through google-cloud-storage (the gcp extra).

Terraform's ``gcs`` backend keeps each workspace at ``<prefix>/<workspace>.tfstate``, so:

- ``tfstate+gs://BUCKET/PREFIX`` reads every workspace under that prefix (``*.tfstate``);
- ``?workspace=GLOB`` reads the workspaces that match;
- ``tfstate+gs://BUCKET/path/x.tfstate`` reads that one object;
- a path with ``*``, ``?``, ``[...]`` or ``**`` is a glob over object names.

Each object is downloaded at the generation the listing saw. Credentials: the Terraform
backend's ``GOOGLE_BACKEND_CREDENTIALS`` / ``GOOGLE_CREDENTIALS`` (a key file's path or its
JSON), ``GOOGLE_OAUTH_ACCESS_TOKEN``, else Application Default Credentials.
``STORAGE_EMULATOR_HOST`` (emulators, anonymous) or ``?endpoint=`` change the endpoint.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import SourceError
from cloudrift.sources.backend_urls import Plan, PlanContext, literals, note_unused
from cloudrift.sources.backends._common import (
    env_first,
    has_glob,
    options_dict,
    split_bucket,
    workspace_option,
)
from cloudrift.sources.backends._store import Fault, ObjectFault, ObjectStoreSource
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

OPTIONS = ("workspace", "endpoint", "project")
READ_ONLY_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only"
# the client's default retry keeps at it for two minutes; a scan should say sooner what is wrong
RETRY_TIMEOUT = 30.0


def _retry() -> Any:
    # google-cloud-storage ships no type information
    from google.cloud.storage.retry import DEFAULT_RETRY  # type: ignore[import-untyped]

    return DEFAULT_RETRY.with_timeout(RETRY_TIMEOUT)


@dataclass(frozen=True)
class GcsStateSource(ObjectStoreSource[Any, Any]):
    uri: str
    bucket: str
    path: str
    workspace: str | None = None
    endpoint: str | None = None
    project: str | None = None
    credentials: Any = field(default=None, repr=False)
    max_workers: int = 16
    keys: StateKeys | None = field(default=None, repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False, compare=False)

    list_hint = "the credentials need storage.objects.list"

    @classmethod
    def from_spec(
        cls,
        uri: str,
        location: str,
        options: Sequence[tuple[str, str]],
        settings: BackendSettings,
        environ: Mapping[str, str] | None = None,
    ) -> GcsStateSource:
        values = options_dict(uri, options, OPTIONS)
        bucket, path = split_bucket(uri, location)
        workspace = workspace_option(uri, values)
        endpoint = values.get("endpoint")
        if endpoint:
            # Terraform's storage_custom_endpoint carries the API path; the client adds its own
            endpoint = re.sub(r"/storage/v1/?$", "", endpoint.rstrip("/"))
        return cls(uri=uri, bucket=bucket, path=path, workspace=workspace,
                   endpoint=endpoint or None, project=values.get("project"),
                   max_workers=settings.max_workers, keys=settings.state_keys,
                   environ=environ)

    def label(self, name: str) -> str:
        return f"gs://{self.bucket}/{name}"

    def container_name(self) -> str:
        return self.bucket

    # -- what the URL names --------------------------------------------------------------------

    def _join(self, name: str) -> str:
        base = self.path.rstrip("/")
        return f"{base}/{name}" if base else name

    def pattern(self) -> str | None:
        """The glob over object names, or None when the URL names one object."""
        if self.workspace is not None:
            return self._join(f"{self.workspace}.tfstate")
        if has_glob(self.path):
            return self.path
        if self.path.endswith(".tfstate"):
            return None
        return self._join("*.tfstate")

    def single(self) -> str | None:
        return self.path if self.pattern() is None else None

    def patterns(self) -> list[str]:
        pattern = self.pattern()
        return [] if pattern is None else [pattern]

    # -- client --------------------------------------------------------------------------------

    def _resolve_credentials(self) -> Any:
        if self.credentials is not None:
            return self.credentials
        env = os.environ if self.environ is None else self.environ
        if env.get("STORAGE_EMULATOR_HOST"):
            return None  # the client goes anonymous for an emulator
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            raw = env_first(env, "GOOGLE_BACKEND_CREDENTIALS", "GOOGLE_CREDENTIALS")
            if raw:
                if raw.lstrip().startswith("{"):
                    credentials, _ = google.auth.load_credentials_from_dict(  # type: ignore[no-untyped-call]
                        json.loads(raw), scopes=[READ_ONLY_SCOPE])
                else:
                    credentials, _ = google.auth.load_credentials_from_file(  # type: ignore[no-untyped-call]
                        raw, scopes=[READ_ONLY_SCOPE])
                return credentials
            token = env.get("GOOGLE_OAUTH_ACCESS_TOKEN")
            if token:
                from google.oauth2.credentials import Credentials

                return Credentials(token)  # type: ignore[no-untyped-call]
            credentials, _ = google.auth.default(scopes=[READ_ONLY_SCOPE])
            return credentials
        except (DefaultCredentialsError, ValueError) as exc:
            raise SourceError(
                f"{self.uri}: no usable Google credentials ({str(exc).splitlines()[0]})",
                hint="run `gcloud auth application-default login` or set "
                "GOOGLE_APPLICATION_CREDENTIALS",
            ) from None

    def client(self) -> Any:
        try:
            from google.cloud import storage  # type: ignore[attr-defined,import-untyped,unused-ignore]
        except ImportError:
            raise SourceError(f"{self.uri}: google-cloud-storage is not installed",
                              hint="pip install 'cloudrift-scanner[gcp]'") from None
        options = {"api_endpoint": self.endpoint} if self.endpoint else None
        client = storage.Client(project=self.project, credentials=self._resolve_credentials(),
                                client_options=options)
        # requests keeps ten connections a host; the pool reads with more threads than that
        from requests.adapters import HTTPAdapter  # type: ignore[import-untyped,unused-ignore]

        adapter = HTTPAdapter(pool_maxsize=max(10, self.max_workers))
        for scheme in ("https://", "http://"):
            client._http.mount(scheme, adapter)
        return client

    def connect(self) -> AbstractContextManager[Any]:
        return nullcontext(self.client())

    def lookup(self, client: Any, name: str) -> Any:
        return client.bucket(self.bucket).blob(name)

    def name_of(self, item: Any) -> str:
        return str(item.name)

    def list_prefix(self, client: Any, prefix: str) -> Iterable[Any]:
        blobs: Iterable[Any] = client.list_blobs(self.bucket, prefix=prefix or None,
                                                 retry=_retry())
        return blobs

    def download(self, client: Any, item: Any) -> bytes:
        data: bytes = item.download_as_bytes(timeout=60, retry=_retry())
        return data

    # -- errors --------------------------------------------------------------------------------

    def store_errors(self) -> tuple[type[Exception], ...]:
        # the client raises google.api_core's errors, requests' and google.auth's
        return (Exception,)

    def classify(self, exc: Exception, where: str, listing: bool
                 ) -> SourceError | ObjectFault | None:
        from google.api_core import exceptions as api
        from google.auth.exceptions import GoogleAuthError

        hint = "refresh them, e.g. gcloud auth application-default login"
        if isinstance(exc, api.Unauthorized):
            return SourceError(f"{where}: Cloud Storage rejected the credentials (HTTP 401)",
                               hint=hint)
        if isinstance(exc, GoogleAuthError):
            # a 401 makes the client refresh the token; credentials that cannot be refreshed
            # (a bare access token, anonymous ones) end up here
            return SourceError(f"{where}: Cloud Storage rejected the credentials and they "
                               f"cannot be refreshed ({str(exc).splitlines()[0]})", hint=hint)
        if _is_connection_error(exc):
            return SourceError(f"{where}: cannot reach Cloud Storage ({type(exc).__name__})")
        if isinstance(exc, api.NotFound):
            # a listing that finds nothing there found no bucket; a read says which it missed
            bucket = listing or "bucket" in _message(exc).lower()
            return ObjectFault(Fault.NO_CONTAINER if bucket else Fault.GONE, "HTTP 404")
        if isinstance(exc, api.Forbidden):
            return ObjectFault(Fault.DENIED, "HTTP 403")
        if isinstance(exc, api.GoogleAPICallError):
            return ObjectFault(Fault.OTHER, _message(exc), _message(exc))
        # DataCorruption moved from google-resumable-media into the client in 3.x
        if not listing and type(exc).__name__ == "DataCorruption":
            return ObjectFault(Fault.OTHER, "checksum",
                               "the download does not match the object's checksum")
        return None


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc).splitlines()[0]


def _is_connection_error(exc: Exception) -> bool:
    try:
        import requests
    except ImportError:  # pragma: no cover - google-cloud-storage depends on it
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


# -- discovery ---------------------------------------------------------------------------------


def plan_gcs(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``backend "gcs"`` block: every workspace is ``<prefix>/<workspace>.tfstate``."""
    plan = Plan()
    values = literals(settings, ("bucket",), ("prefix",), plan)
    if values is None:
        return plan
    prefix = values.get("prefix", "").strip("/")
    folder = f"tfstate+gs://{values['bucket']}/{prefix + '/' if prefix else ''}"
    name = "*" if workspace is None else workspace
    plan.urls.append(f"{folder}{name}.tfstate")
    note_unused(settings, ("credentials", "access_token", "impersonate_service_account",
                           "storage_custom_endpoint"), plan,
                "Application Default Credentials apply")
    return plan


BACKEND = Backend(name="gs", schemes=("gs", "gcs"), opener=GcsStateSource.from_spec,
                  planners={"gcs": plan_gcs})
