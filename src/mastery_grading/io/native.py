"""The library's own plain formats: evidence as CSV and targets as JSON.

Evidence CSV has one row per piece of :class:`~mastery_grading.Evidence`, with the columns
named like its fields: ``student_id, target_id, score, observed_at`` (required) and ``kind,
weight, source_id, context, attempt, independent`` (optional). A blank score is missing
evidence, never 0: skipped, and counted in one warning for the file (``missing_scores="error"``
refuses it). Numbers use ``.`` as decimal mark (``decimal=","`` reads ``3,5``; a ``;``-separated
file uses ``,``), times need a UTC offset (or ``assume_tz``), and ids are kept as written
(``strip_ids=True`` trims them): the rules of every input path, in ``docs/concepts.md``.

Targets JSON is ``{"targets": [...]}`` with one object per
:class:`~mastery_grading.LearningTarget`: its fields, the scale as a spec that
:meth:`~mastery_grading.Scale.from_spec` reads (a preset name such as ``"marzano"``, or an object
with ``min``, ``max``, ``mastery`` and optional ``step`` and ``levels``; the writer writes it as
:meth:`~mastery_grading.Scale.to_spec` does), and optionally ``"policy"``, a policy spec.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from typing import Any

import attrs

from mastery_grading._text import (
    ID_FIELDS,
    Decimal,
    MissingScores,
    check_missing_scores,
    skipped_note,
)
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import MasteryGradingError, Problem
from mastery_grading.gradebook import Duplicates, check_duplicates_option
from mastery_grading.gradebook._duplicates import settle_duplicates
from mastery_grading.io._common import (
    Problems,
    Source,
    cell_problem,
    csv_text,
    format_number,
    load_json,
    map_columns,
    parse_bool,
    parse_csv,
    parse_int,
    parse_number,
    parse_timestamp,
    read_text,
    source_name,
    too_large_numbers,
    write_text_atomic,
)
from mastery_grading.io._output import id_order
from mastery_grading.policies import policy_from_spec
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "EVIDENCE_COLUMNS",
    "EvidenceFile",
    "TargetsFile",
    "evidence_csv_text",
    "drop_duplicates",
    "evidence_parsers",
    "read_evidence_csv",
    "read_evidence_rows",
    "read_targets_json",
    "targets_json_text",
    "write_evidence_csv",
    "write_targets_json",
]

#: The columns of an evidence CSV file, in the order they are written.
EVIDENCE_COLUMNS = (
    "student_id",
    "target_id",
    "score",
    "observed_at",
    "kind",
    "weight",
    "source_id",
    "context",
    "attempt",
    "independent",
)
_REQUIRED = EVIDENCE_COLUMNS[:4]


@attrs.frozen(kw_only=True)
class EvidenceFile:
    r"""What :func:`read_evidence_csv` found: the evidence and any warnings.

    Attributes:
        evidence: The evidence, in file order.
        warnings: Notes that did not stop reading (unknown columns, blank scores skipped), each
            naming the file and line.

    Example:
        >>> import io
        >>> text = "student_id,target_id,score,observed_at\nana,T,3,2026-10-01T09:00:00Z\n"
        >>> read_evidence_csv(io.StringIO(text)).evidence[0].score
        3.0
    """

    evidence: tuple[Evidence, ...]
    warnings: tuple[str, ...] = ()
    lines: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)
    field_columns: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)


def read_evidence_csv(
    source: Source,
    *,
    assume_tz: tzinfo | None = None,
    strict: bool = False,
    duplicates: Duplicates = "error",
    missing_scores: MissingScores = "skip",
    decimal: Decimal | None = None,
    strip_ids: bool = False,
) -> EvidenceFile:
    """Read evidence from a CSV file with the :data:`EVIDENCE_COLUMNS`.

    Args:
        source: A path or an open file.
        assume_tz: Time zone for timestamps without a UTC offset (by default they are a problem).
        strict: Make unknown columns a problem instead of a warning.
        duplicates: What to do with duplicate rows (same student, target, time, score,
            source and kind): ``"error"`` (default) lists every copy by line, ``"drop"``
            keeps the first copy, ``"keep"`` counts every copy.
        missing_scores: ``"skip"`` (the default) skips a blank score as missing evidence, with
            one warning for the file; ``"error"`` makes it a problem.
        decimal: The decimal mark of numbers, ``"."`` or ``","``; by default ``,`` in a
            ``;``-separated file and ``.`` otherwise, where ``3,5`` is a problem.
        strip_ids: Trim the spaces around ids (``student_id``, ``target_id``, ``source_id``,
            ``context``); by default they are kept as written.

    Returns:
        The evidence and the warnings; ``lines`` gives each piece's line in the file and
        ``field_columns`` each field's column (1-based).

    Raises:
        DataFileError: Listing every problem of every kind (file, line, column, what is
            wrong), duplicates included.

    Example:
        >>> import io
        >>> text = '''student_id,target_id,score,observed_at
        ... ana,LE.1,3.0,2026-10-01T09:00:00+02:00
        ... ana,LE.1,,2026-10-02T09:00:00+02:00
        ... '''
        >>> found = read_evidence_csv(io.StringIO(text))
        >>> [e.score for e in found.evidence]
        [3.0]
        >>> found.warnings
        ('<stream>:3:3: score is blank: missing evidence, skipped (not counted as 0)',)
    """
    check_duplicates_option(duplicates)
    problems, found = read_evidence_rows(
        source,
        assume_tz=assume_tz,
        strict=strict,
        missing_scores=missing_scores,
        decimal=decimal,
        strip_ids=strip_ids,
    )
    found = drop_duplicates(found, problems, duplicates)
    problems.check()
    return found


def read_evidence_rows(
    source: Source,
    *,
    assume_tz: tzinfo | None = None,
    strict: bool = False,
    missing_scores: MissingScores = "skip",
    decimal: Decimal | None = None,
    strip_ids: bool = False,
) -> tuple[Problems, EvidenceFile]:
    """Read the rows of an evidence CSV file without raising: its problems, and what was read.

    The options are those of :func:`read_evidence_csv`. The rows with a problem are left out
    of the evidence; the caller decides when to raise (``problems.check()``), so that later
    checks (duplicates, targets) join the same error.
    """
    missing_scores = check_missing_scores(missing_scores)
    problems = Problems(source_name(source))
    table = parse_csv(read_text(source, problems), problems)
    columns = map_columns(
        table, problems, required=_REQUIRED, optional=EVIDENCE_COLUMNS[4:], strict=strict
    )
    if any(name not in columns for name in _REQUIRED):
        problems.check()
    parsers = evidence_parsers(
        assume_tz=assume_tz, decimal=table.decimal(decimal), strip_ids=strip_ids
    )
    evidence: list[Evidence] = []
    lines: list[int] = []
    blank: list[int] = []
    for row in table.rows:
        if missing_scores == "skip" and not row.get(columns["score"]):
            blank.append(row.line)
            continue
        fields: dict[str, Any] = {
            name: cell_problem(
                problems,
                row,
                columns,
                name,
                parsers[name],
                strip=strip_ids or name not in ID_FIELDS,
            )
            for name in _REQUIRED
        }
        for name in EVIDENCE_COLUMNS[4:]:
            if name in columns:
                value = cell_problem(
                    problems,
                    row,
                    columns,
                    name,
                    parsers[name],
                    required=False,
                    strip=name not in ID_FIELDS,
                )
                if value is not None:
                    fields[name] = value
        if any(fields[name] is None for name in _REQUIRED):
            continue
        try:
            evidence.append(Evidence(**fields))
        except MasteryGradingError as error:
            problems.add(str(error), line=row.line)
            continue
        lines.append(row.line)
    if blank:
        problems.warn(
            skipped_note("score", "line", blank), line=blank[0], column=columns["score"] + 1
        )
    return problems, EvidenceFile(
        evidence=tuple(evidence),
        warnings=tuple(problems.warnings),
        lines=tuple(lines),
        field_columns={name: index + 1 for name, index in columns.items()},
    )


def drop_duplicates(
    found: EvidenceFile, problems: Problems, duplicates: Duplicates
) -> EvidenceFile:
    """Apply ``duplicates`` to what a reader found: record every copy, drop, or keep them.

    With ``"error"`` each copy after the first is a problem at its line, naming the lines of
    every copy; with ``"drop"`` the first copy of each is kept.
    """

    def place(position: int) -> Problem:
        line = found.lines[position] if found.lines else None
        return Problem(message="", source=problems.file, line=line)

    keep, copies = settle_duplicates(found.evidence, duplicates, place)
    problems.extend(copies)
    if len(keep) == len(found.evidence):
        return found
    return attrs.evolve(
        found,
        evidence=tuple(found.evidence[i] for i in keep),
        lines=tuple(found.lines[i] for i in keep) if found.lines else (),
    )


def evidence_parsers(
    *, assume_tz: tzinfo | None = None, decimal: Decimal = ".", strip_ids: bool = False
) -> dict[str, Callable[[str], Any]]:
    """Return the function reading each of the :data:`EVIDENCE_COLUMNS` from its text.

    The row reader and the columnar reader both read cells with these, so that they agree.
    Ids (given as written) are trimmed only with ``strip_ids``.

    Example:
        >>> parsers = evidence_parsers(decimal=",", strip_ids=True)
        >>> parsers["score"]("3,5"), parsers["student_id"](" ana ")
        (3.5, 'ana')
    """
    ident: Callable[[str], str] = str.strip if strip_ids else str
    return {
        "student_id": ident,
        "target_id": ident,
        "score": lambda text: parse_number(text, decimal=decimal),
        "observed_at": lambda text: parse_timestamp(text, assume_tz=assume_tz),
        "kind": str,
        "weight": lambda text: parse_number(text, decimal=decimal),
        "source_id": ident,
        "context": ident,
        "attempt": lambda text: parse_int(text, minimum=1, decimal=decimal),
        "independent": parse_bool,
    }


def evidence_csv_text(evidence: Iterable[Evidence]) -> str:
    """Return evidence as CSV text with the :data:`EVIDENCE_COLUMNS`.

    Rows are ordered by student id, target id (natural order, see
    :func:`~mastery_grading.io.id_order`), then time and the other fields, so the same
    evidence in any order gives the same file.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = Evidence(student_id="ana", target_id="LE.1", score=3,
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> print(evidence_csv_text([e]), end="")
        student_id,target_id,score,observed_at,kind,weight,source_id,context,attempt,independent
        ana,LE.1,3.0,2026-10-01T00:00:00+00:00,summative,1.0,,,,true
    """
    rows = (
        (
            e.student_id,
            e.target_id,
            format_number(e.score),
            e.observed_at.isoformat(),
            e.kind.value,
            format_number(e.weight),
            e.source_id,
            e.context,
            e.attempt,
            e.independent,
        )
        for e in sorted(evidence, key=_evidence_order)
    )
    return csv_text(EVIDENCE_COLUMNS, rows)


def _evidence_order(e: Evidence) -> tuple[object, ...]:
    """Student, target, time, then every other field: a total order of distinct evidence."""
    return (
        id_order(e.student_id),
        id_order(e.target_id),
        e.observed_at,
        e.observed_at.isoformat(),
        e.score,
        e.kind.value,
        e.weight,
        e.source_id or "",
        e.context or "",
        e.attempt or 0,
        e.independent,
    )


def write_evidence_csv(path: str | os.PathLike[str], evidence: Iterable[Evidence]) -> None:
    """Write evidence to ``path`` as CSV, atomically; :func:`read_evidence_csv` reads it back.

    Text cells that a spreadsheet would run as a formula are neutralized with a leading quote.

    Example:
        >>> import tempfile
        >>> from datetime import datetime, timezone
        >>> from pathlib import Path
        >>> e = Evidence(student_id="ana", target_id="T", score=3.0, source_id="=cmd()",
        ...              observed_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        >>> path = Path(tempfile.mkdtemp()) / "evidence.csv"
        >>> write_evidence_csv(path, [e])
        >>> "'=cmd()" in path.read_text(), read_evidence_csv(path).evidence == (e,)
        (True, True)
    """
    write_text_atomic(path, evidence_csv_text(evidence))


@attrs.frozen(kw_only=True)
class TargetsFile:
    """What :func:`read_targets_json` found: targets, their policies (if given) and warnings.

    Attributes:
        targets: The learning targets, in file order.
        policies: A policy per target id, for targets whose entry has a ``"policy"`` spec.
        warnings: Notes that did not stop reading (unknown keys).

    Example:
        >>> from mastery_grading import LearningTarget
        >>> TargetsFile(targets=(LearningTarget(id="T", title="T"),)).policies
        {}
    """

    targets: tuple[LearningTarget, ...]
    policies: Mapping[str, Any] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()


_TARGET_KEYS = (
    "id",
    "title",
    "statement",
    "scale",
    "parent_id",
    "standard_codes",
    "dok",
    "weight",
    "tags",
    "policy",
)


def _target_entry(target: LearningTarget, policy: Any | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": target.id, "title": target.title}
    if target.statement is not None:
        entry["statement"] = target.statement
    entry["scale"] = target.scale.to_spec()
    if target.parent_id is not None:
        entry["parent_id"] = target.parent_id
    if target.standard_codes:
        entry["standard_codes"] = list(target.standard_codes)
    if target.dok is not None:
        entry["dok"] = target.dok
    if target.weight != 1.0:
        entry["weight"] = target.weight
    if target.tags:
        entry["tags"] = list(target.tags)
    if policy is not None:
        entry["policy"] = policy.to_spec()
    return entry


def targets_json_text(
    targets: Iterable[LearningTarget], *, policies: Mapping[str, Any] | None = None
) -> str:
    """Return targets (and optional policies by target id) as JSON text, ordered by target id.

    Example:
        >>> import io
        >>> from mastery_grading import LearningTarget
        >>> text = targets_json_text([LearningTarget(id="LE.1", title="Linear equations")])
        >>> read_targets_json(io.StringIO(text)).targets[0].title
        'Linear equations'
    """
    policies = policies or {}
    ordered = sorted(targets, key=lambda target: id_order(target.id))
    document = {"targets": [_target_entry(target, policies.get(target.id)) for target in ordered]}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_targets_json(
    path: str | os.PathLike[str],
    targets: Iterable[LearningTarget],
    *,
    policies: Mapping[str, Any] | None = None,
) -> None:
    """Write targets (and optional policies by target id) to ``path`` as JSON, atomically.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "targets.json"
        >>> write_targets_json(path, [LearningTarget(id="T", title="Fractions")])
        >>> read_targets_json(path).targets[0].title
        'Fractions'
    """
    write_text_atomic(path, targets_json_text(targets, policies=policies))


def read_targets_json(source: Source, *, strict: bool = False) -> TargetsFile:
    """Read learning targets (and optional per-target policy specs) from a JSON file.

    Args:
        source: A path or an open file holding ``{"targets": [{...}, ...]}``.
        strict: Make unknown keys a problem instead of a warning.

    Raises:
        DataFileError: Listing every problem; JSON positions give line and column, and a
            problem inside a target names its path (``targets[0].scale.max``), such as an
            integer too large for a float.

    A target's ``"scale"`` is any spec :meth:`~mastery_grading.Scale.from_spec` reads: a
    preset name (``"marzano"``, ``"percent"``), or ``min``/``max``/``mastery`` with optional
    ``step`` and ``levels`` (level objects ``{"name": ..., "minimum": ...}`` or
    ``[name, minimum]`` pairs). Without ``levels`` a scale has Marzano's four level names
    placed on its range, like a target whose scale is left out.

    Example:
        >>> import io
        >>> text = '{"targets": [{"id": "LE.1", "title": "Linear equations",'
        >>> text += ' "scale": {"min": 0, "max": 4, "mastery": 3},'
        >>> text += ' "policy": {"policy": "most_recent"}},'
        >>> text += ' {"id": "LE.2", "title": "Graph lines", "scale": "percent"}]}'
        >>> found = read_targets_json(io.StringIO(text))
        >>> found.targets[0].scale.mastery, found.policies["LE.1"]
        (3.0, MostRecent())
        >>> [level.name for level in found.targets[0].scale.levels]
        ['not yet', 'approaching', 'meets', 'exceeds']
        >>> found.targets[1].scale == Scale.percent()
        True
    """
    problems = Problems(source_name(source))
    document = load_json(source, problems)
    entries = document.get("targets") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        problems.add('expected an object {"targets": [...]} with a list of targets')
        problems.check()
        return TargetsFile(targets=())  # pragma: no cover - check() raised
    targets: list[LearningTarget] = []
    found_policies: dict[str, Any] = {}
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"targets[{index}]"
        if not isinstance(entry, dict):
            problems.add(f"{where} must be an object, not {type(entry).__name__}")
            continue
        for key in entry:
            if key not in _TARGET_KEYS:
                message = f"{where} has unknown key {key!r}"
                if strict:
                    problems.add(message)
                else:
                    problems.warn(message + "; it is ignored")
        known = {key: value for key, value in entry.items() if key in _TARGET_KEYS}
        giants = too_large_numbers(known, where)
        for message in giants:
            problems.add(message)
        if giants:
            continue
        fields = {key: entry[key] for key in _TARGET_KEYS if key in entry and key != "policy"}
        try:
            if "scale" in fields:
                if not isinstance(fields["scale"], dict | str):
                    problems.add(
                        f"{where}.scale={fields['scale']!r} must be an object or a preset name"
                        ' ("marzano", "percent")'
                    )
                    continue
                fields["scale"] = Scale.from_spec(fields["scale"])
            target = LearningTarget(**fields)
            policy = policy_from_spec(entry["policy"]) if "policy" in entry else None
        except (MasteryGradingError, TypeError, ValueError, ArithmeticError) as error:
            problems.add(f"{where}: {error}")
            continue
        if target.id in seen:
            problems.add(f"{where}: id={target.id!r} appears twice")
            continue
        seen.add(target.id)
        targets.append(target)
        if policy is not None:
            found_policies[target.id] = policy
    problems.check()
    return TargetsFile(
        targets=tuple(targets), policies=found_policies, warnings=tuple(problems.warnings)
    )
