from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mastery_grading import (
    Evidence,
    EvidenceKind,
    InvalidTypeError,
    InvalidValueError,
    LearningTarget,
    Scale,
    TargetResult,
    chronological_key,
    sort_chronologically,
)
from mastery_grading.policies import Mean
from mastery_grading.testing import strategies as mst

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


class TestLearningTarget:
    def test_full_target(self) -> None:
        target = LearningTarget(
            id="REI.B.3",
            title="Solve linear equations",
            statement="I can solve linear equations in one variable.",
            scale=Scale.percent(),
            parent_id="REI",
            standard_codes="CCSS.MATH.CONTENT.HSA.REI.B.3",
            dok=2,
            weight=2,
            tags=("core",),
        )
        assert ("CCSS.MATH.CONTENT.HSA.REI.B.3",) == target.standard_codes
        assert 2.0 == target.weight
        assert "I can solve linear equations in one variable." == target.display_name

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"id": ""}, "id='' must be a non-empty string"),
            ({"id": "  "}, "id='  ' must be a non-empty string"),
            ({"title": ""}, "title='' must be a non-empty string"),
            ({"dok": 5}, "dok=5 must be between 1 and 4"),
            ({"weight": 0}, "weight=0.0 must be greater than 0"),
            ({"parent_id": "T"}, "parent_id='T' must differ"),
            ({"standard_codes": ("",)}, "standard_codes item '' must be a non-empty string"),
        ],
    )
    def test_invalid_target(self, kwargs: dict[str, object], message: str) -> None:
        fields: dict[str, object] = {"id": "T", "title": "Target", **kwargs}
        with pytest.raises(InvalidValueError, match=message):
            LearningTarget(**fields)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"standard_codes": 5}, "standard_codes=5 must be a list of strings (or one string)"),
            ({"tags": None}, "tags=None must be a list of strings (or one string), not NoneType"),
        ],
    )
    def test_codes_and_tags_that_are_not_a_list_are_a_type_error_naming_them(
        self, kwargs: dict[str, object], message: str
    ) -> None:
        fields: dict[str, object] = {"id": "T", "title": "Target", **kwargs}
        with pytest.raises(InvalidTypeError, match=re.escape(message)):
            LearningTarget(**fields)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"weight": 10**400}, "weight=1.000e+400 is too large"),
            ({"dok": 10**5000}, "dok=1.000e+5000 must be between 1 and 4"),
        ],
    )
    def test_huge_ints_give_the_library_error_with_a_short_value(
        self, kwargs: dict[str, object], message: str
    ) -> None:
        fields: dict[str, object] = {"id": "T", "title": "Target", **kwargs}
        with pytest.raises(InvalidValueError, match=re.escape(message)):
            LearningTarget(**fields)  # type: ignore[arg-type]

    def test_scale_must_be_a_scale(self) -> None:
        with pytest.raises(InvalidTypeError, match="scale='0-4' must be a Scale, not str"):
            LearningTarget(id="T", title="T", scale="0-4")  # type: ignore[arg-type]


