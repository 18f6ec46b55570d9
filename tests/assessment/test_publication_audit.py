"""Publishing a round is written to the security audit log, with who published it."""

from __future__ import annotations

from gongjian.assessment import services
from gongjian.core.audit import EventKind, SecurityEvent


def test_publishing_a_round_is_in_the_security_log(org, computed_round) -> None:
    services.publish_round(actor=org.office, round=computed_round)
    event = SecurityEvent.objects.get(kind=EventKind.PUBLISH)
    assert (event.username, event.unit_path) == ("office", org.changle.path)
