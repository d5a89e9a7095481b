import pytest

from pipeline.dedup import judge, open_store


@pytest.mark.parametrize(
    "claims, expected",
    [
        # (hash, id, source) in order -> duplicate verdicts
        ([("h1", "a", "raw/0/1")], [False]),
        ([("h1", "a", "raw/0/1"), ("h1", "b", "raw/1/7")], [False, True]),
        # a replay of the first copy (same source) is the first copy again
        ([("h1", "a", "raw/0/1"), ("h1", "a", "raw/0/1")], [False, False]),
        ([("h1", "a", "raw/0/1"), ("h2", "b", "raw/0/2"), ("h1", "c", "raw/0/3")], [False, False, True]),
    ],
)
def test_verdicts(tmp_path, claims, expected):
    store = open_store(str(tmp_path))
    assert [judge(store, *claim).duplicate for claim in claims] == expected
    store.close()


def test_survives_restart(tmp_path):
    store = open_store(str(tmp_path))
    judge(store, "h1", "a", "raw/0/1")
    store.close()
    reopened = open_store(str(tmp_path))
    verdict = judge(reopened, "h1", "b", "raw/2/9")
    assert verdict.duplicate and verdict.first_id == "a"
    assert not judge(reopened, "h1", "a", "raw/0/1").duplicate
    reopened.close()
