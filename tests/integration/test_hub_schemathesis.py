"""Schemathesis over the hub's own OpenAPI document, every check, against a real hub.

The run finds any request that gets a 5xx, a status or header the document does not list, a
body that does not match its schema, a schema-valid request the hub refuses (422) or an
invalid one it accepts, an operation that ignores its token, and more (``--checks all``).
Bounded for CI: a fixed seed and a few examples per operation (about half a minute per
database on two cores).  To reproduce by hand::

    agent-assist-hub token create --role admin --name st-admin
    agent-assist-hub serve --limit-auth-failures 0 --limit-writes 0 --limit-ip-writes 0
    schemathesis --config-file CONFIG run http://127.0.0.1:8750/openapi.json --checks all \\
        -H "Authorization: Bearer TOKEN" --exclude-path /v1/stream
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration import hubserver
from tests.integration.hubserver import HubServer

pytestmark = pytest.mark.slow

CONFIG = """\
# A publish is checked as a pack (agent-assist validate): a JSON schema cannot say which
# YAML makes a valid pack, so a schema-valid publish may be refused with its problems (422).
[[operations]]
include-name = "POST /v1/publish"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]

# A gap decision is checked as a whole: "covered" needs the SOP it is covered by, and the
# queries must still say something once scrubbed; a review's next date must be in the future.
# A JSON schema can say neither, so a schema-valid request may be refused (422).
[[operations]]
include-name = "POST /v1/gaps/decisions"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]

[[operations]]
include-name = "POST /v1/reviews/verify"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]

# A date range is checked as a range (GET /v1/reports/overview): a JSON schema cannot say that
# `last` comes after `first`, that both are needed, or that February has no 30th (422).
# (One `include-name`: separate include filters are OR-ed, so a path and a method together
# would widen this to every GET.)
[[operations]]
include-name = "GET /v1/reports/overview"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422", "429"]

# A body or batch over its limit is refused as too large (413): a rejection all the same.
[checks.negative_data_rejection]
expected-statuses = [
    "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx",
]
"""
UNLIMITED = ["--limit-auth-failures", "0", "--limit-writes", "0", "--limit-ip-writes", "0"]
EXAMPLES = 5
SEED = 20261126


@pytest.mark.parametrize("database", hubserver.DATABASES)
def test_schemathesis_finds_nothing(tmp_path: Path, database: str) -> None:
    if database == "postgresql" and hubserver.postgres_url() is None:
        pytest.skip(f"{hubserver.POSTGRES_ENV} is not set")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    with HubServer(tmp_path / "hub", database, access_log=False, extra_args=UNLIMITED) as hub:
        # A token of its own: the run creates and revokes tokens with made-up names.
        token = hub.create_token("schemathesis-admin-7f3c", "admin")
        command = [
            *(sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()"),
            *("--config-file", str(config), "--no-color"),
            *("run", f"{hub.url}/openapi.json", "--checks", "all"),
            *("-H", f"Authorization: Bearer {token}"),
            *("--exclude-path", "/v1/stream"),  # Server-Sent Events: a response that never ends
            # One worker: with two threads, Hypothesis's lambda descriptions call ast.parse
            # concurrently, which CPython 3.11 before 3.11.8 can fail ("AST constructor
            # recursion depth mismatch", gh-106905): a runtime error of the tool, not the hub.
            *("--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1"),
            *("--generation-database", "none", "--request-timeout", "30"),
            "--output-truncate=true",
        ]
        env = {**os.environ, "NO_COLOR": "1"}
        run = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env
        )
        errors = [line for line in hub.log if "Traceback" in line or "Exception" in line]
    report = run.stdout[-15000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    assert " passed" in run.stdout and "failures" not in run.stdout.lower(), report
    assert not errors, "".join(hub.log[-60:])
