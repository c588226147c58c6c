"""answerCallbackQuery: each query a person sent may be answered once."""

from __future__ import annotations

from fakegram.errors import bad
from fakegram.methods.base import Family
from fakegram.params import Handler, Params
from fakegram.records import CallbackAnswer


class CallbackMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {"answercallbackquery": self.answer_callback_query}

    async def answer_callback_query(self, params: Params) -> bool:
        query_id = params.required("callback_query_id")
        callback = self.world.callbacks.get(query_id)
        if callback is None or callback.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        callback.answered = True
        text = params.opt("text")
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self.world.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=callback.user_id,
                data=callback.data,
                text=text,
                show_alert=params.flag("show_alert"),
                url=params.opt("url"),
            )
        )
        return True
