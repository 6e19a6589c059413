"""The editor in a real browser: live validation of broken front matter, a publish that an
agent's client then syncs, the approval flow, history and diff, reviews and usage pages,
and CSRF refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.settings import Settings
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.sync.service import sync_once
from tests.browser.content_hub import api, content_hub, lead, other_lead  # noqa: F401
from tests.integration.hubserver import RunningHub


def agent_sync(hub: RunningHub, data_dir: Path) -> Any:
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    settings.set("hub_url", hub.url)
    return sync_once(
        data_dir, settings, credentials=Credentials(None, {TOKEN_ENV: hub.tokens["agent"]})
    )


def test_broken_front_matter_is_named_as_you_type(lead: Any) -> None:  # noqa: F811
    lead.goto("/console/editor/sop/card-refund")
    assert lead.locator("#problems .ok").count() == 1
    assert "Card refund request" in lead.locator("#preview h1").inner_text()
    source = lead.locator("#source")
    source.fill(source.input_value().replace("title: Card refund request", "title: [Card refund"))
    problem = lead.locator("#problems li.error").first
    problem.wait_for()
    assert "invalid YAML" in problem.inner_text() and "line" in problem.inner_text()
    source.fill(source.input_value().replace("title: [Card refund", "title: Card refunds"))
    lead.locator("#problems .ok").wait_for()
    assert "Card refunds" in lead.locator("#preview h1").inner_text()


def test_publish_then_an_agent_syncs_it(
    lead: Any,  # noqa: F811
    content_hub: RunningHub,  # noqa: F811
    tmp_path: Path,
) -> None:
    agent_sync(content_hub, tmp_path)
    before = api(content_hub, "GET", "/v1/editor/items/sop/card-refund")["version"]
    lead.goto("/console/editor/sop/card-refund")
    source = lead.locator("#source")
    source.fill(source.input_value() + "\nCall the bank if the refund is late.\n")
    lead.fill("#note", "late refunds")
    lead.click("#publish")
    lead.wait_for_url("**/console/items/sop/card-refund?notice=*")
    assert f"Published version {before + 1}" in lead.locator("body").inner_text()
    assert "late refunds" in lead.locator("#versions").inner_text()
    report = agent_sync(content_hub, tmp_path)
    assert "sop:card-refund" in report.changed
    with Store.in_dir(tmp_path) as store:
        assert store.get("card-refund").version == before + 1
        assert "Call the bank" in store.source(Kind.SOP, "card-refund")[1]
    lead.goto(f"/console/items/sop/card-refund?a={before}&b={before + 1}")
    added = lead.locator("#diff-body .diff-add").all_inner_texts()
    assert "+Call the bank if the refund is late." in added


def test_second_lead_approves(
    lead: Any,  # noqa: F811
    other_lead: Any,  # noqa: F811
    content_hub: RunningHub,  # noqa: F811
) -> None:
    lead.goto("/console/approvals")
    lead.click("#toggle-approval")
    lead.wait_for_url("**/console/approvals?notice=*")
    assert "needs a second lead" in lead.locator("#approval-state").inner_text()
    try:
        version = api(content_hub, "GET", "/v1/editor/items/sop/password-reset")["version"]
        lead.goto("/console/editor/sop/password-reset")
        source = lead.locator("#source")
        source.fill(source.input_value().replace("Send the reset link", "Send the reset link now"))
        lead.fill("#note", "urgency")
        lead.click("#publish")
        lead.wait_for_url("**/console/approvals?notice=*")
        assert "Your own draft" in lead.locator(".draft").last.inner_text()
        assert api(content_hub, "GET", "/v1/editor/items/sop/password-reset")["version"] == version
        other_lead.goto("/console/approvals")
        other_lead.locator(".draft form button", has_text="Approve").first.click()
        other_lead.wait_for_url("**/console/approvals?notice=*")
        after = api(content_hub, "GET", "/v1/editor/items/sop/password-reset")
        assert after["version"] == version + 1 and "reset link now" in after["text"]
        history = api(content_hub, "GET", "/v1/items/sop/password-reset/history")["versions"]
        assert history[-1]["author"] == "lead-anna"
        assert history[-1]["note"] == "urgency (approved by lead-carl)"
    finally:
        api(content_hub, "PUT", "/v1/settings/publish_approval", json={"value": False})


def test_reviews_usage_and_content_pages_render(lead: Any, content_hub: RunningHub) -> None:  # noqa: F811
    for path, marker in (
        ("/console/reviews", "#all-reviews"),
        ("/console/usage", "#macro-use"),
        ("/console/items", "#item-list"),
        ("/console/approvals", "#approval-state"),
    ):
        lead.goto(path)
        assert lead.locator(marker).count() == 1, path
    lead.goto("/console/usage?days=30")
    opened = {r["id"] for r in api(content_hub, "GET", "/v1/usage")["never"]}
    shown = lead.eval_on_selector_all("#never-used tbody th", "ths => ths.map(t => t.textContent)")
    assert len(shown) == len(opened) or (not opened and len(shown) == 0)


def test_publish_needs_the_csrf_token(lead: Any, content_hub: RunningHub) -> None:  # noqa: F811
    lead.goto("/console/editor/sop/card-refund")
    response = lead.request.post(
        f"{content_hub.url}/console/editor/publish",
        form={"kind": "sop", "id": "card-refund", "text": "---\nid: x\n---\n", "csrf": "wrong"},
    )
    assert response.status == 403
    preview = lead.request.post(
        f"{content_hub.url}/console/editor/preview",
        data='{"kind": "sop", "id": "card-refund", "text": ""}',
        headers={"Content-Type": "application/json"},
    )
    assert preview.status == 403
