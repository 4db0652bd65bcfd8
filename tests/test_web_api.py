"""The search page's JSON API: parameter checks as pure functions, then over real HTTP.

The index is built with ``hfhub.index.build_index`` from a small Parquet dataset written here, so
every expected result is known: see ``tiny_models``.
"""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hfhub.index import ModelIndex, SearchFilters, build_index
from hfhub.web import BadRequest, SearchServer, parse_params, serve_cli

XSS_IDS = ("evil/<script>window.__xss=1</script>", 'evil/<img src=x onerror="window.__xss=2">')
TARGET = "kotoba/bert-base-japanese-sentiment"  # text-classification
POPULAR_LLM = "kotoba/japanese-sentiment-llm-7b"  # text-generation, 20x the downloads
CHILD = "kotoba/bert-base-japanese-sentiment-v2"  # fine-tuned from TARGET

FILLER_WORDS = [
    ("english news summarizer bart", "summarization", "en"),
    ("vit image classifier imagenet", "image-classification", None),
    ("whisper speech recognition small", "automatic-speech-recognition", "en"),
    ("stable diffusion text to image", "text-to-image", None),
    ("german translation marian", "translation", "de"),
    ("code completion starcoder", "text-generation", "en"),
    ("french question answering camembert", "question-answering", "fr"),
    ("sentence embeddings minilm", "sentence-similarity", "en"),
]


def _model(id: str, task: str, text: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": id,
        "author": id.split("/")[0],
        "pipeline_tag": task,
        "library_name": "transformers",
        "license": "apache-2.0",
        "languages": ["ja"],
        "base_models": None,
        "gated": False,
        "num_parameters": 110_000_000,
        "weights_bytes": 440_000_000,
        "quantization": None,
        "est_min_gpu_gb": 8,
        "downloads": 100,
        "likes": 1,
        "popularity_score": 20.0,
        "search_text": f"{id.lower().replace('/', ' ').replace('-', ' ')} {task} {text}",
    }
    row.update(extra)
    return row


def tiny_models() -> pd.DataFrame:
    rows = [
        _model(
            TARGET,
            "text-classification",
            "japanese sentiment bert classifier",
            downloads=5_000,
            popularity_score=50.0,
        ),
        _model(
            CHILD,
            "text-classification",
            "japanese sentiment bert classifier v2",
            base_models=[TARGET],
            downloads=300,
        ),
        _model(
            POPULAR_LLM,
            "text-generation",
            "japanese sentiment llm chat 7b",
            downloads=100_000,
            num_parameters=7_000_000_000,
            weights_bytes=14_000_000_000,
            est_min_gpu_gb=24,
            popularity_score=80.0,
        ),
        _model(
            "quant/japanese-sentiment-llm-7b-GGUF",
            "text-generation",
            "japanese sentiment llm gguf 7b",
            library_name="gguf",
            quantization="gguf",
            base_models=[POPULAR_LLM],
            gated=True,
            num_parameters=7_000_000_000,
            weights_bytes=4_000_000_000,
        ),
        *(_model(xid, "text-classification", "xss probe model", languages=None) for xid in XSS_IDS),
    ]
    for i in range(40):
        words, task, lang = FILLER_WORDS[i % len(FILLER_WORDS)]
        rows.append(
            _model(
                f"org{i % 5}/model-{i}",
                task,
                words,
                languages=[lang] if lang else None,
                license="mit",
                downloads=i * 10,
            )
        )
    return pd.DataFrame(rows)  # fmt: skip


