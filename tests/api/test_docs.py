"""The API documents itself, with a docs UI that needs no internet."""

from __future__ import annotations


def test_openapi_document_lists_the_contract(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    for path in (
        "/api/v1/auth/wechat-login",
        "/api/v1/membership/applications",
        "/api/v1/me/card",
        "/api/v1/orgs",
        "/api/v1/staff/membership/applications/{application_id}/transition",
    ):
        assert path in paths, path
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_docs_ui_loads_only_local_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs-assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        response = client.get(f"/api/docs-assets/{asset}")
        assert response.status_code == 200 and len(response.data) > 1000
        response.close()
