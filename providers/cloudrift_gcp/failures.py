"""The warning a listing that failed for good becomes: what was not listed, why, and what to
do about it (the permission to grant, the API to enable)."""

from __future__ import annotations

from google.api_core import exceptions as gexc

from cloudrift.sdk import ScanWarning, Scope, one_line
from cloudrift_gcp.index import Listing
from cloudrift_gcp.session import NoAnswerError
from cloudrift_gcp.spec import IAM_POLICY, RESOURCE

NAME = "gcp"
CONTENT_PERMISSION = {
    RESOURCE: "cloudasset.assets.listResource",
    IAM_POLICY: "cloudasset.assets.listIamPolicy",
}


def failure_warning(listing: Listing, attempts: int) -> ScanWarning:
    exc = listing.error
    assert exc is not None
    what = "resources" if listing.content == RESOURCE else "IAM policies"
    head = f"Cloud Asset Inventory: {what} of {listing.scope} not listed"
    reason = str(getattr(exc, "reason", "") or "")
    message = one_line(getattr(exc, "message", None) or exc)
    if isinstance(exc, (gexc.Forbidden, gexc.PermissionDenied)):
        metadata = getattr(exc, "metadata", None) or {}
        if reason == "SERVICE_DISABLED" or "has not been used" in message \
                or "is disabled" in message:
            service = metadata.get("service") or "cloudasset.googleapis.com"
            consumer = str(metadata.get("consumer") or "")
            where = consumer or "the credentials' quota project"
            project = f" --project {consumer.partition('/')[2]}" \
                if consumer.startswith("projects/") else ""
            code = "api_disabled"
            text = (f"{head}: the Cloud Asset API ({service}) is disabled in {where}; "
                    f"enable it with `gcloud services enable {service}{project}`")
        else:
            code = "access_denied"
            text = (f"{head}: permission denied on {listing.scope} (it needs "
                    f"{CONTENT_PERMISSION[listing.content]}, e.g. roles/cloudasset.viewer)"
                    f": {message}")
    elif isinstance(exc, (gexc.TooManyRequests, gexc.ResourceExhausted)):
        code = "throttled"
        text = (f"{head}: quota still exhausted after {attempts} "
                f"attempts (ListAssets allows 100 requests a minute per project): {message}")
    elif isinstance(exc, gexc.NotFound):
        code = "scope_not_found"
        text = f"{head}: the scope does not exist: {message}"
    elif isinstance(exc, NoAnswerError):
        code = "api_error"
        text = f"{head}: {message}"
    else:
        code = "api_error"
        text = f"{head}: {type(exc).__name__}: {message}"
    account = listing.scope.partition("/")[2] if listing.scope.startswith("projects/") \
        else listing.scope
    return ScanWarning(code=code, provider=NAME, scope=Scope(account=account), message=text)
