package dev.vos.archviolation.cycle.a;

import dev.vos.archviolation.cycle.b.Right;

/** Half of a package cycle: a uses b. */
public final class Left {
    Right right;
}
