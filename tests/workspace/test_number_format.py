"""Counts on the pages read with thousands separators, as the amounts beside them do (23,395 个项目),
in both languages."""

import uuid

import pytest
from django.template.loader import render_to_string
from django.utils import translation

ROW = {
    "name": "嘉陵江",
    "projects": 23395,
    "by_status": [12034, 7],
    "planned": 1,
    "spent": 1,
    "overdue_reports": 1250,
    "overdue_actions": 3120,
    "indicators": [],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_figures_tables_group_a_counts_thousands(language):
    with translation.override(language):
        table = render_to_string(
            "workspace/figures/_group_table.html", {"rows": [ROW], "statuses": ["a", "b"], "show_actions": True}
        )
    for shown in ("23,395", "12,034", "1,250", "3,120"):
        assert f">{shown}<" in table
    assert ">7<" in table


@pytest.mark.parametrize(
    ("language", "heading", "more"),
    [
        ("zh-hans", "23,395个项目，自上游至下游", "还有1,234个项目：在地图上查看全部"),
        ("en", "23,395 projects, upstream to downstream", "and 1,234 more projects: see them all on the map"),
    ],
)
def test_the_corridor_page_counts_its_projects_with_thousands_separators(language, heading, more):
    context = {
        "corridor": {"name": "嘉陵江"},
        "project_count": 23395,
        "reaches": [{"label": "上游", "projects": [{"pk": uuid.uuid4(), "name": "岸线修复"}], "more": 1234}],
    }
    with translation.override(language):
        page = render_to_string("workspace/figures/corridor.html", context)
    assert heading in page
    assert more in page


def test_one_project_is_still_one():
    with translation.override("en"):
        page = render_to_string("workspace/figures/corridor.html", {"corridor": {}, "project_count": 1})
    assert "1 project, upstream to downstream" in page
