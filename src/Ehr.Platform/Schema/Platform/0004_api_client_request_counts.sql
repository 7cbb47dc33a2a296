-- API clients' request counts shared by every host of a deployment, so a client's rate limit holds across them
-- (ClientRateLimitFlusher): one row per client and one-minute window (window_start aligned on the minute), to which
-- each host adds the requests it admitted (upsert) about once a second, reading the totals back in the same round
-- trip. Only the current and the previous window are read; rows older than ten minutes are deleted by the hosts.
-- Counts only: no health information, no token, no address.

CREATE TABLE IF NOT EXISTS platform.api_client_request_counts (
    client_id text NOT NULL REFERENCES platform.api_clients (client_id) ON DELETE CASCADE,
    window_start timestamp with time zone NOT NULL,
    requests bigint NOT NULL CHECK (requests >= 0),
    CONSTRAINT pk_api_client_request_counts PRIMARY KEY (client_id, window_start)
);

-- Pruning old windows.
CREATE INDEX IF NOT EXISTS ix_api_client_request_counts_window ON platform.api_client_request_counts (window_start);

-- Add to a count (insert, or update on conflict), read the totals back, delete old windows; nothing else.
GRANT SELECT, INSERT, UPDATE, DELETE ON platform.api_client_request_counts TO {{app_role}};
