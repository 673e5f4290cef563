"""Exercise 1: one rule for every 'retrain' cell, and a healthcare rubric that does not demand 'fully open'."""
from course_utils import grading, openness


def test_retrain_cells_follow_one_stated_rule():
    cells = {level: openness.MATRIX[level]["retrain"] for level in openness.LEVELS}
    assert all(c.why.startswith(openness.retrain_rule()) for c in cells.values())
    # weights-only and architecture-only both lack the data: the same answers are right for both
    same = lambda c: {c.answer, *c.also_accepted}  # noqa: E731
    assert same(cells["weights_only"]) == same(cells["architecture_only"]) == {"with_resources", "no"}
    assert "no" not in same(cells["fully_open"])


def test_healthcare_rubric_rewards_weights_and_licence_not_the_words_fully_open():
    spec = grading.question_spec(grading.load_key(), "ex01", "healthcare")
    terms = [t for concept in spec["concepts"] for t in grading.concept_terms(concept)[2]]
    assert terms and not any("fully open" in t or "entièrement ouvert" in t for t in terms)
    answer = ("Fine-tuning on clinical notes needs released weights and a licence that allows medical use; "
              "retraining from scratch needs the code and data too. Patient privacy means the clinical data stays "
              "on our servers.")
    result = grading.check_question("ex01", "healthcare", answer)
    assert result.score == result.max_points, result
