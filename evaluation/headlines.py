"""Headline clean-up on the newspaper3k test pages.

Each expected text is normalised with the page's headline (og:title) as the
envelope title. Flagged texts (the manifest says the headline reappears in
the text) should lose it; the other texts should keep every paragraph.
"""
from __future__ import annotations

import csv
import os

from pipeline.news.normalize import clean_article, comparison_key, is_boilerplate, paragraphs, repeats_title

FLAGGED = {"first_line", "first_line_fuzzy", "near_start"}


def evaluate(data: str) -> dict:
    root = os.path.join(data, "newspaper3k")
    flagged = flagged_fixed = kept = unflagged = 0
    changed = []
    with open(os.path.join(root, "manifest.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["text_status"] != "article":
                continue
            with open(os.path.join(root, "text", row["text_file"]), encoding="utf-8") as t:
                text = t.read()
            title = row["html_title"] or row["repeated_headline"]
            if not title:
                continue  # no page: the text's first line is the headline by rule
            body = clean_article(text, title=title).body
            key = comparison_key(row["repeated_headline"] or title)
            if row["title_repeated_in_text"] in FLAGGED:
                flagged += 1
                head = body.split("\n\n")[:3]
                flagged_fixed += not any(repeats_title(p, key) for p in head)
            else:
                unflagged += 1
                expected = [p for p in paragraphs(text) if not is_boilerplate(p)]
                got = body.split("\n\n") if body else []
                if len(got) == len(expected):
                    kept += 1
                else:
                    changed.append(row["name"])
    return {
        "flagged": flagged, "flagged_fixed": flagged_fixed,
        "unflagged": unflagged, "unflagged_kept": kept, "unflagged_changed": changed,
    }
