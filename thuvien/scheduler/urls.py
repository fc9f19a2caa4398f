from django.urls import path

from thuvien.scheduler import views

urlpatterns = [
    path("", views.schedule, name="schedule"),
]
