"""Byline extraction on the newspaper3k test pages: precision and recall of
author names.

Gold. The authors of each page were read from its HTML markup, not from
its text and not with our patterns: `<meta name="author">` and its kin
(sailthru.author, parsely-author, dc.creator, article:author), rel="author"
links, itemprop="author" and elements whose class names a byline or
author. `markup_authors` lists those candidates (`--show-markup` prints
them); every page's list was read by hand and the page's author names
written into GOLD below. A page whose markup names only the publication
("GQ Magazine", "Motley Fool Staff", "National Desk") has no person as
author: its gold is empty, and any name we find there is a false positive.
Pages whose markup names no author at all, or whose markup is ambiguous
(lists of other articles' authors, a user name only), are left out of the
labelled set; `unlabelled_names` shows what we find on them.

Input. Two texts per page, each normalised with the page's title:
- `page`: the visible text of the page from its first <h1> down to the
  start of the story (where the byline usually is; at most 40 lines), then
  the expected text: what an extractor that keeps the byline would give us;
- `text`: the expected text alone (newspaper's extraction, which mostly
  drops bylines, so recall here is low by construction).
Names are compared case-folded, without full stops and extra spaces.

In: the data folder holding newspaper3k/. Out: a dict of the figures.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from html.parser import HTMLParser

from pipeline.news.normalize import clean_article

# Read by hand from each page's author markup (see the module docstring).
GOLD = {
    "247wallst.com1": ["Paul Ausick"], "247wallst.com2": ["Paul Ausick"],
    "about.com1": ["Michael Franco"], "about.com2": ["Lynne Eldridge"],
    "al.com1": ["Ari Wasserman"], "al.com2": ["Lucy Berry"],
    "architecturaldigest.com1": ["Mayer Rus"],  # "Text by"; the photographer and producer are not authors
    "architecturaldigest.com2": [],  # meta names the magazine only
    "avclub.com2": ["Marah Eakin"],
    "backstage.com2": ["C. Ryanne Laratonda"],
    "bhg.com1": ["Kelly Roberson"],
    "bloomberg.com1": ["Steve Matthews", "Alex Tanzi"],
    "bostonherald.com2": ["Sean Griffin"],
    "businessinsider.com1": ["David Cenciotti"], "businessinsider.com2": ["Elena Holodny"],
    "businessweek.com1": ["Mujib Mashal"], "businessweek.com2": ["Allison Schrager"],
    "cleveland.com1": [],  # "National Desk"
    "cleveland.com2": ["Joanna Connors"],
    "cnn": ["Dana A. Ford", "James S.A. Corey", "Chien-Ming Wang", "Tom Watkins"],
    "cntraveler.com1": ["Hanya Yanagihara"], "cntraveler.com2": ["Cynthia Drescher"],
    "cricket.com.au1": ["Andrew Ramsey"],
    "dailycaller.com1": ["Ann Coulter"], "dailycaller.com2": ["Christian Datoc"],
    "dallasnews.com1": [],  # "Letters to the Editor"
    "dallasnews.com2": ["Sharon Grigsby"],
    "details.com2": [],  # the magazine; "Photographs by" names the photographer
    "elle.com2": [],  # "ELLE.com | Life & Love News"
    "flavorwire.com1": ["Sarah Seltzer"], "flavorwire.com2": ["Tom Hawking"],
    "fool.com1": [],  # "Motley Fool Staff"
    "foxbusiness.com1": ["Gail Gardner"], "foxbusiness.com2": ["Brad Shorr"],
    "foxnews.com1": ["Lucia I. Suarez"],
    "glamour.com1": ["Sophia Chabbott"], "glamour.com2": ["Kim Fusaro"],
    "gq.com1": ["John Jannuzzi"], "gq.com2": ["Scott Christian"],
    "graziadaily.co.uk1": ["Jessica Vince"], "graziadaily.co.uk2": ["Alya Mooro"],
    "gulflive.com1": ["Joanne Anderson"], "gulflive.com2": ["Arnold Saba"],
    "huffingtonpost.com1": ["Ben Walsh"],
    "livescience.com1": ["Tia Ghose"],  # twitter:creator "tiaghose"
    "mashable.com1": ["Pete Cashmore"], "mashable.com2": ["Jessica Plautz"],
    "mlive.com1": ["Darcie Moran"], "mlive.com2": ["Kyle Meinke"],
    "nj.com1": ["Matt Friedman"],
    "nola.com1": ["Keith Spera"],
    "nydailynews.com1": ["John Marzulli"],
    "nypost.com1": ["Keith J. Kelly"], "nypost.com2": [],  # "By Fox News"
    "ok.co.uk1": ["Catherine Earp"], "ok.co.uk2": ["Catherine Earp"],
    "oregonlive.com1": ["Vickie Kavanagh"], "oregonlive.com2": ["Bryan Denson"],
    "pe.com1": ["Sarah Burge"],
    "pewresearch.org1": ["Jens Manuel Krogstad", "Jeffrey S. Passel"], "pewresearch.org2": ["Drew DeSilver"],
    "recipe.com2": ["Diana Yen"],
    "reuters.com2": ["Fergus Jensen"], "reuters.com3": ["Gayatri Suroyo", "Adriana Nina Kusuma"],
    "self.com1": ["Shannon Farrell"], "self.com2": ["Shannon Farrell"],
    "sitepoint.com1": ["Craig Buckler"], "sitepoint.com2": ["Lukas White"],  # twitter:creator "lukaswhite"
    "slate.com2": ["Juliana Jiménez Jaramillo", "Jeremy Stahl"],
    "space.com2": ["Jeff Foust"],  # twitter:creator "jeff_foust"
    "syracuse.com1": ["David Lassman"], "syracuse.com2": ["David Lassman"],
    "talkingpointsmemo.com1": ["Malcolm Harris"],
    "technologyreview.com1": ["Antonio Regalado"], "technologyreview.com2": ["David Talbot"],
    "teenvogue.com1": ["Hannah Gilman"], "teenvogue.com2": ["Amanda Keiser"],
    "telegraph.co.uk1": ["Harriet Alexander", "Andrew Marszal", "Josie Ensor"], "telegraph.co.uk2": ["Edward Malnick"],
    "theatlanticcities.com1": ["Nicholas St. Fleur"], "theatlanticcities.com2": ["John Metcalfe"],
    "thedailybeast.com1": ["Barbie Latza Nadeau"], "thedailybeast.com2": ["Olivia Nuzzi"],
    "thedebrief.co.uk1": ["Lena deCasparis"], "thedebrief.co.uk2": ["Stevie Martin"],
    "theglobeandmail.com1": ["Paul Koring"], "theglobeandmail.com2": ["David Parkinson"],
    "tnr.com1": ["Michael Ignatieff"], "tnr.com2": ["Rebecca Leber"],
    "uproxx.com1": ["Jason Tabrys"], "uproxx.com2": ["Ashley Burns"],
    "upworthy.com1": ["Phoebe Gavin"], "upworthy.com2": ["Mrill Ingram"],  # rel=author names the curator
    "usnews.com1": ["David Catanese", "Lindsey Cook"],
    "vanityfair.com1": ["Julie Miller"],
    "vogue.de1": ["Carolina von Canal"], "vogue.de2": ["Hella Schneider"],  # German "von ..." bylines
    "wired.com1": ["Gwen Pearson"], "wired.com2": ["Robert McMillan"],
    "youbeauty.com1": ["Leah Prinzivalli"], "youbeauty.com2": ["Tiffanie Drayton"],
}

_AUTHOR_META = {"author", "article:author", "sailthru.author", "parsely-author", "dc.creator", "byl",
                "twitter:creator"}
_VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "param",
         "track"}
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "time", "address", "figcaption", "blockquote", "tr", "td", "table", "dd", "dt", "aside", "nav",
          "form", "figure"}
_HIDDEN = {"script", "style", "noscript", "svg", "iframe", "template", "select", "button"}
_AUTHOR_CLASS = re.compile(r"byline|author")
_REGION_LINES = 40


class _Markup(HTMLParser):
    """One pass over a page: its author markup (kind, text) and its visible
    text as lines, with the index of the first <h1> line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.candidates, self.open, self.lines, self.hidden, self.h1 = [], [], [""], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
            if key in _AUTHOR_META and attrs.get("content", "").strip():
                self.candidates.append((f"meta {key}", attrs["content"].strip()))
            return
        if tag in _HIDDEN:
            self.hidden += 1
        if tag in _BLOCK:
            self.lines.append("")
        if tag == "h1" and self.h1 is None:
            self.h1 = len(self.lines) - 1
        if tag in _VOID:
            return
        kind = None
        if "author" in attrs.get("rel", "").lower().split():
            kind = "rel=author"
        elif attrs.get("itemprop", "").lower() in ("author", "creator"):
            kind = "itemprop=author"
        elif _AUTHOR_CLASS.search((attrs.get("class", "") + " " + attrs.get("id", "")).lower()):
            kind = "class"
        self.open.append([tag, kind, []])

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in _BLOCK:
            self.lines.append("")
        for index in range(len(self.open) - 1, -1, -1):  # close up to the matching tag
            if self.open[index][0] == tag:
                for _, kind, parts in self.open[index:]:
                    text = " ".join("".join(parts).split())
                    if kind and text and len(text) <= 120:
                        self.candidates.append((kind, text))
                del self.open[index:]
                return

    def handle_data(self, data):
        if self.hidden:
            return
        self.lines[-1] += data
        for element in self.open:
            element[2].append(data)


