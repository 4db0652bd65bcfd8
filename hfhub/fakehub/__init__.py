"""A deterministic local fake of the Hugging Face Hub models API (``python -m hfhub.fakehub``).

- ``Corpus(models, seed)``: lazily generated fake models (``corpus``).
- ``serve(ServerConfig(...))``: an in-process server with ``.url`` and ``.shutdown()``.
- ``FakeHubProcess(models, seed, args)``: the same as a subprocess, for tests.
"""

from __future__ import annotations

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.fakehub.server import FakeHub, ServerConfig, serve

__all__ = ["Corpus", "FakeHub", "FakeHubProcess", "ServerConfig", "serve"]
