"""End to end: the gateway with its console on a real uvicorn server, driven by Debian's headless Chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from coatcheck.audit import AuditLog, SQLiteAuditSink
from coatcheck.console import Console, hash_token
from coatcheck.gateway import GatewayConfig, create_app
from coatcheck.keys import Keyring
from coatcheck.policy import Policy

from .conftest import REVIEW_REF, TOKENS, policy_data

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = ("playground", "dashboard", "review", "audit")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@dataclass
class Server:
    url: str
    console: Console
    shots: Path

    def chat(self, content: str) -> None:
        answer = httpx.post(
            f"{self.url}/v1/chat/completions",
            json={"model": "demo", "messages": [{"role": "user", "content": content}]},
            headers={"authorization": "Bearer client-key"},
            timeout=30,
        )
        assert answer.status_code == 200


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while open,
# which would break every async test that runs after this module.
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("console-e2e")
    shots = Path(os.environ.get("COATCHECK_CONSOLE_SCREENSHOTS") or root / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    keys = Keyring.ephemeral(b"e" * 32)
    audit = AuditLog.for_keyring(SQLiteAuditSink(root / "audit.db"), keys)
    console_file = root / "console.yaml"
    console_file.write_text(
        f"console:\n  state_dir: {root / 'state'}\n  poll_seconds: 1\n  users:\n"
        f"    - {{name: alice, role: admin, token: '{hash_token(TOKENS['alice'])}'}}\n"
    )
    before = os.environ.get("COATCHECK_CONSOLE_CONFIG")
    os.environ["COATCHECK_CONSOLE_CONFIG"] = str(console_file)
    try:
        app = create_app(
            GatewayConfig(policy=Policy.model_validate(policy_data()), keys=keys, audit=audit, demo_delay=0)
        )
    finally:
        if before is None:
            del os.environ["COATCHECK_CONSOLE_CONFIG"]
        else:
            os.environ["COATCHECK_CONSOLE_CONFIG"] = before
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="none",
        http="h11",
        timeout_graceful_shutdown=5,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", app.state.console, shots)
    uv.should_exit = True
    thread.join(10)
    sock.close()
    audit.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    """Depends on the server so that Chromium (and its keep-alive connections) goes first at teardown."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def logged_in(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{server.url}/console/playground")
    assert page.url.startswith(f"{server.url}/console/login")
    page.fill("#token", TOKENS["alice"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/console/playground")
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(logged_in: Any) -> Iterator[Any]:
    tab = logged_in.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    expected = (
        "Failed to load resource: the server responded with a status of 422"  # an invalid draft, on purpose
    )
    tab.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" and expected not in msg.text else None,
    )
    yield tab
    tab.close()
    assert errors == [], "the page logged JavaScript errors"


def open_page(page: Any, server: Server, name: str) -> None:
    page.goto(f"{server.url}/console/{name}")
    page.wait_for_selector("body[data-ready='1']")


def test_playground_highlights_explains_and_switches_destinations(page: Any, server: Server) -> None:
    open_page(page, server, "playground")
    types = page.eval_on_selector_all("#highlighted .ent", "nodes => nodes.map(n => n.dataset.type)")
    assert {"PERSON", "EMAIL_ADDRESS", "CREDIT_CARD", "PHONE_NUMBER", "US_SSN"} <= set(types)
    person = page.locator("#highlighted .ent[data-type=PERSON]").first
    person.hover()
    tip = person.locator(".tip")
    assert tip.is_visible()
    assert "score" in tip.inner_text()
    assert "threshold" in tip.inner_text()
    person.click()
    assert page.locator("#explain tr.selected").count() == 1
    cards = page.locator("#dest-grid .dest")
    assert cards.count() == 6
    assert "[PERSON_1]" in page.locator(".dest[data-dest=llm] pre").inner_text()
    page.click(".chip[data-dest=compliance]")
    page.click(".chip[data-dest=training]")
    assert page.eval_on_selector_all("#dest-grid .dest", "n => n.map(d => d.dataset.dest)") == [
        "llm", "logs", "dashboard", "embeddings",
    ]  # fmt: skip
    page.click(".chip[data-dest=training]")
    assert page.locator(".dest[data-dest=training]").is_visible()
    page.check("#show-dropped")
    assert page.locator("#explain tr.dropped").count() > 0
    page.locator("#turn-links li[data-link='PERSON 1'] .ok-mark").first.wait_for()
    assert page.locator("#turn-links li[data-link='PERSON 1'] .bad-mark").count() == 0


def test_draft_policy_applies_live(page: Any, server: Server) -> None:
    open_page(page, server, "playground")
    assert page.inner_text("#policy-source") == "deployed policy"
    draft = page.input_value("#policy").replace("  llm:\n    default: redact", "  llm:\n    default: mask", 1)
    page.fill("#policy", draft)
    expect(page.locator("#policy-source")).to_have_text("draft policy (not deployed)")
    expect(page.locator(".dest[data-dest=llm] pre")).not_to_contain_text("[PERSON_1]")
    page.fill("#policy", draft.replace("default: mask", "default: smudge", 1))
    expect(page.locator("#policy-status.error")).to_contain_text("unknown method 'smudge'")
    page.click("#policy-reset")
    expect(page.locator("#policy-source")).to_have_text("deployed policy")
    expect(page.locator(".dest[data-dest=llm] pre")).to_contain_text("[PERSON_1]")
    assert server.console.policy.destinations["llm"].default.method == "redact"  # never deployed


def test_review_an_item(page: Any, server: Server) -> None:
    open_page(page, server, "playground")
    page.fill("#input", f"Please pull chart {REVIEW_REF} for me")
    page.wait_for_selector("#decision.review")
    page.click("#queue-review")
    expect(page.locator("#toast")).to_contain_text("Queued 1")
    open_page(page, server, "review")
    item = page.locator(".review-item[data-type=MEDICAL_RECORD_NUMBER]").first
    assert item.locator("mark").inner_text() == "XX-XXXXXX"
    assert REVIEW_REF not in page.content()
    item.locator("[data-verdict=false_positive]").click()
    page.wait_for_selector(".review-item[data-type=MEDICAL_RECORD_NUMBER]", state="detached")
    expect(page.locator("#table-fp tr[data-type=MEDICAL_RECORD_NUMBER] td").nth(1)).to_have_text("1")


def test_dashboard_counts_move(page: Any, server: Server) -> None:
    open_page(page, server, "dashboard")
    before = int(page.inner_text("#kpi-requests .value").replace(",", ""))
    server.chat("Hi, this is Sarah Chen, sarah.chen@example.com")
    server.chat("my ssn is 536-22-8817")
    deadline = time.monotonic() + 8
    while int(page.inner_text("#kpi-requests .value").replace(",", "")) < before + 2:
        assert time.monotonic() < deadline, "the dashboard did not pick up the new requests"
        page.wait_for_timeout(200)
    assert page.locator("#chart-types .bar-row[data-name=EMAIL_ADDRESS]").count() == 1
    assert page.locator("#chart-requests svg rect").count() > 0
    assert page.locator("#table-tenants tr[data-tenant=default]").count() == 1
    assert "Sarah" not in page.content()


def test_audit_page(page: Any, server: Server) -> None:
    server.chat("write to sarah.chen@example.com")
    open_page(page, server, "audit")
    page.wait_for_selector("#chain-status.ok")
    assert page.locator("#audit-table tbody tr[data-seq]").count() > 0
    with page.expect_download() as download:
        page.click("#export-form button")
    assert download.value.suggested_filename.endswith(".jsonl")


def boxes(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "main .panel, main .kpi",
        """nodes => nodes.filter(n => n.offsetParent !== null).map(n => {
            const r = n.getBoundingClientRect();
            return {id: n.id || n.className, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};
        })""",
    )


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x"] < b["x"] + b["w"] - 1
        and b["x"] < a["x"] + a["w"] - 1
        and a["y"] < b["y"] + b["h"] - 1
        and (b["y"] < a["y"] + a["h"] - 1)
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_layout(browser: Any, logged_in: Any, server: Server, viewport: str) -> None:
    """Screenshots of every page; the main panels never overlap and nothing sticks out sideways."""
    width, height = VIEWPORTS[viewport]
    tab = logged_in.new_page()
    tab.set_viewport_size({"width": width, "height": height})
    try:
        for name in PAGES:
            open_page(tab, server, name)
            tab.wait_for_timeout(150)  # let late layout (charts, fonts) settle
            tab.screenshot(path=str(server.shots / f"{name}-{viewport}.png"), full_page=True)
            found = boxes(tab)
            assert len(found) >= 3, name
            for box in found:
                assert box["x"] >= -0.5, (name, viewport, box)
                assert box["x"] + box["w"] <= width + 0.5, (name, viewport, box)
                assert box["w"] > 0, (name, viewport, box)
                assert box["h"] > 0, (name, viewport, box)
            for i, a in enumerate(found):
                for b in found[i + 1 :]:
                    assert not overlap(a, b), (name, viewport, a["id"], b["id"])
            scroll = tab.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (name, viewport, scroll)
    finally:
        tab.close()
