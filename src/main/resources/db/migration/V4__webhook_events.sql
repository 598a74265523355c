-- Inbound webhooks: each verified event exactly as it arrived (the raw bytes, its content type and the headers its
-- signature scheme uses), once per (source, the provider's event id).
CREATE TABLE webhook_events (
    id            VARCHAR(40)  PRIMARY KEY,
    source        VARCHAR(64)  NOT NULL,
    event_id      VARCHAR(255) NOT NULL,
    event_type    VARCHAR(255),
    content_type  VARCHAR(255),
    headers       TEXT         NOT NULL,
    body          BYTEA        NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX webhook_events_source_event ON webhook_events (source, event_id);
CREATE INDEX webhook_events_listing ON webhook_events (received_at, id);
CREATE INDEX webhook_events_status ON webhook_events (status, received_at);
