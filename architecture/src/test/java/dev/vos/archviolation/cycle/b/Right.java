package dev.vos.archviolation.cycle.b;

import dev.vos.archviolation.cycle.a.Left;

/** The other half: b uses a. */
public final class Right {
    Left left;
}
