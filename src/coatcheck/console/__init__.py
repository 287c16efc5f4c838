"""The web console: try policies in a playground, watch traffic, review uncertain detections, read the audit trail.

Mount it next to the gateway API (``attach_console(app, gateway)`` does the mount at ``/console`` and feeds it
every request), or serve ``create_console_app(ConsoleConfig(...))`` on its own. It is loopback-only unless
configured otherwise, needs a login (roles viewer < reviewer < admin), and never shows a value other than the
text a user typed into the playground themselves.
"""

from __future__ import annotations

from coatcheck.console._app import ConsoleFeed, attach_console, create_console_app
from coatcheck.console._config import ROLES, ConsoleConfig, ConsoleUser, Role, hash_token, load_console_config
from coatcheck.console._console import Console
from coatcheck.console._masking import MaskedContext, mask_context
from coatcheck.console._metrics import MetricsStore
from coatcheck.console._review import ReviewItem, ReviewStore

__all__ = [
    "ROLES",
    "Console",
    "ConsoleConfig",
    "ConsoleFeed",
    "ConsoleUser",
    "MaskedContext",
    "MetricsStore",
    "ReviewItem",
    "ReviewStore",
    "Role",
    "attach_console",
    "create_console_app",
    "hash_token",
    "load_console_config",
    "mask_context",
]
