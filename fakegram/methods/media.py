"""sendPhoto, sendMediaGroup (photo albums of 2-10) and getFile."""

from __future__ import annotations

from fakegram.entities import ParsedText
from fakegram.errors import bad
from fakegram.limits import formatted
from fakegram.methods.base import Family
from fakegram.params import Handler, Params
from fakegram.records import JsonDict


class MediaMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {
            "sendphoto": self.send_photo,
            "sendmediagroup": self.send_media_group,
            "getfile": self.get_file,
        }

    async def send_photo(self, params: Params) -> JsonDict:
        chat = self.writable_chat(params.required("chat_id"))
        if params.opt("photo") is None and "photo" in params.files:
            photo_set = self.upload_photo(params.files["photo"])
        else:
            photo_set = self.resolve_photo(params.required("photo"), params.files)
        raw = params.opt("caption")
        parsed = formatted(
            raw, params.opt("parse_mode"), params.json("caption_entities"), caption=True
        )
        markup = self.reply_markup(params, chat=chat)
        reply_to = self.reply_to(chat, params)
        msg = self.new_outgoing(chat, "sendPhoto", params)
        msg.photo = photo_set
        msg.caption = parsed.text if parsed.text else None
        msg.entities, msg.html = list(parsed.entities), raw
        msg.parse_mode = params.opt("parse_mode")
        msg.reply_markup = markup
        msg.reply_to_message_id = reply_to
        msg.show_caption_above_media = params.flag("show_caption_above_media")
        return self.world.message_dict(msg)

    async def send_media_group(self, params: Params) -> list[JsonDict]:
        chat = self.writable_chat(params.required("chat_id"))
        media = params.json("media")
        if not isinstance(media, list) or not media:
            raise bad("media is empty")
        if len(media) < 2:
            raise bad("wrong number of media specified")  # Telegram: an album is 2–10
        if len(media) > 10:
            raise bad("too many messages to send as an album")
        prepared: list[tuple[list[JsonDict], ParsedText, JsonDict]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") != "photo":
                raise bad("the fake server supports photo albums only")
            photo_set, parsed = self.input_photo(item, params.files)
            prepared.append((photo_set, parsed, item))
        reply_to = self.reply_to(chat, params)
        group_id = str(next(self.world.media_group_counter))
        out: list[JsonDict] = []
        for photo_set, parsed, item in prepared:
            msg = self.new_outgoing(chat, "sendMediaGroup", params)
            msg.photo = photo_set
            msg.caption = parsed.text if parsed.text else None
            msg.entities, msg.html = list(parsed.entities), item.get("caption")
            msg.parse_mode = item.get("parse_mode")
            msg.media_group_id = group_id
            msg.reply_to_message_id = reply_to
            msg.show_caption_above_media = bool(item.get("show_caption_above_media"))
            out.append(self.world.message_dict(msg))
        return out

    async def get_file(self, params: Params) -> JsonDict:
        file = self.world.files.get(params.required("file_id"))
        if file is None:
            raise bad("invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.file_size,
            "file_path": file.file_path,
        }
