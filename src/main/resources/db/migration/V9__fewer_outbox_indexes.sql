-- Fewer index entries to move for each message. A message's status changed entries in three indexes at every step
-- (queued, sending, sent): (channel, status, next_attempt_at), (status, next_attempt_at) and the due index of V8, and
-- every new message put a NULL into the provider-id index. They are replaced by one index of the messages not yet
-- finished, which a sent message leaves, and a provider-id index of the messages that have one.
--   claims: outbox_messages_due_by_channel (V8);
--   leases that ran out, a claim given back, the queue's size and oldest message per channel and status (metrics):
--     outbox_messages_unfinished (their queries name its condition, so SQLite sees that the index covers them);
--   receipts by the provider's id: outbox_messages_provider_id;
--   the messages API: outbox_messages_listing (V1); purges read the table in the order it was written.
DROP INDEX outbox_messages_claim;
DROP INDEX outbox_messages_due;
DROP INDEX outbox_messages_provider_id;
CREATE INDEX outbox_messages_unfinished ON outbox_messages (channel, status, created_at)
    WHERE status IN ('queued', 'failed', 'sending', 'dead');
CREATE INDEX outbox_messages_provider_id ON outbox_messages (provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
