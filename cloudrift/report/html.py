"""``html://``: one self-contained page to read a scan in a browser.

Everything is inline (CSS, a small script, the data as escaped HTML), nothing is fetched: the
page's Content-Security-Policy is ``default-src 'none'`` and admits only its own style and script
by hash, so even a value that slipped through escaping could not run or load anything. The
script filters findings by kind and by a search box; a ``#search=...&kinds=...`` fragment in
the URL pre-sets both, so a filtered view can be linked to.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import re
from html import escape
from typing import Any

from cloudrift.history.grouping import group_findings
from cloudrift.history.trend import TREND_STYLE, trend_svg
from cloudrift.kinds import KINDS
from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport
from cloudrift.report._attribution import attribution_lines, no_events_text
from cloudrift.report._coverage import compared_line, not_compared_groups, unmanaged_search_line
from cloudrift.report._diff import element_lines

_MAX_VALUE = 20_000
_MAX_SEARCH = 4_000

# invisible or direction-changing characters could make a value read as something else
_DECEPTIVE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff]"
)

_STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e;
  --line: #d1d9e0; --card: #f6f8fa; --del: #ffebe9; --ins: #dafbe1;
  --changed: #9a6700; --missing: #cf222e; --unmanaged: #8250df; --unapplied: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --card: #151b23;
    --del: #4c1d1f; --ins: #1b3b26; --changed: #d29922; --missing: #f85149;
    --unmanaged: #ab7df8; --unapplied: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: var(--fg);
  background: var(--bg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin: 2rem 0 .5rem; font-size: 1.25rem; }
h3 { margin: 0 0 .25rem; font-size: 1rem; font-weight: 600; overflow-wrap: anywhere; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
h3 > code { font-size: 15px; }
h3 .muted { font-weight: normal; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
ul.who { margin: .5rem 0 0; padding-left: 1.25rem; overflow-wrap: anywhere; }
.verdict { font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; padding: 0;
  list-style: none; }
.cards li { min-width: 8.5rem; padding: .6rem .9rem; border: 1px solid var(--line);
  border-radius: 8px; background: var(--card); }
.cards b { display: block; font-size: 1.5rem; }
.k-changed { color: var(--changed); } .k-missing { color: var(--missing); }
.k-unmanaged { color: var(--unmanaged); } .k-unapplied { color: var(--unapplied); }
#controls { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 1rem;
  align-items: center; padding: .75rem 0; background: var(--bg);
  border-bottom: 1px solid var(--line); }
#search { flex: 1 1 20rem; padding: .45rem .6rem; font: inherit; color: inherit;
  background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
#controls fieldset { display: flex; gap: .75rem; margin: 0; padding: 0; border: 0; }
.finding { margin: .75rem 0; padding: .75rem 1rem; border: 1px solid var(--line);
  border-left: 4px solid var(--line); border-radius: 6px; }
.finding[data-kind=changed] { border-left-color: var(--changed); }
.finding[data-kind=missing] { border-left-color: var(--missing); }
.finding[data-kind=unmanaged] { border-left-color: var(--unmanaged); }
.finding[data-kind=unapplied] { border-left-color: var(--unapplied); }
table { width: 100%; border-collapse: collapse; margin-top: .5rem; table-layout: fixed; }
th, td { padding: .35rem .5rem; border: 1px solid var(--line); text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { background: var(--card); }
table.diff th[scope=row] { width: 22%; font-weight: normal; }
.del { display: block; background: var(--del); }
.ins { display: block; background: var(--ins); }
table.coverage { table-layout: auto; }
table.coverage td.n { text-align: right; font-variant-numeric: tabular-nums; }
details.group { margin: .75rem 0; }
details.group > summary { cursor: pointer; font-weight: 600; overflow-wrap: anywhere; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 1rem; font-size: 12px;
  border: 1px solid var(--line); }
.status-new, .status-reopened { color: var(--missing); border-color: var(--missing); }
#trend figure { margin: .5rem 0 1rem; }
[hidden] { display: none !important; }
""" + TREND_STYLE

