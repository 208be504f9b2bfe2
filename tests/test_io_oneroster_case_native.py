"""OneRoster 1.2 gradebook packages, CASE packages and the plain evidence/targets files."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mastery_grading import Evidence, LearningTarget, Scale
from mastery_grading import io as mio
from mastery_grading.exceptions import DataFileError, InvalidValueError
from mastery_grading.gradebook import find_duplicates
from mastery_grading.io import (
    case_package_json,
    evidence_csv_text,
    oneroster_files,
    read_case_package,
    read_evidence_csv,
    read_oneroster,
    read_results_csv,
    read_targets_json,
    results_csv_text,
    targets_json_text,
    write_oneroster,
)
from mastery_grading.policies import Mean, MostRecent
from mastery_grading.testing import strategies as mst


def score_evidence(*args: Any, **kwargs: Any) -> tuple[mio.StudentResult, ...]:
    """The deprecated scorer, which these tests still use for its pairs; it warns."""
    with pytest.warns(DeprecationWarning, match="deprecated"):
        return mio.score_evidence(*args, **kwargs)


def StudentResult(**kwargs: Any) -> mio.StudentResult:  # noqa: N802 - stands in for the class
    """The deprecated pair, which the writers still take for one release; it warns."""
    with pytest.warns(DeprecationWarning, match="deprecated"):
        return mio.StudentResult(**kwargs)


DATA = Path(__file__).parent / "data"
CASE_ITEM = "4f483aba-f3a3-4176-9651-3d37c45bd3e9"
OPTIONS = {
    "class_id": "cls-m4-p2",
    "school_id": "sch-elem",
    "category_id": "cat-standards",
    "academic_session_id": "term-2024-q1",
    "score_date": date(2024, 10, 2),
    "modified": datetime(2024, 10, 3, 15, 0, tzinfo=UTC),
}


def _class_results() -> tuple[list[Evidence], list[LearningTarget]]:
    evidence = read_evidence_csv(DATA / "plain" / "evidence.csv").evidence
    targets = list(read_targets_json(DATA / "plain" / "targets.json").targets)
    targets.append(LearningTarget(id=CASE_ITEM, title="Products as equal groups"))
    return list(evidence), targets


class TestOneRoster:
    @pytest.mark.parametrize("name", ["package", "package.zip"])
    def test_scores_and_levels_round_trip_per_learning_objective(
        self, tmp_path: Path, name: str
    ) -> None:
        evidence, targets = _class_results()
        results = score_evidence(evidence, targets, MostRecent())
        write_oneroster(tmp_path / name, results, **OPTIONS)  # type: ignore[arg-type]
        book = read_oneroster(tmp_path / name)
        expected = {
            (r.student_id, r.result.target.id): (r.result.value, r.result.level.name)
            for r in results
            if r.result.value is not None and r.result.level is not None
        }
        results_by_id = {result.sourced_id: result for result in book.results}
        actual = {
            (results_by_id[o.result_id].student_id, o.learning_objective_id): (
                o.score,
                o.text_score,
            )
            for o in book.result_objectives
        }
        assert expected == actual
        assert "1.2" == book.manifest["oneroster.version"]
        assert {"case", "unknown"} == {link.source for link in book.line_item_objectives}

    def test_students_without_evidence_are_not_submitted_and_missing(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        write_oneroster(tmp_path, score_evidence(evidence, targets, Mean()), **OPTIONS)  # type: ignore[arg-type]
        book = read_oneroster(tmp_path)
        empty = [r for r in book.results if r.score is None]
        assert empty
        assert all(r.score_status == "not submitted" and r.missing for r in empty)

    def test_the_package_has_the_five_files_and_spec_headers(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        write_oneroster(tmp_path / "p.zip", score_evidence(evidence, targets, Mean()), **OPTIONS)  # type: ignore[arg-type]
        with zipfile.ZipFile(tmp_path / "p.zip") as archive:
            names = set(archive.namelist())
            header = archive.read("results.csv").decode().splitlines()[0]
        assert {
            "manifest.csv",
            "lineItems.csv",
            "results.csv",
            "lineItemLearningObjectiveIds.csv",
            "resultLearningObjectiveIds.csv",
        } == names
        assert header.startswith("sourcedId,status,dateLastModified,lineItemSourcedId")

    def test_evidence_comes_back_from_the_per_objective_scores(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        results = score_evidence(evidence, targets, MostRecent())
        write_oneroster(tmp_path, results, **OPTIONS)  # type: ignore[arg-type]
        back = read_oneroster(tmp_path).evidence()
        assert {(r.student_id, r.result.target.id) for r in results if r.result.value} == {
            (e.student_id, e.target_id) for e in back
        }
        assert all(e.observed_at == datetime(2024, 10, 2, tzinfo=UTC) for e in back)

    def test_broken_references_name_file_line_and_column(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        files = oneroster_files(score_evidence(evidence, targets, Mean()), **OPTIONS)  # type: ignore[arg-type]
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        results = (tmp_path / "results.csv").read_text(encoding="utf-8")
        (tmp_path / "results.csv").write_text(
            results.replace("li:LE.1", "li:nowhere", 1), encoding="utf-8"
        )
        with pytest.raises(DataFileError) as caught:
            read_oneroster(tmp_path)
        file, line, column, message = caught.value.locations[0]
        assert file.endswith("results.csv")
        # results by student, then target id: ana's CASE item (a UUID) on line 2, LE.1 on 3
        assert (3, 4) == (line, column)
        assert "'li:nowhere' is not in lineItems.csv" in message

    def test_a_listed_file_that_is_missing_is_named(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        write_oneroster(tmp_path, score_evidence(evidence, targets, Mean()), **OPTIONS)  # type: ignore[arg-type]
        (tmp_path / "lineItems.csv").unlink()
        with pytest.raises(DataFileError, match=r"manifest lists lineItems\.csv, which is missing"):
            read_oneroster(tmp_path)

    def test_writing_requires_the_ids_oneroster_requires(self) -> None:
        with pytest.raises(InvalidValueError, match="class_id"):
            oneroster_files([], **{**OPTIONS, "class_id": " "})  # type: ignore[arg-type]

    def test_a_file_that_is_not_a_zip_is_a_data_error(self, tmp_path: Path) -> None:
        (tmp_path / "x.zip").write_bytes(b"not a zip")
        with pytest.raises(DataFileError, match="neither a folder nor a readable zip"):
            read_oneroster(tmp_path / "x.zip")

    def test_ids_with_colons_give_distinct_sourced_ids_that_read_back(self) -> None:
        # Unescaped, both results would be "res:a:b:c".
        first = Mean().evaluate(
            [Evidence(student_id="c", target_id="a:b", score=1.0, observed_at=mst.EPOCH)],
            LearningTarget(id="a:b", title="A colon B"),
        )
        second = Mean().evaluate(
            [Evidence(student_id="b:c", target_id="a", score=3.0, observed_at=mst.EPOCH)],
            LearningTarget(id="a", title="A"),
        )
        results = [
            StudentResult(student_id="c", result=first),
            StudentResult(student_id="b:c", result=second),
        ]
        files = oneroster_files(results, **OPTIONS)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory() as folder:
            for name, text in files.items():
                (Path(folder) / name).write_text(text, encoding="utf-8")
            book = read_oneroster(folder)
        # by student id ("b:c" before "c"), then target id
        assert ["res:a:b%3Ac", "res:a%3Ab:c"] == [r.sourced_id for r in book.results]
        by_id = {r.sourced_id: r for r in book.results}
        assert {("c", "a:b", 1.0), ("b:c", "a", 3.0)} == {
            (by_id[o.result_id].student_id, o.learning_objective_id, o.score)
            for o in book.result_objectives
        }

    def test_writing_refuses_the_same_student_and_target_twice(self) -> None:
        empty = Mean().evaluate([], LearningTarget(id="NS.1", title="Fractions"))
        twice = [StudentResult(student_id="stu-1", result=empty)] * 2
        with pytest.raises(InvalidValueError, match=r"student 'stu-1' on target 'NS\.1' twice"):
            oneroster_files(twice, **OPTIONS)  # type: ignore[arg-type]

    def test_a_repeated_sourced_id_on_reading_is_a_problem(self, tmp_path: Path) -> None:
        evidence, targets = _class_results()
        files = oneroster_files(score_evidence(evidence, targets, Mean()), **OPTIONS)  # type: ignore[arg-type]
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        lines = files["lineItemLearningObjectiveIds.csv"].splitlines()
        (tmp_path / "lineItemLearningObjectiveIds.csv").write_text(
            "\n".join([*lines, lines[1]]) + "\n", encoding="utf-8"
        )
        with pytest.raises(DataFileError) as caught:
            read_oneroster(tmp_path)
        [(file, line, column, message)] = caught.value.locations
        assert file.endswith("lineItemLearningObjectiveIds.csv")
        assert (len(lines) + 1, 1) == (line, column)
        # line items by target id: the CASE item (a UUID) first
        assert f"sourcedId='lilo:{CASE_ITEM}' appears again (first on line 2)" in message

    def test_case_objectives_are_written_in_urn_uuid_form_and_read_back_bare(self) -> None:
        empty = Mean().evaluate([], LearningTarget(id=CASE_ITEM.upper(), title="Groups"))
        files = oneroster_files([StudentResult(student_id="s", result=empty)], **OPTIONS)  # type: ignore[arg-type]
        assert f",case,urn:uuid:{CASE_ITEM}\r\n" in files["lineItemLearningObjectiveIds.csv"]

    def test_the_manifest_names_every_gradebook_file_of_the_csv_binding(self) -> None:
        manifest = oneroster_files([], **OPTIONS)["manifest.csv"]  # type: ignore[arg-type]
        rows = dict(line.split(",") for line in manifest.splitlines()[1:])
        assert {
            "file.lineItems": "bulk",
            "file.results": "bulk",
            "file.lineItemLearningObjectiveIds": "bulk",
            "file.resultLearningObjectiveIds": "bulk",
            "file.categories": "absent",
            "file.scoreScales": "absent",
            "file.lineItemScoreScales": "absent",
            "file.resultScoreScales": "absent",
        } == {key: value for key, value in rows.items() if key.startswith("file.")}


class TestCase:
    def test_items_become_targets_with_hierarchy_and_codes(self) -> None:
        framework = read_case_package(DATA / "case" / "package.json")
        cluster, standard = framework.targets
        assert "Grade 3 Mathematics Learning Targets" == framework.title
        assert ("3.EG.A",) == cluster.standard_codes
        assert None is cluster.parent_id
        assert ("3.EG.A.1",) == standard.standard_codes
        assert cluster.id == standard.parent_id
        assert "Products as equal groups" == standard.title
        assert standard.statement is not None
        assert standard.statement.startswith("I can describe")
        assert ("Standard",) == standard.tags

    def test_a_package_round_trips(self) -> None:
        framework = read_case_package(DATA / "case" / "package.json")
        text = case_package_json(framework.targets, title=framework.title, creator="District")
        back = read_case_package(io.StringIO(text)).targets
        assert sorted(framework.targets, key=repr) == sorted(back, key=repr)
        # the file is ordered by coding scheme (first standard code), then id
        assert ["3.EG.A", "3.EG.A.1"] == [t.standard_codes[0] for t in back]

    @given(mst.class_evidence())
    def test_any_targets_round_trip_under_stable_uuids(
        self, case: tuple[tuple[LearningTarget, ...], list[Evidence]]
    ) -> None:
        targets = case[0]
        first = read_case_package(io.StringIO(case_package_json(targets, title="T", creator="C")))
        again = case_package_json(first.targets, title="T", creator="C")
        second = read_case_package(io.StringIO(again))
        assert sorted(t.title for t in targets) == sorted(t.title for t in second.targets)
        assert first.targets == second.targets

    def test_ids_that_are_not_uuids_survive_a_write_and_read(self) -> None:
        targets = [
            LearningTarget(id="ALG", title="Algebra"),
            LearningTarget(id="LE.1", title="Linear equations", parent_id="ALG"),
            LearningTarget(id=CASE_ITEM, title="Equal groups", parent_id="LE.1"),
        ]
        text = case_package_json(targets, title="Algebra 1", creator="District")
        items = json.loads(text)["CFItems"]  # by id: the UUID sorts first
        assert CASE_ITEM == items[0]["identifier"]
        assert ["ALG", "LE.1"] == [item.get("alternativeLabel") for item in items[1:]]
        back = read_case_package(io.StringIO(text)).targets
        assert [(CASE_ITEM, "LE.1"), ("ALG", None), ("LE.1", "ALG")] == [
            (t.id, t.parent_id) for t in back
        ]

    def test_an_alternative_label_that_is_not_our_derived_id_is_only_a_label(self) -> None:
        package = {
            "CFDocument": {"identifier": "d", "title": "F"},
            "CFItems": [{"identifier": CASE_ITEM, "fullStatement": "S", "alternativeLabel": "X"}],
        }
        assert CASE_ITEM == read_case_package(io.StringIO(json.dumps(package))).targets[0].id

    def test_a_sequence_number_too_large_for_a_float_is_a_problem(self) -> None:
        package = json.loads((DATA / "case" / "package.json").read_text(encoding="utf-8"))
        package["CFAssociations"][0]["sequenceNumber"] = 10**400
        with pytest.raises(DataFileError) as caught:
            read_case_package(io.StringIO(json.dumps(package)))
        [(_, _, _, message)] = caught.value.locations
        assert message.startswith("CFAssociations[0].sequenceNumber=1.000e+400 is too large")

    def test_an_integer_longer_than_python_reads_names_line_and_column(self) -> None:
        text = '{"CFDocument": {"identifier": "d", "title": "F"},\n "x": ' + "1" * 5000 + "}"
        with pytest.raises(DataFileError) as caught:
            read_case_package(io.StringIO(text))
        [(_, line, column, message)] = caught.value.locations
        assert (2, 7) == (line, column)
        assert "integer of 5000 digits" in message

    def test_urn_uuid_identifiers_are_normalised(self) -> None:
        package = {
            "CFDocument": {"identifier": "d904c1af-254a-40b8-ac50-568c7ff0d0c7", "title": "F"},
            "CFItems": [{"identifier": "urn:uuid:" + CASE_ITEM.upper(), "fullStatement": "S"}],
        }
        framework = read_case_package(io.StringIO(json.dumps(package)))
        assert CASE_ITEM == framework.targets[0].id

    def test_invalid_json_names_line_and_column(self) -> None:
        with pytest.raises(DataFileError) as caught:
            read_case_package(io.StringIO('{\n  "CFDocument": ,\n}'))
        assert (2, 17) == caught.value.locations[0][1:3]

    def test_every_item_problem_is_reported(self) -> None:
        package = {
            "CFDocument": {"identifier": "d", "title": "F"},
            "CFItems": [{"fullStatement": "S"}, {"identifier": "x"}, "junk"],
            "CFAssociations": [
                {
                    "associationType": "isChildOf",
                    "originNodeURI": {"identifier": "x"},
                    "destinationNodeURI": {"identifier": "nowhere"},
                }
            ],
        }
        with pytest.raises(DataFileError) as caught:
            read_case_package(io.StringIO(json.dumps(package)))
        assert 3 <= len(caught.value.locations)

    def test_a_cycle_of_parents_is_a_problem(self) -> None:
        def child(a: str, b: str) -> dict[str, object]:
            return {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": a},
                "destinationNodeURI": {"identifier": b},
            }

        package = {
            "CFDocument": {"identifier": "d", "title": "F"},
            "CFItems": [
                {"identifier": "a", "fullStatement": "A"},
                {"identifier": "b", "fullStatement": "B"},
            ],
            "CFAssociations": [child("a", "b"), child("b", "a")],
        }
        with pytest.raises(DataFileError, match="cycle"):
            read_case_package(io.StringIO(json.dumps(package)))


class TestPlainFiles:
    @given(mst.class_evidence())
    def test_evidence_csv_round_trips_every_field(
        self, case: tuple[tuple[LearningTarget, ...], list[Evidence]]
    ) -> None:
        evidence = case[1]
        back = read_evidence_csv(
            io.StringIO(evidence_csv_text(evidence)), duplicates="keep"
        ).evidence
        assert sorted(evidence, key=repr) == sorted(back, key=repr)

    @given(mst.class_evidence())
    def test_targets_json_round_trips_targets_and_policies(
        self, case: tuple[tuple[LearningTarget, ...], list[Evidence]]
    ) -> None:
        targets = case[0]
        policies = {targets[0].id: MostRecent()}
        back = read_targets_json(io.StringIO(targets_json_text(targets, policies=policies)))
        assert sorted(targets, key=repr) == sorted(back.targets, key=repr)
        assert policies == dict(back.policies)

    def test_results_csv_round_trips(self) -> None:
        evidence, targets = _class_results()
        results = score_evidence(evidence, targets, Mean())
        records = read_results_csv(io.StringIO(results_csv_text(results)))
        assert [(r.student_id, r.result.target.id, r.result.value) for r in results] == [
            (r.student_id, r.target_id, r.value) for r in records
        ]

    def test_a_targets_file_with_bad_entries_lists_them_all(self) -> None:
        text = json.dumps(
            {
                "targets": [
                    {"id": "", "title": "x"},
                    {"id": "a"},
                    {"id": "b", "title": "B", "scale": {"min": 4, "max": 0, "mastery": 1}},
                    7,
                ]
            }
        )
        with pytest.raises(DataFileError) as caught:
            read_targets_json(io.StringIO(text))
        assert 4 == len(caught.value.locations)

    @pytest.mark.parametrize(
        ("entry", "field"),
        [
            ({"scale": {"min": 0, "max": 10**400, "mastery": 1}}, "targets[0].scale.max"),
            ({"weight": -(10**400)}, "targets[0].weight"),
            ({"policy": {"policy": "decaying_average", "rate": 10**400}}, "targets[0].policy.rate"),
        ],
    )
    def test_an_integer_too_large_for_a_float_is_a_problem_naming_its_field(
        self, entry: dict[str, object], field: str
    ) -> None:
        text = json.dumps({"targets": [{"id": "a", "title": "A", **entry}]})
        with pytest.raises(DataFileError) as caught:
            read_targets_json(io.StringIO(text))
        [(_, _, _, message)] = caught.value.locations
        assert message.startswith(f"{field}=")
        assert "too large" in message

    def test_an_integer_longer_than_python_reads_is_a_json_problem(self) -> None:
        text = '{"targets": [\n{"id": "a", "title": "A", "dok": ' + "9" * 4400 + "}]}"
        with pytest.raises(DataFileError) as caught:
            read_targets_json(io.StringIO(text))
        [(_, line, column, message)] = caught.value.locations
        assert (2, 34) == (line, column)
        assert "integer of 4400 digits" in message

    def test_unknown_target_keys_are_reported(self) -> None:
        text = json.dumps({"targets": [{"id": "a", "title": "A", "colour": "red"}]})
        assert ["<stream>: targets[0] has unknown key 'colour'; it is ignored"] == list(
            read_targets_json(io.StringIO(text)).warnings
        )
        with pytest.raises(DataFileError):
            read_targets_json(io.StringIO(text), strict=True)

    def test_scoring_names_every_unknown_target(self) -> None:
        e = Evidence(student_id="s", target_id="X", score=1, observed_at=mst.EPOCH)
        with pytest.raises(InvalidValueError, match="'X'"):
            score_evidence([e], [LearningTarget(id="A", title="A", scale=Scale.marzano())], Mean())


ids_with_any_text = st.text(min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip() != "" and "\x00" not in s
)


@given(student=ids_with_any_text, target=ids_with_any_text, source=ids_with_any_text)
def test_any_text_round_trips_through_an_evidence_file(
    student: str, target: str, source: str
) -> None:
    e = Evidence(
        student_id=student,
        target_id=target,
        score=2.0,
        observed_at=mst.EPOCH,
        source_id=source,
        context=source,
    )
    assert (e,) == read_evidence_csv(io.StringIO(evidence_csv_text([e]))).evidence


@given(mst.class_evidence())
def test_any_class_round_trips_through_a_oneroster_package(
    case: tuple[tuple[LearningTarget, ...], list[Evidence]],
) -> None:
    targets, evidence = case
    assume(not find_duplicates(evidence))  # duplicates are refused (see test_cli)
    results = score_evidence(evidence, targets, MostRecent())
    files = oneroster_files(results, **OPTIONS)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        book = read_oneroster(folder)
    by_result = {result.sourced_id: result for result in book.results}
    back = {
        (by_result[o.result_id].student_id, o.learning_objective_id): o.score
        for o in book.result_objectives
    }
    expected = {
        (r.student_id, r.result.target.id): r.result.value
        for r in results
        if r.result.value is not None
    }
    assert expected == back
    assert len(results) == len(book.results)
