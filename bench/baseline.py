"""The baselines: the SQL a user would write with raw psycopg instead of using Rapport.

Each statement returns what the matching Rapport call returns (the same rows and public
columns), written the plain way: explicit columns, the natural ORDER BY and LIMIT, psycopg's
default adapters. psycopg prepares a statement after its fifth run on a connection; Rapport's
connections do the same, so both sides run prepared statements once warm.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg
import uuid_utils

CONVERSATION = (
    "id, contact_id, external_id, channel, status, sales_stage, is_qualified, current_agent,"
    " language, qualification_budget, qualification_need, qualification_authority,"
    " qualification_timeline, qualification_score, follow_up_required,"
    " follow_up_scheduled_date, follow_up_reason, follow_up_notes, follow_up_reminder_sent,"
    " metadata, intents, context, outlet_id, start_time, end_time, message_count,"
    " last_message_at, created_at, updated_at, completed_at"
)
MESSAGE = (
    "id, conversation_id, contact_id, external_id, role, agent_type, content, language,"
    " intent, confidence, sentiment, keywords, phase, media, variant_id, context,"
    " pii_scrubbed, ts, created_at"
)
SUMMARY = (
    "contact_id, total_conversations, total_messages, common_intents, language_counts,"
    " preferred_language, avg_satisfaction, satisfaction_samples, first_interaction,"
    " last_interaction, metadata, created_at, updated_at"
)

GET_CONVERSATION = f"SELECT {CONVERSATION} FROM conversations WHERE org_id = %s AND id = %s"

HISTORY = (
    f"SELECT {MESSAGE} FROM messages WHERE org_id = %s AND conversation_id = %s"
    " ORDER BY ts, id LIMIT %s"
)

INSERT_MESSAGE = (
    "INSERT INTO messages (org_id, id, conversation_id, contact_id, role, agent_type, content,"
    " language, intent, confidence, sentiment, ts)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)

APPEND_IDEMPOTENT = (
    "INSERT INTO messages (org_id, id, conversation_id, contact_id, external_id, role, content,"
    " language, intent, confidence) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (org_id, conversation_id, external_id) DO NOTHING"
)

ANALYTICS = """
WITH base AS (SELECT * FROM interaction_summaries WHERE org_id = %s),
totals AS (
  SELECT count(*) AS contacts, coalesce(sum(total_conversations), 0) AS conversations,
         coalesce(sum(total_messages), 0) AS messages,
         coalesce(avg(total_messages), 0) AS avg_messages_per_contact,
         sum(avg_satisfaction * satisfaction_samples)
           / nullif(sum(satisfaction_samples), 0) AS avg_satisfaction,
         count(*) FILTER (WHERE last_interaction >= now() - interval '7 days') AS active_7,
         count(*) FILTER (WHERE last_interaction >= now() - interval '30 days') AS active_30,
         min(first_interaction) AS first_interaction, max(last_interaction) AS last_interaction
  FROM base),
languages AS (
  SELECT json_object_agg(preferred_language, n ORDER BY n DESC) AS languages
  FROM (SELECT preferred_language, count(*) AS n FROM base
        WHERE preferred_language IS NOT NULL GROUP BY 1) AS l),
intents AS (
  SELECT json_object_agg(key, total ORDER BY total DESC) AS top_intents
  FROM (SELECT key, sum(value::numeric) AS total FROM base, jsonb_each_text(common_intents)
        GROUP BY key ORDER BY total DESC LIMIT 20) AS i)
SELECT * FROM totals, languages, intents
"""

# Section 7's query patterns, in the order the bench reports them.
LATEST_CONVERSATION = (
    f"SELECT {CONVERSATION} FROM conversations WHERE org_id = %s AND contact_id = %s"
    " ORDER BY updated_at DESC LIMIT 1"
)
PIPELINE_COUNTS = (
    "SELECT sales_stage, status, count(*) FROM conversations WHERE org_id = %s"
    " GROUP BY sales_stage, status ORDER BY sales_stage, status"
)
PIPELINE_ROWS = (
    f"SELECT {CONVERSATION} FROM conversations"
    " WHERE org_id = %s AND sales_stage = %s AND status = 'active'"
    " ORDER BY updated_at DESC LIMIT 50"
)
FOLLOW_UPS_DUE = (
    f"SELECT {CONVERSATION} FROM conversations"
    " WHERE org_id = %s AND follow_up_required"
    " AND follow_up_scheduled_date >= %s AND follow_up_scheduled_date < %s"
    " ORDER BY follow_up_scheduled_date LIMIT 50"
)
WORKLOAD = (
    "SELECT current_agent, count(*), min(updated_at), max(updated_at) FROM conversations"
    " WHERE org_id = %s AND status = 'active' AND current_agent IS NOT NULL"
    " GROUP BY current_agent ORDER BY count(*) DESC"
)
SESSIONS = (
    f"SELECT {CONVERSATION} FROM conversations"
    " WHERE org_id = %s AND contact_id = %s AND start_time >= %s AND start_time < %s"
    " ORDER BY start_time DESC LIMIT 50"
)
HISTORY_BY_ROLE = (
    f"SELECT {MESSAGE} FROM messages"
    " WHERE org_id = %s AND conversation_id = %s AND role = %s ORDER BY ts LIMIT 50"
)
TOP_CONTACTS = (
    f"SELECT {SUMMARY} FROM interaction_summaries WHERE org_id = %s"
    " ORDER BY total_conversations DESC LIMIT 100"
)
BY_INTENT = (
    f"SELECT {MESSAGE} FROM messages WHERE org_id = %s AND intent = %s AND confidence >= %s"
    " ORDER BY confidence DESC LIMIT 50"
)
# ts_headline runs on the 50 hits only, as Rapport's search does (it is costly per row).
SEARCH = f"""
SELECT hits.*, ts_headline('english', content, query, 'MaxFragments=2, MaxWords=18, MinWords=6')
FROM (
  SELECT {MESSAGE}, q.query, ts_rank_cd(m.search, q.query) AS rank
  FROM messages AS m, websearch_to_tsquery('english', %s) AS q(query)
  WHERE m.org_id = %s AND m.search @@ q.query
  ORDER BY rank DESC, m.ts DESC LIMIT 50
) AS hits
"""


def connect(url: str) -> psycopg.Connection[Any]:
    """A plain autocommit connection, as a user of raw psycopg would open one."""
    return psycopg.connect(url, autocommit=True)


def fetch_all(conn: psycopg.Connection[Any], sql: str, params: Sequence[Any]) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def message_rows(
    org_id: str, items: Iterable[Mapping[str, Any]], contact_of: Mapping[str, str]
) -> list[tuple[Any, ...]]:
    """INSERT_MESSAGE parameters for Rapport-shaped items, ids made client-side (UUIDv7)."""
    return [
        (
            org_id,
            str(uuid_utils.uuid7()),
            item["conversation_id"],
            contact_of[item["conversation_id"]],
            item["role"],
            item.get("agent_type"),
            item["content"],
            item.get("language"),
            item.get("intent"),
            item.get("confidence"),
            item.get("sentiment"),
            item.get("timestamp") or datetime.datetime.now(datetime.UTC),
        )
        for item in items
    ]


def bulk_insert(
    conn: psycopg.Connection[Any],
    org_id: str,
    items: list[dict[str, Any]],
    contact_of: Mapping[str, str],
) -> None:
    """executemany of one INSERT per message, in one transaction (psycopg pipelines it)."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(INSERT_MESSAGE, message_rows(org_id, items, contact_of))
