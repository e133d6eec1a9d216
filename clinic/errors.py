"""Domain errors that services raise; the API turns them into the contract's error bodies."""

from typing import Any


class DomainError(Exception):
    """A rule of the clinic said no. `code` and `status` are the API contract's."""

    code = "invalid"
    status = 400

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.extra = extra

    def as_body(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Unprocessable(DomainError):
    status = 422


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
