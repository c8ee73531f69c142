"""The sales pipeline: stages and their moves, the supervisor's routing, follow-ups, the
agents that work the pipeline and their state, and the views a sales team reads.

- ``stages``: moving a conversation to a stage (409 lists the allowed ones) and its
  transition history; ``record_as`` names who writes and why for the transition trigger.
- ``routing``: the supervisor's decision (``decide``, pure) and ``route``, which applies it
  and picks the agent: its own if it fits, else the least-loaded active agent of the role
  (``route_agent`` over ``agent_load`` in ``queries.sql``).
- ``follow_ups``: the ``follow-ups`` resource, done/cancel, and what is due.
- ``agents``: the ``agents`` resource (persona, knowledge, tasks, visibility) and which
  agents an org may use; ``agent_state``: an agent's versioned state per contact or user.
- ``views``: pipeline counts by stage x status (from tallies) and per-agent workload
  (``workload`` over the same ``agent_load``).
- ``settings``: this package's section of org settings (threshold, routing rules).
- ``verbs``: the SDK sections ``pipeline``, ``follow_ups``, ``agents``, and the routing
  verbs of ``conversations``; ``queries.sql``: every statement above.

Rules the schema holds for this capability (migrations 0003-0004, ``rapport/db/schema.sql``):
- allowed stage moves: ``rapport_next_stages``, enforced on every write of sales_stage by
  ``rapport_check_stage`` (trigger ``conversations_stage_check``);
- every stage change and hand-off recorded: ``rapport_record_transition``;
- is_qualified at the org's threshold: ``rapport_qualify`` with
  ``rapport_qualified_threshold`` (default 70), which routing reads too;
- cancel-on-reply: ``rapport_cancel_on_reply`` (trigger ``messages_cancel_follow_ups``);
- the follow-up mirror (a conversation's ``follow_up`` is its next follow-up, and writing
  it writes that one): ``rapport_mirror_follow_up``, ``rapport_conversation_follow_up``,
  ``rapport_conversations_follow_ups``, ``rapport_follow_up_changed``,
  ``rapport_stamp_follow_up``;
- tallies by stage x status x agent (counts, workload, routing load):
  ``rapport_tally_added``, ``rapport_tally_moved``, ``rapport_tally_removed``,
  ``rapport_tally_stripe``;
- an agent's state goes with it: ``rapport_forget_agent_states``.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)
