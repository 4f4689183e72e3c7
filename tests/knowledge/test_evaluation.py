from __future__ import annotations

from collections import Counter

from knowledge.evaluation import Question, Scores, load_questions, score_system, starter_documents


def test_question_set_is_big_enough_and_points_at_real_topics() -> None:
    questions = load_questions()
    topics = {d.topic for d in starter_documents()}
    assert len(questions) >= 60
    assert sum(q.topic is None for q in questions) >= 10
    assert Counter(q.lang for q in questions).keys() == {"th", "ja", "en"}
    assert all(q.lang in {"th", "ja", "en"} for q in questions)
    assert {q.topic for q in questions if q.topic} <= topics
    assert sum(q.cross for q in questions) >= 10
    assert len({q.q for q in questions}) == len(questions)


def test_scores_recall_and_mrr() -> None:
    scores = Scores()
    for rank in (1, 2, None, 5):
        scores.add(rank, declined=rank is None)
    assert scores.recall(1) == 0.25
    assert scores.recall(5) == 0.75
    assert scores.mrr == (1 + 0.5 + 0.2) / 4
    assert scores.declined_in_scope == 1


def test_score_system_groups_by_language_cross_and_out_of_scope() -> None:
    questions = [
        Question(lang="th", q="a", topic="t1"),
        Question(lang="th", q="b", topic="t2", cross=True),
        Question(lang="en", q="c", topic=None),
        Question(lang="en", q="d", topic=None),
    ]
    answers = {
        "a": (["t1", "t2"], False),
        "b": (["t1", "t2"], False),
        "c": ([], True),
        "d": (["t1"], False),
    }
    groups = score_system(lambda q: answers[q.q], questions)
    assert groups["th"].ranks == [1, 2]
    assert groups["cross"].ranks == [2]
    assert (groups["en"].oos, groups["en"].oos_declined) == (2, 1)
    assert (groups["all"].oos, groups["all"].oos_declined, groups["all"].ranks) == (2, 1, [1, 2])
