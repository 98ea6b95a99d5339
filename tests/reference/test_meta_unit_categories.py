"""The 单位建会 form offers the base-union categories from /meta, in Chinese, and the API accepts them."""


def test_meta_offers_the_categories_a_unit_may_apply_under(client):
    meta = client.get("/api/v1/meta").json
    assert meta["unit_categories"] == [
        {"value": "public_institution", "label": "行政事业"},
        {"value": "state_collective", "label": "国有集体"},
        {"value": "non_public", "label": "非公企业"},
        {"value": "township_street", "label": "乡镇街道"},
    ]
