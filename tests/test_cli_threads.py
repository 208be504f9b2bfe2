"""``--threads N``: the vectorized engine's threads, given on the command line."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest

from mastery_grading import Gradebook, LearningTarget, policies
from mastery_grading import io as mio
from mastery_grading.cli import build_parser, main
from mastery_grading.exceptions import InvalidValueError

#: The commands that score through the vectorized engine.
COMMANDS = {
    "score": ["--policy", "mean"],
    "grade": ["--policy", "mean", "--converter", "marzano_2010"],
    "compare": ["--policy", "mean", "--policy", "latest=most_recent"],
    "diff": ["--before", "mean", "--after", "most_recent"],
}


def write_evidence(path: Path, students: int = 60, targets: int = 7) -> Path:
    """A plain evidence CSV, its targets in order of first appearance (not in id order)."""
    rng = random.Random(5)
    ids = [f"T{t}" for t in range(targets)]
    rng.shuffle(ids)
    lines = ["student_id,target_id,score,observed_at"]
    for day in range(1, 4):
        for s in rng.sample(range(students), students):
            for target in ids:
                score = rng.choice(["0.0", "1.5", "2.0", "3.0", "4.0"])
                lines.append(f"s{s},{target},{score},2026-10-{day:02d}T{s % 24:02d}:00:00+00:00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_threads_is_parsed_as_a_whole_number(command: str) -> None:
    parser = build_parser()
    assert 3 == parser.parse_args([command, "e.csv", *COMMANDS[command], "--threads", "3"]).threads
    assert parser.parse_args([command, "e.csv", *COMMANDS[command]]).threads is None


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", ""])
def test_a_bad_thread_count_is_a_usage_error_naming_option_value_and_expectation(
    value: str,
) -> None:
    code, out, err = run("score", "e.csv", "--policy", "mean", "--threads", value)
    assert 2 == code
    assert "" == out
    assert f"argument --threads: {value!r} is not a whole number of at least 1" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_results_are_the_same_with_one_and_two_threads_and_reach_the_engine(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    evidence = write_evidence(tmp_path / "evidence.csv")
    given: list[Any] = []
    from_frame = Gradebook.from_frame.__func__  # type: ignore[attr-defined]

    def recorded(cls: type[Gradebook], *args: Any, **kwargs: Any) -> Gradebook:
        given.append(kwargs.get("threads"))
        book: Gradebook = from_frame(cls, *args, **kwargs)
        return book

    monkeypatch.setattr(Gradebook, "from_frame", classmethod(recorded))
    texts = []
    for threads in ("1", "2"):
        code, out, err = run(command, str(evidence), *COMMANDS[command], "--threads", threads)
        assert 0 == code, err
        texts.append(out)
    assert [1, 2] == given  # read by columns, and scored by the engine with those threads
    assert texts[0] == texts[1]
    code, out, err = run(command, str(evidence), *COMMANDS[command])
    assert 0 == code, err
    assert [1, 2, None] == given
    assert texts[0] == out


def test_results_table_and_compare_check_the_thread_count() -> None:
    targets = [LearningTarget(id="T", title="T")]
    for threads in (0, -1, 1.0, True):
        with pytest.raises(InvalidValueError, match=r"threads=.* must be a whole number"):
            mio.results_table([], targets, policies.Mean(), threads=threads)  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match=r"threads=.* must be a whole number"):
            mio.compare_csv_text([], targets, {"mean": policies.Mean()}, threads=threads)  # type: ignore[arg-type]
    assert 0 == len(mio.results_table([], targets, policies.Mean(), threads=1))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_read_row_by_row_sorts_on_the_threads_given(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A quote character makes the columnar reader step aside: the rows become Evidence and go
    # to Gradebook.from_evidence, whose sort must still take --threads.
    pytest.importorskip("numpy")
    from mastery_grading.gradebook._engine import _sort

    evidence = write_evidence(tmp_path / "evidence.csv")
    text = evidence.read_text(encoding="utf-8").replace("s1,", '"s1",', 1)
    evidence.write_text(text, encoding="utf-8")
    used: list[int] = []
    split = _sort._argsort_split

    def spy(packed: Any, counts: Any, span: int, threads: int) -> Any:
        used.append(threads)
        return split(packed, counts, span, threads)

    monkeypatch.setattr(_sort, "SPLIT_ROWS", 4)
    monkeypatch.setattr(_sort, "_argsort_split", spy)
    outs = []
    for threads in ("1", "3"):
        used.clear()
        code, out, err = run(command, str(evidence), *COMMANDS[command], "--threads", threads)
        assert 0 == code, err
        assert used
        assert set(used) == {int(threads)}
        outs.append(out)
    assert outs[0] == outs[1]


def test_from_evidence_checks_the_thread_count_and_a_bad_variable_is_refused_at_any_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("numpy")
    from datetime import UTC, datetime

    from mastery_grading import Evidence

    targets = [LearningTarget(id="T", title="T")]
    with pytest.raises(InvalidValueError, match=r"threads=0 must be a whole number"):
        Gradebook.from_evidence([], targets=targets, threads=0)
    when = datetime(2026, 10, 1, tzinfo=UTC)
    one = [Evidence(student_id="a", target_id="T", score=3, observed_at=when)]
    monkeypatch.setenv("MASTERY_GRADING_THREADS", "0")
    with pytest.raises(InvalidValueError, match="MASTERY_GRADING_THREADS"):
        Gradebook.from_evidence(one, targets=targets, engine="numpy").results(policies.Mean())
    book = Gradebook.from_evidence(one, targets=targets, engine="numpy", threads=1)
    assert 3.0 == book.results(policies.MostRecent()).records()[0]["value"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_threads_size_arrows_pool_for_the_run_and_put_it_back(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow's CSV reader takes its threads from Arrow's pool: --threads N sizes it while the
    # command runs (the file is read with it), and the size it had is put back after
    pa = pytest.importorskip("pyarrow")
    pacsv = pytest.importorskip("pyarrow.csv")
    pytest.importorskip("pandas")
    evidence = write_evidence(tmp_path / "evidence.csv")
    before = pa.cpu_count()
    during: list[int] = []
    read_csv = pacsv.read_csv

    def recorded(*args: Any, **kwargs: Any) -> Any:
        during.append(pa.cpu_count())
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pacsv, "read_csv", recorded)
    code, _, err = run(command, str(evidence), *COMMANDS[command], "--threads", "1")
    assert 0 == code, err
    assert [1] == during
    assert before == pa.cpu_count()
    code, _, err = run(command, str(evidence), *COMMANDS[command])
    assert 0 == code, err
    assert [1, before] == during  # without --threads, Arrow's own count


def test_commands_at_once_put_arrows_pool_back_when_the_last_ends() -> None:
    # two commands overlapping on two threads: the size before the first is restored only
    # when both have ended, whichever ends first
    pa = pytest.importorskip("pyarrow")
    from mastery_grading.cli._common import arrow_threads

    before = pa.cpu_count()
    first = arrow_threads(1)
    second = arrow_threads(2)
    first.__enter__()
    assert 1 == pa.cpu_count()
    second.__enter__()
    assert 2 == pa.cpu_count()
    first.__exit__(None, None, None)
    assert 2 == pa.cpu_count()  # the second still runs
    second.__exit__(None, None, None)
    assert before == pa.cpu_count()
