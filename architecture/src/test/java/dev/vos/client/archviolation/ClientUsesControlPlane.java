package dev.vos.client.archviolation;

import dev.vos.controlplane.ControlPlane;

/** A client class that reaches into the control plane (as the provider once did for the state directory). */
public final class ClientUsesControlPlane {
    ControlPlane plane;
}
