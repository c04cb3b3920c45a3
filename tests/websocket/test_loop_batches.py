"""How engine/loop_batches.py cuts what is asked into batches: by loop turn; with
`one_at_a_time`, what is asked while a batch is handled goes as the next batch; with a gathering
time, what is asked within it; an item still gathering can be withdrawn."""

from __future__ import annotations

import asyncio

from config.websocket.engine.loop_batches import LoopTurnBatches


class Recorder:
    """A handler that records each batch and waits for `release` before answering it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: list[str]) -> list[str | Exception]:
        self.batches.append(items)
        await self.release.wait()
        return [f"done {item}" for item in items]


async def _ask_in_separate_loop_turns(
    batches: LoopTurnBatches[str, str], items: list[str]
) -> list[asyncio.Task[str]]:
    tasks = []
    for item in items:
        tasks.append(asyncio.create_task(batches.submit(item)))
        for _ in range(3):  # the loop turns on: the item's batch (if any) is flushed
            await asyncio.sleep(0)
    return tasks


async def test_items_asked_in_one_loop_turn_are_one_batch() -> None:
    handle = Recorder()
    batches = LoopTurnBatches(asyncio.get_running_loop(), handle)
    outcomes = await asyncio.gather(*(batches.submit(item) for item in "abc"))
    assert handle.batches == [["a", "b", "c"]]
    assert outcomes == ["done a", "done b", "done c"]


async def test_without_one_at_a_time_every_loop_turn_is_its_own_batch() -> None:
    handle = Recorder()
    handle.release.clear()
    batches = LoopTurnBatches(asyncio.get_running_loop(), handle)
    tasks = await _ask_in_separate_loop_turns(batches, ["a", "b", "c"])
    handle.release.set()
    await asyncio.gather(*tasks)
    assert handle.batches == [["a"], ["b"], ["c"]]


async def test_one_at_a_time_gathers_what_is_asked_while_a_batch_is_handled() -> None:
    handle = Recorder()
    handle.release.clear()
    batches = LoopTurnBatches(asyncio.get_running_loop(), handle, one_at_a_time=True)
    tasks = await _ask_in_separate_loop_turns(batches, ["a", "b", "c", "d"])
    assert handle.batches == [["a"]], "b, c and d wait while a is handled"
    handle.release.set()
    outcomes = await asyncio.gather(*tasks)
    assert handle.batches == [["a"], ["b", "c", "d"]]
    assert outcomes == ["done a", "done b", "done c", "done d"]
    # Idle again: the next item goes at once, on its own.
    assert await batches.submit("e") == "done e"
    assert handle.batches[-1] == ["e"]


async def test_one_at_a_time_goes_on_after_a_batch_that_failed() -> None:
    calls: list[list[str]] = []
    gate = asyncio.Event()

    async def failing_first(items: list[str]) -> list[str | Exception]:
        calls.append(items)
        if len(calls) == 1:
            await gate.wait()
            raise RuntimeError("the database went away")
        return [f"done {item}" for item in items]

    batches = LoopTurnBatches(asyncio.get_running_loop(), failing_first, one_at_a_time=True)
    tasks = await _ask_in_separate_loop_turns(batches, ["a", "b"])
    gate.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1] == "done b"
    assert calls == [["a"], ["b"]]


async def test_gathered_items_wait_for_the_gathering_time_and_can_be_withdrawn() -> None:
    handle = Recorder()
    batches = LoopTurnBatches(asyncio.get_running_loop(), handle, gather_seconds=lambda: 0.05)
    tasks = await _ask_in_separate_loop_turns(batches, ["a", "b", "c"])
    assert handle.batches == [], "still gathering"
    batches.withdraw(lambda item: item == "b", "withdrawn")
    outcomes = await asyncio.gather(*tasks)
    assert handle.batches == [["a", "c"]]
    assert outcomes == ["done a", "withdrawn", "done c"]
