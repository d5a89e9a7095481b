"""training/augment.py: rewritten training text keeps everything but the swapped mentions."""
import random
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
import augment  # a training script, not part of the package


def annotation(words, ents, spaces=None):
    """A teacher annotation as teacher_label.py writes it (only the fields augment reads)."""
    if spaces is None:
        spaces = [True] * (len(words) - 1) + [False]
    return {"words": words, "spaces": spaces, "ents": ents}


KERRY = annotation(
    ["John", "Kerry", "met", "Hollande", "in", "Paris", "on", "Monday", "."],
    [[0, 2, "PERSON"], [3, 4, "PERSON"], [5, 6, "GPE"], [7, 8, "DATE"]],
    spaces=[True, True, True, True, True, True, True, False, False],
)
MOSUL = annotation(
    ["Forces", "near", "Mosul", "and", "Raqqa", "\n\n", "Reuters", "reported", "."],
    [[2, 3, "GPE"], [4, 5, "GPE"], [6, 7, "ORG"]],
    spaces=[True, True, True, True, False, False, True, False, False],
)
BROKEN = annotation(["New", "\n\n", "York", "said", "no", "."], [[0, 3, "GPE"]],
                    spaces=[False, False, True, True, False, False])
DOCS = [KERRY, MOSUL, BROKEN]


def text(ann):
    return augment.join(ann["words"], ann["spaces"])


def test_pool_keeps_each_mention_with_its_label_and_skips_line_breaks():
    pool = augment.collect_mentions(DOCS)
    as_text = {label: sorted(augment.join(w, s) for w, s in mentions) for label, mentions in pool.items()}
    assert as_text == {
        "PERSON": ["Hollande", "John Kerry"],
        "GPE": ["Mosul", "Paris", "Raqqa"],  # "New \n\n York" is left out
        "DATE": ["Monday"],
        "ORG": ["Reuters"],
    }


def test_without_swaps_the_text_comes_back_unchanged(monkeypatch):
    monkeypatch.setattr(augment, "SWAP", 0.0)
    pool = augment.collect_mentions(DOCS)
    for ann in DOCS:
        assert augment.rewrite(ann, pool, random.Random(1)) == text(ann)


@pytest.mark.parametrize("seed", range(20))
def test_every_swapped_mention_comes_from_the_pool_and_the_rest_stays(monkeypatch, seed):
    monkeypatch.setattr(augment, "SWAP", 1.0)
    monkeypatch.setattr(augment, "OTHER_LABEL", 0.0)
    monkeypatch.setattr(augment, "SPLICE", 0.0)
    pool = augment.collect_mentions(DOCS)
    person = "(John Kerry|Hollande)"
    gpe = "(Mosul|Paris|Raqqa)"
    assert re.fullmatch(f"{person} met {person} in {gpe} on Monday.", augment.rewrite(KERRY, pool, random.Random(seed)))
    # the space after a mention is the original's, whatever replaced it ("Raqqa" had none before the break)
    assert re.fullmatch(f"Forces near {gpe} and {gpe}\n\nReuters reported.", augment.rewrite(MOSUL, pool, random.Random(seed)))


def test_a_splice_joins_the_head_of_one_name_to_the_tail_of_another(monkeypatch):
    monkeypatch.setattr(augment, "OTHER_LABEL", 0.0)
    monkeypatch.setattr(augment, "SPLICE", 1.0)
    pool = {"PERSON": [(["John", "Kerry"], [True, False]), (["Khalid", "al-Obeidi"], [True, False])]}
    seen = {augment.join(*augment.replacement("PERSON", pool, random.Random(seed))) for seed in range(40)}
    assert seen == {"John Kerry", "John al-Obeidi", "Khalid Kerry", "Khalid al-Obeidi"}


def test_main_writes_copies_of_every_document(tmp_path):
    import json

    src = tmp_path / "labels.jsonl"
    src.write_text("".join(json.dumps(ann) + "\n" for ann in DOCS), encoding="utf-8")
    out = tmp_path / "augmented.jsonl"
    augment.main([str(out), str(src), "--copies", "3", "--seed", "7"])
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 * len(DOCS)
    # the mention with a line break is never put into another document
    assert not any("York" in line for i, line in enumerate(lines) if i % len(DOCS) != 2)
    assert all(line.endswith(("Monday.", "reported.", "said no.")) for line in lines)
    again = tmp_path / "again.jsonl"
    augment.main([str(again), str(src), "--copies", "3", "--seed", "7"])
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")  # same seed, same text
