"""Master-key providers: local, environment, AWS KMS (moto's real HTTP server) and Vault transit."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from coatcheck.errors import InvalidToken, KeyManagementError
from coatcheck.keys import (
    AwsKmsMasterKey,
    EnvMasterKey,
    Keyring,
    LocalMasterKey,
    MasterKeyProvider,
    VaultTransitMasterKey,
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exercise(keyring: Keyring) -> None:
    token = keyring.encrypt(b"payload", tenant="acme", field="f", subject="u1")
    keyring.rotate("acme")
    assert keyring.decrypt(token, tenant="acme", field="f", subject="u1") == b"payload"
    keyring.destroy("acme", subject="u1")
    with pytest.raises(InvalidToken):
        keyring.decrypt(token, tenant="acme", field="f", subject="u1")


def test_local_master_key_wrap_is_bound_to_its_context() -> None:
    mk = LocalMasterKey(b"\x07" * 32)
    assert isinstance(mk, MasterKeyProvider)
    wrapped = mk.wrap(b"k" * 32, context="a")
    assert mk.unwrap(wrapped, context="a") == b"k" * 32
    for bad_context, bad_blob in [("b", wrapped), ("a", wrapped[:-1]), ("a", b"\x02" + wrapped[1:])]:
        with pytest.raises(KeyManagementError):
            mk.unwrap(bad_blob, context=bad_context)
    assert "07" * 4 not in repr(mk)


@pytest.mark.parametrize(
    "encode",
    [bytes.hex, lambda b: base64.b64encode(b).decode(), lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")],
)
def test_env_master_key_reads_hex_or_base64_and_warns(
    encode: Any, caplog: pytest.LogCaptureFixture, keyring_path: Path
) -> None:
    key = bytes(range(100, 132))
    env = {"COATCHECK_MASTER_KEY": encode(key)}
    with caplog.at_level(logging.WARNING, logger="coatcheck.keys"):
        provider = EnvMasterKey(environ=env)
    assert "development only" in caplog.text
    assert env["COATCHECK_MASTER_KEY"] not in caplog.text
    assert provider.key_id == LocalMasterKey(key).key_id
    _exercise(Keyring.open(keyring_path, provider=provider))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "is not set"),
        ({"COATCHECK_MASTER_KEY": "zz" * 32}, "not hex or base64"),
        ({"COATCHECK_MASTER_KEY": base64.b64encode(b"short").decode()}, "must be 32 bytes, got 5"),
    ],
)
def test_env_master_key_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(KeyManagementError, match=message) as info:
        EnvMasterKey(environ=env)
    if env:
        assert env["COATCHECK_MASTER_KEY"] not in str(info.value)


def test_env_master_key_uses_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COATCHECK_MASTER_KEY", "11" * 32)
    assert EnvMasterKey().key_id == LocalMasterKey(b"\x11" * 32).key_id


# -- AWS KMS against moto's HTTP server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def kms_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def kms(kms_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return boto3.client("kms", endpoint_url=kms_endpoint, region_name="us-east-1")


def test_aws_kms_master_key_through_a_keyring(kms: Any, kms_endpoint: str, keyring_path: Path) -> None:
    key_id = kms.create_key(Description="coatcheck test")["KeyMetadata"]["KeyId"]
    provider = AwsKmsMasterKey(key_id, endpoint_url=kms_endpoint, region_name="us-east-1")
    keyring = Keyring.open(keyring_path, provider=provider)
    _exercise(keyring)
    derived = keyring.derive("globex", "hmac")
    reopened = Keyring.open(keyring_path, provider=AwsKmsMasterKey(key_id, client=kms))
    assert reopened.derive("globex", "hmac") == derived
    assert json.loads(keyring_path.read_text())["master"] == {"provider": "aws-kms", "key_id": key_id}


def test_aws_kms_wrap_is_bound_to_the_encryption_context(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    provider = AwsKmsMasterKey(key_id, client=kms)
    wrapped = provider.wrap(b"d" * 32, context="ctx-a")
    assert provider.unwrap(wrapped, context="ctx-a") == b"d" * 32
    with pytest.raises(KeyManagementError, match="AWS KMS decrypt failed: InvalidCiphertextException"):
        provider.unwrap(wrapped, context="ctx-b")


def test_aws_kms_unknown_key_is_a_key_management_error(kms: Any) -> None:
    provider = AwsKmsMasterKey("00000000-0000-0000-0000-000000000000", client=kms)
    with pytest.raises(KeyManagementError, match="AWS KMS encrypt failed: NotFoundException"):
        provider.wrap(b"d" * 32, context="c")


def test_aws_kms_key_id_is_required() -> None:
    with pytest.raises(KeyManagementError, match="key_id"):
        AwsKmsMasterKey("")


# -- Vault transit (no Vault server here: a stand-in that honours the documented HTTP API) ------------------


class _TransitHandler(BaseHTTPRequestHandler):
    """POST /v1/<mount>/encrypt|decrypt/<name> as documented for Vault's transit engine."""

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        parts = self.path.strip("/").split("/")
        if self.headers.get("X-Vault-Token") != "s.test" or len(parts) != 4 or parts[:2] != ["v1", "transit"]:
            self._reply(403, {"errors": ["permission denied"]})
            return
        op, name = parts[2], parts[3]
        if name != "coatcheck":
            self._reply(400, {"errors": ["encryption key not found"]})
        elif op == "encrypt":
            blob = base64.b64encode(json.dumps([body["plaintext"], body.get("associated_data")]).encode())
            self._reply(200, {"data": {"ciphertext": "vault:v1:" + blob.decode(), "key_version": 1}})
        elif op == "decrypt":
            plaintext, ad = json.loads(base64.b64decode(body["ciphertext"].removeprefix("vault:v1:")))
            if ad != body.get("associated_data"):
                self._reply(400, {"errors": ["cipher: message authentication failed"]})
            else:
                self._reply(200, {"data": {"plaintext": plaintext}})
        else:
            self._reply(404, {"errors": []})


