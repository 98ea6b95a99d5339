"""The serious-illness subsidy table (大病救助 分档定额, Putian's rule): tiers at their exact boundaries,
+30% for migrant workers, nothing below the 5,000-yuan threshold, and a broken table refused at load."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.aid.subsidy import load_aid_rules
from backend.common.config_files import ConfigError
from backend.config import CONFIG_DIR
from tests.aid import act, illness_payload, member, submit, walk
from tests.factories import auth

TABLE = load_aid_rules(CONFIG_DIR / "aid.yaml").subsidy

# net out-of-pocket → suggested subsidy for a regular worker, and for a migrant worker (+30%).
BOUNDARIES = [
    ("0", None, None),
    ("4999.99", None, None),
    ("5000.00", "1000", "1300"),
    ("9999.99", "1000", "1300"),
    ("10000.00", "2000", "2600"),
    ("29999.99", "2000", "2600"),
    ("30000.00", "3000", "3900"),
    ("49999.99", "3000", "3900"),
    ("50000.00", "5000", "6500"),
    ("99999.99", "5000", "6500"),
    ("100000.00", "8000", "10400"),
    ("9999999.99", "8000", "10400"),
]


@pytest.mark.parametrize(("net", "regular", "migrant"), BOUNDARIES)
def test_each_tier_starts_at_its_lower_bound_and_stops_just_below_its_upper(net, regular, migrant):
    for worker_type, expected in (("regular", regular), ("courier", regular), ("migrant", migrant)):
        suggestion = TABLE.suggest(Decimal(net), worker_type)
        if expected is None:
            assert suggestion is None, (net, worker_type)
        else:
            assert suggestion.amount == Decimal(expected), (net, worker_type)
            assert suggestion.uplifted is (worker_type == "migrant")


def test_the_uplift_is_exact_to_the_fen():
    suggestion = TABLE.suggest(Decimal("7500"), "migrant")
    assert suggestion.amount == Decimal("1300.00") and suggestion.amount.as_tuple().exponent == -2
    assert (
        suggestion.basis
        == "净自付 7,500.00 元，属 5,000–10,000 元 档，定额 1,000.00 元，农民工上浮，参考补助 1,300.00 元"
    )


def test_the_worker_sees_the_reference_amount_on_submission(factory, client):
    tree = factory.org_tree()
    migrant = member(factory, tree, "migrant", worker_type="migrant")
    created = submit(client, migrant, illness_payload("23000", reimbursed="11000.01"))
    assert created.status_code == 201, created.json
    assert created.json["net_medical_cost"] == "11999.99"
    suggestion = created.json["suggestion"]
    assert suggestion["label"] == "参考补助金额" and suggestion["amount"] == "2600.00"
    assert "10,000–30,000 元" in suggestion["basis"] and "农民工上浮" in suggestion["basis"]

    regular = member(factory, tree, "regular", worker_type="regular")
    assert (
        submit(client, regular, illness_payload("23000", reimbursed="11000.01")).json["suggestion"]["amount"]
        == "2000.00"
    )
    below = submit(client, regular, illness_payload("9000", reimbursed="4000.01", illness="胃癌"))
    assert below.json["net_medical_cost"] == "4999.99" and below.json["suggestion"] is None
    other = submit(client, regular)
    assert other.json["suggestion"] is None
    costly = submit(client, regular, illness_payload("350000", illness="白血病"))
    assert costly.status_code == 201 and costly.json["suggestion"]["amount"] == "8000.00"
    absurd = submit(client, regular, illness_payload("10000000.01", illness="白血病"))
    assert absurd.status_code == 422 and "不能超过" in absurd.json["errors"]["medical_total"][0]


def test_staff_see_the_suggestion_in_the_case_and_decide_the_amount(factory, client):
    tree = factory.org_tree()
    token = member(factory, tree, "decide", worker_type="migrant")
    staff = factory.staff_token("t_union_a1")
    request_id = submit(client, token, illness_payload("60000", reimbursed="5000")).json["id"]
    case = client.get(f"/api/v1/staff/aid-requests/{request_id}", headers=auth(staff)).json
    assert case["suggestion"]["amount"] == "6500.00" and case["worker_type"] == "migrant"
    walk(client, staff, request_id, "verifying")
    approved = act(client, staff, request_id, "approve", amount=case["suggestion"]["amount"])
    assert approved.json["approved_amount"] == "6500.00"


GOOD = """
categories: {serious_illness: 大病救助, other: 其他}
hardship_types: {illness: 因病致困}
duplicate_window_days: 365
max_amount: 200000
serious_illness_subsidy:
  threshold: 5000
  uplift_percent: 30
  uplift_worker_types: [migrant]
  tiers:
{tiers}
"""


@pytest.mark.parametrize(
    ("tiers", "complaint"),
    [
        ("    - {from: 5000, to: 10000, amount: 1000}\n    - {from: 12000, amount: 2000}", "gap"),
        ("    - {from: 5000, to: 10000, amount: 1000}\n    - {from: 9000, amount: 2000}", "overlap"),
        ("    - {from: 5000, to: 5000, amount: 1000}", "must be above"),
        ("    - {from: 4000, to: 10000, amount: 1000}", "must start at the threshold"),
        ("    - {from: 5000, amount: 1000}\n    - {from: 10000, amount: 2000}", "only the last tier"),
        ("    - {from: 5000, to: 10000, amount: 2000}\n    - {from: 10000, amount: 1000}", "pay less"),
        ("    - {from: 5000, to: 10000, amount: 0}", "greater than 0"),
        ("    - {from: 5000, to: 10000, amount: -5}", "greater than 0"),
        ("    - {from: 5000, to: 10000, amount: 1000.005}", "two decimal places"),
        ("    - {from: 5000, to: 10000, amount: lots}", "must be a number"),
        ("    - {from: 5000, to: 10000, amount: 1000, cap: 3}", "no other keys"),
        ("    []", "non-empty list"),
    ],
)
def test_a_malformed_tier_table_is_refused_at_load_with_the_key_named(tmp_path, tiers, complaint):
    path = tmp_path / "aid.yaml"
    path.write_text(GOOD.replace("{tiers}", tiers), encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint) as caught:
        load_aid_rules(path)
    assert "serious_illness_subsidy.tiers" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("categories: {other: 其他}\n", "missing"),
        (
            GOOD.replace("{tiers}", "    - {from: 5000, amount: 1}").replace(
                "serious_illness: 大病救助, ", ""
            ),
            "keep",
        ),
        (GOOD.replace("{tiers}", "    - {from: 5000, amount: 1}").replace("365", "-1"), "whole number"),
        (
            GOOD.replace("{tiers}", "    - {from: 5000, amount: 1}").replace("30\n", "130\n"),
            "between 0 and 100",
        ),
        ("tiers: [unclosed\n", "not valid YAML"),
    ],
)
def test_other_mistakes_in_the_rules_file_are_named(tmp_path, text, complaint):
    path = tmp_path / "aid.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load_aid_rules(path)


def test_the_shipped_table_loads_and_an_open_last_tier_has_no_upper_bound(tmp_path):
    path = tmp_path / "aid.yaml"
    path.write_text(GOOD.replace("{tiers}", "    - {from: 5000, amount: 1500.50}"), encoding="utf-8")
    table = load_aid_rules(path).subsidy
    assert table.suggest(Decimal("4999.99"), "regular") is None
    assert table.suggest(Decimal("5000"), "regular").amount == Decimal("1500.50")
    assert table.suggest(Decimal("5000"), "migrant").amount == Decimal("1950.65")
    assert TABLE.threshold == Decimal("5000") and TABLE.tiers[-1].upper is None
