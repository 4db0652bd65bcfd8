"""Links across the three tables (models, datasets, Spaces), queryable by id: ``hfhub-links ID``.

- a model: the Spaces that use it (the models table's ``spaces`` column, and Spaces whose ``models``
  list names it) and the datasets it was trained on (its ``datasets`` column and ``dataset:`` tags);
- a dataset: the models that name it (their ``datasets`` column or ``dataset:`` tags) and the Spaces
  that use it (their ``datasets`` list);
- a Space: its models and datasets (its record's lists, and models whose ``spaces`` name it).

Every link says where it was read (``via``), whether its target is a row of our table of that kind
(``exists``), and how the names matched (``match``): ``id`` when they are equal, ``name`` when a bare
dataset name of a model card ("glue") was matched to the name part of an ``owner/name`` dataset id (the
Hub's canonical datasets moved under owners; which one a bare name meant is a guess, so it is said).
A bare name that is itself a dataset id in our table means that dataset: no name match is made then.

Reads the Parquet tables with pyarrow only (no Scrapy, no pandas): rows by id with a dataset filter,
and "which rows' list holds X" by one pass over just the id and list columns, batch by batch, so two
million models are never held in memory at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from hfhub import paths

# The public Hub (HF_ENDPOINT's default): links name the Hub's pages, never a test server's.
HUB_URL = "https://huggingface.co"
# What users type (--type model) -> the table's kind (hfhub.records.kinds)
TYPES = {"model": "models", "dataset": "datasets", "space": "spaces"}
SINGULAR = {kind: name for name, kind in TYPES.items()}
BATCH_ROWS = 262_144


def hub_url(kind: str, repo_id: str) -> str:
    """The repo's page on the Hub: https://huggingface.co/<id>, /datasets/<id>, /spaces/<id>."""
    from hfhub.records.kinds import repo_kind

    return repo_kind(kind).repo_url(HUB_URL, quote(repo_id, safe="/"))


@dataclass
class Link:
    type: str  # model, dataset, space
    id: str  # the target's id: the listed name, or the table's id it matched
    exists: bool | None  # a row of our table of that type (None: we have no such table)
    match: str  # "id": the names are equal; "name": a bare name matched an owner/name id's name part
    listed: str  # the name as the source lists it
    via: list[str] = field(default_factory=list)  # where the link was read: "space.models", ...
    url: str = ""


