"""People and faces in request images, found by the detectors OpenCV ships, and face blurring."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding fully
_DETECT_SIDE = 640  # detection runs on a downscaled copy; cost stays bounded


class ImageError(ValueError):
    """The bytes are not an image OpenCV can decode (or are too large)."""


@dataclass(frozen=True, slots=True)
class ImageFindings:
    """How many people and faces an image shows."""

    people: int
    faces: int


_local = threading.local()  # cascade and HOG objects are not safe to share across threads


def load() -> None:
    """Load OpenCV's detectors for this thread now, rather than in the first image's budget."""
    _detectors()


def _detectors() -> tuple[Any, Any]:
    if not hasattr(_local, "face"):
        cascades = cv2.data.haarcascades  # type: ignore[attr-defined,unused-ignore]
        face = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
        if face.empty():
            raise ImageError("OpenCV face cascade is missing from the installed package")
        hog = cv2.HOGDescriptor()
        hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined,unused-ignore]
        _local.face, _local.hog = face, hog
    return _local.face, _local.hog


def _decode(data: bytes) -> np.ndarray:
    if not data:
        raise ImageError("empty image")
    buf = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError("not a decodable image (PNG, JPEG, WebP, BMP, TIFF)")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise ImageError("image too large")
    return image


def _format(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"\xff\xd8"):
        return ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data.startswith(b"BM"):
        return ".bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return ".tiff"
    return ".png"


def _faces(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    face, _ = _detectors()
    scale = min(1.0, _DETECT_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale) if scale < 1.0 else image
    gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    found = face.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return [(int(x / scale), int(y / scale), int(w / scale), int(h / scale)) for x, y, w, h in found]


def inspect_image(data: bytes) -> ImageFindings:
    """Count the people (HOG) and faces (Haar cascade) in an encoded image."""
    image = _decode(data)
    _, hog = _detectors()
    scale = min(1.0, _DETECT_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale) if scale < 1.0 else image
    people = 0
    if min(small.shape[:2]) >= 128:
        _rects, weights = hog.detectMultiScale(small, winStride=(8, 8), padding=(8, 8), scale=1.05)
        people = int(sum(1 for w in np.asarray(weights).reshape(-1) if w > 0.5))
    faces = len(_faces(image))
    return ImageFindings(people=max(people, faces), faces=faces)


def blur_faces(data: bytes) -> bytes:
    """Return the image, in the same format, with every detected face blurred beyond recognition."""
    image = _decode(data)
    for x, y, w, h in _faces(image):
        pad = int(0.15 * max(w, h))
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(image.shape[1], x + w + pad), min(image.shape[0], y + h + pad)
        region = image[y0:y1, x0:x1]
        # pixelate, then blur: a plain blur of a small face can stay recognisable
        small = cv2.resize(region, (8, 8), interpolation=cv2.INTER_LINEAR)
        block = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        image[y0:y1, x0:x1] = cv2.GaussianBlur(block, (0, 0), sigmaX=max(3, (x1 - x0) // 8))
    ok, encoded = cv2.imencode(_format(data), image)
    if not ok:
        raise ImageError("could not re-encode the image")
    return bytes(encoded.tobytes())
