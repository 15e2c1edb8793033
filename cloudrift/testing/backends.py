"""Local servers that state backends are tested against.

Each speaks the documented wire protocol of the real service, on 127.0.0.1 and a free port:

- ``HttpStateServer``: Terraform's ``http`` backend (GET a state; basic auth, headers);
- ``GcsServer``: the Cloud Storage JSON API subset google-cloud-storage uses to list and
  download objects (pagination, generations, ``x-goog-hash``, JSON errors);
- ``TfcServer``: the Terraform Cloud API v2 workspace and state-version endpoints (JSON:API,
  bearer tokens, 401/404, pagination, ``search[name]``) and a signed-URL "archivist";
- ``AzuriteServer``: Microsoft's Azurite blob emulator (npm), installed on first use by
  ``ensure_azurite``.

Each is a ``cloudrift.testing.servers.LocalServer``: it counts the requests it serves and the
most it served at once (``peak``), so tests can tell that a source really reads concurrently.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cloudrift.testing.servers import LocalServer, Request, Response


def _json(status: int, document: Any, content_type: str = "application/json") -> Response:
    return Response.json(status, document, content_type=content_type)


# --- Terraform's http backend -----------------------------------------------------------------


class HttpStateServer(LocalServer):
    """States at paths. With ``username``/``password`` set, requests need that basic auth (401
    without any, 403 with other credentials); ``required_headers`` must match too (403)."""

    def __init__(self, delay: float = 0.0,
                 tls_directory: str | os.PathLike[str] | None = None) -> None:
        super().__init__(delay, tls_directory)
        self.states: dict[str, bytes] = {}
        self.statuses: dict[str, int] = {}
        self.username: str | None = None
        self.password: str | None = None
        self.required_headers: dict[str, str] = {}
        self.content_md5 = True
        self.corrupt_md5: set[str] = set()

    def put(self, path: str, data: bytes) -> str:
        self.states[path] = data
        return self.endpoint + path

    def handle(self, request: Request) -> Response:
        path, headers = request.target, request.headers
        if self.username is not None:
            given = headers.get("authorization")
            if not given:
                return Response(401, {"WWW-Authenticate": 'Basic realm="state"'}, b"unauthorized")
            wanted = base64.b64encode(f"{self.username}:{self.password or ''}".encode())
            if given != "Basic " + wanted.decode():
                return Response(403, {}, b"forbidden")
        for name, value in self.required_headers.items():
            if headers.get(name.lower()) != value:
                return Response(403, {}, b"forbidden")
        path = urlsplit(path).path
        if path in self.statuses:
            return Response(self.statuses[path], {}, b"")
        if path not in self.states:
            return Response(404, {}, b"not found")
        data = self.states[path]
        out = {"Content-Type": "application/json"}
        if self.content_md5:
            digest = hashlib.md5(data + (b"x" if path in self.corrupt_md5 else b""),
                                 usedforsecurity=False).digest()
            out["Content-MD5"] = base64.b64encode(digest).decode()
        return Response(200, out, data)


# --- Cloud Storage JSON API -------------------------------------------------------------------


def _crc32c(data: bytes) -> str:
    import google_crc32c

    return base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()


@dataclass
class _Object:
    data: bytes
    generation: int
    updated: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                               time.gmtime()))


class GcsServer(LocalServer):
    """``GET /storage/v1/b/B``, ``GET /storage/v1/b/B/o`` (prefix, pageToken, maxResults),
    ``GET /storage/v1/b/B/o/O`` and ``GET /download/storage/v1/b/B/o/O?alt=media``
    (``generation`` honoured). ``forbidden`` objects answer 403; with ``token`` set, requests
    without ``Authorization: Bearer <token>`` answer 401, as Cloud Storage does."""

    def __init__(self, delay: float = 0.0, page_size: int = 1000) -> None:
        super().__init__(delay)
        self.page_size = page_size
        self.buckets: dict[str, dict[str, list[_Object]]] = {}
        self.forbidden: set[tuple[str, str]] = set()
        self.token: str | None = None
        self._generation = 1_700_000_000_000_000

    def counts(self, request: Request) -> bool:
        # the client fetches bucket metadata on a background thread of its own: downloads only
        return request.target.startswith("/download/")

    def put(self, bucket: str, name: str, data: bytes) -> int:
        """Store a new generation of an object; returns its generation number."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        self.buckets.setdefault(bucket, {}).setdefault(name, []).append(_Object(data, generation))
        return generation

    def _resource(self, bucket: str, name: str, obj: _Object) -> dict[str, Any]:
        return {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/{obj.generation}",
            "selfLink": f"{self.endpoint}/storage/v1/b/{bucket}/o/{quote(name, safe='')}",
            "name": name,
            "bucket": bucket,
            "generation": str(obj.generation),
            "metageneration": "1",
            "contentType": "application/json",
            "storageClass": "STANDARD",
            "size": str(len(obj.data)),
            "md5Hash": base64.b64encode(hashlib.md5(obj.data, usedforsecurity=False).digest()
                                        ).decode(),
            "crc32c": _crc32c(obj.data),
            "timeCreated": obj.updated,
            "updated": obj.updated,
        }

    @staticmethod
    def _error(status: int, message: str, reason: str) -> Response:
        return _json(status, {"error": {"code": status, "message": message,
                                        "errors": [{"message": message, "domain": "global",
                                                    "reason": reason}]}})

    def _current(self, bucket: str, name: str, generation: str | None) -> _Object | None:
        versions = self.buckets.get(bucket, {}).get(name) or []
        if generation is None:
            return versions[-1] if versions else None
        return next((v for v in versions if str(v.generation) == generation), None)

    def handle(self, request: Request) -> Response:
        path, headers = request.target, request.headers
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return self._error(401, "Anonymous caller does not have storage.objects.list "
                               "access to the Google Cloud Storage bucket.", "required")
        match = re.fullmatch(r"(/download)?/storage/v1/b/([^/]+)(?:/o(?:/(.+))?)?", parts.path)
        if match is None:
            return self._error(404, "Not Found", "notFound")
        download, bucket, encoded = match.group(1), unquote(match.group(2)), match.group(3)
        if bucket not in self.buckets:
            return self._error(404, "The specified bucket does not exist.", "notFound")
        if encoded is None and not parts.path.endswith("/o"):
            return _json(200, {"kind": "storage#bucket", "id": bucket, "name": bucket,
                               "location": "US", "locationType": "multi-region",
                               "projectNumber": "123456789012"})
        if encoded is None:
            return self._list(bucket, query)
        name = unquote(encoded)
        obj = self._current(bucket, name, query.get("generation"))
        if obj is None:
            return self._error(404, f"No such object: {bucket}/{name}", "notFound")
        if (bucket, name) in self.forbidden:
            return self._error(403, "caller does not have storage.objects.get access to "
                               f"the Google Cloud Storage object {bucket}/{name}.", "forbidden")
        if download or query.get("alt") == "media":
            return Response(200, {
                "Content-Type": "application/json",
                "x-goog-generation": str(obj.generation),
                "x-goog-hash": f"crc32c={_crc32c(obj.data)},md5="
                + base64.b64encode(hashlib.md5(obj.data, usedforsecurity=False).digest()
                                   ).decode(),
                "x-goog-stored-content-length": str(len(obj.data)),
            }, obj.data)
        return _json(200, self._resource(bucket, name, obj))

    def _list(self, bucket: str, query: Mapping[str, str]) -> Response:
        prefix = query.get("prefix", "")
        names = sorted(n for n, v in self.buckets[bucket].items() if v and n.startswith(prefix))
        start = int(query.get("pageToken") or 0)
        size = min(int(query.get("maxResults") or self.page_size), self.page_size)
        page = names[start:start + size]
        document: dict[str, Any] = {
            "kind": "storage#objects",
            "items": [self._resource(bucket, n, self.buckets[bucket][n][-1]) for n in page],
        }
        if start + size < len(names):
            document["nextPageToken"] = str(start + size)
        return _json(200, document)


