package dev.vos.archviolation;

import com.sun.jna.Pointer;

/** Names JNA outside the Xen backend. */
public final class UsesJna {
    Pointer pointer;
}
