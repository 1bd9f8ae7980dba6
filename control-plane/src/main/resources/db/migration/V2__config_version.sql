-- A version counter for what gateways need (accounts, placed instances, topics, groups, clusters).
-- Triggers bump it in the same transaction as any change, so no code path can forget to; the
-- config publisher polls it and pushes a new snapshot to gateways when it moved.
CREATE TABLE config_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_state (id, version) VALUES (1, 1);

CREATE FUNCTION bump_config_version() RETURNS trigger AS $$
BEGIN
    UPDATE config_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clusters_config AFTER INSERT OR UPDATE OR DELETE ON clusters
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER namespaces_config AFTER INSERT OR UPDATE OR DELETE ON namespaces
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER accounts_config AFTER INSERT OR UPDATE OR DELETE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER topics_config AFTER INSERT OR DELETE OR UPDATE OF status ON topics
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER consumer_groups_config AFTER INSERT OR DELETE OR UPDATE OF status, delivery_order, max_retries ON consumer_groups
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
CREATE TRIGGER instances_config AFTER DELETE OR UPDATE OF status, tps_spec ON instances
    FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version();
