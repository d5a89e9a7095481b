"""Quote and speaker scores on the PolNeAR dev split.

Gold: brat attributions (Source, Cue, Content), one annotation file per
article (the alphabetically first annotator where there are several).
Predictions: our records for the article text (first line = title).

A prediction matches a gold content when at least half of the gold
content's words and half of its own words are shared (word sets, case
folded); each gold content is matched at most once. A matched speaker is
right when the predicted speaker or speaker_mention shares a content word
with the gold Source (for a gold Source with no content word, such as "he",
the mention must equal it). For "all attributions", a partial quote inside
a reported clause of the same cue counts once, with the clause (see
`attributions`).
"""
from __future__ import annotations

import os
import re
from collections import defaultdict

_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    """a an the of and or in on at to for by with from as that this these those his her its their
    he she it they we i you him them us me my our your who whom which said says""".split()
)
# Every quotation mark a gold content may open with: the New York Times texts
# write a double quote as two apostrophes, scraped text sometimes turns the
# opening mark the wrong way (”), and headlines and British-style copy quote
# with single marks (which the extractor pairs, apostrophes told apart).
QUOTE_MARKS = ("“", '"', "''", "``", "”", "‘", "'")


def words(text: str) -> set:
    return {w.lower() for w in _WORD.findall(text or "")}


def content_words(text: str) -> set:
    return words(text) - STOPWORDS


def read_ann(path: str) -> list[dict]:
    """brat .ann -> [{content, source, cue}] for each attribution with a content."""
    spans, events = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if line.startswith("T") and len(parts) >= 3:
                kind = parts[1].split(" ", 1)[0]
                spans[parts[0]] = (kind, parts[2])
            elif line.startswith("E") and len(parts) >= 2:
                roles = dict(arg.split(":", 1) for arg in parts[1].split() if ":" in arg)
                events.append(roles)
    attributions = []
    for roles in events:
        if "Content" not in roles or roles["Content"] not in spans:
            continue
        attributions.append(
            {
                "content": spans[roles["Content"]][1],
                "source": spans.get(roles.get("Source"), (None, None))[1],
                "cue": spans.get(roles.get("Cue"), (None, None))[1],
            }
        )
    return attributions


def dev_articles(data_dir: str):
    """(article name, text, gold attributions) for each dev article."""
    root = os.path.join(data_dir, "polnear", "dev")
    chosen = {}
    for name in sorted(os.listdir(os.path.join(root, "attributions"))):
        article = name.rsplit("_", 1)[0]
        chosen.setdefault(article, name)  # alphabetically first annotator
    for article, ann in sorted(chosen.items()):
        with open(os.path.join(root, "text", article + ".txt"), encoding="utf-8") as f:
            text = f.read()
        yield article, text, read_ann(os.path.join(root, "attributions", ann))


def _matches(pred_text: str, gold_text: str) -> bool:
    p, g = words(pred_text), words(gold_text)
    if not p or not g:
        return False
    shared = len(p & g)
    return shared >= 0.5 * len(g) and shared >= 0.5 * len(p)


def speaker_right(pred: dict, gold_source: str) -> bool:
    gold = content_words(gold_source)
    if not gold:
        mention = (pred.get("speaker_mention") or "").strip().lower()
        return mention == gold_source.strip().lower()
    guess = content_words(pred.get("speaker") or "") | content_words(pred.get("speaker_mention") or "")
    return bool(guess & gold)


def score(pairs):
    """pairs: [(predicted quotes, gold attributions)] per article -> counts and rates."""
    tp = fp = fn = speakers_right = speakers_judged = 0
    for preds, golds in pairs:
        used = set()
        for pred in preds:
            hit = next((i for i, g in enumerate(golds) if i not in used and _matches(pred["text"], g["content"])), None)
            if hit is None:
                fp += 1
                continue
            used.add(hit)
            tp += 1
            if golds[hit]["source"]:
                speakers_judged += 1
                speakers_right += speaker_right(pred, golds[hit]["source"])
        fn += len(golds) - len(used)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "speaker_accuracy": speakers_right / speakers_judged if speakers_judged else 0.0,
        "gold": tp + fn,
        "predicted": tp + fp,
    }


def attributions(quotes: list[dict]) -> list[dict]:
    """Our quotes as attributions: a partial quote lying inside a reported
    clause with the same cue and speaker is the same attribution seen at two
    granularities (the verbatim words and the clause), so it is scored once,
    as the clause."""
    clauses = [q for q in quotes if q["type"] == "indirect"]
    out = []
    for q in quotes:
        if q["type"] == "partial" and any(
            c["start"] <= q["start"] and q["end"] <= c["end"] + 2 and c["cue"] == q["cue"] and c["speaker"] == q["speaker"]
            for c in clauses
        ):
            continue
        out.append(q)
    return out


def evaluate(enricher, data_dir: str) -> dict:
    """-> {"direct": scores, "all": scores} over the dev articles."""
    from pipeline.news.articles import RawArticle

    direct_pairs, all_pairs = [], []
    by_type = defaultdict(int)
    linked = defaultdict(int)  # quotes with a speaker, and those whose speaker is one of the article's entities
    for name, text, golds in dev_articles(data_dir):
        record = enricher.enrich(RawArticle(id=name, text=text))
        quotes = record["quotes"]
        for q in quotes:
            by_type[q["type"]] += 1
            if q["speaker"]:
                linked["with_speaker"] += 1
                linked["linked"] += q.get("speaker_entity") is not None
                linked["linked_person"] += (q.get("speaker_entity") is not None
                                            and record["entities"][q["speaker_entity"]]["label"] == "PERSON")
        gold_direct = [g for g in golds if g["content"].lstrip().startswith(QUOTE_MARKS)]
        direct_pairs.append(([q for q in quotes if q["type"] == "direct"], gold_direct))
        all_pairs.append((attributions(quotes), golds))
    return {"direct": score(direct_pairs), "all": score(all_pairs), "predicted_types": dict(by_type),
            "speakers": dict(linked)}
