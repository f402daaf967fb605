"""Language identification: lingua (the product's choice) vs py3langid, restricted to en nl de sv
no da, on short strings and on review-length texts.

    .venv/bin/python -m bench.eval_langid
    # with py3langid for the comparison (it is not a dependency any more):
    .uv/bin/uv run --no-project --with py3langid --with lingua-language-detector python -m bench.eval_langid

Data, all written for the project: ``bench/data/enrich/langid_short.tsv`` (2-6 words) and
review-length texts made by joining three consecutive labelled mentions of one language
(``bench/data/enrich/labelled``; ~200-300 characters).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import labelled

LANGS = ("en", "nl", "de", "sv", "no", "da")
SHORT = Path(__file__).resolve().parent / "data" / "enrich" / "langid_short.tsv"


def short_texts() -> list[tuple[str, str]]:
    rows = []
    for line in SHORT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text))
    return rows


def review_texts() -> list[tuple[str, str]]:
    rows = []
    for lang in LANGS:
        items = labelled.load(None, (lang,))
        for start in range(0, len(items) - 2, 3):
            rows.append((lang, " ".join(i.text for i in items[start:start + 3])))
    return rows


def lingua_detector(low_accuracy: bool = False):
    from lingua import Language, LanguageDetectorBuilder

    table = {Language.ENGLISH: "en", Language.DUTCH: "nl", Language.GERMAN: "de", Language.SWEDISH: "sv",
             Language.BOKMAL: "no", Language.NYNORSK: "no", Language.DANISH: "da"}
    builder = LanguageDetectorBuilder.from_languages(*table)
    detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()
    return lambda text: table.get(detector.detect_language_of(text))


def py3langid_detector():
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGS))
    return lambda text: ident.classify(text)[0]


def measure(name, detect, rows) -> str:
    for _, text in rows:  # load every model before timing
        detect(text)
    started = time.perf_counter()
    ok = sum(detect(text) == lang for lang, text in rows)
    per = (time.perf_counter() - started) / len(rows) * 1e3
    confusions = sorted({f"{lang}->{detect(text)}" for lang, text in rows if detect(text) != lang})
    return f"| {name} | {ok / len(rows):.3f} ({ok}/{len(rows)}) | {per:.2f} ms | {', '.join(confusions)} |"


def main() -> None:
    detectors = {"lingua (high accuracy)": lingua_detector(), "lingua (low accuracy)": lingua_detector(True),
                 "py3langid": py3langid_detector()}
    for title, rows in (("short strings (2-6 words)", short_texts()), ("review-length texts", review_texts())):
        print(f"\n### {title}\n\n| detector | accuracy | time per text | confusions |\n|---|---|---|---|")
        for name, detect in detectors.items():
            print(measure(name, detect, rows) if detect else f"| {name} | not installed | | |")


if __name__ == "__main__":
    main()
