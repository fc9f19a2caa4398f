import io

from thuvien.search import demo
from thuvien.search.query import MatchAll
from thuvien.search.selectors import record_search


def test_demo_load_indexes_the_catalogue(vn_catalogue):
    out = io.StringIO()
    demo.load(network=vn_catalogue.net.province, stdout=out)
    assert out.getvalue() == "Chỉ mục tìm kiếm: 9 biểu ghi."
    assert record_search(query=MatchAll()).total == 9
