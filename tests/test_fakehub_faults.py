"""Fault knobs of the fake Hub: rate limits, injected errors, broken bodies, churn."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from huggingface_hub.utils import parse_ratelimit_headers

from hfhub.fakehub.faults import FaultConfig, Faults, Quota
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import http_get as get


def test_rate_limit_window_answers_429_with_hub_headers() -> None:
    with FakeHubProcess(models=50, args=["--rate-limit", "3/60", "--rate-limit-resolvers", "1/60"]) as hub:
        seen = [get(f"{hub.url}/api/models?limit=1") for _ in range(4)]
        assert [s for s, _, _ in seen] == [200, 200, 200, 429]
        info = parse_ratelimit_headers(seen[0][1])
        assert info is not None and (info.resource_type, info.remaining, info.limit, info.window_seconds) == (
            "api", 2, 3, 60)
        _status, headers, body = seen[3]
        limited = parse_ratelimit_headers(headers)
        assert limited is not None and limited.remaining == 0 and 0 < limited.reset_in_seconds <= 60
        assert int(headers["Retry-After"]) == limited.reset_in_seconds
        assert json.loads(body)["error"]
        model = json.loads(seen[0][2])[0]["id"]
        first = get(f"{hub.url}/{model}/resolve/main/README.md")
        second = get(f"{hub.url}/{model}/resolve/main/README.md")
        assert first[0] == 200 and second[0] == 429 and '"resolvers";r=0' in second[1]["RateLimit"]
        assert hub.stats()["faults"]["rate_limit"] == 2


@pytest.mark.parametrize(("knob", "check"), [
    ("--fault-429", lambda s, h, b: s == 429 and h["Retry-After"] == "1"),
    ("--fault-5xx", lambda s, h, b: s in (500, 502, 503, 504)),
    ("--fault-malformed", lambda s, h, b: s == 200 and not _parses(b)),
])
def test_injected_faults(knob: str, check: object) -> None:
    with FakeHubProcess(models=50, args=[knob, "1.0"]) as hub:
        for _ in range(3):
            assert check(*get(f"{hub.url}/api/models?limit=10"))  # type: ignore[operator]
        assert sum(hub.stats()["faults"].values()) == 3


def _parses(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_dropped_connections() -> None:
    with FakeHubProcess(models=50, args=["--fault-drop", "1.0"]) as hub:
        parts = urlsplit(hub.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", "/api/models")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn.getresponse()
        assert hub.stats()["faults"] == {"drop": 1}


def test_faults_are_deterministic_given_the_seed() -> None:
    config = FaultConfig(fault_429=0.2, fault_5xx=0.2, fault_malformed=0.1, fault_seed=42)
    runs = []
    for _ in range(2):
        faults = Faults(config)
        runs.append([faults.judge("api").reason for _ in range(200)])
    assert runs[0] == runs[1] and {"429", "malformed"} <= set(runs[0])


def test_quota_parsing() -> None:
    assert Quota.parse("500/300") == Quota(500, 300)
    with pytest.raises(ValueError):
        Quota.parse("0/10")


def test_churn_moves_models_between_pages() -> None:
    """Under sort=lastModified, touched models jump ahead of the cursor and are missed."""
    with FakeHubProcess(models=400, args=["--churn", "5", "--max-page-size", "50"]) as hub:
        url: str | None = f"{hub.url}/api/models?sort=lastModified"
        seen: list[str] = []
        pages = 0
        while url:
            status, headers, body = get(url)
            assert status == 200
            seen += [m["id"] for m in json.loads(body)]
            link = headers.get("Link")
            url = link.split(";")[0].strip("<>") if link else None
            pages += 1
        assert len(seen) == len(set(seen)) < 400
        assert hub.stats()["corpus_version"] == 5 * pages
