"""The OpenAPI 3 schema validates and describes every parameter; Swagger UI loads only the site's files."""

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

UNIT_PARAMS = {"as_of", "parent", "kind", "level", "q", "page"}
ORG_PARAMS = {"q", "kind", "sector", "ownership", "unit", "as_of", "status", "in_plan_scope", "page"}


@pytest.fixture(scope="module")
def schema() -> dict:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {param["name"]: param for param in schema["paths"][path]["get"]["parameters"]}


def test_schema_passes_drf_spectacular_validation_without_warnings(tmp_path):
    """`spectacular --validate` checks the document against the OpenAPI 3 JSON schema."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_schema_lists_the_endpoints_and_their_parameters(schema):
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/organizations/", "/api/v1/organizations/{id}/",
            "/api/v1/auth/token/"} <= set(schema["paths"])
    assert set(parameters(schema, "/api/v1/units/")) == UNIT_PARAMS
    assert set(parameters(schema, "/api/v1/organizations/")) == ORG_PARAMS


@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/organizations/", "/api/v1/units/{id}/"])
def test_every_parameter_is_described_in_vietnamese(schema, path):
    for name, param in parameters(schema, path).items():
        assert param.get("description"), name
        assert not param["description"].startswith("A "), (name, param["description"])


def test_filters_carry_their_types(schema):
    units = parameters(schema, "/api/v1/units/")

    assert units["as_of"]["schema"] == {"type": "string", "format": "date"}
    assert "ward" in units["kind"]["schema"]["enum"]
    assert units["level"]["schema"]["enum"] == [1, 2, 3]
    assert parameters(schema, "/api/v1/organizations/")["status"]["schema"]["enum"] == ["active", "closed"]


def test_unit_detail_describes_successions(schema):
    detail = schema["components"]["schemas"]["UnitDetail"]["properties"]

    assert {"successors", "predecessors", "current_successors"} <= set(detail)
    successor = schema["components"]["schemas"]["UnitSuccessor"]["properties"]
    assert {"id", "code", "name", "effective_date", "kind", "partly_merged"} <= set(successor)


def test_swagger_ui_loads_only_local_files(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/api/schema/" in html
    assert re.findall(r"https?://", html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(url.startswith("/static/") for url in sources), sources


def test_swagger_ui_assets_are_shipped_with_the_site():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
