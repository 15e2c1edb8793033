"""The generated tables of docs/providers/aws.md: what each type reads, compares and costs.

``python -m cloudrift_aws.docs`` rewrites, from the specs, the text between each pair of marker
comments of the page (``<!-- BEGIN GENERATED types -->`` ... ``<!-- END GENERATED types -->``)
and leaves the prose around them alone; ``--check`` only says whether the page is current.
Two tables are generated:

- ``types``: per Terraform type, the API calls, the import id, the fields compared and those
  deliberately not compared, with why (a spec's ``not_compared``);
- ``calls``: per type, the calls a scan of one region makes with nothing there, per managed
  resource and per unmanaged one, from ``calls.json``: figures measured against moto's server
  by ``python -m tests.providers.aws.measure`` (which rewrites the page too).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from cloudrift_aws.spec import AwsSpec

COMMAND = "python -m cloudrift_aws.docs"
MEASURE_COMMAND = "python -m tests.providers.aws.measure"
PAGE = Path(__file__).resolve().parents[2] / "docs" / "providers" / "aws.md"
CALLS_JSON = Path(__file__).resolve().parent / "calls.json"
TAGGING = "resourcegroupstaggingapi:GetResources"


def _markers(name: str) -> tuple[str, str]:
    return (f"<!-- BEGIN GENERATED {name} (do not edit: {COMMAND}) -->",
            f"<!-- END GENERATED {name} -->")


@functools.cache
def _operations(service: str) -> dict[str, str]:
    """boto3's method names of ``service``, each to the API's operation name."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def operation(service: str, method: str) -> str:
    """``service:Operation`` as the call meter counts it (``ec2:DescribeVpcs``)."""
    return f"{service}:{_operations(service)[method]}"


def _code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _Symbolic(dict[str, str]):
    """State attributes that are their own names: an import id function shows its form."""

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"

    def get(self, key: str, default: Any = None) -> str:
        return f"{{{key}}}"


def import_id(spec: AwsSpec) -> str:
    """The import id's form: the state attribute, or what the function's docstring says (its
    first sentence, when it starts with the form), or the function run on symbolic attributes
    (``{rest_api_id}/{id}``)."""
    if not callable(spec.import_id):
        return _code(spec.import_id)
    doc = (spec.import_id.__doc__ or "").strip()
    if doc.startswith("``"):
        return doc.split("\n\n")[0].replace("``", "`").replace("\n", " ").rstrip(".")
    try:
        form = spec.import_id(_Symbolic())
    except Exception:
        form = None
    if not form:
        raise ValueError(f"{spec.type}: give its import id function a docstring that starts "
                         "with the id's form (``A/B``)")
    return _code(str(form))


def api_calls(spec: AwsSpec) -> tuple[list[str], list[str]]:
    """The calls a spec declares: those of its listing, and those per managed resource."""
    listing: list[str] = []
    if spec.list is not None:
        listing.append(operation(spec.service, spec.list.operation))
    listing += [c for c in spec.calls if c not in listing]
    from cloudrift_aws.types.bulk import uses_bulk_tags

    if uses_bulk_tags(spec) and TAGGING not in listing:
        listing.append(TAGGING)
    details: list[str] = []
    for detail in spec.details:
        name = operation(detail.service or spec.service, detail.operation)
        if name not in details:
            details.append(name)
    return listing, details


def kind(spec: AwsSpec) -> str:
    """What the spec says a managed resource costs: ``bulk`` (nothing: the listing has it),
    ``details`` (a call per managed resource) or ``per parent`` (a listing per managed
    parent)."""
    if spec.per_parent:
        return "per parent"
    return "details" if spec.details else "bulk"


