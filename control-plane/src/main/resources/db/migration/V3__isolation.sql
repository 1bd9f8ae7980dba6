-- Tenant isolation: account types with ACL rules, instance IP allowlists, per-topic and per-group
-- rate caps, and operators' temporary throttles.

-- Accounts made before ACLs existed (and new ones that do not say) keep every permission of their
-- instance, so existing SDK clients and the quick start go on working unchanged.
ALTER TABLE accounts ADD COLUMN account_type TEXT NOT NULL DEFAULT 'ADMIN';

CREATE TABLE acl_rules (
    rule_id       TEXT PRIMARY KEY,
    instance_id   TEXT        NOT NULL,
    username      TEXT        NOT NULL,
    resource_type TEXT        NOT NULL,
    resource_name TEXT        NOT NULL,
    pattern       TEXT        NOT NULL,
    actions       JSONB       NOT NULL,
    decision      TEXT        NOT NULL,
    source_cidrs  JSONB       NOT NULL DEFAULT '[]',
    created_at    TIMESTAMPTZ NOT NULL,
    -- Rules belong to their account: deleting it (or the instance, which deletes its accounts) removes them.
    FOREIGN KEY (instance_id, username) REFERENCES accounts (instance_id, username) ON DELETE CASCADE
);
CREATE INDEX acl_rules_account ON acl_rules (instance_id, username, rule_id);

-- CIDRs that may connect with the instance's accounts; empty = any address.
ALTER TABLE instances ADD COLUMN ip_allowlist JSONB NOT NULL DEFAULT '[]';

-- Optional caps below the instance's limits (weighted messages per second); NULL = none.
ALTER TABLE topics ADD COLUMN max_send_tps INTEGER;
ALTER TABLE consumer_groups ADD COLUMN max_receive_tps INTEGER;

-- At most one operator throttle per instance; it stops applying at expires_at (gateways compare).
CREATE TABLE instance_throttles (
    instance_id TEXT PRIMARY KEY REFERENCES instances (instance_id) ON DELETE CASCADE,
    send_tps    INTEGER     NOT NULL,
    receive_tps INTEGER     NOT NULL,
    reason      TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    set_by      TEXT        NOT NULL,
    set_at      TIMESTAMPTZ NOT NULL
);

-- Gateways need all of the above: bump the config version with each change (V2's mechanism).
-- V2's triggers on topics, groups and instances fire only for the columns listed there, so the new
-- columns get triggers of their own; accounts' trigger already fires on any update.
CREATE TRIGGER acl_rules_config AFTER INSERT OR UPDATE OR DELETE ON acl_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER instance_throttles_config AFTER INSERT OR UPDATE OR DELETE ON instance_throttles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER topics_isolation_config AFTER UPDATE OF max_send_tps ON topics
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER consumer_groups_isolation_config AFTER UPDATE OF max_receive_tps ON consumer_groups
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER instances_isolation_config AFTER UPDATE OF ip_allowlist ON instances
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
