-- Files of the local storage provider: the key of each app's file, the blob that holds its bytes under the files
-- folder, and what the API answers about it. A blob is renamed into place before its row is written, so a key never
-- names half a file.
CREATE TABLE stored_files (
    app           VARCHAR(200)  NOT NULL,
    file_key      VARCHAR(1024) NOT NULL,
    blob          VARCHAR(100)  NOT NULL,
    size          BIGINT        NOT NULL,
    content_type  VARCHAR(255)  NOT NULL,
    sha256        VARCHAR(64)   NOT NULL,
    etag          VARCHAR(100)  NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (app, file_key)
);

-- Secrets the hub makes for itself at first start (the key that signs file URLs), kept with its data.
CREATE TABLE hub_secrets (
    name        VARCHAR(64) PRIMARY KEY,
    value       TEXT        NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