def write_tiny_dataset(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(tiny_models(), preserve_index=False)
    pq.write_table(table, directory / "part-00000.parquet")
    return directory


@pytest.fixture(scope="session")
def tiny_index(tmp_path_factory: pytest.TempPathFactory) -> ModelIndex:
    root = tmp_path_factory.mktemp("web-index")
    build_index(write_tiny_dataset(root / "models"), root / "index")
    return ModelIndex.load(root / "index")


@pytest.fixture(scope="session")
def server(tiny_index: ModelIndex) -> Iterator[SearchServer]:
    with SearchServer(tiny_index) as running:
        yield running


def get(server: SearchServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# -- parameters, without HTTP --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": ["llama"]}, SearchFilters()),
        ({"q": ["x"], "task": ["text-generation"], "no_gated": ["true"]},
         SearchFilters(task="text-generation", no_gated=True)),
        ({"q": ["x"], "max_params": ["7B"], "fits_gpu_gb": ["24"]},
         SearchFilters(max_params=7_000_000_000, fits_gpu_gb=24)),
        ({"q": ["x"], "fits_gpu_gb": ["7.5"]}, SearchFilters(fits_gpu_gb=7.5)),
        ({"q": ["x"], "max_params": ["350m"], "max_size_gb": ["2.5"], "quantized": ["false"]},
         SearchFilters(max_params=350_000_000, max_size_gb=2.5, quantized=False)),
        ({"q": ["x"], "min_downloads": ["10"], "min_likes": ["0"], "author": [""], "license": ["mit"]},
         SearchFilters(min_downloads=10, min_likes=0, license="mit")),
    ],
)  # fmt: skip
def test_parameters_become_the_clis_filters(query: dict[str, list[str]], expected: SearchFilters) -> None:
    parsed = parse_params(query, needs_text=True)
    assert parsed.filters == expected
    assert parsed.k == 20


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "q is missing"),
        ({"q": ["   "]}, "q is missing"),
        ({"q": ["x" * 201]}, "q is longer than 200"),
        ({"q": ["x"], "colour": ["red"]}, "unknown parameter 'colour'"),
        ({"q": ["x"], "k": ["0"]}, "k must be between 1 and 100"),
        ({"q": ["x"], "k": ["ten"]}, "k must be a whole number"),
        ({"q": ["x"], "k": ["5", "6"]}, "k is given 2 times"),
        ({"q": ["x"], "max_params": ["lots"]}, "max_params must be a number"),
        ({"q": ["x"], "max_size_gb": ["nan"]}, "max_size_gb must be between"),
        ({"q": ["x"], "max_size_gb": ["-1"]}, "max_size_gb must be between"),
        ({"q": ["x"], "fits_gpu_gb": ["lots"]}, "fits_gpu_gb must be a number"),
        ({"q": ["x"], "no_gated": ["maybe"]}, "no_gated must be true or false"),
        ({"q": ["x"], "author": ["a" * 101]}, "author is longer than 100"),
    ],
)
def test_bad_parameters_say_what_is_wrong(query: dict[str, list[str]], message: str) -> None:
    with pytest.raises(BadRequest, match=message) as error:
        parse_params(query, needs_text=True)
    assert error.value.status == 400


def test_similar_takes_no_query_text() -> None:
    with pytest.raises(BadRequest, match="unknown parameter 'q'"):
        parse_params({"q": ["x"]}, needs_text=False)


# -- over HTTP -----------------------------------------------------------------------------------
def test_search_returns_the_models_facts(server: SearchServer) -> None:
    status, headers, body = get(server, "/api/search?q=japanese+sentiment&k=3&task=text-classification")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    results = json.loads(body)["results"]
    assert results[0]["id"] == TARGET
    assert {r["pipeline_tag"] for r in results} == {"text-classification"}
    assert len(results) <= 3


def test_similar_finds_the_fine_tune(server: SearchServer) -> None:
    status, _, body = get(server, "/api/similar/kotoba/bert-base-japanese-sentiment?k=5")
    assert status == 200
    ids = [r["id"] for r in json.loads(body)["results"]]
    assert ids[0] == CHILD
    assert TARGET not in ids


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/search?q=x&order=likes", 400, "unknown parameter 'order'"),
        ("/api/search?q=x&sort=stars", 400, "sort must be one of relevance, downloads, likes, trending, recent, created, growth, not 'stars'"),
        ("/api/search?q=japanese&task=text-clasification", 400, "unknown task 'text-clasification'"),
        ("/api/search?q=japanese&k=1000", 400, "k must be between 1 and 100"),
        ("/api/similar/nobody/nothing", 404, "no model 'nobody/nothing'"),
        ("/api/similar/", 400, "a model id is 1 to 200 characters"),
        ("/api/similar/%FF%FE", 400, "not percent-encoded UTF-8"),
        ("/api/search?" + "&".join(f"k{i}=1" for i in range(60)), 400, "Max number of fields exceeded"),
        ("/api/nothing", 404, "no API at /api/nothing"),
        ("/api/options?x=1", 400, "takes no parameters"),
        ("/api/search?q=" + "x" * 5000, 414, "over 4096 characters"),
    ],
)
def test_bad_requests_get_a_json_error(server: SearchServer, path: str, status: int, message: str) -> None:
    got, headers, body = get(server, path)
    assert got == status
    assert headers["Content-Type"].startswith("application/json")
    assert message in json.loads(body)["error"]