def _read_page(path: str) -> _Markup:
    with open(path, encoding="utf-8", errors="replace") as f:
        page = _Markup()
        page.feed(f.read())
        page.close()
    return page


def markup_authors(path: str) -> list[tuple[str, str]]:
    """An HTML page -> its author markup as (kind, text), in page order,
    without repeats: what GOLD was read from."""
    seen = []
    for item in _read_page(path).candidates:
        if item not in seen:
            seen.append(item)
    return seen


def _page_text(page: _Markup, text: str) -> str:
    """The visible lines from the page's first <h1> to where the expected
    text starts, then the expected text; the expected text alone when the
    page has no <h1> above the story."""
    lines, h1 = [], None
    for index, line in enumerate(page.lines):
        line = " ".join(line.split())
        if line:
            if h1 is None and page.h1 is not None and index >= page.h1:
                h1 = len(lines)
            lines.append(line)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")[:40]
    start = next((i for i, line in enumerate(lines) if first and line.startswith(first)), None)
    if h1 is None or start is None or start <= h1:
        return text
    return "\n\n".join(lines[h1:start][:_REGION_LINES]) + "\n\n" + text


def _key(name: str) -> str:
    return " ".join(name.replace(".", " ").casefold().split())


def _score(found: dict, gold: dict, inputs: dict) -> dict:
    """Precision and recall of names over all pages; `recall_in_text` counts
    only the gold names that the input text spells out at all."""
    tp = fp = fn = present = present_found = 0
    errors = []
    for name, expected in gold.items():
        want, got = {_key(n) for n in expected}, {_key(n) for n in found[name]}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        text = _key(inputs[name])
        present += sum(1 for n in want if n in text)
        present_found += sum(1 for n in want & got if n in text)
        if want != got:
            errors.append((name, sorted(expected), list(found[name])))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "errors": errors,
            "in_text": present, "recall_in_text": present_found / present if present else 1.0}


