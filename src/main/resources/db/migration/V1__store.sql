-- One schema for the embedded store (H2) and PostgreSQL: only types and syntax both understand.

CREATE TABLE api_keys (
    id            VARCHAR(40)  PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    role          VARCHAR(16)  NOT NULL,
    secret_hash   VARCHAR(64)  NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE,
    revoked_at    TIMESTAMP WITH TIME ZONE
);

-- The outbox carries every asynchronous delivery, whatever its channel.
CREATE TABLE outbox_messages (
    id                   VARCHAR(40)  PRIMARY KEY,
    channel              VARCHAR(20)  NOT NULL,
    status               VARCHAR(16)  NOT NULL,
    payload              TEXT         NOT NULL,
    provider             VARCHAR(40),
    provider_message_id  VARCHAR(255),
    attempts             INTEGER      NOT NULL,
    last_error           VARCHAR(2000),
    created_by           VARCHAR(100),
    next_attempt_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner          VARCHAR(64),
    lease_until          TIMESTAMP WITH TIME ZONE,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    sent_at              TIMESTAMP WITH TIME ZONE
);
CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_listing ON outbox_messages (created_at, id);

-- The primary key is what stops a second request with the same key: never a read-then-write check.
CREATE TABLE idempotency_keys (
    scope            VARCHAR(100) NOT NULL,
    idempotency_key  VARCHAR(255) NOT NULL,
    request_hash     VARCHAR(64)  NOT NULL,
    response_status  INTEGER      NOT NULL,
    response_body    TEXT         NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
