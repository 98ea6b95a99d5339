"""无数据 is judged by one rule per rubric (``no_data``), the same for every rigid indicator: an SLA rate
with nothing due and a growth rate with no members to grow from are never read as 优秀 on one line and
未达标 on the next. The breakdown shows no number for them."""

from __future__ import annotations

import pytest
import yaml

from backend.assessment.rubrics import load_rubric_dir, parse_rubric
from backend.common.config_files import ConfigError
from tests.assessment.conftest import COUNTY, NON_PUBLIC
from tests.assessment.test_runs import _results, _run
from tests.factories import auth


@pytest.fixture
def rubric_rule(app, tmp_path):
    """Run the test city's rubrics under another ``no_data`` rule."""
    shipped = app.extensions["zhigong.rubrics"]

    def use(rule: str) -> None:
        (tmp_path / "non_public.yaml").write_text(
            NON_PUBLIC.replace("no_data: excluded", f"no_data: {rule}"), encoding="utf-8"
        )
        (tmp_path / "county_federation.yaml").write_text(COUNTY, encoding="utf-8")
        app.extensions["zhigong.rubrics"] = load_rubric_dir(tmp_path)

    yield use
    app.extensions["zhigong.rubrics"] = shipped


@pytest.mark.parametrize(
    ("rule", "tier"), [("excluded", "good"), ("qualified", "qualified"), ("unqualified", "unqualified")]
)
def test_an_indicator_without_data_is_judged_by_the_rubric_s_one_rule(
    client, factory, city, rubric_rule, rule, tier
):
    # 乙县物流公司工会 has 2 new members (良好 on its own) and no help request fell due: no SLA data.
    rubric_rule(rule)
    token = factory.staff_token("t_city")
    run = _run(client, token)
    row = next(r for r in _results(client, token, run["id"]) if r["org"]["id"] == city.tree.union_b1.id)
    assert row["tier"] == tier
    detail = client.get(f"/api/v1/staff/assessments/results/{row['id']}", headers=auth(token)).json
    sla = next(i for i in detail["indicators"] if i["key"] == "aid_sla")
    assert sla["value"] is None and sla["no_data"] == rule


def test_a_rubric_states_its_no_data_rule_and_indicators_cannot_override_it(app):
    doc = yaml.safe_load(NON_PUBLIC)
    del doc["no_data"]
    with pytest.raises(ConfigError, match="no_data: missing"):
        parse_rubric(doc, source="x.yaml", version="v")
    doc["no_data"] = "pass"
    with pytest.raises(ConfigError, match="no_data: 'pass' is not one of excluded, qualified, unqualified"):
        parse_rubric(doc, source="x.yaml", version="v")
    doc["no_data"] = "excluded"
    doc["rigid"][1]["missing"] = "pass"
    with pytest.raises(ConfigError, match=r"rigid\[1\].missing: unknown key"):
        parse_rubric(doc, source="x.yaml", version="v")
