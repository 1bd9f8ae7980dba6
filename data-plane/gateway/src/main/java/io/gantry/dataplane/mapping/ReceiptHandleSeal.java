package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.pipeline.Refusal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the receipt handles the gateway hands to clients to the instance that received them.
 *
 * <p>Why: a receipt handle is plain text the client sends back, and some broker paths act on the
 * commit-log offset inside it without checking its topic (ForwardMessageToDeadLetterQueue copies
 * whatever message sits at that offset into the caller's DLQ). So a handle the client presents must be
 * one this gateway fleet issued for the caller's instance: {@code handle + "~g1~" + mac}, the mac an
 * HMAC-SHA256 (truncated to 128 bits) over instance id and handle, with a key every replica gets from
 * the config snapshot. Handles that do not open are refused with INVALID_RECEIPT_HANDLE before they
 * reach a broker.
 *
 * <p>Thread-safe: one {@link Mac} per thread.
 */
public final class ReceiptHandleSeal {
    /** Without a key (a control plane that does not send one) handles pass unchanged. */
    public static final ReceiptHandleSeal NONE = new ReceiptHandleSeal(null);

    static final String SEPARATOR = "~g1~";
    private static final int MAC_BYTES = 16;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    private ReceiptHandleSeal(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(this.key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    public static ReceiptHandleSeal of(byte[] key) {
        return key == null || key.length == 0 ? NONE : new ReceiptHandleSeal(key.clone());
    }

    /** The handle as the client will see it. */
    public String seal(String instanceId, String handle) {
        if (key == null || handle.isEmpty()) {
            return handle;
        }
        return handle + SEPARATOR + mac(instanceId, handle);
    }

    /** The proxy's handle inside a sealed one; refused unless it was sealed for this instance. */
    public String open(String instanceId, String sealed) {
        if (key == null || sealed.isEmpty()) {
            return sealed;
        }
        int at = sealed.lastIndexOf(SEPARATOR);
        if (at > 0) {
            String handle = sealed.substring(0, at);
            byte[] presented = sealed.substring(at + SEPARATOR.length()).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(presented, mac(instanceId, handle).getBytes(StandardCharsets.US_ASCII))) {
                return handle;
            }
        }
        throw new Refusal(Code.INVALID_RECEIPT_HANDLE, "the receipt handle was not issued to this instance");
    }

    private String mac(String instanceId, String handle) {
        Mac mac = macs.get();
        mac.update(instanceId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        byte[] full = mac.doFinal(handle.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(full, MAC_BYTES));
    }
}