_SCRIPT = """
(function () {
  "use strict";
  var search = document.getElementById("search");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.kind-filter"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.kind"));
  var bundles = Array.prototype.slice.call(document.querySelectorAll("details.group"));
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");

  function apply() {
    var terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var kinds = {};
    boxes.forEach(function (box) { kinds[box.value] = box.checked; });
    var count = 0;
    findings.forEach(function (finding) {
      var text = finding.getAttribute("data-search");
      var match = kinds[finding.getAttribute("data-kind")] === true &&
        terms.every(function (term) { return text.indexOf(term) !== -1; });
      finding.hidden = !match;
      if (match) { count += 1; }
    });
    bundles.forEach(function (bundle) {
      bundle.hidden = bundle.querySelector("article.finding:not([hidden])") === null;
      // a search shows its matches inside large groups too
      bundle.open = bundle.hasAttribute("data-open") || terms.length > 0;
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelector("article.finding:not([hidden])") === null;
    });
    shown.textContent = count + " of " + findings.length + " findings shown";
    none.hidden = count !== 0 || findings.length === 0;
  }

  function fromFragment() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    // a followed link shows the same view as the link opened fresh: unnamed filters reset
    search.value = params.has("search") ? params.get("search") : "";
    var wanted = params.has("kinds") ? params.get("kinds").split(",") : null;
    boxes.forEach(function (box) {
      box.checked = wanted === null || wanted.indexOf(box.value) !== -1;
    });
  }

  search.addEventListener("input", apply);
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  window.addEventListener("hashchange", function () { fromFragment(); apply(); });
  fromFragment();
  apply();
  document.body.setAttribute("data-cloudrift-ready", "true");
})();
"""


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src '{_hash(_STYLE)}'; "
    f"script-src '{_hash(_SCRIPT)}'; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


def _visible(text: str) -> str:
    return _DECEPTIVE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def esc(text: str) -> str:
    """Untrusted text as HTML text or attribute value."""
    return escape(_visible(text), quote=True)


def _json(value: Any) -> str:
    if isinstance(value, (dict, list)) and value:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=str)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > _MAX_VALUE:
        text = text[:_MAX_VALUE] + f"\n… ({len(text) - _MAX_VALUE} more characters)"
    return text


