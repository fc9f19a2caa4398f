import io

from thuvien.catalog import demo as catalog_demo
from thuvien.catalog.models import Item
from thuvien.circulation import demo as circ_demo
from thuvien.circulation.models import Fine, Hold, Loan, Transit
from thuvien.core import demo as core_demo
from thuvien.patrons import demo as patron_demo
from thuvien.patrons.models import Patron


def _counts() -> dict[str, object]:
    from django.utils import timezone
    open_loans = Loan.objects.filter(returned_at__isnull=True)
    return {
        "open_loans": open_loans.count(),
        "overdue": open_loans.filter(due_at__lt=timezone.now()).count(),
        "holds": sorted(Hold.objects.values_list("state", flat=True)),
        "fines": Fine.objects.count(),
        "paid_fines": sum(1 for f in Fine.objects.all() if f.paid == f.amount),
        "open_transits": Transit.objects.filter(received_at__isnull=True, cancelled_at__isnull=True).count(),
    }


EXPECTED = {"open_loans": 8, "overdue": 4, "holds": ["in_transit", "ready", "waiting"], "fines": 2, "paid_fines": 1,
            "open_transits": 1}


def test_demo_readers_loans_and_holds_without_the_catalogue(db):
    out = io.StringIO()
    network = core_demo.load(stdout=out)
    patron_demo.load(network=network, stdout=out)
    circ_demo.load(network=network, stdout=out)
    assert Patron.objects.count() == 10
    assert set(Patron.objects.values_list("category__code", flat=True)) == {
        "adult", "child", "pupil", "student", "elderly", "disabled", "agency_staff"}
    assert _counts() == EXPECTED
    assert Item.objects.filter(barcode__startswith="DEMO-").count() == 12
    assert "8 lượt mượn (có quá hạn), 3 đặt mượn (một sẵn sàng, một đang chuyển), 2 khoản phạt" in out.getvalue()
    assert "thẻ CB000001" in out.getvalue()


def test_demo_with_the_catalogue_loaded_is_deterministic(db, shared_data):
    out = io.StringIO()
    network = core_demo.load(stdout=out)
    catalog_demo.load(network=network, stdout=out)
    patron_demo.load(network=network, stdout=out)
    circ_demo.load(network=network, stdout=out)
    assert _counts() == EXPECTED
    assert not Item.objects.filter(barcode__startswith="DEMO-").exists()  # the catalogue's own copies are lent
    lent = list(Loan.objects.order_by("pk").values_list("item__barcode", "patron__card_number"))
    assert len(lent) == 10 and lent[0][1] == "CB000001"
    assert "8 lượt mượn (có quá hạn), 3 đặt mượn" in out.getvalue()