@dataclass
class Links:
    type: str
    id: str
    exists: bool | None  # the repo is a row of its table
    url: str
    links: dict[str, list[Link]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Tables:
    """The three tables' folders (by default hfhub.paths': output/models, output/datasets, output/spaces)."""

    models: Path = Path(paths.DATASET_DIR)
    datasets: Path = Path(paths.DATASETS_DIR)
    spaces: Path = Path(paths.SPACES_DIR)

    def open(self, kind: str) -> ds.Dataset | None:
        """The table of ``kind``, or None when it has no part file."""
        folder = Path(getattr(self, kind))
        if not folder.is_dir():
            return None
        table = ds.dataset(folder, format="parquet")  # skips _ and . paths, as the index does
        return table if table.files else None


class LinkFinder:
    """Answers ``links(id, type)`` from the tables; each table is opened once."""

    def __init__(self, tables: Tables | None = None) -> None:
        self.tables = tables or Tables()
        self._open: dict[str, ds.Dataset | None] = {}

    def table(self, kind: str) -> ds.Dataset | None:
        if kind not in self._open:
            self._open[kind] = self.tables.open(kind)
        return self._open[kind]

    # -- look-ups ----------------------------------------------------------------------------------
    def rows(self, kind: str, ids: Iterable[str], columns: list[str]) -> list[dict[str, Any]]:
        """The rows of ``kind`` whose id is one of ``ids`` (a pushed-down filter), with ``columns``."""
        table, ids = self.table(kind), sorted(set(ids))
        if table is None or not ids:
            return []
        have = [c for c in columns if c in table.schema.names]
        rows = table.to_table(columns=have, filter=pc.field("id").isin(ids)).to_pylist()
        return [{c: row.get(c) for c in columns} for row in rows]

    def existing(self, kind: str, ids: Iterable[str]) -> set[str] | None:
        """Which of ``ids`` are rows of ``kind`` (None: there is no such table)."""
        if self.table(kind) is None:
            return None
        return {row["id"] for row in self.rows(kind, ids, ["id"])}

    def listing(self, kind: str, column: str, values: Iterable[str]) -> list[tuple[str, str]]:
        """(id, value) for every row of ``kind`` whose list ``column`` holds one of ``values``.

        One pass over the id and that column only: pyarrow cannot push "a list holds X" down to
        the files, so each batch's lists are flattened and matched with ``is_in``.
        """
        table, wanted = self.table(kind), sorted(set(values))
        if table is None or not wanted or column not in table.schema.names:
            return []
        value_set = pa.array(wanted, pa.string())
        found: list[tuple[str, str]] = []
        for batch in table.to_batches(columns=["id", column], batch_size=BATCH_ROWS):
            lists = batch.column(column)
            flat = pc.list_flatten(lists)
            hit = pc.fill_null(pc.is_in(flat, value_set=value_set), False)
            if not pc.any(hit).as_py():
                continue
            owners = pc.list_parent_indices(lists).filter(hit)
            found.extend(zip(batch.column("id").take(owners).to_pylist(), flat.filter(hit).to_pylist()))
        return found

    def datasets_named(self, bare: Iterable[str]) -> dict[str, list[str]]:
        """For each bare name ("glue"), the owner/name dataset ids whose name part it is."""
        table, names = self.table("datasets"), sorted(set(bare))
        if table is None or not names:
            return {}
        value_set = pa.array(names, pa.string())
        out: dict[str, list[str]] = {}
        for batch in table.to_batches(columns=["id"], batch_size=BATCH_ROWS):
            ids = batch.column("id")
            owned = pc.match_substring(ids, "/")
            name_part = pc.replace_substring_regex(ids, pattern="^[^/]*/", replacement="")
            hit = pc.and_(owned, pc.fill_null(pc.is_in(name_part, value_set=value_set), False))
            for repo_id, name in zip(ids.filter(hit).to_pylist(), name_part.filter(hit).to_pylist()):
                out.setdefault(name, []).append(repo_id)
        return out

    # -- answers -----------------------------------------------------------------------------------
    def types_of(self, repo_id: str) -> list[str]:
        """The types (model, dataset, space) whose table holds ``repo_id``."""
        return [name for name, kind in TYPES.items() if self.existing(kind, [repo_id])]

    def links(self, repo_id: str, type_name: str) -> Links:
        kind = TYPES[type_name]
        exists = self.existing(kind, [repo_id])
        answer = Links(
            type=type_name,
            id=repo_id,
            exists=None if exists is None else repo_id in exists,
            url=hub_url(kind, repo_id),
            links={},
        )
        if exists is None:
            answer.notes.append(f"there is no {kind} table at {getattr(self.tables, kind)}")
        elif not answer.exists:
            answer.notes.append(f"{repo_id} is not in the {kind} table ({getattr(self.tables, kind)})")
        if kind == "models":
            self._model(repo_id, answer)
        elif kind == "datasets":
            self._dataset(repo_id, answer)
        else:
            self._space(repo_id, answer)
        for kind_name in ("models", "datasets", "spaces"):
            if self.table(kind_name) is None and kind_name != kind:
                answer.notes.append(
                    f"no {kind_name} table at {getattr(self.tables, kind_name)}: its links are not known"
                )
        return answer

    def _model(self, model_id: str, answer: Links) -> None:
        row = next(iter(self.rows("models", [model_id], ["id", "datasets", "spaces", "tags"])), None)
        spaces = _Collect("space")
        for space in (row or {}).get("spaces") or []:
            spaces.add(space, "model.spaces")
        for space, _ in self.listing("spaces", "models", [model_id]):
            spaces.add(space, "space.models")
        answer.links["spaces"] = self._mark(spaces.done(), "spaces")
        datasets = _Collect("dataset")
        for name in (row or {}).get("datasets") or []:
            datasets.add(name, "model.datasets")
        for tag in (row or {}).get("tags") or []:
            if tag.startswith("dataset:"):
                datasets.add(tag.removeprefix("dataset:"), "model.tags")
        answer.links["datasets"] = self._resolve_datasets(datasets.done(), answer)

    def _dataset(self, dataset_id: str, answer: Links) -> None:
        names = {dataset_id: "id"}
        owner, _, bare = dataset_id.rpartition("/")
        if owner and bare and not self.existing("datasets", [bare]):
            names[bare] = "name"  # models that name it bare ("glue" for nyu-mll/glue)
        models = _Collect("model")
        for model, listed in self.listing("models", "datasets", names):
            models.add(model, "model.datasets", match=names[listed], listed=listed)
        tags = {f"dataset:{name}": name for name in names}
        for model, tag in self.listing("models", "tags", tags):
            models.add(model, "model.tags", match=names[tags[tag]], listed=tags[tag])
        answer.links["models"] = self._mark(models.done(), "models")
        spaces = _Collect("space")
        for space, listed in self.listing("spaces", "datasets", names):
            spaces.add(space, "space.datasets", match=names[listed], listed=listed)
        answer.links["spaces"] = self._mark(spaces.done(), "spaces")
        if any(link.match == "name" for group in answer.links.values() for link in group):
            answer.notes.append(
                f"links with match 'name' list the bare name {bare!r}, which may mean another "
                f"{bare!r} dataset than {dataset_id}"
            )

    def _space(self, space_id: str, answer: Links) -> None:
        row = next(iter(self.rows("spaces", [space_id], ["id", "models", "datasets"])), None)
        models = _Collect("model")
        for model in (row or {}).get("models") or []:
            models.add(model, "space.models")
        for model, _ in self.listing("models", "spaces", [space_id]):
            models.add(model, "model.spaces")
        answer.links["models"] = self._mark(models.done(), "models")
        datasets = _Collect("dataset")
        for name in (row or {}).get("datasets") or []:
            datasets.add(name, "space.datasets")
        answer.links["datasets"] = self._resolve_datasets(datasets.done(), answer)

    def _mark(self, links: list[Link], kind: str) -> list[Link]:
        present = self.existing(kind, [link.id for link in links])
        for link in links:
            link.exists = None if present is None else link.id in present
            link.url = hub_url(kind, link.id)
        return links

    def _resolve_datasets(self, listed: list[Link], answer: Links) -> list[Link]:
        """Listed dataset names -> links to datasets: equal ids first; a bare name that is no dataset
        id of ours, to the owner/name datasets whose name part it is (match "name")."""
        present = self.existing("datasets", [link.id for link in listed])
        bare = [link.id for link in listed if "/" not in link.id and present is not None and link.id not in present]
        named = self.datasets_named(bare)
        out: list[Link] = []
        for link in listed:
            candidates = named.get(link.id, [])
            if candidates:
                for repo_id in candidates:
                    out.append(Link("dataset", repo_id, True, "name", link.id, list(link.via), hub_url("datasets", repo_id)))
                if len(candidates) > 1:
                    answer.notes.append(f"the bare name {link.id!r} matches {len(candidates)} datasets by name")
            else:
                link.exists = None if present is None else link.id in present
                link.url = hub_url("datasets", link.id)
                out.append(link)
        return _merged(out)


def _merged(links: list[Link]) -> list[Link]:
    """One link per target: a dataset named both by its id and by its bare name is one id match,
    its sources together (in the order found)."""
    by_id: dict[str, Link] = {}
    for link in links:
        known = by_id.get(link.id)
        if known is None:
            by_id[link.id] = link
            continue
        known.via.extend(v for v in link.via if v not in known.via)
        if link.match == "id":
            known.match, known.listed = "id", link.listed
    return sorted(by_id.values(), key=lambda link: link.id)


class _Collect:
    """Links of one type, each once, their sources merged in the order found."""

    def __init__(self, type_name: str) -> None:
        self.type = type_name
        self.by_id: dict[str, Link] = {}

    def add(self, repo_id: str, via: str, match: str = "id", listed: str | None = None) -> None:
        link = self.by_id.setdefault(repo_id, Link(self.type, repo_id, None, match, listed or repo_id))
        if via not in link.via:
            link.via.append(via)
        if match == "id":  # an equal name anywhere makes it an id match
            link.match, link.listed = "id", repo_id

    def done(self) -> list[Link]:
        return sorted(self.by_id.values(), key=lambda link: link.id)


# -- the command -----------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hfhub-links",
        description="Links across the models, datasets and Spaces tables: for a model, the Spaces that use "
        "it and the datasets it was trained on; for a dataset, the models and Spaces that name it; for a "
        "Space, its models and datasets. Each link says whether its target is in our tables.",
    )
    p.add_argument("id", help="a repo id, e.g. owner/name")
    p.add_argument(
        "--type",
        choices=tuple(TYPES),
        help="what the id is (default: every table that holds it; give it to ask about an id none holds)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per answer")
    p.add_argument("--models", default=paths.DATASET_DIR, help=f"the models table (default {paths.DATASET_DIR})")
    p.add_argument("--datasets", default=paths.DATASETS_DIR, help=f"the datasets table (default {paths.DATASETS_DIR})")
    p.add_argument("--spaces", default=paths.SPACES_DIR, help=f"the Spaces table (default {paths.SPACES_DIR})")
    return p


