from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("v1/", include("gateway.urls")),
    path("healthz", views.healthz),
    path("admin/", admin.site.urls),
    path("", views.home),
]
