package dev.vos.client.net;

/**
 * A channel a {@link VosSelector} can wait on whose readiness is known in this JVM: an end of a {@link VosPipe}.
 * The selector looks at it before and after it waits, and the pipe tells it of each change while it waits.
 */
sealed interface LocalSelectable extends Selectable permits VosPipe.Source, VosPipe.Sink {

    /** The pipe's bytes, which the selector watches. */
    PipeBuffer buffer();

    /** The operations among {@code interestOps} that would not wait now. */
    int readyOps(int interestOps);
}
