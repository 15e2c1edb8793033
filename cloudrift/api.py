"""The public Python API: ``cloudrift.scan(...)`` and ``cloudrift.load_report(path)``.

``scan`` runs what ``cloudrift scan`` runs (states, providers, comparison, ignore rules,
history, grouping, filters, attribution) and returns the report model; options are the scan
settings by name (``cloudrift.settings``: ``region=["eu-west-1"]``, ``min_coverage=0.9``,
``aws_profile=["prod"]``), with their defaults. It writes ``output`` targets when given. The
CLI and ``cloudrift watch`` use the same steps (``ScanJob``), so there is one pipeline.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cloudrift.concurrency import share
from cloudrift.errors import CloudriftError, ConfigError, SourceError
from cloudrift.meter import CallMeter
from cloudrift.plugin import Provider, ScanOptions, load_plugin, plugins_for_state
from cloudrift.progress import NoProgress, ProgressSink, TerminalProgress
from cloudrift.redact import Redactor
from cloudrift.settings import Setting, all_settings, by_name

if TYPE_CHECKING:
    # the report model (pydantic, the slowest import of all) loads once the providers have
    # made their first call: nothing before needs it
    from cloudrift.model import ScanReport

__all__ = ["ScanJob", "ScanOutcome", "load_report", "resolve", "scan"]


def resolve(options: Mapping[str, Any], settings: Sequence[Setting] | None = None
            ) -> dict[str, Any]:
    """Every setting's value by name: what ``options`` gives, else its default. Unknown names
    are refused; a list may be given as a string."""
    table = by_name(all_settings() if settings is None else settings)
    unknown = sorted(set(options) - set(table))
    if unknown:
        raise ConfigError(f"unknown scan option {unknown[0]!r}",
                          hint="options are the settings of `cloudrift config`, by name")
    values: dict[str, Any] = {}
    for name, setting in table.items():
        given = options.get(name, setting.default)
        if setting.kind == "list":
            given = setting.value([given] if isinstance(given, str) else given)
        elif setting.kind == "bool":
            given = bool(given)
        values[name] = given
    return values


def parse_shard(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    index, sep, count = value.partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        shard = (0, 0)
    if not sep or shard[1] < 1 or not 1 <= shard[0] <= shard[1]:
        raise ConfigError(f"--shard {value!r} is not I/N with 1 <= I <= N", hint="e.g. 2/4")
    return shard


def check_unmanaged_settings(values: Mapping[str, Any]) -> None:
    """``--unmanaged none`` and the options that only make sense when unmanaged resources are
    looked for."""
    from cloudrift.settings import UNMANAGED_SEARCH

    search = values["unmanaged"]
    if search not in UNMANAGED_SEARCH:
        raise ConfigError(f"--unmanaged {search!r} is not one of {', '.join(UNMANAGED_SEARCH)}")
    if search != "none":
        return
    if values["observe_unmanaged"]:
        raise ConfigError("--observe-unmanaged reads unmanaged resources, which --unmanaged "
                          "none does not look for", hint="drop one of the two")
    kinds = {k.strip() for item in values["only"] for k in str(item).split(",")}
    if kinds and kinds <= {"unmanaged"}:
        raise ConfigError("--only unmanaged with --unmanaged none would report nothing",
                          hint="use --unmanaged all (or managed-types)")


def check_history_settings(values: Mapping[str, Any]) -> timedelta | None:
    """What can be checked before the scan without loading the database layer."""
    from cloudrift.history.urls import check_url, parse_duration
    from cloudrift.settings import FAIL_ON

    fail_on = values["fail_on"]
    if fail_on not in FAIL_ON:
        raise ConfigError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    if values["no_history"]:
        if fail_on == "new":
            raise ConfigError("--fail-on new needs the history",
                              hint="drop --no-history, or use --fail-on any")
        return None
    if values["history"]:
        check_url(values["history"])
    keep: timedelta | None = parse_duration(values["history_keep"]) if values[
        "history_keep"] else None
    return keep


def ignore_set(files: Sequence[str], config_rules: Sequence[Any]) -> Any:
    import os

    from cloudrift.ignore import IGNORE_FILES, IgnoreSet, parse_ignore_file

    paths = list(files) or [name for name in IGNORE_FILES if os.path.isfile(name)]
    rules = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                rules.extend(parse_ignore_file(handle.read(), path))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ignore file ({exc.strerror})") from None
    rules.extend(config_rules)
    return IgnoreSet(rules)


def _prepare_notify(values: Mapping[str, Any]) -> list[Any]:
    if not values["notify"]:
        # the channels and their payload models load only for a scan that notifies
        return []
    from cloudrift.notify.run import prepare

    return prepare(values)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass
class ScanOutcome:
    """A finished scan: the report (post-processed as every output shows it), what redacts
    its secrets, and the history's failure if it had one (the report is complete without it)."""

    report: ScanReport
    redactor: Redactor
    history_error: CloudriftError | None = None


