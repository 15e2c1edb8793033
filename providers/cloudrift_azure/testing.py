"""Test kit for the Azure provider: a local Azure Resource Manager, shipped like ``click.testing``.

``ArmServer`` speaks enough ARM for the real ``azure-mgmt-resource`` client: HTTPS with a
self-signed certificate (the client is given it as ``connection_verify``, so the bearer-token
policy that refuses plain HTTP runs unchanged), ``value`` + absolute ``nextLink`` paging,
case-insensitive paths, per-type api-versions, ARM's error bodies, and
``x-ms-ratelimit-remaining-*`` headers, and Azure Resource Graph's read-only query for
``Resources | where id in~ (...)``, the tenant's subscriptions (``GET /subscriptions``, paged,
with their states; a subscription may exist and not be listed), and the Activity Log
(``activity``, see ``testing_activity.py``). It records every request it receives, so a test
can assert a scan only read. Faults (403, 429 with ``Retry-After``...) are injected per path.

Resources are stored as ARM returns them from a GET. The list endpoints answer with the list
shape (no ``properties``, no ``zones``); subnets live inside their virtual network's
``properties.subnets`` (load balancing rules and backend pools inside their load balancer's) and
are not listed on their own, as in Azure. Child resources (a SQL server's databases) and
extension resources (role assignments, diagnostic settings) are not in ``resources.list``
either: a GET of their collection (``<parent id>/databases``,
``<resource id>/providers/Microsoft.Insights/diagnosticSettings``) lists them, and the role
assignments collection of a scope lists those at the scope and below it.

Nothing here is imported by the scanner itself; it needs ``cryptography`` and ``azure-core``.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cloudrift.testing.servers import LocalServer, Request, Response
from cloudrift_azure.testing_activity import PATH as ACTIVITY_PATH
from cloudrift_azure.testing_activity import ActivityLog

Payload = dict[str, Any]

# what the list endpoints return of a resource; the rest needs a GET
LIST_KEYS = ("id", "name", "type", "kind", "location", "extendedLocation", "managedBy", "sku",
             "plan", "identity", "tags")

# children that ARM keeps inside their parent's properties (and does not list on their own)
EMBEDDED_CHILDREN = {
    "microsoft.network/virtualnetworks/subnets": "subnets",
    "microsoft.network/loadbalancers/loadbalancingrules": "loadBalancingRules",
    "microsoft.network/loadbalancers/backendaddresspools": "backendAddressPools",
}
# top-level types that resources.list leaves out: extension and proxy resources
UNLISTED_TYPES = frozenset({"microsoft.authorization/roleassignments",
                            "microsoft.insights/diagnosticsettings"})
# a collection that lists what is at its scope and below it, not only its direct children
_SCOPE_WIDE = "/providers/microsoft.authorization/roleassignments"

_NETWORK = ("2023-09-01", "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01", "2024-07-01")

GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"
# the tenant's subscriptions (azure-mgmt-resource-subscriptions' SubscriptionClient)
SUBSCRIPTIONS_API_VERSIONS = ("2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01")
TENANT = "72f988bf-0000-4000-8000-2d7cd011db47"
GRAPH_API_VERSIONS = ("2021-03-01", "2022-10-01", "2024-04-01")
GRAPH_COLUMNS = ("id", "name", "type", "location", "tags", "sku", "kind", "identity", "zones",
                 "managedBy", "extendedLocation", "properties", "plan")

# api-versions ARM accepts, by resource type or namespace (the longest prefix wins)
API_VERSIONS: dict[str, tuple[str, ...]] = {
    "microsoft.resources": ("2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01",
                            "2024-03-01", "2025-04-01"),
    "microsoft.network": _NETWORK,
    "microsoft.network/dnszones": ("2018-05-01", "2023-07-01-preview"),
    "microsoft.network/privatednszones": ("2018-09-01", "2020-06-01", "2024-06-01"),
    "microsoft.storage": ("2023-01-01", "2023-05-01", "2024-01-01"),
    "microsoft.compute/virtualmachines": ("2024-03-01", "2024-07-01", "2024-11-01"),
    "microsoft.compute/disks": ("2023-10-02", "2024-03-02"),
    "microsoft.compute/virtualmachinescalesets": ("2024-03-01", "2024-07-01", "2024-11-01"),
    "microsoft.keyvault": ("2022-07-01", "2023-07-01", "2024-11-01"),
    "microsoft.containerservice": ("2024-05-01", "2024-09-01", "2025-01-01"),
    "microsoft.containerregistry": ("2023-07-01", "2023-11-01-preview", "2025-04-01"),
    "microsoft.operationalinsights": ("2022-10-01", "2023-09-01", "2025-02-01"),
    "microsoft.managedidentity": ("2023-01-31", "2024-11-30"),
    "microsoft.sql": ("2021-11-01", "2022-05-01-preview", "2023-05-01-preview", "2023-08-01",
                      "2023-08-01-preview"),
    "microsoft.dbforpostgresql/flexibleservers": ("2022-12-01", "2023-06-01-preview",
                                                  "2024-08-01", "2025-08-01"),
    "microsoft.documentdb": ("2023-04-15", "2024-05-15", "2024-08-15", "2024-11-15"),
    "microsoft.web": ("2022-09-01", "2023-01-01", "2023-12-01", "2024-04-01"),
    "microsoft.authorization/roleassignments": ("2020-04-01-preview", "2022-04-01",
                                                "2022-05-01-preview"),
    "microsoft.insights/diagnosticsettings": ("2016-09-01", "2017-05-01-preview",
                                              "2021-05-01-preview"),
}


class FakeCredential:
    """A ``TokenCredential`` that hands out a fixed token and remembers the scopes asked for."""

    def __init__(self, token: str = "cloudrift-test-token") -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@dataclass
class Fault:
    """Answer requests whose lower-cased path matches ``pattern`` with an error, ``times``
    times (``None``: always)."""

    pattern: str
    status: int
    code: str
    method: str = "GET"
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return method == self.method and re.search(self.pattern, path) is not None


def _canonical(resource_id: str) -> str:
    return "/" + "/".join(p for p in resource_id.split("/") if p).lower()


def _parts(resource_id: str) -> list[str]:
    return [p for p in resource_id.split("/") if p]


def _arm_type(resource_id: str) -> str:
    """The type of a resource id (an extension resource's own, after its last
    ``providers``)."""
    parts = _parts(resource_id)
    if len(parts) == 4 and parts[2].lower() == "resourcegroups":
        return "Microsoft.Resources/resourceGroups"
    at = _last_providers(parts)
    if at is None:
        return ""
    rest = parts[at + 1:]
    return "/".join([rest[0], *rest[1::2]])


def _last_providers(parts: list[str]) -> int | None:
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    return len(lowered) - 1 - lowered[::-1].index("providers")


def _is_collection(parts: list[str]) -> bool:
    """``.../providers/<ns>/<type>`` or ``.../<type>/<name>/<child type>``: a list, not an
    item."""
    at = _last_providers(parts)
    tail = parts[at + 1:] if at is not None else []
    return len(tail) >= 2 and len(tail) % 2 == 0


def _parent_parts(parts: list[str]) -> list[str]:
    """The parts of an item's parent: one level up for a nested resource, the resource it
    extends for an extension resource, its group or subscription for a top-level one."""
    at = _last_providers(parts)
    if at is None:
        return parts[:2]
    if len(parts) - at > 4:
        return parts[:-2]
    return parts[:at]


def _group_key(parts: list[str]) -> tuple[str, str] | None:
    """(subscription, resource group) of a lower-cased id's parts, if it is in a group."""
    if len(parts) >= 4 and parts[2] == "resourcegroups":
        return parts[1], parts[3]
    return None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: maps merge, ``None`` deletes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class ArmServer(LocalServer):
    """Azure Resource Manager on 127.0.0.1, over HTTPS, on a free port. ``directory`` is where
    its self-signed certificate is written; ``cert_path`` is what clients verify with."""

    def __init__(self, directory: str | Path, *, page_size: int = 100) -> None:
        super().__init__(tls_directory=directory)
        self.page_size = page_size
        self.faults: list[Fault] = []
        # a number, or a function of the request count; None sends no header
        self.ratelimit_remaining: int | Callable[[int], int] | None = 11999
        # canonical ids the list endpoints leave out (ARM's list is served from a cache)
        self.hidden_from_list: set[str] = set()
        # role assignments made above every subscription (a management group, the root):
        # each subscription's role assignment list includes them, as ARM's does
        self.inherited_role_assignments: list[Payload] = []
        self._subscriptions: set[str] = set()
        # what GET /subscriptions says of each one the credential sees, in listing order
        self._listed: dict[str, Payload] = {}
        self._groups: dict[tuple[str, str], Payload] = {}
        self._resources: dict[str, Payload] = {}
        self._children: dict[str, Payload] = {}
        # the Activity Log ARM serves (testing_activity.py)
        self.activity = ActivityLog()

    @property
    def cert_path(self) -> str:
        assert self.certificate is not None
        return str(self.certificate)

    def reset(self) -> None:
        """Forget every resource, fault and recorded request."""
        with self._lock:
            self.requests.clear()
            self.faults.clear()
            self.hidden_from_list.clear()
            self.inherited_role_assignments.clear()
            self._subscriptions.clear()
            self._listed.clear()
            self._groups.clear()
            self._resources.clear()
            self._children.clear()
            self.page_size = 100
            self.ratelimit_remaining = 11999
        self.activity.reset()

    # -- content ---------------------------------------------------------------------------

    def add_subscription(self, subscription: str, *, name: str | None = None,
                         state: str = "Enabled", visible: bool = True) -> None:
        """A subscription; ``visible`` ones are in the tenant's ``GET /subscriptions`` (with
        their ``state``: Enabled, Warned, PastDue, Disabled, Deleted), the others answer only
        when addressed by id (a subscription of another tenant, or one the credential was
        given no role on)."""
        key = subscription.lower()
        with self._lock:
            self._subscriptions.add(key)
            if visible:
                self._listed[key] = {
                    "id": f"/subscriptions/{subscription}",
                    "subscriptionId": subscription,
                    "tenantId": TENANT,
                    "displayName": name or f"subscription {subscription[:8]}",
                    "state": state,
                    "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                             "quotaId": "PayAsYouGo_2014-09-01",
                                             "spendingLimit": "Off"},
                    "authorizationSource": "RoleBased",
                }
            else:
                self._listed.pop(key, None)

    def put_group(self, subscription: str, name: str, location: str = "westeurope", *,
                  tags: Mapping[str, str] | None = None, managed_by: str | None = None,
                  ) -> Payload:
        group: Payload = {
            "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
            "name": name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": location,
            "properties": {"provisioningState": "Succeeded"},
        }
        if tags is not None:
            group["tags"] = dict(tags)
        if managed_by is not None:
            group["managedBy"] = managed_by
        return self.put(group)

    def put(self, payload: Mapping[str, Any]) -> Payload:
        """Store a resource as ARM's GET returns it (its resource group is created if need
        be; a subnet goes into its virtual network)."""
        resource = copy.deepcopy(dict(payload))
        resource_id = str(resource["id"])
        parts = _parts(resource_id)
        if len(parts) < 4 or parts[0].lower() != "subscriptions":
            raise ValueError(f"not a resource group or resource id: {resource_id}")
        resource.setdefault("type", _arm_type(resource_id))
        resource.setdefault("name", parts[-1])
        subscription = parts[1].lower()
        in_group = parts[2].lower() == "resourcegroups"
        with self._lock:
            self._subscriptions.add(subscription)
            if len(parts) == 4 and in_group:
                self._groups[(subscription, parts[3].lower())] = resource
                return copy.deepcopy(resource)
            if in_group and (subscription, parts[3].lower()) not in self._groups:
                self.put_group(parts[1], parts[3], str(resource.get("location") or "westeurope"))
            canonical = _canonical(resource_id)
            arm_type = _arm_type(resource_id).lower()
            top_level = in_group and _last_providers(parts) == 4 and arm_type.count("/") == 1
            if top_level and arm_type not in UNLISTED_TYPES:
                self._resources[canonical] = resource
            elif arm_type in EMBEDDED_CHILDREN:
                parent = self._lookup(canonical.rsplit("/", 2)[0])
                if parent is None:
                    raise ValueError(f"no parent for {resource_id}")
                key = EMBEDDED_CHILDREN[arm_type]
                siblings = [c for c in parent.setdefault("properties", {}).get(key, [])
                            if _canonical(c["id"]) != canonical]
                parent["properties"][key] = [*siblings, resource]
            else:
                self._children[canonical] = resource
        return copy.deepcopy(resource)

    def _lookup(self, canonical: str) -> Payload | None:
        parts = _parts(canonical)
        if len(parts) == 4 and parts[2] == "resourcegroups":
            return self._groups.get((parts[1], parts[3]))
        if canonical in self._resources:
            return self._resources[canonical]
        if canonical in self._children:
            return self._children[canonical]
        arm_type = _arm_type(canonical)
        key = EMBEDDED_CHILDREN.get(arm_type)
        if key is not None:
            parent = self._lookup(canonical.rsplit("/", 2)[0])
            children: list[Payload] = ((parent or {}).get("properties") or {}).get(key, [])
            for child in children:
                if _canonical(child["id"]) == canonical:
                    return child
        return None

    def get(self, resource_id: str) -> Payload | None:
        with self._lock:
            found = self._lookup(_canonical(resource_id))
            return copy.deepcopy(found) if found is not None else None

    def patch(self, resource_id: str, changes: Mapping[str, Any]) -> Payload:
        """Apply a JSON merge patch to a stored resource, as a change made behind Terraform."""
        with self._lock:
            found = self._lookup(_canonical(resource_id))
            if found is None:
                raise KeyError(resource_id)
            merged = merge_patch(found, changes)
            found.clear()
            found.update(merged)
            return copy.deepcopy(found)

    def delete(self, resource_id: str) -> None:
        canonical = _canonical(resource_id)
        parts = _parts(canonical)
        with self._lock:
            if len(parts) == 4 and parts[2] == "resourcegroups":
                self._groups.pop((parts[1], parts[3]), None)
                prefix = canonical + "/"
                for store in (self._resources, self._children):
                    for key in [k for k in store if k.startswith(prefix)]:
                        del store[key]
                return
            if self._resources.pop(canonical, None) is not None:
                for key in [k for k in self._children if k.startswith(canonical + "/")]:
                    del self._children[key]
                # what Azure deletes with its owner: a private endpoint's network interface
                for key in [k for k, r in self._resources.items()
                            if _canonical(str(((r.get("properties") or {}).get(
                                "privateEndpoint") or {}).get("id", ""))) == canonical]:
                    del self._resources[key]
                return
            if self._children.pop(canonical, None) is not None:
                return
            embedded = EMBEDDED_CHILDREN.get(_arm_type(canonical))
            parent = self._lookup(canonical.rsplit("/", 2)[0]) if embedded else None
            if parent is None or embedded is None:
                raise KeyError(resource_id)
            children = parent.get("properties", {}).get(embedded, [])
            parent["properties"][embedded] = [c for c in children
                                              if _canonical(c["id"]) != canonical]

    # -- faults ----------------------------------------------------------------------------

    def fail(self, pattern: str, status: int = 403, code: str = "AuthorizationFailed", *,
             method: str = "GET", times: int | None = None,
             headers: Mapping[str, str] | None = None, message: str = "") -> Fault:
        fault = Fault(pattern.lower(), status, code, method, times, dict(headers or {}),
                      message)
        with self._lock:
            self.faults.append(fault)
        return fault

    def throttle(self, pattern: str, *, retry_after: float = 1, times: int = 1) -> Fault:
        """429 with ``Retry-After``, ``times`` times, then normal answers."""
        return self.fail(pattern, 429, "TooManyRequests", times=times,
                         headers={"Retry-After": f"{retry_after:g}"},
                         message="The request is being throttled.")

    # -- recorded traffic -------------------------------------------------------------------

    def methods(self) -> set[str]:
        with self._lock:
            return {r.method for r in self.requests}

    # -- the protocol ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        with self._lock:
            count = len(self.requests)
        status, answer, extra = self._route(request.method, request.path, query,
                                            request.headers, request.body)
        out = {"x-ms-request-id": f"req-{count}", **extra}
        remaining = self.ratelimit_remaining
        if callable(remaining):
            remaining = remaining(count)
        if remaining is not None:
            out.setdefault("x-ms-ratelimit-remaining-subscription-reads", str(remaining))
        return Response.json(status, answer, out, "application/json; charset=utf-8")

    def _route(self, method: str, path: str, query: Mapping[str, str],
               headers: Mapping[str, str], body: bytes,
               ) -> tuple[int, Any, dict[str, str]]:
        lowered = "/" + "/".join(p for p in path.split("/") if p).lower()
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if not auth.startswith("Bearer "):
            return _error(401, "AuthenticationFailed", "Authentication failed. The "
                          "'Authorization' header is missing.")
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, lowered):
                    fault.hits += 1
                    message = fault.message or f"{fault.code} for {path}"
                    status, body, _ = _error(fault.status, fault.code, message)
                    return status, body, dict(fault.headers)
        if method == "POST" and lowered == GRAPH_PATH:
            return self._graph(query, body)
        if method != "GET":
            return _error(405, "MethodNotAllowed", f"{method} is not served here: a scan "
                          "only reads")
        version = query.get("api-version")
        if not version:
            return _error(400, "MissingApiVersionParameter",
                          "The api-version query parameter (?api-version=) is required.")
        parts = _parts(lowered)
        if parts == ["subscriptions"]:
            if version not in SUBSCRIPTIONS_API_VERSIONS:
                return _error(400, "InvalidApiVersionParameter",
                              f"The api-version '{version}' is invalid. The supported versions "
                              f"are '{', '.join(SUBSCRIPTIONS_API_VERSIONS)}'.")
            with self._lock:
                listed = list(self._listed.values())
            return self._page(lowered, version, query, listed, list_shape=False)
        if len(parts) < 2 or parts[0] != "subscriptions":
            return _error(404, "NotFound", f"no route for {path}")
        subscription = parts[1]
        with self._lock:
            if subscription not in self._subscriptions:
                return _error(404, "SubscriptionNotFound",
                              f"The subscription '{subscription}' could not be found.")
            if ACTIVITY_PATH.match(lowered):
                return self.activity.list(self.endpoint, path, subscription, query)
            if len(parts) == 3 and parts[2] == "resourcegroups":
                groups = sorted(self._groups.items())
                items = [g for (sub, _), g in groups if sub == subscription]
                return self._page(lowered, version, query, items, list_shape=False)
            if len(parts) == 3 and parts[2] == "resources":
                items = [r for k, r in sorted(self._resources.items())
                         if _parts(k)[1] == subscription and k not in self.hidden_from_list]
                return self._page(lowered, version, query, items, list_shape=True)
            if len(parts) == 5 and parts[2] == "resourcegroups" and parts[4] == "resources":
                if (subscription, parts[3]) not in self._groups:
                    return _error(404, "ResourceGroupNotFound",
                                  f"Resource group '{parts[3]}' could not be found.")
                prefix = f"/subscriptions/{subscription}/resourcegroups/{parts[3]}/"
                items = [r for k, r in sorted(self._resources.items())
                         if k.startswith(prefix) and k not in self.hidden_from_list]
                return self._page(lowered, version, query, items, list_shape=True)
            if _is_collection(parts):
                return self._collection(lowered, version, query)
            return self._get(lowered, version)

    def _version_error(self, arm_type: str, version: str) -> tuple[int, Any, dict[str, str]]:
        allowed = _versions_for(arm_type)
        return _error(400, "NoRegisteredProviderFound",
                      f"No registered resource provider found for location and API "
                      f"version '{version}' for type '{arm_type}'. The supported "
                      f"api-versions are '{', '.join(allowed)}'.")

    def _collection(self, canonical: str, version: str, query: Mapping[str, str],
                    ) -> tuple[int, Any, dict[str, str]]:
        """The items of a collection below a subscription, a group or a resource."""
        arm_type = _arm_type(canonical + "/-")
        if version not in _versions_for(arm_type):
            return self._version_error(arm_type, version)
        parts = _parts(canonical)
        group = _group_key(parts)
        if group is not None and group not in self._groups:
            return _error(404, "ResourceGroupNotFound",
                          f"Resource group '{group[1]}' could not be found.")
        parent = "/" + "/".join(_parent_parts([*parts, "-"]))
        if len(_parts(parent)) > 4 and self._lookup(parent) is None:
            return _error(404, "ParentResourceNotFound",
                          f"Can not perform requested operation on nested resource. Parent "
                          f"resource '{_parts(parent)[-1]}' not found.")
        stored = [*self._resources.items(), *self._children.items()]
        embedded = EMBEDDED_CHILDREN.get(arm_type.lower())
        if embedded is not None:
            found = ((self._lookup(parent) or {}).get("properties") or {}).get(embedded) or []
            stored += [(_canonical(c["id"]), c) for c in found]
        if canonical.endswith(_SCOPE_WIDE):
            scope = canonical[:-len(_SCOPE_WIDE)]
            items = [r for k, r in sorted(stored) if k.startswith(scope + "/")
                     and _arm_type(k).lower() == arm_type.lower()]
            if len(_parts(scope)) == 2:
                items = [*self.inherited_role_assignments, *items]
        else:
            items = [r for k, r in sorted(stored)
                     if k.startswith(canonical + "/") and k.count("/") == canonical.count("/") + 1]
        return self._page(canonical, version, query, items, list_shape=False)

    def _get(self, canonical: str, version: str) -> tuple[int, Any, dict[str, str]]:
        arm_type = _arm_type(canonical)
        if version not in _versions_for(arm_type):
            return self._version_error(arm_type, version)
        parts = _parts(canonical)
        group = _group_key(parts)
        if group is not None and group not in self._groups:
            return _error(404, "ResourceGroupNotFound",
                          f"Resource group '{group[1]}' could not be found.")
        found = self._lookup(canonical)
        if found is None:
            parent = _parent_parts(parts)
            if len(parent) > 4 and self._lookup("/" + "/".join(parent)) is None:
                return _error(404, "ParentResourceNotFound",
                              f"Can not perform requested operation on nested resource. "
                              f"Parent resource '{parent[-1]}' not found.")
            return _error(404, "ResourceNotFound",
                          f"The Resource '{arm_type}/{parts[-1]}' under resource group "
                          f"'{group[1] if group else ''}' was not found.")
        return 200, copy.deepcopy(found), {}

    def _page(self, path: str, version: str, query: Mapping[str, str], items: list[Payload],
              *, list_shape: bool) -> tuple[int, Any, dict[str, str]]:
        start = int(query.get("$skiptoken") or 0)
        chunk = items[start:start + self.page_size]
        value = [
            {k: copy.deepcopy(r[k]) for k in LIST_KEYS if k in r} if list_shape
            else copy.deepcopy(r)
            for r in chunk
        ]
        body: Payload = {"value": value}
        if start + self.page_size < len(items):
            body["nextLink"] = (f"{self.endpoint}{path}?api-version={quote(version)}"
                                f"&%24skiptoken={start + self.page_size}")
        return 200, body, {}


    def _graph(self, query: Mapping[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        """Azure Resource Graph's read-only query, for ``Resources | where id in~ (...)``."""
        if query.get("api-version") not in GRAPH_API_VERSIONS:
            return _error(400, "InvalidApiVersionParameter",
                          f"api-version '{query.get('api-version')}' is not supported")
        request = json.loads(body or b"{}")
        text = str(request.get("query", ""))
        listed = re.search(r"\bin~\s*\((.*)\)", text, re.DOTALL)
        if not text.lstrip().lower().startswith("resources") or listed is None:
            return _error(400, "BadRequest", "this server answers "
                          "\"Resources | where id in~ (...)\" queries only")
        wanted = [_canonical(m) for m in re.findall(r"'((?:[^'\\]|\\.)*)'", listed.group(1))]
        subscriptions = {s.lower() for s in request.get("subscriptions") or []}
        options = request.get("options") or {}
        with self._lock:
            rows = []
            for canonical in wanted:
                found = self._resources.get(canonical)
                if found is None or _parts(canonical)[1] not in subscriptions:
                    continue
                row = {k: copy.deepcopy(v) for k, v in found.items()
                       if k in GRAPH_COLUMNS}
                row["subscriptionId"] = _parts(canonical)[1]
                row["resourceGroup"] = _parts(canonical)[3]
                rows.append(row)
        start = int(options.get("$skipToken") or 0)
        # like Resource Graph, the server caps a page whatever $top asks for
        size = min(int(options.get("$top") or self.page_size), self.page_size)
        page = rows[start:start + size]
        answer: Payload = {"totalRecords": len(rows), "count": len(page),
                           "resultTruncated": "false", "data": page, "facets": []}
        if start + size < len(rows):
            answer["$skipToken"] = str(start + size)
        return 200, answer, {}


def _versions_for(arm_type: str) -> tuple[str, ...]:
    segments = arm_type.lower().split("/")
    for size in range(len(segments), 0, -1):
        found = API_VERSIONS.get("/".join(segments[:size]))
        if found:
            return found
    return ()


def _error(status: int, code: str, message: str) -> tuple[int, Any, dict[str, str]]:
    return status, {"error": {"code": code, "message": message}}, {}
