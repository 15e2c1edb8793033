"""Tidying what ``terraform plan -generate-config-out`` writes into code a person would keep.

What the generator gets wrong, seen with hashicorp/aws 5.100 and Terraform 1.11 (each rule
below has a test in ``tests/fix/test_tidy.py``):

- **every optional argument, set or not**: unset ones as ``null`` (``name_prefix = null`` next
  to ``name``: the conflicting pair is "both set" to a reader and to some validators), the
  rest at their defaults (``fifo_queue = false``, ``delay_seconds = 0``, ``tags = {}``).
  Nulls and empty values go; zero values (``false``, ``0``) go too, and come back when the
  verifying plan shows the provider's default differs (rule ``verify``).
- **computed attributes**: ``tags_all`` (tags merged with the provider's ``default_tags``; the
  schema marks it optional+computed, so the generator writes it) and ``id``. They go.
- **values the provider's own validation refuses**: the generator writes what the cloud
  reports, and the provider checks config against its own ranges. An SQS queue reports
  ``max_message_size = 1048576`` (AWS's default since 2025) where hashicorp/aws 5.100 accepts
  at most 262144; an SNS topic the emulator serves reports ``signature_version = 0`` where 1-2
  are valid. ``terraform validate`` names each (address and line); the argument is commented
  out with the provider's message, and the verifying plan says whether leaving it out changes
  the resource (it does for ``max_message_size``: the import then also sets the default).
- **its header comments** (``# __generated__ by Terraform``) are dropped; each block keeps a
  comment with its import id.

The verifying plan (``imports.generate``) plans the imports with the tidied code: an import
that would also update the resource means a dropped argument mattered; those come back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cloudrift.fix.hcltext import line_end, line_start, parse_blocks

DROPPED_NAMES = {
    "tags_all": "computed: tags plus the provider's default_tags",
    "id": "computed: the import id",
}
EMPTY_VALUES = frozenset({"null", "{}", "[]", '""'})
ZERO_VALUES = frozenset({"false", "0"})


@dataclass
class TidyArgument:
    name: str
    text: str  # its lines as written, indentation and newline included
    dropped: str | None = None  # why it was left out
    invalid: str | None = None  # the provider's message when its validation refuses the value


@dataclass
class TidyBlock:
    header: str  # `resource "t" "n" {`
    address: str
    arguments: list[TidyArgument] = field(default_factory=list)
    # nested blocks and anything else kept as written
    rest: list[str] = field(default_factory=list)

    def render(self, comment: str = "") -> str:
        lines = [f"# {comment}\n"] if comment else []
        lines.append(self.header + "\n")
        for arg in self.arguments:
            if arg.invalid is not None:
                lines.append(f"  # cloudrift: left out, {arg.invalid}\n")
                lines.extend(f"  # {line.removeprefix('  ')}\n" for line in arg.text.splitlines())
            elif arg.dropped is None:
                lines.append(arg.text)
        lines.extend(self.rest)
        lines.append("}\n")
        return "".join(lines)

    def kept(self) -> list[str]:
        return [a.name for a in self.arguments if a.dropped is None and a.invalid is None]


@dataclass
class Tidied:
    blocks: list[TidyBlock]

    def block(self, address: str) -> TidyBlock | None:
        return next((b for b in self.blocks if b.address == address), None)

    def restore(self, address: str, names: Iterable[str]) -> list[str]:
        """Put dropped arguments of ``address`` back (never one the provider refuses)."""
        block = self.block(address)
        if block is None:
            return []
        wanted = set(names)
        restored = []
        for arg in block.arguments:
            if arg.name in wanted and arg.dropped is not None and arg.invalid is None:
                arg.dropped = None
                restored.append(arg.name)
        return restored

    def dropped(self) -> list[tuple[str, str, str]]:
        """(address, argument, why) of everything left out."""
        return [(b.address, a.name, a.invalid or a.dropped or "")
                for b in self.blocks for a in b.arguments
                if a.dropped is not None or a.invalid is not None]

    def render(self, comments: Mapping[str, str] | None = None) -> str:
        comments = comments or {}
        return "\n".join(b.render(comments.get(b.address, "")) for b in self.blocks)


def tidy(generated: str, refused: Mapping[tuple[str, int], str] | None = None, *,
         only_refused: bool = False) -> Tidied:
    """The resource blocks of ``generated``, arguments marked dropped by the rules above.

    ``refused`` maps (address, line) to the provider's message, from ``terraform validate
    -json`` diagnostics on ``generated`` as written. ``only_refused`` applies that rule alone
    (for configuration cloudrift wrote itself, which holds no generator noise)."""
    refused = refused or {}
    blocks = []
    for block in parse_blocks(generated, "generated configuration"):
        if block.kind != "resource" or len(block.labels) != 2:
            continue
        body_start = line_end(generated, block.span.start)
        header = generated[line_start(generated, block.span.start):body_start].rstrip("\n")
        tidy_block = TidyBlock(header, block.address)
        for arg in block.arguments:
            start = line_start(generated, arg.span.start)
            text = generated[start:line_end(generated, arg.span.end)]
            value = " ".join(generated[arg.value.start:arg.value.end].split())
            item = TidyArgument(arg.name, text)
            first, last = arg.span.line, arg.span.line + text.count("\n") - 1
            message = next((m for (addr, line), m in refused.items()
                            if addr == block.address and first <= line <= last), None)
            if message is not None:
                item.invalid = f"hashicorp/aws refuses the value the cloud reports: {message}"
            elif only_refused:
                pass
            elif arg.name in DROPPED_NAMES:
                item.dropped = DROPPED_NAMES[arg.name]
            elif value in EMPTY_VALUES:
                item.dropped = "not set" if value == "null" else "empty"
            elif value in ZERO_VALUES:
                item.dropped = "the zero value"
            tidy_block.arguments.append(item)
        for nested in block.blocks:
            start = line_start(generated, nested.span.start)
            tidy_block.rest.append(generated[start:line_end(generated, nested.span.end)])
        blocks.append(tidy_block)
    return Tidied(blocks)


def refused_arguments(diagnostics: Iterable[Mapping[str, object]], filename: str
                      ) -> dict[tuple[str, int], str]:
    """(address, line) -> message of each error ``terraform validate -json`` reports in
    ``filename``."""
    found: dict[tuple[str, int], str] = {}
    for diag in diagnostics:
        where = diag.get("range")
        address = diag.get("address")
        if diag.get("severity") != "error" or not isinstance(where, Mapping) or not address:
            continue
        if str(where.get("filename", "")).rsplit("/", 1)[-1] != filename:
            continue
        start = where.get("start")
        line = start.get("line") if isinstance(start, Mapping) else None
        if isinstance(line, int):
            found[(str(address), line)] = str(diag.get("summary", "refused"))
    return found
