"""The gaps inbox in a real browser: grouping as the API groups, the "covered by" flow up to
the phrasings going out with the SOP's next publish, and CSRF refusal."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.content_hub import api, content_hub, lead  # noqa: F401
from tests.integration.hubserver import RunningHub


def _groups(page: Any) -> list[list[str]]:
    groups: list[list[str]] = page.eval_on_selector_all(
        "section.gap-group",
        "gs => gs.map(g => Array.from(g.querySelectorAll('.gap-query')).map(q => q.textContent))",
    )
    return groups


def test_inbox_groups_like_the_api_and_covered_by_queues_phrasings(
    lead: Any,  # noqa: F811
    content_hub: RunningHub,  # noqa: F811
) -> None:
    lead.goto("/console/gaps")
    data = api(content_hub, "GET", "/v1/gaps")
    shown = [set(g) for g in _groups(lead)]
    assert shown == [{q["text"] for q in g["queries"]} for g in data["groups"]]
    assert {"where is my parcel", "where is my parcel?"} in shown
    assert {"app crashes when uploading a video", "video upload crashes the app"} in shown
    assert lead.locator("#open-groups").inner_text() == str(data["open_groups"])
    parcel = lead.locator("section.gap-group").first
    assert parcel.locator(".gap-count").inner_text() == "3"
    assert parcel.locator(".nearest").count() >= 1

    parcel.locator("input[value=covered]").check()
    parcel.locator("select[name=sop_id]").select_option("password-reset")
    parcel.locator("button[type=submit]").click()
    lead.wait_for_url("**/console/gaps?notice=*")
    assert "pending its next publish" in lead.locator("body").inner_text()
    rows = lead.locator("#pending-phrasings tbody tr")
    assert rows.count() == 2 and "password-reset" in rows.first.inner_text()
    assert all("parcel" not in " ".join(g) for g in _groups(lead))

    # The SOP's next publish (here from the editor) carries the phrasings.
    lead.goto("/console/editor/sop/password-reset")
    assert "where is my parcel" in lead.locator("#pending-note").inner_text()
    lead.fill("#note", "clearer reset steps")
    lead.click("#publish")
    lead.wait_for_url("**/console/items/sop/password-reset?notice=*")
    text = api(content_hub, "GET", "/v1/editor/items/sop/password-reset")["text"]
    assert '"where is my parcel"' in text and '"where is my parcel?"' in text
    applied = api(content_hub, "GET", "/v1/phrasings/pending", params={"sop_id": "password-reset"})
    assert {p["applied_version"] for p in applied["phrasings"]} == {2}


def test_decisions_need_the_csrf_token(lead: Any, content_hub: RunningHub) -> None:  # noqa: F811
    lead.goto("/console/gaps")
    response = lead.request.post(
        f"{content_hub.url}/console/gaps/decide",
        form={"queries": "video upload crashes the app", "decision": "dismiss"},
    )
    assert response.status == 403 and "security token" in response.text()
    response = httpx.post(
        f"{content_hub.url}/v1/gaps/decisions",
        json={"queries": ["x"], "decision": "dismiss"},
        headers=content_hub.auth("agent"),
    )
    assert response.status_code == 403
