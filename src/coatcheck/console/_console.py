"""`Console`: the state behind the pages, and the two calls the gateway feeds it with.

The gateway (or any other process host) calls `Console.record_request` once per request and
`Console.enqueue_reviews` for detections in the policy's review band; everything else is read by the pages.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from coatcheck.console._auth import LoginThrottle, SessionUser, ensure_generated_token
from coatcheck.console._config import ConsoleConfig, ConsoleUser
from coatcheck.console._masking import HASH_PURPOSE, mask_context, value_hash
from coatcheck.console._metrics import MetricsStore
from coatcheck.console._playground import in_review_band
from coatcheck.console._policies import DraftCache, tenant_label
from coatcheck.console._review import NewItem, ReviewStore
from coatcheck.detect.types import Entity
from coatcheck.errors import AuditError

__all__ = ["Console"]

logger = logging.getLogger("coatcheck.console")
logger.addHandler(logging.NullHandler())

REVIEW_DB = "console.sqlite3"


class Console:
    """One console: its policy, audit log, metrics store, review queue and login state.

    Nothing touches the disk until it is needed: the review database is opened by the first queued item or
    review page, the first-run token is written when the login page is first shown.
    """

    def __init__(self, config: ConsoleConfig | None = None) -> None:
        from coatcheck.keys import Keyring
        from coatcheck.policy import Policy

        self.config = config or ConsoleConfig()
        self.policy = self.config.policy if self.config.policy is not None else Policy.default()
        self.audit = self.config.audit
        self.keys = self.config.keys if self.config.keys is not None else Keyring.ephemeral()
        self.playground_keys = Keyring.ephemeral()  # never the deployed keys: see _playground
        self.metrics = MetricsStore()
        self.reviews = ReviewStore(Path(self.config.state_dir) / REVIEW_DB)
        self.drafts = DraftCache()
        self.secret = self.config.secret_key or secrets.token_urlsafe(32)
        self.throttle = LoginThrottle()
        self._generated: tuple[ConsoleUser, Path] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Console(users={len(self.config.users)}, audit={self.audit is not None})"

    # -- who may log in ---------------------------------------------------------------------------------

    def users(self) -> tuple[ConsoleUser, ...]:
        """Configured users, or the generated first-run admin once it exists."""
        if self.config.users:
            return self.config.users
        return (self._generated[0],) if self._generated else ()

    def first_run_token(self) -> Path | None:
        """Where the generated admin token is, for a loopback console without users (None otherwise)."""
        if self.config.users or self.config.allow_remote:
            return None
        with self._lock:
            if self._generated is None:
                self._generated = ensure_generated_token(Path(self.config.state_dir))
                logger.warning(
                    "console: no users configured; an admin token was written to %s", self._generated[1]
                )
        return self._generated[1]

    # -- fed by the gateway -----------------------------------------------------------------------------

    def record_request(
        self,
        tenant: str | None,
        decision: str,
        entity_counts: Mapping[str, int] | None = None,
        latency: float | None = None,
        mode: str = "enforce",
    ) -> None:
        """Count one gateway request for the dashboard: tenant, decision, entities by type, detector seconds."""
        self.metrics.record(tenant_label(tenant), decision, entity_counts, latency, mode)

    def enqueue_review(
        self,
        *,
        tenant: str | None,
        text: str,
        entity: Entity,
        others: Iterable[Entity] = (),
        source: str = "gateway",
        request_id: str | None = None,
    ) -> int | None:
        """Queue one uncertain detection with masked context and a keyed hash of its value.

        Returns the item id, or None when that value is already pending or decided for this tenant.
        """
        label = tenant_label(tenant)
        context = mask_context(text, entity, others)
        digest = value_hash(
            self.keys.derive(label, HASH_PURPOSE), entity.type, text[entity.start : entity.end]
        )
        item = NewItem(
            label, entity.type, entity.score, entity.recognizer, context.before, context.item, context.after,
            digest, source, request_id,
        )  # fmt: skip
        return self.reviews.enqueue(item)

    def enqueue_reviews(
        self,
        policy: Any,
        texts: Sequence[str],
        entities: Sequence[Sequence[Entity]],
        *,
        source: str = "gateway",
        request_id: str | None = None,
    ) -> int:
        """Queue every detection of a request that lies in ``policy``'s review band; returns how many."""
        queued = 0
        for text, found in zip(texts, entities, strict=True):
            for entity in found:
                if in_review_band(policy, entity):
                    got = self.enqueue_review(
                        tenant=policy.tenant, text=text, entity=entity, others=found, source=source,
                        request_id=request_id,
                    )  # fmt: skip
                    queued += got is not None
        return queued

    def review_list(self, tenant: str | None, entity_type: str, value: str) -> str | None:
        """``allow`` (a reviewed false positive), ``deny`` (confirmed) or None for one value of a tenant."""
        label = tenant_label(tenant)
        digest = value_hash(self.keys.derive(label, HASH_PURPOSE), entity_type, value)
        return self.reviews.list_kind(label, entity_type, digest)

    def filter_allowed(self, tenant: str | None, entities: Iterable[Entity]) -> list[Entity]:
        """``entities`` without those a reviewer marked as false positives (for callers that apply the lists)."""
        return [e for e in entities if not e.text or self.review_list(tenant, e.type, e.text) != "allow"]

    # -- audit of console actions -----------------------------------------------------------------------

    def audit_action(
        self, user: SessionUser | None, action: str, tenant: str = "console", **fields: Any
    ) -> None:
        """Record a console action; without an audit log it is only logged (types and ids, never values).

        Raises:
            AuditError: the audit sink failed; the action must fail with it.
        """
        actor = user.actor if user is not None else "console"
        if self.audit is None:
            logger.info("console action %s by %s (no audit log configured)", action, actor)
            return
        try:
            self.audit.record(action=action, tenant=tenant, actor=actor, **fields)
        except AuditError:
            raise
        except Exception as exc:
            raise AuditError(f"console: the audit log refused the event ({type(exc).__name__})") from None

    def close(self) -> None:
        self.reviews.close()
