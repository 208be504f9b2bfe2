"""Bayesian Knowledge Tracing: the model's fit, predictions and refusals, the policy, the axiom."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mastery_grading import Evidence, Gradebook, LearningTarget, policies
from mastery_grading.bkt import BKTModel, InsufficientDataWarning, NotFittedError, auc, rmse
from mastery_grading.exceptions import BulkValidationError, InvalidValueError
from mastery_grading.fairness.audit import audit
from mastery_grading.fairness.axioms import AXIOMS
from mastery_grading.fairness.cases import PolicyCase
from mastery_grading.simulation import (
    BKTLearner,
    Measurement,
    compare,
    simulate_bkt,
    simulate_cohort,
)
from mastery_grading.testing import parametrize_with_checks
from mastery_grading.testing.examples import scores_to_history

TARGET = LearningTarget(id="T", title="Ratios")  # 0-4, mastery at 3
TRUE = {"prior": 0.3, "learn": 0.15, "guess": 0.2, "slip": 0.1}


def simulate(n: int, answers: int, seed: int, target: str = "T") -> pd.DataFrame:
    """Answers drawn with the TRUE parameters."""
    return simulate_bkt(
        n=n,
        answers=answers,
        seed=seed,
        target=target,
        prior=TRUE["prior"],
        learn=TRUE["learn"],
        guess=TRUE["guess"],
        slip=TRUE["slip"],
    )


def rows(answers: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(student, correct, opportunity) of each row."""
    return list(
        zip(
            answers["student_id"].tolist(),
            answers["correct"].tolist(),
            answers["opportunity"].tolist(),
            strict=True,
        )
    )


def two_targets(seed: int = 0) -> pd.DataFrame:
    a = simulate(120, 8, seed, target="A")
    b = simulate_bkt(n=80, answers=5, target="B", seed=seed + 1, prior=0.6, learn=0.3)
    return pd.concat([a, b], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Fitting


def test_fit_recovers_known_parameters_of_2000_simulated_students_within_003() -> None:
    answers = simulate(2000, 12, 7)
    model = BKTModel(restarts=2, seed=0).fit(answers)
    fitted = model.params().set_index("parameter")["value"]
    for name, value in TRUE.items():
        assert abs(fitted[name] - value) <= 0.03, (name, fitted[name])
    assert 0.0 == fitted["forget"]


def test_numba_and_numpy_engines_give_the_same_fit_and_predictions() -> None:
    pytest.importorskip("numba", reason="the numba engine needs the bkt extra (numba)")
    answers = two_targets()
    fast = BKTModel(restarts=2, engine="numba").fit(answers)
    plain = BKTModel(restarts=2, engine="numpy").fit(answers)
    np.testing.assert_allclose(fast.params()["value"], plain.params()["value"], atol=1e-9)
    np.testing.assert_allclose(fast.predict(answers), plain.predict(answers), atol=1e-12)
    np.testing.assert_allclose(fast.mastery(answers), plain.mastery(answers), atol=1e-12)


def test_fit_keeps_guess_and_slip_within_the_default_bounds_of_03() -> None:
    # answers that an unbounded fit explains with a guess near 0.6
    answers = simulate_bkt(n=400, answers=6, prior=0.0, learn=0.01, guess=0.6, slip=0.3, seed=3)
    values = BKTModel(restarts=1).fit(answers).params().set_index("parameter")["value"]
    assert values["guess"] <= 0.3
    assert values["slip"] <= 0.3
    assert values["learn"] >= 1e-4


def test_bounds_that_allow_guess_plus_slip_of_1_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="guess \\+ slip >= 1"):
        BKTModel(bounds={"guess": (0.0, 0.6), "slip": (0.0, 0.5)})
    with pytest.raises(InvalidValueError, match="bounds"):
        BKTModel(bounds={"learns": (0.0, 0.5)})


