"""Counting what a scan compared, and what it did not and why.

Every managed resource of every scanned state is counted once, either as compared (in sync,
changed or missing) or under one reason of ``model.NOT_COMPARED_REASONS``; coverage is
compared / managed, so no figure reads "all checked" when it was not. In a sharded scan each
resource is counted by exactly one shard (the one its unit belongs to), so merged shards add
up to the unsharded figures: a state instance that no provider unit holds is counted by the
shard of its address, or, for a provider whose scan spans several accounts and is cut by
account, by the shard of its account.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from cloudrift.model import NOT_COMPARED_REASONS, NotCompared, Summary
from cloudrift.plugin import account_in_shard, in_shard
from cloudrift.sources.tfstate import StateInstance

# a provider name and how it names the account of a state instance
AccountOf = tuple[str, Callable[[StateInstance], "str | None"]]

# Terraform providers whose resources exist only in Terraform: nothing in a cloud to compare
TERRAFORM_ONLY_PROVIDERS = frozenset({
    "archive", "cloudinit", "external", "http", "local", "null", "random", "terraform", "time",
    "tls",
})


@dataclass
class Accounting:
    shard: tuple[int, int] | None = None
    skipped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # by state provider name: the providers whose scan is cut by account
    by_account: dict[str, AccountOf] = field(default_factory=dict)

    def mine(self, inst: StateInstance) -> bool:
        """Whether this shard counts a resource no provider unit holds."""
        cut = self.by_account.get(inst.provider)
        if cut is not None:
            provider, account_of = cut
            return account_in_shard(self.shard, provider, account_of(inst))
        return in_shard(self.shard, inst.provider, inst.type, inst.address)

    def skip(self, reason: str, provider: str, rtype: str, count: int = 1) -> None:
        assert reason in NOT_COMPARED_REASONS, reason
        self.skipped[(reason, provider, rtype)] += count

    def skip_instance(self, reason: str, inst: StateInstance) -> None:
        if self.mine(inst):
            self.skip(reason, inst.provider, inst.type)

    def close(self, summary: Summary) -> list[NotCompared]:
        """Fill the summary's counts (``compared`` must already be counted); the groups for the
        report, largest first."""
        by_reason: Counter[str] = Counter()
        for (reason, _, _), count in self.skipped.items():
            by_reason[reason] += count
        summary.not_compared = {r: by_reason[r] for r in NOT_COMPARED_REASONS if by_reason[r]}
        summary.managed = summary.compared + sum(by_reason.values())
        return sorted(
            (NotCompared(reason=r, provider=p, type=t, count=n)
             for (r, p, t), n in self.skipped.items()),
            key=lambda g: (NOT_COMPARED_REASONS.index(g.reason), -g.count, g.type),
        )