def _types_row(spec: AwsSpec) -> str:
    listing, details = api_calls(spec)
    calls = ", ".join(_code(c) for c in listing)
    if spec.parent_read:
        calls += " (the managed parent's own read)"
    elif spec.per_parent:
        calls += " (listed per managed parent)"
    if details:
        counts = {name: sum(1 for d in spec.details
                            if operation(d.service or spec.service, d.operation) == name)
                  for name in details}
        per = ", ".join(_code(n) + (f" x{c}" if c > 1 else "") for n, c in counts.items())
        calls += f"; per managed resource: {per}"
    if spec.global_service:
        calls += " (global)"
    compared = ", ".join(_code(f.path) + (" (sensitive)" if f.sensitive else "")
                         for f in spec.fields)
    notes: list[str] = []
    for part in spec.part_of:
        fields = part.fields if not callable(part.fields) else ("its fields, by content",)
        taken = f" (`{'`, `'.join(fields)}`)" if fields and not callable(part.fields) else ""
        notes.append(f"part of `{part.parent_type}`{taken}")
    if not spec.unmanaged:
        notes.append("never reported unmanaged")
    if spec.description:
        notes.insert(0, spec.description.rstrip("."))
    if notes:
        compared += ". " + "; ".join(notes)
    not_compared = "; ".join(f"{_code(name)}: {why}" for name, why in spec.not_compared.items())
    cells = [_code(spec.type), calls, import_id(spec), compared, not_compared or "—"]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def types_table(specs: Mapping[str, AwsSpec]) -> str:
    head = ("| Terraform type | API calls | import id | compared | not compared, and why |\n"
            "|---|---|---|---|---|")
    return "\n".join([head, *(_types_row(spec) for spec in specs.values())])


def _difference(more: Mapping[str, int], less: Mapping[str, int],
                per: int = 1) -> dict[str, Fraction]:
    return {op: Fraction(more.get(op, 0) - less.get(op, 0), per)
            for op in sorted(set(more) | set(less)) if more.get(op, 0) != less.get(op, 0)}


def _figure(counts: Mapping[str, Fraction | int]) -> str:
    total = sum(counts.values(), Fraction(0))
    if not counts:
        return "0"

    def number(value: Fraction | int) -> str:
        return str(value) if Fraction(value).denominator == 1 else f"{float(value):.2g}"

    ops = ", ".join(_code(op) + (f" x{number(n)}" if n != 1 else "")
                    for op, n in counts.items())
    return f"{number(total)}: {ops}"


def per_resource(figures: Mapping[str, Any], copies: int) -> dict[str, Fraction]:
    """The calls each managed resource adds, by operation (none for a constant type)."""
    return _difference(figures["managed_n"], figures["managed_1"], copies - 1)


def _calls_row(spec: AwsSpec, figures: Mapping[str, Any] | None, copies: int) -> str:
    if figures is None:
        cells = [_code(spec.type), kind(spec), f"not measured: run `{MEASURE_COMMAND}`",
                 "", "", ""]
    elif "problem" in figures:
        cells = [_code(spec.type), kind(spec), _figure(figures["empty"]),
                 f"not measured at {copies}: {figures['problem']}", "", ""]
    else:
        each = per_resource(figures, copies)
        first = _difference(figures["managed_1"], figures["unmanaged"])
        first = {op: n - each.get(op, 0) for op, n in first.items() if n != each.get(op, 0)}
        unmanaged = _difference(figures["unmanaged"], figures["empty"], copies)
        cost = "per resource" if each else "constant"
        cells = [_code(spec.type), f"{kind(spec)}: {cost}", _figure(figures["empty"]),
                 _figure(first), _figure(each), _figure(unmanaged)]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def calls_table(specs: Mapping[str, AwsSpec], measured: Mapping[str, Any]) -> str:
    copies = int(measured.get("copies", 3))
    types = measured.get("types", {})
    head = ("| Terraform type | spec: measured | empty region | once anything is managed | "
            "per managed resource | per unmanaged resource |\n|---|---|---|---|---|---|")
    rows = [_calls_row(spec, types.get(spec.type), copies) for spec in specs.values()]
    return "\n".join([head, *rows])


def load_calls(path: Path = CALLS_JSON) -> dict[str, Any]:
    if not path.exists():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def render(page: str, specs: Mapping[str, AwsSpec], measured: Mapping[str, Any]) -> str:
    """``page`` with every generated section rewritten; a missing marker is an error."""
    sections = {"types": types_table(specs), "calls": calls_table(specs, measured)}
    for name, table in sections.items():
        begin, end = _markers(name)
        pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.DOTALL)
        found = pattern.search(page)
        if found is None:
            raise ValueError(f"the page has no {begin} ... {end} section")
        page = f"{page[:found.start()]}{begin}\n{table}\n{end}{page[found.end():]}"
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the page is not what the specs give")
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--calls", type=Path, default=CALLS_JSON)
    args = parser.parse_args(argv)
    from cloudrift_aws.types import SPECS

    current = args.page.read_text()
    wanted = render(current, SPECS, load_calls(args.calls))
    if args.check:
        if wanted != current:
            print(f"{args.page} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        args.page.write_text(wanted)
        print(f"wrote {args.page}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
