from django.urls import path, re_path

from . import views

urlpatterns = [
    path("models", views.models),
    path("chat/completions", views.chat_completions),
    path("completions", views.completions),
    path("embeddings", views.embeddings),
    # Last under /v1/ (appliance/urls.py includes the pairing paths before these): any other
    # path answers 404 in the OpenAI error shape, not with a page.
    re_path(r"^", views.not_found),
]
