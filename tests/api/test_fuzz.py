"""The whole API fuzzed in-process from its own OpenAPI description: no input gives a 5xx.

schemathesis turns each operation of `/api/openapi.json` into a Hypothesis strategy; every
generated request goes through Django's test client, as the office and as a town, once with a
session (and its CSRF token) and once with a bearer token. Examples are bounded so the run fits
the suite; the seed is fixed, so a failure reproduces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core import NOT_SET
from schemathesis.transport.serialization import Binary

from gongjian.api import api
from gongjian.assessment import services as assessment_services
from gongjian.org.services import issue_api_token
from tests.assessment.factories import enter, import_plan
from tests.projects.factories import MilestoneFactory, ProjectFactory
from tests.supervision.factories import make_order

EXAMPLES = 6
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _operation_id(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


@pytest.fixture
def world(org: Any) -> Any:
    """Something behind the small ids the fuzzer tries: projects, milestones, an order, rounds."""
    for unit in (org.hunan, org.songxia, org.hunan, org.songxia):
        project = ProjectFactory(unit=unit, line=org.line)
        MilestoneFactory(project=project)
    make_order(org)
    plan = import_plan()
    draft = assessment_services.create_round(
        actor=None, plan=plan, period="2026-11", title="11月考评"
    )
    enter(draft, org.hunan, "tz", "90")
    enter(draft, org.songxia, "tz", "85")
    assessment_services.compute_round(actor=None, round=draft)
    return org


def _session_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def _token_client(user: Any) -> Client:
    key = issue_api_token(actor=None, user=user, name="fuzz")
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")


def _send(client: Client, case: Any) -> Any:
    path = case.formatted_path
    if case.query:
        path = f"{path}?{urlencode(case.query, doseq=True)}"
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    method = case.method.upper()
    media = case.media_type or "application/json"
    if case.body is None or case.body is NOT_SET or method == "GET":
        return client.generic(method, path, headers=headers)
    if media.startswith("multipart/"):
        body = case.body if isinstance(case.body, dict) else {"file": case.body}
        data = {k: _form_value(k, v) for k, v in body.items() if v is not None}
        return (
            client.post(path, data=data, headers=headers)
            if method == "POST"
            else (client.generic(method, path, headers=headers))
        )
    payload = case.body if isinstance(case.body, str | bytes) else json.dumps(case.body)
    return client.generic(method, path, data=payload, content_type=media, headers=headers)


def _form_value(name: str, value: Any) -> Any:
    if isinstance(value, Binary):
        return _upload(name, value.data)
    if isinstance(value, bytes):
        return _upload(name, value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{name}.xlsx", content)


def _clients(world: Any) -> Iterator[tuple[str, Client]]:
    for who in ("office", "hunan_staff"):
        user = getattr(world, who)
        yield f"{who}/session", _session_client(user)
        yield f"{who}/token", _token_client(user)


@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_id)
def test_no_input_makes_the_api_answer_a_server_error(world: Any, operation: Any) -> None:
    clients = list(_clients(world))
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), which=st.sampled_from(clients))
    def probe(case: Any, which: tuple[str, Client]) -> None:
        name, client = which
        response = _send(client, case)
        if response.status_code >= 500:
            failures.append(
                f"{name}: {case.method} {case.formatted_path} {case.query} "
                f"{str(case.body)[:200]} -> {response.status_code}"
            )

    probe()
    assert failures == []