def test_the_page_and_its_assets_are_served_with_a_strict_policy(server: SearchServer) -> None:
    status, headers, body = get(server, "/")
    assert status == 200
    assert b'id="search-form"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    for path, kind in (("/static/app.js", "text/javascript"), ("/static/style.css", "text/css")):
        status, headers, _ = get(server, path)
        assert (status, headers["Content-Type"].split(";")[0]) == (200, kind)
    status, headers, body = get(server, "/", method="HEAD")
    assert (status, body) == (200, b"")


def test_the_page_script_never_writes_html() -> None:
    from importlib import resources

    script = resources.files("hfhub.web").joinpath("static", "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_options_list_the_index_values_by_count(server: SearchServer) -> None:
    status, _, body = get(server, "/api/options")
    options = json.loads(body)
    assert status == 200
    models = tiny_models()
    assert options["task"][0] == {
        "value": models["pipeline_tag"].value_counts().index[0],
        "models": int(models["pipeline_tag"].value_counts().iloc[0]),
    }
    assert {o["value"] for o in options["library"]} == set(models["library_name"])


# -- the command -----------------------------------------------------------------------------------
def _serve_command(index_dir: Path) -> list[str]:
    import hfhub.search

    if "--serve" in hfhub.search._parser().format_help():
        return [sys.executable, "-m", "hfhub.search", "--serve", "--index", str(index_dir), "--port", "0"]
    # until hfhub-search has --serve, the function behind it
    code = "import sys; from hfhub.web import serve_cli; sys.exit(serve_cli(sys.argv[1], '127.0.0.1', 0))"
    return [sys.executable, "-c", code, str(index_dir)]


def test_serve_runs_until_interrupted(tiny_index: ModelIndex) -> None:
    proc = subprocess.Popen(_serve_command(tiny_index.path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])  # fmt: skip
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready and proc.stdout, "the server did not say where it listens"
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert url, "no URL in its first line"
        with urllib.request.urlopen(f"{url.group(0)}/api/search?q=japanese+sentiment&k=1", timeout=10) as r:
            assert json.loads(r.read())["results"][0]["id"] == TARGET
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_serve_reports_a_missing_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_cli(tmp_path / "no-index", "127.0.0.1", 0) == 1
    assert "hfhub-search: error: no index at" in capsys.readouterr().err


def test_the_page_server_refuses_other_host_names_posts_and_idle_connections(server):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/api/options", headers={"Host": "attacker.example"})  # DNS rebinding
    response = conn.getresponse()
    assert response.status == 421 and "127.0.0.1" in json.loads(response.read())["error"]
    conn.request("POST", "/api/search", body=b"q=x")
    response = conn.getresponse()
    assert response.status == 405 and response.getheader("Content-Type").startswith("application/json")
    response.read()
    conn.request("GET", "/api/options", headers={"Host": f"localhost:{parts.port}"})
    assert conn.getresponse().status == 200
    conn.close()
    from hfhub.web import server as web_server

    assert web_server.Handler.timeout == web_server.IDLE_TIMEOUT_S  # idle connections are closed


def test_two_hundred_clients_at_once_all_get_answers(server: SearchServer) -> None:
    # socketserver's default listen backlog (5) reset some of them (seen in benchmarks/bench_web.py)
    import threading
    from concurrent.futures import ThreadPoolExecutor

    clients = 200
    together = threading.Barrier(clients)

    def one(_: int) -> int:
        together.wait()
        return get(server, "/api/search?q=japanese+sentiment&k=3")[0]

    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(one, range(clients)))
    assert statuses == [200] * clients
