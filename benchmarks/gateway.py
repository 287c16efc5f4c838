"""Gateway overhead in one run: direct calls to a mock upstream vs the same calls through `coatcheck serve`.

    python benchmarks/gateway.py [--requests 300] [--seconds 8] [--concurrency 32]

Three processes serve on 127.0.0.1: a minimal mock upstream (canned chat completion, streamed or not) and two
gateways (`coatcheck serve`, one with the fast profile, one with the accurate profile that loads the NER model)
in front of it. This process is the client. The request is a ~2 KB chat message with 10 personal values; the
mock answers with placeholders that the gateway restores. Reported:

* added latency p50/p99 (gateway minus direct, sequential requests, keep-alive), fast and accurate;
* streaming time to first token added (first non-empty content delta), with a mock that streams at full speed;
  the same with 20 ms between upstream tokens shows the cost of holding back an unfinished word;
* requests/s through the fast gateway at ``--concurrency`` (the client, the mock and the gateway share the
  machine's cores);
* RSS of the accurate gateway with the NER model loaded, after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

HERE = Path(__file__).resolve().parent
VALUES = [
    "Sarah Chen", "sarah.chen@example.com", "(415) 555-0132", "Bob Stone", "bob.stone@example.org",
    "212-555-0199", "4532 0151 1283 0366", "536-22-8817", "Maria Lopez", "maria.lopez@example.net",
]  # fmt: skip
ANSWER = "Thanks [PERSON_1]! I will email [EMAIL_1] and call [PHONE_1] today; [PERSON_2] gets a copy."


def request_text() -> str:
    filler = (
        "Our order history shows two shipments last month and a pending refund for the damaged item. "
        "Please check the warehouse notes and let me know what the next steps are for the replacement. "
    )
    facts = (
        f"Hi, I'm {VALUES[0]} ({VALUES[1]}, {VALUES[2]}). My colleague {VALUES[3]} <{VALUES[4]}> can be reached "
        f"at {VALUES[5]}. The card on file is {VALUES[6]} and my SSN is {VALUES[7]}. Please also copy "
        f"{VALUES[8]} at {VALUES[9]}. "
    )
    text = facts
    while len(text) < 2000:
        text += filler
    return text[:2048]


# -- the mock upstream (runs in its own process) -------------------------------------------------------------


async def mock_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    request = json.loads(body or b"{}")
    delay = 0.02 if request.get("model") == "slow" else 0.0  # the model name survives the gateway, headers not
    if not request.get("stream"):
        reply = {
            "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}],
        }  # fmt: skip
        data = json.dumps(reply).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    tokens = [ANSWER[i : i + 4] for i in range(0, len(ANSWER), 4)]
    for token in tokens:
        chunk = {**base, "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}]}
        await send({"type": "http.response.body", "body": f"data: {json.dumps(chunk)}\n\n".encode(), "more_body": True})
        if delay:
            await asyncio.sleep(delay)
    end = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    tail = f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode()
    await send({"type": "http.response.body", "body": tail, "more_body": False})


def serve_mock(port: int) -> None:
    import uvicorn

    uvicorn.run(mock_app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- helpers --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


def policy_file(directory: str, profile: str) -> str:
    from coatcheck.policy._defaults import DEFAULT_POLICY

    data = copy.deepcopy(DEFAULT_POLICY)
    data["detection"] = {"profile": profile}
    path = os.path.join(directory, f"{profile}.yaml")
    Path(path).write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def start_gateway(port: int, upstream: str, policy: str) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("coatcheck")
    command = [str(exe), "serve", "--port", str(port), "--upstream", upstream, "--policy", policy]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_COUNTER = iter(range(10**9))


def chat_body(stream: bool = False) -> dict[str, Any]:
    """A fresh request each time (a request number up front), so the gateway's history cache never hits."""
    text = f"Ticket {next(_COUNTER)}: " + request_text()
    return {"model": "m", "stream": stream, "messages": [{"role": "user", "content": text[:2048]}]}