@dataclass
class _Prepared:
    keep: timedelta | None
    shard: tuple[int, int] | None
    targets: list[Any]
    filters: Any
    ignores: Any
    gathered: Any
    names: list[str]
    notify: list[Any]


@dataclass
class ScanJob:
    """One scan, in two steps: ``prepare`` reads the states (after it the redactor knows every
    secret they hold, so logging can be scrubbed), ``execute`` compares and post-processes."""

    values: Mapping[str, Any]
    config_ignores: Sequence[Any] = ()
    note: Callable[[str], None] = _stderr
    progress: ProgressSink | None = None
    # cloudrift watch's RunGuard: asked between phases whether to go on (``check``), and told
    # before the history is written (``commit``), so that a stopping watch can abandon the scan
    # before that point, never during it
    guard: Any = None
    _prepared: _Prepared | None = field(default=None, init=False, repr=False)

    def prepare(self) -> Redactor:
        from cloudrift import postprocess
        from cloudrift.gather import Request, gather
        from cloudrift.report import parse_output
        from cloudrift.scaninput import providers_used

        v = self.values
        keep = check_history_settings(v)
        # before any state or cloud is read: a target that cannot be used fails now
        notify = _prepare_notify(v)
        shard = parse_shard(v["shard"])
        check_unmanaged_settings(v)
        targets = [parse_output(o) for o in v["output"]]
        filters = postprocess.Filters.build(v["only"], v["type"], v["exclude_type"],
                                            v["filter"])
        ignores = ignore_set(v["ignore_file"], self.config_ignores)
        gathered = gather(Request(sources=v["from"], hcl=v["hcl"], repo=v["repo"],
                                  ref=v["ref"], workspace=v["workspace"],
                                  all_workspaces=v["all_workspaces"],
                                  parallelism=v["parallelism"], tfc_token=v["tfc_token"],
                                  http_headers=tuple(v["http_header"])))
        scan_input = gathered.scan_input
        # a token given on the command line is a secret like those in the states
        scan_input.redactor.add([v["tfc_token"]] if v["tfc_token"] else [])
        for target in notify:
            scan_input.redactor.add(target.secrets)
        for note in gathered.notes:
            self.note(f"cloudrift: note: {scan_input.redactor.scrub(note)}")
        names = list(v["to"])
        if not names:
            names, unknown = plugins_for_state(providers_used(scan_input.documents))
            for state_name in unknown:
                self.note(f"cloudrift: warning: no provider plugin compares {state_name!r} "
                          "resources; they are not scanned")
        if not names:
            raise ConfigError(
                "the states manage no resources and no provider was named",
                hint="pass --to aws")
        self._prepared = _Prepared(keep, shard, targets, filters, ignores, gathered, names,
                                   notify)
        return scan_input.redactor

    def options(self, shard: tuple[int, int] | None, progress: ProgressSink) -> ScanOptions:
        v = self.values
        return ScanOptions(
            regions=tuple(v["region"]), strict=v["strict"], parallelism=v["parallelism"],
            settings=dict(v), shard=shard, progress=progress,
            observe_unmanaged=v["observe_unmanaged"], unmanaged=v["unmanaged"],
            types=tuple(v["type"]),
            exclude_types=tuple(v["exclude_type"]), meter=CallMeter(on_call=progress.api_call),
        )

    def execute(self) -> ScanOutcome:
        if self._prepared is None:
            self.prepare()
        assert self._prepared is not None
        prepared = self._prepared
        shard, gathered = prepared.shard, prepared.gathered
        v = self.values
        scan_input = gathered.scan_input
        progress = self.progress or NoProgress()
        options = self.options(shard, progress)
        providers: dict[str, Provider] = {}
        for name in prepared.names:
            plugin = load_plugin(name)
            create_all = getattr(plugin, "create_all", None)
            # a plugin may scan several accounts, one provider each
            providers.update(create_all(options) if create_all
                             else {name: plugin.create(options)})
        # only now: a provider checks its credentials first, and a scan that cannot reach its
        # cloud should not wait for the engine and the report model to load
        from cloudrift import postprocess
        from cloudrift.engine import Scan
        from cloudrift.history.grouping import assign_groups

        # the accounts of an organisation are observed several at once, each provider within
        # its share of --parallelism (the plugins size them with the same ``share``)
        at_once, _ = share(options.parallelism, len(providers))
        if self.guard is not None:
            self.guard.check()
        with progress if isinstance(progress, TerminalProgress) else nullcontext():
            report = Scan(scan_input, providers, strict=v["strict"], shard=shard,
                          wants=options.wants, provider_workers=at_once,
                          unmanaged=options.unmanaged).run()
        if self.guard is not None:
            self.guard.check()
        # ignore rules are accepted drift and filters a view: the history records what is left
        # after the rules and before the view, so a filtered scan resolves nothing
        accepted = postprocess.apply(report, prepared.ignores, None)
        failure: CloudriftError | None = None
        if not v["no_history"]:
            kept = {f.fingerprint for f in accepted.findings}
            ignored = [f for f in report.findings if f.fingerprint not in kept]
            if self.guard is not None:
                self.guard.commit()
            try:
                accepted = self._record(accepted, ignored, shard, prepared.keep, gathered,
                                        scan_input.redactor)
            except CloudriftError as exc:
                failure = exc  # drift is never lost because the history failed
        report = postprocess.apply(assign_groups(accepted), None, prepared.filters)
        if v["attribute"]:
            from cloudrift.attribution import attribute_report

            # after ignores and filters: a finding nobody will see is not worth a lookup
            report = attribute_report(report, providers)
        return ScanOutcome(report, scan_input.redactor, failure)

    def write(self, outcome: ScanOutcome, color: bool | None = None) -> None:
        """Write the report to every ``output`` target (console:// when none is given)."""
        from cloudrift.report import write_outputs

        targets = self._prepared.targets if self._prepared is not None else []
        if not targets:
            from cloudrift.report import parse_output

            targets = [parse_output("console://")]
        write_outputs(outcome.report, targets, color=color, redactor=outcome.redactor)

    def notify(self, outcome: ScanOutcome) -> bool:
        """Tell the ``notify`` targets what changed, after the outputs are written; True when
        every delivery went (or none was due). Failures are warnings through ``note``."""
        prepared = self._prepared
        if prepared is None or not prepared.notify:
            return True
        # the channels and their payload models load only for a scan that notifies
        from cloudrift.notify.run import after_scan

        written = [t.path for t in prepared.targets if t.path]
        return after_scan(outcome.report, prepared.notify, self.values,
                          redactor=outcome.redactor, note=self.note, written=written,
                          history_failed=outcome.history_error is not None)

    def _record(self, report: ScanReport, ignored: list[Any], shard: Any, keep: Any,
                gathered: Any, redactor: Redactor) -> ScanReport:
        from cloudrift.history import DEFAULT_URL, History, Labels

        with History(self.values["history"] or DEFAULT_URL) as store:
            if store.created:
                self.note(f"cloudrift: note: started a new drift history at {store.shown}")
            labels = Labels(roots=tuple(c.root for c in report.code_coverage),
                            workspaces=tuple(gathered.workspaces))
            done = store.record(report, ignored=ignored, shard=shard, labels=labels,
                                keep=keep, redact=redactor.scrub_value)
            recorded: ScanReport = done.report
            return recorded


