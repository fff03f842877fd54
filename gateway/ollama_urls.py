from django.urls import path, re_path

from . import views

# Ollama's API, for clients that speak only it (Home Assistant's Ollama integration).
urlpatterns = [
    path("tags", views.ollama_tags),
    path("chat", views.ollama_chat),
    re_path(r"^", views.not_found),
]