def latencies(base: str, n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(10):
            client.post("/v1/chat/completions", json=chat_body())
        for _ in range(n):
            body = chat_body()
            started = time.perf_counter()
            response = client.post("/v1/chat/completions", json=body)
            out.append(time.perf_counter() - started)
            response.raise_for_status()
    return out


def ttft(base: str, n: int, delay: float = 0.0) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in range(n + 3):
            body = {**chat_body(stream=True), "model": "slow" if delay else "m"}
            started = time.perf_counter()
            first = None
            with client.stream("POST", "/v1/chat/completions", json=body) as response:
                for line in response.iter_lines():
                    if first is None and line.startswith("data: {"):
                        choices = json.loads(line[6:]).get("choices") or [{}]
                        if (choices[0].get("delta") or {}).get("content"):
                            first = time.perf_counter() - started
            if i >= 3 and first is not None:
                out.append(first)
    return out


async def throughput(base: str, seconds: float, concurrency: int) -> float:
    done = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                response = await client.post("/v1/chat/completions", json=chat_body())
                response.raise_for_status()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def detection_alone(profile: str, n: int) -> float:
    """Median time of the detector alone on the request text, in this process (what the gateway cannot beat)."""
    from coatcheck.detect.engine import Detector

    detector = Detector(profile)  # type: ignore[arg-type]
    times = []
    for i in range(n + 3):
        text = f"Ticket {i}: " + request_text()
        started = time.perf_counter()
        detector.detect_batch([text[:2048]])
        if i >= 3:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def check_protected(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/v1/chat/completions", json=chat_body()).json()["choices"][0]["message"]["content"]
    if VALUES[0] not in answer or VALUES[1] not in answer:
        raise RuntimeError("the gateway did not restore the answer: the benchmark would measure the wrong thing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--streams", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    import multiprocessing

    mock_port, fast_port, accurate_port = free_port(), free_port(), free_port()
    mock = multiprocessing.get_context("spawn").Process(target=serve_mock, args=(mock_port,), daemon=True)
    mock.start()
    direct = f"http://127.0.0.1:{mock_port}"
    with tempfile.TemporaryDirectory() as tmp:
        fast = start_gateway(fast_port, direct, policy_file(tmp, "fast"))
        accurate = start_gateway(accurate_port, direct, policy_file(tmp, "accurate"))
        try:
            gw_fast, gw_accurate = f"http://127.0.0.1:{fast_port}", f"http://127.0.0.1:{accurate_port}"
            wait_ready(direct + "/v1/models")
            wait_ready(gw_fast + "/readyz")
            wait_ready(gw_accurate + "/readyz")
            check_protected(gw_fast)
            check_protected(gw_accurate)
            results = run_all(direct, gw_fast, gw_accurate, args)
            results["rss"] = rss_mb(accurate.pid)
        finally:
            for process in (fast, accurate):
                process.terminate()
                process.wait(30)
            mock.terminate()
    report(results, args)


def run_all(direct: str, fast: str, accurate: str, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["direct"] = latencies(direct, args.requests)
    out["fast"] = latencies(fast, args.requests)
    out["accurate"] = latencies(accurate, max(50, args.requests // 3))
    out["ttft_direct"] = ttft(direct, args.streams)
    out["ttft_fast"] = ttft(fast, args.streams)
    out["ttft_accurate"] = ttft(accurate, max(20, args.streams // 3))
    out["ttft_direct_20ms"] = ttft(direct, 20, 0.02)
    out["ttft_fast_20ms"] = ttft(fast, 20, 0.02)
    out["rps_direct"] = asyncio.run(throughput(direct, args.seconds / 2, args.concurrency))
    out["rps_fast"] = asyncio.run(throughput(fast, args.seconds, args.concurrency))
    out["detect_fast"] = detection_alone("fast", 50)
    out["detect_accurate"] = detection_alone("accurate", 20)
    return out


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    def ms(x: float) -> str:
        return f"{x * 1000:.2f} ms"

    def added(name: str, q: float) -> float:
        return percentile(r[name], q) - percentile(r["direct"], q)

    def verdict(value: float, target: float, higher: bool = False) -> str:
        ok = value >= target if higher else value <= target
        return "met" if ok else "MISSED"

    rows = []
    for profile, target in (("fast", 0.002), ("accurate", 0.015)):
        for q in (0.5, 0.99):
            value = added(profile, q)
            label = f"<= {target * 1000:g} ms"
            rows.append((f"added latency p{round(q * 100)}, {profile}", ms(value), label, verdict(value, target)))
    ttft_fast = statistics.median(r["ttft_fast"]) - statistics.median(r["ttft_direct"])
    ttft_acc = statistics.median(r["ttft_accurate"]) - statistics.median(r["ttft_direct"])
    ttft_slow = statistics.median(r["ttft_fast_20ms"]) - statistics.median(r["ttft_direct_20ms"])
    rows += [
        ("streaming TTFT added (median), fast", ms(ttft_fast), "<= 5 ms", verdict(ttft_fast, 0.005)),
        ("streaming TTFT added (median), accurate", ms(ttft_acc), "<= 5 ms", verdict(ttft_acc, 0.005)),
        ("streaming TTFT added, 20 ms/token upstream, fast", ms(ttft_slow), "(info)", "-"),
        ("requests/s through gateway, fast", f"{r['rps_fast']:.0f}", ">= 300", verdict(r["rps_fast"], 300, True)),
        ("requests/s direct to mock (reference)", f"{r['rps_direct']:.0f}", "-", "-"),
        ("detection alone on the request, fast (median, in process)", ms(r["detect_fast"]), "(info)", "-"),
        ("detection alone on the request, accurate (median, in process)", ms(r["detect_accurate"]), "(info)", "-"),
        ("RSS, accurate gateway (NER loaded)", f"{r['rss']:.0f} MB", "<= 400 MB", verdict(r["rss"], 400)),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n## coatcheck gateway benchmark ({os.cpu_count()} CPUs, {args.requests} sequential requests)\n")
    print(f"Load average at the end of the run: {load} (other work on the machine inflates every time).\n")
    print(f"Request: {len(request_text())} characters, {len(VALUES)} personal values; direct p50 "
          f"{ms(percentile(r['direct'], 0.5))}, fast p50 {ms(percentile(r['fast'], 0.5))}, accurate p50 "
          f"{ms(percentile(r['accurate'], 0.5))}.\n")  # fmt: skip
    print("| measure | value | target | |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
