"""Portal URLs of the online services (ask a librarian, FAQ, remote copies, postal loans, suggestions)."""

from django.urls import path

from thuvien.opac import views_online as v

app_name = "online"
urlpatterns = [
    path("ask/", v.ask, name="ask"),
    path("faq/", v.faq, name="faq"),
    path("suggest/", v.suggest, name="suggest"),
    path("record/<int:record_id>/copy/", v.copy_request, name="copy_request"),
    path("record/<int:record_id>/postal/", v.postal_request, name="postal_request"),
    path("account/online/", v.account_action, name="account_action"),
    path("account/copies/<uuid:uuid>/pdf", v.copy_download, name="copy_download"),
]
