"""Spans leave a gateway built with the OTLP trait and reach an OTLP/HTTP collector.

Needs a binary built with `swift build --product taogate --traits OTLP`, which scripts/test builds and
copies to .build/otlp/debug/taogate (or TAOGATE_OTLP_BIN). A small collector on 127.0.0.1 receives OTLP/HTTP JSON."""

import base64
import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import ROOT, skip_or_fail, start_stack, stop

OTLP_BINARY = os.environ.get("TAOGATE_OTLP_BIN") or str(ROOT / ".build" / "otlp" / "debug" / "taogate")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


class Collector:
    def __init__(self):
        self.exports = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                collector.exports.append((self.path, self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self):
        """(resource attributes, span) for every span received so far."""
        found = []
        for path, _, body in self.exports:
            if path != "/v1/traces":
                continue
            for resource_spans in json.loads(body).get("resourceSpans", []):
                resource = {a["key"]: a["value"] for a in resource_spans.get("resource", {}).get("attributes", [])}
                for scope_spans in resource_spans.get("scopeSpans", []):
                    for span in scope_spans.get("spans", []):
                        found.append((resource, span))
        return found


def hex_id(value: str) -> str:
    """OTLP/JSON wants hex ids; protobuf's JSON mapping gives base64. Accept both."""
    try:
        int(value, 16)
        return value.lower()
    except ValueError:
        return base64.b64decode(value).hex()


@pytest.fixture
def collector():
    running = Collector()
    yield running
    running.server.shutdown()


def test_spans_of_a_request_reach_the_otlp_collector(collector, monkeypatch):
    if not os.access(OTLP_BINARY, os.X_OK):
        skip_or_fail(f"{OTLP_BINARY} is missing: scripts/test builds it (`swift build --product taogate --traits OTLP`, copied there)")
    monkeypatch.setenv("TAOGATE_BIN", OTLP_BINARY)
    stack, processes = start_stack({
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    })
    try:
        request = urllib.request.Request(
            stack.gateway + "/v1/chat/completions",
            data=json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode(),
            headers={"Content-Type": "application/json", "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        deadline = time.monotonic() + 15
        names = set()
        while time.monotonic() < deadline:
            spans = [(resource, span) for resource, span in collector.spans() if hex_id(span["traceId"]) == TRACE_ID]
            names = {span["name"] for _, span in spans}
            if {"/v1/chat/completions", "upstream mock", "POST /chat/completions"} <= names:
                break
            time.sleep(0.1)
        assert {"/v1/chat/completions", "upstream mock", "POST /chat/completions"} <= names
        assert all(resource["service.name"] == {"stringValue": "taogate"} for resource, _ in spans)
    finally:
        stop(processes)
