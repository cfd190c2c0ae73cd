"""Property-based requests generated from /openapi.json: no 5xx, responses match the spec."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.bundle import MEDIA_TYPES as BUNDLE_MEDIA_TYPES
from app.config import Settings
from app.main import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

for media_type in BUNDLE_MEDIA_TYPES:  # a bundle is lines of JSON; any bytes at all must get a 4xx, never a 5xx
    schemathesis.openapi.media_type(media_type, st.binary())


def load_schema(database_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(database_url=database_url)))


OPERATIONS = [result.ok().label for result in load_schema("sqlite://").get_all_operations()]


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_to_its_spec(bundled_url, label):
    operation = load_schema(bundled_url).find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=CHECKS)

    conforms()
