from django.urls import path

from . import views

urlpatterns = [
    path("pair", views.start),
    path("pair/collect", views.collect),
]
