"""FastAPI dependencies on the runtime objects the composition root builds per process.

The getters are `async def` on purpose: FastAPI runs plain `def` dependencies on its
thread pool, a thread hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.dialogue import Dialogue
from channels.base import ChannelAdapter
from core.metrics import Metrics
from inbox.ingest import Ingestor
from inbox.worker import Worker


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_adapters(request: Request) -> dict[str, ChannelAdapter]:
    adapters: dict[str, ChannelAdapter] = request.app.state.adapters
    return adapters


async def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.dialogue
    return dialogue


async def get_worker(request: Request) -> Worker | None:
    worker: Worker | None = request.app.state.worker
    return worker


MetricsDep = Annotated[Metrics, Depends(get_metrics)]
AdaptersDep = Annotated[dict[str, ChannelAdapter], Depends(get_adapters)]
DialogueDep = Annotated[Dialogue, Depends(get_dialogue)]
WorkerDep = Annotated[Worker | None, Depends(get_worker)]


async def get_ingestor(request: Request) -> Ingestor:
    ingestor: Ingestor = request.app.state.ingestor
    return ingestor


IngestorDep = Annotated[Ingestor, Depends(get_ingestor)]