def format_links(answer: Links) -> Iterator[str]:
    where = {True: "in our table", False: "not in our table", None: "no table to check"}
    yield f"{answer.type} {answer.id}  ({where[answer.exists]})  {answer.url}"
    for group, links in answer.links.items():
        yield f"  {group} ({len(links)}):"
        for link in links:
            named = f", by name {link.listed!r}" if link.match == "name" else ""
            yield f"    {link.id}  [{where[link.exists]}{named}]  via {', '.join(link.via)}"
    for note in answer.notes:
        yield f"  note: {note}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    finder = LinkFinder(Tables(Path(args.models), Path(args.datasets), Path(args.spaces)))
    try:
        types = [args.type] if args.type else finder.types_of(args.id)
        if not types:
            print(
                f"hfhub-links: error: {args.id!r} is in none of the tables ({args.models}, {args.datasets}, "
                f"{args.spaces}); give --type model|dataset|space to look for links to it anyway",
                file=sys.stderr,
            )
            return 1
        answers = [finder.links(args.id, type_name) for type_name in types]
    except (pa.ArrowInvalid, OSError) as exc:
        print(f"hfhub-links: error: a table cannot be read: {exc}", file=sys.stderr)
        return 1
    for answer in answers:
        if args.json:
            print(json.dumps(answer.to_dict(), sort_keys=True))
        else:
            print("\n".join(format_links(answer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
