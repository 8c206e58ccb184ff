package dev.vos.client.archviolation;

import io.micrometer.core.instrument.MeterRegistry;

/** A client class that pulls a third-party library onto every application's class path. */
public final class ClientUsesMicrometer {
    MeterRegistry registry;
}
