"""Images: bad bytes raise ImageError; blurring keeps the format; detectors run."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from policies.images import ImageError, ImageFindings, blur_faces, inspect_image


def encoded(ext: str) -> bytes:
    image = np.full((240, 320, 3), 200, dtype=np.uint8)
    cv2.rectangle(image, (40, 40), (120, 200), (30, 60, 90), -1)
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return bytes(buf.tobytes())


def test_bad_bytes_raise_image_error() -> None:
    with pytest.raises(ImageError):
        inspect_image(b"definitely not an image")
    with pytest.raises(ImageError):
        blur_faces(b"")


def test_blank_image_has_no_people() -> None:
    assert inspect_image(encoded(".png")) == ImageFindings(people=0, faces=0)


@pytest.mark.parametrize(("ext", "magic"), [(".png", b"\x89PNG"), (".jpg", b"\xff\xd8")])
def test_blur_keeps_the_format(ext: str, magic: bytes) -> None:
    assert blur_faces(encoded(ext)).startswith(magic)
