"""A deterministic local fake of the Hugging Face Hub API (``python -m hfhub.fakehub``).

It serves ``/api/models``, ``/api/datasets`` and ``/api/spaces`` (lists with the Hub's keyset cursors
and Link headers, details, ``expand``), model and dataset cards, faults, churn and mutations.

- ``Corpus(models, seed)``: lazily generated fake models (``corpus``); ``DatasetCorpus`` and
  ``SpaceCorpus`` (``repocorpus``): datasets and Spaces, the same way.
- ``serve(ServerConfig(models=N, datasets=D, spaces=S, ...))``: an in-process server with ``.url`` and
  ``.shutdown()``; D and S default to N // 2.
- ``FakeHubProcess(models, seed, args, datasets=, spaces=)``: the same as a subprocess, for tests.
- ``Corpus.advance(days)``, ``POST /_fake/advance``, ``FakeHubProcess.advance``: simulated days that move
  counts, commit, create and delete repos, deterministically (``timeline``).
"""

from __future__ import annotations

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.fakehub.repocorpus import DatasetCorpus, SpaceCorpus
from hfhub.fakehub.server import FakeHub, ServerConfig, serve

__all__ = ["Corpus", "DatasetCorpus", "FakeHub", "FakeHubProcess", "ServerConfig", "SpaceCorpus", "serve"]
