r"""Reading a class from files in any supported format: evidence, then targets, then the join.

:func:`read_evidence` reads a Canvas "Outcome Results" report, a plain evidence CSV file or a
OneRoster 1.2 gradebook package, telling them apart from the file itself (``format="auto"``);
:func:`read_targets` reads a Canvas outcomes CSV, a CASE package or a targets JSON file the same
way. :func:`join_targets` points evidence at the targets read from a targets file, joining by
title where the ids differ. The ``mastery-grading`` command reads its inputs with these.

Example:
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "evidence.csv"
    >>> _ = path.write_text("student_id,target_id,score,observed_at\n"
    ...                     "ana,LE.1,3,2026-10-01T09:00:00Z\n")
    >>> found = read_evidence(path)
    >>> found.format, [t.id for t in found.targets], found.evidence[0].score
    ('plain', ['LE.1'], 3.0)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs

from mastery_grading._text import Decimal, MissingScores
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import BulkValidationError, InvalidValueError, Problem
from mastery_grading.gradebook import Duplicates, Gradebook, check_duplicates_option
from mastery_grading.io._common import Problems, source_name
from mastery_grading.io._parquet import read_parquet_columns
from mastery_grading.io.canvas_outcomes import read_canvas_outcomes
from mastery_grading.io.canvas_results import read_canvas_results
from mastery_grading.io.case import read_case_package
from mastery_grading.io.columnar import EvidenceColumns, read_evidence_columns
from mastery_grading.io.native import (
    drop_duplicates,
    read_evidence_rows,
    read_targets_json,
)
from mastery_grading.io.oneroster import oneroster_duplicates, read_oneroster
from mastery_grading.protocols import Policy
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

__all__ = [
    "ClassEvidence",
    "ClassTargets",
    "EvidenceFormat",
    "TargetsFormat",
    "evidence_format",
    "join_targets",
    "read_evidence",
    "read_targets",
    "targets_format",
]

#: Which evidence format a file is in. A Canvas "Outcome Results" CSV report, a plain
#: evidence CSV file (:func:`~mastery_grading.io.read_evidence_csv`), a OneRoster 1.2
#: folder or zip, or a Parquet file with the plain file's columns (the ``fast`` extra).
EvidenceFormat: TypeAlias = Literal["canvas", "plain", "oneroster", "parquet"]

#: Which targets format a file is in. A Canvas outcomes CSV, a CASE 1.0/1.1 JSON package, or
#: a targets JSON.
TargetsFormat: TypeAlias = Literal["canvas-outcomes", "case", "json"]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class ClassEvidence:
    """What :func:`read_evidence` found: the evidence, its targets and who is in the class.

    The evidence itself is the :attr:`evidence` property (give it as ``evidence=``).

    Attributes:
        targets: A target per target id of the evidence (Canvas reports give titles and
            scales; a plain file gives each target Marzano's 0-4 scale).
        format: The format the file was read as.
        students: Student names by student id (Canvas reports).
        sis_ids: Student SIS ids by student id (Canvas reports that fill them in).
        sections: Each student's sections (Canvas reports with a section column); see
            :attr:`student_attributes`.
        contexts: Class names by class id, the evidence ``context`` (Canvas reports).
        rosters: The students of each class, including those without any score (Canvas).
        warnings: Notes that did not stop reading, each naming the file (and line).
        columns: The same evidence by columns, when a plain file was read that way
            (:func:`~mastery_grading.io.columnar.read_evidence_columns`); ``evidence`` is then
            built from it on first use, and :func:`~mastery_grading.io.results_table` scores
            the columns on the vectorized engine.

    Example:
        >>> ClassEvidence(evidence=(), targets=(), format="plain").rosters
        {}
    """

    _evidence: tuple[Evidence, ...] | None = attrs.field(default=None, alias="evidence")
    targets: tuple[LearningTarget, ...]
    format: EvidenceFormat
    students: Mapping[str, str] = attrs.field(factory=dict)
    contexts: Mapping[str, str] = attrs.field(factory=dict)
    rosters: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()
    sis_ids: Mapping[str, str] = attrs.field(factory=dict)
    columns: EvidenceColumns | None = attrs.field(default=None, eq=False, repr=False)
    sections: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    line_of: Callable[[int], int] | None = attrs.field(default=None, eq=False, repr=False)
    row_of: Callable[[int], int] | None = attrs.field(default=None, eq=False, repr=False)
    field_columns: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Return problems about evidence positions as problems at the file's lines and columns.

        A problem whose ``row`` is a position in :attr:`evidence` gets the file, the line of
        that piece of evidence and the column of its field (where the file says them); in a
        file without lines (Parquet), the row of the file.

        Example:
            >>> found = ClassEvidence(evidence=(), targets=(), format="plain", source="ev.csv",
            ...                       line_of=lambda i: i + 2, field_columns={"score": 3})
            >>> [str(p) for p in found.locate([Problem(message="bad", row=5, field="score")])]
            ['ev.csv:7:3: bad']
        """
        out: list[Problem] = []
        for problem in problems:
            if self.source is None or not isinstance(problem.row, int):
                out.append(problem)
                continue
            if self.row_of is not None:
                out.append(attrs.evolve(problem, source=self.source, row=self.row_of(problem.row)))
                continue
            line = None if self.line_of is None else self.line_of(problem.row)
            column = None if problem.field is None else self.field_columns.get(problem.field)
            out.append(
                attrs.evolve(problem, source=self.source, line=line, column=column, row=None)
            )
        return out

    def __attrs_post_init__(self) -> None:
        if self._evidence is None and self.columns is None:
            msg = "ClassEvidence needs evidence= (or columns=); got neither"
            raise InvalidValueError(msg)

    def _fields(self) -> tuple[object, ...]:
        return (
            self.targets,
            self.format,
            self.students,
            self.contexts,
            self.rosters,
            self.warnings,
            self.sis_ids,
            self.sections,
        )

    def __eq__(self, other: object) -> bool:
        """Equal when the evidence (however it was read) and every other field are equal."""
        if not isinstance(other, ClassEvidence):
            return NotImplemented
        return self._fields() == other._fields() and self.evidence == other.evidence

    def __repr__(self) -> str:
        evidence = (
            f"<{len(self.columns)} rows read by columns>"
            if self._evidence is None and self.columns is not None
            else repr(self._evidence)
        )
        names: tuple[str, ...] = ("targets", "format", "students", "contexts", "rosters")
        names += ("warnings", "sis_ids", "sections")
        rest = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"ClassEvidence(evidence={evidence}, {rest})"

    @property
    def student_attributes(self) -> dict[str, Mapping[str, tuple[str, ...]]]:
        """What to give as ``student_attributes=``: ``{"section": sections}`` if any.

        >>> ClassEvidence(evidence=(), targets=(), format="canvas",
        ...               sections={"1042": ("95",)}).student_attributes
        {'section': {'1042': ('95',)}}
        """
        return {"section": self.sections} if self.sections else {}

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The evidence, in file order (built from :attr:`columns` on first use)."""
        if self._evidence is None:
            assert self.columns is not None  # checked when built
            object.__setattr__(self, "_evidence", self.columns.evidence())
        assert self._evidence is not None
        return self._evidence

    def scoring_input(self) -> tuple[Evidence, ...] | EvidenceColumns:
        """What to give :func:`~mastery_grading.io.results_table`: the columns, if read so.

        Example:
            >>> ClassEvidence(evidence=(), targets=(), format="plain").scoring_input()
            ()
        """
        return self.evidence if self.columns is None else self.columns

    def roster(self, context: str | None = None) -> tuple[str, ...]:
        """Return the students of a class (``None``: of every class) known from the file.

        Example:
            >>> found = ClassEvidence(evidence=(), targets=(), format="canvas",
            ...                       rosters={"7": ("1042",), "8": ("1043", "1042")})
            >>> found.roster(), found.roster("8"), found.roster("9")
            (('1042', '1043'), ('1043', '1042'), ())
        """
        if context is None:
            return tuple(dict.fromkeys(s for ids in self.rosters.values() for s in ids))
        return tuple(self.rosters.get(context, ()))


@attrs.frozen(kw_only=True)
class ClassTargets:
    """What :func:`read_targets` found: the targets, their policies and outcome paths.

    Attributes:
        targets: The learning targets, in file order.
        format: The format the file was read as.
        policies: A policy per target id, where the file gives one.
        paths: Canvas outcome paths by target id (Canvas outcomes CSV).
        warnings: Notes that did not stop reading.
        source: The file read, as named in warnings.

    Example:
        >>> ClassTargets(targets=(), format="json").policies
        {}
    """

    targets: tuple[LearningTarget, ...]
    format: TargetsFormat
    policies: Mapping[str, Policy] = attrs.field(factory=dict)
    paths: Mapping[str, str] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()
    source: str = "<targets>"


def _header(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.decode("utf-8-sig", errors="replace").split("\n", 1)[0].lower()


def evidence_format(path: str | os.PathLike[str]) -> EvidenceFormat:
    """Tell the format of an evidence file from its name and first line.

    A folder, a ``.zip`` file or a ``manifest.csv`` is a OneRoster package; a ``.parquet``
    file is Parquet; a CSV file whose header names a "learning outcome id" is a Canvas report;
    anything else (including a file that does not exist, so that reading it reports the
    problem) is a plain evidence CSV.

    Example:
        >>> import tempfile
        >>> evidence_format(tempfile.mkdtemp()), evidence_format("results.zip")
        ('oneroster', 'oneroster')
        >>> evidence_format("evidence.parquet")
        'parquet'
    """
    found = Path(path)
    if found.suffix.lower() == ".parquet":
        return "parquet"
    if found.is_dir() or found.suffix.lower() == ".zip" or found.name == "manifest.csv":
        return "oneroster"
    if found.is_file() and "learning outcome id" in _header(found):
        return "canvas"
    return "plain"


def targets_format(path: str | os.PathLike[str]) -> TargetsFormat:
    """Tell the format of a targets file: ``.csv`` is Canvas outcomes, CASE JSON names a ``CFDocument``.

    Example:
        >>> targets_format("outcomes.csv"), targets_format("targets.json")
        ('canvas-outcomes', 'json')
    """  # noqa: E501
    found = Path(path)
    if found.suffix.lower() == ".csv":
        return "canvas-outcomes"
    if found.is_file() and found.suffix.lower() == ".json":
        with found.open("rb") as handle:
            head = handle.read(65536).decode("utf-8-sig", errors="replace")
        if "CFDocument" in head:
            return "case"
    return "json"


def read_evidence(
    path: str | os.PathLike[str],
    format: EvidenceFormat | Literal["auto"] = "auto",
    *,
    assume_tz: tzinfo | None = None,
    strict: bool = False,
    targets: ClassTargets | None = None,
    duplicates: Duplicates = "error",
    check: bool | None = None,
    missing_scores: MissingScores = "skip",
    decimal: Decimal | None = None,
    strip_ids: bool = False,
) -> ClassEvidence:
    r"""Read the evidence of a class from a file in any supported format.

    Args:
        path: A Canvas "Outcome Results" CSV, a plain evidence CSV, a OneRoster 1.2 folder,
            zip file or ``manifest.csv``, or a Parquet file with the plain CSV's columns (the
            ``fast`` extra; problems name its rows, ``evidence.parquet: row 3: ...``).
        format: The file's format; ``"auto"`` tells it from the file (:func:`evidence_format`).
        assume_tz: Time zone for timestamps without a UTC offset (by default a problem); a
            OneRoster ``scoreDate`` is midnight in this zone (UTC by default).
        strict: Make unknown columns a problem instead of a warning.
        targets: Targets read from a targets file: the evidence is joined to them
            (:func:`join_targets`) and every piece checked against its target.
        duplicates: What to do with duplicates (same student, target, time, score, source
            and kind): ``"error"`` (default) lists every copy by line, ``"drop"`` keeps the
            first copy, ``"keep"`` counts every copy.
        check: Check every piece of evidence against its target (an unknown target, a
            score outside the scale) as the gradebook does, in the same error as the file's
            other problems. By default only when ``targets`` are given; ``True`` checks a file
            read alone against the targets it implies (a plain file: Marzano's 0-4 scale).
        missing_scores: A blank score is skipped as missing evidence with one warning for the
            file (``"skip"``, the default) or is a problem (``"error"``); in OneRoster, a
            result that says why it has no score (``missing=true``, status ``not submitted``
            or ``exempt``) is no evidence, not a missing score.
        decimal: The decimal mark of numbers, ``"."`` or ``","``; by default ``,`` in a
            ``;``-separated file and ``.`` otherwise (OneRoster files are comma-separated).
        strip_ids: Trim the spaces around ids of a plain file; by default kept as written.

    Returns:
        The evidence, a target per target id (those of ``targets`` when given), and the class
        rosters the file gives.

    Raises:
        DataFileError: Listing every problem of every kind with its file, line and column:
            cells that cannot be read, duplicates, evidence for an unknown target and scores
            outside their target's scale, all in one error.
        MissingExtraError: For a Parquet file without pyarrow (the ``fast`` extra).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "report.csv"
        >>> _ = path.write_text("student id,learning outcome id,outcome score,submission date\n"
        ...                     "1042,310,3.0,2024-10-02T13:05:00-05:00\n")
        >>> found = read_evidence(path)
        >>> found.format, found.roster(), found.evidence[0].target_id
        ('canvas', ('1042',), '310')
    """
    check_duplicates_option(duplicates)
    source = Path(path)
    kind = evidence_format(source) if format == "auto" else format
    if kind == "canvas":
        canvas = read_canvas_results(
            source,
            assume_tz=assume_tz,
            strict=strict,
            duplicates=duplicates,
            missing_scores=missing_scores,
            decimal=decimal,
        )
        found = ClassEvidence(
            evidence=canvas.evidence,
            targets=canvas.targets,
            format=kind,
            students=dict(canvas.students),
            contexts=dict(canvas.contexts),
            rosters=dict(canvas.rosters),
            warnings=canvas.warnings,
            sis_ids=dict(canvas.sis_ids),
            sections=dict(canvas.sections),
            source=source_name(source),
            line_of=canvas.lines.__getitem__,
            field_columns=canvas.field_columns,
        )
        return _checked(found, targets, Problems(source_name(source)), check)
    if kind == "oneroster":
        root = source.parent if source.name == "manifest.csv" else source
        book = read_oneroster(root, strict=strict, decimal=decimal or ".")
        read = book.evidence_with_lines(tz=assume_tz or UTC, missing_scores=missing_scores)
        read = oneroster_duplicates(read, duplicates)
        objectives = [link.learning_objective_id for link in book.line_item_objectives]
        ids = dict.fromkeys([*objectives, *(e.target_id for e in read.evidence)])
        notes = (read.skipped_note(),) if read.skipped else ()
        found = ClassEvidence(
            evidence=read.evidence,
            targets=tuple(LearningTarget(id=i, title=i) for i in ids),
            format=kind,
            warnings=(*book.warnings, *notes),
        )
        return _checked(found, targets, Problems(source_name(root)), check)
    if kind == "parquet":
        return _read_parquet(
            source,
            targets,
            check,
            duplicates=duplicates,
            assume_tz=assume_tz,
            strict=strict,
            missing_scores=missing_scores,
            strip_ids=strip_ids,
        )
    columns = read_evidence_columns(
        source,
        assume_tz=assume_tz,
        strict=strict,
        duplicates=duplicates,
        missing_scores=missing_scores,
        decimal=decimal,
        strip_ids=strip_ids,
    )
    if columns is not None:
        found = ClassEvidence(
            columns=columns,
            targets=tuple(
                LearningTarget(id=i, title=i, scale=Scale.marzano()) for i in columns.target_ids
            ),
            format=kind,
            warnings=columns.warnings,
        )
        joined = found if targets is None else join_targets(found, targets)
        if not _checking(targets, check) or (
            joined.columns is not None and joined.columns.fits(joined.targets)
        ):
            return joined
        # a row that does not fit: the row reader words every problem, with its line
    problems, plain = read_evidence_rows(
        source,
        assume_tz=assume_tz,
        strict=strict,
        missing_scores=missing_scores,
        decimal=decimal,
        strip_ids=strip_ids,
    )
    plain = drop_duplicates(plain, problems, duplicates)
    ids = dict.fromkeys(e.target_id for e in plain.evidence)
    found = ClassEvidence(
        evidence=plain.evidence,
        targets=tuple(LearningTarget(id=i, title=i, scale=Scale.marzano()) for i in ids),
        format=kind,
        warnings=tuple(problems.warnings),
        source=problems.file,
        line_of=plain.lines.__getitem__,
        field_columns=plain.field_columns,
    )
    return _checked(found, targets, problems, check)


def _read_parquet(
    source: Path, targets: ClassTargets | None, check: bool | None, **options: Any
) -> ClassEvidence:
    """Read a Parquet evidence file by columns, with the plain CSV file's checks, at its rows."""
    problems = Problems(source_name(source))
    columns, rows = read_parquet_columns(source, problems, **options)
    found = ClassEvidence(
        columns=columns,
        targets=tuple(
            LearningTarget(id=i, title=i, scale=Scale.marzano()) for i in columns.target_ids
        ),
        format="parquet",
        warnings=tuple(problems.warnings),
        source=problems.file,
        row_of=lambda position: int(rows[position]),
    )
    joined = found if targets is None else join_targets(found, targets)
    if _checking(targets, check) and not (
        joined.columns is not None and joined.columns.fits(joined.targets)
    ):  # a row that does not fit: the gradebook's checks word every problem, at its row
        return _checked(found, targets, problems, check)
    problems.check()
    return joined


def _checking(targets: ClassTargets | None, check: bool | None) -> bool:
    return targets is not None if check is None else check


def _checked(
    found: ClassEvidence, targets: ClassTargets | None, problems: Problems, check: bool | None
) -> ClassEvidence:
    """Join ``targets``, check the evidence as the gradebook does, raise every problem once.

    The checks are an unknown target and a score outside the scale, at the file's lines.
    """
    joined = found if targets is None else join_targets(found, targets)
    if not _checking(targets, check):
        problems.check()
        return joined
    try:
        Gradebook.from_evidence(
            joined.evidence, targets=joined.targets, engine="python", duplicates="keep"
        )
    except BulkValidationError as error:
        problems.extend(joined.locate(error.problems))
    problems.check()
    return joined


def read_targets(
    path: str | os.PathLike[str],
    format: TargetsFormat | Literal["auto"] = "auto",
    *,
    strict: bool = False,
) -> ClassTargets:
    """Read learning targets (and their policies, where given) from a file in any format.

    Args:
        path: A Canvas outcomes CSV, a CASE 1.0/1.1 JSON package, or a targets JSON file.
        format: The file's format; ``"auto"`` tells it from the file (:func:`targets_format`).
        strict: Make unknown columns or keys a problem instead of a warning.

    Raises:
        DataFileError: Listing every problem with its file and place.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "targets.json"
        >>> _ = path.write_text('{"targets": [{"id": "LE.1", "title": "Linear equations",'
        ...                     ' "policy": {"policy": "mean"}}]}')
        >>> found = read_targets(path)
        >>> found.format, found.targets[0].title, found.policies["LE.1"]
        ('json', 'Linear equations', Mean(weighted=True))
    """
    source = Path(path)
    kind = targets_format(source) if format == "auto" else format
    if kind == "canvas-outcomes":
        outcomes = read_canvas_outcomes(source, strict=strict)
        return ClassTargets(
            targets=outcomes.targets,
            format=kind,
            policies=dict(outcomes.policies),
            paths=dict(outcomes.paths),
            warnings=outcomes.warnings,
            source=str(source),
        )
    if kind == "case":
        framework = read_case_package(source, strict=strict)
        return ClassTargets(
            targets=framework.targets,
            format=kind,
            warnings=framework.warnings,
            source=str(source),
        )
    found = read_targets_json(source, strict=strict)
    return ClassTargets(
        targets=found.targets,
        format=kind,
        policies=dict(found.policies),
        warnings=found.warnings,
        source=str(source),
    )


def join_targets(evidence: ClassEvidence, targets: ClassTargets) -> ClassEvidence:
    """Return ``evidence`` scored against ``targets``, joined by title where the ids differ.

    A Canvas report names outcomes by Canvas id, while an outcomes CSV may use the school's own
    ``vendor_guid``: an evidence target whose id is not among ``targets`` but whose title
    matches exactly one of them is renamed to that target's id, with a warning naming the file.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> when = datetime(2024, 10, 2, tzinfo=timezone.utc)
        >>> found = ClassEvidence(
        ...     evidence=(Evidence(student_id="1", target_id="310", score=3, observed_at=when),),
        ...     targets=(LearningTarget(id="310", title="NS.1"),), format="canvas")
        >>> ours = ClassTargets(targets=(LearningTarget(id="lt-ns1", title="NS.1"),),
        ...                     format="canvas-outcomes")
        >>> joined = join_targets(found, ours)
        >>> joined.evidence[0].target_id, [t.id for t in joined.targets]
        ('lt-ns1', ['lt-ns1'])
    """
    known = {target.id for target in targets.targets}
    by_title: dict[str, list[LearningTarget]] = {}
    for target in targets.targets:
        by_title.setdefault(target.title, []).append(target)
    renamed: dict[str, str] = {}
    warnings: list[str] = []
    for target in evidence.targets:
        matches = by_title.get(target.title, [])
        if target.id not in known and len(matches) == 1:
            renamed[target.id] = matches[0].id
            warnings.append(
                f"{targets.source}: evidence target {target.id!r} has no target with that id; it "
                f"is joined by its title {target.title!r} to {matches[0].id!r}"
            )
    joined = (*evidence.warnings, *targets.warnings, *warnings)
    if not renamed:
        return attrs.evolve(evidence, targets=targets.targets, warnings=joined)
    items = tuple(
        attrs.evolve(e, target_id=renamed[e.target_id]) if e.target_id in renamed else e
        for e in evidence.evidence
    )
    return attrs.evolve(
        evidence, evidence=items, targets=targets.targets, warnings=joined, columns=None
    )
