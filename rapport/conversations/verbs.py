"""The conversation capability's verbs, by SDK section: ``r.contacts``, ``r.conversations``,
``r.messages``, ``r.analytics`` (each also has the nine operations of its resource)."""

from __future__ import annotations

from typing import Any

from rapport.conversations import analytics, contacts, conversations, documents, messages
from rapport.conversations.conversations import Conversation
from rapport.conversations.messages import Message
from rapport.conversations.summaries import SUMMARIES
from rapport.resources.params import Ids, Page
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, Settle, verb, writing
from rapport.retrieval import keyword


class Contacts(ResourceSection):
    section = resource = "contacts"

    latest_conversation = verb(
        conversations.latest_for_contact, "GET", "/v1/contacts/{id}/conversations/latest",
        response=Conversation, summary="The contact's most recent conversation",
    )  # fmt: skip
    sessions = verb(
        conversations.sessions, "GET", "/v1/contacts/{id}/sessions", response=Page,
        query={"start": "from", "end": "to"}, summary="The contact's sessions in a window",
    )  # fmt: skip
    top = verb(
        contacts.top, "GET", "/v1/contacts/top", response=Page,
        summary="Contacts with the most conversations",
    )  # fmt: skip


class Conversations(ResourceSection):
    section = resource = "conversations"

    append_message = writing(
        messages.append, "POST", "/v1/conversations/{id}/messages", response=Message,
        body="message", enriches=True, reread=messages.MESSAGES, summary="Append a message",
    )  # fmt: skip
    append_messages = verb(
        messages.append_many, "POST", "/v1/conversations/{id}/messages/bulk", response=Ids,
        role="operator", body="*", body_name="MessageBatch", wrap="ids", status=201,
        enriches=True, summary="Append many messages",
    )  # fmt: skip
    history = verb(
        messages.history, "GET", "/v1/conversations/{id}/messages", response=Page,
        summary="A conversation's messages in order",
    )  # fmt: skip
    document = verb(
        documents.document, "GET", "/v1/conversations/{id}/document",
        response=dict[str, Any], settles=Settle("conversation", "id"),
        summary="Seed 000's whole document",
    )  # fmt: skip


class Messages(ResourceSection):
    section = resource = "messages"

    search = verb(
        keyword.search, "GET", "/v1/messages/search", response=dict[str, Any],
        summary="Full-text search over messages", over=messages.MESSAGES,
    )  # fmt: skip
    by_intent = verb(
        messages.by_intent, "GET", "/v1/messages/by-intent", response=Page,
        summary="Messages with an intent",
    )  # fmt: skip


class Analytics(Section):
    section = "analytics"

    interactions = verb(
        analytics.interactions, "GET", "/v1/analytics/interactions", response=dict[str, Any],
        summary="Contact analytics", over=SUMMARIES,
    )  # fmt: skip
