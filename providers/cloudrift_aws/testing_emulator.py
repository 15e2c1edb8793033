"""moto's application answering two things as AWS does where moto 5.2.6 does not.

- ``ListBuckets`` with any parameter gives each bucket's ``BucketRegion`` (AWS does since
  2024; moto leaves it out);
- the Resource Groups Tagging API's ``GetResources`` lists ECR repositories that have tags
  (AWS's index serves ``ecr:repository``; moto's leaves ECR out).

``aws_faithful(app)`` is a WSGI middleware in front of moto's own application in this process
(it reads moto's backends for the buckets' regions and the repositories' tags); ``serve(app)``
serves any such application on 127.0.0.1. ``make bench`` judges terraform and cloudrift on it,
so that neither is counted for calls only moto's gaps make; the tests of what AWS gives and
moto does not use it too. Everything else passes through untouched.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["aws_faithful", "moto_application", "serve"]

_SCOPE = re.compile(r"Credential=[^/]*/\d{8}/([^/]+)/([^/]+)/")
_BUCKET = re.compile(rb"<Bucket>(.*?)</Bucket>", re.DOTALL)
_NAME = re.compile(rb"<Name>(.*?)</Name>")


def _scope(environ: WSGIEnvironment) -> tuple[str, str]:
    """(region, service) the request was signed for."""
    found = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return (found.group(1), found.group(2)) if found else ("", "")


def _kind(environ: WSGIEnvironment) -> str | None:
    service = _scope(environ)[1]
    if (service == "s3" and environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO") in ("/", "") and environ.get("QUERY_STRING")):
        return "list_buckets"
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).endswith(".GetResources"):
        return "get_resources"
    return None


def _bucket_regions() -> dict[str, str]:
    from moto.s3.models import s3_backends

    regions: dict[str, str] = {}
    for partitions in s3_backends.values():
        for backend in partitions.values():
            for name, bucket in backend.buckets.items():
                regions[name] = bucket.region_name
    return regions


def _with_regions(body: bytes) -> bytes:
    regions = _bucket_regions()

    def add(match: re.Match[bytes]) -> bytes:
        inner = match.group(1)
        name = _NAME.search(inner)
        if name is None or b"<BucketRegion>" in inner:
            return match.group(0)
        region = regions.get(name.group(1).decode("utf-8"))
        if region is None:
            return match.group(0)
        tag = b"<BucketRegion>" + region.encode() + b"</BucketRegion>"
        return b"<Bucket>" + inner + tag + b"</Bucket>"

    return _BUCKET.sub(add, body)


def _repositories(region: str) -> list[dict[str, Any]]:
    """Every ECR repository of ``region`` that has tags, as the tagging index lists it."""
    from moto.ecr.models import ecr_backends

    found: list[dict[str, Any]] = []
    for regions in ecr_backends.values():
        if region not in regions:
            continue
        backend = regions[region]
        for repository in backend.repositories.values():
            tags = backend.tagger.list_tags_for_resource(repository.arn).get("tags") or []
            if tags:
                found.append({"ResourceARN": repository.arn, "Tags": tags})
    return found


def _with_repositories(request: dict[str, Any], region: str, body: bytes) -> bytes:
    filters = [str(f) for f in request.get("ResourceTypeFilters") or []]
    if request.get("TagFilters") or request.get("ResourceARNList"):
        return body
    if filters and not any(f == "ecr" or f.startswith("ecr:") for f in filters):
        return body
    answer = json.loads(body)
    if answer.get("PaginationToken"):
        return body  # not the last page: the repositories come with the last
    listed = {m.get("ResourceARN") for m in answer.get("ResourceTagMappingList", [])}
    answer.setdefault("ResourceTagMappingList", []).extend(
        m for m in _repositories(region) if m["ResourceARN"] not in listed)
    return json.dumps(answer).encode()


def aws_faithful(app: WSGIApplication) -> WSGIApplication:
    """``app`` (moto's, in this process) with ListBuckets' ``BucketRegion`` and the tagging
    index's ECR repositories added to its answers."""

    def middleware(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        kind = _kind(environ)
        if kind is None:
            return app(environ, start_response)
        request: dict[str, Any] = {}
        if kind == "get_resources":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            request = json.loads(raw or b"{}")
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]],
                    exc_info: Any = None) -> Any:
            answered["status"], answered["headers"] = status, headers
            return lambda data: None

        body = b"".join(app(environ, capture))
        if str(answered.get("status", "")).startswith("200"):
            if kind == "list_buckets":
                body = _with_regions(body)
            else:
                body = _with_repositories(request, _scope(environ)[0], body)
        headers = [(k, v) for k, v in answered["headers"] if k.lower() != "content-length"]
        start_response(answered["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return middleware


def moto_application() -> WSGIApplication:
    """moto's own WSGI application, as its server builds it (backends in this process)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app: WSGIApplication = DomainDispatcherApplication(create_backend_app)
    return app


@contextmanager
def serve(app: WSGIApplication) -> Iterator[str]:
    """Serve a WSGI application (moto's, wrapped) on 127.0.0.1; yields its endpoint."""
    import logging

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    # werkzeug logs one INFO line per request
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