def test_a_beta_prior_pulls_the_map_fit_toward_its_mode() -> None:
    answers = simulate(30, 4, 5)
    plain = BKTModel(restarts=1).fit(answers).params().set_index("parameter")["value"]
    strong = BKTModel(restarts=1, prior={"learn": (900.0, 100.0)}).fit(answers)
    pulled = strong.params().set_index("parameter")["value"]
    assert abs(pulled["learn"] - 0.9) < abs(plain["learn"] - 0.9)


def test_the_same_answers_in_another_row_order_give_the_same_fit() -> None:
    answers = two_targets()
    students = answers["student_id"].unique()[::-1]
    shuffled = pd.concat([answers[answers["student_id"] == s] for s in students])
    first = BKTModel(restarts=2).fit(answers).params()["value"].to_numpy()
    second = BKTModel(restarts=2).fit(shuffled).params()["value"].to_numpy()
    assert first.tolist() == second.tolist()


def test_order_column_sorts_each_students_answers() -> None:
    answers = simulate(60, 6, 11)
    backwards = answers.iloc[::-1].reset_index(drop=True)
    model = BKTModel(restarts=1).fit(answers)
    expected = model.predict(answers)
    actual = model.predict(backwards, order="opportunity")
    np.testing.assert_allclose(expected[::-1], actual)


def test_intervals_from_the_observed_information_contain_the_estimate() -> None:
    answers = simulate(500, 10, 2)
    table = BKTModel(restarts=1).fit(answers, intervals=True).params().set_index("parameter")
    lower = dict(zip(table.index, table["lower"].tolist(), strict=True))
    value = dict(zip(table.index, table["value"].tolist(), strict=True))
    upper = dict(zip(table.index, table["upper"].tolist(), strict=True))
    for name in TRUE:
        assert lower[name] <= value[name] <= upper[name]
        assert upper[name] - lower[name] < 0.2
    assert np.isnan(lower["forget"])  # not fitted: fixed at 0


def test_too_little_data_warns_and_gives_the_bounded_prior_only_fit() -> None:
    small = simulate_bkt(n=5, answers=4, target="tiny", seed=1)
    answers = pd.concat([two_targets(), small], ignore_index=True)
    with pytest.warns(InsufficientDataWarning, match="'tiny'"):
        model = BKTModel(restarts=1).fit(answers)
    table = model.params().set_index(["target", "parameter"])
    assert "prior only" == table.loc[("tiny", "prior"), "fit"]
    assert "em" == table.loc[("A", "prior"), "fit"]
    assert 0.5 == table.loc[("tiny", "prior"), "value"]
    assert 0.2 == table.loc[("tiny", "guess"), "value"]


def test_prior_only_fit_takes_the_beta_priors_mode() -> None:
    small = simulate_bkt(n=5, answers=4, seed=1)
    with pytest.warns(InsufficientDataWarning):
        model = BKTModel(prior={"learn": (3.0, 5.0)}).fit(small)
    values = model.params().set_index("parameter")["value"]
    assert pytest.approx(2.0 / 6.0) == values["learn"]


# ---------------------------------------------------------------------------------------------
# Predicting and evaluating


def test_predict_is_one_step_ahead_and_mastery_is_the_policys_probability() -> None:
    answers = simulate(50, 5, 4)
    model = BKTModel(restarts=1).fit(answers)
    policy = model.policy("T")
    predicted, mastery = model.predict(answers), model.mastery(answers)
    first = answers.index[answers["student_id"] == "s3"]
    ahead = policy.prior
    for row in first:
        expected = ahead * (1 - policy.slip) + (1 - ahead) * policy.guess
        assert pytest.approx(expected, abs=1e-12) == predicted[row]
        after, ahead = policy.step(ahead, bool(answers.loc[row, "correct"]))
        assert pytest.approx(after, abs=1e-12) == mastery[row]


