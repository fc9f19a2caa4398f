"""Write N realistic MARC21 records (Vietnamese from the Tiki data, recombined, and foreign ones)
as UTF-8 ISO 2709, deterministic from a seed, each with 1-3 items in 952.

    uv run python bench/make_catalogue.py 100000 -o /tmp/cat100k.mrc [--seed 2026] [--libraries CB-TVT,CB-HA]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

from pymarc import Field, Indicators, Subfield

from thuvien.catalog.marc.isbn import _isbn13_check
from thuvien.catalog.marc.writer import to_iso2709
from thuvien.catalog.quick import QuickRecord, build_record
from thuvien.catalog.tiki import GENERATED_NOTE, classify, publisher_and_place, read_tiki

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vi" / "tiki_books.csv"
NOW = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
FOREIGN_WORDS = ("history of the river delta village rice culture modern poetry war peace mountain children "
                 "library science stories night city music journey memory family sea garden").split()
FOREIGN_NAMES = ["Smith, John", "Martin, Claire", "Dubois, Pierre", "Tanaka, Yuki", "Müller, Anna",
                 "García Márquez, Gabriel", "Nguyen, Viet Thanh", "Kim, Min-jun", "Ivanova, Olga", "Brown, Dan"]
FOREIGN_DDC = ["813.54", "823.914", "843.914", "959.704", "306.09597", "020", "780.9", "895.63", "330.9597"]
FOREIGN_PUB = [("New York", "Penguin"), ("Paris", "Gallimard"), ("London", "Verso"), ("Tokyo", "Kodansha")]


def isbn_for(n: int) -> str:
    core = f"978604{n % 1000000:06d}"
    return core + _isbn13_check(core)


def generate(n: int, *, seed: int, libraries: list[str]) -> bytes:
    rng = random.Random(seed)
    books = list(read_tiki(DATA))
    out = bytearray()
    for i in range(n):
        if rng.random() < 0.7:
            book = rng.choice(books)
            title = book.title if rng.random() < 0.6 else f"{book.title} - Tập {rng.randint(1, 12)}"
            authors = book.authors or [f"{rng.choice(['Nguyễn', 'Trần', 'Lê', 'Phạm'])} Văn {rng.choice(['An', 'Bình', 'Cường'])}"]
            ddc, subject, juvenile, fiction = classify(book.category, authors)
            publisher, place = publisher_and_place(book.publisher)
            q = QuickRecord(title=title, authors=authors, publisher=publisher or "Kim Đồng", place=place or "Hà Nội",
                            year=rng.randint(1975, 2025), pages=book.pages or str(rng.randint(48, 600)),
                            size="21 cm", ddc=ddc, subjects=[subject], language="vie", isbn=isbn_for(i),
                            notes=[GENERATED_NOTE], audience="j" if juvenile else " ", fiction=fiction)
        else:
            words = rng.sample(FOREIGN_WORDS, rng.randint(2, 5))
            place, publisher = rng.choice(FOREIGN_PUB)
            q = QuickRecord(title=" ".join(words).capitalize(), authors=[rng.choice(FOREIGN_NAMES)],
                            publisher=publisher, place=place, year=rng.randint(1950, 2025),
                            pages=str(rng.randint(80, 900)), size="24 cm", ddc=rng.choice(FOREIGN_DDC),
                            subjects=[rng.choice(["Vietnam -- History", "Fiction", "Music", "Economics"])],
                            language=rng.choice(["eng", "fre", "jpn"]), isbn=isbn_for(i + 500000),
                            notes=["Generated record for benchmarks."])
        record = build_record(q, now=NOW)
        record.fields.insert(0, Field(tag="003", data="THUVIEN-BENCH"))
        record.fields.insert(0, Field(tag="001", data=f"GEN{seed}-{i:08d}"))
        for k in range(rng.randint(1, 3)):
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
                Subfield("a", rng.choice(libraries)), Subfield("p", f"B{seed % 100:02d}{i:08d}{k}"),
                Subfield("o", f"{q.ddc} {q.authors[0][:3]}"), Subfield("y", "book"),
                Subfield("g", str(rng.randint(30, 300) * 1000)), Subfield("d", f"{rng.randint(2000, 2025)}-0{rng.randint(1, 9)}-15")]))
        out += to_iso2709(record)
    return bytes(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--libraries", default="CB-TVT,CB-HA,CB-TK,CB-HA-DC")
    args = parser.parse_args()
    started = time.monotonic()
    data = generate(args.n, seed=args.seed, libraries=args.libraries.split(","))
    Path(args.output).write_bytes(data)
    took = time.monotonic() - started
    print(f"wrote {args.n} records, {len(data) / 1e6:.1f} MB to {args.output} in {took:.1f} s", file=sys.stderr)
    print(json.dumps({"records": args.n, "bytes": len(data), "seconds": round(took, 2)}))


if __name__ == "__main__":
    main()
