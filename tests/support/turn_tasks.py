"""Waiting for the turn tasks of this process, which outlive the sockets that started them."""

from __future__ import annotations

import asyncio

from config.websocket.engine import launch


async def turns_settled() -> None:
    """Wait for every turn task of this process (they outlive sockets)."""
    tasks = launch.running_tasks()
    if tasks:
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=10)
