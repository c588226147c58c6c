"""Editorial decisions as plain Python: no aiogram, no Telegram."""