def evaluate(data_dir: str) -> dict:
    """Precision and recall of author names on the labelled newspaper3k
    pages, from the page text (`page`) and the expected text (`text`);
    {"missing": path} when the data is not there."""
    root = os.path.join(data_dir, "newspaper3k")
    manifest = os.path.join(root, "manifest.tsv")
    if not os.path.isfile(manifest):
        return {"missing": root}
    found, inputs = {"page": {}, "text": {}}, {"page": {}, "text": {}}
    unlabelled = {}
    with open(manifest, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["text_status"] == "article" and r["html_file"]]
    for row in rows:
        with open(os.path.join(root, "text", row["text_file"]), encoding="utf-8") as t:
            text = t.read()
        title = row["html_title"] or None
        page_text = _page_text(_read_page(os.path.join(root, "html", row["html_file"])), text)
        authors = clean_article(page_text, title).authors
        if row["name"] in GOLD:
            found["page"][row["name"]] = authors
            found["text"][row["name"]] = clean_article(text, title).authors
            inputs["page"][row["name"]], inputs["text"][row["name"]] = page_text, text
        elif authors:
            unlabelled[row["name"]] = authors
    gold = {name: GOLD[name] for name in found["page"]}
    return {
        "pages": len(gold), "with_author": sum(1 for g in gold.values() if g),
        "gold_names": sum(len(g) for g in gold.values()),
        "page": _score(found["page"], gold, inputs["page"]), "text": _score(found["text"], gold, inputs["text"]),
        "unlabelled_names": unlabelled,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation.bylines", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    ap.add_argument("--show-markup", action="store_true",
                    help="print each page's author markup (what GOLD was read from)")
    ap.add_argument("--errors", action="store_true", help="print the pages where we differ from the gold")
    args = ap.parse_args(argv)
    if args.show_markup:
        html = os.path.join(args.data, "newspaper3k", "html")
        for name in sorted(os.listdir(html)) if os.path.isdir(html) else []:
            print(name)
            for kind, text in markup_authors(os.path.join(html, name)):
                print(f"    {kind:<24} {text}")
    result = evaluate(args.data)
    if "missing" in result:
        print(f"no newspaper3k data at {result['missing']}: nothing was measured (pass --data DIR)")
        return 0
    print(f"newspaper3k bylines: {result['pages']} labelled pages, {result['with_author']} with a named author, "
          f"{result['gold_names']} gold names")
    for kind, what in (("page", "page text (h1 to story) + expected text"), ("text", "expected text only")):
        s = result[kind]
        print(f"  {what:<42} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
              f"  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']}); R {s['recall_in_text']:.3f} of the "
              f"{s['in_text']} gold names the text spells out")
        if args.errors:
            for name, expected, got in s["errors"]:
                print(f"      {name}: gold {expected}, found {got}")
    print(f"  names found on {len(result['unlabelled_names'])} pages outside the labelled set"
          + (":" if args.errors else " (--errors lists them)"))
    if args.errors:
        for name, authors in result["unlabelled_names"].items():
            print(f"      {name}: {list(authors)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
