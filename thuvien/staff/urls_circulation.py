from django.urls import path

from thuvien.staff import views_circ as v
from thuvien.staff import views_readers as readers

urlpatterns = [
    path("", v.home, name="home"),
    path("checkin/", v.checkin, name="checkin"),
    path("patrons/new/", v.patron_new, name="patron_new"),
    path("patrons/<str:card>/", v.patron, name="patron"),
    path("patrons/<str:card>/receipt/", v.receipt, name="receipt"),
    path("patrons/<str:card>/edit/", readers.patron_edit, name="patron_edit"),
    path("patrons/<str:card>/consent/", readers.patron_consent, name="patron_consent"),
    path("patrons/<str:card>/photo/", readers.patron_photo, name="patron_photo"),
    path("registrations/", readers.registrations, name="registrations"),
    path("patrons/<str:card>/card/", v.card, name="card"),
    path("policy/", v.policy, name="policy"),
]
