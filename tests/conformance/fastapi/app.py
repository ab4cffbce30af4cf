"""The FastAPI conformance app: the routes a production FastAPI service has, each answering with
what it received (fields set, explicit nulls, raw path and query, headers, cookies, file digests)
so the Rust client test (`tests/conformance/fastapi_client.rs`) can assert on it.

`python app.py spec` prints the OpenAPI document FastAPI writes (`app.openapi()`);
`python app.py serve PORT` serves the app on 127.0.0.1:PORT.
"""

import asyncio
import hashlib
import json
import sys
from enum import Enum
from collections.abc import AsyncIterable
from typing import Annotated, Literal, Optional, Union

from fastapi import (
    Cookie,
    Depends,
    FastAPI,
    File,
    Form,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.sse import EventSourceResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

app = FastAPI(title="FastAPI conformance", version="1.0.0")

# Security: two dependencies a route needs together (FastAPI writes them as alternatives).
bearer = HTTPBearer()
api_key = APIKeyHeader(name="X-API-Key")


class WhoAmI(BaseModel):
    token: str
    api_key: str


@app.get("/secure/whoami", response_model=WhoAmI)
def whoami(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
    key: Annotated[str, Depends(api_key)],
):
    return WhoAmI(token=credentials.credentials, api_key=key)


# Enums.
class Color(str, Enum):
    red = "red"
    green = "green"
    dark_blue = "dark-blue"


class Priority(int, Enum):
    low = 1
    high = 3


# PATCH with `model_fields_set`: the server tells set fields and explicit nulls apart.
class ItemPatch(BaseModel):
    name: Optional[str] = None
    tags: Optional[list[str]] = None
    color: Optional[Color] = None
    priority: Optional[Priority] = None
    note: Optional[str] = None


class PatchReport(BaseModel):
    item_id: int
    fields_set: list[str]
    nulls: list[str]
    values: dict


@app.patch("/items/{item_id}", response_model=PatchReport)
def patch_item(item_id: int, patch: ItemPatch):
    dumped = patch.model_dump(mode="json", exclude_unset=True)
    nulls = sorted(name for name, value in dumped.items() if value is None)
    return PatchReport(item_id=item_id, fields_set=sorted(patch.model_fields_set), nulls=nulls, values=dumped)


# Path and query enums, query lists of a `$ref` enum, the raw path and query.
class EchoReport(BaseModel):
    raw_path: str
    raw_query: str
    path: dict
    query: dict


@app.get("/colors/{color}", response_model=EchoReport)
def get_color(
    request: Request,
    color: Color,
    also: Annotated[list[Color], Query()] = [],
    priority: Optional[Priority] = None,
):
    return EchoReport(
        raw_path=request.scope["raw_path"].decode(),
        raw_query=request.scope["query_string"].decode(),
        path={"color": color.value},
        query={"also": [c.value for c in also], "priority": priority.value if priority else None},
    )


@app.get("/files/{name}", response_model=EchoReport)
def get_file(request: Request, name: str, q: Optional[str] = None, tag: Annotated[list[str], Query()] = []):
    return EchoReport(
        raw_path=request.scope["raw_path"].decode(),
        raw_query=request.scope["query_string"].decode(),
        path={"name": name},
        query={"q": q, "tag": tag},
    )


# A query model: FastAPI spreads its fields over the query string.
class SearchFilter(BaseModel):
    term: str
    limit: int = 10
    colors: list[Color] = []
    exact: bool = False


@app.get("/search", response_model=EchoReport)
def search(request: Request, search: Annotated[SearchFilter, Query()]):
    return EchoReport(
        raw_path=request.scope["raw_path"].decode(),
        raw_query=request.scope["query_string"].decode(),
        path={},
        query=search.model_dump(mode="json"),
    )


# Discriminated unions (the tag is required: `Literal` without a default).
class Cat(BaseModel):
    pet_type: Literal["cat"]
    name: str
    lives: int = 9


class Dog(BaseModel):
    pet_type: Literal["dog"]
    name: str
    good: bool = True


Pet = Annotated[Union[Cat, Dog], Field(discriminator="pet_type")]


class PetReport(BaseModel):
    kind: str
    fields_set: list[str]
    pet: Pet


@app.post("/pets", response_model=PetReport)
def create_pet(pet: Pet):
    return PetReport(kind=type(pet).__name__, fields_set=sorted(pet.model_fields_set), pet=pet)


# A tagged variant whose tag has a default (issue 17 item 2: the client must still send it).
class Webhook(BaseModel):
    kind: Literal["webhook"] = "webhook"
    url: str


class Email(BaseModel):
    kind: Literal["email"] = "email"
    address: str


Channel = Annotated[Union[Webhook, Email], Field(discriminator="kind")]


@app.post("/channels")
def create_channel(channel: Channel) -> dict:
    return {"kind": type(channel).__name__, "fields_set": sorted(channel.model_fields_set)}


# Recursive models.
class TreeNode(BaseModel):
    name: str
    children: list["TreeNode"] = []


class TreeReport(BaseModel):
    nodes: int
    depth: int
    tree: TreeNode


def measure(node: TreeNode) -> tuple[int, int]:
    counts = [measure(child) for child in node.children]
    return 1 + sum(c[0] for c in counts), 1 + max((c[1] for c in counts), default=0)


@app.post("/trees", response_model=TreeReport)
def create_tree(tree: TreeNode):
    nodes, depth = measure(tree)
    return TreeReport(nodes=nodes, depth=depth, tree=tree)


# Headers and cookies.
@app.get("/headers")
def read_headers(
    request: Request,
    x_trace_id: Annotated[str, Header()],
    x_retry_count: Annotated[Optional[int], Header()] = None,
    x_color: Annotated[Optional[Color], Header()] = None,
) -> dict:
    return {
        "x_trace_id": x_trace_id,
        "x_retry_count": x_retry_count,
        "x_color": x_color.value if x_color else None,
        "raw": {k: v for k, v in request.headers.items() if k.startswith("x-")},
    }


@app.get("/cookies")
def read_cookies(
    request: Request,
    session_id: Annotated[str, Cookie()],
    theme: Annotated[Optional[str], Cookie()] = None,
) -> dict:
    return {"session_id": session_id, "theme": theme, "raw": request.headers.get("cookie")}


# Forms and multipart uploads.
@app.post("/login")
def login(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    remember: Annotated[bool, Form()] = False,
    scopes: Annotated[list[str], Form()] = [],
) -> dict:
    return {"username": username, "password": password, "remember": remember, "scopes": scopes}


class FileDigest(BaseModel):
    filename: Optional[str]
    content_type: Optional[str]
    size: int
    sha256: str


class UploadReport(BaseModel):
    description: str
    file: FileDigest
    attachments: list[FileDigest]


async def digest(upload: UploadFile) -> FileDigest:
    data = await upload.read()
    return FileDigest(
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@app.post("/uploads", response_model=UploadReport)
async def upload(
    description: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    attachments: Annotated[list[UploadFile], File()] = [],
):
    return UploadReport(
        description=description,
        file=await digest(file),
        attachments=[await digest(a) for a in attachments],
    )


# Binary and text responses.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@app.get(
    "/image",
    responses={200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}},
    response_class=Response,
)
def image():
    return Response(content=PNG, media_type="image/png")


