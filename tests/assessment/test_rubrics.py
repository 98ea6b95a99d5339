"""Rubrics are validated completely at load time; a malformed one is refused naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.assessment.rubrics import load_rubric, load_rubric_dir, parse_rubric
from backend.common.config_files import ConfigError
from backend.config import CONFIG_DIR
from backend.orgs.models import OrgCategory
from tests.assessment.conftest import NON_PUBLIC


def test_the_shipped_rubrics_cover_every_category(app):
    rubrics = load_rubric_dir(CONFIG_DIR / "assessment")
    assert set(rubrics.rubrics) == set(OrgCategory)
    assert rubrics.rubrics["county_federation"].levels == ("county",)
    assert len(rubrics.version) == 16


def test_the_version_is_the_content_hash(app, tmp_path: Path):
    a = tmp_path / "a.yaml"
    a.write_text(NON_PUBLIC, encoding="utf-8")
    first = load_rubric(a).version
    assert load_rubric(a).version == first
    a.write_text(NON_PUBLIC.replace("full_at: 4", "full_at: 5"), encoding="utf-8")
    assert load_rubric(a).version != first


def _broken(mutate):
    doc = yaml.safe_load(NON_PUBLIC)
    mutate(doc)
    return doc


def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (_set(["category"], "factory"), "category", "is not one of"),
        (_delete(["grades"]), "grades", "missing"),
        (_set(["colour"], "red"), "colour", "unknown key"),
        (_set(["periods"], ["week"]), "periods", "'week' is not one of"),
        (_set(["rigid", 0, "metric"], "no_such_metric"), "rigid[0].metric", "not a known metric"),
        (
            _set(["flexible", 0, "params", "kinds"], ["legal.teleported"]),
            "flexible[0].params.kinds",
            "unknown participation kind",
        ),
        (_delete(["rigid", 1, "params", "case"]), "rigid[1].params.case", "required by metric"),
        (_set(["rigid", 1, "params", "case"], "loan"), "rigid[1].params.case", "is not one of"),
        (
            _set(["rigid", 0, "thresholds", "good"], 0),
            "rigid[0].thresholds.good",
            "must not be below qualified",
        ),
        (_delete(["rigid", 0, "thresholds", "excellent"]), "rigid[0].thresholds.excellent", "missing"),
        (
            _set(["rigid", 0, "thresholds", "qualified"], "many"),
            "rigid[0].thresholds.qualified",
            "must be a number",
        ),
        (_set(["flexible", 1, "weight"], -5), "flexible[1].weight", "must be a positive number"),
        (_set(["flexible", 1, "key"], "consultations"), "flexible[1].key", "used twice"),
        (
            _set(["grades", "flagship", "min_score"], 101),
            "grades.flagship.min_score",
            "more than the flexible weights",
        ),
        (
            _set(["grades", "advanced", "min_score"], 40),
            "grades.advanced.min_score",
            "must not be below leading",
        ),
        (_set(["rigid", 1, "per_month"], True), "rigid[1].per_month", "is a rate"),
    ],
)
def test_a_malformed_rubric_is_refused_with_file_and_key(app, mutate, key, problem):
    from backend.participation.service import KINDS

    with pytest.raises(ConfigError) as caught:
        parse_rubric(_broken(mutate), source="config/assessment/x.yaml", version="v", known_kinds=set(KINDS))
    message = str(caught.value)
    assert message.startswith(f"config/assessment/x.yaml: {key}: "), message
    assert problem in message, message


def test_bad_yaml_and_duplicate_categories_name_the_file(app, tmp_path: Path):
    (tmp_path / "a.yaml").write_text("category: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a\.yaml: not valid YAML"):
        load_rubric_dir(tmp_path)
    (tmp_path / "a.yaml").write_text(NON_PUBLIC, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(NON_PUBLIC, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b\.yaml: category: non_public already has a rubric in .*a\.yaml"):
        load_rubric_dir(tmp_path)


def test_the_app_refuses_to_start_on_a_malformed_rubric(app, tmp_path: Path, monkeypatch):
    import backend

    bad = tmp_path / "assessment"
    bad.mkdir()
    (bad / "non_public.yaml").write_text(
        NON_PUBLIC.replace("metric: new_members", "metric: nope"), encoding="utf-8"
    )
    config = tmp_path
    for name in ("notifications",):
        (config / name).symlink_to(CONFIG_DIR / name)
    (config / "sla.yaml").symlink_to(CONFIG_DIR / "sla.yaml")
    monkeypatch.setattr(backend, "CONFIG_DIR", config)
    with pytest.raises(
        ConfigError, match=r"non_public\.yaml: rigid\[0\]\.metric: 'nope' is not a known metric"
    ):
        backend.create_app(app.extensions["zhigong.settings"])
