"""Whatever bytes arrive, the CAP parser answers an alert or one CapError line: never another
exception (which would be a traceback on the CLI or a 500 on the API)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.alerts.parse import CapError, parse_alert
from tests.gateway.alerts.test_import import FIXTURES

SOURCES = [p.read_bytes() for p in sorted(FIXTURES.glob("*.xml"))]


def _outcome(data: bytes) -> None:
    try:
        parse_alert(data)
    except CapError as exc:
        assert "\n" not in str(exc) and ": " in str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    _outcome(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SOURCES),
    st.lists(
        st.tuples(st.integers(0, 6000), st.integers(0, 40), st.binary(max_size=12)), max_size=4
    ),
)
def test_mutated_real_alerts(source, edits):
    data = bytearray(source)
    for at, length, insert in edits:
        at %= len(data) + 1
        data[at : at + length] = insert
    _outcome(bytes(data))