def test_evaluate_takes_named_and_callable_metrics() -> None:
    answers = two_targets()
    model = BKTModel(restarts=1).fit(answers)
    predicted = model.predict(answers)
    assert pytest.approx(auc(answers["correct"], predicted)) == model.evaluate(answers, "auc")
    assert pytest.approx(rmse(answers["correct"], predicted)) == model.evaluate(answers)
    assert 0.5 < model.evaluate(answers, "accuracy") <= 1.0
    assert 7.0 == model.evaluate(answers, lambda y, p: 7.0)
    with pytest.raises(InvalidValueError, match="metric='r2'"):
        model.evaluate(answers, "r2")


def test_crossvalidate_gives_one_score_per_fold_by_student() -> None:
    scores = BKTModel(restarts=1).crossvalidate(two_targets(), folds=3, metric="auc")
    assert (3,) == scores.shape
    assert bool(((scores > 0.5) & (scores < 1.0)).all())


def test_an_unfitted_target_is_predicted_from_the_prior_only_parameters_with_a_warning() -> None:
    model = BKTModel(restarts=1).fit(two_targets())
    other = simulate_bkt(n=3, answers=2, target="new", seed=0)
    with pytest.warns(InsufficientDataWarning, match="'new'"):
        predicted = model.predict(other)
    assert pytest.approx(0.5 * 0.9 + 0.5 * 0.2) == predicted[0]


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        BKTModel().predict(two_targets())


def test_polars_frames_are_read_like_pandas_frames() -> None:
    pl = pytest.importorskip("polars", reason="polars frames need the fast extra")
    answers = two_targets()
    model = BKTModel(restarts=1).fit(answers)
    np.testing.assert_allclose(model.predict(answers), model.predict(pl.from_pandas(answers)))


