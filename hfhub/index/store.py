"""The index on disk: a manifest, arrays, and an atomic swap of whole versions.

Layout, for ``HFHUB_INDEX_DIR = output/index``::

    output/index -> .index.<build id>       a symlink: the current version
    output/.index.<build id>/manifest.json  model count, dataset fingerprint, settings, build time
    output/.index.<build id>/*.npy ...      arrays (memory-mapped when loaded)

A build writes a new version directory ``output/.index.<build id>.tmp``, fsyncs it, renames it to
``.index.<build id>`` and then replaces the symlink with ``os.replace`` — one atomic rename. A reader
resolves the symlink once, so it sees a whole old version or a whole new one, never a half-built
one; a build that fails removes its temporary directory and leaves the symlink (and the previous
index) untouched. The previous version is kept one build longer for readers still holding it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from hfhub.crawl.killpoints import kill_point
from hfhub.index.errors import CorruptDatasetError, IndexFormatError, IndexNotFoundError, IndexPathError
from hfhub.storage.dataset import fsync_path

# 2: float32 dense vectors (1: float16), int64 postings rows, row-major TF-IDF (docs_*.npy)
# 3: BM25 term weights in the postings and docs_*.npy, the completeness and #22's columns
FORMAT_VERSION = 3
MANIFEST = "manifest.json"


def dataset_files(dataset_dir: Path) -> list[str]:
    """The part files a pyarrow reader would read (``_``- and ``.``-prefixed paths skipped);
    ``CorruptDatasetError`` if one of them is not a readable Parquet file."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    if not dataset_dir.is_dir():
        return []
    try:
        return sorted(ds.dataset(dataset_dir, format="parquet").files)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CorruptDatasetError(f"the dataset in {dataset_dir} has an unreadable part file: {exc}") from None


def fingerprint(dataset_dir: Path) -> str:
    """A hash of the dataset's part files' names, sizes and modification times."""
    digest = hashlib.sha256()
    for name in dataset_files(dataset_dir):
        st = os.stat(name)
        digest.update(f"{os.path.relpath(name, dataset_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def save_array(directory: Path, name: str, array: np.ndarray) -> None:
    np.save(directory / f"{name}.npy", array, allow_pickle=False)


MADV_POPULATE_READ = 22  # Linux >= 5.14; Python 3.11's mmap module lacks the constant


def load_array(directory: Path, name: str, mmap: bool = True, populate: bool = False) -> np.ndarray:
    """A saved array, memory-mapped read-only unless ``mmap`` is false.

    ``populate`` maps every page of the file at once (``MADV_POPULATE_READ``): from a warm page
    cache it takes a few ms for 1.5 GB, where faulting pages in one by one during queries cost ~1.5
    ms per query (each touches ~1.5k random rows). The pages count in the process's RSS but are the
    page cache's, shared with every other reader of the index.
    """
    array = np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
    if mmap and populate and getattr(array, "_mmap", None) is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError):  # an older kernel: pages fault in as used
            array._mmap.madvise(MADV_POPULATE_READ)
    # A plain ndarray view of the map: np.memmap's per-slice Python overhead was ~10 % of a query.
    return array.view(np.ndarray)


@contextmanager
def new_version(index_dir: Path) -> Iterator[Path]:
    """A fresh directory to build into; on success it becomes ``index_dir``, atomically."""
    index_dir = Path(os.path.abspath(index_dir))
    check_index_path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    final = index_dir.with_name(f".{index_dir.name}.{build_id}")
    tmp = final.with_name(final.name + ".tmp")
    _remove_abandoned_builds(index_dir)
    tmp.mkdir()
    try:
        kill_point("index:building")
        yield tmp
        for child in tmp.iterdir():
            fsync_path(child)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    previous = _swap(index_dir, final)
    _remove_old_versions(index_dir, keep={final.name, *(p.name for p in previous)})


def _remove_abandoned_builds(index_dir: Path) -> None:
    """Remove the temporary folders of builds whose process is gone (killed while building)."""
    prefix = f".{index_dir.name}."
    for tmp in index_dir.parent.glob(f"{prefix}*.tmp"):
        try:
            pid = int(tmp.name[len(prefix):].split("-")[1])  # <time>-<pid>-<ns>.tmp
            os.kill(pid, 0)
        except (IndexError, ValueError):
            continue  # not one of ours: leave it
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            continue  # another user's live process


def check_index_path(index_dir: Path) -> None:
    """Refuse to build where something hfhub did not make would be replaced: a file, a folder that
    is not an index, a symlink to anything but one of this index's versions."""
    if index_dir.is_symlink():
        target = os.readlink(index_dir)
        if os.sep in target or not target.startswith(f".{index_dir.name}."):
            raise IndexPathError(f"{index_dir} is a symlink to {target}, not to one of hfhub's index versions")
    elif index_dir.is_file():
        raise IndexPathError(f"{index_dir} is a file; hfhub will not replace it with an index")
    elif index_dir.is_dir() and not (index_dir / MANIFEST).is_file():
        raise IndexPathError(f"{index_dir} is a folder that holds no hfhub index ({MANIFEST}); hfhub will not replace it")


def _swap(index_dir: Path, final: Path) -> list[Path]:
    link_tmp = index_dir.with_name(f".{index_dir.name}.link-{final.name}")
    previous: list[Path] = []
    if index_dir.is_symlink():
        previous.append(index_dir.parent / os.readlink(index_dir))
    elif index_dir.exists():
        # An index directory from before versions: move it aside once (the only non-atomic step).
        aside = index_dir.with_name(f".{index_dir.name}.legacy-{final.name}")
        os.rename(index_dir, aside)
        previous.append(aside)
    os.symlink(final.name, link_tmp)
    os.replace(link_tmp, index_dir)
    fsync_path(index_dir.parent)
    return previous


def _remove_old_versions(index_dir: Path, keep: set[str]) -> None:
    prefix = f".{index_dir.name}."
    for path in index_dir.parent.iterdir():
        name = path.name
        if (
            name.startswith(prefix)
            and name not in keep
            and not name.endswith(".tmp")
            and ".link-" not in name
        ):
            shutil.rmtree(path, ignore_errors=True)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def resolve(index_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The current version's directory and manifest, or ``IndexNotFoundError``."""
    index_dir = Path(index_dir)
    version = index_dir.resolve()  # once: every file below comes from this one version
    if not (version / MANIFEST).is_file():
        raise IndexNotFoundError(
            f"no index at {index_dir}: build one with "
            f"`hfhub-index build --dataset output/models --index {index_dir}` "
            "(or crawl with HFHUB_INDEX_ENABLED=True)"
        )
    try:
        manifest = json.loads((version / MANIFEST).read_text())
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (ValueError, OSError) as exc:
        raise IndexFormatError(
            f"the index manifest {version / MANIFEST} is unreadable ({exc}): rebuild it with "
            f"`hfhub-index build --index {index_dir}`"
        ) from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"index at {index_dir} has format {manifest.get('format_version')!r}, this hfhub reads "
            f"{FORMAT_VERSION}: rebuild it with `hfhub-index build --index {index_dir}`"
        )
    return version, manifest
