"""Article extraction on the newspaper3k test pages: trafilatura (as
`ingest` calls it) against readability-lxml.

Each page's HTML goes through both extractors; the output is compared with
the page's expected text (newspaper's own, so a similarity rather than
equality) as bags of lower-cased words: precision (how much of what was kept
belongs to the article), recall (how much of the article was kept) and F1,
averaged over pages, with the share of pages at F1 >= 0.9, the pages where
the extractor gave nothing, those `ingest` would refuse as no article (too
little prose in what was kept), and the time per page. Rows other than
`article` (failure notes, empty and missing texts) and cnn_summary (a
summary, not the page's text) are left out.

    python -m evaluation.extractors --data ../shared/data
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from collections import Counter

_WORD = re.compile(r"\w+")


def _words(text: str) -> Counter:
    return Counter(_WORD.findall(text.lower()))


def overlap(got: str, expected: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of `got`'s words against `expected`'s, as multisets."""
    g, e = _words(got), _words(expected)
    common = sum((g & e).values())
    p = common / sum(g.values()) if g else 0.0
    r = common / sum(e.values()) if e else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def trafilatura_text(html: bytes, url: str) -> str:
    """What `ingest` would send as the text of this page ('' when nothing)."""
    from pipeline.ingest.html import ExtractError, extract_article

    try:
        return extract_article(html, url=url or None, min_chars=0).text
    except ExtractError:
        return ""


def readability_text(html: bytes, url: str) -> str:
    """readability-lxml's article HTML, read as text the same way feeds' HTML is."""
    from lxml.etree import ParserError
    from readability import Document
    from readability.readability import Unparseable

    from pipeline.ingest.html import fragment_text

    try:
        summary = Document(html, url=url or None).summary(html_partial=True)
    except (Unparseable, ParserError, ValueError):
        return ""
    return fragment_text(summary)


EXTRACTORS = {"trafilatura": trafilatura_text, "readability-lxml": readability_text}


def _refused(text: str) -> bool:
    """Would `ingest` call this text no article (too little prose)?"""
    from pipeline.ingest.html import MIN_ARTICLE_CHARS, _is_prose

    return sum(len(block) for block in text.split("\n\n") if _is_prose(block)) < MIN_ARTICLE_CHARS


def _root(data_dir: str) -> str | None:
    """The newspaper3k folder: `data_dir` itself or its newspaper3k/ child."""
    for candidate in (os.path.join(data_dir, "newspaper3k"), data_dir):
        if os.path.isfile(os.path.join(candidate, "manifest.tsv")):
            return candidate
    return None


def evaluate(data_dir: str) -> dict:
    """Scores of each extractor on the newspaper3k pages under `data_dir`:
    {"pages": N, "extractors": {name: {precision, recall, f1, share_f1_90,
    empty, not_article, seconds_per_page, worst: [(page, f1)]}}}, or {"error": why} when
    the data is absent."""
    root = _root(data_dir)
    if root is None:
        return {"error": f"no newspaper3k pages under {data_dir} (expected newspaper3k/manifest.tsv)"}
    rows = []
    with open(os.path.join(root, "manifest.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            html_path = os.path.join(root, "html", row["html_file"]) if row["html_file"] else ""
            # cnn_summary's text is the expected *summary* of cnn_article, not its text
            if row["name"] == "cnn_summary":
                continue
            if row["text_status"] == "article" and html_path and os.path.isfile(html_path):
                rows.append(row)
    results = {}
    for name, extract in EXTRACTORS.items():
        scores, empty, refused, seconds = [], 0, 0, 0.0
        for row in rows:
            with open(os.path.join(root, "html", row["html_file"]), "rb") as f:
                html = f.read()
            with open(os.path.join(root, "text", row["text_file"]), encoding="utf-8") as f:
                expected = f.read()
            started = time.perf_counter()
            got = extract(html, row["url"])
            seconds += time.perf_counter() - started
            empty += not got.strip()
            refused += _refused(got)
            scores.append((row["name"], *overlap(got, expected)))
        n = len(scores) or 1
        results[name] = {
            "precision": sum(s[1] for s in scores) / n,
            "recall": sum(s[2] for s in scores) / n,
            "f1": sum(s[3] for s in scores) / n,
            "share_f1_90": sum(s[3] >= 0.9 for s in scores) / n,
            "empty": empty,
            "not_article": refused,
            "seconds_per_page": seconds / n,
            "worst": [(s[0], round(s[3], 3)) for s in sorted(scores, key=lambda s: s[3])[:5]],
        }
    return {"pages": len(rows), "extractors": results}


def main(argv=None) -> int:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(prog="python -m evaluation.extractors", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(here, "..", "shared", "data"),
                        help="the data directory holding newspaper3k/ (default: ../shared/data)")
    args = parser.parse_args(argv)
    if here not in sys.path:
        sys.path.insert(0, here)
    result = evaluate(args.data)
    if "error" in result:
        print(f"extractors: {result['error']}; nothing was measured. Pass --data /path/to/data.")
        return 2
    print(f"Article extraction on {result['pages']} newspaper3k pages (bag-of-words against the expected text)\n")
    print(f"  {'extractor':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'F1>=0.9':>8} {'empty':>6} "
          f"{'no article':>10} {'ms/page':>8}")
    for name, s in result["extractors"].items():
        print(f"  {name:<18} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} {s['share_f1_90']:>8.3f} "
              f"{s['empty']:>6} {s['not_article']:>10} {s['seconds_per_page'] * 1000:>8.1f}")
    print("\n  no article: pages whose text `ingest` would refuse as not an article (too little prose); "
          "the manifest lists every page here as an article")
    for name, s in result["extractors"].items():
        print(f"  worst {name}: " + ", ".join(f"{page} {f1}" for page, f1 in s["worst"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
