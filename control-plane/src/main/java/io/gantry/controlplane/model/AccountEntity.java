package io.gantry.controlplane.model;

import io.gantry.isolation.acl.AccountType;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.time.Instant;

/** Credentials an SDK signs with; the access key is globally unique, the username unique per instance. */
@Entity
@Table(name = "accounts")
@IdClass(AccountEntity.Key.class)
public class AccountEntity extends PanacheEntityBase {
    public static class Key implements java.io.Serializable {
        public String instanceId;
        public String username;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(instanceId, k.instanceId)
                    && java.util.Objects.equals(username, k.username);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(instanceId, username);
        }
    }

    @Id
    public String instanceId;

    @Id
    public String username;

    public String accessKey;

    public String secretEnc;

    public boolean enabled;

    /** ADMIN: every permission of its instance; NORMAL: only what its ACL rules allow. */
    @Enumerated(EnumType.STRING)
    public AccountType accountType = AccountType.ADMIN;

    public String remark;

    public Instant createdAt;

    public Instant updatedAt;
}
