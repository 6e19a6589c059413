"""Sign-in, the overview, the SOP page and the tokens page in a real browser, with the numbers
on each page checked against the JSON API, and the CSRF and role refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from agent_assist.hub.console.pages import fmt_num, fmt_seconds
from tests.browser.conftest import sign_in


def _cells(page: Any, selector: str) -> list[list[str]]:
    cells: list[list[str]] = page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )
    return cells


def test_root_redirects_to_sign_in_and_back(anon_page: Any, hub_url: str, lead_token: str) -> None:
    anon_page.goto(f"{hub_url}/console/sops/card-refund")
    assert "/console/sign-in" in anon_page.url
    anon_page.fill("#token", lead_token)
    anon_page.click("button[type=submit]")
    anon_page.wait_for_url(f"{hub_url}/console/sops/card-refund")
    assert anon_page.locator("h1").inner_text() == "Card refund request"
    cookie = next(c for c in anon_page.context.cookies() if c["name"] == "aa_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0


def test_overview_numbers_equal_the_api(page: Any, api: Callable[..., Any]) -> None:
    page.goto("/console?range=30")
    data = api("/v1/reports/overview", days=30)
    assert data["sessions"] > 0
    assert page.get_by_test_id("sessions").inner_text() == fmt_num(data["sessions"])
    days_with_sessions = sum(1 for d in data["days"] if d["sessions"])
    assert page.locator("#chart-sessions svg rect.bar").count() == days_with_sessions
    assert page.locator("#chart-median svg circle.point").count() == days_with_sessions
    assert len(_cells(page, "#chart-sessions table")) == 30
    top = {r[0]: r[1] for r in _cells(page, "#chart-top table")}
    assert top == {s["sop_id"]: fmt_seconds(s["total_seconds"]) for s in data["top_sops"]}
    assert page.locator("#chart-top svg rect.bar").count() == len(data["top_sops"])
    per_day = {r[0]: r[1] for r in _cells(page, "#chart-median table")}
    for day in data["days"]:
        want = fmt_seconds(day["median_seconds"]) if day["median_seconds"] is not None else "–"
        assert per_day[day["day"][5:]] == want
    acks = _cells(page, "#acks table")
    assert [r[0] for r in acks] == [s["sop_id"] for s in data["acks"]["sops"]] == ["card-refund"]
    assert acks[0][2] == "2 of 4"


def test_overview_range_and_links(page: Any, api: Callable[..., Any], hub_url: str) -> None:
    page.goto("/console?range=7")
    data = api("/v1/reports/overview", days=7)
    assert page.get_by_test_id("sessions").inner_text() == fmt_num(data["sessions"])
    assert len(_cells(page, "#chart-sessions table")) == 7
    last = data["last"]
    page.check("input[value=custom]")
    page.fill("input[name=first]", last)
    page.fill("input[name=last]", last)
    page.click("form[aria-label='Period and filter'] button[type=submit]")
    assert len(_cells(page, "#chart-sessions table")) == 1
    page.goto("/console?range=30")
    page.locator("#chart-top table a", has_text="card-refund").click()
    page.wait_for_url(re.compile(r".*/console/sops/card-refund$"))


def test_sop_page_matches_the_reports(page: Any, api: Callable[..., Any]) -> None:
    page.goto("/console/sops/card-refund?days=all")
    report = api("/v1/reports/sops")
    rows = {r["version"]: r for r in report["sops"] if r["sop_id"] == "card-refund"}
    versions = {r[0].split()[0]: r for r in _cells(page, "#versions")}
    for version, row in rows.items():
        cells = versions[f"v{version}"]
        assert cells[3] == fmt_num(row["sessions"])
        assert cells[4] == fmt_seconds(row["median_seconds"])
    assert "Verify identity first" in versions["v2"][2]
    # steps of the current version (v2), in checklist order, with their text
    steps = page.locator("#steps li").all_inner_texts()
    assert steps == [
        "Verify the customer's identity",
        "Find the payment in the billing tool (search by the last four digits)",
        "Is the payment within 30 days?",
        "Send the refund outcome macro",
    ]
    assert page.locator("#chart-steps svg rect.bar").count() == 2 * len(rows[2]["steps"])
    assert page.locator("#chart-outcomes svg rect.bar").count() == len(rows[2]["outcomes"])
    compare = api("/v1/reports/compare", sop_id="card-refund", a=1, b=2)
    verdict = page.get_by_test_id("comparison").inner_text()
    assert verdict.lower().startswith(compare["summary"].lower())
    assert compare["enough_data"] and "cut median handle time" in verdict
    assert page.locator("#chart-compare svg circle.point").count() == 1
    missing = page.locator("#not-acknowledged li").all_inner_texts()
    assert missing == ["agent-dan", "agent-eve"]
    assert "local 9" in page.locator("#unpublished").inner_text()


def test_sop_page_older_version_and_unknown_sop(page: Any) -> None:
    page.goto("/console/sops/card-refund?v=1&days=all")
    assert page.locator("#steps li").all_inner_texts()[0] == "Find the payment in the billing tool"
    assert page.locator("#compare").count() == 0  # nothing earlier than v1 to compare with
    page.expected_errors.add("404")
    response = page.goto("/console/sops/no-such-sop")
    assert response.status == 404
    assert "Unknown SOP" in page.locator("h1").inner_text()


def test_sop_list_links_every_sop(page: Any) -> None:
    page.goto("/console/sops?days=all")
    names = page.locator("#sop-list tbody th a").all_inner_texts()
    assert names == ["Card refund request", "Password reset"]
    assert "never published to this hub" in page.locator("main").inner_text()


def test_tokens_create_shown_once_and_revoke(admin_page: Any, hub_url: str) -> None:
    admin_page.goto("/console/tokens")
    admin_page.fill("input[name=name]", "agent-new")
    admin_page.select_option("select[name=role]", "agent")
    admin_page.click("form[action='/console/tokens'] button[type=submit]")
    token = admin_page.locator("#new-token").inner_text()
    who = httpx.get(f"{hub_url}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert who.json() == {"name": "agent-new", "role": "agent"}
    admin_page.goto("/console/tokens")
    assert admin_page.locator("#new-token").count() == 0  # shown once, never again
    admin_page.click("tr[data-token='agent-new'] button")
    assert "Revoked 'agent-new'" in admin_page.locator(".notice").inner_text()
    who = httpx.get(f"{hub_url}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert who.status_code == 401


def test_csrf_refusal(page: Any, hub_url: str) -> None:
    page.goto("/console")
    page.expected_errors.add("403")
    for csrf in ("", "wrong-token"):
        page.evaluate(
            """csrf => { document.querySelector("form[action='/console/sign-out'] "
                   + "input[name=csrf]").value = csrf; }""",
            csrf,
        )
        with page.expect_navigation():
            page.click("form[action='/console/sign-out'] button")
        assert "This form has expired" in page.locator("h1").inner_text()
        page.goto("/console")
        assert page.locator("h1").inner_text() == "Overview"  # still signed in
    # without the form's field at all, straight from the page's own cookies
    response = page.request.post(f"{hub_url}/console/sign-out", form={"x": "1"})
    assert response.status == 403


def test_sign_out_ends_the_session(page: Any, hub_url: str) -> None:
    page.goto("/console")
    cookie = next(c for c in page.context.cookies() if c["name"] == "aa_console")
    page.click("form[action='/console/sign-out'] button")
    page.wait_for_url(re.compile(r".*/console/sign-in.*"))
    assert "Signed out" in page.locator(".notice").inner_text()
    replay = httpx.get(
        f"{hub_url}/console", cookies={"aa_console": cookie["value"]}, follow_redirects=False
    )
    assert replay.status_code == 303 and "/console/sign-in" in replay.headers["location"]


def test_role_refusals(anon_page: Any, page: Any, hub_url: str, agent_token: str) -> None:
    anon_page.expected_errors.add("403")
    anon_page.goto("/console/sign-in")
    anon_page.fill("#token", agent_token)
    anon_page.click("button[type=submit]")
    assert anon_page.locator("h1").inner_text() == "Agents use the desktop app"
    assert not any(c["name"] == "aa_console" for c in anon_page.context.cookies())
    page.expected_errors.add("403")
    response = page.goto("/console/tokens")
    assert response.status == 403 and "for admins" in page.locator("h1").inner_text()


def test_wrong_token_and_keyboard_path(anon_page: Any, hub_url: str, lead_token: str) -> None:
    anon_page.expected_errors.add("401")
    anon_page.goto("/console/sign-in")
    anon_page.fill("#token", "not-a-token")
    anon_page.click("button[type=submit]")
    assert "unknown, revoked or expired" in anon_page.locator("#signin-error").inner_text()
    sign_in(anon_page, hub_url, lead_token)
    anon_page.keyboard.press("Tab")
    assert anon_page.evaluate("document.activeElement.textContent") == "Skip to content"
    outline = anon_page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    anon_page.keyboard.press("Enter")
    assert anon_page.evaluate("document.activeElement.id") == "main"


def test_dark_theme_and_200_percent_zoom(page: Any) -> None:
    page.goto("/console")
    page.click("form.theme button[value=dark]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 23)"
    page.set_viewport_size({"width": 640, "height": 900})  # 1280 px at 200 % zoom
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 640, f"the page scrolls sideways at 200 % zoom ({width} px)"
    page.click("form.theme button[value=auto]")
