"""The Kibana saved objects (docker/kibana/*.ndjson) against the index template, the import
command against a local HTTP server that checks the multipart request like Kibana's import API,
and the link to a mention."""

from __future__ import annotations

import json
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hirewatch.cli import app
from hirewatch.errors import StoreError
from hirewatch.settings import StoreSettings
from hirewatch.stores.es_templates import LANGUAGES, mapped_fields
from hirewatch.stores.kibana import DATA_VIEW_ID, import_saved_objects, kibana_mention_url, saved_object_files
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.conftest import ROOT

KIBANA_DIR = ROOT / "docker" / "kibana"


def _objects() -> list[dict]:
    out = []
    for path in sorted(KIBANA_DIR.glob("*.ndjson")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{number}: empty line"
            out.append(json.loads(line))
    return out


# -- the saved objects


def test_every_line_parses_and_ids_are_fixed_and_unique() -> None:
    objects = _objects()
    assert objects, "no saved objects shipped"
    keys = [(o["type"], o["id"]) for o in objects]
    assert len(keys) == len(set(keys))
    assert all(o["id"].startswith("hirewatch-") or o["id"] == DATA_VIEW_ID for o in objects)
    types = {o["type"] for o in objects}
    assert {"index-pattern", "search", "lens", "dashboard"} <= types
    titles = {o["attributes"]["title"] for o in objects if o["type"] == "search"}
    assert {"Negative candidate experience, last 7 days", "Pending alerts"} <= titles


def test_every_reference_resolves() -> None:
    objects = _objects()
    known = {(o["type"], o["id"]) for o in objects}
    for obj in objects:
        names = {ref["name"] for ref in obj.get("references", [])}
        for ref in obj.get("references", []):
            assert (ref["type"], ref["id"]) in known, f"{obj['id']} refers to missing {ref['type']} {ref['id']}"
        attrs = obj["attributes"]
        meta = attrs.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
        if meta and "indexRefName" in json.loads(meta):
            assert json.loads(meta)["indexRefName"] in names
        if obj["type"] == "dashboard":
            for panel in json.loads(attrs["panelsJSON"]):
                assert f"{panel['panelIndex']}:{panel['panelRefName']}" in names, panel
        if obj["type"] == "lens":
            for layer in attrs["state"]["datasourceStates"]["formBased"]["layers"]:
                assert f"indexpattern-datasource-layer-{layer}" in names


_KQL_FIELD = re.compile(r"([A-Za-z_@][\w.@]*)\s*(?::|>=|<=|>|<)")


def _fields_used(obj: dict) -> set[str]:
    attrs = obj["attributes"]
    used: set[str] = set()
    if obj["type"] == "index-pattern":
        used.add(attrs["timeFieldName"])
        used.update(json.loads(attrs.get("fieldFormatMap") or "{}"))
    if obj["type"] == "search":
        used.update(attrs["columns"])
        used.update(field for field, _order in attrs["sort"])
    queries = []
    meta = attrs.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
    if meta:
        queries.append(json.loads(meta).get("query", {}).get("query", ""))
    if obj["type"] == "lens":
        state = attrs["state"]
        queries.append(state["query"]["query"])
        for layer in state["datasourceStates"]["formBased"]["layers"].values():
            for column in layer["columns"].values():
                if column.get("sourceField") and column["sourceField"] != "___records___":
                    used.add(column["sourceField"])
    for query in queries:
        used.update(_KQL_FIELD.findall(query))
    return used


def test_every_field_the_saved_objects_use_is_in_the_index_template() -> None:
    # without language sub-fields: the objects must work on any analyzer configuration
    fields = mapped_fields("mentions", ())
    used = {(obj["id"], field) for obj in _objects() for field in _fields_used(obj)}
    assert {field for _id, field in used} >= {"@timestamp", "sentiment_label", "topics", "sources", "language",
                                               "employer", "alert.status", "url"}
    missing = sorted((obj_id, field) for obj_id, field in used if field not in fields)
    assert not missing, f"fields not in docker/elasticsearch/mentions-template.json: {missing}"


def test_field_check_catches_a_missing_field() -> None:
    obj = {"type": "search", "id": "x", "attributes": {"columns": ["no_such_field"], "sort": [["@timestamp", "desc"]],
           "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "bogus.field : 1"}})}}}
    assert {"no_such_field", "bogus.field"} <= _fields_used(obj) - mapped_fields("mentions", LANGUAGES)


def test_data_view_is_on_the_alias_with_the_time_field() -> None:
    view = next(o for o in _objects() if o["type"] == "index-pattern")
    assert view["id"] == DATA_VIEW_ID
    assert view["attributes"]["title"] == "mentions" and view["attributes"]["timeFieldName"] == "@timestamp"


def test_mention_url() -> None:
    assert kibana_mention_url("https://kibana.example/", "abc123") == (
        "https://kibana.example/app/discover#/doc/mentions/mentions?id=abc123")
    assert kibana_mention_url("http://k:5601/base", "a/b c", index="hw") == (
        "http://k:5601/base/app/discover#/doc/mentions/hw?id=a%2Fb%20c")


# -- import


class FakeKibana:
    """Answers POST /api/saved_objects/_import like Kibana, after checking the request: kbn-xsrf
    header, overwrite=true, a multipart body with one ``file`` part holding NDJSON."""

    def __init__(self, errors: list[dict] | None = None, status: int = 200) -> None:
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parts = urlsplit(self.path)
                message = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
                files = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
                fake.requests.append({"path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers),
                                      "files": [(p.get_filename(), p.get_payload(decode=True)) for p in files]})
                problems = []
                if self.headers.get("kbn-xsrf") is None:
                    problems.append("missing kbn-xsrf")
                if not message.is_multipart() or len(files) != 1:
                    problems.append("expected one multipart part named file")
                if problems:
                    answer, code = {"statusCode": 400, "message": "; ".join(problems)}, 400
                elif status != 200:
                    answer, code = {"statusCode": status, "message": "Unauthorized"}, status
                else:
                    lines = [json.loads(line) for line in files[0].get_payload(decode=True).splitlines()]
                    answer = {"success": not errors, "successCount": len(lines) - len(errors or []),
                              "errors": errors or [],
                              "successResults": [{"type": o["type"], "id": o["id"]} for o in lines]}
                    code = 200
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return "http://{}:{}".format(*self._httpd.server_address[:2])

    def __enter__(self) -> FakeKibana:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def test_import_posts_each_file_as_multipart_with_overwrite() -> None:
    files = saved_object_files()
    with FakeKibana() as kibana:
        results = import_saved_objects(kibana.url, files, settings=StoreSettings(es_api_key=SecretStr("a2V5")))
    assert [r.success_count for r in results] == [len(p.read_text().splitlines()) for p in files]
    assert all(not r.errors for r in results)
    request = kibana.requests[0]
    assert request["path"] == "/api/saved_objects/_import" and request["query"] == {"overwrite": ["true"]}
    assert request["headers"]["kbn-xsrf"] and request["headers"]["Authorization"] == "ApiKey a2V5"
    assert request["files"] == [(files[0].name, files[0].read_bytes())]


def test_import_into_a_space_with_another_index_prefix(tmp_path: Path) -> None:
    with FakeKibana() as kibana:
        import_saved_objects(kibana.url, saved_object_files(), settings=StoreSettings(es_index_prefix="brand",
                             es_username="elastic", es_password=SecretStr("pw")), space="talent")
    request = kibana.requests[0]
    assert request["path"] == "/s/talent/api/saved_objects/_import"
    assert request["headers"]["Authorization"].startswith("Basic ")
    sent = [json.loads(line) for line in request["files"][0][1].splitlines()]
    assert next(o for o in sent if o["type"] == "index-pattern")["attributes"]["title"] == "brand"


def test_import_cli_reports_object_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    error = {"type": "lens", "id": "hirewatch-topics", "error": {"type": "missing_references",
                                                                 "references": [{"type": "index-pattern", "id": "x"}]}}
    with FakeKibana(errors=[error]) as kibana:
        monkeypatch.setenv("HIREWATCH_KIBANA_URL", kibana.url)
        result = CliRunner().invoke(app, ["kibana", "import"])
    assert result.exit_code == 1
    assert "hirewatch-topics" in result.output and "missing_references" in result.output


def test_import_cli_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeKibana() as kibana:
        result = CliRunner().invoke(app, ["kibana", "import", "--url", kibana.url])
    assert result.exit_code == 0, result.output
    assert "imported hirewatch.ndjson" in result.output


def test_import_refused_or_unreachable_is_a_store_error() -> None:
    with FakeKibana(status=401) as kibana, pytest.raises(StoreError, match="HTTP 401"):
        import_saved_objects(kibana.url, saved_object_files())
    with FakeKibana() as kibana:
        url = kibana.url
    with pytest.raises(StoreError, match=r"import of hirewatch\.ndjson failed"):
        import_saved_objects(url, saved_object_files(), timeout_s=2)


def test_import_without_url_is_a_config_error() -> None:
    result = CliRunner().invoke(app, ["kibana", "import"])
    assert result.exit_code == 2 and "HIREWATCH_KIBANA_URL" in result.output
