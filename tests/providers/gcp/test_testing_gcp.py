"""The local Cloud Asset server behaves like the API where the provider depends on it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from cloudrift_gcp.testing import CloudAssetServer, read_only
from tests.providers.gcp.conftest import SCOPE, all_cases, project_asset

MEMBER = next(c for c in all_cases() if c.type == "google_project_iam_member")
# two Compute Engine resources and two others
RESOURCES = [c.asset for c in all_cases() if c.type in (
    "google_compute_disk", "google_compute_network", "google_pubsub_topic",
    "google_storage_bucket")]


def _get(server: CloudAssetServer, path: str, method: str = "GET") -> tuple[int, Any]:
    request = urllib.request.Request(f"{server.endpoint}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_pages_tokens_and_content_types(cloud_asset_server: CloudAssetServer) -> None:
    server = cloud_asset_server
    server.reset()
    with_policy = dict(project_asset(), iamPolicy=MEMBER.asset["iamPolicy"])
    server.set_assets(SCOPE, [with_policy, *RESOURCES])

    status, first = _get(server, f"/v1/{SCOPE}/assets?contentType=RESOURCE&pageSize=2")
    assert status == 200
    assert len(first["assets"]) == 2
    assert "iamPolicy" not in first["assets"][0]
    token = first["nextPageToken"]
    status, second = _get(server, f"/v1/{SCOPE}/assets?contentType=RESOURCE&pageSize=2"
                                  f"&pageToken={token}")
    assert status == 200
    assert second["assets"][0]["name"] != first["assets"][0]["name"]
    # a token only continues the query it came from
    status, error = _get(server, f"/v1/{SCOPE}/assets?contentType=2&pageToken={token}")
    assert (status, error["error"]["status"]) == (400, "INVALID_ARGUMENT")

    status, policies = _get(server, f"/v1/{SCOPE}/assets?contentType=2")
    assert [set(a) - {"name", "assetType", "ancestors", "updateTime"}
            for a in policies["assets"]] == [{"iamPolicy"}]
    status, typed = _get(server, f"/v1/{SCOPE}/assets?contentType=1"
                                 "&assetTypes=compute.googleapis.com/.*")
    assert {a["assetType"].split("/")[0] for a in typed["assets"]} == {"compute.googleapis.com"}


def test_unknown_scopes_writes_and_unknown_methods(cloud_asset_server: CloudAssetServer) -> None:
    server = cloud_asset_server
    server.reset()
    status, error = _get(server, "/v1/projects/nobody/assets")
    assert (status, error["error"]["status"]) == (403, "PERMISSION_DENIED")
    status, _ = _get(server, f"/v1/{SCOPE}/feeds", method="POST")
    assert status == 404
    status, _ = _get(server, f"/v1/{SCOPE}:queryAssets", method="POST")
    assert status == 404
    assert [read_only(r) for r in server.requests] == [True, False, True]
