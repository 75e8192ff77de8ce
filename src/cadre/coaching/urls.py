"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []
