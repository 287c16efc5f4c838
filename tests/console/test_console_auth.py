from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from coatcheck.console import ConsoleConfig, ConsoleUser, create_console_app, hash_token, load_console_config
from coatcheck.errors import InputError

from .conftest import LOCAL, TOKENS, log_in, login_csrf


def client_for(
    config: ConsoleConfig, client: tuple[str, int] = LOCAL, base: str = "http://127.0.0.1"
) -> TestClient:
    return TestClient(create_console_app(config), base_url=base, client=client)


@pytest.mark.parametrize("path", ["/playground", "/dashboard", "/review", "/audit"])
def test_pages_redirect_to_login(config: ConsoleConfig, path: str) -> None:
    with client_for(config) as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/login?next={path}")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/dashboard"), ("GET", "/api/review"), ("GET", "/api/audit"), ("POST", "/api/playground")],
)
def test_api_needs_a_session(config: ConsoleConfig, method: str, path: str) -> None:
    with client_for(config) as client:
        response = client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert response.json()["error"]["kind"] == "auth"


def test_wrong_token_is_refused_and_audited(config: ConsoleConfig) -> None:
    with client_for(config) as client:
        csrf = login_csrf(client)
        response = client.post("/login", data={"token": "nope-not-a-token", "csrf_token": csrf})
        assert response.status_code == 401
        assert "not valid" in response.text
        assert client.get("/api/me").status_code == 401
    events = config.audit.query(action="access_denied")
    assert [(e.actor, e.reason) for e in events] == [("console", "access_denied")]
    assert "nope-not-a-token" not in str([e.as_dict() for e in events])


def test_failed_logins_are_throttled(config: ConsoleConfig) -> None:
    with client_for(config) as client:
        csrf = login_csrf(client)
        codes = [
            client.post("/login", data={"token": f"bad-{i}", "csrf_token": csrf}).status_code
            for i in range(11)
        ]
        ok = client.post(
            "/login", data={"token": TOKENS["alice"], "csrf_token": csrf}, follow_redirects=False
        )
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    assert ok.status_code == 429  # even the right token waits out the window


def test_login_form_needs_its_csrf_token(config: ConsoleConfig) -> None:
    with client_for(config) as client:
        login_csrf(client)
        response = client.post("/login", data={"token": TOKENS["alice"], "csrf_token": "forged"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "path", "status"),
    [
        ("vic", "/api/review", 403),
        ("vic", "/api/dashboard", 200),
        ("vic", "/api/audit", 200),
        ("rita", "/api/review", 200),
        ("alice", "/api/review", 200),
    ],
)
def test_roles(make_session, name: str, path: str, status: int) -> None:
    session = make_session(name)
    assert session.get(path).status_code == status


def test_viewer_sees_no_review_link_and_cannot_open_it(make_session) -> None:
    session = make_session("vic")
    page = session.get("/playground").text
    assert "Review queue" not in page
    assert session.get("/review").status_code == 403
    assert "Review queue" in make_session("rita").get("/playground").text


def test_export_is_admin_only(make_session) -> None:
    reviewer = make_session("rita")
    response = reviewer.client.post("/audit/export", data={"csrf_token": reviewer.csrf})
    assert response.status_code == 403


def test_posts_need_the_session_csrf_token(make_session) -> None:
    session = make_session("alice")
    plain = session.client.post("/api/playground", json={"input": "hello"})
    forged = session.client.post(
        "/api/playground", json={"input": "hello"}, headers={"x-csrf-token": "x" * 43}
    )
    cross = session.client.post(
        "/api/playground",
        json={"input": "hello"},
        headers={"x-csrf-token": session.csrf, "origin": "https://evil.example"},
    )
    good = session.post("/api/playground", {"input": "hello"})
    assert [plain.status_code, forged.status_code, cross.status_code, good.status_code] == [
        403,
        403,
        403,
        200,
    ]
    assert cross.json()["error"]["message"] == "cross-origin request refused"


def test_cookie_is_strict_httponly_and_scoped(config: ConsoleConfig) -> None:
    with client_for(replace(config, cookie_path="/console", secure_cookies=True)) as client:
        response = client.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie
    assert "httponly" in cookie
    assert "path=/console" in cookie
    assert "secure" in cookie


def test_security_headers(make_session) -> None:
    response = make_session("vic").get("/playground")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # no inline script: the CSP would block it


@pytest.mark.parametrize(
    ("client", "base", "headers", "status"),
    [
        (("127.0.0.1", 5000), "http://127.0.0.1", {}, 200),
        (("::1", 5000), "http://127.0.0.1", {}, 200),
        (("10.1.2.3", 5000), "http://127.0.0.1", {}, 404),
        (("127.0.0.1", 5000), "http://10.0.0.7", {}, 404),  # the socket is not a loopback one
        (("127.0.0.1", 5000), "http://127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, 404),
    ],
)
def test_loopback_only_by_default(config: ConsoleConfig, client, base, headers, status) -> None:
    with client_for(config, client, base) as c:
        assert c.get("/login", headers=headers).status_code == status


def test_remote_access_when_configured(config: ConsoleConfig) -> None:
    with client_for(replace(config, allow_remote=True), ("10.1.2.3", 5000), "http://10.0.0.7") as c:
        assert c.get("/login").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "/\\evil.example/x",
        "/\tevil",
        "javascript:alert(1)",
        "http://127.0.0.1/x",
    ],
)
def test_next_never_leaves_the_console(config: ConsoleConfig, target: str) -> None:
    with client_for(config) as client:
        csrf = login_csrf(client)
        response = client.post(
            "/login",
            data={"token": TOKENS["vic"], "csrf_token": csrf, "next": target},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert response.headers["location"] == "http://127.0.0.1/playground"


def test_next_inside_the_console_is_kept(config: ConsoleConfig) -> None:
    with client_for(config) as client:
        csrf = login_csrf(client)
        response = client.post(
            "/login",
            data={"token": TOKENS["vic"], "csrf_token": csrf, "next": "/audit"},
            follow_redirects=False,
        )
    assert response.headers["location"] == "/audit"


def test_next_outside_the_mount_is_ignored(config: ConsoleConfig) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(
        routes=[Mount("/console", app=create_console_app(replace(config, cookie_path="/console")))]
    )
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as client:
        page = client.get("/console/login")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        outside = client.post(
            "/console/login",
            data={"token": TOKENS["vic"], "csrf_token": csrf, "next": "/v1/models"},
            follow_redirects=False,
        )
        assert outside.headers["location"] == "http://127.0.0.1/console/playground"
        assert client.get("/console/api/me").json()["name"] == "vic"


def test_logout_ends_the_session(make_session) -> None:
    session = make_session("alice")
    assert session.get("/api/me").json() == {"name": "alice", "role": "admin"}
    session.client.post("/logout", data={"csrf_token": session.csrf}, follow_redirects=False)
    assert session.get("/api/me").status_code == 401


def test_expired_session_logs_out(config: ConsoleConfig) -> None:
    with client_for(replace(config, session_seconds=1)) as client:
        log_in(client, "vic")
        assert client.get("/api/me").status_code == 200
        client.cookies.clear()
        assert client.get("/api/me").status_code == 401


def test_first_run_token(tmp_path: Path) -> None:
    config = ConsoleConfig(state_dir=tmp_path / "state", cookie_path="/")
    assert not (tmp_path / "state").exists()  # nothing is written before the login page is shown
    with client_for(config) as client:
        page = client.get("/login")
        token_file = tmp_path / "state" / "console-token"
        assert str(token_file) in page.text
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        token = token_file.read_text().strip()
        csrf = login_csrf(client)
        client.post("/login", data={"token": token, "csrf_token": csrf})
        assert client.get("/api/me").json() == {"name": "admin", "role": "admin"}
    # a restart reuses the same token
    with client_for(config) as client:
        client.get("/login")
    assert token_file.read_text().strip() == token


def test_remote_console_without_users_has_no_login(tmp_path: Path) -> None:
    config = ConsoleConfig(state_dir=tmp_path / "state", allow_remote=True, cookie_path="/")
    with client_for(config) as client:
        page = client.get("/login")
    assert "No console users are configured" in page.text
    assert not (tmp_path / "state").exists()


def test_console_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_SECRET_FOR_TEST", "s" * 40)
    path = tmp_path / "console.yaml"
    path.write_text(
        "console:\n  allow_remote: true\n  secret_key_env: CONSOLE_SECRET_FOR_TEST\n  state_dir: st\n"
        f"  users:\n    - {{name: alice, role: admin, token: '{hash_token('t' * 30)}'}}\n"
    )
    loaded = load_console_config(path)
    assert loaded.allow_remote
    assert loaded.secret_key == "s" * 40
    assert loaded.users == (ConsoleUser("alice", "admin", hash_token("t" * 30)),)
    assert "t" * 30 not in repr(loaded)
    assert "s" * 40 not in repr(loaded)
    monkeypatch.setenv("COATCHECK_CONSOLE_CONFIG", str(path))
    assert ConsoleConfig.from_env(poll_seconds=1.0).users == loaded.users


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("console:\n  users: [{name: a, role: boss, token: x}]\n", "role must be one of"),
        ("console:\n  users: [{name: a, role: admin, token: plain}]\n", "sha256:<64 hex>"),
        ("console:\n  colour: blue\n", "unknown field(s) colour"),
        ("console:\n  secret_key_env: SURELY_NOT_SET_ANYWHERE\n", "is not set"),
        ("nothing: here\n", "'console' section"),
    ],
)
def test_console_file_errors(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "console.yaml"
    path.write_text(body)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_console_config(path)


def test_public_api() -> None:
    import coatcheck.console as console

    assert set(console.__all__) == {
        "ROLES", "Console", "ConsoleConfig", "ConsoleFeed", "ConsoleUser", "MaskedContext", "MetricsStore",
        "ReviewItem", "ReviewStore", "Role", "attach_console", "create_console_app", "hash_token",
        "load_console_config", "mask_context",
    }  # fmt: skip
    assert all(hasattr(console, name) for name in console.__all__)
