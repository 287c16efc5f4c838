"""The keyring file: permissions, atomic sharing between processes, known answers, master-key checks."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from coatcheck.errors import InvalidToken, KeyManagementError
from coatcheck.keys import Keyring, LocalMasterKey
from coatcheck.keys._crypto import hkdf, lp

FIXTURE = Path(__file__).with_name("_fixture.json")
FIXTURE_MASTER = bytes(range(32))
FIXTURE_SECRET = bytes(range(32, 64))  # the derivation secret wrapped inside _fixture.json


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _fixture_keyring(tmp_path: Path) -> Keyring:
    path = tmp_path / "keyring.json"
    shutil.copy(FIXTURE, path)
    path.chmod(0o600)
    return Keyring.open(path, provider=LocalMasterKey(FIXTURE_MASTER))


def _hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 written out with hmac, independent of the implementation under test."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


def test_hkdf_matches_rfc5869_test_case_1() -> None:
    okm = hkdf(bytes([0x0B] * 22), salt=bytes(range(13)), info=bytes(range(0xF0, 0xFA)), length=42)
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")


def test_derive_known_answer(tmp_path: Path) -> None:
    keyring = _fixture_keyring(tmp_path)
    expected = "4c1245b0246195297f149ed2e42799900bda70e35b35d02da9fd607f26f66254"
    assert keyring.derive("acme", "audit").hex() == expected
    info = lp(b"coatcheck/derive", b"acme", b"audit")
    assert _hkdf_sha256(FIXTURE_SECRET, b"coatcheck/derive/v1", info, 32).hex() == expected


def test_tokens_from_an_older_release_still_decrypt(tmp_path: Path) -> None:
    keyring = _fixture_keyring(tmp_path)
    old_random = "cc1:k0011223344556677:1:AXZH99XfelgFhIcVbUVUlXQ-h5rZX_kpmrGA8PHNtzb4amO_czJZTPo"
    old_det = "cc1:k0011223344556677:1:Arc6u0OCMREt1iVwg2t7hcEzWrH5j444FTTmGtA"
    assert keyring.decrypt(old_random, tenant="acme", field="email") == b"known answer"
    assert keyring.encrypt(b"known answer", tenant="acme", field="email", deterministic=True) == old_det


def test_files_are_created_0600_and_reopen_with_the_same_keys(keyring_path: Path) -> None:
    keyring = Keyring.open(keyring_path)
    token = keyring.encrypt(b"value", tenant="acme", field="f")
    master = keyring_path.with_name("keyring.json.master")
    assert _mode(keyring_path) == 0o600
    assert _mode(master) == 0o600
    assert _mode(keyring_path.parent) == 0o700
    doc = json.loads(keyring_path.read_text())
    assert doc["format"] == "coatcheck-keyring/1"
    assert list(doc["tenants"]) == ["acme"]
    again = Keyring.open(keyring_path, create=False)
    assert again.decrypt(token, tenant="acme", field="f") == b"value"
    assert again.derive("acme", "x") == keyring.derive("acme", "x")
    assert not list(keyring_path.parent.glob("*.tmp"))


def test_wide_permissions_are_warned_about_without_values(keyring_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Keyring.open(keyring_path).encrypt(b"value", tenant="acme", field="f")
    keyring_path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="coatcheck.keys"):
        Keyring.open(keyring_path)
    messages = [r.getMessage() for r in caplog.records]
    assert any("keyring file" in m and "0644" in m and "expected 0600" in m for m in messages)
    secret = keyring_path.with_name("keyring.json.master").read_text().strip()
    assert all(secret not in m for m in messages)


def test_open_without_create_requires_an_existing_file(keyring_path: Path) -> None:
    with pytest.raises(KeyManagementError, match="no keyring at"):
        Keyring.open(keyring_path, create=False)
    assert not keyring_path.exists()


def test_another_master_key_is_refused(keyring_path: Path) -> None:
    Keyring.open(keyring_path).derive("acme", "x")
    with pytest.raises(KeyManagementError, match="was created with master key local/"):
        Keyring.open(keyring_path, provider=LocalMasterKey(b"\x01" * 32))


@pytest.mark.parametrize("content", ["not json", '{"format": "other"}', "[]"])
def test_damaged_keyring_file_is_a_clear_error(keyring_path: Path, content: str) -> None:
    keyring_path.parent.mkdir(parents=True)
    keyring_path.write_text(content)
    keyring_path.chmod(0o600)
    with pytest.raises(KeyManagementError, match="keyring file"):
        Keyring.open(keyring_path, provider=LocalMasterKey(b"\x00" * 32))


def test_swapped_wrapped_keys_do_not_unwrap(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    doc = json.loads(FIXTURE.read_text())
    t = doc["tenants"]["acme"]
    t["versions"]["1"]["wrapped"], t["derivation"]["wrapped"] = (
        t["derivation"]["wrapped"],
        t["versions"]["1"]["wrapped"],
    )
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    keyring = Keyring.open(path, provider=LocalMasterKey(FIXTURE_MASTER))
    with pytest.raises(KeyManagementError, match="could not unwrap"):
        keyring.derive("acme", "audit")


_CHILD = """
import sys
from coatcheck.keys import Keyring
k = Keyring.open(sys.argv[1])
if sys.argv[2] == "derive":
    print(k.derive("acme", "hmac").hex())
elif sys.argv[2] == "rotate":
    for _ in range(int(sys.argv[3])):
        k.rotate("acme")
elif sys.argv[2] == "encrypt":
    print(k.encrypt(b"from child", tenant="acme", field="f"))
"""


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=subprocess.PIPE, text=True)


def test_two_processes_derive_identical_bytes_from_one_file(keyring_path: Path) -> None:
    children = [_child(str(keyring_path), "derive") for _ in range(2)]  # race to create the tenant
    outputs = [c.communicate(timeout=60)[0].strip() for c in children]
    assert [c.returncode for c in children] == [0, 0]
    assert outputs[0] == outputs[1] == Keyring.open(keyring_path).derive("acme", "hmac").hex()


def test_concurrent_rotations_in_several_processes_are_all_kept(keyring_path: Path) -> None:
    keyring = Keyring.open(keyring_path)
    before = keyring.encrypt(b"before", tenant="acme", field="f")
    children = [_child(str(keyring_path), "rotate", "5") for _ in range(3)]
    for c in children:
        c.communicate(timeout=60)
        assert c.returncode == 0
    assert keyring.rotate("acme") == 17
    assert keyring.encrypt(b"x", tenant="acme", field="f").split(":")[2] == "17"
    assert keyring.decrypt(before, tenant="acme", field="f") == b"before"


def test_changes_by_another_process_apply_at_once(keyring_path: Path) -> None:
    here = Keyring.open(keyring_path)
    mine = here.encrypt(b"mine", tenant="acme", field="f")
    child = _child(str(keyring_path), "encrypt")
    theirs = child.communicate(timeout=60)[0].strip()
    assert here.decrypt(theirs, tenant="acme", field="f") == b"from child"
    Keyring.open(keyring_path).destroy("acme")  # another Keyring object stands in for another process
    with pytest.raises(InvalidToken):
        here.decrypt(mine, tenant="acme", field="f")


def test_an_existing_keyring_never_gets_a_new_master_key_file(keyring_path: Path) -> None:
    env_key = LocalMasterKey(b"\x03" * 32)
    Keyring.open(keyring_path, provider=env_key).derive("acme", "x")
    master_file = keyring_path.with_name("keyring.json.master")
    with pytest.raises(KeyManagementError, match="no master key file"):
        Keyring.open(keyring_path)
    assert not master_file.exists()
