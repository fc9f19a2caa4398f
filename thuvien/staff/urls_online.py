from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_online as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("fees/", v.fees_page, name="fees"),
    path("queue/<slug:kind>/", v.queue, name="queue"),
    path("question/<int:pk>/", v.question, name="question"),
    path("copy/<int:pk>/", v.copy, name="copy"),
    path("postal/<int:pk>/", v.postal, name="postal"),
    path("postal/<int:pk>/<slug:what>.pdf", v.postal_pdf, name="postal_pdf"),
    path("suggestion/<int:pk>/", v.suggestion, name="suggestion"),
]
