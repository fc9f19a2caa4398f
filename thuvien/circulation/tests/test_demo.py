import io

from thuvien.circulation import demo as circ_demo
from thuvien.circulation.models import Hold, Loan, Transit
from thuvien.core import demo as core_demo
from thuvien.patrons import demo as patron_demo
from thuvien.patrons.models import Patron


def test_demo_readers_loans_and_holds(db):
    out = io.StringIO()
    network = core_demo.load(stdout=out)
    patron_demo.load(network=network, stdout=out)
    circ_demo.load(network=network, stdout=out)
    assert Patron.objects.count() == 10
    assert set(Patron.objects.values_list("category__code", flat=True)) == {
        "adult", "child", "pupil", "student", "elderly", "disabled", "agency_staff"}
    assert Loan.objects.filter(returned_at__isnull=True).count() == 8
    assert Transit.objects.filter(received_at__isnull=True).count() == 1
    assert Hold.objects.filter(state="in_transit").count() == 1 and Hold.objects.filter(state="waiting").count() == 1
    assert "thẻ CB000001" in out.getvalue()
