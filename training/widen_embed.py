"""Give a trained pipeline's hash-embedding tables more rows, keeping its predictions.

In: a trained pipeline directory and one whole-number factor per embedded
attribute (NORM, PREFIX, SUFFIX, SHAPE). Out: the same pipeline, written to
OUT_DIR, whose tok2vec tables have FACTOR times as many rows.

Why: the student cannot reproduce the teacher's entities even on its own
training text (entity F 0.929), and a wider NER layer did not help. The
hash tables are small (10,000 rows for a word's NORM, each word summing
four of them), so rare names share rows with other words. Rows
cost size, not speed. thinc's HashEmbed picks row `hash % rows`; with
`rows * k` rows, `(hash % (rows * k)) % rows == hash % rows`, so a table
tiled k times gives every key exactly the vectors it had. Training then
separates the copies: keys that shared a row mostly no longer do.

Usage: python widen_embed.py TRAINED_DIR OUT_DIR NORM PREFIX SUFFIX SHAPE
"""
import sys

import numpy
import spacy
from same_predictions import require_same_entities


def widen(nlp, factors):
    """Tile each tok2vec hash table by its factor (in place); returns the new row counts."""
    tables = [node for node in nlp.get_pipe("tok2vec").model.walk() if node.name == "hashembed"]
    if len(tables) != len(factors):
        raise SystemExit(f"{len(tables)} hash tables, {len(factors)} factors given")
    rows = []
    for node, factor in zip(tables, factors):
        table = node.get_param("E")
        wide = numpy.tile(node.ops.to_numpy(table), (factor, 1))
        # thinc refuses set_dim once a layer has weights; the table and its
        # row count change together here, so both are written directly.
        node._dims["nV"] = wide.shape[0]
        node.set_param("E", node.ops.asarray2f(wide))
        rows.append(wide.shape[0])
    # The saved config must build tables of the new size, or loading fails.
    nlp._pipe_configs["tok2vec"]["model"]["embed"]["rows"] = rows
    return rows


def main(trained, out, *factors):
    nlp = spacy.load(trained)
    rows = widen(nlp, [int(factor) for factor in factors])
    nlp.to_disk(out)
    require_same_entities(trained, out, "widened")
    print(f"{out}: hash rows {rows}")


if __name__ == "__main__":
    main(*sys.argv[1:])
