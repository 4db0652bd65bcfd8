"""A dataset folder that readers see change in one step: whole versions behind a symlink.

Layout, for ``HFHUB_DATASET_DIR = output/models``::

    output/models -> .models/versions/<crawl id>     a symlink: the published version
    output/.models/versions/<crawl id>/part-*.parquet, _state.json
    output/.models/inprogress/<crawl id>/part-*.parquet, checkpoint.json     crawls not yet published

Publishing builds the next version in ``versions/.<crawl id>.tmp`` (hard links to the parts it
keeps, new files for what changed), fsyncs it, renames it into place and then replaces the symlink
with ``os.replace``: one atomic rename. A reader that resolves ``output/models`` once
(``current_version``, or ``os.path.realpath``) reads one whole version, never a mix of two, and the
version it holds is kept until the one after next is published and at least ``RETIRED_GRACE_S``
(10 minutes) after it stopped being the published one. Every step can be repeated: a
publication killed at any point is finished by running it again (``publish_version`` of a version
that exists only re-points the link).

Only what hfhub made is ever replaced or removed: the dataset path must be absent, a symlink into
its own store, or (from hfhub before versions) a folder holding nothing but hfhub's files, which
becomes the first version. Anything else is refused with ``UnsafeDatasetPath``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from hfhub.crawl.killpoints import kill_point
from hfhub.storage.dataset import fsync_path

VERSIONS = "versions"
INPROGRESS = "inprogress"
LEGACY_VERSION = "00000000T000000Z-before-versions"
RETIRED = ".retired"  # in a version that is no longer published: its mtime says since when
RETIRED_GRACE_S = 600.0
# what a dataset folder of hfhub before versions holds: parts, its state, crawls in progress, temp files
_LEGACY_ENTRY_PREFIXES = ("part-", "_state.json", "_inprogress", ".part-", "._state.json")


class UnsafeDatasetPath(ValueError):
    """The dataset path holds something hfhub did not make; hfhub will not replace it."""


def dataset_path(setting: str | Path) -> Path:
    """The dataset path of a setting, absolute but not resolved: ``output/models`` is the link, and
    ``Path.resolve()`` would follow it into the version it points at."""
    return Path(os.path.abspath(setting))


def store_dir(dataset_dir: Path) -> Path:
    """Where the versions and crawls in progress live: ``output/models`` → ``output/.models``."""
    return dataset_dir.parent / f".{dataset_dir.name}"


def inprogress_dir(dataset_dir: Path, crawl_id: str) -> Path:
    return store_dir(dataset_dir) / INPROGRESS / crawl_id


def version_dir(dataset_dir: Path, name: str) -> Path:
    return store_dir(dataset_dir) / VERSIONS / name


def check_dataset_path(dataset_dir: Path, *, legacy_state: bool = True) -> None:
    """Refuse a dataset path hfhub would have to destroy something to publish at. (``legacy_state``:
    a folder of hfhub before versions holds its ``_state.json`` beside its parts, as the models
    dataset did; the cards table had none.)"""
    if not dataset_dir.name or dataset_dir.name in (".", ".."):
        raise UnsafeDatasetPath(f"the dataset path {str(dataset_dir)!r} names no folder; give one, e.g. output/models")
    if dataset_dir.is_symlink():
        target = Path(os.path.realpath(dataset_dir))
        if target.parent != (store_dir(dataset_dir) / VERSIONS).resolve():
            raise UnsafeDatasetPath(f"{dataset_dir} is a symlink to {target}, which is not one of hfhub's versions")
        return
    if not dataset_dir.exists():
        return
    if dataset_dir.parent.name == VERSIONS and dataset_dir.parent.parent.name.startswith("."):
        raise UnsafeDatasetPath(f"{dataset_dir} is one version of an hfhub dataset; give the dataset's own path")
    if not dataset_dir.is_dir():
        raise UnsafeDatasetPath(f"{dataset_dir} is a file, not a dataset folder; hfhub will not replace it")
    names = [p.name for p in dataset_dir.iterdir()]
    strangers = sorted(name for name in names if not name.startswith(_LEGACY_ENTRY_PREFIXES))
    if (legacy_state and not strangers and any(name.startswith("part-") for name in names)
            and "_state.json" not in names):
        strangers = ["part files without the _state.json hfhub publishes with them"]
    if strangers:
        raise UnsafeDatasetPath(
            f"{dataset_dir} holds files hfhub did not write ({', '.join(strangers[:5])}); "
            "point HFHUB_DATASET_DIR at a new or an hfhub folder"
        )


def current_version(dataset_dir: Path) -> Path | None:
    """The folder of the published version (resolved once: read it, not the link, for one whole
    version), or None before the first publication."""
    if dataset_dir.is_symlink():
        return Path(os.path.realpath(dataset_dir))
    return dataset_dir if dataset_dir.is_dir() else None


def publish_version(
    dataset_dir: Path, name: str, fill: Callable[[Path], None], grace_s: float = RETIRED_GRACE_S,
    *, legacy_state: bool = True,
) -> Path:
    """Make version ``name`` (``fill`` writes its files into the folder it is given) and point the
    dataset at it. The version it replaces is kept for readers still holding it; older ones go once
    they were replaced ``grace_s`` seconds ago, so a reader has that long to finish."""
    check_dataset_path(dataset_dir, legacy_state=legacy_state)
    versions = store_dir(dataset_dir) / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    previous = _adopt_legacy_folder(dataset_dir, versions)
    final = versions / name
    if not final.is_dir():
        building = versions / f".{name}.tmp"
        if building.exists():
            shutil.rmtree(building)  # a publication killed while building
        building.mkdir()
        fill(building)
        kill_point("publish:built")
        fsync_path(building)
        os.rename(building, final)
        fsync_path(versions)
        kill_point("publish:renamed")
    if previous is not None and previous != final:
        (previous / RETIRED).touch()  # when it stopped being the published version
    _point(dataset_dir, final)
    kill_point("publish:pointed")
    _remove_retired(versions, keep={final.name, previous.name if previous is not None else ""}, grace_s=grace_s)
    return final


def _remove_retired(versions: Path, keep: set[str], grace_s: float) -> None:
    """Remove the versions that are neither kept nor retired less than ``grace_s`` seconds ago."""
    now = time.time()
    for old in versions.iterdir():
        if old.name in keep or old.name.endswith(".tmp"):
            continue
        marker = old / RETIRED
        retired_at = marker.stat().st_mtime if marker.exists() else 0.0
        if now - retired_at >= grace_s:
            shutil.rmtree(old)


def link_into(files: list[Path], folder: Path) -> None:
    """Hard links to ``files`` in ``folder`` (a copy where the file system has no hard links)."""
    for file in files:
        try:
            os.link(file, folder / file.name)
        except OSError:
            shutil.copy2(file, folder / file.name)


def _adopt_legacy_folder(dataset_dir: Path, versions: Path) -> Path | None:
    """The current version; a dataset folder of hfhub before versions becomes the first one."""
    if dataset_dir.is_symlink() or not dataset_dir.is_dir():
        return current_version(dataset_dir)
    legacy = versions / LEGACY_VERSION
    os.rename(dataset_dir, legacy)  # readers find no dataset until the link below: once, at upgrade
    _point(dataset_dir, legacy)
    return legacy


def _point(dataset_dir: Path, version: Path) -> None:
    if dataset_dir.is_symlink() and Path(os.path.realpath(dataset_dir)) == version.resolve():
        return
    link = dataset_dir.parent / f".{dataset_dir.name}.link.tmp"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(version, dataset_dir.parent), link)
    os.replace(link, dataset_dir)
    fsync_path(dataset_dir.parent)
