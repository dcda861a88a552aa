package io.hyperkv.crdt;

/**
 * The bytes given to {@link CrdtCodec} are not a valid encoding: truncated, of an unknown format
 * version or type, with a length or count beyond the input, or breaking an invariant of the state
 * (unsorted or duplicate entries, a dot outside the causal context, a non-finite number). The only
 * exception the decoder throws for bad input.
 */
public final class CodecException extends Exception {

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
