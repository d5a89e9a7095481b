"""`make eval`: score the model, headline clean-up, quotes and duplicate
detection on ../shared/data.

Prints one table: agreement with the teacher on held-out text, CoNLL-2003
dev NER and speed for both models in this run, PolNeAR dev quotes and
speakers, newspaper3k headline clean-up, BBC duplicate pairs (the pipeline's
judge; `python -m evaluation.duplicates` prints the sweep that chose its
settings) and the seed golden check.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def row(name, value, target="", ok=None):
    mark = "" if ok is None else ("ok" if ok else "BELOW")
    print(f"  {name:<44} {value:<26} {target:<22} {mark}")


def prf(s):
    return f"P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--spacy-model", default="en_news_sm")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "eval"))
    ap.add_argument("--heldout-docs", type=int, default=400, help="held-out documents for agreement and speed")
    ap.add_argument("--skip-model", action="store_true", help="skip teacher agreement, CoNLL and speed")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.data):
        print(f"make eval: no evaluation data at {args.data}.\n"
              "The evaluations read ../shared/data (PolNeAR, CoNLL-2003, GMB, BBC, newspaper3k); "
              "nothing was measured. Pass DATA=/path/to/data.")
        return 2
    sys.path.insert(0, ROOT)
    from evaluation import headlines, polnear
    from pipeline.news.enrich import Enricher
    from pipeline.news.nlp import load_model

    started = time.time()
    nlp = load_model(args.spacy_model)
    print(f"Evaluating {args.spacy_model} ({nlp.meta.get('name')} {nlp.meta.get('version')}) on {args.data}\n")
    print(f"  {'measure':<44} {'ours':<26} {'target / teacher':<22}")
    print("  " + "-" * 98)
    if not args.skip_model:
        from evaluation import model

        m = model.evaluate(nlp, args.spacy_model, args.data, args.work, args.heldout_docs)
        a = m["agreement"]
        row(f"teacher agreement: tag accuracy ({m['heldout_docs']} docs)", f"{a['tag']:.4f}", ">= 0.98", a["tag"] >= 0.98)
        row("teacher agreement: UAS", f"{a['uas']:.4f}", ">= 0.93", a["uas"] >= 0.93)
        row("teacher agreement: entity F", f"{a['ents_f']:.4f}", ">= 0.92", a["ents_f"] >= 0.92)
        cs, ct = m["conll_student"], m["conll_teacher"]
        row("CoNLL-03 dev entity F1 (PER/LOC/ORG)", prf(cs), f"teacher F1 {ct['f1']:.3f}", cs["f1"] >= ct["f1"])
        ss, st = m["speed_student"], m["speed_teacher"]
        ratio = ss["words_per_second"] / st["words_per_second"]
        row("speed, words/s (1 thread, all components)", f"{ss['words_per_second']} ({ratio:.2f} x)",
            f"teacher {st['words_per_second']}, >= 0.8 x", ratio >= 0.8)
    q = polnear.evaluate(Enricher(nlp), args.data)
    d, al = q["direct"], q["all"]
    row(f"PolNeAR dev direct quotes ({d['gold']} gold)", prf(d), "F1 >= 0.90", d["f1"] >= 0.90)
    row("PolNeAR dev direct quotes: speaker accuracy", f"{d['speaker_accuracy']:.3f}", ">= 0.94",
        d["speaker_accuracy"] >= 0.94)
    row(f"PolNeAR dev all attributions ({al['gold']} gold)", prf(al), "F1 >= 0.70", al["f1"] >= 0.70)
    row("PolNeAR dev all attributions: speaker acc.", f"{al['speaker_accuracy']:.3f}", "")
    from evaluation import british

    br = british.evaluate(Enricher(nlp))
    row(f"British single marks, own set ({br['gold']} gold)", prf(br), "F1 >= 0.90", br["f1"] >= 0.90)
    sp = q["speakers"]
    if sp.get("with_speaker"):
        row("PolNeAR dev: speakers linked to an entity", f"{sp['linked'] / sp['with_speaker']:.3f} "
            f"({sp['linked']}/{sp['with_speaker']}; person {sp['linked_person']})", "")
    from evaluation import bylines

    by = bylines.evaluate(args.data)
    if "missing" not in by:
        pt = by["page"]
        row(f"bylines: authors, {by['with_author']} newspaper3k pages",
            f"P {pt['precision']:.3f} R {pt['recall']:.3f} F1 {pt['f1']:.3f}", "P >= 0.95", pt["precision"] >= 0.95)
    from evaluation import extractors

    ex = extractors.evaluate(args.data)
    if "error" not in ex:
        tr, rd = ex["extractors"]["trafilatura"], ex["extractors"]["readability-lxml"]
        row(f"ingest: trafilatura, {ex['pages']} newspaper3k pages",
            f"P {tr['precision']:.3f} R {tr['recall']:.3f} F1 {tr['f1']:.3f}", f"readability F1 {rd['f1']:.3f}",
            tr["f1"] >= rd["f1"])
    from evaluation import language as lang

    lg = lang.evaluate(args.data)
    row(f"language: English of {lg['english_articles']} English articles",
        f"{lg['english_articles'] - lg['english_misses']} (misses {lg['english_misses']})", "no miss",
        lg["english_misses"] == 0)
    row(f"language: own table of {lg['table_texts']} texts", f"{lg['table_accuracy']:.3f}", ">= 0.95",
        lg["table_accuracy"] >= 0.95)
    row("language: detection per article", f"{lg['ms_per_article']:.1f} ms", "")
    h = headlines.evaluate(args.data)
    row("newspaper3k: repeated headline removed", f"{h['flagged_fixed']}/{h['flagged']}", "all",
        h["flagged_fixed"] == h["flagged"])
    row("newspaper3k: other texts keep every paragraph", f"{h['unflagged_kept']}/{h['unflagged']}", "all",
        h["unflagged_kept"] == h["unflagged"])
    from evaluation import duplicates

    _, bodies, positive, left_out = duplicates.load(args.data)
    dup = duplicates.stream(bodies, positive, left_out)
    row(f"BBC duplicate pairs ({len(positive)} gold), precision", f"{dup['precision']:.3f} (fp {dup['fp']})",
        ">= 0.98", dup["precision"] >= 0.98)
    row("BBC duplicate pairs, recall", f"{dup['recall']:.3f} (fn {dup['fn']})", ">= 0.95", dup["recall"] >= 0.95)
    env = {**os.environ, "NEWS_TEST_MODEL": args.spacy_model}
    seed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           os.path.join(ROOT, "tests", "news", "test_enrich.py")], capture_output=True, text=True, env=env, cwd=ROOT)
    summary = (seed.stdout.strip().splitlines() or ["no output"])[-1]
    row("seed article golden check", summary, "all pass", seed.returncode == 0)
    print(f"\n  ({time.time() - started:.0f} s; matching rules: evaluation/polnear.py, evaluation/model.py, evaluation/duplicates.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
