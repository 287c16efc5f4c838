"""Where coatcheck meets other libraries: logging, structlog, model SDKs, LangChain, LiteLLM, embeddings.

Each integration lives in its own module and imports its library only there, so importing this package
costs nothing: ``coatcheck.integrations.logging.install()`` masks every log record of the process.
"""

from __future__ import annotations

__all__: list[str] = []
