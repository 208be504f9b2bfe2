"""1EdTech CASE 1.0/1.1 JSON packages (``CFPackage``): a framework of learning targets.

A package holds a ``CFDocument`` (the framework), ``CFItems`` (standards, clusters, ...) and
``CFAssociations``. How it becomes :class:`~mastery_grading.LearningTarget` objects:

- every ``CFItem`` is a target; its id is the item's ``identifier`` (lower case; a leading
  ``urn:uuid:`` is removed); with an ``abbreviatedStatement`` that is its title and the
  ``fullStatement`` its statement, else the ``fullStatement`` is its title;
- an item written by :func:`case_package_json` for a target whose id is not a UUID (such as
  ``LE.1``) has a UUID derived from that id and the id as ``alternativeLabel``; the reader gives
  such an item (and its children's ``parent_id``) the original id back, so ids survive a round
  trip;
- ``humanCodingScheme`` (such as ``3.OA.A.1``) becomes ``standard_codes``, and ``CFItemType``
  a tag;
- an ``isChildOf`` association whose destination is another item sets ``parent_id`` (children of
  the document itself are top-level). CASE allows an item two parents; the first association
  (by ``sequenceNumber``) wins and the others are reported as warnings.

CASE carries no mastery threshold, so every target gets the same ``scale`` (Marzano's 0-4 by
default).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from mastery_grading.exceptions import InvalidValueError, MasteryGradingError
from mastery_grading.io._common import (
    Problems,
    Source,
    json_number,
    load_json,
    source_name,
    write_text_atomic,
)
from mastery_grading.io._output import id_order
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "CaseFramework",
    "case_package_json",
    "normalize_case_id",
    "read_case_package",
    "write_case_package",
]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAMESPACE = uuid.UUID("6f1d1c52-5c1e-4d5e-9a43-2b7c7d0e5a10")
_PACKAGE_KEYS = {
    "CFDocument",
    "CFItems",
    "CFAssociations",
    "CFDefinitions",
    "CFRubrics",
    "extensions",
}


def normalize_case_id(identifier: str) -> str:
    """Return a CASE identifier in canonical form: lower case, without ``urn:uuid:``.

    >>> normalize_case_id("urn:uuid:4F483ABA-F3A3-4176-9651-3D37C45BD3E9")
    '4f483aba-f3a3-4176-9651-3d37c45bd3e9'
    """
    text = identifier.strip()
    if text.lower().startswith("urn:uuid:"):
        text = text[len("urn:uuid:") :]
    return text.lower() if _UUID.fullmatch(text.lower()) else text


@attrs.frozen(kw_only=True)
class CaseFramework:
    """What :func:`read_case_package` found.

    Attributes:
        identifier: The ``CFDocument`` identifier.
        title: The framework's title.
        targets: One target per ``CFItem``, in file order.
        warnings: Notes that did not stop reading (unknown keys, second parents).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> target = LearningTarget(id="a", title="A")
        >>> CaseFramework(identifier="d1", title="Math", targets=(target,)).targets[0].id
        'a'
    """

    identifier: str
    title: str
    targets: tuple[LearningTarget, ...]
    warnings: tuple[str, ...] = ()


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _link_id(obj: Any) -> str | None:
    if isinstance(obj, Mapping):
        ident = obj.get("identifier")
        if isinstance(ident, str) and ident.strip():
            return normalize_case_id(ident)
    return None


def read_case_package(
    source: Source, *, scale: Scale | None = None, strict: bool = False
) -> CaseFramework:
    """Read a CASE ``CFPackage`` JSON file into targets with hierarchy and codes.

    Args:
        source: A path or an open file.
        scale: The scale every target is scored on (Marzano's 0-4 by default).
        strict: Make unknown top-level keys a problem instead of a warning.

    Raises:
        DataFileError: Listing every problem (invalid JSON with its line and column, a missing
            ``CFDocument``, an item without ``identifier`` or ``fullStatement``, an association
            to an unknown item, a cycle of parents).

    Example:
        >>> import io, json
        >>> doc = {"identifier": "d904c1af-254a-40b8-ac50-568c7ff0d0c7", "title": "Grade 3 Math"}
        >>> items = [{"identifier": "a5bd08d1-99ed-40dc-ae57-8b88009cff40",
        ...           "fullStatement": "Equal groups", "humanCodingScheme": "3.EG.A"},
        ...          {"identifier": "4f483aba-f3a3-4176-9651-3d37c45bd3e9",
        ...           "fullStatement": "I can describe a product as equal groups.",
        ...           "humanCodingScheme": "3.EG.A.1"}]
        >>> child = {"associationType": "isChildOf",
        ...          "originNodeURI": {"identifier": items[1]["identifier"]},
        ...          "destinationNodeURI": {"identifier": items[0]["identifier"]}}
        >>> package = {"CFDocument": doc, "CFItems": items, "CFAssociations": [child]}
        >>> framework = read_case_package(io.StringIO(json.dumps(package)))
        >>> [(t.standard_codes, t.parent_id) for t in framework.targets]
        [(('3.EG.A',), None), (('3.EG.A.1',), 'a5bd08d1-99ed-40dc-ae57-8b88009cff40')]
    """
    problems = Problems(source_name(source))
    package = load_json(source, problems)
    if not isinstance(package, dict):
        problems.add(f"must hold a CFPackage object, not {type(package).__name__}")
        problems.check()
    for key in package:
        if key not in _PACKAGE_KEYS:
            if strict:
                problems.add(f"unknown key {key!r} in the CFPackage")
            else:
                problems.warn(f"unknown key {key!r} in the CFPackage is ignored")
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        problems.add("CFDocument is missing or not an object")
        problems.check()
    doc_id = _text(document, "identifier")
    title = _text(document, "title")
    if doc_id is None:
        problems.add("CFDocument.identifier is missing or blank")
    if title is None:
        problems.add("CFDocument.title is missing or blank")
    items = package.get("CFItems", [])
    associations = package.get("CFAssociations", [])
    for key, value in (("CFItems", items), ("CFAssociations", associations)):
        if not isinstance(value, list):
            problems.add(f"{key} must be a list, not {type(value).__name__}")
    problems.check()
    assert doc_id is not None  # for mypy: check() raised otherwise
    assert title is not None
    parsed: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        where = f"CFItems[{index}]"
        if not isinstance(item, dict):
            problems.add(f"{where} must be an object")
            continue
        ident = _link_id(item)
        statement = _text(item, "fullStatement")
        if ident is None:
            problems.add(f"{where}.identifier is missing or blank")
            continue
        if statement is None:
            problems.add(f"{where} ({ident}) has no fullStatement")
            continue
        if ident in parsed:
            problems.add(f"{where}.identifier {ident!r} appears twice")
            continue
        parsed[ident] = item
    parents: dict[str, tuple[float, str]] = {}
    for index, association in enumerate(associations):
        where = f"CFAssociations[{index}]"
        if not isinstance(association, dict):
            problems.add(f"{where} must be an object")
            continue
        if association.get("associationType") != "isChildOf":
            continue
        sequence = association.get("sequenceNumber")
        order = float("inf")
        if isinstance(sequence, int | float) and not isinstance(sequence, bool):
            try:
                order = json_number(sequence, f"{where}.sequenceNumber")
            except ValueError as error:
                problems.add(str(error))
                continue
        origin = _link_id(association.get("originNodeURI"))
        destination = _link_id(association.get("destinationNodeURI"))
        if origin is None or destination is None:
            problems.add(f"{where} needs originNodeURI and destinationNodeURI identifiers")
            continue
        if origin not in parsed:
            if origin != normalize_case_id(doc_id):
                problems.warn(f"{where}: origin {origin!r} is not an item of this package")
            continue
        if destination == normalize_case_id(doc_id):
            continue
        if destination not in parsed:
            problems.add(f"{where}: item {origin!r} is a child of unknown item {destination!r}")
            continue
        if origin in parents:
            kept = parents[origin]
            if order < kept[0]:
                parents[origin], order, destination = (order, destination), kept[0], kept[1]
            problems.warn(
                f"{where}: item {origin!r} has a second parent {destination!r}; "
                f"{parents[origin][1]!r} is kept"
            )
            continue
        parents[origin] = (order, destination)
    for start in parents:
        node, steps = start, 0
        while node in parents and steps <= len(parents):
            node, steps = parents[node][1], steps + 1
        if steps > len(parents):
            problems.add(f"CFAssociations: item {start!r} is its own ancestor (a cycle)")
            break
    original = _original_ids(parsed, problems)
    chosen = scale if scale is not None else Scale.marzano()
    targets: list[LearningTarget] = []
    for ident, item in parsed.items():
        full = _text(item, "fullStatement")
        short = _text(item, "abbreviatedStatement")
        code = _text(item, "humanCodingScheme")
        kind = _text(item, "CFItemType")
        try:
            targets.append(
                LearningTarget(
                    id=original.get(ident, ident),
                    title=short or full or ident,
                    statement=full if short else None,
                    scale=chosen,
                    parent_id=(
                        original.get(parents[ident][1], parents[ident][1])
                        if ident in parents
                        else None
                    ),
                    standard_codes=(code,) if code else (),
                    tags=(kind,) if kind else (),
                )
            )
        except MasteryGradingError as error:
            problems.add(f"CFItem {ident!r}: {error}")
    problems.check()
    return CaseFramework(
        identifier=normalize_case_id(doc_id),
        title=title,
        targets=tuple(targets),
        warnings=tuple(problems.warnings),
    )


def _original_ids(parsed: Mapping[str, Mapping[str, Any]], problems: Problems) -> dict[str, str]:
    """Return the target id that :func:`case_package_json` turned into each derived identifier.

    An item's ``alternativeLabel`` is its original id when the identifier is the UUID derived
    from that label, unless the label is another item's identifier (then ids would clash).
    """
    original: dict[str, str] = {}
    for ident, item in parsed.items():
        label = item.get("alternativeLabel")
        if not isinstance(label, str) or not label.strip():
            continue
        if str(uuid.uuid5(_NAMESPACE, label)) != ident:
            continue
        if label in parsed:
            problems.warn(
                f"CFItem {ident!r}: alternativeLabel {label!r} is also another item's identifier; "
                "the identifier is kept as the id"
            )
            continue
        original[ident] = label
    return original


def _case_id(target_id: str) -> str:
    normalized = normalize_case_id(target_id)
    if _UUID.fullmatch(normalized):
        return normalized
    return str(uuid.uuid5(_NAMESPACE, target_id))


def _case_order(target: LearningTarget) -> tuple[object, ...]:
    code = target.standard_codes[0] if target.standard_codes else target.id
    return id_order(code), id_order(target.id)


def case_package_json(
    targets: Iterable[LearningTarget],
    *,
    title: str,
    creator: str,
    identifier: str | None = None,
    base_uri: str = "urn:uuid:",
    last_change: datetime | None = None,
) -> str:
    """Return targets as a CASE 1.1 ``CFPackage`` JSON text.

    Target ids that are UUIDs are kept as identifiers; other ids get a stable UUID (version 5)
    and are kept as the item's ``alternativeLabel``, from which :func:`read_case_package`
    restores them. Each target's first standard code becomes
    its ``humanCodingScheme``, its first tag its ``CFItemType``, and ``parent_id`` an
    ``isChildOf`` association (top-level targets are children of the document). Items and
    associations are ordered by coding scheme (a target's first standard code, else its id),
    then id, in natural order (``3.OA.2`` before ``3.OA.10``, see
    :func:`~mastery_grading.io.id_order`); this order also gives the ``sequenceNumber``, so
    the same targets in any order give the same file.

    Args:
        targets: The targets; every ``parent_id`` must be one of them.
        title: The framework title.
        creator: Who publishes the framework.
        identifier: The document identifier (by default a UUID derived from ``title``).
        base_uri: Prefix of every ``uri`` (the identifier is appended).
        last_change: The ``lastChangeDateTime`` (by default now, in UTC).

    Raises:
        InvalidValueError: If a ``parent_id`` is not among the targets.

    Example:
        >>> import io
        >>> from mastery_grading import LearningTarget
        >>> targets = [LearningTarget(id="4f483aba-f3a3-4176-9651-3d37c45bd3e9", title="Groups",
        ...                           statement="I can describe equal groups.",
        ...                           standard_codes=("3.EG.A.1",))]
        >>> text = case_package_json(targets, title="Grade 3", creator="Example district")
        >>> read_case_package(io.StringIO(text)).targets == tuple(targets)
        True
    """
    items = sorted(targets, key=_case_order)
    ids = {target.id: _case_id(target.id) for target in items}
    doc_id = normalize_case_id(identifier) if identifier else str(uuid.uuid5(_NAMESPACE, title))
    stamp = (last_change or datetime.now(UTC)).isoformat()

    def link(ident: str, label: str) -> dict[str, str]:
        return {"title": label, "identifier": ident, "uri": base_uri + ident}

    cf_items: list[dict[str, Any]] = []
    cf_associations: list[dict[str, Any]] = []
    for sequence, target in enumerate(items, start=1):
        ident = ids[target.id]
        item: dict[str, Any] = {
            "identifier": ident,
            "uri": base_uri + ident,
            "fullStatement": target.statement or target.title,
            "lastChangeDateTime": stamp,
        }
        if target.statement is not None:
            item["abbreviatedStatement"] = target.title
        if target.standard_codes:
            item["humanCodingScheme"] = target.standard_codes[0]
        if target.tags:
            item["CFItemType"] = target.tags[0]
        if ident != target.id:
            item["alternativeLabel"] = target.id
        cf_items.append(item)
        if target.parent_id is None:
            destination = link(doc_id, title)
        elif target.parent_id in ids:
            destination = link(ids[target.parent_id], target.parent_id)
        else:
            msg = f"target {target.id!r} has parent_id={target.parent_id!r}, not among the targets"
            raise InvalidValueError(msg)
        assoc_id = str(uuid.uuid5(_NAMESPACE, f"{ident}/isChildOf/{destination['identifier']}"))
        cf_associations.append(
            {
                "identifier": assoc_id,
                "uri": base_uri + assoc_id,
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "originNodeURI": link(ident, target.title),
                "destinationNodeURI": destination,
                "lastChangeDateTime": stamp,
            }
        )
    package = {
        "CFDocument": {
            "identifier": doc_id,
            "uri": base_uri + doc_id,
            "creator": creator,
            "title": title,
            "lastChangeDateTime": stamp,
            "caseVersion": "1.1",
        },
        "CFItems": cf_items,
        "CFAssociations": cf_associations,
    }
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def write_case_package(
    path: str | os.PathLike[str],
    targets: Iterable[LearningTarget],
    *,
    title: str,
    creator: str,
    identifier: str | None = None,
    base_uri: str = "urn:uuid:",
    last_change: datetime | None = None,
) -> None:
    """Write targets to ``path`` as a CASE ``CFPackage``, atomically.

    See :func:`case_package_json`; :func:`read_case_package` reads it back.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from mastery_grading import LearningTarget
        >>> path = Path(tempfile.mkdtemp()) / "framework.json"
        >>> write_case_package(path, [LearningTarget(id="LE.1", title="Linear equations")],
        ...                    title="Algebra 1", creator="Example district")
        >>> read_case_package(path).targets[0].title
        'Linear equations'
    """
    text = case_package_json(
        targets,
        title=title,
        creator=creator,
        identifier=identifier,
        base_uri=base_uri,
        last_change=last_change,
    )
    write_text_atomic(path, text)
