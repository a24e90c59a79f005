package org.execpolicy.pdp.execution;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.execpolicy.pdp.json.StrictUtf8;

/**
 * A trace's bytes as they stream past, refused at the first that is not well-formed UTF-8 or is
 * a NUL, naming its line. Jackson would read an overlong form as another character, and from a
 * leading NUL it guesses UTF-16 or UTF-32: JSON text in UTF-8 holds no NUL byte at all.
 */
final class StrictUtf8Input extends FilterInputStream {
    private final StrictUtf8 check = new StrictUtf8();
    /** Index of the line the next byte belongs to (0 is the header). */
    private long line;
    private long offset;
    private boolean ended;

    StrictUtf8Input(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int off, int length) throws IOException {
        int n = super.read(buffer, off, length);
        if (n < 0) {
            if (ended) {
                return n;
            }
            ended = true;
            if (check.end() >= 0) {
                throw new NotUtf8(line, "line " + (line + 1) + " ends in the middle of a UTF-8 sequence");
            }
            return n;
        }
        long malformed = check.feed(buffer, off, n);
        for (int i = off; i < off + n; i++) {
            if (offset + (i - off) == malformed) {
                throw new NotUtf8(line, "line " + (line + 1) + " is not well-formed UTF-8: an overlong form, an "
                        + "encoded surrogate, a truncated sequence or a byte UTF-8 never uses");
            }
            if (buffer[i] == 0) {
                throw new NotUtf8(line, "line " + (line + 1) + " holds a NUL byte: a trace is UTF-8 JSON Lines");
            }
            if (buffer[i] == '\n') {
                line++;
            }
        }
        offset += n;
        if (malformed >= 0) {
            // the fault began in an earlier piece (a sequence cut by the piece boundary)
            throw new NotUtf8(line, "line " + (line + 1) + " is not well-formed UTF-8");
        }
        return n;
    }

    /** The first fault, with the index of its line. */
    static final class NotUtf8 extends IOException {
        private final long line;

        NotUtf8(long line, String message) {
            super(message, null);
            this.line = line;
        }

        long line() {
            return line;
        }
    }
}
