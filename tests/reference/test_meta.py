"""参考数据: one endpoint gives clients every option list, text and template id, cacheable by ETag."""

from __future__ import annotations

from backend.members.models import WORKER_TYPE_LABELS
from tests.factories import auth


def test_meta_lists_the_options_a_client_needs_with_chinese_labels(client):
    response = client.get("/api/v1/meta")
    assert response.status_code == 200
    meta = response.json
    assert {"value": "migrant", "label": "农民工"} in meta["worker_types"]
    assert [o["value"] for o in meta["worker_types"]] == [str(k) for k in WORKER_TYPE_LABELS]
    assert {"value": "serious_illness", "label": "大病救助"} in meta["aid_categories"]
    assert {"value": "wages", "label": "工资报酬"} in meta["legal_topics"]
    five_small = ["小发明", "小创造", "小革新", "小设计", "小建议"]
    assert [o["label"] for o in meta["innovation_categories"]] == five_small
    assert {o["value"] for o in meta["competition_kinds"]} == {"skill", "innovation", "quiz"}
    assert {"value": "waitlisted", "label": "候补中"} in meta["statuses"]["event_signup"]
    for group in ("genders", "worker_types", "aid_categories", "legal_topics", "legal_modes", "entry_modes"):
        assert meta[group] and all(set(o) == {"value", "label"} and o["label"] for o in meta[group])


def test_meta_carries_the_versions_a_submission_must_quote(client, factory):
    meta = client.get("/api/v1/meta").json
    notice = meta["privacy_notice"]
    assert notice["version"] == "2026-01" and "身份证号" in notice["text"]
    assert meta["single_declaration"]["version"] == "2026-01"
    assert "单身" in meta["single_declaration"]["text"]
    # The version the meta names is the one a membership application is accepted with.
    tree = factory.org_tree()
    token = factory.worker_token()
    applied = factory.apply(token, tree.union_a1.id, consent_version=notice["version"])
    assert applied.status_code == 201, applied.json
    stale = factory.apply(factory.worker_token("w2"), tree.union_a1.id, consent_version="2000-01")
    assert stale.status_code == 422 and "consent_version" in stale.json["errors"]


def test_meta_names_the_subscribe_template_of_every_notification_kind(app, client):
    meta = client.get("/api/v1/meta").json
    kinds = app.extensions["zhigong.templates"]
    assert meta["subscribe_templates"] == {kind: t.template_id for kind, t in kinds.items()}
    assert meta["subscribe_templates"]["legal.booked"] == "TPL_LEGAL_BOOKING"
    assert "TPL_LEGAL_REMINDER" in meta["subscribe_template_groups"]["legal"]
    for ids in meta["subscribe_template_groups"].values():
        assert len(ids) == len(set(ids))


def test_meta_is_revalidated_by_etag(client):
    first = client.get("/api/v1/meta")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/meta", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    changed = client.get("/api/v1/meta", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.json == first.json


def test_meta_needs_no_log_in_and_is_the_same_for_a_worker(client, factory):
    anonymous = client.get("/api/v1/meta").json
    worker = client.get("/api/v1/meta", headers=auth(factory.worker_token())).json
    assert anonymous == worker


def test_a_privacy_file_without_a_text_is_refused_naming_the_key(tmp_path):
    import pytest

    from backend.common.config_files import ConfigError
    from backend.reference.service import load_privacy_notices

    path = tmp_path / "privacy.yaml"
    path.write_text('notices:\n  "2026-01": ""\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notices\.2026-01"):
        load_privacy_notices(path)