# --- Terraform Cloud API v2 -------------------------------------------------------------------

JSONAPI = "application/vnd.api+json"


@dataclass
class TfcWorkspace:
    id: str
    name: str
    states: list[bytes] = field(default_factory=list)
    pending: bool = False  # the current state version has no download URL yet


class _Archivist(LocalServer):
    """Signed, token-free download URLs on another host, like Terraform Cloud's archivist."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, bytes] = {}

    def handle(self, request: Request) -> Response:
        data = self.objects.get(request.target)
        if data is None:
            return Response(404, {}, b"expired or unknown object")
        return Response(200, {"Content-Type": "application/octet-stream"}, data)


class TfcServer(LocalServer):
    """Organizations, workspaces and their states behind bearer ``tokens``.

    ``GET /api/v2/organizations/:org/workspaces/:name`` and ``.../workspaces`` (``search[name]``
    substring, ``page[number]``, ``page[size]``), ``GET /api/v2/workspaces/:id/
    current-state-version`` (404 when there is no state, as documented) and the state download.
    With ``archivist=True`` download URLs point at a second server that takes no token.
    ``hidden`` (token, org) pairs get 404s, as the API answers for what a token may not see.
    ``max_page_size`` is the largest page the server gives (100 on Terraform Cloud);
    ``state_relationship=False`` leaves ``current-state-version`` out of workspace documents.
    """

    def __init__(self, delay: float = 0.0, archivist: bool = False,
                 max_page_size: int = 100) -> None:
        super().__init__(delay)
        self.tokens: set[str] = set()
        self.organizations: dict[str, dict[str, TfcWorkspace]] = {}
        self.hidden: set[tuple[str, str]] = set()
        self.max_page_size = max_page_size
        self.state_relationship = True
        # the next this-many requests are refused with 429, as past the API's rate limit
        self.throttle = 0
        self.download_status: int | None = None
        self.archivist = _Archivist() if archivist else None
        if self.archivist is not None:
            self.companions.append(self.archivist)

    def workspace(self, organization: str, name: str) -> TfcWorkspace:
        workspaces = self.organizations.setdefault(organization, {})
        if name not in workspaces:
            workspaces[name] = TfcWorkspace(f"ws-{secrets.token_hex(8)}", name)
        return workspaces[name]

    def add_state(self, organization: str, name: str, data: bytes) -> TfcWorkspace:
        workspace = self.workspace(organization, name)
        workspace.states.append(data)
        return workspace

    @staticmethod
    def _errors(status: int, title: str) -> Response:
        return _json(status, {"errors": [{"status": str(status), "title": title}]}, JSONAPI)

    def _workspace_document(self, org: str, ws: TfcWorkspace) -> dict[str, Any]:
        current = ({"id": f"sv-{ws.id[3:]}-{len(ws.states)}", "type": "state-versions"}
                   if ws.states else None)
        relationships: dict[str, Any] = {
            "organization": {"data": {"id": org, "type": "organizations"}},
        }
        if self.state_relationship:
            relationships["current-state-version"] = {
                "data": current,
                "links": {"related": f"/api/v2/workspaces/{ws.id}/current-state-version"},
            }
        return {
            "id": ws.id,
            "type": "workspaces",
            "attributes": {"name": ws.name, "locked": False, "execution-mode": "remote",
                           "resource-count": 0},
            "relationships": relationships,
            "links": {"self": f"/api/v2/organizations/{org}/workspaces/{ws.name}"},
        }

    def _find(self, workspace_id: str) -> tuple[str, TfcWorkspace] | None:
        for org, workspaces in self.organizations.items():
            for ws in workspaces.values():
                if ws.id == workspace_id:
                    return org, ws
        return None

    def handle(self, request: Request) -> Response:
        path, headers = request.target, request.headers
        parts = urlsplit(path)
        route = parts.path
        with self._lock:
            throttled = self.throttle > 0
            self.throttle -= 1 if throttled else 0
        if throttled:
            answer = self._errors(429, "Too Many Requests")
            answer.headers.update({"X-RateLimit-Limit": "30", "X-RateLimit-Reset": "0.05"})
            return answer
        auth = headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if token not in self.tokens:
            return self._errors(401, "unauthorized")
        if m := re.fullmatch(r"/api/v2/organizations/([^/]+)/workspaces/([^/]+)", route):
            org, name = unquote(m.group(1)), unquote(m.group(2))
            ws = self.organizations.get(org, {}).get(name)
            if ws is None or (token, org) in self.hidden:
                return self._errors(404, "not found")
            return _json(200, {"data": self._workspace_document(org, ws)}, JSONAPI)
        if m := re.fullmatch(r"/api/v2/organizations/([^/]+)/workspaces", route):
            return self._list(unquote(m.group(1)), token, parse_qs(parts.query))
        if m := re.fullmatch(r"/api/v2/workspaces/([^/]+)/current-state-version", route):
            found = self._find(unquote(m.group(1)))
            if found is None or (token, found[0]) in self.hidden or not found[1].states:
                return self._errors(404, "not found")
            return self._state_version(*found)
        if m := re.fullmatch(r"/api/state-versions/([^/]+)/hosted_state", route):
            return self._download(m.group(1))
        return self._errors(404, "not found")

    def _list(self, org: str, token: str, query: Mapping[str, list[str]]
              ) -> Response:
        if org not in self.organizations or (token, org) in self.hidden:
            return self._errors(404, "not found")
        search = (query.get("search[name]") or [""])[0].lower()
        number = int((query.get("page[number]") or ["1"])[0])
        size = min(int((query.get("page[size]") or ["20"])[0]), self.max_page_size)
        matched = [ws for name, ws in sorted(self.organizations[org].items())
                   if search in name.lower()]
        pages = max(1, -(-len(matched) // size))
        chunk = matched[(number - 1) * size:number * size]
        return _json(200, {
            "data": [self._workspace_document(org, ws) for ws in chunk],
            "meta": {"pagination": {
                "current-page": number, "page-size": size,
                "prev-page": number - 1 if number > 1 else None,
                "next-page": number + 1 if number < pages else None,
                "total-pages": pages, "total-count": len(matched),
            }},
        }, JSONAPI)

    def _state_version(self, org: str, ws: TfcWorkspace) -> Response:
        version_id = f"sv-{ws.id[3:]}-{len(ws.states)}"
        if ws.pending:
            url: str | None = None
        elif self.archivist is not None:
            signed = f"/v1/object/{secrets.token_urlsafe(16)}"
            self.archivist.objects[signed] = ws.states[-1]
            url = self.archivist.endpoint + signed
        else:
            url = f"{self.endpoint}/api/state-versions/{version_id}/hosted_state"
        return _json(200, {"data": {
            "id": version_id,
            "type": "state-versions",
            "attributes": {"serial": len(ws.states), "state-version": 4,
                           "status": "pending" if ws.pending else "finalized",
                           "hosted-state-download-url": url,
                           "resources-processed": True},
            "relationships": {"workspace": {"data": {"id": ws.id, "type": "workspaces"}}},
            "links": {"self": f"/api/v2/state-versions/{version_id}"},
        }}, JSONAPI)

    def _download(self, version_id: str) -> Response:
        if self.download_status is not None:
            return Response(self.download_status, {}, b"")
        for workspaces in self.organizations.values():
            for ws in workspaces.values():
                if ws.states and version_id == f"sv-{ws.id[3:]}-{len(ws.states)}":
                    return Response(200, {"Content-Type": "application/octet-stream"},
                                    ws.states[-1])
        return self._errors(404, "not found")


# --- Azurite ----------------------------------------------------------------------------------

AZURITE_VERSION = "3.35.0"
AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's documented, public development key: not a secret
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
               "KBHBeksoGMGw==")


class AzuriteUnavailableError(Exception):
    """Azurite cannot be installed or started here (no node/npm, no registry)."""


def ensure_azurite(prefix: str | os.PathLike[str]) -> Path:
    """The ``azurite-blob`` executable under ``prefix``, installed with npm on first call.

    Several test processes may call this at once: a lock file makes one install and the others
    wait for it.
    """
    root = Path(prefix)
    binary = root / "node_modules" / ".bin" / "azurite-blob"
    if binary.exists():
        return binary
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise AzuriteUnavailableError("node and npm are needed to install Azurite")
    root.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(root / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            result = subprocess.run(
                [npm, "install", "--prefix", str(root), "--no-audit", "--no-fund",
                 "--loglevel=error", f"azurite@{AZURITE_VERSION}"],
                capture_output=True, text=True, timeout=600, check=False,
            )
            if result.returncode != 0 or not binary.exists():
                tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
                raise AzuriteUnavailableError("npm install azurite failed: " + " | ".join(tail))
    return binary


class AzuriteServer:
    """Azurite's blob service in memory, on 127.0.0.1 and a port it picks; telemetry off."""

    def __init__(self, binary: str | os.PathLike[str], workdir: str | os.PathLike[str]) -> None:
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.endpoint = ""
        self._process: subprocess.Popen[str] | None = None
        self._early_output: list[str] = []

    @property
    def blob_endpoint(self) -> str:
        return f"{self.endpoint}/{AZURITE_ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
                f"AccountKey={AZURITE_KEY};BlobEndpoint={self.blob_endpoint};")

    def start(self, timeout: float = 60.0) -> AzuriteServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        # in-memory persistence refuses --location: the working directory keeps Azurite's files
        self._process = subprocess.Popen(
            [str(self.binary), "--blobHost", "127.0.0.1", "--blobPort", "0",
             "--inMemoryPersistence", "--extentMemoryLimit", "256", "--disableTelemetry",
             "--skipApiVersionCheck", "--loose", "--silent"],
            cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        found: list[str] = []
        reader = threading.Thread(target=self._watch, args=(found,), daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            output = " | ".join(self._early_output[-3:])
            self.stop()
            raise AzuriteUnavailableError(f"Azurite did not start: {output or 'no output'}")
        self.endpoint = found[0]
        return self

    def _watch(self, found: list[str]) -> None:
        if self._process is None or self._process.stdout is None:
            return
        for line in self._process.stdout:
            self._early_output.append(line.strip())
            match = re.search(r"listens on (http://127\.0\.0\.1:\d+)", line)
            if match:
                found.append(match.group(1))
                break
        # keep draining so a chatty Azurite never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        if self._process is not None and self._process.stdout is not None:
            for _ in self._process.stdout:
                pass

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None

    def __enter__(self) -> AzuriteServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
