"""The analysis page at /ui: a small ASGI app mounted on the BentoML service (`@bentoml.asgi_app`). It serves the
page and its assets from the package (stance/ui/static: the vendored cytoscape.js, the page scripts and styles); the
page calls the service's own /analyze. No CDN, no external request: it works offline."""

from __future__ import annotations

from importlib import resources

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = resources.files("stance.ui").joinpath("static")


async def _index(request):  # noqa: ANN001
    return HTMLResponse(STATIC.joinpath("index.html").read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-cache"})


def build_app() -> Starlette:
    return Starlette(routes=[
        Route("/", _index),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ])


app = build_app()
