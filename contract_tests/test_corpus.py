"""The mock serves real vendors' specs: one test per spec of tests/corpus/, each a sampled run of its harness.

Each test starts the real mock on the spec as a subprocess and runs schemathesis with valid requests on 5
operations spread over the spec, plus the operations it once failed on (5 examples each), checking server
errors, status codes, content types and response bodies (tests/corpus/run.py; `make corpus` is the full run).
Operations where the vendor's spec contradicts itself are left out by the harness (tests/corpus/defects.yaml).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "corpus" / "run.py"

_spec = importlib.util.spec_from_file_location("corpus_run", HARNESS)
assert _spec is not None and _spec.loader is not None
corpus_run = importlib.util.module_from_spec(_spec)
sys.modules["corpus_run"] = corpus_run
_spec.loader.exec_module(corpus_run)

# Operations each spec once failed on (tests/corpus/README.md, "Findings"), run on top of the sample so that
# a regression cannot hide behind sampling (harness --operation).
REGRESSIONS: dict[str, list[str]] = {
    "asana": ["GET /goals", "GET /workspaces/{workspace_gid}/workspace_memberships"],
    "box": ["POST /files/{file_id}/content", "GET /search", "GET /users/{user_id}/avatar", "POST /sign_requests"],
    "digitalocean": ["GET /v2/images/{image_id}", "GET /v2/customers/my/invoices/{invoice_uuid}/pdf"],
    "docker": ["DELETE /configs/{id}", "GET /events"],
    "github": [
        "POST /orgs/{org}/issue-fields",
        "PUT /orgs/{org}/properties/schema/{custom_property_name}",
        "GET /users/{username}/events/orgs/{org}",  # per_page=3.5e30: SQLite's OverflowError
        "DELETE /repos/{owner}/{repo}/code-scanning/analyses/{analysis_id}",  # required readOnly answer fields
    ],
    "openai": ["POST /images/edits", "GET /fine_tuning/jobs", "POST /threads/runs", "GET /files"],
    "readme": ["GET /changelogs/{identifier}", "POST /branches"],
    "slack": ["GET /users.list"],
    "stripe": ["GET /v1/accounts", "GET /v1/invoices/{invoice}", "GET /v1/tax_ids/{id}"],
    "swagger-petstore": ["POST /pet/{petId}/uploadImage"],
    "twilio-messaging": ["POST /v1/Services/{MessagingServiceSid}/Compliance/Usa2p", "POST /v1/Services"],
}


def test_the_corpus_is_there() -> None:
    names = {spec.name for spec in corpus_run.discover()}
    assert {"stripe", "github", "docker", "oai-petstore", "oai-webhook-example"} <= names


@pytest.mark.parametrize("name", [spec.name for spec in corpus_run.discover()])
def test_mock_serves_corpus_spec(name: str) -> None:
    sample = ["--sample", "5"]
    for operation in REGRESSIONS.get(name, []):
        sample += ["--operation", operation]
    command = [sys.executable, str(HARNESS), "--only", name, *sample, "--max-examples", "5"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{output}\nfull schemathesis output: .corpus-out/{name}.txt"
