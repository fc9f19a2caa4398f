from django.urls import URLPattern, URLResolver

# SRU (/sru) and OAI-PMH (/oai) endpoints are registered here.
urlpatterns: list[URLPattern | URLResolver] = []
