package org.execpolicy.pdp.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Well-formed UTF-8 only (RFC 8259 8.1, RFC 3629), checked by Java's decoder told to report
 * rather than replace: an overlong form (C0 AF for '/'), an encoded surrogate (ED A0 80), a
 * truncated sequence or a byte UTF-8 never uses is found here, where Jackson would quietly read
 * some character and the evidence would record what was never sent. Bytes may come in pieces
 * (a streamed trace): a sequence split between two pieces is completed by the next one.
 */
public final class StrictUtf8 {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer sink = CharBuffer.allocate(4096);
    /** The start of a sequence the last piece ended in (at most 3 bytes). */
    private byte[] carry = new byte[0];
    private long fed;

    /** The offset of the first byte that is not well-formed UTF-8, or -1 when all are. */
    public static long firstMalformed(byte[] bytes) {
        StrictUtf8 check = new StrictUtf8();
        long at = check.feed(bytes, 0, bytes.length);
        return at >= 0 ? at : check.end();
    }

    /**
     * Checks the next piece.
     *
     * @return the offset, counted from the first byte ever fed, of the first byte that is not
     *     well-formed UTF-8; -1 when there is none so far
     */
    public long feed(byte[] bytes, int offset, int length) {
        ByteBuffer in;
        if (carry.length == 0) {
            in = ByteBuffer.wrap(bytes, offset, length);
        } else {
            in = ByteBuffer.allocate(carry.length + length).put(carry).put(bytes, offset, length).flip();
        }
        long base = fed - carry.length - in.position(); // the offset of in's index 0
        fed += length;
        while (true) {
            sink.clear();
            CoderResult result = decoder.decode(in, sink, false);
            if (result.isError()) {
                return base + in.position();
            }
            if (result.isUnderflow()) {
                break;
            }
        }
        carry = new byte[in.remaining()];
        in.get(carry);
        return -1;
    }

    /** After the last piece: the offset of a sequence left unfinished, or -1. */
    public long end() {
        ByteBuffer in = ByteBuffer.wrap(carry);
        sink.clear();
        CoderResult result = decoder.decode(in, sink, true);
        if (result.isError()) {
            return fed - carry.length + in.position();
        }
        sink.clear();
        return decoder.flush(sink).isError() ? fed : -1;
    }
}
