"""Warnings every provider raises while it turns state instances into desired resources.

The codes and wording are shared so that a report reads the same whichever cloud a resource
is in, and so that tools filtering on them need one list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cloudrift.model import ScanWarning


def unsupported_warnings(provider_name: str, counts: Mapping[str, int]) -> list[ScanWarning]:
    """One ``unsupported_type`` warning per state type the provider has no spec for, by type."""
    return [
        ScanWarning(
            code="unsupported_type",
            provider=provider_name,
            type=rtype,
            message=f"{count} {rtype} resource(s) not compared: type not supported yet",
        )
        for rtype, count in sorted(counts.items())
    ]


def no_id_warning(
    provider_name: str, address: str, *, rtype: str | None = None, id_name: str = "id"
) -> ScanWarning:
    """A state instance whose import id cannot be built: it cannot be matched, so not compared.

    ``id_name`` is what the cloud calls the id, where that tells the user more (an "ARM id").
    """
    return ScanWarning(
        code="no_import_id",
        provider=provider_name,
        type=rtype,
        message=f"{address}: state has no {id_name} for this resource; not compared",
    )


def no_id_warnings(provider_name: str, addresses: Iterable[str]) -> list[ScanWarning]:
    """``no_id_warning`` for each address, in the order given."""
    return [no_id_warning(provider_name, address) for address in addresses]
