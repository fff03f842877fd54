"""Errors returned to devices, in the OpenAI error shape."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import JsonResponse


@dataclass(frozen=True)
class ApiError(Exception):
    """An error a client sees: status, message, type and code as OpenAI names them."""

    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    param: str | None = None

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self, headers: dict[str, str] | None = None) -> JsonResponse:
        return JsonResponse(self.body(), status=self.status, headers=headers)


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", code, param)
