"""Where a keyring's document lives: a JSON file shared by processes, or memory."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from coatcheck.errors import KeyManagementError
from coatcheck.keys._files import check_permissions, file_lock, replace_private_file

__all__ = ["FORMAT", "FileStore", "KeyringStore", "MemoryStore", "new_document"]

FORMAT = "coatcheck-keyring/1"
Doc = dict[str, Any]


def new_document(provider: str, key_id: str) -> Doc:
    return {"format": FORMAT, "master": {"provider": provider, "key_id": key_id}, "tenants": {}}


class KeyringStore(Protocol):
    def load(self) -> Doc | None:
        """The current document, or None when there is none yet."""
        ...

    def changed(self) -> bool:
        """Whether someone else changed the document since this store last loaded or saved it."""
        ...

    def transaction(self) -> contextlib.AbstractContextManager[Doc]:
        """Lock, yield the freshest document for editing, save it when the block succeeds."""
        ...

    def create(self, doc: Doc) -> Doc:
        """Save ``doc`` unless a document exists already; return the one that is stored."""
        ...


class MemoryStore:
    """An in-memory document (``Keyring.ephemeral``)."""

    def __init__(self) -> None:
        self._doc: Doc | None = None

    def load(self) -> Doc | None:
        return self._doc

    def changed(self) -> bool:
        return False

    def create(self, doc: Doc) -> Doc:
        if self._doc is None:
            self._doc = doc
        return self._doc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Doc]:
        if self._doc is None:
            raise KeyManagementError("keyring has no document")
        doc: Doc = json.loads(json.dumps(self._doc))  # edits apply only if the block succeeds
        yield doc
        self._doc = doc


class FileStore:
    """A JSON keyring file: read without locking (it is only ever replaced atomically), edited under flock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._signature: tuple[int, ...] | None = None
        self._checked = False
        self._saved: Doc | None = None

    def _stat(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def changed(self) -> bool:
        return self._stat() != self._signature

    def load(self) -> Doc | None:
        signature = self._stat()
        if signature is None:
            self._signature = None
            return None
        if not self._checked:  # once, not at every reload
            check_permissions(self.path, "keyring file")
            self._checked = True
        try:
            doc = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            raise KeyManagementError(f"keyring file {self.path} cannot be read: {type(exc).__name__}") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tenants"), dict):
            raise KeyManagementError(f"keyring file {self.path} is not a {FORMAT} document")
        self._signature = signature
        return doc

    def save(self, doc: Doc) -> None:
        replace_private_file(self.path, json.dumps(doc, indent=1, sort_keys=True).encode() + b"\n")
        self._signature = self._stat()

    def create(self, doc: Doc) -> Doc:
        with file_lock(self.path):
            existing = self.load()
            if existing is not None:
                return existing
            self.save(doc)
            return doc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Doc]:
        with file_lock(self.path):
            doc = self.load()
            if doc is None:
                raise KeyManagementError(f"keyring file {self.path} disappeared")
            yield doc
            self.save(doc)
