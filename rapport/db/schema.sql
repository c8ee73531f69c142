-- Rapport's schema, generated from the migrations by `python -m rapport.db.schema`.
-- Do not edit: change a migration and generate it again (tests/test_schema.py compares).

--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pg_stat_statements; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA public;


--
-- Name: EXTENSION pg_stat_statements; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_stat_statements IS 'track planning and execution statistics of all SQL statements executed';


--
-- Name: vector; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;


--
-- Name: EXTENSION vector; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION vector IS 'vector data type and ivfflat and hnsw access methods';


--
-- Name: procrastinate_job_event_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_event_type AS ENUM (
    'deferred',
    'started',
    'deferred_for_retry',
    'failed',
    'succeeded',
    'cancelled',
    'abort_requested',
    'aborted',
    'scheduled',
    'retried'
);


--
-- Name: procrastinate_job_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_status AS ENUM (
    'todo',
    'doing',
    'succeeded',
    'failed',
    'cancelled',
    'aborting',
    'aborted'
);


--
-- Name: procrastinate_job_to_defer_v1; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_to_defer_v1 AS (
	queue_name character varying,
	task_name character varying,
	priority integer,
	lock text,
	queueing_lock text,
	args jsonb,
	scheduled_at timestamp with time zone
);


--
-- Name: procrastinate_cancel_job_v1(bigint, boolean, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_cancel_job_v1(job_id bigint, abort boolean, delete_job boolean) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
BEGIN
    IF delete_job THEN
        DELETE FROM procrastinate_jobs
        WHERE id = job_id AND status = 'todo'
        RETURNING id INTO _job_id;
    END IF;
    IF _job_id IS NULL THEN
        IF abort THEN
            UPDATE procrastinate_jobs
            SET abort_requested = true,
                status = CASE status
                    WHEN 'todo' THEN 'cancelled'::procrastinate_job_status ELSE status
                END
            WHERE id = job_id AND status IN ('todo', 'doing')
            RETURNING id INTO _job_id;
        ELSE
            UPDATE procrastinate_jobs
            SET status = 'cancelled'::procrastinate_job_status
            WHERE id = job_id AND status = 'todo'
            RETURNING id INTO _job_id;
        END IF;
    END IF;
    RETURN _job_id;
END;
$$;


--
-- Name: procrastinate_defer_jobs_v1(public.procrastinate_job_to_defer_v1[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_defer_jobs_v1(jobs public.procrastinate_job_to_defer_v1[]) RETURNS bigint[]
    LANGUAGE plpgsql
    AS $$
DECLARE
    job_ids bigint[];
BEGIN
    WITH inserted_jobs AS (
        INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at)
        SELECT (job).queue_name,
               (job).task_name,
               (job).priority,
               (job).lock,
               (job).queueing_lock,
               (job).args,
               (job).scheduled_at
        FROM unnest(jobs) AS job
        RETURNING id
    )
    SELECT array_agg(id) FROM inserted_jobs INTO job_ids;

    RETURN job_ids;
END;
$$;


--
-- Name: procrastinate_defer_periodic_job_v2(character varying, character varying, character varying, character varying, integer, character varying, bigint, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_defer_periodic_job_v2(_queue_name character varying, _lock character varying, _queueing_lock character varying, _task_name character varying, _priority integer, _periodic_id character varying, _defer_timestamp bigint, _args jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
	_job_id bigint;
	_defer_id bigint;
BEGIN
    INSERT
        INTO procrastinate_periodic_defers (task_name, periodic_id, defer_timestamp)
        VALUES (_task_name, _periodic_id, _defer_timestamp)
        ON CONFLICT DO NOTHING
        RETURNING id into _defer_id;

    IF _defer_id IS NULL THEN
        RETURN NULL;
    END IF;

    UPDATE procrastinate_periodic_defers
        SET job_id = (
            SELECT COALESCE((
                SELECT unnest(procrastinate_defer_jobs_v1(
                    ARRAY[
                        ROW(
                            _queue_name,
                            _task_name,
                            _priority,
                            _lock,
                            _queueing_lock,
                            _args,
                            NULL::timestamptz
                        )
                    ]::procrastinate_job_to_defer_v1[]
                ))
            ), NULL)
        )
        WHERE id = _defer_id
        RETURNING job_id INTO _job_id;

    DELETE
        FROM procrastinate_periodic_defers
        USING (
            SELECT id
            FROM procrastinate_periodic_defers
            WHERE procrastinate_periodic_defers.task_name = _task_name
            AND procrastinate_periodic_defers.periodic_id = _periodic_id
            AND procrastinate_periodic_defers.defer_timestamp < _defer_timestamp
            ORDER BY id
            FOR UPDATE
        ) to_delete
        WHERE procrastinate_periodic_defers.id = to_delete.id;

    RETURN _job_id;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: procrastinate_jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_jobs (
    id bigint NOT NULL,
    queue_name character varying(128) NOT NULL,
    task_name character varying(128) NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    lock text,
    queueing_lock text,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    status public.procrastinate_job_status DEFAULT 'todo'::public.procrastinate_job_status NOT NULL,
    scheduled_at timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    abort_requested boolean DEFAULT false NOT NULL,
    worker_id bigint,
    CONSTRAINT check_not_todo_abort_requested CHECK ((NOT ((status = 'todo'::public.procrastinate_job_status) AND (abort_requested = true))))
);


--
-- Name: procrastinate_fetch_job_v2(character varying[], bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_fetch_job_v2(target_queue_names character varying[], p_worker_id bigint) RETURNS public.procrastinate_jobs
    LANGUAGE plpgsql
    AS $$
DECLARE
	found_jobs procrastinate_jobs;
BEGIN
    WITH candidate AS (
        SELECT jobs.*
            FROM procrastinate_jobs AS jobs
            WHERE
                -- reject the job if its lock has earlier or higher priority jobs
                NOT EXISTS (
                    SELECT 1
                        FROM procrastinate_jobs AS other_jobs
                        WHERE
                            jobs.lock IS NOT NULL
                            AND other_jobs.lock = jobs.lock
                            AND (
                                -- job with same lock is already running
                                other_jobs.status = 'doing'
                                OR
                                -- job with same lock is waiting and has higher priority (or same priority but was queued first)
                                (
                                    other_jobs.status = 'todo'
                                    AND (
                                        other_jobs.priority > jobs.priority
                                        OR (
                                        other_jobs.priority = jobs.priority
                                        AND other_jobs.id < jobs.id
                                        )
                                    )
                                )
                            )
                )
                AND jobs.status = 'todo'
                AND (target_queue_names IS NULL OR jobs.queue_name = ANY( target_queue_names ))
                AND (jobs.scheduled_at IS NULL OR jobs.scheduled_at <= now())
            ORDER BY jobs.priority DESC, jobs.id ASC LIMIT 1
            FOR UPDATE OF jobs SKIP LOCKED
    )
    UPDATE procrastinate_jobs
        SET status = 'doing', worker_id = p_worker_id
        FROM candidate
        WHERE procrastinate_jobs.id = candidate.id
        RETURNING procrastinate_jobs.* INTO found_jobs;

 RETURN found_jobs;
END;
$$;


--
-- Name: procrastinate_finish_job_v1(bigint, public.procrastinate_job_status, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_finish_job_v1(job_id bigint, end_status public.procrastinate_job_status, delete_job boolean) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
BEGIN
    IF end_status NOT IN ('succeeded', 'failed', 'aborted') THEN
        RAISE 'End status should be either "succeeded", "failed" or "aborted" (job id: %)', job_id;
    END IF;
    IF delete_job THEN
        DELETE FROM procrastinate_jobs
        WHERE id = job_id AND status IN ('todo', 'doing')
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = end_status,
            abort_requested = false,
            attempts = CASE status
                WHEN 'doing' THEN attempts + 1 ELSE attempts
            END
        WHERE id = job_id AND status IN ('todo', 'doing')
        RETURNING id INTO _job_id;
    END IF;
    IF _job_id IS NULL THEN
        RAISE 'Job was not found or not in "doing" or "todo" status (job id: %)', job_id;
    END IF;
END;
$$;


--
-- Name: procrastinate_notify_queue_abort_job_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_notify_queue_abort_job_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT json_build_object('type', 'abort_job_requested', 'job_id', NEW.id)::text INTO payload;
	PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
	PERFORM pg_notify('procrastinate_any_queue_v1', payload);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_notify_queue_job_inserted_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_notify_queue_job_inserted_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT json_build_object('type', 'job_inserted', 'job_id', NEW.id)::text INTO payload;
	PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
	PERFORM pg_notify('procrastinate_any_queue_v1', payload);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_prune_stalled_workers_v1(double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_prune_stalled_workers_v1(seconds_since_heartbeat double precision) RETURNS TABLE(worker_id bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    RETURN QUERY
    DELETE FROM procrastinate_workers
    WHERE last_heartbeat < NOW() - (seconds_since_heartbeat || 'SECOND')::INTERVAL
    RETURNING procrastinate_workers.id;
END;
$$;


--
-- Name: procrastinate_register_worker_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_register_worker_v1() RETURNS TABLE(worker_id bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    RETURN QUERY
    INSERT INTO procrastinate_workers DEFAULT VALUES
    RETURNING procrastinate_workers.id;
END;
$$;


--
-- Name: procrastinate_retry_job_v1(bigint, timestamp with time zone, integer, character varying, character varying); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_retry_job_v1(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
    _abort_requested boolean;
BEGIN
    SELECT abort_requested FROM procrastinate_jobs
    WHERE id = job_id AND status = 'doing'
    FOR UPDATE
    INTO _abort_requested;
    IF _abort_requested THEN
        UPDATE procrastinate_jobs
        SET status = 'failed'::procrastinate_job_status
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = 'todo'::procrastinate_job_status,
            attempts = attempts + 1,
            scheduled_at = retry_at,
            priority = COALESCE(new_priority, priority),
            queue_name = COALESCE(new_queue_name, queue_name),
            lock = COALESCE(new_lock, lock)
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    END IF;

    IF _job_id IS NULL THEN
        RAISE 'Job was not found or not in "doing" status (job id: %)', job_id;
    END IF;
END;
$$;


--
-- Name: procrastinate_retry_job_v2(bigint, timestamp with time zone, integer, character varying, character varying); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_retry_job_v2(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
    _abort_requested boolean;
    _current_status procrastinate_job_status;
BEGIN
    SELECT status, abort_requested FROM procrastinate_jobs
    WHERE id = job_id AND status IN ('doing', 'failed')
    FOR UPDATE
    INTO _current_status, _abort_requested;
    IF _current_status = 'doing' AND _abort_requested THEN
        UPDATE procrastinate_jobs
        SET status = 'failed'::procrastinate_job_status
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = 'todo'::procrastinate_job_status,
            attempts = attempts + 1,
            scheduled_at = retry_at,
            priority = COALESCE(new_priority, priority),
            queue_name = COALESCE(new_queue_name, queue_name),
            lock = COALESCE(new_lock, lock)
        WHERE id = job_id AND status IN ('doing', 'failed')
        RETURNING id INTO _job_id;
    END IF;

    IF _job_id IS NULL THEN
        RAISE 'Job was not found or has an invalid status to retry (job id: %)', job_id;
    END IF;

END;
$$;


--
-- Name: procrastinate_trigger_abort_requested_events_procedure_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_abort_requested_events_procedure_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type)
        VALUES (NEW.id, 'abort_requested'::procrastinate_job_event_type);
    RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_scheduled_events_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_scheduled_events_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type, at)
        VALUES (NEW.id, 'scheduled'::procrastinate_job_event_type, NEW.scheduled_at);

	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_status_events_insert_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_status_events_insert_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type)
        VALUES (NEW.id, 'deferred'::procrastinate_job_event_type);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_status_events_update_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_status_events_update_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    WITH t AS (
        SELECT CASE
            WHEN OLD.status = 'todo'::procrastinate_job_status
                AND NEW.status = 'doing'::procrastinate_job_status
                THEN 'started'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'todo'::procrastinate_job_status
                THEN 'deferred_for_retry'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'failed'::procrastinate_job_status
                THEN 'failed'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'succeeded'::procrastinate_job_status
                THEN 'succeeded'::procrastinate_job_event_type
            WHEN OLD.status = 'todo'::procrastinate_job_status
                AND (
                    NEW.status = 'cancelled'::procrastinate_job_status
                    OR NEW.status = 'failed'::procrastinate_job_status
                    OR NEW.status = 'succeeded'::procrastinate_job_status
                )
                THEN 'cancelled'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'aborted'::procrastinate_job_status
                THEN 'aborted'::procrastinate_job_event_type
            WHEN OLD.status = 'failed'::procrastinate_job_status
                AND NEW.status = 'todo'::procrastinate_job_status
                THEN 'retried'::procrastinate_job_event_type
            ELSE NULL
        END as event_type
    )
    INSERT INTO procrastinate_events(job_id, type)
        SELECT NEW.id, t.event_type
        FROM t
        WHERE t.event_type IS NOT NULL;
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_unlink_periodic_defers_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_unlink_periodic_defers_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE procrastinate_periodic_defers
    SET job_id = NULL
    WHERE job_id = OLD.id;
    RETURN OLD;
END;
$$;


--
-- Name: procrastinate_unregister_worker_v1(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_unregister_worker_v1(worker_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM procrastinate_workers
    WHERE id = worker_id;
END;
$$;


--
-- Name: procrastinate_update_heartbeat_v1(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_update_heartbeat_v1(worker_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE procrastinate_workers
    SET last_heartbeat = NOW()
    WHERE id = worker_id;
END;
$$;


--
-- Name: rapport_add_counts(jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_add_counts(a jsonb, b jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
  merged jsonb := coalesce(a, '{}'::jsonb);
  item record;
BEGIN
  FOR item IN SELECT key, value FROM jsonb_each_text(b) LOOP
    merged := jsonb_set(
      merged, ARRAY[item.key],
      to_jsonb(coalesce((merged ->> item.key)::numeric, 0) + item.value::numeric));
  END LOOP;
  RETURN merged;
END
$$;


--
-- Name: rapport_after(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_after(after text) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT left(after, -1)::integer * CASE right(after, 1)
    WHEN 'm' THEN interval '1 minute' WHEN 'h' THEN interval '1 hour'
    WHEN 'd' THEN interval '1 day' WHEN 'w' THEN interval '1 week' END
$$;


--
-- Name: rapport_cancel_on_reply(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_cancel_on_reply() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE follow_ups AS f SET status = 'cancelled', closed_reason = 'the lead replied',
    updated_at = now()
  FROM (SELECT org_id, conversation_id, max(ts) AS ts FROM added
        WHERE role = 'user' GROUP BY org_id, conversation_id) AS r
  WHERE f.org_id = r.org_id AND f.conversation_id = r.conversation_id
    AND f.status = 'scheduled' AND f.cancel_on_reply AND f.created_at <= r.ts;
  RETURN NULL;
END
$$;


--
-- Name: rapport_check_stage(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_check_stage() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  allowed text[] := rapport_next_stages(OLD.sales_stage);
BEGIN
  IF NOT NEW.sales_stage = ANY(allowed) THEN
    RAISE EXCEPTION 'sales_stage: % -> % is not allowed for conversation %; from % the allowed stages are: %',
      OLD.sales_stage, NEW.sales_stage, NEW.id, OLD.sales_stage,
      coalesce(nullif(array_to_string(allowed, ', '), ''), 'none (it is final)')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'rapport_stage_transition',
            COLUMN = 'sales_stage', DETAIL = array_to_string(allowed, ',');
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_contact_facets(uuid, uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_contact_facets(org uuid, people uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
  UPDATE contacts AS t SET sales_stage = f.sales_stage, channels = f.channels
  FROM (
    SELECT p.id, c.sales_stage, coalesce(c.channels, '{}') AS channels
    FROM unnest(people) AS p (id)
    LEFT JOIN (
      SELECT c.contact_id,
             (array_agg(c.sales_stage ORDER BY c.start_time DESC, c.id DESC))[1] AS sales_stage,
             array_agg(DISTINCT c.channel ORDER BY c.channel) AS channels
      FROM conversations AS c
      WHERE c.org_id = org AND c.contact_id = ANY(people)
      GROUP BY c.contact_id) AS c ON c.contact_id = p.id) AS f
  WHERE t.org_id = org AND t.id = ANY(people) AND t.id = f.id
    AND (t.sales_stage, t.channels) IS DISTINCT FROM (f.sales_stage, f.channels)
$$;


--
-- Name: rapport_contact_facets_of_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_contact_facets_of_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM rapport_contact_facets(NEW.org_id, ARRAY[OLD.contact_id, NEW.contact_id]);
  RETURN NULL;
END
$$;


--
-- Name: rapport_contact_facets_of_statement(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_contact_facets_of_statement() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  one record;
BEGIN
  FOR one IN
    SELECT org_id, array_agg(DISTINCT contact_id ORDER BY contact_id) AS people FROM touched
    GROUP BY org_id
  LOOP
    PERFORM rapport_contact_facets(one.org_id, one.people);
  END LOOP;
  RETURN NULL;
END
$$;


--
-- Name: rapport_conversation_ends(uuid, uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_conversation_ends(org uuid, talks uuid[]) RETURNS TABLE(conversation_id uuid, contact_id uuid, call_id uuid, engagement_score double precision, outcome text)
    LANGUAGE sql STABLE
    AS $$
  SELECT c.id, c.contact_id, k.id, k.engagement_score,
         rapport_outcome(c.sales_stage, c.is_qualified, k.outcome)
  FROM conversations AS c
  LEFT JOIN LATERAL (
    SELECT k.id, k.outcome, k.engagement_score FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = c.id
    ORDER BY k.start_time DESC LIMIT 1) AS k ON true
  WHERE c.org_id = org AND c.id = ANY(talks)
$$;


--
-- Name: rapport_conversation_follow_up(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_conversation_follow_up() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  next_id uuid;
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  SELECT id INTO next_id FROM follow_ups
  WHERE org_id = NEW.org_id AND conversation_id = NEW.id AND status = 'scheduled'
  ORDER BY due_at, id LIMIT 1;
  IF NEW.follow_up_required AND NEW.follow_up_scheduled_date IS NOT NULL THEN
    IF next_id IS NULL THEN
      INSERT INTO follow_ups (org_id, conversation_id, contact_id, due_at, reason, notes,
                              reminder_sent, agent, created_by)
      VALUES (NEW.org_id, NEW.id, NEW.contact_id, NEW.follow_up_scheduled_date,
              NEW.follow_up_reason, NEW.follow_up_notes, NEW.follow_up_reminder_sent,
              NEW.current_agent,
              coalesce(nullif(current_setting('rapport.actor', true), ''), 'conversation'));
    ELSE
      UPDATE follow_ups SET due_at = NEW.follow_up_scheduled_date,
        reason = NEW.follow_up_reason, notes = NEW.follow_up_notes,
        reminder_sent = NEW.follow_up_reminder_sent, updated_at = now()
      WHERE org_id = NEW.org_id AND id = next_id;
    END IF;
  ELSIF NOT NEW.follow_up_required AND next_id IS NOT NULL THEN
    UPDATE follow_ups SET status = 'done', closed_reason = 'follow_up.required set to false',
      updated_at = now()
    WHERE org_id = NEW.org_id AND id = next_id;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_conversations_follow_ups(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_conversations_follow_ups() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  mirror text := current_setting('rapport.mirror', true);
BEGIN
  -- Each new conversation's only follow-up is the one its follow_up shows: nothing to mirror
  -- back (which would cost a lookup per row of a bulk create).
  PERFORM set_config('rapport.mirror', 'off', true);
  INSERT INTO follow_ups (org_id, conversation_id, contact_id, due_at, reason, notes,
                          reminder_sent, agent, created_by)
  SELECT org_id, id, contact_id, follow_up_scheduled_date, follow_up_reason, follow_up_notes,
         follow_up_reminder_sent, current_agent, 'conversation'
  FROM added WHERE follow_up_required AND follow_up_scheduled_date IS NOT NULL;
  PERFORM set_config('rapport.mirror', coalesce(mirror, ''), true);
  RETURN NULL;
END
$$;


--
-- Name: rapport_count_calls(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_count_calls() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  sign integer := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    INSERT INTO call_tallies (org_id, day, closer, closer_available, calls, attempted,
                              successful, engagement_sum, engagement_n,
                              successful_engagement_sum, successful_engagement_n)
    SELECT org_id, (start_time AT TIME ZONE 'UTC')::date, coalesce(closer, ''),
           closer_available, sign * count(*),
           sign * count(*) FILTER (WHERE transfer_attempted),
           sign * count(*) FILTER (WHERE transfer_successful),
           sign * coalesce(sum(engagement_score), 0), sign * count(engagement_score),
           sign * coalesce(sum(engagement_score) FILTER (WHERE transfer_successful), 0),
           sign * count(engagement_score) FILTER (WHERE transfer_successful)
    FROM touched GROUP BY 1, 2, 3, 4;
  ELSE  -- one call changed: it leaves its old group and joins its new one
    INSERT INTO call_tallies (org_id, day, closer, closer_available, calls, attempted,
                              successful, engagement_sum, engagement_n,
                              successful_engagement_sum, successful_engagement_n)
    VALUES
      (OLD.org_id, (OLD.start_time AT TIME ZONE 'UTC')::date, coalesce(OLD.closer, ''),
       OLD.closer_available, -1, -OLD.transfer_attempted::int, -OLD.transfer_successful::int,
       -coalesce(OLD.engagement_score, 0), -(OLD.engagement_score IS NOT NULL)::int,
       -CASE WHEN OLD.transfer_successful THEN coalesce(OLD.engagement_score, 0) ELSE 0 END,
       -(OLD.transfer_successful AND OLD.engagement_score IS NOT NULL)::int),
      (NEW.org_id, (NEW.start_time AT TIME ZONE 'UTC')::date, coalesce(NEW.closer, ''),
       NEW.closer_available, 1, NEW.transfer_attempted::int, NEW.transfer_successful::int,
       coalesce(NEW.engagement_score, 0), (NEW.engagement_score IS NOT NULL)::int,
       CASE WHEN NEW.transfer_successful THEN coalesce(NEW.engagement_score, 0) ELSE 0 END,
       (NEW.transfer_successful AND NEW.engagement_score IS NOT NULL)::int);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_count_facets(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_count_facets() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT t.org_id, f.facet, f.value, count(*)
    FROM touched AS t, rapport_facet_values(t.industry, t.company_size, t.job_title,
                                            t.sales_stage, t.channels, t.keywords) AS f
    GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT t.org_id, f.facet, f.value, -count(*)
    FROM touched AS t, rapport_facet_values(t.industry, t.company_size, t.job_title,
                                            t.sales_stage, t.channels, t.keywords) AS f
    GROUP BY 1, 2, 3;
  ELSE  -- one contact's facets changed: what it left, and what it gained
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT NEW.org_id, facet, value, sum(n) FROM (
      SELECT facet, value, -1 AS n FROM rapport_facet_values(
        OLD.industry, OLD.company_size, OLD.job_title, OLD.sales_stage, OLD.channels,
        OLD.keywords)
      UNION ALL
      SELECT facet, value, 1 FROM rapport_facet_values(
        NEW.industry, NEW.company_size, NEW.job_title, NEW.sales_stage, NEW.channels,
        NEW.keywords)) AS change
    GROUP BY facet, value HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_count_patterns(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_count_patterns() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, count(*), coalesce(sum(effectiveness), 0),
           count(effectiveness)
    FROM added GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, -count(*), -coalesce(sum(effectiveness), 0),
           -count(effectiveness)
    FROM gone GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, sum(n), coalesce(sum(e), 0), sum(en) FROM (
      SELECT org_id, pattern_id, outcome, 1 AS n, effectiveness AS e,
             (effectiveness IS NOT NULL)::int AS en FROM added
      UNION ALL
      SELECT org_id, pattern_id, outcome, -1, -effectiveness,
             -(effectiveness IS NOT NULL)::int FROM gone) AS change
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR coalesce(sum(e), 0) <> 0 OR sum(en) <> 0;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_count_statuses(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_count_statuses() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, count(*) FROM added
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, -count(*) FROM gone
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, sum(n) FROM (
      SELECT org_id, variant_id, status, 1 AS n FROM added
      UNION ALL
      SELECT org_id, variant_id, status, -1 FROM gone) AS change
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_derive_patterns(uuid, uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_derive_patterns(org uuid, talks uuid[]) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
  changed integer;
BEGIN
  -- New patterns first, in a statement of their own: one a concurrent derivation makes at
  -- the same moment is then seen by the next statement, not lost to ON CONFLICT.
  INSERT INTO patterns (org_id, type, name, description)
  SELECT DISTINCT ON (f.type, f.name) org, f.type, f.name, f.description
  FROM rapport_pattern_facts(org, talks) AS f
  ORDER BY f.type, f.name, f.description NULLS LAST
  ON CONFLICT (org_id, type, name) DO NOTHING;

  WITH outcome AS (SELECT * FROM rapport_conversation_ends(org, talks)),
  wanted AS (
    SELECT f.conversation_id, p.id AS pattern_id, o.contact_id, o.call_id, o.outcome,
           coalesce(f.effectiveness, o.engagement_score) AS effectiveness, f.at
    FROM rapport_pattern_facts(org, talks) AS f
    JOIN patterns AS p ON p.org_id = org AND p.type = f.type AND p.name = f.name
    JOIN outcome AS o USING (conversation_id)
  ),
  gone AS (
    DELETE FROM pattern_edges AS e
    WHERE e.org_id = org AND e.conversation_id = ANY(talks) AND e.source = 'derived'
      AND NOT EXISTS (SELECT FROM wanted AS w
                      WHERE w.conversation_id = e.conversation_id
                        AND w.pattern_id = e.pattern_id)
    RETURNING 1
  ),
  -- A caller's edge keeps what the caller said; it follows the conversation's outcome.
  moved AS (
    UPDATE pattern_edges AS e SET outcome = o.outcome, contact_id = o.contact_id
    FROM outcome AS o
    WHERE e.org_id = org AND e.conversation_id = o.conversation_id AND e.source = 'caller'
      AND (e.outcome, e.contact_id) IS DISTINCT FROM (o.outcome, o.contact_id)
    RETURNING 1
  ),
  put AS (
    INSERT INTO pattern_edges AS e (org_id, conversation_id, pattern_id, contact_id, call_id,
                                    outcome, effectiveness, source, at)
    SELECT org, conversation_id, pattern_id, contact_id, call_id, outcome, effectiveness,
           'derived', at
    FROM wanted ORDER BY conversation_id, pattern_id
    ON CONFLICT (org_id, conversation_id, pattern_id) DO UPDATE
      SET contact_id = excluded.contact_id, call_id = excluded.call_id,
          outcome = excluded.outcome, effectiveness = excluded.effectiveness, at = excluded.at
      WHERE e.source = 'derived'
        AND (e.contact_id, e.call_id, e.outcome, e.effectiveness, e.at) IS DISTINCT FROM
            (excluded.contact_id, excluded.call_id, excluded.outcome, excluded.effectiveness,
             excluded.at)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM put)
  INTO changed;
  RETURN changed;
END
$$;


--
-- Name: rapport_enrichment_orgs(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_enrichment_orgs() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE EXISTS (SELECT FROM messages AS m WHERE m.org_id = o.org_id AND m.enriched_at IS NULL)
     OR EXISTS (SELECT FROM memories AS m WHERE m.org_id = o.org_id AND m.embedding IS NULL)
     OR EXISTS (SELECT FROM knowledge_chunks AS k
                WHERE k.org_id = o.org_id AND k.embedding IS NULL)
     OR EXISTS (SELECT FROM enrich_inflight AS f WHERE f.org_id = o.org_id
                AND f.marked_at > now() - interval '1 minute')
  ORDER BY o.org_id
$$;


--
-- Name: rapport_event_partitions(timestamp with time zone[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_event_partitions(months timestamp with time zone[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
  month date;
  name text;
BEGIN
  FOR month IN SELECT DISTINCT date_trunc('month', m AT TIME ZONE 'UTC')::date
               FROM unnest(months) AS m WHERE m IS NOT NULL LOOP
    name := format('events_%s', to_char(month, 'YYYY_MM'));
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    -- Another transaction may be making it: one at a time, and the second finds it made
    -- (its catalog snapshot may not show it yet, so the duplicate is caught too).
    PERFORM pg_advisory_xact_lock(hashtext('rapport_event_partitions'));
    BEGIN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name,
        (month::timestamp AT TIME ZONE 'UTC'),
        ((month + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      PERFORM rapport_isolate(name::regclass);
    EXCEPTION WHEN duplicate_table THEN
      NULL;
    END;
  END LOOP;
END
$$;


--
-- Name: rapport_event_rank(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_event_rank(type text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE type WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3
    WHEN 'read' THEN 4 WHEN 'clicked' THEN 5 WHEN 'replied' THEN 6 ELSE 0 END
$$;


--
-- Name: rapport_extraction_due(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_extraction_due() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT o.org_id FROM orgs AS o
  LEFT JOIN extraction_models AS m ON m.org_id = o.org_id
  WHERE EXISTS (SELECT FROM extraction_examples AS e WHERE e.org_id = o.org_id
                AND e.updated_at > coalesce(m.trained_through, '-infinity'))
     OR (m.org_id IS NOT NULL
         AND NOT EXISTS (SELECT FROM extraction_examples AS e WHERE e.org_id = o.org_id))
$$;


--
-- Name: rapport_facet_values(text, text, text, text, text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_facet_values(industry text, company_size text, job_title text, sales_stage text, channels text[], keywords text[]) RETURNS TABLE(facet text, value text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT 'industry', industry
  UNION ALL SELECT 'company_size', company_size
  UNION ALL SELECT 'job_title', job_title
  UNION ALL SELECT 'sales_stage', sales_stage
  UNION ALL SELECT 'channel', x FROM unnest(
    CASE WHEN cardinality(channels) > 0 THEN channels ELSE ARRAY[NULL::text] END) AS x
  UNION ALL SELECT 'keyword', x FROM unnest(
    CASE WHEN cardinality(keywords) > 0 THEN keywords ELSE ARRAY[NULL::text] END) AS x
$$;


--
-- Name: rapport_follow_up_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_follow_up_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF current_setting('rapport.mirror', true) = 'off' THEN
    RETURN NULL;  -- written from the conversation's own follow_up: already what it shows
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM rapport_mirror_follow_up(OLD.org_id, OLD.conversation_id);
  ELSE
    PERFORM rapport_mirror_follow_up(NEW.org_id, NEW.conversation_id);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_follow_ups_added(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_follow_ups_added() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF current_setting('rapport.mirror', true) = 'off' THEN
    RETURN NULL;  -- written from the conversation's own follow_up: already what it shows
  END IF;
  PERFORM rapport_mirror_follow_ups(array_agg(org_id), array_agg(conversation_id))
  FROM added;
  RETURN NULL;
END
$$;


--
-- Name: rapport_foreign_agents(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_foreign_agents() RETURNS SETOF jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT jsonb_build_object(
    'id', a.id, 'name', a.name, 'role', a.role, 'status', a.status,
    'visibility', a.visibility,
    'persona', jsonb_strip_nulls(jsonb_build_object(
      'display_name', a.persona -> 'display_name', 'description', a.persona -> 'description')),
    'quick_tasks', coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                               'name', q -> 'name', 'description', q -> 'description')))
                             FROM jsonb_array_elements(a.quick_tasks) AS q), '[]'),
    'created_at', a.created_at, 'updated_at', a.updated_at, 'own', false)
  FROM agents AS a
  WHERE a.org_id IS DISTINCT FROM rapport_org()
    AND (a.visibility = 'public' OR a.shared_with @> jsonb_build_array(rapport_org()::text))
$$;


--
-- Name: rapport_forget_agent_states(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_forget_agent_states() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM agent_states WHERE agent_id = OLD.id;
  RETURN NULL;
END
$$;


--
-- Name: rapport_forget_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_forget_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  -- A contact's events with a conversation go with the conversation (its delete cascades).
  IF TG_TABLE_NAME = 'contacts' THEN
    WITH gone AS (
      DELETE FROM events AS e USING removed AS r
      WHERE e.org_id = r.org_id AND e.conversation_id IS NULL AND e.contact_id = r.id
      RETURNING e.org_id, e.external_id)
    DELETE FROM event_keys AS k USING gone AS g
    WHERE k.org_id = g.org_id AND k.external_id = g.external_id;
  ELSE
    WITH gone AS (
      DELETE FROM events AS e USING removed AS r
      WHERE e.org_id = r.org_id AND e.conversation_id = r.id
      RETURNING e.org_id, e.external_id)
    DELETE FROM event_keys AS k USING gone AS g
    WHERE k.org_id = g.org_id AND k.external_id = g.external_id;
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_grant_definers(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_grant_definers() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
  definer regprocedure;
BEGIN
  FOR definer IN SELECT p.oid::regprocedure FROM pg_proc AS p
                 WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', definer);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rapport_app', definer);
  END LOOP;
END
$$;


--
-- Name: rapport_instant(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_instant(at timestamp with time zone) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;


--
-- Name: rapport_isolate(regclass); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_isolate(tenant_table regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tenant_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tenant_table);
  EXECUTE format(
    'CREATE POLICY tenant ON %s USING (org_id = (SELECT rapport_org())) '
    'WITH CHECK (org_id = (SELECT rapport_org()))', tenant_table);
END
$$;


--
-- Name: rapport_key_principal(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_key_principal(secret_hash bytea) RETURNS TABLE(org_id uuid, role text, id uuid, scopes text[], expires_at timestamp with time zone, revoked_at timestamp with time zone, org_disabled_at timestamp with time zone, pii jsonb, region text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
  RETURN QUERY
    SELECT k.org_id, k.role, k.id, k.scopes, k.expires_at, k.revoked_at, o.disabled_at,
           o.settings -> 'pii', o.settings -> 'calls' ->> 'default_region'
    FROM api_keys AS k JOIN orgs AS o ON o.org_id = k.org_id
    WHERE k.secret_hash = rapport_key_principal.secret_hash;
  IF FOUND THEN
    UPDATE api_keys AS k SET last_used_at = now()
    WHERE k.secret_hash = rapport_key_principal.secret_hash
      AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
      AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  END IF;
END
$$;


--
-- Name: rapport_learning_orgs(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_learning_orgs() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE o.disabled_at IS NULL
    AND (EXISTS (SELECT FROM triggers AS t WHERE t.org_id = o.org_id AND t.status = 'active')
         OR EXISTS (SELECT FROM experiments AS e
                    WHERE e.org_id = o.org_id AND e.status = 'running'))
  ORDER BY o.org_id
$$;


--
-- Name: rapport_merge_patch(jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
  merged jsonb;
  item record;
BEGIN
  IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
    RETURN patch;
  END IF;
  merged := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    IF jsonb_typeof(item.value) = 'null' THEN
      merged := merged - item.key;
    ELSE
      merged := jsonb_set(merged, ARRAY[item.key], rapport_merge_patch(merged -> item.key, item.value));
    END IF;
  END LOOP;
  RETURN merged;
END
$$;


--
-- Name: rapport_mirror_follow_up(uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_mirror_follow_up(org uuid, conversation uuid) RETURNS void
    LANGUAGE sql
    AS $$
  SELECT rapport_mirror_follow_ups(ARRAY[org], ARRAY[conversation])
$$;


--
-- Name: rapport_mirror_follow_ups(uuid[], uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_mirror_follow_ups(orgs uuid[], talks uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
  WITH talk AS (
    SELECT DISTINCT t.org_id, t.conversation_id
    FROM unnest(orgs, talks) AS t(org_id, conversation_id) WHERE t.conversation_id IS NOT NULL
  ),
  next_one AS MATERIALIZED (
    SELECT t.org_id, t.conversation_id, n.id IS NOT NULL AS found, n.due_at, n.reason,
           n.notes, n.reminder_sent
    FROM talk AS t
    LEFT JOIN LATERAL (
      SELECT f.id, f.due_at, f.reason, f.notes, f.reminder_sent FROM follow_ups AS f
      WHERE f.org_id = t.org_id AND f.conversation_id = t.conversation_id
        AND f.status = 'scheduled'
      ORDER BY f.due_at, f.id LIMIT 1) AS n ON true
  )
  UPDATE conversations AS c SET
    follow_up_required = n.found,
    follow_up_scheduled_date = CASE WHEN n.found THEN n.due_at
                                    ELSE c.follow_up_scheduled_date END,
    follow_up_reason = CASE WHEN n.found THEN n.reason ELSE c.follow_up_reason END,
    follow_up_notes = CASE WHEN n.found THEN n.notes ELSE c.follow_up_notes END,
    follow_up_reminder_sent = CASE WHEN n.found THEN n.reminder_sent
                                   ELSE c.follow_up_reminder_sent END
  FROM next_one AS n
  WHERE c.org_id = n.org_id AND c.id = n.conversation_id
    AND CASE WHEN n.found
          THEN (c.follow_up_required, c.follow_up_scheduled_date, c.follow_up_reason,
                c.follow_up_notes, c.follow_up_reminder_sent)
               IS DISTINCT FROM (true, n.due_at, n.reason, n.notes, n.reminder_sent)
          ELSE c.follow_up_required END
$$;


--
-- Name: rapport_next_stages(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_next_stages(stage text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE stage
    WHEN 'qualification' THEN ARRAY['objection_handling', 'closing', 'not_qualified', 'lost']
    WHEN 'objection_handling' THEN ARRAY['qualification', 'closing', 'not_qualified', 'lost']
    WHEN 'closing' THEN ARRAY['objection_handling', 'won', 'lost']
    WHEN 'not_qualified' THEN ARRAY['qualification']
    WHEN 'lost' THEN ARRAY['qualification']
    ELSE ARRAY[]::text[]
  END
$$;


--
-- Name: rapport_number_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_number_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  WITH head AS (
    INSERT INTO change_heads AS h (org_id, seq) VALUES (NEW.org_id, 1)
    ON CONFLICT (org_id) DO UPDATE SET seq = h.seq + 1 RETURNING h.seq)
  UPDATE changes SET seq = (SELECT seq FROM head)
  WHERE changes.org_id = NEW.org_id AND changes.id = NEW.id;
  RETURN NULL;
END
$$;


--
-- Name: rapport_org(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('rapport.org', true), '')::uuid $$;


--
-- Name: rapport_org_count(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_count() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT count(*) FROM orgs $$;


--
-- Name: rapport_org_disable(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_disable(external text) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  UPDATE orgs SET disabled_at = coalesce(disabled_at, now()) WHERE external_id = external
  RETURNING org_id
$$;


--
-- Name: rapport_org_ensure(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_ensure(name text) RETURNS TABLE(org json, created boolean)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  INSERT INTO orgs AS o (name) VALUES (rapport_org_ensure.name)
  ON CONFLICT (name) DO UPDATE SET name = excluded.name
  RETURNING json_build_object('id', o.org_id, 'name', o.name, 'created_at', o.created_at),
            (o.xmax = 0)
$$;


--
-- Name: rapport_org_external(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_external(external text) RETURNS TABLE(org_id uuid, disabled boolean, pii jsonb, region text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT o.org_id, o.disabled_at IS NOT NULL, o.settings -> 'pii',
         o.settings -> 'calls' ->> 'default_region'
  FROM orgs AS o WHERE o.external_id = external
$$;


--
-- Name: rapport_org_ids(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT o.org_id FROM orgs AS o WHERE o.disabled_at IS NULL ORDER BY o.org_id $$;


--
-- Name: rapport_org_named(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_named(name text) RETURNS json
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT json_build_object('id', o.org_id, 'name', o.name, 'created_at', o.created_at)
  FROM orgs AS o WHERE o.name = rapport_org_named.name
$$;


--
-- Name: rapport_org_sync(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_org_sync(external text, wanted text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
  found uuid;
BEGIN
  UPDATE orgs SET disabled_at = NULL WHERE external_id = external RETURNING org_id INTO found;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  UPDATE orgs SET external_id = external
  WHERE name = wanted AND external_id IS NULL RETURNING org_id INTO found;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  INSERT INTO orgs (name, external_id)
  VALUES (CASE WHEN EXISTS (SELECT FROM orgs WHERE name = wanted)
               THEN wanted || ' (' || external || ')' ELSE wanted END, external)
  RETURNING org_id INTO found;
  RETURN found;
END
$$;


--
-- Name: rapport_orgs_found(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_orgs_found(ids uuid[]) RETURNS text[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT array_agg(o.org_id::text) FROM orgs AS o WHERE o.org_id = ANY(ids) $$;


--
-- Name: rapport_outcome(text, boolean, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_outcome(stage text, qualified boolean, call_outcome text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE
    WHEN stage IN ('won', 'lost') THEN stage
    WHEN call_outcome IS NOT NULL THEN call_outcome
    WHEN stage = 'not_qualified' OR qualified = false THEN 'not_qualified'
    WHEN qualified THEN 'qualified'
    ELSE 'open' END
$$;


--
-- Name: rapport_pattern_facts(uuid, uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_pattern_facts(org uuid, talks uuid[]) RETURNS TABLE(conversation_id uuid, type text, name text, description text, effectiveness double precision, at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $_$
  SELECT f.conversation_id, f.type, left(f.name, 200), max(f.description),
         max(f.effectiveness), min(f.at)
  FROM (
    SELECT o.conversation_id, 'objection_raised' AS type, o.type AS name,
           NULL::text AS description, NULL::float8 AS effectiveness, o.raised_at AS at
    FROM objections AS o WHERE o.org_id = org AND o.conversation_id = ANY(talks)
    UNION ALL
    SELECT o.conversation_id, 'objection_handled', o.type, NULL, NULL,
           coalesce(o.resolved_at, o.raised_at)
    FROM objections AS o WHERE o.org_id = org AND o.conversation_id = ANY(talks) AND o.resolved
    UNION ALL
    SELECT m.conversation_id, 'question_asked', rapport_question_topic(m.content), NULL, NULL,
           m.ts
    FROM messages AS m
    WHERE m.org_id = org AND m.conversation_id = ANY(talks)
      AND m.role IN ('agent', 'assistant') AND strpos(m.content, '?') > 0
    UNION ALL
    SELECT m.conversation_id, 'phase_reached',
           CASE WHEN m.phase ~ '^[0-9]+$' THEN 'phase ' || m.phase ELSE m.phase END,
           NULL, NULL, m.ts
    FROM messages AS m
    WHERE m.org_id = org AND m.conversation_id = ANY(talks) AND m.phase IS NOT NULL
    UNION ALL
    SELECT s.conversation_id, 'stage_reached', s.to_stage, NULL, NULL, s.at
    FROM stage_transitions AS s
    WHERE s.org_id = org AND s.conversation_id = ANY(talks) AND s.to_stage <> s.from_stage
    UNION ALL
    SELECT s.conversation_id, 'hand_off', s.from_agent || ' to ' || s.to_agent, NULL, NULL, s.at
    FROM stage_transitions AS s
    WHERE s.org_id = org AND s.conversation_id = ANY(talks)
      AND s.from_agent IS NOT NULL AND s.to_agent IS NOT NULL AND s.from_agent <> s.to_agent
    UNION ALL
    SELECT f.conversation_id, 'follow_up_kept', coalesce(f.agent, 'follow-up'), NULL, NULL,
           coalesce(f.closed_at, f.due_at)
    FROM follow_ups AS f
    WHERE f.org_id = org AND f.conversation_id = ANY(talks) AND f.status = 'done'
    UNION ALL
    SELECT k.conversation_id, 'phase_reached', 'phase ' || k.phase_reached, NULL, NULL,
           coalesce(k.end_time, k.start_time)
    FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = ANY(talks) AND k.phase_reached IS NOT NULL
    UNION ALL
    SELECT k.conversation_id, 'hand_off', 'transfer to ' || coalesce(k.closer, 'closer'),
           NULL, NULL, coalesce(k.end_time, k.start_time)
    FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = ANY(talks) AND k.transfer_attempted
    UNION ALL
    SELECT k.conversation_id,
           CASE WHEN jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'name') = 'string'
                THEN e ->> 'type' ELSE 'technique' END,
           CASE WHEN jsonb_typeof(e) = 'string' THEN e #>> '{}'
                WHEN jsonb_typeof(e -> 'name') = 'string' THEN e ->> 'name'
                ELSE e ->> 'type' END,
           CASE WHEN jsonb_typeof(e -> 'description') = 'string'
                THEN left(e ->> 'description', 2000) END,
           CASE WHEN jsonb_typeof(e -> 'effectiveness') = 'number'
                 AND (e ->> 'effectiveness')::float8 BETWEEN 0 AND 10
                THEN (e ->> 'effectiveness')::float8 END,
           k.start_time
    FROM calls AS k CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(k.learning_patterns) = 'array' THEN k.learning_patterns
           ELSE '[]' END) AS e
    WHERE k.org_id = org AND k.conversation_id = ANY(talks)
      AND (jsonb_typeof(e) = 'string' OR jsonb_typeof(e -> 'type') = 'string')
  ) AS f
  WHERE f.conversation_id IS NOT NULL AND f.name IS NOT NULL AND f.name <> ''
    AND f.type ~ '^[a-z][a-z0-9_]{0,63}$'
  GROUP BY f.conversation_id, f.type, left(f.name, 200)
$_$;


--
-- Name: rapport_patterns_of_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_patterns_of_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_TABLE_NAME = 'conversations' THEN
    PERFORM rapport_derive_patterns(NEW.org_id, ARRAY[NEW.id]);
  ELSIF NEW.conversation_id IS NOT NULL THEN
    PERFORM rapport_derive_patterns(NEW.org_id, ARRAY[NEW.conversation_id]);
  END IF;
  RETURN NULL;
END
$$;


--
-- Name: rapport_patterns_of_statement(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_patterns_of_statement() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  one record;
BEGIN
  FOR one IN
    SELECT org_id, array_agg(DISTINCT conversation_id) AS talks FROM touched
    WHERE conversation_id IS NOT NULL GROUP BY org_id
  LOOP
    PERFORM rapport_derive_patterns(one.org_id, one.talks);
  END LOOP;
  RETURN NULL;
END
$$;


--
-- Name: rapport_prune_changes(interval); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_prune_changes(keep interval) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  WITH gone AS (DELETE FROM changes WHERE at < now() - keep RETURNING 1)
  SELECT count(*) FROM gone
$$;


--
-- Name: rapport_publish_changes(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_publish_changes() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF current_setting('rapport.publish', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO changes (org_id, kind, op, count, ids)
  SELECT org_id, TG_TABLE_NAME, lower(TG_OP), count(*), (array_agg(id::text))[1:1000]
  FROM touched GROUP BY org_id;
  PERFORM pg_notify('rapport_changes', o.org_id::text)
  FROM (SELECT DISTINCT org_id FROM touched) AS o;
  RETURN NULL;
END
$$;


--
-- Name: rapport_qualified_threshold(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_qualified_threshold(settings jsonb) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT coalesce((settings #>> '{pipeline,qualified_threshold}')::double precision, 70)
$$;


--
-- Name: rapport_qualify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_qualify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  threshold double precision;
BEGIN
  IF NEW.qualification_score IS NULL OR NEW.is_qualified IS TRUE THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.qualification_score IS NOT DISTINCT FROM NEW.qualification_score THEN
    RETURN NEW;
  END IF;
  SELECT rapport_qualified_threshold(settings) INTO threshold FROM orgs WHERE org_id = NEW.org_id;
  IF NEW.qualification_score >= threshold
     AND (TG_OP = 'INSERT' OR OLD.qualification_score IS NULL
          OR OLD.qualification_score < threshold) THEN
    NEW.is_qualified := true;
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_question_topic(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_question_topic(content text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE
    WHEN content ~* '\m(budget|price|pricing|cost|spend|afford)' THEN 'budget'
    WHEN content ~* '\m(when|timeline|timeframe|deadline|how soon|by when)\M' THEN 'timeline'
    WHEN content ~* '\m(decision|decide|sign off|approve|who else|your boss|team)' THEN 'authority'
    WHEN content ~* '\m(need|problem|challenge|pain|goal|looking for|trying to)' THEN 'need'
    ELSE 'open' END
$$;


--
-- Name: rapport_record_replies(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_record_replies() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NOT EXISTS (
    SELECT FROM added AS u
    WHERE u.role = 'user' AND EXISTS (
      SELECT FROM messages AS m
      WHERE m.org_id = u.org_id AND m.conversation_id = u.conversation_id
        AND m.role IN ('agent', 'assistant') AND m.ts <= u.ts)) THEN
    RETURN NULL;  -- no lead's message answers an agent's
  END IF;
  PERFORM rapport_event_partitions(ARRAY(SELECT DISTINCT ts FROM added WHERE role = 'user'));
  WITH replies AS (
    SELECT DISTINCT ON (a.id) u.org_id, a.id AS message_id, a.conversation_id, a.contact_id,
           a.agent_type AS agent, a.variant_id, u.ts AS at, u.id AS reply_id
    FROM added AS u
    CROSS JOIN LATERAL (
      SELECT m.id, m.conversation_id, m.contact_id, m.agent_type, m.variant_id
      FROM messages AS m
      WHERE m.org_id = u.org_id AND m.conversation_id = u.conversation_id
        AND m.role IN ('agent', 'assistant') AND m.ts <= u.ts
      ORDER BY m.ts DESC, m.id DESC LIMIT 1) AS a
    WHERE u.role = 'user'
    ORDER BY a.id, u.ts, u.id
  ),
  fresh AS (
    INSERT INTO event_keys (org_id, external_id, event_id, at)
    SELECT org_id, 'replied:' || message_id, rapport_uuid7(), at FROM replies
    ON CONFLICT DO NOTHING
    RETURNING external_id, event_id
  ),
  recorded AS (
    INSERT INTO events (org_id, id, type, at, external_id, message_id, conversation_id,
                        contact_id, agent, channel, variant_id, data)
    SELECT r.org_id, f.event_id, 'replied', r.at, f.external_id, r.message_id,
           r.conversation_id, r.contact_id, r.agent, c.channel, r.variant_id,
           jsonb_build_object('reply_id', r.reply_id)
    FROM replies AS r
    JOIN fresh AS f ON f.external_id = 'replied:' || r.message_id
    JOIN conversations AS c ON c.org_id = r.org_id AND c.id = r.conversation_id
  )
  INSERT INTO message_status AS s (org_id, message_id, conversation_id, contact_id,
                                   variant_id, status, at)
  SELECT org_id, message_id, conversation_id, contact_id, variant_id, 'replied', at
  FROM replies
  ON CONFLICT (org_id, message_id) DO UPDATE SET status = 'replied', at = excluded.at
  WHERE rapport_event_rank(s.status) < rapport_event_rank('replied');
  RETURN NULL;
END
$$;


--
-- Name: rapport_record_transition(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_record_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO stage_transitions
    (org_id, conversation_id, contact_id, from_stage, to_stage, from_agent, to_agent,
     actor, reason)
  VALUES (NEW.org_id, NEW.id, NEW.contact_id, OLD.sales_stage, NEW.sales_stage,
          OLD.current_agent, NEW.current_agent,
          coalesce(nullif(current_setting('rapport.actor', true), ''), 'sql'),
          nullif(current_setting('rapport.reason', true), ''));
  RETURN NULL;
END
$$;


--
-- Name: rapport_rows(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_rows(items jsonb) RETURNS SETOF jsonb
    LANGUAGE plpgsql IMMUTABLE ROWS 1 PARALLEL SAFE
    AS $$
BEGIN
  RETURN QUERY SELECT jsonb_array_elements(items);
END
$$;


--
-- Name: rapport_scrubbing_orgs(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_scrubbing_orgs() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE o.disabled_at IS NULL AND o.settings -> 'pii' ->> 'when' IN ('ingest', 'within_24h')
  ORDER BY o.org_id
$$;


--
-- Name: rapport_stamp_completed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_stamp_completed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.status = 'completed' AND NEW.completed_at IS NULL THEN
    NEW.completed_at := now();
  ELSIF NEW.status <> 'completed' AND TG_OP = 'UPDATE' AND OLD.status = 'completed' THEN
    NEW.completed_at := NULL;
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_stamp_follow_up(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_stamp_follow_up() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.status = 'scheduled' THEN
    NEW.closed_at := NULL;
    NEW.closed_reason := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.status = 'scheduled' THEN
    NEW.closed_at := coalesce(NEW.closed_at, now());
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_stamp_qualified(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_stamp_qualified() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.is_qualified IS TRUE AND (TG_OP = 'INSERT' OR OLD.is_qualified IS NOT TRUE) THEN
    NEW.qualified_at := coalesce(NEW.qualified_at, now());
  ELSIF NEW.is_qualified IS NOT TRUE THEN
    NEW.qualified_at := NULL;
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_stamp_resolved(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_stamp_resolved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.resolved AND NEW.resolved_at IS NULL THEN
    NEW.resolved_at := now();
  ELSIF NOT NEW.resolved THEN
    NEW.resolved_at := NULL;
  END IF;
  RETURN NEW;
END
$$;


--
-- Name: rapport_statements_ready(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_statements_ready() RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
  PERFORM FROM pg_stat_statements LIMIT 1;
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END
$$;


--
-- Name: rapport_tally_added(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_tally_added() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT org_id, sales_stage, status, coalesce(current_agent, ''), rapport_tally_stripe(),
         count(*)
  FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;


--
-- Name: rapport_tally_moved(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_tally_moved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  -- The two keys in a fixed order, so two moves in opposite directions cannot deadlock.
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT NEW.org_id, k.sales_stage, k.status, k.current_agent, rapport_tally_stripe(), k.n
  FROM (VALUES (OLD.sales_stage, OLD.status, coalesce(OLD.current_agent, ''), -1),
               (NEW.sales_stage, NEW.status, coalesce(NEW.current_agent, ''), 1))
       AS k(sales_stage, status, current_agent, n)
  ORDER BY 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;


--
-- Name: rapport_tally_removed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_tally_removed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT org_id, sales_stage, status, coalesce(current_agent, ''), rapport_tally_stripe(),
         -count(*)
  FROM removed GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;


--
-- Name: rapport_tally_stripe(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_tally_stripe() RETURNS smallint
    LANGUAGE sql PARALLEL SAFE
    AS $$ SELECT (pg_backend_pid() % 16)::smallint $$;


--
-- Name: rapport_top_key(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_top_key(counts jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT key FROM jsonb_each_text(counts) ORDER BY value::numeric DESC, key LIMIT 1
$$;


--
-- Name: rapport_user_orgs(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_user_orgs(external text) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$ SELECT u.org_id FROM users AS u WHERE u.external_id = external ORDER BY 1 $$;


--
-- Name: rapport_uuid7(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.rapport_uuid7() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    AS $$SELECT uuidv7()$$;


--
-- Name: agent_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_states (
    org_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    subject_id uuid NOT NULL,
    subject_type text NOT NULL,
    state jsonb NOT NULL,
    version integer NOT NULL,
    updated_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_states_subject_type_check CHECK ((subject_type = ANY (ARRAY['contact'::text, 'user'::text]))),
    CONSTRAINT agent_states_version_check CHECK ((version > 0))
);

ALTER TABLE ONLY public.agent_states FORCE ROW LEVEL SECURITY;


--
-- Name: agents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agents (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    visibility text DEFAULT 'private'::text NOT NULL,
    persona jsonb DEFAULT '{}'::jsonb NOT NULL,
    knowledge_sources jsonb DEFAULT '[]'::jsonb NOT NULL,
    quick_tasks jsonb DEFAULT '[]'::jsonb NOT NULL,
    shared_with jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT agents_role_check CHECK ((role = ANY (ARRAY['supervisor'::text, 'qualifier'::text, 'objection_handler'::text, 'closer'::text, 'custom'::text]))),
    CONSTRAINT agents_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text]))),
    CONSTRAINT agents_visibility_check CHECK ((visibility = ANY (ARRAY['public'::text, 'private'::text, 'hidden'::text])))
);

ALTER TABLE ONLY public.agents FORCE ROW LEVEL SECURITY;


--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    name text,
    role text NOT NULL,
    prefix text NOT NULL,
    secret_hash bytea NOT NULL,
    user_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    scopes text[] NOT NULL,
    expires_at timestamp with time zone,
    replaced_by uuid,
    CONSTRAINT api_keys_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'operator'::text, 'viewer'::text]))),
    CONSTRAINT api_keys_scopes_check CHECK (((cardinality(scopes) > 0) AND (scopes <@ ARRAY['read'::text, 'write'::text, 'admin'::text])))
);

ALTER TABLE ONLY public.api_keys FORCE ROW LEVEL SECURITY;


--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    details jsonb DEFAULT '{}'::jsonb NOT NULL
);

ALTER TABLE ONLY public.audit_events FORCE ROW LEVEL SECURITY;


--
-- Name: availability; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.availability (
    org_id uuid NOT NULL,
    closer text NOT NULL,
    timezone text NOT NULL,
    weekly jsonb DEFAULT '[]'::jsonb NOT NULL,
    overrides jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.availability FORCE ROW LEVEL SECURITY;


--
-- Name: call_tallies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.call_tallies (
    org_id uuid NOT NULL,
    day date NOT NULL,
    closer text NOT NULL,
    closer_available boolean,
    id bigint NOT NULL,
    calls bigint NOT NULL,
    attempted bigint NOT NULL,
    successful bigint NOT NULL,
    engagement_sum double precision NOT NULL,
    engagement_n bigint NOT NULL,
    successful_engagement_sum double precision NOT NULL,
    successful_engagement_n bigint NOT NULL
);

ALTER TABLE ONLY public.call_tallies FORCE ROW LEVEL SECURITY;


--
-- Name: call_tallies_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.call_tallies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.call_tallies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: calls; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.calls (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    contact_id uuid NOT NULL,
    conversation_id uuid,
    external_id text,
    start_time timestamp with time zone NOT NULL,
    end_time timestamp with time zone,
    duration integer GENERATED ALWAYS AS ((EXTRACT(epoch FROM (end_time - start_time)))::integer) STORED,
    outcome text,
    transfer_attempted boolean DEFAULT false NOT NULL,
    transfer_successful boolean DEFAULT false NOT NULL,
    engagement_score double precision,
    phase_reached integer,
    closer_available boolean,
    closer text,
    analysis jsonb DEFAULT '{}'::jsonb NOT NULL,
    factors jsonb DEFAULT '{}'::jsonb NOT NULL,
    learning_patterns jsonb DEFAULT '[]'::jsonb NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT calls_check CHECK (((end_time IS NULL) OR (end_time >= start_time))),
    CONSTRAINT calls_check1 CHECK ((transfer_attempted OR (NOT transfer_successful))),
    CONSTRAINT calls_engagement_score_check CHECK (((engagement_score >= (0)::double precision) AND (engagement_score <= (10)::double precision))),
    CONSTRAINT calls_outcome_check CHECK ((outcome = ANY (ARRAY['qualified'::text, 'not_qualified'::text, 'callback'::text, 'transferred'::text, 'no_answer'::text]))),
    CONSTRAINT calls_phase_reached_check CHECK ((phase_reached >= 0))
);

ALTER TABLE ONLY public.calls FORCE ROW LEVEL SECURITY;


--
-- Name: change_heads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.change_heads (
    org_id uuid NOT NULL,
    seq bigint NOT NULL
);

ALTER TABLE ONLY public.change_heads FORCE ROW LEVEL SECURITY;


--
-- Name: changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.changes (
    org_id uuid NOT NULL,
    id bigint NOT NULL,
    seq bigint,
    at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    op text NOT NULL,
    count integer NOT NULL,
    ids text[] NOT NULL,
    CONSTRAINT changes_op_check CHECK ((op = ANY (ARRAY['insert'::text, 'update'::text, 'delete'::text])))
);

ALTER TABLE ONLY public.changes FORCE ROW LEVEL SECURITY;


--
-- Name: changes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.changes ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.changes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: contact_facet_tallies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contact_facet_tallies (
    org_id uuid NOT NULL,
    facet text NOT NULL,
    value text,
    id bigint NOT NULL,
    contacts bigint NOT NULL
);

ALTER TABLE ONLY public.contact_facet_tallies FORCE ROW LEVEL SECURITY;


--
-- Name: contact_facet_tallies_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.contact_facet_tallies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.contact_facet_tallies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: contacts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contacts (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    external_id text,
    name text,
    email text,
    phone text,
    instagram_handle text,
    channel_ids jsonb DEFAULT '{}'::jsonb NOT NULL,
    source text,
    campaign text,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL,
    industry text,
    company_size text,
    job_title text,
    lead_score double precision,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_interaction timestamp with time zone,
    sales_stage text,
    channels text[] DEFAULT '{}'::text[] NOT NULL,
    keywords text[] DEFAULT '{}'::text[] NOT NULL
)
WITH (fillfactor='90');

ALTER TABLE ONLY public.contacts FORCE ROW LEVEL SECURITY;


--
-- Name: conversation_tallies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversation_tallies (
    org_id uuid NOT NULL,
    sales_stage text NOT NULL,
    status text NOT NULL,
    current_agent text NOT NULL,
    n bigint NOT NULL,
    stripe smallint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.conversation_tallies FORCE ROW LEVEL SECURITY;


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    contact_id uuid NOT NULL,
    external_id text,
    channel text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    sales_stage text DEFAULT 'qualification'::text NOT NULL,
    is_qualified boolean,
    current_agent text,
    language text,
    qualification_budget text,
    qualification_need text,
    qualification_authority text,
    qualification_timeline text,
    qualification_score double precision,
    follow_up_required boolean DEFAULT false NOT NULL,
    follow_up_scheduled_date timestamp with time zone,
    follow_up_reason text,
    follow_up_notes text,
    follow_up_reminder_sent boolean DEFAULT false NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    intents jsonb DEFAULT '{}'::jsonb NOT NULL,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    outlet_id text,
    start_time timestamp with time zone DEFAULT now() NOT NULL,
    end_time timestamp with time zone,
    message_count integer DEFAULT 0 NOT NULL,
    last_message_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    last_inbound_at timestamp with time zone,
    qualified_at timestamp with time zone,
    CONSTRAINT conversations_sales_stage_check CHECK ((sales_stage = ANY (ARRAY['qualification'::text, 'objection_handling'::text, 'closing'::text, 'not_qualified'::text, 'won'::text, 'lost'::text]))),
    CONSTRAINT conversations_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text, 'completed'::text, 'abandoned'::text])))
)
WITH (fillfactor='90');

ALTER TABLE ONLY public.conversations FORCE ROW LEVEL SECURITY;


--
-- Name: enrich_inflight; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.enrich_inflight (
    batch uuid NOT NULL,
    org_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    marked_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY public.enrich_inflight FORCE ROW LEVEL SECURITY;


--
-- Name: erasures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.erasures (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    contact_id uuid NOT NULL,
    erased_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    actor text NOT NULL,
    counts jsonb NOT NULL,
    receipt_signature text NOT NULL
);

ALTER TABLE ONLY public.erasures FORCE ROW LEVEL SECURITY;


--
-- Name: event_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_keys (
    org_id uuid NOT NULL,
    external_id text NOT NULL,
    event_id uuid NOT NULL,
    at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.event_keys FORCE ROW LEVEL SECURITY;


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    type text NOT NULL,
    at timestamp with time zone NOT NULL,
    external_id text NOT NULL,
    message_id uuid,
    conversation_id uuid,
    contact_id uuid,
    agent text,
    channel text,
    variant_id text,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT events_type_check CHECK ((type = ANY (ARRAY['sent'::text, 'delivered'::text, 'read'::text, 'replied'::text, 'clicked'::text, 'failed'::text])))
)
PARTITION BY RANGE (at);

ALTER TABLE ONLY public.events FORCE ROW LEVEL SECURITY;


--
-- Name: experiment_assignments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.experiment_assignments (
    org_id uuid NOT NULL,
    experiment_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    variant_id uuid NOT NULL,
    seq bigint NOT NULL,
    assigned_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.experiment_assignments FORCE ROW LEVEL SECURITY;


--
-- Name: experiments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.experiments (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    name text NOT NULL,
    agent text NOT NULL,
    variants uuid[] NOT NULL,
    control uuid NOT NULL,
    strategy text DEFAULT 'sticky'::text NOT NULL,
    metric text DEFAULT 'replied'::text NOT NULL,
    min_sample integer DEFAULT 100 NOT NULL,
    pause_below double precision DEFAULT 0.05 NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    assigned bigint DEFAULT 0 NOT NULL,
    weights jsonb DEFAULT '{}'::jsonb NOT NULL,
    decisions jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT experiments_check CHECK ((control = ANY (variants))),
    CONSTRAINT experiments_metric_check CHECK ((metric = ANY (ARRAY['replied'::text, 'qualified'::text, 'won'::text]))),
    CONSTRAINT experiments_min_sample_check CHECK ((min_sample >= 1)),
    CONSTRAINT experiments_pause_below_check CHECK (((pause_below >= (0)::double precision) AND (pause_below < (1)::double precision))),
    CONSTRAINT experiments_status_check CHECK ((status = ANY (ARRAY['running'::text, 'paused'::text, 'stopped'::text]))),
    CONSTRAINT experiments_strategy_check CHECK ((strategy = ANY (ARRAY['sticky'::text, 'round_robin'::text, 'thompson'::text]))),
    CONSTRAINT experiments_variants_check CHECK ((cardinality(variants) >= 2))
);

ALTER TABLE ONLY public.experiments FORCE ROW LEVEL SECURITY;


--
-- Name: extraction_examples; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.extraction_examples (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    text text NOT NULL,
    labels jsonb NOT NULL,
    source text NOT NULL,
    message_id uuid,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT extraction_examples_labels_check CHECK ((jsonb_typeof(labels) = 'object'::text)),
    CONSTRAINT extraction_examples_source_check CHECK ((source = ANY (ARRAY['api'::text, 'memory'::text]))),
    CONSTRAINT extraction_examples_text_check CHECK (((length(text) >= 1) AND (length(text) <= 4000)))
);

ALTER TABLE ONLY public.extraction_examples FORCE ROW LEVEL SECURITY;


--
-- Name: extraction_models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.extraction_models (
    org_id uuid NOT NULL,
    version uuid DEFAULT public.rapport_uuid7() NOT NULL,
    model bytea NOT NULL,
    examples integer NOT NULL,
    trained_through timestamp with time zone NOT NULL,
    trained_at timestamp with time zone DEFAULT now() NOT NULL,
    figures jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT extraction_models_examples_check CHECK ((examples >= 0))
);

ALTER TABLE ONLY public.extraction_models FORCE ROW LEVEL SECURITY;


--
-- Name: feedback; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    message_id uuid,
    external_id text,
    kind text NOT NULL,
    score double precision,
    text text,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT feedback_kind_check CHECK ((kind = ANY (ARRAY['reply'::text, 'rating'::text, 'csat'::text, 'text'::text])))
);

ALTER TABLE ONLY public.feedback FORCE ROW LEVEL SECURITY;


--
-- Name: follow_ups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.follow_ups (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    external_id text,
    due_at timestamp with time zone NOT NULL,
    reason text,
    notes text,
    status text DEFAULT 'scheduled'::text NOT NULL,
    agent text,
    cancel_on_reply boolean DEFAULT false NOT NULL,
    reminder_sent boolean DEFAULT false NOT NULL,
    created_by text,
    closed_at timestamp with time zone,
    closed_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT follow_ups_status_check CHECK ((status = ANY (ARRAY['scheduled'::text, 'done'::text, 'cancelled'::text])))
);

ALTER TABLE ONLY public.follow_ups FORCE ROW LEVEL SECURITY;


--
-- Name: identity_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.identity_events (
    event_id text NOT NULL,
    type text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: interaction_summaries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.interaction_summaries (
    org_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    total_conversations integer DEFAULT 0 NOT NULL,
    total_messages integer DEFAULT 0 NOT NULL,
    common_intents jsonb DEFAULT '{}'::jsonb NOT NULL,
    language_counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    preferred_language text GENERATED ALWAYS AS (public.rapport_top_key(language_counts)) STORED,
    avg_satisfaction double precision,
    satisfaction_samples integer DEFAULT 0 NOT NULL,
    first_interaction timestamp with time zone,
    last_interaction timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
)
WITH (fillfactor='90');

ALTER TABLE ONLY public.interaction_summaries FORCE ROW LEVEL SECURITY;


--
-- Name: knowledge_chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.knowledge_chunks (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    document_id uuid NOT NULL,
    "position" integer NOT NULL,
    text text NOT NULL,
    embedding public.vector(384),
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED
);

ALTER TABLE ONLY public.knowledge_chunks FORCE ROW LEVEL SECURITY;


--
-- Name: knowledge_documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.knowledge_documents (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    external_id text NOT NULL,
    title text NOT NULL,
    text text NOT NULL,
    source text,
    url text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    chunk_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.knowledge_documents FORCE ROW LEVEL SECURITY;


--
-- Name: learning_daily; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.learning_daily (
    org_id uuid NOT NULL,
    day date NOT NULL,
    conversations integer DEFAULT 0 NOT NULL,
    calls integer DEFAULT 0 NOT NULL,
    leads integer DEFAULT 0 NOT NULL,
    qualified integer DEFAULT 0 NOT NULL,
    won integer DEFAULT 0 NOT NULL,
    engagement_sum double precision DEFAULT 0 NOT NULL,
    engagement_n integer DEFAULT 0 NOT NULL,
    transfers_attempted integer DEFAULT 0 NOT NULL,
    transfers_ok integer DEFAULT 0 NOT NULL,
    agent_messages integer DEFAULT 0 NOT NULL,
    replied integer DEFAULT 0 NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.learning_daily FORCE ROW LEVEL SECURITY;


--
-- Name: legal_holds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.legal_holds (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    contact_id uuid,
    conversation_id uuid,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT legal_holds_check CHECK (((contact_id IS NULL) <> (conversation_id IS NULL))),
    CONSTRAINT legal_holds_reason_check CHECK ((reason <> ''::text))
);

ALTER TABLE ONLY public.legal_holds FORCE ROW LEVEL SECURITY;


--
-- Name: memories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memories (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    chain_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    agent_id uuid,
    conversation_id uuid,
    key text NOT NULL,
    value jsonb,
    text text NOT NULL,
    extracted_by text NOT NULL,
    source_message_id uuid,
    confidence double precision,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    valid_from timestamp with time zone DEFAULT now() NOT NULL,
    valid_to timestamp with time zone,
    supersedes uuid,
    ended_by text,
    ended_reason text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    embedding public.vector(384),
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, ((replace(key, '_'::text, ' '::text) || ' '::text) || text))) STORED,
    evidence uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    CONSTRAINT memories_check CHECK (((valid_to IS NULL) OR (valid_to >= valid_from))),
    CONSTRAINT memories_confidence_check CHECK (((confidence >= (0)::double precision) AND (confidence <= (1)::double precision))),
    CONSTRAINT memories_ended_reason_check CHECK ((ended_reason = ANY (ARRAY['superseded'::text, 'deleted'::text])))
);

ALTER TABLE ONLY public.memories FORCE ROW LEVEL SECURITY;


--
-- Name: message_status; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.message_status (
    org_id uuid NOT NULL,
    message_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    variant_id text,
    status text NOT NULL,
    at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.message_status FORCE ROW LEVEL SECURITY;


--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    external_id text,
    role text NOT NULL,
    agent_type text,
    content text NOT NULL,
    language text,
    intent text,
    confidence double precision,
    sentiment double precision,
    keywords jsonb DEFAULT '[]'::jsonb NOT NULL,
    phase text,
    media jsonb,
    variant_id text,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    pii_scrubbed boolean DEFAULT false NOT NULL,
    ts timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED,
    embedding public.vector(384),
    enriched_at timestamp with time zone,
    extracted text[] DEFAULT '{}'::text[] NOT NULL,
    enrich_error text,
    CONSTRAINT messages_confidence_check CHECK (((confidence >= (0)::double precision) AND (confidence <= (1)::double precision))),
    CONSTRAINT messages_role_check CHECK ((role = ANY (ARRAY['user'::text, 'agent'::text, 'assistant'::text, 'system'::text]))),
    CONSTRAINT messages_sentiment_check CHECK (((sentiment >= ('-1'::integer)::double precision) AND (sentiment <= (1)::double precision)))
);

ALTER TABLE ONLY public.messages FORCE ROW LEVEL SECURITY;


--
-- Name: objections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.objections (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    message_id uuid,
    type text NOT NULL,
    description text,
    raised_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved boolean DEFAULT false NOT NULL,
    resolution text,
    resolved_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT objections_type_check CHECK ((type = ANY (ARRAY['price'::text, 'timing'::text, 'trust'::text, 'competitor'::text, 'authority'::text, 'need'::text, 'other'::text])))
);

ALTER TABLE ONLY public.objections FORCE ROW LEVEL SECURITY;


--
-- Name: orgs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgs (
    org_id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    name text NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    external_id text,
    disabled_at timestamp with time zone,
    CONSTRAINT orgs_name_check CHECK ((name <> ''::text))
);

ALTER TABLE ONLY public.orgs FORCE ROW LEVEL SECURITY;


--
-- Name: pattern_edges; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pattern_edges (
    org_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    pattern_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    call_id uuid,
    outcome text NOT NULL,
    effectiveness double precision,
    source text NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT pattern_edges_effectiveness_check CHECK (((effectiveness >= (0)::double precision) AND (effectiveness <= (10)::double precision))),
    CONSTRAINT pattern_edges_source_check CHECK ((source = ANY (ARRAY['derived'::text, 'caller'::text])))
);

ALTER TABLE ONLY public.pattern_edges FORCE ROW LEVEL SECURITY;


--
-- Name: pattern_tallies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pattern_tallies (
    org_id uuid NOT NULL,
    pattern_id uuid NOT NULL,
    outcome text NOT NULL,
    id bigint NOT NULL,
    edges bigint NOT NULL,
    effectiveness_sum double precision NOT NULL,
    effectiveness_n bigint NOT NULL
);

ALTER TABLE ONLY public.pattern_tallies FORCE ROW LEVEL SECURITY;


--
-- Name: pattern_tallies_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.pattern_tallies ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.pattern_tallies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: patterns; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patterns (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    type text NOT NULL,
    name text NOT NULL,
    description text,
    text text GENERATED ALWAYS AS (COALESCE(description, ((replace(type, '_'::text, ' '::text) || ': '::text) || name))) STORED,
    embedding public.vector(384),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT patterns_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT patterns_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT patterns_type_check CHECK ((type ~ '^[a-z][a-z0-9_]{0,63}$'::text))
);

ALTER TABLE ONLY public.patterns FORCE ROW LEVEL SECURITY;


--
-- Name: pii_vault; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pii_vault (
    org_id uuid NOT NULL,
    token text NOT NULL,
    conversation_id uuid NOT NULL,
    kind text NOT NULL,
    secret bytea NOT NULL,
    vaulted_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.pii_vault FORCE ROW LEVEL SECURITY;


--
-- Name: procrastinate_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_events (
    id bigint NOT NULL,
    job_id bigint NOT NULL,
    type public.procrastinate_job_event_type,
    at timestamp with time zone DEFAULT now()
);


--
-- Name: procrastinate_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_events_id_seq OWNED BY public.procrastinate_events.id;


--
-- Name: procrastinate_jobs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_jobs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_jobs_id_seq OWNED BY public.procrastinate_jobs.id;


--
-- Name: procrastinate_periodic_defers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_periodic_defers (
    id bigint NOT NULL,
    task_name character varying(128) NOT NULL,
    defer_timestamp bigint,
    job_id bigint,
    periodic_id character varying(128) DEFAULT ''::character varying NOT NULL
);


--
-- Name: procrastinate_periodic_defers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_periodic_defers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_periodic_defers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_periodic_defers_id_seq OWNED BY public.procrastinate_periodic_defers.id;


--
-- Name: procrastinate_workers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_workers (
    id bigint NOT NULL,
    last_heartbeat timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: procrastinate_workers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.procrastinate_workers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.procrastinate_workers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: prompt_variants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.prompt_variants (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    agent text NOT NULL,
    name text NOT NULL,
    template text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    weight double precision DEFAULT 1 NOT NULL,
    paused_reason text,
    paused_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT prompt_variants_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text]))),
    CONSTRAINT prompt_variants_weight_check CHECK ((weight >= (0)::double precision))
);

ALTER TABLE ONLY public.prompt_variants FORCE ROW LEVEL SECURITY;


--
-- Name: retention_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.retention_runs (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    trigger text NOT NULL,
    actor text,
    policies jsonb NOT NULL,
    removed jsonb DEFAULT '{}'::jsonb NOT NULL,
    started_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    finished_at timestamp with time zone,
    error text,
    CONSTRAINT retention_runs_trigger_check CHECK ((trigger = ANY (ARRAY['schedule'::text, 'request'::text])))
);

ALTER TABLE ONLY public.retention_runs FORCE ROW LEVEL SECURITY;


--
-- Name: search_terms; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_terms (
    org_id uuid NOT NULL,
    table_name text NOT NULL,
    lexeme text NOT NULL,
    df bigint NOT NULL,
    counted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT search_terms_df_check CHECK ((df >= 0)),
    CONSTRAINT search_terms_table_name_check CHECK ((table_name = ANY (ARRAY['messages'::text, 'memories'::text, 'knowledge_chunks'::text])))
);

ALTER TABLE ONLY public.search_terms FORCE ROW LEVEL SECURITY;


--
-- Name: stage_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stage_transitions (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    from_stage text NOT NULL,
    to_stage text NOT NULL,
    from_agent text,
    to_agent text,
    actor text NOT NULL,
    reason text,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY public.stage_transitions FORCE ROW LEVEL SECURITY;


--
-- Name: trigger_firings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.trigger_firings (
    org_id uuid NOT NULL,
    trigger_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    cause text NOT NULL,
    follow_up_id uuid,
    fired_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.trigger_firings FORCE ROW LEVEL SECURITY;


--
-- Name: triggers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.triggers (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    after text NOT NULL,
    filter jsonb DEFAULT '{}'::jsonb NOT NULL,
    event jsonb,
    reason text,
    agent text,
    status text DEFAULT 'active'::text NOT NULL,
    last_run_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT triggers_after_check CHECK ((after ~ '^[1-9][0-9]{0,4}[mhdw]$'::text)),
    CONSTRAINT triggers_kind_check CHECK ((kind = ANY (ARRAY['read_no_reply'::text, 'no_inbound'::text, 'qualified_no_closing'::text, 'custom'::text]))),
    CONSTRAINT triggers_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text])))
);

ALTER TABLE ONLY public.triggers FORCE ROW LEVEL SECURITY;


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    org_id uuid NOT NULL,
    id uuid DEFAULT public.rapport_uuid7() NOT NULL,
    external_id text,
    email text NOT NULL,
    name text,
    role text DEFAULT 'operator'::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'operator'::text, 'viewer'::text])))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;


--
-- Name: variant_funnel; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.variant_funnel (
    org_id uuid NOT NULL,
    variant_id text NOT NULL,
    status text NOT NULL,
    id bigint NOT NULL,
    messages bigint NOT NULL
);

ALTER TABLE ONLY public.variant_funnel FORCE ROW LEVEL SECURITY;


--
-- Name: variant_funnel_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.variant_funnel ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.variant_funnel_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: procrastinate_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_events_id_seq'::regclass);


--
-- Name: procrastinate_jobs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_jobs_id_seq'::regclass);


--
-- Name: procrastinate_periodic_defers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_periodic_defers_id_seq'::regclass);


--
-- Name: agent_states agent_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_states
    ADD CONSTRAINT agent_states_pkey PRIMARY KEY (org_id, agent_id, subject_id);


--
-- Name: agents agents_org_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_org_id_name_key UNIQUE (org_id, name);


--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (org_id, id);


--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (org_id, id);


--
-- Name: api_keys api_keys_secret_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_secret_hash_key UNIQUE (secret_hash);


--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (org_id, id);


--
-- Name: availability availability_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.availability
    ADD CONSTRAINT availability_pkey PRIMARY KEY (org_id, closer);


--
-- Name: call_tallies call_tallies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.call_tallies
    ADD CONSTRAINT call_tallies_pkey PRIMARY KEY (org_id, day, id);


--
-- Name: calls calls_org_id_contact_id_start_time_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.calls
    ADD CONSTRAINT calls_org_id_contact_id_start_time_key UNIQUE (org_id, contact_id, start_time);


--
-- Name: calls calls_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.calls
    ADD CONSTRAINT calls_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: calls calls_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.calls
    ADD CONSTRAINT calls_pkey PRIMARY KEY (org_id, id);


--
-- Name: change_heads change_heads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change_heads
    ADD CONSTRAINT change_heads_pkey PRIMARY KEY (org_id);


--
-- Name: changes changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.changes
    ADD CONSTRAINT changes_pkey PRIMARY KEY (org_id, id);


--
-- Name: contact_facet_tallies contact_facet_tallies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contact_facet_tallies
    ADD CONSTRAINT contact_facet_tallies_pkey PRIMARY KEY (org_id, facet, id);


--
-- Name: contacts contacts_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: contacts contacts_org_id_instagram_handle_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_org_id_instagram_handle_key UNIQUE (org_id, instagram_handle);


--
-- Name: contacts contacts_org_id_phone_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_org_id_phone_key UNIQUE (org_id, phone);


--
-- Name: contacts contacts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_pkey PRIMARY KEY (org_id, id);


--
-- Name: conversation_tallies conversation_tallies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_tallies
    ADD CONSTRAINT conversation_tallies_pkey PRIMARY KEY (org_id, sales_stage, status, current_agent, stripe);


--
-- Name: conversations conversations_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (org_id, id);


--
-- Name: enrich_inflight enrich_inflight_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enrich_inflight
    ADD CONSTRAINT enrich_inflight_pkey PRIMARY KEY (batch, org_id, conversation_id);


--
-- Name: erasures erasures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasures
    ADD CONSTRAINT erasures_pkey PRIMARY KEY (org_id, id);


--
-- Name: event_keys event_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_keys
    ADD CONSTRAINT event_keys_pkey PRIMARY KEY (org_id, external_id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (org_id, at, id);


--
-- Name: experiment_assignments experiment_assignments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.experiment_assignments
    ADD CONSTRAINT experiment_assignments_pkey PRIMARY KEY (org_id, experiment_id, contact_id);


--
-- Name: experiments experiments_org_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.experiments
    ADD CONSTRAINT experiments_org_id_name_key UNIQUE (org_id, name);


--
-- Name: experiments experiments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.experiments
    ADD CONSTRAINT experiments_pkey PRIMARY KEY (org_id, id);


--
-- Name: extraction_examples extraction_examples_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.extraction_examples
    ADD CONSTRAINT extraction_examples_pkey PRIMARY KEY (org_id, id);


--
-- Name: extraction_models extraction_models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.extraction_models
    ADD CONSTRAINT extraction_models_pkey PRIMARY KEY (org_id);


--
-- Name: feedback feedback_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: feedback feedback_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_pkey PRIMARY KEY (org_id, id);


--
-- Name: follow_ups follow_ups_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: follow_ups follow_ups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_pkey PRIMARY KEY (org_id, id);


--
-- Name: identity_events identity_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_events
    ADD CONSTRAINT identity_events_pkey PRIMARY KEY (event_id);


--
-- Name: interaction_summaries interaction_summaries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interaction_summaries
    ADD CONSTRAINT interaction_summaries_pkey PRIMARY KEY (org_id, contact_id);


--
-- Name: knowledge_chunks knowledge_chunks_org_id_document_id_position_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_chunks
    ADD CONSTRAINT knowledge_chunks_org_id_document_id_position_key UNIQUE (org_id, document_id, "position");


--
-- Name: knowledge_chunks knowledge_chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_chunks
    ADD CONSTRAINT knowledge_chunks_pkey PRIMARY KEY (org_id, id);


--
-- Name: knowledge_documents knowledge_documents_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_documents
    ADD CONSTRAINT knowledge_documents_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: knowledge_documents knowledge_documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_documents
    ADD CONSTRAINT knowledge_documents_pkey PRIMARY KEY (org_id, id);


--
-- Name: learning_daily learning_daily_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_daily
    ADD CONSTRAINT learning_daily_pkey PRIMARY KEY (org_id, day);


--
-- Name: legal_holds legal_holds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.legal_holds
    ADD CONSTRAINT legal_holds_pkey PRIMARY KEY (org_id, id);


--
-- Name: memories memories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_pkey PRIMARY KEY (org_id, id);


--
-- Name: message_status message_status_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_status
    ADD CONSTRAINT message_status_pkey PRIMARY KEY (org_id, message_id);


--
-- Name: messages messages_org_id_conversation_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_org_id_conversation_id_external_id_key UNIQUE (org_id, conversation_id, external_id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (org_id, id);


--
-- Name: objections objections_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.objections
    ADD CONSTRAINT objections_pkey PRIMARY KEY (org_id, id);


--
-- Name: orgs orgs_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_external_id_key UNIQUE (external_id);


--
-- Name: orgs orgs_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_name_key UNIQUE (name);


--
-- Name: orgs orgs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgs
    ADD CONSTRAINT orgs_pkey PRIMARY KEY (org_id);


--
-- Name: pattern_edges pattern_edges_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pattern_edges
    ADD CONSTRAINT pattern_edges_pkey PRIMARY KEY (org_id, conversation_id, pattern_id);


--
-- Name: pattern_tallies pattern_tallies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pattern_tallies
    ADD CONSTRAINT pattern_tallies_pkey PRIMARY KEY (org_id, pattern_id, outcome, id);


--
-- Name: patterns patterns_org_id_type_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patterns
    ADD CONSTRAINT patterns_org_id_type_name_key UNIQUE (org_id, type, name);


--
-- Name: patterns patterns_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patterns
    ADD CONSTRAINT patterns_pkey PRIMARY KEY (org_id, id);


--
-- Name: pii_vault pii_vault_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pii_vault
    ADD CONSTRAINT pii_vault_pkey PRIMARY KEY (org_id, token);


--
-- Name: procrastinate_events procrastinate_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events
    ADD CONSTRAINT procrastinate_events_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_jobs procrastinate_jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs
    ADD CONSTRAINT procrastinate_jobs_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_unique UNIQUE (task_name, periodic_id, defer_timestamp);


--
-- Name: procrastinate_workers procrastinate_workers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_workers
    ADD CONSTRAINT procrastinate_workers_pkey PRIMARY KEY (id);


--
-- Name: prompt_variants prompt_variants_org_id_agent_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prompt_variants
    ADD CONSTRAINT prompt_variants_org_id_agent_name_key UNIQUE (org_id, agent, name);


--
-- Name: prompt_variants prompt_variants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prompt_variants
    ADD CONSTRAINT prompt_variants_pkey PRIMARY KEY (org_id, id);


--
-- Name: retention_runs retention_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.retention_runs
    ADD CONSTRAINT retention_runs_pkey PRIMARY KEY (org_id, id);


--
-- Name: search_terms search_terms_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_terms
    ADD CONSTRAINT search_terms_pkey PRIMARY KEY (org_id, table_name, lexeme);


--
-- Name: stage_transitions stage_transitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stage_transitions
    ADD CONSTRAINT stage_transitions_pkey PRIMARY KEY (org_id, id);


--
-- Name: trigger_firings trigger_firings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trigger_firings
    ADD CONSTRAINT trigger_firings_pkey PRIMARY KEY (org_id, trigger_id, conversation_id, cause);


--
-- Name: triggers triggers_org_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_org_id_name_key UNIQUE (org_id, name);


--
-- Name: triggers triggers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.triggers
    ADD CONSTRAINT triggers_pkey PRIMARY KEY (org_id, id);


--
-- Name: users users_org_id_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_org_id_email_key UNIQUE (org_id, email);


--
-- Name: users users_org_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_org_id_external_id_key UNIQUE (org_id, external_id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (org_id, id);


--
-- Name: variant_funnel variant_funnel_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.variant_funnel
    ADD CONSTRAINT variant_funnel_pkey PRIMARY KEY (org_id, variant_id, status, id);


--
-- Name: agent_states_age_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_age_idx ON public.agent_states USING btree (org_id, updated_at);


--
-- Name: agent_states_agent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_agent_idx ON public.agent_states USING btree (agent_id);


--
-- Name: agent_states_subject_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_states_subject_idx ON public.agent_states USING btree (org_id, subject_id);


--
-- Name: agents_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_id_idx ON public.agents USING btree (id);


--
-- Name: agents_public_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_public_idx ON public.agents USING btree (name) WHERE (visibility = 'public'::text);


--
-- Name: agents_shared_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agents_shared_idx ON public.agents USING gin (shared_with jsonb_path_ops);


--
-- Name: audit_events_action_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_action_idx ON public.audit_events USING btree (org_id, action, at DESC);


--
-- Name: audit_events_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_recent_idx ON public.audit_events USING btree (org_id, at DESC);


--
-- Name: calls_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX calls_conversation_idx ON public.calls USING btree (org_id, conversation_id, start_time DESC) WHERE (conversation_id IS NOT NULL);


--
-- Name: calls_engagement_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX calls_engagement_idx ON public.calls USING btree (org_id, engagement_score DESC);


--
-- Name: calls_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX calls_outcome_idx ON public.calls USING btree (org_id, outcome, start_time DESC);


--
-- Name: calls_start_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX calls_start_idx ON public.calls USING btree (org_id, start_time DESC);


--
-- Name: changes_age_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX changes_age_idx ON public.changes USING btree (at);


--
-- Name: changes_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX changes_seq_idx ON public.changes USING btree (org_id, seq) WHERE (seq IS NOT NULL);


--
-- Name: contacts_channels_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_channels_idx ON public.contacts USING gin (channels);


--
-- Name: contacts_email_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_email_idx ON public.contacts USING btree (org_id, email);


--
-- Name: contacts_industry_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_industry_idx ON public.contacts USING btree (org_id, industry);


--
-- Name: contacts_keywords_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_keywords_idx ON public.contacts USING gin (keywords);


--
-- Name: contacts_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_recent_idx ON public.contacts USING btree (org_id, created_at DESC);


--
-- Name: contacts_stage_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_stage_idx ON public.contacts USING btree (org_id, sales_stage);


--
-- Name: contacts_tags_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contacts_tags_idx ON public.contacts USING gin (tags jsonb_path_ops);


--
-- Name: conversations_agent_workload_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_agent_workload_idx ON public.conversations USING btree (org_id, current_agent, status, updated_at DESC);


--
-- Name: conversations_channel_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_channel_idx ON public.conversations USING btree (org_id, channel);


--
-- Name: conversations_completed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_completed_idx ON public.conversations USING btree (org_id, completed_at) WHERE (completed_at IS NOT NULL);


--
-- Name: conversations_contact_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_contact_recent_idx ON public.conversations USING btree (org_id, contact_id, updated_at DESC);


--
-- Name: conversations_contact_start_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_contact_start_idx ON public.conversations USING btree (org_id, contact_id, start_time DESC);


--
-- Name: conversations_follow_up_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_follow_up_idx ON public.conversations USING btree (org_id, follow_up_scheduled_date) WHERE follow_up_required;


--
-- Name: conversations_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_outcome_idx ON public.conversations USING btree (org_id, contact_id) INCLUDE (is_qualified, sales_stage) WHERE (is_qualified OR (sales_stage = 'won'::text));


--
-- Name: conversations_pipeline_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_pipeline_idx ON public.conversations USING btree (org_id, sales_stage, status, updated_at DESC);


--
-- Name: conversations_qualified_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_qualified_idx ON public.conversations USING btree (org_id, qualified_at) WHERE (is_qualified AND (sales_stage = ANY (ARRAY['qualification'::text, 'objection_handling'::text])));


--
-- Name: conversations_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_recent_idx ON public.conversations USING btree (org_id, created_at DESC);


--
-- Name: conversations_silent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_silent_idx ON public.conversations USING btree (org_id, COALESCE(last_inbound_at, start_time)) WHERE (status = 'active'::text);


--
-- Name: conversations_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_started_idx ON public.conversations USING btree (org_id, start_time);


--
-- Name: enrich_inflight_contact; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enrich_inflight_contact ON public.enrich_inflight USING btree (org_id, contact_id);


--
-- Name: enrich_inflight_conversation; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enrich_inflight_conversation ON public.enrich_inflight USING btree (org_id, conversation_id);


--
-- Name: erasures_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX erasures_contact_idx ON public.erasures USING btree (org_id, contact_id);


--
-- Name: events_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_contact_idx ON ONLY public.events USING btree (org_id, contact_id) WHERE (conversation_id IS NULL);


--
-- Name: events_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_conversation_idx ON ONLY public.events USING btree (org_id, conversation_id, at);


--
-- Name: events_message_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_message_idx ON ONLY public.events USING btree (org_id, message_id, at) WHERE (message_id IS NOT NULL);


--
-- Name: experiment_assignments_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX experiment_assignments_contact_idx ON public.experiment_assignments USING btree (org_id, contact_id, assigned_at DESC);


--
-- Name: experiment_assignments_variant_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX experiment_assignments_variant_idx ON public.experiment_assignments USING btree (org_id, experiment_id, variant_id);


--
-- Name: extraction_examples_message_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX extraction_examples_message_idx ON public.extraction_examples USING btree (org_id, message_id) WHERE (message_id IS NOT NULL);


--
-- Name: extraction_examples_text_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX extraction_examples_text_idx ON public.extraction_examples USING btree (org_id, md5(text));


--
-- Name: feedback_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_conversation_idx ON public.feedback USING btree (org_id, conversation_id, created_at);


--
-- Name: feedback_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_created_idx ON public.feedback USING btree (org_id, created_at);


--
-- Name: follow_ups_agent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_agent_idx ON public.follow_ups USING btree (org_id, agent, due_at) WHERE (status = 'scheduled'::text);


--
-- Name: follow_ups_all_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_all_idx ON public.follow_ups USING btree (org_id, conversation_id, created_at);


--
-- Name: follow_ups_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_conversation_idx ON public.follow_ups USING btree (org_id, conversation_id, due_at) WHERE (status = 'scheduled'::text);


--
-- Name: follow_ups_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_due_idx ON public.follow_ups USING btree (org_id, due_at) WHERE (status = 'scheduled'::text);


--
-- Name: follow_ups_waiting_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_waiting_idx ON public.follow_ups USING btree (org_id, conversation_id) WHERE ((status = 'scheduled'::text) AND cancel_on_reply);


--
-- Name: idx_procrastinate_jobs_worker_not_null; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_procrastinate_jobs_worker_not_null ON public.procrastinate_jobs USING btree (worker_id) WHERE ((worker_id IS NOT NULL) AND (status = 'doing'::public.procrastinate_job_status));


--
-- Name: idx_procrastinate_workers_last_heartbeat; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_procrastinate_workers_last_heartbeat ON public.procrastinate_workers USING btree (last_heartbeat);


--
-- Name: interaction_summaries_age_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX interaction_summaries_age_idx ON public.interaction_summaries USING btree (org_id, updated_at);


--
-- Name: interaction_summaries_conversations_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX interaction_summaries_conversations_idx ON public.interaction_summaries USING btree (org_id, total_conversations DESC);


--
-- Name: knowledge_chunks_embedding_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX knowledge_chunks_embedding_idx ON public.knowledge_chunks USING hnsw (embedding public.vector_cosine_ops);


--
-- Name: knowledge_chunks_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX knowledge_chunks_pending_idx ON public.knowledge_chunks USING btree (org_id) WHERE (embedding IS NULL);


--
-- Name: knowledge_chunks_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX knowledge_chunks_search_idx ON public.knowledge_chunks USING gin (search);


--
-- Name: knowledge_documents_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX knowledge_documents_recent_idx ON public.knowledge_documents USING btree (org_id, created_at DESC);


--
-- Name: legal_holds_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX legal_holds_contact_idx ON public.legal_holds USING btree (org_id, contact_id) WHERE (contact_id IS NOT NULL);


--
-- Name: legal_holds_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX legal_holds_conversation_idx ON public.legal_holds USING btree (org_id, conversation_id) WHERE (conversation_id IS NOT NULL);


--
-- Name: memories_chain_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_chain_idx ON public.memories USING btree (org_id, chain_id, valid_from);


--
-- Name: memories_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_contact_idx ON public.memories USING btree (org_id, contact_id, valid_from);


--
-- Name: memories_current_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX memories_current_idx ON public.memories USING btree (org_id, contact_id, key, COALESCE(agent_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE (valid_to IS NULL);


--
-- Name: memories_embedding_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_embedding_idx ON public.memories USING hnsw (embedding public.vector_cosine_ops);


--
-- Name: memories_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_pending_idx ON public.memories USING btree (org_id, created_at) WHERE (embedding IS NULL);


--
-- Name: memories_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memories_search_idx ON public.memories USING gin (search);


--
-- Name: message_status_replied_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_status_replied_idx ON public.message_status USING btree (org_id, variant_id, contact_id) WHERE ((status = 'replied'::text) AND (variant_id IS NOT NULL));


--
-- Name: message_status_waiting_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX message_status_waiting_idx ON public.message_status USING btree (org_id, status, at);


--
-- Name: messages_age_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_age_idx ON public.messages USING brin (ts);


--
-- Name: messages_contact_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_contact_ts_idx ON public.messages USING btree (org_id, contact_id, ts DESC);


--
-- Name: messages_conversation_ts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_conversation_ts_idx ON public.messages USING btree (org_id, conversation_id, ts, id);


--
-- Name: messages_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_created_idx ON public.messages USING btree (org_id, created_at);


--
-- Name: messages_embedding_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_embedding_idx ON public.messages USING hnsw (embedding public.vector_cosine_ops);


--
-- Name: messages_intent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_intent_idx ON public.messages USING btree (org_id, intent, confidence DESC) WHERE (intent IS NOT NULL);


--
-- Name: messages_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_pending_idx ON public.messages USING btree (org_id, created_at) WHERE (enriched_at IS NULL);


--
-- Name: messages_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_search_idx ON public.messages USING gin (search);


--
-- Name: messages_sent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_sent_idx ON public.messages USING btree (org_id, ts) WHERE (role = ANY (ARRAY['agent'::text, 'assistant'::text]));


--
-- Name: messages_unscrubbed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_unscrubbed_idx ON public.messages USING btree (org_id, created_at) WHERE (NOT pii_scrubbed);


--
-- Name: objections_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX objections_conversation_idx ON public.objections USING btree (org_id, conversation_id, raised_at);


--
-- Name: objections_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX objections_type_idx ON public.objections USING btree (org_id, type, resolved);


--
-- Name: pattern_edges_call_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pattern_edges_call_idx ON public.pattern_edges USING btree (org_id, call_id) WHERE (call_id IS NOT NULL);


--
-- Name: pattern_edges_contact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pattern_edges_contact_idx ON public.pattern_edges USING btree (org_id, contact_id, at);


--
-- Name: pattern_edges_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pattern_edges_outcome_idx ON public.pattern_edges USING btree (org_id, outcome, conversation_id);


--
-- Name: pattern_edges_pattern_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pattern_edges_pattern_idx ON public.pattern_edges USING btree (org_id, pattern_id, outcome);


--
-- Name: pii_vault_age_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pii_vault_age_idx ON public.pii_vault USING btree (org_id, vaulted_at);


--
-- Name: pii_vault_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pii_vault_conversation_idx ON public.pii_vault USING btree (org_id, conversation_id);


--
-- Name: procrastinate_events_job_id_fkey_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_events_job_id_fkey_v1 ON public.procrastinate_events USING btree (job_id);


--
-- Name: procrastinate_jobs_id_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_id_lock_idx_v1 ON public.procrastinate_jobs USING btree (id, lock) WHERE (status = ANY (ARRAY['todo'::public.procrastinate_job_status, 'doing'::public.procrastinate_job_status]));


--
-- Name: procrastinate_jobs_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX procrastinate_jobs_lock_idx_v1 ON public.procrastinate_jobs USING btree (lock) WHERE (status = 'doing'::public.procrastinate_job_status);


--
-- Name: procrastinate_jobs_priority_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_priority_idx_v1 ON public.procrastinate_jobs USING btree (priority DESC, id) WHERE (status = 'todo'::public.procrastinate_job_status);


--
-- Name: procrastinate_jobs_queue_name_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_queue_name_idx_v1 ON public.procrastinate_jobs USING btree (queue_name);


--
-- Name: procrastinate_jobs_queueing_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX procrastinate_jobs_queueing_lock_idx_v1 ON public.procrastinate_jobs USING btree (queueing_lock) WHERE (status = 'todo'::public.procrastinate_job_status);


--
-- Name: procrastinate_periodic_defers_job_id_fkey_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_periodic_defers_job_id_fkey_v1 ON public.procrastinate_periodic_defers USING btree (job_id);


--
-- Name: retention_runs_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX retention_runs_recent_idx ON public.retention_runs USING btree (org_id, started_at DESC);


--
-- Name: stage_transitions_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX stage_transitions_conversation_idx ON public.stage_transitions USING btree (org_id, conversation_id, at);


--
-- Name: trigger_firings_conversation_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX trigger_firings_conversation_idx ON public.trigger_firings USING btree (org_id, conversation_id);


--
-- Name: agents agents_forget_states; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER agents_forget_states AFTER DELETE ON public.agents FOR EACH ROW EXECUTE FUNCTION public.rapport_forget_agent_states();


--
-- Name: calls calls_counted_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_counted_delete AFTER DELETE ON public.calls REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_calls();


--
-- Name: calls calls_counted_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_counted_insert AFTER INSERT ON public.calls REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_calls();


--
-- Name: calls calls_counted_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_counted_update AFTER UPDATE OF start_time, closer, closer_available, transfer_attempted, transfer_successful, engagement_score ON public.calls FOR EACH ROW WHEN (((old.start_time IS DISTINCT FROM new.start_time) OR (old.closer IS DISTINCT FROM new.closer) OR (old.closer_available IS DISTINCT FROM new.closer_available) OR (old.transfer_attempted IS DISTINCT FROM new.transfer_attempted) OR (old.transfer_successful IS DISTINCT FROM new.transfer_successful) OR (old.engagement_score IS DISTINCT FROM new.engagement_score))) EXECUTE FUNCTION public.rapport_count_calls();


--
-- Name: calls calls_patterns_added; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_patterns_added AFTER INSERT ON public.calls REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_patterns_of_statement();


--
-- Name: calls calls_patterns_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_patterns_changed AFTER UPDATE OF outcome, engagement_score, phase_reached, transfer_attempted, closer, learning_patterns, conversation_id ON public.calls FOR EACH ROW WHEN (((old.outcome IS DISTINCT FROM new.outcome) OR (old.engagement_score IS DISTINCT FROM new.engagement_score) OR (old.phase_reached IS DISTINCT FROM new.phase_reached) OR (old.transfer_attempted IS DISTINCT FROM new.transfer_attempted) OR (old.closer IS DISTINCT FROM new.closer) OR (old.learning_patterns IS DISTINCT FROM new.learning_patterns) OR (old.conversation_id IS DISTINCT FROM new.conversation_id))) EXECUTE FUNCTION public.rapport_patterns_of_row();


--
-- Name: calls calls_patterns_removed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_patterns_removed AFTER DELETE ON public.calls REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_patterns_of_statement();


--
-- Name: calls calls_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_published_delete AFTER DELETE ON public.calls REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: calls calls_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_published_insert AFTER INSERT ON public.calls REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: calls calls_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER calls_published_update AFTER UPDATE ON public.calls REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: changes changes_numbered; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER changes_numbered AFTER INSERT ON public.changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.rapport_number_change();


--
-- Name: contacts contacts_facets_counted_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_facets_counted_delete AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_facets();


--
-- Name: contacts contacts_facets_counted_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_facets_counted_insert AFTER INSERT ON public.contacts REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_facets();


--
-- Name: contacts contacts_facets_counted_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_facets_counted_update AFTER UPDATE OF industry, company_size, job_title, sales_stage, channels, keywords ON public.contacts FOR EACH ROW WHEN (((old.industry IS DISTINCT FROM new.industry) OR (old.company_size IS DISTINCT FROM new.company_size) OR (old.job_title IS DISTINCT FROM new.job_title) OR (old.sales_stage IS DISTINCT FROM new.sales_stage) OR (old.channels IS DISTINCT FROM new.channels) OR (old.keywords IS DISTINCT FROM new.keywords))) EXECUTE FUNCTION public.rapport_count_facets();


--
-- Name: contacts contacts_forget_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_forget_events AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_forget_events();


--
-- Name: contacts contacts_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_published_delete AFTER DELETE ON public.contacts REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: contacts contacts_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_published_insert AFTER INSERT ON public.contacts REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: contacts contacts_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contacts_published_update AFTER UPDATE ON public.contacts REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: conversations conversations_completed_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_completed_at BEFORE INSERT OR UPDATE OF status ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.rapport_stamp_completed();


--
-- Name: conversations conversations_facets_added; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_facets_added AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_contact_facets_of_statement();


--
-- Name: conversations conversations_facets_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_facets_changed AFTER UPDATE OF sales_stage, channel, start_time, contact_id ON public.conversations FOR EACH ROW WHEN (((old.sales_stage IS DISTINCT FROM new.sales_stage) OR (old.channel IS DISTINCT FROM new.channel) OR (old.start_time IS DISTINCT FROM new.start_time) OR (old.contact_id IS DISTINCT FROM new.contact_id))) EXECUTE FUNCTION public.rapport_contact_facets_of_row();


--
-- Name: conversations conversations_facets_removed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_facets_removed AFTER DELETE ON public.conversations REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_contact_facets_of_statement();


--
-- Name: conversations conversations_follow_up_created; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_follow_up_created AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_conversations_follow_ups();


--
-- Name: conversations conversations_follow_up_written; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_follow_up_written AFTER UPDATE OF follow_up_required, follow_up_scheduled_date, follow_up_reason, follow_up_notes, follow_up_reminder_sent ON public.conversations FOR EACH ROW WHEN (((old.follow_up_required IS DISTINCT FROM new.follow_up_required) OR (old.follow_up_scheduled_date IS DISTINCT FROM new.follow_up_scheduled_date) OR (old.follow_up_reason IS DISTINCT FROM new.follow_up_reason) OR (old.follow_up_notes IS DISTINCT FROM new.follow_up_notes) OR (old.follow_up_reminder_sent IS DISTINCT FROM new.follow_up_reminder_sent))) EXECUTE FUNCTION public.rapport_conversation_follow_up();


--
-- Name: conversations conversations_forget_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_forget_events AFTER DELETE ON public.conversations REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_forget_events();


--
-- Name: conversations conversations_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_published_delete AFTER DELETE ON public.conversations REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: conversations conversations_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_published_insert AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: conversations conversations_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_published_update AFTER UPDATE ON public.conversations REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: conversations conversations_qualify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_qualify BEFORE INSERT OR UPDATE OF qualification_score ON public.conversations FOR EACH ROW WHEN ((new.qualification_score IS NOT NULL)) EXECUTE FUNCTION public.rapport_qualify();


--
-- Name: conversations conversations_record_transition; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_record_transition AFTER UPDATE OF sales_stage, current_agent ON public.conversations FOR EACH ROW WHEN (((old.sales_stage IS DISTINCT FROM new.sales_stage) OR (old.current_agent IS DISTINCT FROM new.current_agent))) EXECUTE FUNCTION public.rapport_record_transition();


--
-- Name: conversations conversations_stage_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_stage_check BEFORE UPDATE OF sales_stage ON public.conversations FOR EACH ROW WHEN ((old.sales_stage IS DISTINCT FROM new.sales_stage)) EXECUTE FUNCTION public.rapport_check_stage();


--
-- Name: conversations conversations_stamp_qualified; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_stamp_qualified BEFORE INSERT OR UPDATE OF is_qualified, qualification_score ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.rapport_stamp_qualified();


--
-- Name: conversations conversations_tally_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_tally_delete AFTER DELETE ON public.conversations REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_tally_removed();


--
-- Name: conversations conversations_tally_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_tally_insert AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_tally_added();


--
-- Name: conversations conversations_tally_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_tally_update AFTER UPDATE OF sales_stage, status, current_agent ON public.conversations FOR EACH ROW WHEN (((old.sales_stage IS DISTINCT FROM new.sales_stage) OR (old.status IS DISTINCT FROM new.status) OR (old.current_agent IS DISTINCT FROM new.current_agent))) EXECUTE FUNCTION public.rapport_tally_moved();


--
-- Name: conversations conversations_track_patterns; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_track_patterns AFTER UPDATE OF sales_stage, is_qualified, current_agent ON public.conversations FOR EACH ROW WHEN (((old.sales_stage IS DISTINCT FROM new.sales_stage) OR (old.is_qualified IS DISTINCT FROM new.is_qualified) OR (old.current_agent IS DISTINCT FROM new.current_agent))) EXECUTE FUNCTION public.rapport_patterns_of_row();


--
-- Name: events events_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_published_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: events events_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_published_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: events events_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_published_update AFTER UPDATE ON public.events REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: experiments experiments_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER experiments_published_delete AFTER DELETE ON public.experiments REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: experiments experiments_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER experiments_published_insert AFTER INSERT ON public.experiments REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: experiments experiments_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER experiments_published_update AFTER UPDATE ON public.experiments REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: follow_ups follow_ups_closed_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_closed_at BEFORE INSERT OR UPDATE OF status ON public.follow_ups FOR EACH ROW EXECUTE FUNCTION public.rapport_stamp_follow_up();


--
-- Name: follow_ups follow_ups_mirror; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_mirror AFTER DELETE OR UPDATE OF due_at, reason, notes, status, reminder_sent ON public.follow_ups FOR EACH ROW EXECUTE FUNCTION public.rapport_follow_up_changed();


--
-- Name: follow_ups follow_ups_mirror_added; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_mirror_added AFTER INSERT ON public.follow_ups REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_follow_ups_added();


--
-- Name: follow_ups follow_ups_patterns_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_patterns_changed AFTER UPDATE OF status ON public.follow_ups FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) AND (('done'::text = old.status) OR ('done'::text = new.status)))) EXECUTE FUNCTION public.rapport_patterns_of_row();


--
-- Name: follow_ups follow_ups_patterns_removed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_patterns_removed AFTER DELETE ON public.follow_ups REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_patterns_of_statement();


--
-- Name: follow_ups follow_ups_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_published_delete AFTER DELETE ON public.follow_ups REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: follow_ups follow_ups_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_published_insert AFTER INSERT ON public.follow_ups REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: follow_ups follow_ups_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_published_update AFTER UPDATE ON public.follow_ups REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: memories memories_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_published_delete AFTER DELETE ON public.memories REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: memories memories_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_published_insert AFTER INSERT ON public.memories REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: memories memories_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER memories_published_update AFTER UPDATE ON public.memories REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: message_status message_status_counted_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER message_status_counted_delete AFTER DELETE ON public.message_status REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_statuses();


--
-- Name: message_status message_status_counted_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER message_status_counted_insert AFTER INSERT ON public.message_status REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_statuses();


--
-- Name: message_status message_status_counted_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER message_status_counted_update AFTER UPDATE ON public.message_status REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_statuses();


--
-- Name: messages messages_cancel_follow_ups; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_cancel_follow_ups AFTER INSERT ON public.messages REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_cancel_on_reply();


--
-- Name: messages messages_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_published_delete AFTER DELETE ON public.messages REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: messages messages_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_published_insert AFTER INSERT ON public.messages REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: messages messages_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_published_update AFTER UPDATE ON public.messages REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: messages messages_record_replies; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER messages_record_replies AFTER INSERT ON public.messages REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_record_replies();


--
-- Name: objections objections_patterns_added; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_patterns_added AFTER INSERT ON public.objections REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_patterns_of_statement();


--
-- Name: objections objections_patterns_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_patterns_changed AFTER UPDATE OF type, resolved, resolved_at ON public.objections FOR EACH ROW WHEN (((old.type IS DISTINCT FROM new.type) OR (old.resolved IS DISTINCT FROM new.resolved) OR (old.resolved_at IS DISTINCT FROM new.resolved_at))) EXECUTE FUNCTION public.rapport_patterns_of_row();


--
-- Name: objections objections_patterns_removed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_patterns_removed AFTER DELETE ON public.objections REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_patterns_of_statement();


--
-- Name: objections objections_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_published_delete AFTER DELETE ON public.objections REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: objections objections_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_published_insert AFTER INSERT ON public.objections REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: objections objections_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_published_update AFTER UPDATE ON public.objections REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: objections objections_resolved_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER objections_resolved_at BEFORE INSERT OR UPDATE OF resolved ON public.objections FOR EACH ROW EXECUTE FUNCTION public.rapport_stamp_resolved();


--
-- Name: pattern_edges pattern_edges_counted_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pattern_edges_counted_delete AFTER DELETE ON public.pattern_edges REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_patterns();


--
-- Name: pattern_edges pattern_edges_counted_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pattern_edges_counted_insert AFTER INSERT ON public.pattern_edges REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_patterns();


--
-- Name: pattern_edges pattern_edges_counted_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER pattern_edges_counted_update AFTER UPDATE ON public.pattern_edges REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_count_patterns();


--
-- Name: procrastinate_jobs procrastinate_jobs_notify_queue_job_aborted_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_jobs_notify_queue_job_aborted_v1 AFTER UPDATE OF abort_requested ON public.procrastinate_jobs FOR EACH ROW WHEN (((old.abort_requested = false) AND (new.abort_requested = true) AND (new.status = 'doing'::public.procrastinate_job_status))) EXECUTE FUNCTION public.procrastinate_notify_queue_abort_job_v1();


--
-- Name: procrastinate_jobs procrastinate_jobs_notify_queue_job_inserted_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_jobs_notify_queue_job_inserted_v1 AFTER INSERT ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.status = 'todo'::public.procrastinate_job_status)) EXECUTE FUNCTION public.procrastinate_notify_queue_job_inserted_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_abort_requested_events_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_abort_requested_events_v1 AFTER UPDATE OF abort_requested ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.abort_requested = true)) EXECUTE FUNCTION public.procrastinate_trigger_abort_requested_events_procedure_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_delete_jobs_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_delete_jobs_v1 BEFORE DELETE ON public.procrastinate_jobs FOR EACH ROW EXECUTE FUNCTION public.procrastinate_unlink_periodic_defers_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_scheduled_events_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_scheduled_events_v1 AFTER INSERT OR UPDATE ON public.procrastinate_jobs FOR EACH ROW WHEN (((new.scheduled_at IS NOT NULL) AND (new.status = 'todo'::public.procrastinate_job_status))) EXECUTE FUNCTION public.procrastinate_trigger_function_scheduled_events_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_status_events_insert_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_status_events_insert_v1 AFTER INSERT ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.status = 'todo'::public.procrastinate_job_status)) EXECUTE FUNCTION public.procrastinate_trigger_function_status_events_insert_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_status_events_update_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_status_events_update_v1 AFTER UPDATE OF status ON public.procrastinate_jobs FOR EACH ROW EXECUTE FUNCTION public.procrastinate_trigger_function_status_events_update_v1();


--
-- Name: prompt_variants prompt_variants_published_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER prompt_variants_published_delete AFTER DELETE ON public.prompt_variants REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: prompt_variants prompt_variants_published_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER prompt_variants_published_insert AFTER INSERT ON public.prompt_variants REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: prompt_variants prompt_variants_published_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER prompt_variants_published_update AFTER UPDATE ON public.prompt_variants REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION public.rapport_publish_changes();


--
-- Name: agents agents_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: api_keys api_keys_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: api_keys api_keys_org_id_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_org_id_user_id_fkey FOREIGN KEY (org_id, user_id) REFERENCES public.users(org_id, id) ON DELETE SET NULL (user_id);


--
-- Name: audit_events audit_events_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: availability availability_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.availability
    ADD CONSTRAINT availability_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: calls calls_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.calls
    ADD CONSTRAINT calls_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: calls calls_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.calls
    ADD CONSTRAINT calls_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE SET NULL (conversation_id);


--
-- Name: contacts contacts_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contacts
    ADD CONSTRAINT contacts_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: conversation_tallies conversation_tallies_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversation_tallies
    ADD CONSTRAINT conversation_tallies_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: conversations conversations_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: erasures erasures_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasures
    ADD CONSTRAINT erasures_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: experiment_assignments experiment_assignments_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.experiment_assignments
    ADD CONSTRAINT experiment_assignments_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: experiment_assignments experiment_assignments_org_id_experiment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.experiment_assignments
    ADD CONSTRAINT experiment_assignments_org_id_experiment_id_fkey FOREIGN KEY (org_id, experiment_id) REFERENCES public.experiments(org_id, id) ON DELETE CASCADE;


--
-- Name: extraction_examples extraction_examples_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.extraction_examples
    ADD CONSTRAINT extraction_examples_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: extraction_examples extraction_examples_org_id_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.extraction_examples
    ADD CONSTRAINT extraction_examples_org_id_message_id_fkey FOREIGN KEY (org_id, message_id) REFERENCES public.messages(org_id, id) ON DELETE CASCADE;


--
-- Name: extraction_models extraction_models_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.extraction_models
    ADD CONSTRAINT extraction_models_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: feedback feedback_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: feedback feedback_org_id_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_org_id_message_id_fkey FOREIGN KEY (org_id, message_id) REFERENCES public.messages(org_id, id) ON DELETE SET NULL (message_id);


--
-- Name: follow_ups follow_ups_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: interaction_summaries interaction_summaries_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.interaction_summaries
    ADD CONSTRAINT interaction_summaries_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: knowledge_chunks knowledge_chunks_org_id_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_chunks
    ADD CONSTRAINT knowledge_chunks_org_id_document_id_fkey FOREIGN KEY (org_id, document_id) REFERENCES public.knowledge_documents(org_id, id) ON DELETE CASCADE;


--
-- Name: knowledge_documents knowledge_documents_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.knowledge_documents
    ADD CONSTRAINT knowledge_documents_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: legal_holds legal_holds_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.legal_holds
    ADD CONSTRAINT legal_holds_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: legal_holds legal_holds_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.legal_holds
    ADD CONSTRAINT legal_holds_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: legal_holds legal_holds_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.legal_holds
    ADD CONSTRAINT legal_holds_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: memories memories_org_id_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_org_id_agent_id_fkey FOREIGN KEY (org_id, agent_id) REFERENCES public.agents(org_id, id) ON DELETE CASCADE;


--
-- Name: memories memories_org_id_contact_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_org_id_contact_id_fkey FOREIGN KEY (org_id, contact_id) REFERENCES public.contacts(org_id, id) ON DELETE CASCADE;


--
-- Name: memories memories_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE SET NULL (conversation_id);


--
-- Name: memories memories_org_id_source_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memories
    ADD CONSTRAINT memories_org_id_source_message_id_fkey FOREIGN KEY (org_id, source_message_id) REFERENCES public.messages(org_id, id) ON DELETE SET NULL (source_message_id);


--
-- Name: message_status message_status_org_id_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.message_status
    ADD CONSTRAINT message_status_org_id_message_id_fkey FOREIGN KEY (org_id, message_id) REFERENCES public.messages(org_id, id) ON DELETE CASCADE;


--
-- Name: messages messages_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: objections objections_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.objections
    ADD CONSTRAINT objections_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: objections objections_org_id_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.objections
    ADD CONSTRAINT objections_org_id_message_id_fkey FOREIGN KEY (org_id, message_id) REFERENCES public.messages(org_id, id) ON DELETE SET NULL (message_id);


--
-- Name: pattern_edges pattern_edges_org_id_call_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pattern_edges
    ADD CONSTRAINT pattern_edges_org_id_call_id_fkey FOREIGN KEY (org_id, call_id) REFERENCES public.calls(org_id, id) ON DELETE SET NULL (call_id);


--
-- Name: pattern_edges pattern_edges_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pattern_edges
    ADD CONSTRAINT pattern_edges_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: pattern_edges pattern_edges_org_id_pattern_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pattern_edges
    ADD CONSTRAINT pattern_edges_org_id_pattern_id_fkey FOREIGN KEY (org_id, pattern_id) REFERENCES public.patterns(org_id, id) ON DELETE CASCADE;


--
-- Name: patterns patterns_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patterns
    ADD CONSTRAINT patterns_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: pii_vault pii_vault_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pii_vault
    ADD CONSTRAINT pii_vault_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: pii_vault pii_vault_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pii_vault
    ADD CONSTRAINT pii_vault_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: procrastinate_events procrastinate_events_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events
    ADD CONSTRAINT procrastinate_events_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.procrastinate_jobs(id) ON DELETE CASCADE;


--
-- Name: procrastinate_jobs procrastinate_jobs_worker_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs
    ADD CONSTRAINT procrastinate_jobs_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES public.procrastinate_workers(id) ON DELETE SET NULL;


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.procrastinate_jobs(id);


--
-- Name: retention_runs retention_runs_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.retention_runs
    ADD CONSTRAINT retention_runs_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: search_terms search_terms_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_terms
    ADD CONSTRAINT search_terms_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: stage_transitions stage_transitions_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stage_transitions
    ADD CONSTRAINT stage_transitions_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: trigger_firings trigger_firings_org_id_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trigger_firings
    ADD CONSTRAINT trigger_firings_org_id_conversation_id_fkey FOREIGN KEY (org_id, conversation_id) REFERENCES public.conversations(org_id, id) ON DELETE CASCADE;


--
-- Name: trigger_firings trigger_firings_org_id_trigger_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trigger_firings
    ADD CONSTRAINT trigger_firings_org_id_trigger_id_fkey FOREIGN KEY (org_id, trigger_id) REFERENCES public.triggers(org_id, id) ON DELETE CASCADE;


--
-- Name: users users_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.orgs(org_id) ON DELETE CASCADE;


--
-- Name: agent_states; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agent_states ENABLE ROW LEVEL SECURITY;

--
-- Name: agents; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_events; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;

--
-- Name: availability; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.availability ENABLE ROW LEVEL SECURITY;

--
-- Name: call_tallies; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.call_tallies ENABLE ROW LEVEL SECURITY;

--
-- Name: calls; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.calls ENABLE ROW LEVEL SECURITY;

--
-- Name: change_heads; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.change_heads ENABLE ROW LEVEL SECURITY;

--
-- Name: changes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.changes ENABLE ROW LEVEL SECURITY;

--
-- Name: contact_facet_tallies; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.contact_facet_tallies ENABLE ROW LEVEL SECURITY;

--
-- Name: contacts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.contacts ENABLE ROW LEVEL SECURITY;

--
-- Name: conversation_tallies; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversation_tallies ENABLE ROW LEVEL SECURITY;

--
-- Name: conversations; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;

--
-- Name: enrich_inflight; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.enrich_inflight ENABLE ROW LEVEL SECURITY;

--
-- Name: erasures; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.erasures ENABLE ROW LEVEL SECURITY;

--
-- Name: event_keys; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.event_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: events; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;

--
-- Name: experiment_assignments; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.experiment_assignments ENABLE ROW LEVEL SECURITY;

--
-- Name: experiments; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.experiments ENABLE ROW LEVEL SECURITY;

--
-- Name: extraction_examples; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.extraction_examples ENABLE ROW LEVEL SECURITY;

--
-- Name: extraction_models; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.extraction_models ENABLE ROW LEVEL SECURITY;

--
-- Name: feedback; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.feedback ENABLE ROW LEVEL SECURITY;

--
-- Name: follow_ups; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.follow_ups ENABLE ROW LEVEL SECURITY;

--
-- Name: interaction_summaries; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.interaction_summaries ENABLE ROW LEVEL SECURITY;

--
-- Name: knowledge_chunks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.knowledge_chunks ENABLE ROW LEVEL SECURITY;

--
-- Name: knowledge_documents; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.knowledge_documents ENABLE ROW LEVEL SECURITY;

--
-- Name: learning_daily; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.learning_daily ENABLE ROW LEVEL SECURITY;

--
-- Name: legal_holds; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.legal_holds ENABLE ROW LEVEL SECURITY;

--
-- Name: memories; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.memories ENABLE ROW LEVEL SECURITY;

--
-- Name: message_status; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.message_status ENABLE ROW LEVEL SECURITY;

--
-- Name: messages; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: objections; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.objections ENABLE ROW LEVEL SECURITY;

--
-- Name: orgs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;

--
-- Name: pattern_edges; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.pattern_edges ENABLE ROW LEVEL SECURITY;

--
-- Name: pattern_tallies; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.pattern_tallies ENABLE ROW LEVEL SECURITY;

--
-- Name: patterns; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.patterns ENABLE ROW LEVEL SECURITY;

--
-- Name: pii_vault; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.pii_vault ENABLE ROW LEVEL SECURITY;

--
-- Name: prompt_variants; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.prompt_variants ENABLE ROW LEVEL SECURITY;

--
-- Name: retention_runs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.retention_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: search_terms; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.search_terms ENABLE ROW LEVEL SECURITY;

--
-- Name: stage_transitions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.stage_transitions ENABLE ROW LEVEL SECURITY;

--
-- Name: agent_states tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.agent_states USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: agents tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.agents USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: api_keys tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.api_keys USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: audit_events tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.audit_events USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: availability tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.availability USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: call_tallies tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.call_tallies USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: calls tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.calls USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: change_heads tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.change_heads USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: changes tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.changes USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: contact_facet_tallies tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.contact_facet_tallies USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: contacts tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.contacts USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: conversation_tallies tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.conversation_tallies USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: conversations tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.conversations USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: enrich_inflight tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.enrich_inflight USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: erasures tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.erasures USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: event_keys tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.event_keys USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: events tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.events USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: experiment_assignments tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.experiment_assignments USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: experiments tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.experiments USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: extraction_examples tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.extraction_examples USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: extraction_models tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.extraction_models USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: feedback tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.feedback USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: follow_ups tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.follow_ups USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: interaction_summaries tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.interaction_summaries USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: knowledge_chunks tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.knowledge_chunks USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: knowledge_documents tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.knowledge_documents USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: learning_daily tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.learning_daily USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: legal_holds tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.legal_holds USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: memories tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.memories USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: message_status tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.message_status USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: messages tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.messages USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: objections tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.objections USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: orgs tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.orgs USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: pattern_edges tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.pattern_edges USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: pattern_tallies tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.pattern_tallies USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: patterns tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.patterns USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: pii_vault tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.pii_vault USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: prompt_variants tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.prompt_variants USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: retention_runs tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.retention_runs USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: search_terms tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.search_terms USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: stage_transitions tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.stage_transitions USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: trigger_firings tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.trigger_firings USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: triggers tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.triggers USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: users tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.users USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: variant_funnel tenant; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant ON public.variant_funnel USING ((org_id = ( SELECT public.rapport_org() AS rapport_org))) WITH CHECK ((org_id = ( SELECT public.rapport_org() AS rapport_org)));


--
-- Name: trigger_firings; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.trigger_firings ENABLE ROW LEVEL SECURITY;

--
-- Name: triggers; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.triggers ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: variant_funnel; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.variant_funnel ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--

INSERT INTO public.alembic_version (version_num) VALUES ('0023');
