-- Each channel is claimed on its own: the claim query filters by channel first.
CREATE INDEX outbox_messages_claim ON outbox_messages (channel, status, next_attempt_at);

-- Delivery receipts after 'sent': 'delivered' or 'undelivered' (SMS status callbacks, email provider events),
-- when it happened, and the provider's own error code. A receipt finds its message by the provider's id.
ALTER TABLE outbox_messages ADD COLUMN delivered_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE outbox_messages ADD COLUMN provider_error_code VARCHAR(40);
CREATE INDEX outbox_messages_provider_id ON outbox_messages (provider, provider_message_id);
