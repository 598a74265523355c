-- One active key per name, compared trimmed and case-insensitively ('Shop', 'shop', 'shop ' are one name). The
-- database holds the rule, so hubs sharing a store cannot both create a name: the key that holds a name has its
-- normalized name in name_claim (NULL once it is revoked, expired or rotated away), and a unique index allows one
-- holder per name (both H2 and PostgreSQL let NULLs repeat in a unique index). The environment's admin key holds
-- no claim: its name, HUB_ADMIN_KEY, is reserved in code.
ALTER TABLE api_keys ADD COLUMN name_claim VARCHAR(100);

-- The domains a key may send email from (comma-separated, lower case, ASCII); NULL: any.
ALTER TABLE api_keys ADD COLUMN allowed_from VARCHAR(5100);

-- Keys issued before this rule: the newest active key of each name holds it.
UPDATE api_keys AS k SET name_claim = LOWER(TRIM(k.name))
WHERE k.id <> 'env-admin' AND k.revoked_at IS NULL AND k.expires_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM api_keys AS o
      WHERE o.id <> 'env-admin' AND o.revoked_at IS NULL AND o.expires_at IS NULL
        AND LOWER(TRIM(o.name)) = LOWER(TRIM(k.name))
        AND (o.created_at > k.created_at OR (o.created_at = k.created_at AND o.id > k.id)));

CREATE UNIQUE INDEX api_keys_name_claim ON api_keys (name_claim);
