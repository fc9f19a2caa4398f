"""Portal URLs: public pages under Vietnamese slugs, staff pages under /staff/portal/."""

from django.urls import path

from thuvien.portal import feeds, views
from thuvien.portal import views_staff as staff

app_name = "portal"
urlpatterns = [
    path("thu-vien/", views.directory, name="directory"),
    path("xe-luu-dong/", views.van, name="van"),
    path("tin-tuc/", views.news, name="news"),
    path("tin-tuc/<int:pk>/", views.news_detail, name="news_detail"),
    path("tin-tuc/rss/", feeds.NewsFeed(), name="news_rss"),
    path("tin-tuc/atom/", feeds.NewsAtomFeed(), name="news_atom"),
    path("su-kien/", views.events, name="events"),
    path("su-kien/<int:pk>/", views.event_detail, name="event_detail"),
    path("su-kien/rss/", feeds.EventsFeed(), name="events_rss"),
    path("su-kien/atom/", feeds.EventsAtomFeed(), name="events_atom"),
    path("su-kien/dang-ky/<str:token>/", views.registration, name="registration"),
    path("su-kien/huy/<int:pk>/", views.registration_cancel, name="registration_cancel"),
    path("moi-bo-sung/", views.acquisitions, name="acquisitions"),
    path("moi-bo-sung/rss/", feeds.AcquisitionsFeed(), name="acquisitions_rss"),
    path("moi-bo-sung/atom/", feeds.AcquisitionsAtomFeed(), name="acquisitions_atom"),
    path("danh-sach/", views.lists, name="lists"),
    path("danh-sach/them/<int:record_id>/", views.list_add, name="list_add"),
    path("danh-sach/chia-se/<str:token>/", views.list_shared, name="list_shared"),
    path("danh-sach/chia-se/<str:token>/<str:fmt>/", views.list_shared_export, name="list_shared_export"),
    path("danh-sach/<uuid:uuid>/", views.list_detail, name="list_detail"),
    path("danh-sach/<uuid:uuid>/xuat/<str:fmt>/", views.list_export_view, name="list_export"),
    path("lich-su-tra-cuu/", views.history, name="history"),
    path("staff/portal/", staff.home, name="staff_home"),
    path("staff/portal/unit/<int:pk>/", staff.unit, name="staff_unit"),
    path("staff/portal/van/", staff.van, name="staff_van"),
    path("staff/portal/van/<int:pk>/", staff.van, name="staff_van_edit"),
    path("staff/portal/news/", staff.news_list, name="staff_news"),
    path("staff/portal/news/new/", staff.news_edit, name="staff_news_new"),
    path("staff/portal/news/<int:pk>/", staff.news_edit, name="staff_news_edit"),
    path("staff/portal/events/", staff.event_list, name="staff_events"),
    path("staff/portal/events/new/", staff.event_edit, name="staff_event_new"),
    path("staff/portal/events/<int:pk>/", staff.event_edit, name="staff_event_edit"),
    path("staff/portal/events/<int:pk>/attendance/", staff.event_attendance, name="staff_event_attendance"),
    path("staff/portal/cover/<int:record_id>/", staff.cover, name="staff_cover"),
]