def test_a_gradebook_is_read_at_each_targets_mastery_threshold() -> None:
    answers = simulate(40, 5, 9)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    evidence = [
        Evidence(
            student_id=student,
            target_id="T",
            score=3.5 if correct else 1.0,
            observed_at=start + timedelta(days=opportunity),
        )
        for student, correct, opportunity in rows(answers)
    ]
    book = Gradebook.from_evidence(evidence, targets=[TARGET])
    from_book = BKTModel(restarts=1).fit(book).params()["value"]
    from_frame = BKTModel(restarts=1).fit(answers).params()["value"]
    np.testing.assert_allclose(from_frame, from_book, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_bad_rows_are_named_in_one_bulk_validation_error() -> None:
    frame = pd.DataFrame(
        {
            "student_id": ["a", "a", "b", None, "c"],
            "target_id": ["T", "T", "", "T", "T"],
            "correct": [1, 2, 0, 1, 0],
        },
        index=["r0", "r1", "r2", "r3", "r4"],
    )
    with pytest.raises(BulkValidationError) as caught:
        BKTModel().fit(frame)
    rows = sorted(str(p.row) for p in caught.value.problems)
    assert ["r1", "r2", "r3"] == rows
    said = {str(p.row): (p.message, p.expected) for p in caught.value.problems}
    assert said["r1"] == (
        "correct=2 is not 0/1; expected 0, 1, true or false",
        "0, 1, true or false",
    )
    assert said["r2"] == ("target_id='' must be a non-empty id", "a non-empty id")
    # a missing id reads as pandas holds it (None, or nan in a str column)
    assert re.fullmatch(r"student_id=(None|nan) must be a non-empty id", said["r3"][0])


@pytest.mark.parametrize("value", [float("nan"), 0.5, "yes", None])
def test_correct_values_other_than_0_1_true_false_are_refused(value: object) -> None:
    frame = pd.DataFrame(
        {"student_id": ["a", "b", "c"], "target_id": "T", "correct": [1, value, "true"]}
    )
    with pytest.raises(BulkValidationError, match="row 1: correct="):
        BKTModel().fit(frame)


def test_missing_columns_are_named() -> None:
    frame = pd.DataFrame({"user_id": ["a"], "skill_name": ["T"], "correct": [1]})
    with pytest.raises(BulkValidationError, match="'student_id' is missing") as caught:
        BKTModel().fit(frame)
    assert {"student_id", "target_id"} == {p.field for p in caught.value.problems}


def test_a_target_answered_by_one_student_is_refused_naming_its_rows() -> None:
    frame = pd.concat(
        [
            two_targets(),
            pd.DataFrame({"student_id": ["z", "z"], "target_id": "solo", "correct": [1, 0]}),
        ],
        ignore_index=True,
    )
    with pytest.raises(BulkValidationError, match="'solo' is answered by one student") as caught:
        BKTModel().fit(frame)
    assert [len(frame) - 2, len(frame) - 1] == [p.row for p in caught.value.problems]


def test_non_finite_order_values_are_refused() -> None:
    frame = pd.DataFrame(
        {"student_id": ["a", "b"], "target_id": "T", "correct": [1, 0], "t": [1.0, np.inf]}
    )
    with pytest.raises(BulkValidationError, match="row 1: t=inf is not a finite number"):
        BKTModel().fit(frame, order="t")


# ---------------------------------------------------------------------------------------------
# The policy


BKT_POLICIES = [
    policies.BKT(),
    policies.BKT(prior=0.2, learn=0.3, guess=0.25, slip=0.15, forget=0.05, mastered=0.8),
    policies.BKT(guess=0.6, slip=0.6),  # degenerate: claims less
]


@parametrize_with_checks(BKT_POLICIES)
def test_bkt_policies_keep_the_contract_and_their_claims(check: object, policy: object) -> None:
    check(policy)  # type: ignore[operator]


def test_the_audit_shows_a_degenerate_parameter_set_breaking_correct_never_lowers() -> None:
    degenerate = policies.BKT(guess=0.6, slip=0.6)
    assert "correct_never_lowers" not in degenerate.claims
    report = audit(degenerate, max_examples=20, axioms=["correct_never_lowers"])
    assert ("correct_never_lowers",) == report.violated
    case = PolicyCase.from_scores([1], target=TARGET, share=0)
    assert "one more correct answer" in str(AXIOMS["correct_never_lowers"].check(degenerate, case))


def test_forgetting_can_lower_mastery_after_a_correct_answer_so_it_is_not_claimed() -> None:
    forgetful = policies.BKT(prior=0.99, learn=0.0, forget=0.5)
    assert "correct_never_lowers" not in forgetful.claims
    case = PolicyCase.from_scores([4], target=TARGET, share=0)
    assert AXIOMS["correct_never_lowers"].check(forgetful, case) is not None


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.sampled_from([0.0, 1.0, 2.5, 3.0, 4.0]), min_size=1, max_size=12),
    params=st.tuples(*(st.floats(0.0, 0.45) for _ in range(4))),
)
def test_incremental_updates_in_any_order_equal_evaluate(
    scores: list[float], params: tuple[float, float, float, float]
) -> None:
    prior, learn, guess, slip = params
    policy = policies.BKT(prior=prior, learn=learn, guess=guess, slip=slip)
    history = scores_to_history(scores)
    state = policy.start(TARGET)
    for evidence in reversed(history):  # late evidence: recomputed from the history
        state = policy.update(state, evidence)
    assert policy.evaluate(history, TARGET) == policy.result(state)


def test_the_vectorized_kernel_equals_the_policy_bit_for_bit() -> None:
    answers = simulate(30, 7, 8)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    book = Gradebook.from_evidence(
        [
            Evidence(
                student_id=student,
                target_id="T",
                score=[1.0, 3.0, 2.5, 4.0][(correct * 2 + opportunity) % 4],
                observed_at=start + timedelta(days=opportunity),
            )
            for student, correct, opportunity in rows(answers)
        ],
        targets=[TARGET],
    )
    policy = policies.BKT(prior=0.2, learn=0.3, guess=0.25, slip=0.15, forget=0.05)
    assert policies.kernel_for(policy) is not None
    engine = [r["value"] for r in book.results(policy).records()]
    python = Gradebook.from_evidence(book.evidence(), targets=[TARGET], engine="python")
    assert [r["value"] for r in python.results(policy).records()] == engine


