from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import coatcheck.integrations.logging as cc_logging
from coatcheck.integrations._masker import LogMasker
from coatcheck.integrations.structlog import PrivacyProcessor

from .conftest import CountingDetector, fast_detector, serve

EMAIL = "sarah.chen@example.com"
SSN = "536-22-8817"
CARD = "4532 0151 1283 0366"
IP = "203.0.113.42"
KEY = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2  # a GitHub-token-shaped fake
RAW = (EMAIL, SSN, CARD, IP, "sarah.chen", "8817", KEY)


@pytest.fixture
def masker() -> LogMasker:
    return LogMasker(fast_detector())


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(ctx)s"))
    logger = logging.getLogger("coatcheck.tests.app")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


@pytest.fixture
def installed(masker: LogMasker) -> Iterator[cc_logging.Installation]:
    installation = cc_logging.install(masker)
    yield installation
    installation.uninstall()


def _assert_clean(text: str) -> None:
    for value in RAW:
        assert value not in text


def test_install_masks_message_args_extra_and_exception(capture, installed) -> None:  # type: ignore[no-untyped-def]
    logger, stream = capture
    logger.info("login %s from %s paid with %s", EMAIL, IP, CARD, extra={"ctx": {"ssn": SSN, "n": [EMAIL]}})
    try:
        raise ValueError(f"token {KEY} rejected for {EMAIL}")
    except ValueError:
        logger.exception("failed for %s", EMAIL, extra={"ctx": "-"})
    out = stream.getvalue()
    _assert_clean(out)
    assert "s****@example.com" in out  # masked for people: still recognizable as an address
    assert "[CARD]" in out  # financial identifiers never reach logs in clear (default policy)
    assert "Traceback" in out
    assert "[API_KEY]" in out


def test_argument_shape_is_kept_for_formatters_that_read_args(capture, installed) -> None:  # type: ignore[no-untyped-def]
    logger, _ = capture
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger.addHandler(Keep())
    logger.info('%s - "%s %s HTTP/%s" %d', f"{IP}:5000", "GET", f"/u?email={EMAIL}", "1.1", 200, extra={"ctx": ""})
    args = seen[0].args
    assert isinstance(args, tuple)
    assert len(args) == 5
    assert args[4] == 200
    assert EMAIL not in str(args)


def test_uninstall_restores_plain_logging(capture, masker: LogMasker) -> None:  # type: ignore[no-untyped-def]
    logger, stream = capture
    cc_logging.install(masker).uninstall()
    logger.info("mail %s", EMAIL, extra={"ctx": ""})
    assert EMAIL in stream.getvalue()


def test_filter_on_a_handler(masker: LogMasker) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(cc_logging.PrivacyFilter(masker))
    logger = logging.getLogger("coatcheck.tests.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("ssn=%s", SSN)
        logger.warning({"user": EMAIL})
    finally:
        logger.removeHandler(handler)
    _assert_clean(stream.getvalue())
    assert stream.getvalue().count("\n") == 2


def test_precheck_skips_lines_without_digits_or_at(capture) -> None:  # type: ignore[no-untyped-def]
    logger, stream = capture
    counting = CountingDetector()
    with cc_logging.install(LogMasker(counting)):
        logger.info("cache warm, nothing unusual", extra={"ctx": "worker ready"})
        assert counting.texts == 0
        logger.info("user %s", EMAIL, extra={"ctx": ""})
        assert counting.texts >= 1
    _assert_clean(stream.getvalue())


def _app() -> Starlette:
    async def user(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/users/{who}", user)])


def test_uvicorn_and_httpx_loggers_are_masked(installed) -> None:  # type: ignore[no-untyped-def]
    from uvicorn.logging import AccessFormatter

    stream = io.StringIO()
    access = logging.StreamHandler(stream)
    access.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    plain = logging.StreamHandler(stream)
    plain.setFormatter(logging.Formatter("%(name)s %(message)s"))
    loggers = {"uvicorn.access": access, "httpx": plain}
    for name, handler in loggers.items():
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        with serve(_app(), access_log=True) as base, httpx.Client() as client:
            response = client.get(f"{base}/users/me", params={"email": EMAIL, "ssn": SSN})
            assert response.status_code == 200
    finally:
        for name, handler in loggers.items():
            logging.getLogger(name).removeHandler(handler)
    out = stream.getvalue()
    assert "HTTP Request: GET" in out  # httpx's line, its URL object argument masked
    assert '" 200' in out  # uvicorn's access line, formatted from its (masked) args
    _assert_clean(out)


def test_structlog_processor_masks_values_and_exceptions(masker: LogMasker) -> None:
    stream = io.StringIO()
    structlog.configure(
        processors=[PrivacyProcessor(masker), structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    try:
        log = structlog.get_logger()
        log.info("payment", email=EMAIL, card=CARD, nested={"ip": [IP]}, count=3)
        try:
            raise RuntimeError(f"ssn {SSN}")
        except RuntimeError:
            log.exception("failed")
    finally:
        structlog.reset_defaults()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    _assert_clean(stream.getvalue())
    assert lines[0]["count"] == 3
    assert lines[0]["email"] == "s****@example.com"
    assert "RuntimeError" in lines[1]["exception"]
