"""Fill the embedding cache with the Hutto sets (run once; ~25-60 min on one core, depending on
the machine's load). Test and dev splits first, so evaluation can start before training data
is complete.

    .venv/bin/python -m bench.embed_hutto
"""

from __future__ import annotations

from hirewatch.enrich.text import sentences

from bench import hutto, labelled
from bench.embedding_cache import embed
from bench.train_sentiment_head import load_multilingual

if __name__ == "__main__":
    items = hutto.load_all()
    # the order the benchmark needs them in: every test item, then the capped train/dev subsets the
    # default training run uses, then everything else
    mentions = labelled.load(None)
    extra = [t for _, _, t in load_multilingual()] + [i.text for i in mentions]
    extra += [s for i in mentions for s in sentences(i.text)]
    print(f"multilingual: {len(extra)} texts", flush=True)
    embed(extra)
    for title, chosen in (("test", [i for i in items if i.split == "test"]),
                          ("train (capped)", hutto.capped([i for i in items if i.split == "train"], 2500)),
                          ("dev (capped)", hutto.capped([i for i in items if i.split == "dev"], 600)),
                          ("all", items)):
        print(f"{title}: {len(chosen)} items", flush=True)
        embed([i.text for i in chosen])
