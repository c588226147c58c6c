"""sendMessage, sendDocument and copyMessage."""

from __future__ import annotations

from fakegram.entities import ParsedText
from fakegram.errors import WRONG_FILE, bad
from fakegram.limits import formatted
from fakegram.methods.base import Family
from fakegram.params import Handler, Params
from fakegram.records import JsonDict


class MessageMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {
            "sendmessage": self.send_message,
            "senddocument": self.send_document,
            "copymessage": self.copy_message,
        }

    async def send_message(self, params: Params) -> JsonDict:
        chat = self.writable_chat(params.required("chat_id"))
        raw = params.opt("text")
        parsed = formatted(raw, params.opt("parse_mode"), params.json("entities"), caption=False)
        markup = self.reply_markup(params, chat=chat)
        reply_to = self.reply_to(chat, params)
        preview = params.json("link_preview_options")
        if preview is None and params.flag("disable_web_page_preview"):
            preview = {"is_disabled": True}
        msg = self.new_outgoing(chat, "sendMessage", params)
        msg.text, msg.entities, msg.html = parsed.text, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.link_preview_options = preview if isinstance(preview, dict) else None
        return self.world.message_dict(msg)

    async def send_document(self, params: Params) -> JsonDict:
        chat = self.writable_chat(params.required("chat_id"))
        ref = params.required("document")
        if ref.startswith("attach://"):
            data = params.files.get(ref[len("attach://") :])
            if data is None:
                raise bad(WRONG_FILE)
            file = self.world.new_file("document", len(data), data)
        else:
            known = self.world.files.get(ref)
            if known is None:
                raise bad(WRONG_FILE)
            file = known
        raw = params.opt("caption")
        parsed = formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self.reply_markup(params, chat=chat)
        msg = self.new_outgoing(chat, "sendDocument", params)
        msg.extra["document"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.file_size,
        }
        msg.caption = parsed.text if parsed.text else None
        msg.entities, msg.html = list(parsed.entities), raw
        msg.reply_markup = markup
        return self.world.message_dict(msg)

    async def copy_message(self, params: Params) -> JsonDict:
        source_chat = self.world.chat(params.required("from_chat_id"))
        source = self.world.messages.get(source_chat.id, {}).get(params.required_int("message_id"))
        if source is None or source.deleted or source.service:
            raise bad("message to copy not found")
        chat = self.writable_chat(params.required("chat_id"))
        raw_caption = params.opt("caption")
        parsed: ParsedText | None = None
        if source.text is None and raw_caption is not None:
            parsed = formatted(
                raw_caption,
                params.opt("parse_mode"),
                params.json("caption_entities"),
                caption=True,
            )
        markup = self.reply_markup(params, chat=chat)
        reply_to = self.reply_to(chat, params)
        msg = self.new_outgoing(chat, "copyMessage", params)
        msg.text = source.text
        msg.photo = source.photo
        msg.extra = dict(source.extra)
        if parsed is not None:
            msg.caption = parsed.text if parsed.text else None
            msg.entities, msg.html = list(parsed.entities), raw_caption
        else:
            msg.caption, msg.entities, msg.html = (
                source.caption,
                list(source.entities),
                source.html,
            )
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.link_preview_options = source.link_preview_options
        msg.copied_from = (source.chat_id, source.message_id)
        return {"message_id": msg.message_id}