def test_model_policy_is_the_fitted_targets_bkt_policy() -> None:
    model = BKTModel(restarts=1).fit(two_targets())
    policy = model.policy("A", mastered=0.9)
    row = model.params().query("target == 'A'").set_index("parameter")["value"]
    assert (row["prior"], row["learn"], row["guess"], row["slip"], 0.9) == (
        policy.prior,
        policy.learn,
        policy.guess,
        policy.slip,
        policy.mastered,
    )
    with pytest.raises(InvalidValueError, match="target_id='Z' was not fitted"):
        model.policy("Z")


# ---------------------------------------------------------------------------------------------
# Simulation


def test_compare_takes_bkt_policies_on_a_cohort_of_bkt_learners() -> None:
    cohort = simulate_cohort(
        [BKTLearner(prior=0.2, learn=0.25)],
        n=40,
        measurement=Measurement(sd=0.0, slip=0.1, guess=0.2 / 0.9),
        seed=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = compare(
            [policies.BKT(prior=0.2, learn=0.25, guess=0.2, slip=0.1), policies.Mean()],
            cohort,
            progress=False,
        )
    assert 2 == len(result.metric("rmse"))


def test_bkt_learners_master_from_a_geometric_assessment() -> None:
    rng = np.random.default_rng(0)
    drawn = [
        BKTLearner(prior=0.0, learn=0.5).draw(rng, TARGET.scale).params["learned_at"]
        for _ in range(2000)
    ]
    assert 2.0 == min(drawn)
    assert pytest.approx(3.0, abs=0.1) == float(np.mean(drawn))


def test_the_kernel_on_hand_built_segments_equals_evaluate_bit_for_bit() -> None:
    from mastery_grading.policies.kernels.bkt import bkt_kernel
    from mastery_grading.policies.segments import Segments

    groups = [[1.0, 3.0, 4.0], [], [3.5], [0.0, 2.5, 3.0, 3.0, 1.0]]
    scores = [s for g in groups for s in g]
    counts = np.array([len(g) for g in groups])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    seg = Segments(
        score=np.array(scores),
        weight=None,
        summative=None,
        group=np.repeat(np.arange(len(groups)), counts),
        starts=starts,
        counts=counts,
        mastery=np.full(len(groups), 3.0),
        scale_min=np.zeros(len(groups)),
        scale_max=np.full(len(groups), 4.0),
    )
    policy = policies.BKT(prior=0.2, learn=0.3, guess=0.25, slip=0.15, forget=0.05)
    out = bkt_kernel(policy, seg)
    assert out is not None
    for k, g in enumerate(groups):
        expected = policy.evaluate(scores_to_history(g), TARGET).value
        assert (np.nan if expected is None else expected) == pytest.approx(
            out.values[k], nan_ok=True, rel=0, abs=0
        )


def _reference_counts(
    answers: list[list[int]], prior: float, learn: float, guess: float, slip: float
) -> tuple[float, list[float]]:
    """Textbook scaled forward-backward (alpha, beta, two-state vectors) for one skill."""
    a = np.array([[1 - learn, learn], [0.0, 1.0]])
    counts, loglik = [0.0] * 10, 0.0
    for seq in answers:
        b = np.array([[guess, 1 - slip] if x else [1 - guess, slip] for x in seq])
        n = len(seq)
        alpha, scale = np.zeros((n, 2)), np.zeros(n)
        first = np.array([1 - prior, prior]) * b[0]
        scale[0], alpha[0] = first.sum(), first / first.sum()
        for t in range(1, n):
            step = (alpha[t - 1] @ a) * b[t]
            scale[t], alpha[t] = step.sum(), step / step.sum()
        loglik += float(np.log(scale).sum())
        beta = np.ones((n, 2))
        for t in range(n - 2, -1, -1):
            beta[t] = (a @ (b[t + 1] * beta[t + 1])) / scale[t + 1]
        gamma = alpha * beta
        for t in range(n - 1):
            xi = alpha[t][:, None] * a * (b[t + 1] * beta[t + 1])[None, :] / scale[t + 1]
            counts[2] += xi[0, 1]
            counts[3] += gamma[t, 0]
            counts[5] += gamma[t, 1]
        counts[0] += gamma[0, 1]
        counts[1] += 1
        hits = np.array(seq, dtype=bool)
        counts[6] += float(gamma[hits, 0].sum())
        counts[7] += float(gamma[:, 0].sum())
        counts[8] += float(gamma[~hits, 1].sum())
        counts[9] += float(gamma[:, 1].sum())
    return loglik, counts


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_the_e_step_equals_textbook_forward_backward_even_near_certainty(engine: str) -> None:
    """200 correct answers then 5 wrong, with a tiny slip: P(unmastered) falls to 1e-40."""
    if engine == "numba":
        pytest.importorskip("numba", reason="the numba engine needs the bkt extra (numba)")
    from mastery_grading.bkt._data import read_answers
    from mastery_grading.bkt._em import make_engine

    answers = [[1] * 200 + [0] * 5, [0, 1, 0, 1, 1], [0] * 7]
    frame = pd.DataFrame(
        [(f"s{i}", "T", x) for i, seq in enumerate(answers) for x in seq],
        columns=["student_id", "target_id", "correct"],
    )
    seqs = read_answers(frame)
    params = np.array([[0.4, 0.1, 0.0, 0.6, 0.0002]])
    counts, loglik = make_engine(seqs, engine).e_step(params, np.ones(1, dtype=bool))  # type: ignore[arg-type]
    expected_ll, expected = _reference_counts(answers, 0.4, 0.1, 0.6, 0.0002)
    assert pytest.approx(expected_ll, rel=1e-12) == float(loglik[0])
    np.testing.assert_allclose(counts[0], expected, rtol=1e-9, atol=1e-12)


def test_em_never_lowers_the_likelihood_from_one_iteration_to_the_next() -> None:
    from mastery_grading.bkt._data import read_answers
    from mastery_grading.bkt._em import DEFAULT_BOUNDS, make_engine

    seqs = read_answers(two_targets())
    engine = make_engine(seqs, "auto")
    params = np.array([[0.9, 0.01, 0.0, 0.05, 0.29], [0.1, 0.4, 0.0, 0.3, 0.01]])
    lo = np.array([max(DEFAULT_BOUNDS[p][0], 1e-8) for p in DEFAULT_BOUNDS])
    hi = np.array([min(DEFAULT_BOUNDS[p][1], 1 - 1e-8) for p in DEFAULT_BOUNDS])
    lo[2] = hi[2] = 0.0
    previous = -np.inf * np.ones(2)
    for _ in range(30):
        counts, loglik = engine.e_step(params, np.ones(2, dtype=bool))
        assert bool((loglik >= previous - 1e-9).all())
        previous = loglik
        num = counts[:, [0, 2, 4, 6, 8]]
        den = counts[:, [1, 3, 5, 7, 9]]
        params = np.clip(np.where(den > 0, num / np.where(den > 0, den, 1), params), lo, hi)


def test_the_policy_keeps_its_precision_near_certainty() -> None:
    """After 200 correct answers P(not mastered) is 1e-40; five slips barely move it."""
    policy = policies.BKT(prior=0.4, learn=0.1, guess=0.6, slip=0.0002)
    scores = [4.0] * 200 + [0.0] * 5
    alpha = np.array([0.6, 0.4])
    a = np.array([[0.9, 0.1], [0.0, 1.0]])
    for t, score in enumerate(scores):
        if t:
            alpha = alpha @ a
        alpha = alpha * (np.array([0.6, 0.9998]) if score >= 3 else np.array([0.4, 0.0002]))
        alpha = alpha / alpha.sum()
    expected = float(alpha[1])
    assert pytest.approx(expected, rel=1e-12) == policy.probability(
        scores_to_history(scores), TARGET
    )
    assert expected > 0.999