@pytest.fixture(scope="module")
def transit_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TransitHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_vault_transit_master_key_through_a_keyring(transit_url: str, keyring_path: Path) -> None:
    provider = VaultTransitMasterKey("coatcheck", url=transit_url, token="s.test")
    assert provider.key_id == "transit/coatcheck"
    wrapped = provider.wrap(b"k" * 32, context="ctx")
    assert wrapped.startswith(b"vault:v1:")
    with pytest.raises(KeyManagementError, match="Vault transit decrypt failed: InvalidRequest"):
        provider.unwrap(wrapped, context="other")
    _exercise(Keyring.open(keyring_path, provider=provider))


@pytest.mark.parametrize(
    ("name", "token", "error"), [("missing", "s.test", "InvalidRequest"), ("coatcheck", "bad", "Forbidden")]
)
def test_vault_transit_errors_are_key_management_errors(transit_url: str, name: str, token: str, error: str) -> None:
    provider = VaultTransitMasterKey(name, url=transit_url, token=token)
    with pytest.raises(KeyManagementError, match=f"Vault transit encrypt failed: {error}"):
        provider.wrap(b"k" * 32, context="c")


def test_vault_transit_unreachable_server_is_a_key_management_error() -> None:
    provider = VaultTransitMasterKey("coatcheck", url=f"http://127.0.0.1:{_free_port()}", token="t")
    with pytest.raises(KeyManagementError, match="Vault transit encrypt failed: ConnectionError"):
        provider.wrap(b"k" * 32, context="c")


@pytest.mark.parametrize("name", ["", "a/b"])
def test_vault_transit_key_name_is_checked(name: str) -> None:
    with pytest.raises(KeyManagementError, match="key_name"):
        VaultTransitMasterKey(name)