class Summary(BaseModel):
    id: str
    rows: int


# One status, two representations: JSON, or CSV when the caller asks for it.
@app.get(
    "/summaries/{summary_id}",
    response_model=Summary,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def summary(summary_id: str, request: Request):
    if request.headers.get("accept") == "text/csv":
        return PlainTextResponse(f"id,rows\n{summary_id},3\n", media_type="text/csv")
    return Summary(id=summary_id, rows=3)


@app.get("/readme", response_class=PlainTextResponse)
def readme(lines: Annotated[int, Query(ge=1)] = 2):
    return "\n".join(f"line {i}" for i in range(1, lines + 1))


# 201, 204 and typed 4xx.
class Widget(BaseModel):
    id: int
    name: str
    color: Color


class WidgetCreate(BaseModel):
    name: str
    color: Color = Color.red


class NotFound(BaseModel):
    detail: str
    widget_id: int


WIDGETS: dict[int, Widget] = {}


@app.post("/widgets", status_code=201, response_model=Widget)
def create_widget(widget: WidgetCreate):
    created = Widget(id=len(WIDGETS) + 1, name=widget.name, color=widget.color)
    WIDGETS[created.id] = created
    return created


@app.get("/widgets/{widget_id}", response_model=Widget, responses={404: {"model": NotFound}})
def get_widget(widget_id: int):
    if widget_id not in WIDGETS:
        return JSONResponse(status_code=404, content={"detail": "no such widget", "widget_id": widget_id})
    return WIDGETS[widget_id]


@app.delete("/widgets/{widget_id}", status_code=204, responses={404: {"model": NotFound}})
def delete_widget(widget_id: int):
    if WIDGETS.pop(widget_id, None) is None:
        return JSONResponse(status_code=404, content={"detail": "no such widget", "widget_id": widget_id})
    return Response(status_code=204)


# 429 with `Retry-After`: the first call for a key is refused, the next one answers.
ATTEMPTS: dict[str, int] = {}


class Attempts(BaseModel):
    key: str
    attempts: int


@app.get("/limited/{key}", response_model=Attempts)
def limited(key: str):
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if ATTEMPTS[key] == 1:
        return JSONResponse(status_code=429, content={"detail": "slow down"}, headers={"Retry-After": "1"})
    return Attempts(key=key, attempts=ATTEMPTS[key])


# Server-sent events, declared by hand (a schema for each event's data).
class Tick(BaseModel):
    n: int
    label: str


@app.get(
    "/ticks",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/Tick"}}}}},
)
async def ticks(count: int = 3):
    async def events():
        for n in range(count):
            yield f"event: tick\nid: {n}\ndata: {json.dumps({'n': n, 'label': f'tick {n}'})}\n\n"
            await asyncio.sleep(0)

    return StreamingResponse(events(), media_type="text/event-stream")


# Server-sent events, FastAPI's native way: `itemSchema` (OpenAPI 3.2) names each event's data.
@app.get("/native-ticks", response_class=EventSourceResponse)
async def native_ticks(count: int = 3) -> AsyncIterable[Tick]:
    for n in range(count):
        yield Tick(n=n, label=f"tick {n}")


def openapi() -> dict:
    """The document, with the `Tick` schema the hand-declared event stream refers to."""
    document = app.openapi()
    document["components"]["schemas"]["Tick"] = Tick.model_json_schema()
    return document


if __name__ == "__main__":
    if sys.argv[1:] == ["spec"]:
        print(json.dumps(openapi(), indent=2))
    elif len(sys.argv) == 3 and sys.argv[1] == "serve":
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
    else:
        sys.exit("usage: app.py spec | app.py serve PORT")
