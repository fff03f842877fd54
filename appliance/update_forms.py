"""The Updates page's forms: a bundle's address, or the bundle itself."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from .services import update_install


class UrlForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Bundle address"),
        max_length=2000,
        help_text=gettext_lazy("An http:// or https:// address of a .raucb bundle, e.g. from your own computer or NAS."),
        widget=forms.TextInput(attrs={"placeholder": "https://"}),
    )

    def clean_url(self) -> str:
        try:
            return update_install.check_url(self.cleaned_data["url"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class UploadForm(forms.Form):
    bundle = forms.FileField(label=gettext_lazy("Bundle file (.raucb)"), allow_empty_file=False)


class UploadedBundle(UploadedFile):
    """A bundle streamed straight to the data partition while the request was read."""

    def __init__(self, path: Path, name: str, size: int):
        super().__init__(path.open("rb"), name, "application/octet-stream", size)
        self.path = path

    def temporary_file_path(self) -> str:
        return str(self.path)


class BundleUpload(FileUploadHandler):
    """Write the uploaded bundle to incoming/ on the data partition, never into memory or /tmp; keep no other file."""

    def __init__(self, request: HttpRequest, folder: Path):
        super().__init__(request)
        self.folder = folder
        self.refused = ""  # the name of a file that is not a bundle (its bytes are dropped)
        self.part: Path | None = None
        self.out: Any = None
        self.taking = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.taking = False
        if field_name != "bundle" or self.part is not None:
            return
        if not file_name.lower().endswith(".raucb"):
            self.refused = file_name
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.part = self.folder / f".upload-{uuid.uuid4().hex}.part"
        self.out = self.part.open("wb")
        self.taking = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.taking:
            self.out.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedBundle | None:
        if not self.taking or self.part is None:
            return None
        self.taking = False
        self.out.close()
        return UploadedBundle(self.part, str(self.file_name), file_size)

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        """Remove what was written of the upload."""
        if self.out is not None:
            self.out.close()
        if self.part is not None:
            self.part.unlink(missing_ok=True)
