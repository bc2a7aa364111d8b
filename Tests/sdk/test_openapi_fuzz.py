"""schemathesis against a live gateway and MockUpstream: generated and mutated requests from the
OpenAPI description must never get a 5xx, nor an answer the description does not allow."""

import subprocess
import sys


def test_fuzzing_finds_no_server_error_and_no_answer_outside_the_description(open_stack):
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", open_stack.gateway + "/openapi.yaml",
            "--url", open_stack.gateway,
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                        "response_schema_conformance,response_headers_conformance",
            "--max-examples", "100",
            # The coverage phase sometimes crashes inside CPython 3.11.7 ("AST constructor recursion
            # depth mismatch"), a fault of the interpreter, not of the API; examples and fuzzing
            # (positive and negative generated data) gate the run.
            "--phases", "examples,fuzzing",
            "--workers", "2",
            "--seed", "20261126",
        ],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
