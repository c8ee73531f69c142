-- Which messages support a memory (issue 11's memory hygiene).
--
-- evidence: the ids of the messages that said what this version says, its source first.
-- When the extractor reads the same fact again in other words (the same budget, a need
-- phrased differently), the current version gains the message as evidence and its
-- confidence grows, instead of a new version that says the same (rapport.memory.evidence).
-- A message edited so that it no longer says it leaves the evidence; the version ends
-- only when no message supports it any more.
ALTER TABLE memories ADD COLUMN evidence uuid[] NOT NULL DEFAULT '{}';
UPDATE memories SET evidence = ARRAY[source_message_id] WHERE source_message_id IS NOT NULL;
