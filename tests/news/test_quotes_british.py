"""The British-style set (evaluation/british.py) on the real model: single
quotation marks, apostrophes, nested and multi-paragraph quotes, pronoun
speakers and scare quotes, scored with PolNeAR's matching rules."""
from evaluation import british


def test_british_quotes(enricher):
    result = british.evaluate(enricher)
    assert result["gold"] >= 30
    assert result["f1"] >= 0.90, result
    assert result["speaker_accuracy"] >= 0.85, result
