"""A LiteLLM ``CustomGuardrail``: requests redacted before the provider, answers restored after, streams too.

Register it in the LiteLLM proxy config::

    guardrails:
      - guardrail_name: coatcheck
        litellm_params:
          guardrail: coatcheck.integrations.litellm.CoatcheckGuardrail
          mode: [pre_call, post_call]

The session of a call (its placeholders) is kept between the pre-call and post-call hooks under the call's
``litellm_call_id``, in a bounded table, and dropped when the answer has been restored.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator
from typing import Any

from litellm.integrations.custom_guardrail import CustomGuardrail

from coatcheck.integrations._messages import redact_messages
from coatcheck.integrations.guard import Guard, GuardSession
from coatcheck.integrations.openai import _ChunkRestorer, _restore_completion

__all__ = ["CoatcheckGuardrail"]

_KEY = "coatcheck_call"
_MAX_OPEN = 10_000


class CoatcheckGuardrail(CustomGuardrail):
    """Redact ``messages`` in ``async_pre_call_hook``; restore in the post-call (and streaming) hooks.

    Args:
        guard: the policy, detector and keys (default: `Guard()`).
        tenant: the policy tenant (or per request: ``metadata.coatcheck_tenant``).
    """

    def __init__(self, guard: Guard | None = None, *, tenant: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("guardrail_name", "coatcheck")
        super().__init__(**kwargs)
        self.guard = guard or Guard()
        self.tenant = tenant
        self._sessions: OrderedDict[str, GuardSession] = OrderedDict()
        self._lock = threading.Lock()

    def _open(self, data: dict[str, Any]) -> GuardSession:
        metadata = data.setdefault("metadata", {}) or {}
        session = self.guard.session(metadata.get("coatcheck_tenant", self.tenant))
        key = str(data.get("litellm_call_id") or uuid.uuid4())
        metadata[_KEY] = key
        data["metadata"] = metadata
        with self._lock:
            self._sessions[key] = session
            while len(self._sessions) > _MAX_OPEN:
                self._sessions.popitem(last=False)
        return session

    def _take(self, data: dict[str, Any] | None) -> GuardSession | None:
        key = ((data or {}).get("metadata") or {}).get(_KEY)
        with self._lock:
            return self._sessions.pop(str(key), None) if key is not None else None

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict[str, Any], call_type: Any
    ) -> dict[str, Any]:
        session = self._open(data)
        if isinstance(data.get("messages"), list):
            data["messages"] = redact_messages(session, data["messages"])
        if isinstance(data.get("input"), str):
            data["input"] = session.redact(data["input"])
        return data

    async def async_post_call_success_hook(self, data: dict[str, Any], user_api_key_dict: Any, response: Any) -> Any:
        session = self._take(data)
        return response if session is None else _restore_completion(session, response)

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: dict[str, Any]
    ) -> AsyncGenerator[Any, None]:
        session = self._take(request_data)
        restore = _ChunkRestorer(session) if session is not None else None
        async for chunk in response:
            if restore is None:
                yield chunk
                continue
            for out in restore(chunk):
                yield out
