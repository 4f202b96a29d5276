"""Reading a transcription request: a bounded body, a multipart form, checked options.

The body is read up to `max_upload_bytes` and no further (413 beyond it), then parsed as
multipart/form-data. Every field must be one the endpoint knows, so a misspelt option is an
error naming it rather than silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from speech_lstm.service.engine import RequestError


@dataclass(frozen=True)
class Form:
    """A parsed request: the uploaded file's name and bytes, and the other fields' values."""

    filename: str
    data: bytes
    fields: dict[str, list[str]]

    def value(self, name: str, default: str | None = None) -> str | None:
        """The field's last value, or `default` when absent."""
        values = self.fields.get(name)
        return values[-1] if values else default

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        """The field's value, which must be one of `choices`.

        Raises:
            RequestError: 400 naming the field, the value and the choices.
        """
        value = self.value(name) or default
        if value not in choices:
            raise RequestError(
                400,
                f"unknown_{name}",
                f"{name} must be one of {list(choices)}. Received: {value!r}",
                name,
            )
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """A true/false field (true, false, 1, 0, yes, no; any case)."""
        value = self.value(name)
        if value is None or value == "":
            return default
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise RequestError(
            400, f"invalid_{name}", f"{name} must be true or false. Received: {value!r}", name
        )


async def read_form(request: Request, allowed: frozenset[str], max_bytes: int) -> Form:
    """Reads and parses a multipart request whose fields are all in `allowed`.

    Raises:
        RequestError: 413 for a body over `max_bytes`; 400 for a body that is not
            multipart/form-data, has no `file` or more than one, or has an unknown field.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise RequestError(
            400,
            "not_multipart",
            "Send the audio as multipart/form-data with the file in a `file` field. "
            f"Received: Content-Type {content_type or 'none'!r}",
            "file",
        )
    body = await _read_body(request, max_bytes)

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=2, max_fields=20)
    except Exception as error:  # starlette's parser reports malformed bodies variously
        raise RequestError(400, "bad_form", f"Cannot parse the multipart form: {error}") from None
    try:
        return await _checked(form, allowed)
    finally:
        await form.close()


async def _read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes, int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes, len(body))
    return bytes(body)


async def _checked(form: FormData, allowed: frozenset[str]) -> Form:
    unknown = sorted(set(form.keys()) - allowed)
    if unknown:
        raise RequestError(
            400,
            "unknown_option",
            f"Unknown option(s) {unknown}: this endpoint takes {sorted(allowed)}.",
            unknown[0],
        )
    files = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
    if len(files) != 1 or len(form.getlist("file")) != 1:
        raise RequestError(
            400, "missing_file", "Send exactly one audio file in the `file` field.", "file"
        )
    fields = {
        key: [str(v) for v in form.getlist(key) if isinstance(v, str)]
        for key in form
        if key != "file"
    }
    return Form(files[0].filename or "upload", await files[0].read(), fields)


def _too_large(limit: int, received: int) -> RequestError:
    return RequestError(
        413,
        "upload_too_large",
        f"The upload is larger than the limit of {limit} bytes (max_upload_bytes). "
        f"Received: {received} bytes",
        "file",
    )
