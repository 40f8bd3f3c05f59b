"""SMS cost of French announcements: raw vs Twilio Smart Encoding vs Crieur's policies.

Run: .venv/bin/python bench/sms_cost.py   (prints a table, then PASS/FAIL per goal)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renderers.sms import analyse, smart_encode  # noqa: E402

CORPUS = Path(__file__).with_name("corpus_fr.txt")

# Twilio Smart Encoding, reimplemented from reference/sms.md and Twilio's published list:
# quotes, apostrophes, dashes, ellipsis, special spaces and zero-width characters only.
# It leaves ç, œ and circumflex letters alone, so such a text stays UCS-2.
_TWILIO_GROUPS = {
    "«»“”„‟″ʺˮ❝❞〝〞＂": '"',
    "‘’‚‛′ʻʼʽʹˈ´ˊ`ˋ❛❜＇": "'",
    "‐‑‒–—―−﹣－": "-",
    "…": "...",
    "\u00a0\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u205f\u3000": " ",
    "\u200b\u200c\u200d\u2060\ufeff": "",
}
TWILIO = {ch: to for chars, to in _TWILIO_GROUPS.items() for ch in chars}


def twilio_smart_encoding(text: str) -> str:
    return "".join(TWILIO.get(ch, ch) for ch in text)


def load_corpus() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


COLUMNS = {
    "raw": lambda text: text,
    "twilio": twilio_smart_encoding,
    "off": lambda text: smart_encode(text, "off"),
    "punctuation": lambda text: smart_encode(text, "punctuation"),
    "full": lambda text: smart_encode(text, "full"),
}


def main() -> int:
    corpus = load_corpus()
    texts = {name: [encode(t) for t in corpus] for name, encode in COLUMNS.items()}
    segments = {name: [analyse(t).segments for t in done] for name, done in texts.items()}
    gsm = {name: sum(analyse(t).encoding == "GSM-7" for t in done) for name, done in texts.items()}
    raw_total = sum(segments["raw"])
    print(f"{len(corpus)} French announcements, {sum(map(len, corpus))} characters\n")
    print(f"{'encoding':<14}{'segments':>10}{'vs raw':>10}{'GSM-7 msgs':>12}")
    for name in COLUMNS:
        total = sum(segments[name])
        print(f"{name:<14}{total:>10}{total / raw_total:>10.0%}{gsm[name]:>12}")

    full, twilio = segments["full"], segments["twilio"]
    saving = 1 - sum(full) / raw_total
    worse = [i for i, (f, t) in enumerate(zip(full, twilio, strict=True)) if f > t]
    invented = [i for i, (t, c) in enumerate(zip(texts["full"], corpus, strict=True))
                if t.count("?") != c.count("?")]  # fmt: skip
    goals = [
        (f"full saves >= 40 % of segments vs raw ({saving:.0%})", saving >= 0.40),
        (f"full never costs more than Twilio on a message ({len(worse)} worse)", not worse),
        (f"no '?' introduced by any policy ({len(invented)} texts)", not invented),
        (f"corpus has at least 60 messages ({len(corpus)})", len(corpus) >= 60),
    ]
    print()
    for label, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
