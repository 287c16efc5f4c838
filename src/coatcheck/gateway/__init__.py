"""The gateway: point an OpenAI or Anthropic SDK's base URL at coatcheck and the model only sees placeholders.

``create_app(GatewayConfig(...))`` builds the ASGI app; `serve` runs it on uvicorn (``coatcheck serve``).
"""

from __future__ import annotations

from coatcheck.gateway._app import Gateway, create_app
from coatcheck.gateway._config import GatewayConfig, TenantConfig, hash_api_key, load_tenants
from coatcheck.gateway._demo import DemoTransport, demo_reply
from coatcheck.gateway._server import serve

__all__ = [
    "DemoTransport",
    "Gateway",
    "GatewayConfig",
    "TenantConfig",
    "create_app",
    "demo_reply",
    "hash_api_key",
    "load_tenants",
    "serve",
]
