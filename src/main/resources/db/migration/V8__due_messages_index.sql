-- The due messages of a channel in the order they are claimed. The claim asks for status IN ('queued', 'failed')
-- ORDER BY next_attempt_at: over (channel, status, next_attempt_at) that is two ranges merged and sorted, all the due
-- messages read for every claim, so the claim slowed as the backlog grew (a 70,000-message backlog drained at about
-- 280 messages/s on PostgreSQL). Over this index the claim reads the first rows and stops.
CREATE INDEX outbox_messages_due_by_channel ON outbox_messages (channel, next_attempt_at)
    WHERE status IN ('queued', 'failed');
