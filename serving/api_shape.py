"""What a client sees besides the answers: error bodies that read as sentences, and an OpenAPI spec that matches them.

- `ReadableErrors` (ASGI middleware): BentoML answers a request that fails validation 400 with
  `{"error": "2 validation error for AnalyzeRequestIODescriptor", "detail": [{..., "msg": "Value error, ...",
  "url": "https://errors.pydantic.dev/..."}]}`. This rewrites such bodies: each `msg` names the field (`records[0].
  text`), says what is wrong and, for pydantic's own checks, the value found; `error` is those sentences; no class
  names, no pydantic URLs, no "Value error, ".
- `spec()`: BentoML's spec with the project's title, description and version, `texts` as a string or a list of
  strings, the real error body (`ErrorBody`) and 400/413/415/503 documented with examples; served at /docs.json.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from serving.settings import env_name, get_settings


class ErrorItem(BaseModel):
    type: str = Field(description="What kind of problem: `json_invalid`, `value_error`, `missing`, `string_type`, "
                                  "`too_large`, ...")
    loc: list[str | int] = Field(description="Where: the path of the offending field in the request body.")
    msg: str = Field(description="A sentence naming the field, the value found and the limit or rule it breaks.")


class ErrorBody(BaseModel):
    """The body of every 4xx and 503 answer."""

    error: str = Field(description="What went wrong, as sentences (the `msg` of each detail, joined).")
    detail: list[ErrorItem] = Field(default_factory=list, description="One item per problem.")


_UNION_BRANCH = re.compile(r"^(str|int|bool|list\[.*\]|dict\[.*\]|function-.*|.*\[.*\]|[A-Z]\w*)$")


def _path(loc: list[Any]) -> tuple[str, list[Any]]:
    """'records[0].text' and the loc without pydantic's union-branch and model-name steps."""
    clean = [step for step in loc if isinstance(step, int) or not _UNION_BRANCH.match(str(step))]
    text = ""
    for step in clean:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text, clean


def _value(body: Any, loc: list[Any]) -> tuple[bool, Any]:
    for step in loc:
        try:
            body = body[step]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, body


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def readable(item: dict[str, Any], body: Any) -> dict[str, Any]:
    """One pydantic error item as a sentence naming the field and the value."""
    kind = str(item.get("type", "value_error"))
    msg = re.sub(r"^(Value error|Assertion failed), ", "", str(item.get("msg", "")))
    msg = re.sub(r"\s*\[type=.*$", "", msg)
    field, loc = _path(list(item.get("loc") or []))
    if kind == "json_invalid":
        return {"type": kind, "loc": ["body"], "msg": f"the request body is not valid JSON: {msg.lower()}"}
    if kind == "value_error":  # our validators: the message already names the field, the value and the limit
        return {"type": kind, "loc": loc, "msg": msg}
    where = f"'{field}'" if field else "the request body"
    if kind == "missing":
        return {"type": kind, "loc": loc, "msg": f"{where} is required and missing"}
    if kind == "extra_forbidden":
        return {"type": kind, "loc": loc, "msg": f"{where} is not a field of this request (misspelt?)"}
    found, value = _value(body, loc)
    got = f"; got {_show(value)}" if found else ""
    text = msg[:1].lower() + msg[1:]
    text = text.replace("input should be", "must be").replace("input", "the value")
    return {"type": kind, "loc": loc, "msg": f"{where} {text}{got}"}


