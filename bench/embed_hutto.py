"""Fill the embedding cache with the Hutto sets (run once; ~25-60 min on one core, depending on
the machine's load). Test and dev splits first, so evaluation can start before training data
is complete.

    .venv/bin/python -m bench.embed_hutto
    .venv/bin/python -m bench.embed_hutto --depth 6 [--all]  # the first 6 layers: what training
                                                             # and evaluation at that depth read
"""

from __future__ import annotations

import argparse

from hirewatch.enrich.text import sentences

from bench import hutto, labelled
from bench.embedding_cache import embed
from bench.train_sentiment_head import load_multilingual


def embed_at_depth(depth: int, everything: bool = False) -> None:
    """The texts a training run with ``--cap-train 700 --cap-dev 250`` and ``bench.eval_sentiment``
    read, at ``depth`` layers: written sentences and labelled mentions, capped train and dev, test;
    with ``everything``, then the rest of the train and dev splits."""
    items = hutto.load_all()
    mentions = labelled.load(None)
    extra = [t for _, _, t in load_multilingual()] + [i.text for i in mentions]
    extra += [s for i in mentions for s in sentences(i.text)]
    train = hutto.capped([i for i in items if i.split == "train"], 700)
    dev = hutto.capped([i for i in items if i.split == "dev"], 250)
    for title, chosen in (("multilingual", extra), ("train (capped)", [i.text for i in train]),
                          ("dev (capped)", [i.text for i in dev]),
                          ("test", [i.text for i in items if i.split == "test"]),
                          ("all train and dev", [i.text for i in items if everything and i.split != "test"])):
        print(f"{title}: {len(chosen)} texts at {depth} layers", flush=True)
        embed(chosen, depth=depth)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=12, help="embed with the model's first N layers")
    parser.add_argument("--all", action="store_true", help="with --depth: the whole train and dev splits too")
    args = parser.parse_args()
    if (depth := args.depth) != 12:
        embed_at_depth(depth, args.all)
        raise SystemExit(0)
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
