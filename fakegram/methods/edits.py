"""Changing sent messages: editMessageText/Caption/Media/ReplyMarkup, deleteMessage and
pinning. An edit that changes nothing is Telegram's 400 "message is not modified"."""

from __future__ import annotations

from fakegram.errors import NOT_MODIFIED, ApiError, bad
from fakegram.limits import DELETE_WINDOW_SECONDS, formatted
from fakegram.methods.base import Family
from fakegram.params import Handler, Params
from fakegram.records import JsonDict


class EditMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagemedia": self.edit_message_media,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "pinchatmessage": self.pin_chat_message,
            "unpinchatmessage": self.unpin_chat_message,
        }

    async def edit_message_text(self, params: Params) -> JsonDict:
        msg = self.editable(params)
        if msg.text is None:
            raise bad("there is no text in the message to edit")
        raw = params.opt("text")
        parsed = formatted(raw, params.opt("parse_mode"), params.json("entities"), caption=False)
        # Omitting reply_markup in an edit removes the keyboard, as on Telegram.
        markup = self.reply_markup(params)
        preview = params.json("link_preview_options")
        preview = preview if isinstance(preview, dict) else None
        if (
            parsed.text == msg.text
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
            and (preview is None or preview == msg.link_preview_options)
        ):
            raise ApiError(400, NOT_MODIFIED)
        self.record_edit(msg, "editMessageText")
        msg.text, msg.entities, msg.html = parsed.text, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        if preview is not None:
            msg.link_preview_options = preview
        return self.world.message_dict(msg)

    async def edit_message_caption(self, params: Params) -> JsonDict:
        msg = self.editable(params)
        if msg.text is not None:
            raise bad("there is no caption in the message to edit")
        raw = params.opt("caption")
        parsed = formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self.reply_markup(params)
        caption = parsed.text if parsed.text else None
        if (
            caption == msg.caption
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        self.record_edit(msg, "editMessageCaption")
        msg.caption, msg.entities, msg.html = caption, list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        if params.opt("show_caption_above_media") is not None:
            msg.show_caption_above_media = params.flag("show_caption_above_media")
        return self.world.message_dict(msg)

    async def edit_message_media(self, params: Params) -> JsonDict:
        msg = self.editable(params)
        media = params.json("media")
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise bad("the fake server supports editing to a photo only")
        if not msg.photo:
            raise bad("there is no media in the message to edit")
        photo_set, parsed = self.input_photo(media, params.files)
        markup = self.reply_markup(params)
        caption = parsed.text if parsed.text else None
        if (
            photo_set is msg.photo
            and caption == msg.caption
            and list(parsed.entities) == msg.entities
            and markup == msg.reply_markup
        ):
            raise ApiError(400, NOT_MODIFIED)
        self.record_edit(msg, "editMessageMedia")
        msg.photo = photo_set
        msg.caption, msg.entities, msg.html = caption, list(parsed.entities), media.get("caption")
        msg.parse_mode = media.get("parse_mode")
        msg.reply_markup = markup
        msg.show_caption_above_media = bool(media.get("show_caption_above_media"))
        return self.world.message_dict(msg)

    async def edit_message_reply_markup(self, params: Params) -> JsonDict:
        msg = self.editable(params)
        markup = self.reply_markup(params)
        if markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self.record_edit(msg, "editMessageReplyMarkup")
        msg.reply_markup = markup
        return self.world.message_dict(msg)

    async def delete_message(self, params: Params) -> bool:
        msg = self.editable(params, what="delete")
        chat = self.world.chats[msg.chat_id]
        if chat.type == "channel":
            if not chat.bot_member or not (chat.can_delete or (msg.outgoing and chat.can_post)):
                raise bad("message can't be deleted")
        elif (
            self.world.enforce_delete_window
            and self.world.now() - msg.date > DELETE_WINDOW_SECONDS
        ):
            # Bots may delete messages in private chats and groups only within 48 hours.
            raise bad("message can't be deleted for everyone")
        msg.deleted = True
        return True

    async def pin_chat_message(self, params: Params) -> bool:
        msg = self.editable(params, what="pin")
        chat = self.world.chats[msg.chat_id]
        if chat.type == "channel" and not chat.can_edit:
            raise bad("not enough rights to manage pinned messages in the chat")
        msg.pinned = True
        if chat.type != "private":
            # Telegram adds a "pinned_message" service message, which takes a message id.
            notice = self.world.new_message(chat, "pinChatMessage", outgoing=True)
            notice.service = True
            notice.extra["pinned_message"] = self.world.message_dict(msg, with_reply=False)
        return True

    async def unpin_chat_message(self, params: Params) -> bool:
        chat = self.world.chat(params.required("chat_id"))
        message_id = params.opt_int("message_id")
        for msg in self.world.messages.get(chat.id, {}).values():
            if message_id is None or msg.message_id == message_id:
                msg.pinned = False
        return True
