from django.urls import path

from thuvien.staff import views_circ as v

urlpatterns = [
    path("", v.home, name="home"),
    path("checkin/", v.checkin, name="checkin"),
    path("patrons/new/", v.patron_new, name="patron_new"),
    path("patrons/<str:card>/", v.patron, name="patron"),
    path("patrons/<str:card>/receipt/", v.receipt, name="receipt"),
    path("patrons/<str:card>/card/", v.card, name="card"),
    path("policy/", v.policy, name="policy"),
]