def rewrite(payload: dict[str, Any], request_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(request_body) if request_body else None
    except ValueError:
        body = None
    items = [readable(item, body) for item in payload.get("detail") or [] if isinstance(item, dict)]
    merged: list[dict[str, Any]] = []
    for item in items:  # a union field fails once per branch: say it once
        if item["loc"] == ["texts"] and item["type"] in ("string_type", "list_type"):
            found, value = _value(body, ["texts"])
            if isinstance(value, list):  # the list branch says which item is wrong
                continue
            item = {"type": item["type"], "loc": ["texts"], "msg": "'texts' must be a string or a list of strings"
                    + (f"; got {_show(value)}" if found else "")}
        if all(m["msg"] != item["msg"] for m in merged):
            merged.append(item)
    if not merged:
        return payload
    error = merged[0]["msg"] if len(merged) == 1 else "; ".join(m["msg"] for m in merged)
    return {"error": error[:1].upper() + error[1:] + ("" if error.endswith(".") else "."), "detail": merged}


class ReadableErrors:
    """ASGI middleware: rewrites BentoML's 400 validation bodies (see the module doc)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "GET" and scope.get("path") == "/docs.json":
            payload = json.dumps(spec()).encode("utf-8")
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        start: dict[str, Any] = {}
        held: list[bytes] = []

        async def rewriting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                if message["status"] != 400:
                    await send(message)
                    return
                start.update(message)
                return
            if not start or message["type"] != "http.response.body":
                await send(message)
                return
            held.append(message.get("body", b""))
            if message.get("more_body"):
                return
            raw = b"".join(held)
            try:
                payload = json.loads(raw)
                out = json.dumps(rewrite(payload, b"".join(chunks)), ensure_ascii=False).encode("utf-8")
            except (ValueError, TypeError, AttributeError):
                out = raw
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(out)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": out})

        await self.app(scope, recording_receive, rewriting_send)


# --- the spec -----------------------------------------------------------------------------------------------------


def project_metadata() -> tuple[str, str]:
    """The project's version and description (pyproject.toml, via the installed metadata)."""
    try:
        from importlib.metadata import metadata

        meta = metadata("stance")
        return meta["Version"], meta["Summary"]
    except Exception:  # not installed: the source tree
        return "0.1.0", "Directed stance and actor sentiment classification for international-politics news"


def _examples() -> dict[int, tuple[str, str, dict[str, Any]]]:
    s = get_settings()
    too_many = f"'texts' has 17 texts; the limit is {s.max_texts} ({env_name('max_texts')})"
    body = f"the request body has 2000000 bytes; the limit is {s.max_body_bytes} bytes ({env_name('max_body_bytes')})"
    return {
        400: ("Bad request: malformed JSON, a wrong type, an unknown field, a bad span or a value over a limit.",
              "over_limit", {"error": too_many + ".", "detail": [{"type": "value_error", "loc": ["texts"],
                                                                   "msg": too_many}]}),
        413: ("The request body is over the limit; nothing was parsed.", "too_large",
              {"error": body + ".", "detail": [{"type": "too_large", "loc": ["body"], "msg": body}]}),
        415: ("The body is not JSON (send Content-Type: application/json).", "unsupported",
              {"error": "Unsupported content type application/vnd.bentoml+pickle; send application/json.",
               "detail": []}),
        503: ("The model service is not ready yet (starting) or is unreachable; retry later.", "not_ready",
              {"error": "The model service is not ready; retry in a few seconds.", "detail": []}),
    }


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    from serving.service import StanceService

    # openapi_spec and inner are added by @bentoml.service at run time: mypy sees the undecorated class
    out = StanceService.openapi_spec.asdict()  # type: ignore[attr-defined]
    inner_doc: str = StanceService.inner.__doc__ or ""  # type: ignore[attr-defined]
    version, summary = project_metadata()
    out["info"] = {
        "title": "stance",
        "version": version,
        "description": f"{summary}.\n\n" + " ".join(inner_doc.split()) +
                       "\n\nThe analysis page is at [/ui](/ui). Errors (4xx, 503) have the body `ErrorBody`: `error` "
                       "(sentences) and `detail` (one item per problem, with the field's path in `loc`).",
    }
    schemas = out.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in error_schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas["ErrorBody"] = error_schema
    for name in ("InvalidArgument", "NotFound", "InternalServerError"):
        schemas.pop(name, None)
    texts = {"description": None, "anyOf": [
        {"type": "string", "minLength": 1, "maxLength": get_settings().max_text_chars},
        {"type": "array", "minItems": 1, "maxItems": get_settings().max_texts,
         "items": {"type": "string", "minLength": 1, "maxLength": get_settings().max_text_chars}}]}
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for item in out["paths"].values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in ("404", "500"):
                responses.pop(code, None)
            if method == "post":
                for status, (description, name, example) in _examples().items():
                    responses[str(status)] = {"description": description, "content": {"application/json": {
                        "schema": ref, "examples": {name: {"value": example}}}}}
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if body and "texts" in body.get("properties", {}):
                    texts["description"] = body["properties"]["texts"].get("description")
                    body["properties"]["texts"] = {k: v for k, v in {
                        **body["properties"]["texts"], **texts}.items() if k != "type"}
    for name, schema in schemas.items():
        if name.startswith("AnalyzeRequest") and "texts" in schema.get("properties", {}):
            schema["properties"]["texts"] = {k: v for k, v in {**schema["properties"]["texts"], **texts}.items()
                                             if k != "type"}
    return out
