-- 0005: what the parser was not sure of (issue 13), kept with the draft until the editor fixes
-- it: JSON {"warnings": [...], "source_candidates": [...], "default_from": "..."}.

ALTER TABLE articles ADD COLUMN doubts TEXT NOT NULL DEFAULT '{}';