def scan(sources: Sequence[str] = (), /, **options: Any) -> ScanReport:
    """Scan and return the report: ``cloudrift.scan(["tfstate://terraform.tfstate"],
    region="eu-west-1", no_history=True)``. Options are the scan settings by name; outputs are
    written when ``output`` is given. A history that cannot be written raises its
    ``HistoryError`` after the outputs are written (pass ``no_history=True`` to keep none).
    ``notify`` targets are told what changed after that (docs/notifications.md)."""
    if sources:
        options = {**options, "from": list(sources)}
    job = ScanJob(resolve(options))
    job.prepare()
    outcome = job.execute()
    if options.get("output"):
        job.write(outcome, color=False)
    delivered = job.notify(outcome)
    if outcome.history_error is not None:
        raise outcome.history_error
    if not delivered and job.values["require_notify"]:
        raise CloudriftError("a notification was not delivered (require_notify)",
                             hint="the warnings above name the target")
    return outcome.report


def load_report(path: str) -> ScanReport:
    """A report written by ``scan --output json://PATH`` (``-`` for standard input)."""
    from pydantic import ValidationError

    from cloudrift.model import ScanReport

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        return ScanReport.model_validate_json(text)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read report ({exc.strerror})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise SourceError(
            f"{path}: not a cloudrift JSON report ({where}: {first['msg']})"
        ) from None
