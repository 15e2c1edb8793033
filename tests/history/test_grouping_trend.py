"""Grouped drift (same type, same changes and values) and the trend chart's SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cloudrift.history.grouping import assign_groups, group_findings
from cloudrift.history.trend import trend_svg
from cloudrift.model import TrendPoint
from tests.history.builders import changed, report, unmanaged

SVG = "{http://www.w3.org/2000/svg}"


def test_findings_with_the_same_changes_share_a_group() -> None:
    tagged = [changed(f"b{i}", rtype="aws_s3_bucket", path="tags.CostCenter", expected="ops",
                      actual=None) for i in range(163)]
    other_value = changed("b-x", rtype="aws_s3_bucket", path="tags.CostCenter", expected="ops",
                          actual="dev")
    other_type = changed("q", path="tags.CostCenter", expected="ops", actual=None)
    loose = [unmanaged("u1"), unmanaged("u2")]
    grouped = assign_groups(report([*tagged, other_value, other_type, *loose]))
    ids = {f.id: f.group for f in grouped.findings}
    assert len({ids[f"b{i}"] for i in range(163)}) == 1
    assert ids["b-x"] != ids["b0"]
    assert ids["q"] != ids["b0"]
    assert ids["u1"] == ids["u2"]
    groups = group_findings(grouped.findings)
    assert [g.size for g in groups] == [163, 1, 1, 2]
    assert groups[0].label() == (
        '163 \N{MULTIPLICATION SIGN} aws_s3_bucket: tags.CostCenter "ops" → absent')
    assert groups[3].label() == "2 \N{MULTIPLICATION SIGN} aws_sqs_queue: unmanaged"
    # the id is a function of the drift, not of the run
    assert assign_groups(report([tagged[0]])).findings[0].group == ids["b0"]


def test_the_trend_is_an_svg_with_one_line_per_kind() -> None:
    points = [TrendPoint(day="2026-11-01", kinds={"changed": 4, "unmanaged": 1},
                         providers={"aws": 5}),
              TrendPoint(day="2026-11-03", kinds={"changed": 2}, providers={"aws": 2})]
    svg = trend_svg(points, "kinds")
    root = ET.fromstring(svg)
    lines = {g.get("data-name"): g for g in root.iter(f"{SVG}g")}
    assert set(lines) == {"changed", "unmanaged"}
    dots = [c.findtext(f"{SVG}title") for c in lines["changed"].iter(f"{SVG}circle")]
    assert dots == ["2026-11-01: 4 changed", "2026-11-03: 2 changed"]
    assert [c.findtext(f"{SVG}title") for c in lines["unmanaged"].iter(f"{SVG}circle")] == [
        "2026-11-01: 1 unmanaged", "2026-11-03: 0 unmanaged"]
    by_provider = ET.fromstring(trend_svg(points, "providers"))
    assert [g.get("data-name") for g in by_provider.iter(f"{SVG}g")] == ["aws"]
    assert trend_svg([], "kinds") == ""


def test_names_in_the_trend_are_escaped() -> None:
    points = [TrendPoint(day="2026-11-01", kinds={}, providers={"<script>x</script>": 1})]
    svg = trend_svg(points, "providers")
    assert "<script>" not in svg
    ET.fromstring(svg)
