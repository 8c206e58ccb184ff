package dev.vos.client;

import dev.vos.ring.DomainFailedException;

/**
 * A call was made while its domain was not serving (it died and its supervisor has not brought the next
 * generation up yet, or it is stopped or failed). Nothing was sent. Calls succeed again once the domain is back.
 */
public final class DomainUnavailableException extends DomainFailedException {

    public DomainUnavailableException(String message, long generation) {
        super(message, generation);
    }
}