class TestEvidence:
    def test_defaults(self) -> None:
        e = Evidence(student_id="s1", target_id="T", score=3, observed_at=NOW)
        assert (EvidenceKind.SUMMATIVE, 1.0, True, 3.0) == (
            e.kind,
            e.weight,
            e.independent,
            e.score,
        )
        assert isinstance(e.score, float)

    def test_kind_accepts_strings(self) -> None:
        e = Evidence(student_id="s1", target_id="T", score=3, observed_at=NOW, kind="Formative")
        assert EvidenceKind.FORMATIVE is e.kind

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"score": float("nan")}, InvalidValueError, "score=nan is not a finite number"),
            ({"score": float("inf")}, InvalidValueError, "score=inf is not a finite number"),
            ({"score": "3"}, InvalidTypeError, "score='3' must be a number, not str"),
            ({"score": True}, InvalidTypeError, "score=True must be a number, not bool"),
            ({"student_id": ""}, InvalidValueError, "student_id='' must be a non-empty string"),
            ({"target_id": ""}, InvalidValueError, "target_id='' must be a non-empty string"),
            (
                {"observed_at": datetime(2026, 10, 1, 9, 0)},
                InvalidValueError,
                "observed_at='2026-10-01T09:00:00' is a naive datetime",
            ),
            ({"observed_at": "2026-10-01"}, InvalidTypeError, "must be a datetime"),
            ({"kind": "homework"}, InvalidTypeError, "kind='homework' must be 'formative'"),
            ({"weight": -1}, InvalidValueError, "weight=-1.0 must be greater than 0"),
            ({"attempt": 0}, InvalidValueError, "attempt=0 must be at least 1"),
            ({"source_id": ""}, InvalidValueError, "source_id='' must be a non-empty"),
            ({"score": 10**400}, InvalidValueError, r"score=1\.000e\+400 is too large"),
            ({"score": -(10**400)}, InvalidValueError, r"score=-1\.000e\+400 is too large"),
            ({"weight": 10**400}, InvalidValueError, r"weight=1\.000e\+400 is too large"),
        ],
    )
    def test_invalid_evidence_names_field_and_value(
        self, kwargs: dict[str, object], error: type[Exception], message: str
    ) -> None:
        fields: dict[str, object] = {
            "student_id": "s1",
            "target_id": "T",
            "score": 3.0,
            "observed_at": NOW,
            **kwargs,
        }
        with pytest.raises(error, match=message):
            Evidence(**fields)  # type: ignore[arg-type]


class TestTargetResult:
    @pytest.mark.parametrize(
        ("contributions", "message"),
        [
            (5, "contributions=5 must be a list of Contribution, not int"),
            ([0.5], "contributions item 0.5 must be a Contribution, not float"),
        ],
    )
    def test_contributions_of_the_wrong_type_are_a_type_error_naming_them(
        self, contributions: object, message: str
    ) -> None:
        with pytest.raises(InvalidTypeError, match=re.escape(message)):
            TargetResult(
                target=LearningTarget(id="T", title="Target"),
                value=3.0,
                policy=Mean(),
                evidence_count=1,
                contributions=contributions,  # type: ignore[arg-type]
            )

    def test_value_too_large_for_a_float_is_a_library_error(self) -> None:
        with pytest.raises(InvalidValueError, match=re.escape("value=1.000e+400 is too large")):
            TargetResult(
                target=LearningTarget(id="T", title="Target"), value=10**400, policy=Mean()
            )


class TestChronologicalOrder:
    def test_orders_by_instant_across_time_zones(self) -> None:
        eastern = timezone(timedelta(hours=-5))
        early = Evidence(
            student_id="s",
            target_id="T",
            score=1,
            observed_at=datetime(2026, 10, 1, 8, tzinfo=eastern),
        )
        late = Evidence(
            student_id="s",
            target_id="T",
            score=2,
            observed_at=datetime(2026, 10, 1, 12, tzinfo=UTC),
        )
        assert (late, early) == sort_chronologically([early, late])

    def test_same_instant_later_attempt_is_newer(self) -> None:
        first = Evidence(student_id="s", target_id="T", score=4, observed_at=NOW, attempt=1)
        retake = Evidence(student_id="s", target_id="T", score=2, observed_at=NOW, attempt=2)
        assert (first, retake) == sort_chronologically([retake, first])

    def test_same_instant_no_attempt_counts_before_numbered_attempts(self) -> None:
        bare = Evidence(student_id="s", target_id="T", score=4, observed_at=NOW)
        numbered = Evidence(student_id="s", target_id="T", score=2, observed_at=NOW, attempt=1)
        assert (bare, numbered) == sort_chronologically([numbered, bare])

    @given(mst.history_for(LearningTarget(id="T", title="T")), st.randoms())
    def test_order_never_depends_on_input_order(self, history: list[Evidence], rnd: object) -> None:
        shuffled = list(history)
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        assert sort_chronologically(history) == sort_chronologically(shuffled)

    @given(mst.history_for(LearningTarget(id="T", title="T")))
    def test_equal_keys_mean_equal_evidence(self, history: list[Evidence]) -> None:
        for a in history:
            for b in history:
                if chronological_key(a) == chronological_key(b):
                    assert a == b
