r"""Reading and writing real gradebook data: Canvas, OneRoster 1.2, CASE and plain CSV/JSON.

One module per format, standard library only (``csv``, ``json``, ``zipfile``). Readers are
tolerant (header names in any order and case, a UTF-8 byte order mark, ``;`` separators, blank
scores as missing evidence) and collect every problem of a file, with its file, line and column,
into one :class:`~mastery_grading.exceptions.DataFileError`. Writers are strict and safe: files
are written atomically, and CSV cells that a spreadsheet would run as a formula are neutralized.

:func:`read_evidence` and :func:`read_targets` read any supported format, telling it from the
file (a large plain evidence CSV file by columns when pyarrow and pandas are installed, see
:mod:`mastery_grading.io.columnar`); every writer of results takes a
:class:`~mastery_grading.ResultTable` (:func:`results_table` builds one from evidence read from
files).

Example:
    >>> import io
    >>> from mastery_grading.io import read_evidence_csv
    >>> read_evidence_csv(io.StringIO("student_id,target_id,score\nana,A,x\n"))
    Traceback (most recent call last):
    ...
    mastery_grading.exceptions.DataFileError: 1 problem in input:
    <stream>:1: missing required column 'observed_at'
"""

from mastery_grading.io._common import MAX_PROBLEMS, atomic_writer, csv_text, neutralize
from mastery_grading.io._output import id_order
from mastery_grading.io._sources import duplicate_json_keys
from mastery_grading.io.canvas_api import (
    CanvasApiResults,
    read_canvas_api_results,
    read_canvas_sections,
)
from mastery_grading.io.canvas_gradebook import (
    CanvasGradebook,
    Rollup,
    RollupDifference,
    StudentRollups,
    canvas_gradebook_text,
    read_canvas_gradebook,
    write_canvas_gradebook,
)
from mastery_grading.io.canvas_outcomes import (
    CanvasMethod,
    CanvasOutcomes,
    OutcomeGroup,
    canvas_outcomes_text,
    read_canvas_outcomes,
    write_canvas_outcomes,
)
from mastery_grading.io.canvas_results import (
    CanvasResults,
    canvas_results_text,
    read_canvas_results,
    write_canvas_results,
)
from mastery_grading.io.case import (
    CaseFramework,
    case_package_json,
    read_case_package,
    write_case_package,
)
from mastery_grading.io.columnar import EvidenceColumns, read_evidence_columns
from mastery_grading.io.inputs import (
    ClassEvidence,
    ClassTargets,
    join_targets,
    read_evidence,
    read_targets,
)
from mastery_grading.io.native import (
    EvidenceFile,
    TargetsFile,
    evidence_csv_text,
    read_evidence_csv,
    read_targets_json,
    targets_json_text,
    write_evidence_csv,
    write_targets_json,
)
from mastery_grading.io.oneroster import (
    OneRosterGradebook,
    oneroster_files,
    read_oneroster,
    write_oneroster,
)
from mastery_grading.io.results import (
    ResultRecord,
    StudentResult,
    compare_csv_text,
    read_results_csv,
    results_csv_text,
    results_json_text,
    results_table,
    score_evidence,
    student_rows,
    write_results_csv,
    write_results_json,
)

__all__ = [
    "MAX_PROBLEMS",
    "CanvasApiResults",
    "CanvasGradebook",
    "CanvasMethod",
    "CanvasOutcomes",
    "CanvasResults",
    "CaseFramework",
    "ClassEvidence",
    "ClassTargets",
    "EvidenceColumns",
    "EvidenceFile",
    "OneRosterGradebook",
    "OutcomeGroup",
    "ResultRecord",
    "Rollup",
    "RollupDifference",
    "StudentResult",
    "StudentRollups",
    "TargetsFile",
    "atomic_writer",
    "canvas_gradebook_text",
    "canvas_outcomes_text",
    "canvas_results_text",
    "case_package_json",
    "compare_csv_text",
    "csv_text",
    "duplicate_json_keys",
    "evidence_csv_text",
    "id_order",
    "join_targets",
    "neutralize",
    "oneroster_files",
    "read_canvas_api_results",
    "read_canvas_gradebook",
    "read_canvas_outcomes",
    "read_canvas_results",
    "read_canvas_sections",
    "read_case_package",
    "read_evidence",
    "read_evidence_columns",
    "read_evidence_csv",
    "read_oneroster",
    "read_results_csv",
    "read_targets",
    "read_targets_json",
    "results_csv_text",
    "results_json_text",
    "results_table",
    "score_evidence",
    "student_rows",
    "targets_json_text",
    "write_canvas_gradebook",
    "write_canvas_outcomes",
    "write_canvas_results",
    "write_case_package",
    "write_evidence_csv",
    "write_oneroster",
    "write_results_csv",
    "write_results_json",
    "write_targets_json",
]
