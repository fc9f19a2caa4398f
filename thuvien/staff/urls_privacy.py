from django.urls import path

from thuvien.staff import views_privacy as v

urlpatterns = [
    path("", v.requests, name="requests"),
    path("logins/", v.logins, name="logins"),
    path("breaches/", v.breaches, name="breaches"),
]
