"""A socket that closes while a turn streams to it costs that socket its frames, nothing else.

Seen in the browser tests: a tab closed mid-answer made daphne raise `Disconnected` on the send
before the socket's disconnect had unfollowed the conversation, the error rose through the
fan-out into the turn runner and the whole turn failed for every other tab.
"""

from __future__ import annotations

import pytest
from autobahn.exception import Disconnected

from config.websocket.engine import fanout
from config.websocket.engine.replay import Frame, get_replay_buffer
from config.websocket.engine.socket_follower import SocketFollower

CONVERSATION = 930001


def _frame(message_id: int, seq: int) -> Frame:
    return {
        "type": "ASYNC_CONTENT",
        "content": f"w{seq} ",
        "data": {"message_id": message_id, "seq": seq},
    }


@pytest.mark.parametrize(
    ("failure", "message_id"),
    [(Disconnected("closed"), 930002), (RuntimeError("a bug in one socket"), 930003)],
)
async def test_a_follower_that_fails_to_send_does_not_stop_the_others(
    failure: Exception, message_id: int
) -> None:
    received: list[int] = []

    async def closed(frame: Frame, text: str | None) -> None:
        raise failure

    async def open_socket(frame: Frame, text: str | None) -> None:
        received.append(int(frame["data"]["seq"]))

    gone, alive = SocketFollower(closed), SocketFollower(open_socket)
    for follower in (gone, alive):
        await follower.start()
        await fanout.follow(CONVERSATION, follower)
    try:
        for seq in (1, 2, 3):
            await fanout.publish_turn_frame(CONVERSATION, message_id, _frame(message_id, seq))
    finally:
        for follower in (gone, alive):
            await fanout.unfollow(CONVERSATION, follower)
    assert received == [1, 2, 3]
    stored = await get_replay_buffer().read(message_id, 0)
    assert [frame["data"]["seq"] for frame in stored] == [1, 2, 3]
