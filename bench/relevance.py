"""Relevance benchmark: labelled queries over the demo catalogue, scored as a reader would judge them.

    uv run python bench/relevance.py [--home /tmp/thuvien-bench-relevance] [--table]

The demo catalogue (`thuvien demo`: the Tiki books, the hand-catalogued classics and local Cao Bằng
collection, the real MARC files) is loaded once into --home. Each query is searched through
`record_search`, as the OPAC does, and judged against its relevant records: reciprocal rank of the
first relevant record, precision@1, nDCG@10 (binary gains) and the number of hits. A query is
"noisy" when its first page (20 results) holds more than 3x as many records as it has relevant
ones. Prints one line per query with --table, then the averages; the last line is one JSON object.
thuvien/search/tests/test_relevance.py runs the same set as a regression floor.

Relevant records are named by what a librarian would check, not by id:
    t=Title          titles equal to this (punctuation, case, tone placement and i/y aside)
    t^Title          titles starting with these words
    c=words          titles containing these words in this order
    a=Author         main author equal to this (same rules); a~words: main author containing them
    n=words          notes (contents of a collection, summary) containing these words in this order
    isbn=978...      records carrying this ISBN
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

PAGE = 20
NOISE_FACTOR = 3

# (kind, query, relevant records)
QUERIES: list[tuple[str, str, list[str]]] = [
    # titles typed with their diacritics
    ("title", "Truyện Kiều", ["t=Truyện Kiều"]),
    ("title", "Đất rừng phương Nam", ["t=Đất rừng phương Nam"]),
    ("title", "Dế Mèn phiêu lưu ký", ["t^Dế Mèn phiêu lưu ký"]),
    ("title", "Chí Phèo", ["t=Chí Phèo"]),
    ("title", "Số đỏ", ["t=Số đỏ"]),
    ("title", "Tắt đèn", ["t=Tắt đèn"]),
    ("title", "Vợ chồng A Phủ", ["t=Vợ chồng A Phủ"]),
    ("title", "Nhật ký Đặng Thùy Trâm", ["t=Nhật ký Đặng Thùy Trâm"]),
    ("title", "Cây Cam Ngọt Của Tôi", ["t=Cây Cam Ngọt Của Tôi"]),
    ("title", "Hành tinh của một kẻ nghĩ nhiều", ["t=Hành Tinh Của Một Kẻ Nghĩ Nhiều"]),
    ("title", "Những tù nhân của địa lý", ["t^Những Tù Nhân Của Địa Lý"]),
    ("title", "Harry Potter và hòn đá phù thủy", ["t^Harry Potter và Hòn đá phù thủy"]),
    ("title", "Muôn kiếp nhân sinh", ["c=Muôn Kiếp Nhân Sinh"]),
    ("title", "Mắt biếc", []),  # not in the demo catalogue: nothing relevant, nothing expected
    ("title", "Tôi thấy hoa vàng trên cỏ xanh", ["t=Tôi Thấy Hoa Vàng Trên Cỏ Xanh"]),
    ("title", "Rừng Nauy", ["t^Rừng Nauy"]),
    ("title", "Cánh đồng bất tận", ["t^Cánh Đồng Bất Tận"]),
    # the same typed without diacritics
    ("unaccented", "truyen kieu", ["t=Truyện Kiều"]),
    ("unaccented", "dat rung phuong nam", ["t=Đất rừng phương Nam"]),
    ("unaccented", "de men phieu luu ky", ["t^Dế Mèn phiêu lưu ký"]),
    ("unaccented", "phieu luu ki", ["t^Dế Mèn phiêu lưu ký"]),
    ("unaccented", "chi pheo", ["t=Chí Phèo"]),
    ("unaccented", "tat den", ["t=Tắt đèn"]),
    ("unaccented", "cay cam ngot cua toi", ["t=Cây Cam Ngọt Của Tôi"]),
    ("unaccented", "nhung tu nhan cua dia ly", ["t^Những Tù Nhân Của Địa Lý"]),
    ("unaccented", "harry potter", ["c=Harry Potter"]),
    ("unaccented", "muon kiep nhan sinh", ["c=Muôn Kiếp Nhân Sinh"]),
    ("unaccented", "toi thay hoa vang tren co xanh", ["t=Tôi Thấy Hoa Vàng Trên Cỏ Xanh"]),
    ("unaccented", "canh dong bat tan", ["t^Cánh Đồng Bất Tận"]),
    ("unaccented", "dai duong den", ["t^Đại Dương Đen"]),
    # authors
    ("author", "Nguyễn Du", ["a=Nguyễn Du"]),
    ("author", "nguyen du", ["a=Nguyễn Du"]),
    ("author", "Nguyễn Nhật Ánh", ["a=Nguyễn Nhật Ánh"]),
    ("author", "nguyen nhat anh", ["a=Nguyễn Nhật Ánh"]),
    ("author", "Nam Cao", ["a=Nam Cao"]),
    ("author", "Tô Hoài", ["a=Tô Hoài"]),
    ("author", "to hoai", ["a=Tô Hoài"]),
    ("author", "Nguyễn Ngọc Tư", ["a=Nguyễn Ngọc Tư"]),
    ("author", "Thích Nhất Hạnh", ["a=Thích Nhất Hạnh"]),
    ("author", "thich nhat hanh", ["a=Thích Nhất Hạnh", "a=Thich Nhất Hạnh"]),
    ("author", "Nguyên Phong", ["a=Nguyên Phong"]),
    ("author", "Đặng Hoàng Giang", ["a=Đặng Hoàng Giang"]),
    ("author", "dang hoang giang", ["a=Đặng Hoàng Giang"]),
    ("author", "Vũ Trọng Phụng", ["a=Vũ Trọng Phụng"]),
    ("author", "Ngô Tất Tố", ["a=Ngô Tất Tố"]),
    ("author", "doan gioi", ["a=Đoàn Giỏi"]),
    ("author", "Higashino Keigo", ["a=Higashino Keigo", "a=Keigo Higashino"]),
    ("author", "higashino", ["a=Higashino Keigo", "a=Keigo Higashino"]),
    ("author", "Haruki Murakami", ["a=Haruki Murakami"]),
    ("author", "murakami", ["a=Haruki Murakami"]),
    ("author", "Tim Marshall", ["a=Tim Marshall"]),
    ("author", "Dale Carnegie", ["a=Dale Carnegie"]),
    ("author", "Agatha Christie", ["a=Agatha Christie"]),
    ("author", "Victor Hugo", ["a=Victor Hugo"]),
    ("author", "Jane Austen", ["a~Austen Jane", "a~Austin Jane", "a=Jane Austen", "c=Jane Austen"]),
    ("author", "Dalai Lama", ["a~Dalai Lama"]),
    # typing mistakes
    ("typo", "truyen kieeu", ["t=Truyện Kiều"]),
    ("typo", "nguyenn nhat anh", ["a=Nguyễn Nhật Ánh"]),
    ("typo", "higashimo keigo", ["a=Higashino Keigo", "a=Keigo Higashino"]),
    ("typo", "murakamy", ["a=Haruki Murakami"]),
    ("typo", "harry poter", ["c=Harry Potter"]),
    ("typo", "sensibilty", ["c=Sense and sensibility"]),
    # i/y and old/new tone placement
    ("i/y", "Dế Mèn phiêu lưu kí", ["t^Dế Mèn phiêu lưu ký"]),
    ("i/y", "Kĩ năng giao tiếp", ["t^Kỹ Năng Giao Tiếp"]),
    ("i/y", "ky nang giao tiep", ["t^Kỹ Năng Giao Tiếp"]),
    ("i/y", "Những vị thần nước Mĩ", ["t=Những Vị Thần Nước Mỹ"]),
    ("i/y", "Hung khí hoàn mĩ", ["t=Hung Khí Hoàn Mỹ"]),
    ("i/y", "Điều kì diệu của tiệm tạp hóa", ["t^Điều Kỳ Diệu Của Tiệm Tạp Hóa"]),
    ("i/y", "tâm lí học thành công", ["c=Tâm lý học thành công"]),
    ("i/y", "Thao túng tâm lí", ["c=Thao túng tâm lý"]),
    ("tone", "phù thuỷ", ["c=phù thủy"]),
    ("tone", "phù thủy", ["c=phù thủy"]),
    ("tone", "Tiệm tạp hoá Namiya", ["t^Điều Kỳ Diệu Của Tiệm Tạp Hóa"]),
    ("tone", "Ăn ít để khoẻ", ["t=Ăn Ít Để Khỏe"]),
    ("tone", "Nhật ký Đặng Thuỳ Trâm", ["t=Nhật ký Đặng Thùy Trâm"]),
    # titles with subtitles, and subtitles alone
    ("subtitle", "Non nước Cao Bằng", ["t^Non nước Cao Bằng"]),
    ("subtitle", "Ikigai", ["t^Ikigai"]),
    ("subtitle", "Đi tìm lý do thức dậy mỗi sáng", ["t^Ikigai"]),
    ("subtitle", "Quyền lực của địa lý", ["t^Quyền Lực Của Địa Lý"]),
    ("subtitle", "The power of geography", ["t^Quyền Lực Của Địa Lý"]),
    ("subtitle", "Pride and prejudice an authoritative text", ["t^Pride and prejudice : an authoritative text"]),
    ("subtitle", "Twentieth century interpretations of Pride and prejudice",
     ["t^Twentieth century interpretations"]),
    ("subtitle", "Storytelling with data", ["t^Storytelling With Data"]),
    # ISBNs in any form
    ("isbn", "9780141439518", ["isbn=9780141439518"]),
    ("isbn", "978-0-14-043072-1", ["isbn=9780140430721"]),
    ("isbn", "0140430725", ["isbn=9780140430721"]),
    ("isbn", "isbn:978 0 393 96294 9", ["isbn=9780393962949"]),
    # Tày and Nùng place names, the local collection
    ("place", "Pác Bó", ["t^Non nước Cao Bằng"]),
    ("place", "pac bo", ["t^Non nước Cao Bằng"]),
    ("place", "thác Bản Giốc", ["t^Non nước Cao Bằng"]),
    ("place", "ban gioc", ["t^Non nước Cao Bằng"]),
    ("place", "Phja Oắc", ["t^Non nước Cao Bằng"]),
    ("place", "Tày Nùng", ["t=Truyện cổ Tày - Nùng"]),
    ("place", "hát then Tày", ["t=Hát then của người Tày ở Cao Bằng"]),
    ("place", "Cao Bằng", ["t=Địa chí Cao Bằng", "t^Non nước Cao Bằng", "t=Hát then của người Tày ở Cao Bằng"]),
    ("place", "dia chi cao bang", ["t=Địa chí Cao Bằng"]),
    # foreign titles
    ("foreign", "Sense and sensibility", ["c=Sense and sensibility"]),
    ("foreign", "Lady Susan", ["c=Lady Susan"]),
    ("foreign", "Northanger Abbey", ["c=Northanger Abbey", "n=Northanger Abbey"]),
    ("foreign", "geology california continental margin", ["c=California continental margin"]),
    ("foreign", "Yosemite", ["c=Yosemite"]),
    ("foreign", "Strong medicine speaks", ["c=Strong Medicine speaks"]),
    ("foreign", "Ao man yu pian jian", ["t^Ao man yu pian jian"]),
    ("foreign", "Kazanbaichi", ["c=Kazanbaichi"]),
]


@dataclass
class Judged:
    kind: str
    query: str
    relevant: int
    hits: int
    first_page: int
    rank: int | None  # of the first relevant record on the first page
    ndcg10: float

    @property
    def rr(self) -> float:
        if not self.relevant:
            return 1.0 if not self.hits else 0.0
        return 1.0 / self.rank if self.rank else 0.0

    @property
    def p_at_1(self) -> float:
        if not self.relevant:
            return 1.0 if not self.hits else 0.0
        return 1.0 if self.rank == 1 else 0.0

    @property
    def noisy(self) -> bool:
        return self.first_page > NOISE_FACTOR * max(self.relevant, 1) and self.first_page > self.relevant


def _words(text: str) -> list[str]:
    from thuvien.core.text import match_key

    return match_key(text).split()


def _contains(seq: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(seq[i:i + n] == part for i in range(len(seq) - n + 1))


def relevant_ids(specs: Iterable[str], records: list[tuple[int, str, str, list[str], list[str]]]) -> set[int]:
    """Record ids the specs name, among (id, title, main author, ISBNs, notes) rows."""
    out: set[int] = set()
    for spec in specs:
        if spec.startswith("isbn="):
            out |= {i for i, _t, _a, isbns, _n in records if spec[5:] in isbns}
            continue
        op, value = spec[:2], _words(spec[2:])
        for rid, title, author, _isbns, notes in records:
            t, a = _words(title), _words(author)
            if op == "n=" and any(_contains(_words(n), value) for n in notes):
                out.add(rid)
            if ((op == "t=" and t == value) or (op == "t^" and t[:len(value)] == value)
                    or (op == "c=" and _contains(t, value)) or (op == "a=" and a == value)
                    or (op == "a~" and _contains(a, value))):
                out.add(rid)
    return out


def judge(kind: str, query: str, relevant: set[int], *, page: int = PAGE) -> Judged:
    from thuvien.search.selectors import parse_user_query, record_search

    result = record_search(query=parse_user_query(query), limit=page)
    ids = result.record_ids
    rank = next((n for n, rid in enumerate(ids, 1) if rid in relevant), None)
    dcg = sum(1 / math.log2(n + 1) for n, rid in enumerate(ids[:10], 1) if rid in relevant)
    ideal = sum(1 / math.log2(n + 1) for n in range(1, min(len(relevant), 10) + 1))
    ndcg = dcg / ideal if ideal else (1.0 if not ids else 0.0)
    return Judged(kind, query, len(relevant), result.total, len(ids), rank, ndcg)


def evaluate(queries: list[tuple[str, str, list[str]]] = QUERIES) -> tuple[list[Judged], dict[str, float | int]]:
    """Every query judged, and the summary figures."""
    from thuvien.catalog.models import BibRecord

    rows = BibRecord.objects.filter(is_deleted=False).values("id", "title", "main_author", "isbns", "notes")
    records = [(r["id"], r["title"], r["main_author"], list(r["isbns"] or []), [str(n) for n in r["notes"] or []])
               for r in rows]
    judged = [judge(kind, q, relevant_ids(specs, records)) for kind, q, specs in queries]
    n = len(judged)
    summary: dict[str, float | int] = {
        "queries": n,
        "mrr": round(sum(j.rr for j in judged) / n, 4),
        "p_at_1": round(sum(j.p_at_1 for j in judged) / n, 4),
        "ndcg_at_10": round(sum(j.ndcg10 for j in judged) / n, 4),
        "noisy_queries": sum(1 for j in judged if j.noisy),
        "missed_queries": sum(1 for j in judged if j.relevant and not j.rank),
    }
    return judged, summary


def table(judged: list[Judged]) -> str:
    lines = [f"{'kind':10} {'query':58} {'rel':>4} {'hits':>5} {'rank':>4} {'nDCG10':>6}"]
    for j in judged:
        flag = " NOISY" if j.noisy else (" MISSED" if j.relevant and not j.rank else "")
        lines.append(f"{j.kind:10} {j.query[:58]:58} {j.relevant:4d} {j.hits:5d} {j.rank or '-':>4} "
                     f"{j.ndcg10:6.3f}{flag}")
    return "\n".join(lines)


def main() -> None:
    import argparse
    import json
    import os
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--home", default="/tmp/thuvien-bench-relevance")
    parser.add_argument("--table", action="store_true", help="print the per-query table")
    args = parser.parse_args()
    os.environ["THUVIEN_HOME"] = args.home
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
    os.environ.setdefault("THUVIEN_DEBUG", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command

    from thuvien.core import demo as core_demo

    call_command("migrate", verbosity=0)
    if not core_demo.network_exists():
        call_command("demo", verbosity=0)
    judged, summary = evaluate()
    if args.table:
        print(table(judged))
    print(f"{summary['queries']} queries: MRR {summary['mrr']:.3f}, P@1 {summary['p_at_1']:.3f}, "
          f"nDCG@10 {summary['ndcg_at_10']:.3f}, {summary['noisy_queries']} noisy, "
          f"{summary['missed_queries']} missed")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
