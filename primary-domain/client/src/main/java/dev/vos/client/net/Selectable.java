package dev.vos.client.net;

/**
 * What a {@link VosSelector} can wait on: a channel whose socket is a descriptor of the net domain
 * ({@link VosSelectable}, polled there), or an end of this provider's pipe ({@link LocalSelectable}, in this JVM).
 * Any other channel (another provider's) is an {@code IllegalSelectorException}, as the default provider answers.
 */
sealed interface Selectable permits VosSelectable, LocalSelectable {
}
