"""Erasing a referral from the console in a real Chromium: an admin opens a visitor's referral,
downloads nothing, follows "Erase this referral…", the confirmation page passes axe-core, the box
must be ticked (the browser's own check), and the inbox then says it was erased."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from server import LiveServer
from test_console import (  # noqa: F401  (fixtures)
    accounts,
    assert_accessible,
    page,
    sign_in,
    visitor_referral,
)

from intake_chat.core import passwords

pytestmark = pytest.mark.browser


def test_an_admin_erases_a_visitor_referral_from_its_page(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    accounts: dict[str, Any],  # noqa: F811
) -> None:
    referral_id = visitor_referral(live_server)
    sign_in(page, live_server, "adam@example.org")
    page.get_by_label("6-digit code").fill(
        passwords.totp_code(accounts["totp_secret"], time.time())
    )
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/staff/referrals/{referral_id}")
    expect(page.get_by_role("link", name="Download for the EHR (FHIR R4 JSON)")).to_be_visible()
    page.get_by_role("link", name="Erase this referral…").click()
    expect(page.get_by_role("heading", name=f"Erase referral {referral_id}")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Erase for good").click()  # unticked: the browser stops it
    expect(page.get_by_role("heading", name=f"Erase referral {referral_id}")).to_be_visible()
    page.get_by_label("I understand this erases it for good").check()
    page.get_by_role("button", name="Erase for good").press("Enter")

    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    expect(page.locator("p.notice")).to_contain_text(f"Erased {referral_id}")
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/staff/referrals/{referral_id}").status == 404  # type: ignore[union-attr]