def side_by_side(expected: Any, actual: Any) -> tuple[str, str]:
    """Both values as escaped HTML; in multi-line values the lines that differ are marked."""
    left, right = _json(expected), _json(actual)
    left_lines, right_lines = left.split("\n"), right.split("\n")
    if len(left_lines) == 1 and len(right_lines) == 1:
        return esc(left), esc(right)
    out_left: list[str] = []
    out_right: list[str] = []
    matcher = difflib.SequenceMatcher(a=left_lines, b=right_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for line in left_lines[i1:i2]:
            out_left.append(
                esc(line) if tag == "equal" else f'<span class="del">{esc(line)}</span>'
            )
        for line in right_lines[j1:j2]:
            out_right.append(
                esc(line) if tag == "equal" else f'<span class="ins">{esc(line)}</span>'
            )
    # a marked line is a block already; joining it with a newline would add an empty line
    return _join(out_left), _join(out_right)


def _join(lines: list[str]) -> str:
    out = ""
    for n, line in enumerate(lines):
        if n and not lines[n - 1].startswith('<span class="'):
            out += "\n"
        out += line
    return out


def _element_lines(change: FieldChange) -> str:
    """The ``+``/``-`` lines of a list or set that changed, each marked like a diff."""
    marked = []
    for line in element_lines(change):
        if line.startswith("+ "):
            marked.append(f'<span class="ins">{esc(line)}</span>')
        elif line.startswith("- "):
            marked.append(f'<span class="del">{esc(line)}</span>')
        else:
            marked.append(esc(line))
    return _join(marked)


def _search_text(finding: Finding) -> str:
    parts = [
        finding.kind.value,
        finding.address or "",
        finding.type,
        finding.id,
        finding.scope.account or "",
        finding.scope.region,
        finding.location or "",
        finding.source or "",
        *([finding.root] if finding.root not in (None, ".") else []),
    ]
    for change in finding.changes:
        parts.append(change.path)
        parts.append(json.dumps(change.expected, ensure_ascii=False, default=str))
        parts.append(json.dumps(change.actual, ensure_ascii=False, default=str))
        parts.extend(element_lines(change))
    # the search box finds a finding by who changed it too
    parts.extend(attribution_lines(finding.attribution))
    return " ".join(parts).lower()[:_MAX_SEARCH]


def _finding(finding: Finding) -> str:
    kind = finding.kind.value
    if finding.address:
        title = (
            f"<code>{esc(finding.address)}</code> <span class=\"muted\">{esc(finding.type)}"
            f" <code>{esc(finding.id)}</code></span>"
        )
    else:
        title = f"{esc(finding.type)} <code>{esc(finding.id)}</code>"
    meta = [esc(finding.scope.label())]
    if finding.root not in (None, "."):
        meta.append(f"in <code>{esc(finding.root or '')}</code>")
    if finding.location:
        meta.append(f"declared at <code>{esc(finding.location)}</code>")
    if finding.source:
        meta.append(f"state <code>{esc(finding.source)}</code>")
    meta.append(f"fingerprint <code>{esc(finding.fingerprint)}</code>")
    if finding.status is not None:
        since = f" since {esc(finding.first_seen)}" if finding.first_seen else ""
        age = f" ({finding.age_days:g} days)" if finding.age_days else ""
        meta.insert(0, f'<span class="status status-{esc(finding.status.value)}">'
                       f"{esc(finding.status.value)}</span>{since}{age}")
    parts = [
        f'<article class="finding" data-kind="{kind}" data-search="{esc(_search_text(finding))}">',
        f"<h3>{title}</h3>",
        f'<p class="muted">{" · ".join(meta)}</p>',
    ]
    if finding.changes:
        parts.append(
            '<table class="diff"><thead><tr><th scope="col">Field</th>'
            '<th scope="col">Expected (state)</th><th scope="col">Actual (cloud)</th></tr>'
            "</thead><tbody>"
        )
        for change in finding.changes:
            left, right = side_by_side(change.expected, change.actual)
            parts.append(
                f'<tr><th scope="row"><code>{esc(change.path)}</code></th>'
                f'<td class="expected"><pre>{left}</pre></td>'
                f'<td class="actual"><pre>{right}</pre></td></tr>'
            )
            if change.has_elements:
                parts.append(
                    f'<tr class="elements"><th scope="row">{esc(change.element_summary())}'
                    f'</th><td colspan="2"><pre>{_element_lines(change)}</pre></td></tr>'
                )
        parts.append("</tbody></table>")
    if finding.attribution is not None:
        # --attribute: who changed the resource, every value escaped like the rest
        items = []
        for event in finding.attribution.events:
            where = f" from <code>{esc(event.source_ip)}</code>" if event.source_ip else ""
            items.append(f"<li>changed by <code>{esc(event.principal)}</code> at "
                         f"{esc(event.time)}{where} (<code>{esc(event.event_name)}</code>)</li>")
        if not items:
            items.append(f'<li class="muted">{esc(no_events_text(finding.attribution))}</li>')
        parts.append(f'<ul class="who">{"".join(items)}</ul>')
    parts.append("</article>")
    return "\n".join(parts)


# a group this large starts folded (its summary line reads for all of it)
GROUP_FOLDED = 6


def _grouped(findings: list[Finding]) -> list[str]:
    parts: list[str] = []
    for group in group_findings(findings):
        if group.size == 1:
            parts.append(_finding(group.findings[0]))
            continue
        opened = " open data-open" if group.size < GROUP_FOLDED else ""
        parts.append(f'<details class="group" data-group="{esc(group.id)}"{opened}>'
                     f"<summary>{esc(group.label())}</summary>")
        parts.extend(_finding(f) for f in group.findings)
        parts.append("</details>")
    return parts


class HtmlReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        s = report.summary
        counts = {kind: sum(1 for f in report.findings if f.kind is kind) for kind in FindingKind}
        verdict = "Drift found." if report.findings else "No drift."
        if not report.complete:
            verdict += " The scan is incomplete: see the warnings."
        shown = {kind: str(counts[kind]) for kind in FindingKind}
        if s.unmanaged_search == "none":
            shown[FindingKind.UNMANAGED] = "—"
        cards = [
            f'<li class="k-{kind.value}"><b>{shown[kind]}</b>{KINDS[kind].name}'
            f'<br><span class="muted">{KINDS[kind].meaning}</span></li>'
            for kind in FindingKind
            if kind is not FindingKind.UNAPPLIED or counts[kind]
        ]
        if s.ignored:
            cards.append(f"<li><b>{s.ignored}</b>ignored by rules</li>")
        if report.scan_id is not None:
            cards += [f"<li><b>{s.new + s.reopened}</b>new or reopened</li>",
                      f"<li><b>{s.resolved}</b>resolved</li>"]
        cards += [
            f"<li><b>{s.managed}</b>managed</li>",
            f"<li><b>{s.compared}</b>compared</li>",
            f"<li><b>{s.in_sync}</b>in sync</li>",
            f"<li><b>{s.coverage:.0%}</b>coverage</li>",
            f"<li><b>{s.api_calls}</b>API calls</li>",
            f"<li><b>{s.duration_s:.1f}s</b>duration</li>",
        ]
        filters = "".join(
            f'<label><input type="checkbox" class="kind-filter" value="{kind.value}" checked> '
            f"{KINDS[kind].name} ({counts[kind]})</label>"
            for kind in FindingKind
        )
        body = [
            "<header>",
            "<h1>cloudrift drift report</h1>",
            f'<p class="verdict">{esc(verdict)}</p>',
            f'<p class="compared">{esc(compared_line(s))}</p>',
            *([f'<p class="unmanaged-search">{esc(limited)}</p>']
              if (limited := unmanaged_search_line(report)) is not None else []),
            f'<p class="muted">cloudrift {esc(report.tool_version or "?")} · started '
            f"{esc(report.started_at or '?')} · {len(report.sources)} state(s): "
            + ", ".join(f"<code>{esc(src)}</code>" for src in report.sources)
            + "</p>",
            "</header>",
            f'<section id="summary"><ul class="cards">{"".join(cards)}</ul></section>',
            '<section id="controls">',
            '<input type="search" id="search" placeholder="Search address, type, id, field, '
            'value" aria-label="Search findings" autocomplete="off">',
            f"<fieldset><legend hidden>Kinds</legend>{filters}</fieldset>",
            f'<span id="shown" class="muted">{len(report.findings)} findings</span>',
            "</section>",
            '<main id="findings">',
        ]
        for kind in FindingKind:
            group = [f for f in report.findings if f.kind is kind]
            if not group:
                continue
            name, meaning = KINDS[kind].name, KINDS[kind].meaning
            body.append(f'<section class="kind" data-kind="{kind.value}">')
            body.append(
                f'<h2 class="k-{kind.value}">{name}: {len(group)} '
                f'<span class="muted">({meaning})</span></h2>'
            )
            body.extend(_grouped(group))
            body.append("</section>")
        body.append('<p id="no-match" class="muted" hidden>No finding matches the filter.</p>')
        if not report.findings:
            body.append('<p class="muted">Every compared resource matches its state.</p>')
        body.append("</main>")
        body.extend(self._resolved(report))
        body.extend(self._trend(report))
        body.extend(self._warnings(report))
        body.extend(self._not_compared(report))
        body.extend(self._coverage(report))
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>cloudrift: {esc(verdict)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            '<body data-cloudrift-ready="false">',
        ]
        tail = [f"<script>{_SCRIPT}</script>", "</body>", "</html>"]
        return "\n".join(head + body + tail) + "\n"

    @staticmethod
    def _resolved(report: ScanReport) -> list[str]:
        if not report.resolved:
            return []
        items = "".join(
            f"<li><code>{esc(f.address or f'{f.type}.{f.id}')}</code> {esc(f.kind.value)}"
            f' <span class="muted">first seen {esc(f.first_seen or "?")}, last seen '
            f"{esc(f.last_seen or '?')} · fingerprint <code>{esc(f.fingerprint)}</code>"
            "</span></li>"
            for f in report.resolved
        )
        return [f'<section id="resolved"><h2>Resolved since the last scan: '
                f"{len(report.resolved)}</h2><ul>{items}</ul></section>"]

    @staticmethod
    def _trend(report: ScanReport) -> list[str]:
        if not report.trend:
            return []
        charts = [
            f"<figure>{trend_svg(report.trend, by, title)}<figcaption class=\"muted\">{title}"
            "</figcaption></figure>"
            for by, title in (("kinds", "Open drift per day, by kind"),
                              ("providers", "Open drift per day, by provider"))
        ]
        return ['<section id="trend"><h2>Drift over time</h2>', *charts, "</section>"]

    @staticmethod
    def _warnings(report: ScanReport) -> list[str]:
        if not report.warnings:
            return []
        items = "".join(
            f"<li><code>{esc(w.code)}</code> {esc(w.message)}</li>" for w in report.warnings
        )
        return [f'<section id="warnings"><h2>Warnings: {len(report.warnings)}</h2>'
                f"<ul>{items}</ul></section>"]

    @staticmethod
    def _not_compared(report: ScanReport) -> list[str]:
        if not report.not_compared:
            return []
        s = report.summary
        rows = "".join(
            f"<tr><td>{esc(title)}</td><td><code>{esc(g.type)}</code></td>"
            f'<td>{esc(g.provider)}</td><td class="n">{g.count}</td></tr>'
            for title, groups in not_compared_groups(report) for g in groups
        )
        return [
            f'<section id="not-compared"><h2>Not compared: {s.managed - s.compared} of '
            f'{s.managed} managed resources</h2><table class="coverage"><thead><tr>'
            '<th scope="col">Why</th><th scope="col">Type</th><th scope="col">Provider</th>'
            f'<th scope="col">Resources</th></tr></thead><tbody>{rows}</tbody></table>'
            "</section>"
        ]

    @staticmethod
    def _coverage(report: ScanReport) -> list[str]:
        if not report.coverage:
            return []
        rows = "".join(
            f"<tr><td><code>{esc(c.type)}</code></td><td>{esc(c.provider)}</td>"
            f'<td class="n">{c.managed}</td><td class="n">{c.actual}</td>'
            f'<td class="n">{c.not_seen}</td><td class="n">{c.unknown_fields}</td>'
            f"<td>{esc(', '.join(c.scanned_scopes))}</td>"
            f"<td>{esc(', '.join(c.failed_scopes)) or '—'}</td></tr>"
            for c in report.coverage
        )
        return [
            '<section id="coverage"><h2>Coverage</h2><table class="coverage"><thead><tr>'
            '<th scope="col">Type</th><th scope="col">Provider</th><th scope="col">Managed</th>'
            '<th scope="col">In the cloud</th><th scope="col">Not seen</th>'
            '<th scope="col">Unknown fields</th><th scope="col">Scanned</th>'
            f'<th scope="col">Failed</th></tr></thead><tbody>{rows}</tbody></table></section>'
        ]
