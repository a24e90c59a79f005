package org.execpolicy.pdp.recorder;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * A node's signed statement "my chain stood at chain_seq with this record_hash at signed_at"
 * (SPEC 7). signed_at is kept as the exact text that was signed, so no database time type can
 * change what verifies.
 */
record SignedCheckpoint(String nodeId, long chainSeq, String recordHash, String signedAt, String signature) {

    static final String ALGORITHM = "Ed25519";

    /** The bytes signed: node_id, chain_seq, record_hash, signed_at, one per line. */
    static byte[] payload(String nodeId, long chainSeq, String recordHash, String signedAt) {
        return (nodeId + "\n" + chainSeq + "\n" + recordHash + "\n" + signedAt).getBytes(StandardCharsets.UTF_8);
    }

    static SignedCheckpoint sign(PrivateKey key, String nodeId, long chainSeq, String recordHash, String signedAt) {
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(payload(nodeId, chainSeq, recordHash, signedAt));
            return new SignedCheckpoint(nodeId, chainSeq, recordHash, signedAt,
                    Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint with " + ALGORITHM, e);
        }
    }

    /** True when {@code publicKeyBase64} (X.509, base64) verifies this checkpoint's signature. */
    boolean verifies(String publicKeyBase64) {
        try {
            PublicKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(payload(nodeId, chainSeq, recordHash, signedAt));
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a malformed key or signature proves nothing
        }
    }
}
