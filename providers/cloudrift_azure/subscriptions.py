"""Every subscription a credential sees (``--azure-all-subscriptions``).

Resource Manager's ``GET /subscriptions`` (azure-mgmt-resource-subscriptions'
``SubscriptionClient``, paged) lists the subscriptions of the credential's tenant on which it
holds some role. Those whose state is Enabled, Warned or PastDue are scanned (the last two
are still readable: a warning about billing, not about access); a Disabled or Deleted one is a
warning naming it, as is a subscription the states name that the credential does not see (the
scan still tries it: a role on a resource group only does not make a subscription listed).
Failing to list the tenant's subscriptions at all stops the scan: the scan would say nothing
true about "every subscription".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from cloudrift.errors import ProviderError
from cloudrift.model import ScanWarning, Scope
from cloudrift_azure.listing import NAME
from cloudrift_azure.session import CALL_ERRORS, AzureContext, error_code
from cloudrift_azure.spec import Item

# subscription states whose resources can be read (Microsoft's "subscription states" page)
READABLE_STATES = frozenset({"enabled", "warned", "pastdue"})


@dataclass(frozen=True)
class Subscription:
    id: str
    name: str
    state: str

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id

    @property
    def readable(self) -> bool:
        return self.state.lower() in READABLE_STATES


def subscription_of(item: Item) -> Subscription | None:
    """One entry of the list, as the client's model gives it (camelCase or snake_case)."""
    sub_id = item.get("subscriptionId") or item.get("subscription_id")
    if not sub_id:
        resource_id = str(item.get("id") or "")
        sub_id = resource_id.rstrip("/").rpartition("/")[2] if resource_id else ""
    if not sub_id:
        return None
    return Subscription(id=str(sub_id).lower(),
                        name=str(item.get("displayName") or item.get("display_name") or ""),
                        state=str(item.get("state") or ""))


class TenantSubscriptions:
    """The tenant's subscriptions, listed once per scan."""

    def __init__(self, ctx: AzureContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._listed: list[Subscription] | None = None

    def listed(self) -> list[Subscription]:
        with self._lock:
            if self._listed is None:
                try:
                    items = self.ctx.list_subscriptions()
                except CALL_ERRORS as exc:
                    raise ProviderError(
                        "--azure-all-subscriptions: cannot list the subscriptions the "
                        f"credential sees ({error_code(exc)})",
                        hint="the credential needs a role on each subscription to scan "
                        "(Reader); name subscriptions with --azure-subscription instead",
                    ) from None
                found = {s.id: s for item in items if (s := subscription_of(item)) is not None}
                self._listed = sorted(found.values(), key=lambda s: s.id)
            return list(self._listed)

    def to_scan(self, named: Sequence[str], warnings: list[ScanWarning]) -> list[str]:
        """The readable subscriptions the tenant lists, then those ``named`` (by the states,
        by ``--azure-subscription``) that it does not list; a warning for each listed one not
        readable and each named one not listed."""
        listed = self.listed()
        by_id = {s.id: s for s in listed}
        found: list[str] = []
        for sub in listed:
            if sub.readable:
                found.append(sub.id)
            else:
                warnings.append(ScanWarning(
                    code="subscription_not_active", provider=NAME, scope=Scope(account=sub.id),
                    message=f"Azure subscription {sub.label} not scanned: its state is "
                    f"{sub.state or 'unknown'}"))
        for sub_id in dict.fromkeys(s.lower() for s in named):
            if sub_id in by_id:
                continue
            found.append(sub_id)
            warnings.append(ScanWarning(
                code="subscription_not_listed", provider=NAME, scope=Scope(account=sub_id),
                message=f"Azure subscription {sub_id} is named by the states or "
                "--azure-subscription but not among those the credential sees; scanned as "
                "far as it can be read"))
        return found
