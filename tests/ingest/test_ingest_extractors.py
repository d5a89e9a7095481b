"""evaluation/extractors.py on a data directory made here (one page), and without data."""
import subprocess
import sys

from evaluation.extractors import evaluate, overlap
from pipeline.dev.feeds import STORIES, article_page


def test_overlap_counts_words_as_multisets():
    assert overlap("a b b c", "a b c d") == (0.75, 0.75, 0.75)
    assert overlap("", "a") == (0.0, 0.0, 0.0)


def test_both_extractors_are_scored_on_a_page(tmp_path):
    root = tmp_path / "newspaper3k"
    (root / "html").mkdir(parents=True)
    (root / "text").mkdir()
    story = STORIES[0]
    (root / "html" / "gazette1.html").write_text(article_page(story, "http://127.0.0.1:1"), encoding="utf-8")
    (root / "text" / "gazette1.txt").write_text(story.text, encoding="utf-8")
    (root / "manifest.tsv").write_text("name\ttext_file\thtml_file\turl\ttext_status\n"
                                       "gazette1\tgazette1.txt\tgazette1.html\thttp://127.0.0.1:1/a\tarticle\n",
                                       encoding="utf-8")
    result = evaluate(str(tmp_path))
    assert result["pages"] == 1 and set(result["extractors"]) == {"trafilatura", "readability-lxml"}
    assert result["extractors"]["trafilatura"]["f1"] == 1.0  # the page's furniture all removed
    assert result["extractors"]["readability-lxml"]["f1"] > 0.8


def test_absent_data_is_said_plainly(tmp_path):
    done = subprocess.run([sys.executable, "-m", "evaluation.extractors", "--data", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nothing was measured" in done.stdout
