-- Payments: every operation sent to the payment provider, recorded before the call (pending) and completed after it,
-- with the Idempotency-Key the provider was sent, so an outcome the hub did not see is asked for again with it.
CREATE TABLE payment_operations (
    id             VARCHAR(40)  PRIMARY KEY,
    operation      VARCHAR(32)  NOT NULL,
    scope          VARCHAR(300) NOT NULL,
    request_key    VARCHAR(255),
    request_hash   VARCHAR(64)  NOT NULL,
    provider       VARCHAR(32)  NOT NULL,
    provider_key   VARCHAR(100) NOT NULL,
    request        TEXT         NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    attempts       INTEGER      NOT NULL,
    lease_until    TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome        TEXT,
    provider_id    VARCHAR(255),
    target         VARCHAR(255),
    amount         BIGINT,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX payment_operations_request_key ON payment_operations (scope, request_key);
CREATE INDEX payment_operations_pending ON payment_operations (state, lease_until);
CREATE INDEX payment_operations_target ON payment_operations (target);

-- The mock payment provider's objects (payment intents, customers, sessions, refunds, subscriptions) and the
-- answers it gave per Idempotency-Key, as Stripe keeps them.
CREATE TABLE mock_payment_objects (
    id               VARCHAR(64) PRIMARY KEY,
    kind             VARCHAR(32) NOT NULL,
    status           VARCHAR(32) NOT NULL,
    amount           BIGINT,
    amount_refunded  BIGINT,
    currency         VARCHAR(3),
    customer         VARCHAR(64),
    data             TEXT        NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE mock_payment_requests (
    idempotency_key  VARCHAR(255) PRIMARY KEY,
    request_hash     VARCHAR(64)  NOT NULL,
    answer           TEXT         NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
