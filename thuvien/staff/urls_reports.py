from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_reports as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("r/<slug:name>/", v.report_view, name="report"),
    path("builder/", v.builder, name="builder"),
    path("visits/", v.visits, name="visits"),
    path("year-data/", v.year_data, name="year_data"),
    path("subscriptions/", v.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/delete/", v.subscription_delete, name="subscription_delete"),
]
