"""How the bundled model compares with its teacher, measured in one run.

- agreement: the student's tags, heads and entities against the teacher's on
  held-out text (documents never used in training);
- CoNLL-2003 dev: entity F1 of both models against the gold (PER, LOC, ORG);
- speed: words per second of both over the same held-out article text, one
  thread each, the components the pipeline uses.

The teacher runs in its own virtualenv (spaCy 2); its outputs come back as
JSON lines through training/teacher_label.py and training/speed.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINING = os.path.join(ROOT, "training")
CONLL_MAP = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
}
SCORED = ("PER", "LOC", "ORG")


def teacher_python(work: str) -> str:
    """Path of the teacher's python, creating its virtualenv when missing."""
    venv = os.path.join(work, "teacher")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        print("  creating the teacher's virtualenv (spaCy 2.3.9, en_core_web_sm 2.2.5) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run(
            [os.path.join(venv, "bin", "pip"), "install", "-q", "--disable-pip-version-check",
             "-r", os.path.join(TRAINING, "teacher-requirements.txt")],
            check=True,
        )
    return python


def run_teacher(python: str, texts, path_in: str, path_out: str):
    with open(path_in, "w", encoding="utf-8") as f:
        for text in texts:
            f.write(json.dumps(text, ensure_ascii=False) + "\n")
    subprocess.run([python, "-W", "ignore", os.path.join(TRAINING, "teacher_label.py"), path_in, path_out], check=True)
    with open(path_out, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def heldout_texts(data: str, work: str, limit: int):
    """Held-out documents (whole articles and grouped GMB sentences) that
    were not used to pick the training checkpoint either: training's dev set
    is the even-numbered held-out documents, these are the odd ones."""
    sys.path.insert(0, TRAINING)
    import collect_text  # noqa: E402  (training script, stdlib only)

    out = os.path.join(work, "text")
    collect_text.main(data, out, shards=1, whole=True, quiet=True)
    with open(os.path.join(out, "heldout.jsonl"), encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    return texts[0::2][:limit]


def agreement(nlp, teacher_docs) -> dict:
    """Student vs teacher annotations (tag accuracy, UAS, entity F)."""
    sys.path.insert(0, TRAINING)
    from make_docbin import rebuild  # noqa: E402
    from spacy.training import Example

    examples = [Example(nlp.make_doc(ref.text), ref) for ref in (rebuild(nlp.vocab, d) for d in teacher_docs)]
    scores = nlp.evaluate(examples)
    return {"tag": scores["tag_acc"], "uas": scores["dep_uas"], "ents_f": scores["ents_f"]}


def read_conll(path: str):
    """CoNLL IOB2 -> [(sentence text, {(start, end, label)})] with single spaces."""
    sentences, tokens = [], []

    def flush():
        if tokens:
            text, spans, current = "", set(), None
            for word, tag in tokens:
                start = len(text) + (1 if text else 0)
                text = f"{text} {word}" if text else word
                end = len(text)
                if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[2] != tag[2:])):
                    if current:
                        spans.add(tuple(current))
                    current = [start, end, tag[2:]]
                elif tag.startswith("I-"):
                    current[1] = end
                else:
                    if current:
                        spans.add(tuple(current))
                    current = None
            if current:
                spans.add(tuple(current))
            sentences.append((text, spans))
        tokens.clear()

    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                flush()
            elif parts[0] != "-DOCSTART-":
                tokens.append((parts[0], parts[-1]))
    flush()
    return sentences


def conll_f1(gold_sets, predicted_sets) -> dict:
    tp = fp = fn = 0
    for gold, pred in zip(gold_sets, predicted_sets):
        gold = {g for g in gold if g[2] in SCORED}
        pred = {p for p in pred if p[2] in SCORED}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def mapped(spans):
    return {(s, e, CONLL_MAP[label]) for s, e, label in spans if label in CONLL_MAP}


def speed(model: str, python: str, texts_path: str, limit: int) -> dict:
    out = subprocess.run(
        [python, "-W", "ignore", os.path.join(TRAINING, "speed.py"), model, texts_path, "--limit", str(limit)],
        check=True, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def evaluate(nlp, model_name: str, data: str, work: str, limit: int = 400) -> dict:
    os.makedirs(work, exist_ok=True)
    teacher = teacher_python(work)
    texts = heldout_texts(data, work, limit)
    teacher_docs = run_teacher(teacher, texts, os.path.join(work, "heldout-in.jsonl"), os.path.join(work, "heldout-teacher.jsonl"))
    results = {"agreement": agreement(nlp, teacher_docs), "heldout_docs": len(texts)}

    conll = read_conll(os.path.join(data, "conll2003", "dev.iob2.conll"))
    gold = [spans for _, spans in conll]
    student = [mapped((e.start_char, e.end_char, e.label_) for e in doc.ents) for doc in nlp.pipe(t for t, _ in conll)]
    teacher_out = run_teacher(teacher, [t for t, _ in conll], os.path.join(work, "conll-in.jsonl"), os.path.join(work, "conll-teacher.jsonl"))
    results["conll_student"] = conll_f1(gold, student)
    results["conll_teacher"] = conll_f1(gold, [mapped(map(tuple, d["ent_chars"])) for d in teacher_out])

    texts_path = os.path.join(work, "heldout-in.jsonl")
    results["speed_student"] = speed(model_name, sys.executable, texts_path, limit)
    results["speed_teacher"] = speed("en_core_web_sm", teacher, texts_path, limit)
    return results
