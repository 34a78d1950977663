-- Parties checked per API token and day (China time), for the token's daily quota (issue 16
-- point 1; the rate and the quota themselves are in the token's scope). A counter, not a fact:
-- like sessions it is not in the change log. Each server process adds what it counted about
-- once a second and reads the total back, so processes over one database share one quota.
CREATE TABLE token_usage (
    token_id  UUID NOT NULL,
    day       DATE NOT NULL,
    parties   BIGINT NOT NULL,
    PRIMARY KEY (token_id, day)
);
