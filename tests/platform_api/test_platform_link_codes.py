"""The platform client's link codes against the real sandbox on a real port: issue, redeem once,
and the three refusals as the contract's codes in the exception tree."""
from __future__ import annotations

import re

import pytest

from platform_api import (
    LINK_CODE_NOT_FOUND,
    LINK_CODE_USED,
    LinkCode,
    PlatformClient,
    PlatformNotFound,
    PlatformRejected,
    PlatformUnavailable,
)
from tests.helpers.action_server import free_port


def test_a_code_issued_for_a_client_redeems_to_that_client_once(sandbox, sandbox_url, api_key):
    api = PlatformClient(sandbox_url, api_key)
    issued = api.issue_link_code("c-chloe")
    assert isinstance(issued, LinkCode)
    assert issued.client_id == "c-chloe" and re.fullmatch(r"[0-9]{6}", issued.code)
    assert issued.expires_at.endswith("Z")
    assert issued.code not in repr(issued)  # a code never ends up in a log line by repr
    assert api.redeem_link_code(issued.code) == "c-chloe"
    with pytest.raises(PlatformRejected) as used:
        api.redeem_link_code(issued.code)
    assert (used.value.status, used.value.code) == (409, LINK_CODE_USED)


def test_a_wrong_code_is_not_found(sandbox, sandbox_url, api_key):
    api = PlatformClient(sandbox_url, api_key)
    code = api.issue_link_code("c-anna").code
    with pytest.raises(PlatformNotFound) as wrong:
        api.redeem_link_code(f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.value.code == LINK_CODE_NOT_FOUND


def test_a_malformed_code_is_rejected_as_invalid(sandbox, sandbox_url, api_key):
    with pytest.raises(PlatformRejected) as malformed:
        PlatformClient(sandbox_url, api_key).redeem_link_code("12345")
    assert (malformed.value.status, malformed.value.code) == (422, "invalid_request")


def test_an_unknown_client_gets_no_code(sandbox, sandbox_url, api_key):
    with pytest.raises(PlatformNotFound) as unknown:
        PlatformClient(sandbox_url, api_key).issue_link_code("c-nobody")
    assert unknown.value.code == "client_not_found"


def test_a_platform_that_is_down_is_unavailable():
    api = PlatformClient(f"http://127.0.0.1:{free_port()}", "key", connect_timeout=0.5,
                         read_retries=0)
    with pytest.raises(PlatformUnavailable):
        api.redeem_link_code("123456")
