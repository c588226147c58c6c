"""Pure texts and keyboards: functions of plain data, no sending."""
